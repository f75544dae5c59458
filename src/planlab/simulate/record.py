"""The recorder: each month's state and flows kept as arrays, named as ``build_series`` reads them.

The names below are the contract between the engine and the series: every key the
series reads is written here, once per month (stocks also once before the first).
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
from numpy.typing import NDArray

from planlab.simulate.agriculture import Farms
from planlab.simulate.stages.building import Building
from planlab.simulate.stages.farming import FarmMonth
from planlab.simulate.stages.foreign import Foreign
from planlab.simulate.stages.money import Money
from planlab.simulate.stages.production import Production
from planlab.simulate.stages.towns import TownsMonth
from planlab.simulate.state import State

__all__ = ["Recorder"]

FloatArray = NDArray[np.float64]


class Recorder:
    """Collects a run's history month by month; ``history()`` stacks it."""

    def __init__(self) -> None:
        self._values: dict[str, list[FloatArray]] = {}

    def keep(self, name: str, value: object) -> None:
        """Append one month's value (a copy) to a variable's history."""
        self._values.setdefault(name, []).append(np.array(value, dtype=float, copy=True))

    def stocks(self, s: State, farms: Farms) -> None:
        """The stocks on the first day of a month (and after the last)."""
        self.keep("capacity", s.capacity)
        for key, value in farms.census().items():
            self.keep(f"farms:{key}", value)
        self.keep("stocks", s.stocks)
        self.keep("currency", s.currency)
        self.keep("reserves", s.reserves)
        self.keep("debt", s.debt)

    def month(
        self,
        s: State,
        target: FloatArray,
        made: Production,
        farm: FarmMonth,
        built: Building,
        foreign: Foreign,
        money: Money,
        moved: TownsMonth,
        starts: FloatArray,
    ) -> None:
        """The month's flows, then the state it ends in (``s``)."""
        tm, market = foreign.trade, money.market
        arrays: Mapping[str, object] = {
            "supply_ratio": made.supply_ratio,
            "labour_scale": made.labour_scale,
            "planned": made.planned,
            "output": made.output,
            "usable": made.usable,
            "defective": made.defective,
            "target": target,
            "overuse": made.overuse,
            "brak": made.brak,
            "use": made.use,
            "farm_use": farm.farm_use,
            "own_use": farm.own_use + (farm.free_supply - market.free_sold),
            "procured": farm.procured,
            "free_sold": market.free_sold,
            "retail": market.retail,
            "materials": built.materials,
            "finished": built.finished,
            "exports": tm.exports,
            "imports": tm.imports,
            "state_use": foreign.state_use,
            "started": starts,
            "workers_money": s.workers_money,
            "peasants_money": s.peasants_money,
            "emission": money.emission,
            "wages": money.wages,
            "site_wages": money.site_wages,
            "procurement_paid": money.procurement_paid,
            "retail_receipts": market.retail_receipts,
            "turnover_tax": money.turnover_tax,
            "agricultural_tax": money.agricultural_tax,
            "loans": money.loans,
            "free_receipts": market.free_receipts,
            "free_price": market.free_price,
            "shortage": market.shortage,
            "retail_price": money.retail_price,
            "procurement_price": money.procurement_price,
            "wage": money.wage,
            "earnings": tm.earnings,
            "import_bill": tm.import_bill,
            "machinery_bill": tm.machinery_bill,
            "credit_drawn": tm.credit_drawn,
            "debt_service": tm.debt_service,
            "cancelled": built.cancelled,
            "under_construction": float(s.pipeline.under_construction().sum()),
            "investment_spending": float(built.materials.sum()),
            "employment": money.employment,
            "wealth_tax": money.wealth_tax,
            "scissors": money.scissors,
            "migration_rate": moved.rate,
            "migrant_workers": moved.migrant_workers,
            "settlers": moved.settlers,
            "town_unemployed": moved.unemployed,
            "town_labour": s.town_labour,
            "labour_need": made.labour_need,
        }
        for name, value in arrays.items():
            self.keep(name, value)

    def history(self) -> dict[str, FloatArray]:
        """Every variable's values stacked over months."""
        return {name: np.stack(values) for name, values in self._values.items()}
