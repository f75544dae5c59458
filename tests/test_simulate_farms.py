"""The peasant economy plugs into the engine through the Farms protocol."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp

from planlab.scenarios import load_scenario
from planlab.simulate import run
from planlab.simulate.agriculture import AggregateFarms, Departures, FarmPrices, FarmSplit


@dataclass(frozen=True)
class Hoarding:
    """Farms that market nothing: the state gets no farm goods at all."""

    inner: AggregateFarms

    def planned(self, capacity: np.ndarray, harvest: float) -> np.ndarray:
        return self.inner.planned(capacity, harvest)

    def split(self, net: np.ndarray, procurement_level: float) -> FarmSplit:
        zero = np.zeros_like(net)
        return FarmSplit(zero, zero, np.where(self.inner.farm, net, 0.0))

    def observe(self, output: np.ndarray, imports: np.ndarray) -> None:
        self.inner.observe(output, imports)

    def observe_market(self, prices: FarmPrices) -> None:
        """Hoarding farms sell nothing, whatever the prices."""

    def census(self) -> Mapping[str, float]:
        return self.inner.census()

    def migrate(self, rate: float, rural_workers: float) -> Departures:
        return self.inner.migrate(rate, rural_workers)


def test_farms_that_market_nothing_starve_the_industry_using_farm_goods() -> None:
    scenario = load_scenario("ussr-1928")
    economy = scenario.economy
    base = run(scenario, months=12)
    farm = np.array([n in scenario.agriculture for n in economy.names])
    A = economy.A
    A_stock = sp.csc_array(A.multiply(~(farm[:, None] & farm[None, :])))
    A_farm = sp.csr_array(A.multiply(farm[:, None] & farm[None, :]))
    aggregate = AggregateFarms.from_base(economy, farm, A_stock, A_farm, 0.22)
    hoarded = run(scenario, months=12, farms=Hoarding(aggregate))
    food = economy.index("food_processing")
    assert hoarded.history["output"][6:, food].sum() < base.history["output"][6:, food].sum()
    assert hoarded.history["procured"].sum() == 0.0
    assert base.history["procured"].sum() > 0.0
