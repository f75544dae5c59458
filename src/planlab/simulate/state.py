"""State: what carries over from one month to the next.

Stocks, capacity, the construction pipeline, money, foreign reserves and debt,
and the memory of the plan ratchet, the demand pull and the budget. Stages take a
State and return a new one (``dataclasses.replace``); the pipeline is copied
before it changes, so an earlier State is never altered.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from planlab.plan.calendar import MONTHS_PER_YEAR, expansion_cohorts
from planlab.simulate.construction import Pipeline
from planlab.simulate.params import Params

__all__ = ["PIPELINE_OFFSET", "State", "initial_state"]

FloatArray = NDArray[np.float64]

PIPELINE_OFFSET = 1
"""Pipeline columns just before the first month: a plan's first-year projects. The
expansion programme under way on the first day comes before them (oldest first)."""


@dataclass(frozen=True)
class State:
    """The economy on the first day of a month."""

    capacity: FloatArray
    stocks: FloatArray
    pipeline: Pipeline
    currency: float
    workers_money: float
    peasants_money: float
    reserves: float
    debt: float
    credit_this_year: float
    ratchet_factor: FloatArray
    quarter_out: FloatArray
    quarter_target: FloatArray
    shortage_last: float
    harvest_shock: float
    cancelled_next: float
    struck_from_plan: FloatArray
    substitution: FloatArray
    town_labour: float
    """Labour the towns have for the branches off the farms (thousand persons, employed or
    not)."""
    rural_workers: float
    """Workers of the peasant economy (thousand), as the engine counts them."""
    hunger_last: float
    """Share of rural people short of food last month."""
    pull: float
    """The urban real wage over farm income per rural worker, relative to the base month,
    averaged over the months peasants remember (1 until the first month is known)."""
    towns_base: tuple[float, float, float] | None
    """The base month's real wage, farm income per rural worker and demand for labour."""


def initial_state(p: Params) -> State:
    """The state on the run's first day, from the economy and the scenario's initial values."""
    e = p.economy
    x0 = e.gross_output
    input_base = np.asarray(e.A @ x0, dtype=float)
    stocks = np.maximum(x0, input_base) / MONTHS_PER_YEAR * p.initial["stock_months"]
    size, left = expansion_cohorts(e)
    before = size.shape[1] + PIPELINE_OFFSET
    pipeline = Pipeline.empty(e.n, before + p.months + 1, p.duration, origin=before)
    pipeline.size[:, : size.shape[1]] = size
    pipeline.left[:, : size.shape[1]] = left
    if p.plan is not None:
        pipeline.start(before - 1, p.plan.new_capacity[0])
    currency = p.initial["currency"]
    farm_labour = float(e.labour[p.farm] @ x0[p.farm])
    workers_money = currency * p.initial["worker_money_share"]
    return State(
        capacity=e.capacity.astype(float).copy(),
        stocks=stocks,
        pipeline=pipeline,
        currency=currency,
        workers_money=workers_money,
        peasants_money=currency - workers_money,
        reserves=e.scalars["fx_reserves"],
        debt=p.initial["foreign_debt"] if p.plan is None else p.plan.terms.foreign_debt,
        credit_this_year=0.0,
        ratchet_factor=np.ones(e.n),
        quarter_out=np.zeros(e.n),
        quarter_target=np.zeros(e.n),
        shortage_last=0.0,
        harvest_shock=1.0,
        cancelled_next=0.0,
        struck_from_plan=np.zeros(e.n),
        substitution=np.zeros(e.n),
        town_labour=e.scalars["labour_force"] - farm_labour + p.initial["town_unemployed"],
        rural_workers=farm_labour,
        hunger_last=0.0,
        pull=1.0,
        towns_base=None,
    )
