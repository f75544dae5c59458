"""Stage 4, construction: projects advance as materials allow and add capacity.

Projects cancelled for want of money last month are struck first. Materials go
to construction from what next month's production does not need, highest
priority and oldest first; next month's materials are kept back from final uses
as far as the course's ``investment_priority`` says (wholly under an executed plan).
Capacity then wears, is renewed by the replacement programme inherited from the base
year, and grows by the projects finished.
In a course the peasants renew farm capacity themselves; under an executed
plan it wears and is built like any other, as in the plan LP.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from planlab.plan.calendar import MONTHS_PER_YEAR
from planlab.simulate.params import Params
from planlab.simulate.stages.production import Production
from planlab.simulate.state import State

__all__ = ["Building", "construction"]

FloatArray = NDArray[np.float64]


@dataclass(frozen=True)
class Building:
    """A month's construction, per branch."""

    materials: FloatArray
    """Construction materials used, per good."""
    materials_wanted: FloatArray
    """Materials the month's work needs at full pace, per good."""
    finished: FloatArray
    """Capacity finished, per branch (a yearly rate)."""
    production_reserve: FloatArray
    """Inputs kept back for next month's production, per good."""
    kept_back: FloatArray
    """Goods kept back from exports, the state's use and the shops: next month's inputs and,
    under an executed plan, next month's construction materials."""
    cancelled: float
    """Capacity struck from the plan for want of money at the month's start."""


def construction(p: Params, s: State, t: int, made: Production) -> tuple[State, Building]:
    """Advance the pipeline from spare materials; wear, renew and add capacity."""
    pipeline = s.pipeline.copy()
    struck_from_plan = s.struck_from_plan
    cancelled = 0.0
    if s.cancelled_next > 0:
        struck = pipeline.cancel(s.cancelled_next, p.cancel_order, p.economy.B)
        struck_from_plan = struck_from_plan + struck
        cancelled = float(struck.sum())
    next_month = made.planned
    if p.plan is not None:
        # Under a plan, next month's inputs are known: keep back what next month's plan needs.
        next_year = p.plan_year[min(t + 1, p.months)]
        next_month = np.maximum(made.planned, p.plan.gross_output[next_year] / MONTHS_PER_YEAR)
    production_reserve = np.asarray(p.A_stock @ next_month, dtype=float)
    spare = np.maximum(s.stocks - production_reserve, 0.0)
    wanted = pipeline.material_demand(p.economy.B)
    materials, finished = pipeline.advance(p.economy.B, spare, p.priority)
    self_renewed = p.farm if p.plan is None else np.zeros_like(p.farm)
    renewal = np.where(self_renewed, 0.0, p.inherited[:, t])
    capacity = np.maximum(
        s.capacity - np.where(self_renewed, 0.0, made.wear) + renewal + finished, 0.0
    )
    state = dataclasses.replace(
        s,
        stocks=s.stocks - materials,
        pipeline=pipeline,
        capacity=capacity,
        struck_from_plan=struck_from_plan,
        cancelled_next=0.0,
    )
    # Construction first: next month's materials are kept back from final uses, in the
    # course's measure, and wholly under an executed plan (its LP counts them before
    # consumption).
    first = 1.0 if p.plan is not None else float(p.policy["investment_priority"][t])
    kept_back = production_reserve + first * pipeline.material_demand(p.economy.B)
    building = Building(materials, wanted, finished, production_reserve, kept_back, cancelled)
    return state, building
