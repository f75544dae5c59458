"""Stage 5, foreign trade: exports at world prices, imports within earnings, credit, reserves.

In a course the state exports what foreign demand takes of the base year's
exports (pushed as the course orders) and imports what production and
construction lack; under an executed plan it exports and imports what the plan
says. What the world market no longer supplies, the plan sets out to make at
home (import substitution): the import gap, averaged over months, is capacity the
planners start in the branch that makes the good (at its capital cost, finished
after its lag) and output they set it to produce (``planlab.simulate.substitution``).
The state's own use is served last, from what next month's production does not need.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from planlab.plan.calendar import MONTHS_PER_YEAR
from planlab.simulate.agriculture import Farms
from planlab.simulate.params import Params
from planlab.simulate.stages.building import Building
from planlab.simulate.stages.production import Production
from planlab.simulate.state import State
from planlab.simulate.trade import TradeMonth, trade

__all__ = ["Foreign", "foreign_trade"]

FloatArray = NDArray[np.float64]

SHORTFALL_IMPORT_SHARE = 0.5
"""Share of a month's shortfall of inputs and materials the planners try to import: an
assumption (imports take months to arrive; half is ordered each month)."""


@dataclass(frozen=True)
class Foreign:
    """A month's foreign trade and the state's own use, per branch."""

    trade: TradeMonth
    import_wish: FloatArray
    state_use: FloatArray


def _wishes(
    p: Params, s: State, t: int, made: Production, built: Building
) -> tuple[FloatArray, FloatArray]:
    if p.plan is not None:
        year = p.plan_year[t]
        return p.plan.exports[year] / MONTHS_PER_YEAR, p.plan.imports[year] / MONTHS_PER_YEAR
    demand = p.exogenous["export_demand"][t]
    # What the course orders abroad, or the base year's exports as demand takes them; the
    # world market pays for more at a lower price, not a fixed ceiling.
    ordered = p.export_plan[t]
    export_wish = np.where(
        np.isnan(ordered),
        p.base_exports * demand * (1.0 + p.policy["export_push"][t]),
        p.base_exports * np.nan_to_num(ordered),
    )
    planned_inputs = np.asarray(p.economy.A @ made.planned_rate, dtype=float)
    used = p.input_base > 0
    activity = np.where(used, planned_inputs / np.where(used, p.input_base, 1.0), 1.0)
    shortfall = np.maximum(
        0.0, np.asarray(p.A_stock @ made.planned, dtype=float) + built.materials_wanted - s.stocks
    )
    import_wish = np.where(
        p.importable, p.base_imports * activity + SHORTFALL_IMPORT_SHARE * shortfall, 0.0
    )
    return export_wish, import_wish


def foreign_trade(
    p: Params, s: State, t: int, made: Production, built: Building, farms: Farms
) -> tuple[State, Foreign]:
    """Trade with the world, then serve the state's own use."""
    e = p.economy
    credit_this_year = s.credit_this_year
    if t > 0 and p.budget_year[t] != p.budget_year[t - 1]:
        credit_this_year = 0.0
    export_wish, import_wish = _wishes(p, s, t, made, built)
    keep_back = built.kept_back
    interest, term = p.parameter["credit_interest"], p.parameter["credit_term"]
    limit = min(e.scalars["credit_limit"], p.policy["credit_cap"][t])
    if p.plan is not None:
        # The plan sets each year's credit and the terms it was computed on.
        limit = min(limit, float(p.plan.credit[p.plan_year[t]]))
        interest, term = p.plan.terms.credit_interest, p.plan.terms.credit_term
    credit_room = max(0.0, limit - credit_this_year)
    tm = trade(
        np.maximum(s.stocks - keep_back, 0.0),
        export_wish,
        p.export_price * p.exogenous["world_export_price"][t],
        import_wish,
        p.import_price * p.exogenous["world_import_price"][t],
        p.machinery,
        p.parameter["import_priority_machinery"],
        s.reserves,
        p.parameter["reserve_floor"],
        s.debt,
        credit_room,
        interest,
        term,
        credit_first=p.plan is not None,
        # An executed plan sells at the LP's prices within its export limits.
        export_reference=p.base_exports * p.exogenous["export_demand"][t],
        elasticity=np.inf if p.plan is not None else p.parameter["export_demand_elasticity"],
    )
    stocks = s.stocks - tm.exports + tm.imports
    import_gap = np.maximum(import_wish - tm.imports, 0.0) * MONTHS_PER_YEAR
    weight = p.parameter["import_substitution"]
    substitution = weight * import_gap + (1.0 - weight) * s.substitution
    farms.observe(made.output, tm.imports)
    state_use = np.minimum(p.state_demand, np.maximum(stocks - keep_back, 0.0))
    state = dataclasses.replace(
        s,
        stocks=stocks - state_use,
        reserves=tm.reserves,
        debt=tm.debt,
        credit_this_year=credit_this_year + tm.credit_drawn,
        substitution=substitution,
    )
    return state, Foreign(tm, import_wish, state_use)
