"""Stage 3, agriculture: the farms' own use, procurement and free-market supply.

The farms keep their feed and seed, and their model (aggregate or households)
splits the rest into procurement for the state, supply to the free market and
the peasants' own consumption; under an executed plan the state procures at
least what the plan needs of them, and in a course at least the exports it orders
beyond the base year's. Procured farm goods go into the state's stocks
(industry's usable output went there in production).
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from planlab.plan.calendar import MONTHS_PER_YEAR
from planlab.simulate.agriculture import Farms
from planlab.simulate.params import Params
from planlab.simulate.stages.production import Production
from planlab.simulate.state import State

__all__ = ["FarmMonth", "agriculture"]

FloatArray = NDArray[np.float64]


@dataclass(frozen=True)
class FarmMonth:
    """Where the farms' output went this month, per branch."""

    farm_use: FloatArray
    procured: FloatArray
    free_supply: FloatArray
    own_use: FloatArray


def agriculture(
    p: Params, s: State, t: int, made: Production, farms: Farms
) -> tuple[State, FarmMonth]:
    """Split the farms' output; add procurement to stocks."""
    farm = p.farm
    farm_need = np.asarray(p.A_farm @ made.output, dtype=float)
    farm_use = np.minimum(farm_need, made.usable * farm)
    net = np.where(farm, made.usable - farm_use, 0.0)
    split = farms.split(net, float(p.policy["procurement_level"][t]))
    procured, free_supply, own_use = split.procured, split.free_supply, split.own_use
    quota = _quota(p, t, procured)
    if quota is not None:
        # At least the quota: the extra taken from the peasants' own use first, then from
        # the free market.
        extra = np.maximum(np.minimum(net, quota) - procured, 0.0)
        from_own = np.minimum(extra, own_use)
        procured = procured + extra
        own_use = own_use - from_own
        free_supply = np.maximum(free_supply - (extra - from_own), 0.0)
    stocks = s.stocks + np.where(farm, procured, 0.0)
    month = FarmMonth(farm_use, procured, free_supply, own_use)
    return dataclasses.replace(s, stocks=stocks), month


def _quota(p: Params, t: int, procured: FloatArray) -> FloatArray | None:
    """What the state must procure this month, per farm good, if more than the farms' split:
    under an executed plan what the plan needs of farm goods; in a course the exports it
    orders beyond the base year's (the base year's marketing already holds those)."""
    if p.plan_procurement is not None:
        needed: FloatArray = p.plan_procurement[p.plan_year[t]] / MONTHS_PER_YEAR
        return needed
    ordered = p.export_plan[t]
    if not np.any(p.farm & ~np.isnan(ordered)):
        return None
    more = np.nan_to_num(ordered) - 1.0
    beyond = np.where(p.farm & (more > 0), more * p.base_exports, 0.0)
    needed = procured + beyond
    return needed
