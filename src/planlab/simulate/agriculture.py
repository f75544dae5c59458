"""The peasant economy's part in a month: how much the farms grow, and where it goes.

The engine asks its farms two things each month: the output they plan (a yearly
rate per branch) and how the net output (after the farms' own feed and seed) is
split into procurement for the state, supply to the free market and the
peasants' own consumption. ``AggregateFarms`` answers both for the farm sector as
a whole; an agent model of households answers the same two questions and plugs
into the same place.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Protocol, runtime_checkable

import numpy as np
import scipy.sparse as sp
from numpy.typing import NDArray

from planlab.economy import Economy

__all__ = [
    "FARM_FLOWS",
    "AggregateFarms",
    "Departures",
    "FarmPrices",
    "FarmSplit",
    "Farms",
    "TaxedFarms",
    "split_inputs",
]

FloatArray = NDArray[np.float64]

FARM_FLOWS = frozenset({"excess_deaths_thousand"})
"""Names in a farms' ``census`` that are the past month's flow, not a stock: the series
books the value reported at the start of a month to the month before."""


def split_inputs(economy: Economy, farm: NDArray[np.bool_]) -> tuple[sp.csc_array, sp.csr_array]:
    """Inputs drawn from stocks, and the farms' own inputs of farm goods (feed, seed)."""
    own = farm[:, None] & farm[None, :]
    return sp.csc_array(economy.A.multiply(~own)), sp.csr_array(economy.A.multiply(own))


@dataclass(frozen=True)
class FarmSplit:
    """Where the farms' net output goes, per branch (value units a month)."""

    procured: FloatArray
    free_supply: FloatArray
    own_use: FloatArray


@dataclass(frozen=True)
class FarmPrices:
    """The month's prices as the farms see them, indices relative to the base year."""

    procurement: float
    """The state's procurement price for farm goods."""
    free_market: float
    """The free market's price level (1 when the market is closed: nothing sells there)."""
    industrial: float
    """The state's retail price of manufactured goods."""
    market_open: bool


@dataclass(frozen=True)
class Departures:
    """Who left the villages this month (thousand workers), and the hunger there."""

    workers: float
    """Workers who left for the towns."""
    settlers: float
    """Workers of deported families sent to construction, timber and mining."""
    hunger: float
    """Share of rural people short of food this month (0 where the model does not know)."""
    rural_workers: float = math.nan
    """Workers the farms have after the month (thousand); NaN for farms that keep no people
    of their own (the engine counts them)."""


class Farms(Protocol):
    """What the engine needs from a model of the peasant economy."""

    def planned(self, capacity: FloatArray, harvest: float) -> FloatArray:
        """Output the farms plan this month, as a yearly rate per branch (0 off the farms)."""

    def split(self, net: FloatArray, procurement_level: float) -> FarmSplit:
        """Procurement, free-market supply and own use of the net output."""

    def observe(self, output: FloatArray, imports: FloatArray) -> None:
        """The month's output and imports of every branch (tractors come from industry and
        from abroad)."""

    def observe_market(self, prices: FarmPrices) -> None:
        """The month's prices, once the markets have cleared."""

    def census(self) -> Mapping[str, float]:
        """Stocks the farms report at the start of each month (the record's names), and the
        past month's flows named in ``FARM_FLOWS``."""

    def migrate(self, rate: float, rural_workers: float) -> Departures:
        """Rural workers leave for the towns with monthly probability ``rate``; who left.

        ``rural_workers`` is the engine's count of the peasant economy's workers
        (thousand), for farms that keep no people of their own."""


@runtime_checkable
class TaxedFarms(Protocol):
    """Farms that hold households' wealth and pay a wealth tax on it: an optional part of a
    ``Farms`` model (farms without it pay none)."""

    def wealth_tax_collected(self) -> float:
        """The wealth tax the farms were assessed this month (million roubles), paid into
        the state budget."""


@dataclass(frozen=True)
class AggregateFarms:
    """The farm sector as one producer, marketing in the proportions of the base year.

    The base year fixes how much of each farm good is marketed and procured: the
    state takes what industry, exports, investment and the state use; towns buy
    their share of food on the free market; the rest is eaten where it is grown.
    ``procurement_level`` scales procurement; above the marketed share it takes
    from the peasants' own consumption.
    """

    farm: NDArray[np.bool_]
    marketed_share: FloatArray
    procured_share: FloatArray

    @classmethod
    def from_base(
        cls,
        economy: Economy,
        farm: NDArray[np.bool_],
        A_stock: sp.csc_array,
        A_farm: sp.csr_array,
        urban_food_share: float,
    ) -> AggregateFarms:
        """Marketing shares from the base year's flows."""
        x0 = economy.gross_output
        net0 = np.maximum(x0 - np.asarray(A_farm @ x0, dtype=float), 1e-12)
        state_needs = (
            np.asarray(A_stock @ x0, dtype=float)
            + economy.vector("exports")
            + economy.vector("state")
            + economy.vector("investment")
        )
        town_food = urban_food_share * economy.vector("consumption")
        marketed = np.where(farm, np.minimum(1.0, (state_needs + town_food) / net0), 0.0)
        with np.errstate(divide="ignore", invalid="ignore"):
            procured = np.where(
                state_needs + town_food > 0, state_needs / (state_needs + town_food), 0.0
            )
        return cls(farm, marketed, procured)

    @classmethod
    def for_economy(
        cls, economy: Economy, farm: NDArray[np.bool_], urban_food_share: float
    ) -> AggregateFarms:
        """Marketing shares from the base year, splitting A into farm and stock inputs."""
        A_stock, A_farm = split_inputs(economy, farm)
        return cls.from_base(economy, farm, A_stock, A_farm, urban_food_share)

    def planned(self, capacity: FloatArray, harvest: float) -> FloatArray:
        """Capacity times the year's harvest index."""
        rate: FloatArray = np.where(self.farm, capacity * harvest, 0.0)
        return rate

    def observe(self, output: FloatArray, imports: FloatArray) -> None:
        """The aggregate farms take no notice of industry's output."""

    def observe_market(self, prices: FarmPrices) -> None:
        """The aggregate farms market in fixed shares, whatever the prices."""

    def census(self) -> Mapping[str, float]:
        """The aggregate farms report no households or herds."""
        return {}

    def migrate(self, rate: float, rural_workers: float) -> Departures:
        """As many leave as the rate says on average; no one is deported or counted hungry."""
        return Departures(workers=rate * rural_workers, settlers=0.0, hunger=0.0)

    def split(self, net: FloatArray, procurement_level: float) -> FarmSplit:
        """Marketed in the base year's shares; procurement scaled by the policy."""
        net = np.where(self.farm, net, 0.0)
        marketed = net * self.marketed_share
        procured = np.minimum(net, marketed * self.procured_share * procurement_level)
        free_supply = np.maximum(0.0, marketed - procured)
        return FarmSplit(procured, free_supply, net - procured - free_supply)
