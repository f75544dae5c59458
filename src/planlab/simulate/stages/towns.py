"""Stage 7, the towns' labour: people leave the villages, the towns' labour grows.

Each month the towns' labour grows at the labour force's natural rate and by the
workers who came from the villages: the migrants, whose monthly probability per rural
worker follows ``planlab.simulate.towns.migration_probability`` (the towns' pull is the
real wage a migrant can expect, times the chance of a job; the push of collectivisation
pressure and the fear deportations spread), and the workers of
deported families, sent to construction, timber and mining. The farms say who left
(the households draw it; the aggregate farms take the expected number). Under an
executed plan the state recruits what the plan's employment needs beyond that, and
the recruits count as migrants. Industry hires from this labour next month.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass

import numpy as np

from planlab.plan.calendar import MONTHS_PER_YEAR
from planlab.simulate.agriculture import Farms
from planlab.simulate.household_farms import deportation_fear
from planlab.simulate.params import Params
from planlab.simulate.stages.farming import FarmMonth
from planlab.simulate.stages.money import Money
from planlab.simulate.stages.production import Production
from planlab.simulate.state import State
from planlab.simulate.towns import cost_of_living, migration_probability

__all__ = ["MIGRATION_MEMORY", "TownsMonth", "towns"]

MIGRATION_MEMORY = 12.0
"""Months over which peasants average what the towns pay against the farm (assumption:
news of town wages and prices travels through the year's seasonal work, so a year's
conditions, not a month's, move people; it also smooths the harvest's seasons)."""


@dataclass(frozen=True)
class TownsMonth:
    """The month's movement into the towns (thousand persons unless said)."""

    rate: float
    """Monthly probability that a rural worker left for town."""
    migrant_workers: float
    settlers: float
    recruited: float
    """Workers the state recruited for an executed plan beyond those who came."""
    employed: float
    unemployed: float
    hunger: float


def towns(
    p: Params, s: State, t: int, made: Production, farm: FarmMonth, money: Money, farms: Farms
) -> tuple[State, TownsMonth]:
    """Move people from the villages to the towns; return the new state and the month."""
    e, market = p.economy, money.market
    living = float(
        cost_of_living(
            money.retail_price,
            market.shortage,
            market.free_price,
            market.retail_receipts,
            market.free_receipts,
        )
    )
    industrial = money.retail_price * (1.0 + market.shortage)
    # What a migrant can expect: the real wage times the chance of a job (Harris and
    # Todaro, 1970), the employed over the towns' labour.
    employed_share = min(money.employment / s.town_labour, 1.0) if s.town_labour > 0 else 1.0
    real_wage = money.wage / living * employed_share if living > 0 else 0.0
    peasant_money = money.procurement_paid + market.free_receipts
    real_income = peasant_money / industrial + float(farm.own_use.sum())
    farm_income = real_income / max(s.rural_workers, np.finfo(float).tiny)
    demand = made.labour_need / made.labour_room if made.labour_room > 0 else 1.0
    base = s.towns_base or (real_wage, farm_income, demand)
    ratio = (real_wage / base[0] if base[0] > 0 else 1.0) / (
        farm_income / base[1] if base[1] > 0 and farm_income > 0 else 1.0
    )
    pull = s.pull + (ratio - s.pull) / MIGRATION_MEMORY
    par = p.parameter
    rate = migration_probability(
        par["migration_rate"],
        pull,
        par["migration_wage_elasticity"],
        s.hunger_last,
        par["migration_hunger"],
        float(p.policy["collectivisation_pressure"][t])
        + deportation_fear(p.policy["kulak_quota"][t]),
        par["migration_pressure"],
        demand / base[2] if base[2] > 0 else 1.0,
        par["migration_demand_elasticity"],
    )
    left = farms.migrate(rate, s.rural_workers)
    natural = (1.0 + e.scalars["labour_force_growth"]) ** (1.0 / MONTHS_PER_YEAR)
    town_labour = s.town_labour * natural + left.workers + left.settlers
    employed = money.employment
    recruited = max(employed - town_labour, 0.0) if p.plan is not None else 0.0
    month = TownsMonth(
        rate=rate,
        migrant_workers=left.workers + recruited,
        settlers=left.settlers,
        recruited=recruited,
        employed=employed,
        unemployed=max(s.town_labour - employed, 0.0),
        hunger=left.hunger,
    )
    state = dataclasses.replace(
        s,
        town_labour=town_labour + recruited,
        rural_workers=(
            left.rural_workers
            if np.isfinite(left.rural_workers)
            else max(s.rural_workers * natural - left.workers - recruited, 0.0)
        ),
        hunger_last=left.hunger,
        pull=pull,
        towns_base=base,
    )
    return state, month
