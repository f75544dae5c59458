"""Stage 2, production: the least of target, forced capacity, labour and inputs.

Industry produces what its target, its capacity forced by pressure, the labour
the towns can give and each input in stock allow (``planlab.simulate.industry``);
the farms produce what their land, animals and weather give and take what inputs
there are. Overuse wears equipment and raises the defective share (brak).
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from planlab.plan.calendar import MONTHS_PER_YEAR
from planlab.simulate.agriculture import Farms
from planlab.simulate.industry import produce, wear_and_brak
from planlab.simulate.params import Params
from planlab.simulate.state import State

__all__ = ["Production", "production"]

FloatArray = NDArray[np.float64]


@dataclass(frozen=True)
class Production:
    """A month's production, per branch (value units a month unless said)."""

    planned_rate: FloatArray
    """What targets, capacity and labour allow (a yearly rate)."""
    planned: FloatArray
    output: FloatArray
    use: FloatArray
    supply_ratio: FloatArray
    overuse: FloatArray
    wear: FloatArray
    brak: FloatArray
    defective: FloatArray
    usable: FloatArray
    labour_scale: float
    """Share of industry's planned output the labour force allowed (1: labour did not bind)."""
    labour_need: float
    """Labour the branches off the farms need for their targets (labour units)."""
    labour_room: float
    """Labour they may employ this month (labour units)."""


def labour_room(p: Params, s: State, t: int, planned_rate: FloatArray) -> float:
    """Workers the branches off the farms may employ this month (labour units).

    In a course they hire from the towns' labour (``State.town_labour``: the base
    year's, the registered unemployed, natural growth and the migrants from the
    villages). Under an executed plan the labour force is the plan LP's: it grows at
    the economy's rate and the farms employ what their planned output needs.
    """
    if p.plan is None:
        return max(0.0, s.town_labour)
    e = p.economy
    years = t / MONTHS_PER_YEAR
    force = e.scalars["labour_force"] * float((1.0 + e.scalars["labour_force_growth"]) ** years)
    farm_labour = float(e.labour[p.farm] @ planned_rate[p.farm])
    return max(0.0, force - farm_labour)


def production(
    p: Params, s: State, t: int, target_rate: FloatArray, farms: Farms
) -> tuple[State, Production]:
    """Produce the month's output from stocks; return the new state and what happened."""
    e, farm = p.economy, p.farm
    forced = s.capacity * (1.0 + p.policy["pressure"][t])
    farm_rate = farms.planned(s.capacity, float(p.exogenous["harvest"][t] * s.harvest_shock))
    if p.plan is not None:
        # Under an executed plan the farms produce the plan's output, within what they can.
        farm_rate = np.minimum(farm_rate, target_rate)
    planned_rate = np.where(farm, farm_rate, np.minimum(target_rate, forced))
    need = float(e.labour[~farm] @ planned_rate[~farm])
    room = labour_room(p, s, t, planned_rate)
    labour_scale = min(1.0, room / need) if need > 0 else 1.0
    if labour_scale < 1.0:
        planned_rate = np.where(farm, planned_rate, planned_rate * labour_scale)
    planned = planned_rate / MONTHS_PER_YEAR
    defects = _brak(p, s, planned_rate)
    # Industry's goods made this month serve users within it, net of the defective share
    # at the planned pace (output at or below it has no more defects).
    within = np.where(farm, 0.0, 1.0 - defects)
    output, use, supply_ratio = produce(p.A_stock, planned * ~farm, s.stocks, within)
    # Peasant farms go on working when industrial supplies run short: they take what
    # inputs there are, but their output follows land, labour and weather.
    farm_inputs = np.asarray(p.A_stock @ (planned * farm), dtype=float)
    farm_take = np.minimum(farm_inputs, np.maximum(s.stocks + within * output - use, 0.0))
    output = np.where(farm, planned, output)
    use = use + farm_take
    overuse, wear, brak = wear_and_brak(
        output * MONTHS_PER_YEAR,
        s.capacity,
        p.depreciation,
        p.parameter["wear_elasticity"],
        p.parameter["brak_base"],
        p.parameter["brak_elasticity"],
    )
    defective = output * brak
    month = Production(
        planned_rate=planned_rate,
        planned=planned,
        output=output,
        use=use,
        supply_ratio=supply_ratio,
        overuse=overuse,
        wear=wear,
        brak=brak,
        defective=defective,
        usable=output - defective,
        labour_scale=labour_scale,
        labour_need=need,
        labour_room=room,
    )
    # Industry's usable output goes to stocks now; the farms' goes through procurement.
    stocks = s.stocks - use + np.where(farm, 0.0, month.usable)
    return dataclasses.replace(s, stocks=stocks), month


def _brak(p: Params, s: State, planned_rate: FloatArray) -> FloatArray:
    """The defective share at the planned pace."""
    return wear_and_brak(
        planned_rate,
        s.capacity,
        p.depreciation,
        p.parameter["wear_elasticity"],
        p.parameter["brak_base"],
        p.parameter["brak_elasticity"],
    )[2]
