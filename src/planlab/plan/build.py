"""Building a plan: the LP, a target family, the harmony or weighted objective, the solve.

Harmony is Kantorovich's maximin: raise the smallest fulfilment ratio as far as
it goes, fix the targets that cannot rise further, then raise the next smallest,
and so on. A target is fixed when its row has a positive dual: by LP duality the
dual weights (which sum to one) certify that no feasible plan lifts any of those
targets above the level while keeping the others at it.

With a first-order solve the duals are approximate: a slack row may carry a dual
of the order of the tolerance. A target is therefore held only when its dual
exceeds the solve's tolerance and its row is tight to that tolerance; when no
row passes, the row with the largest dual is held (the duals sum to one, so it
carries at least 1/K of the certificate), or every row when no dual exceeds the
tolerance (the level then stops at its own cap). Each round holds at least one target,
and held levels are relaxed by the solve's tolerance, so that the next round
starts from a feasible point.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping

import numpy as np
import pandas as pd
import scipy.sparse as sp
from numpy.typing import NDArray

from planlab.economy import Economy
from planlab.errors import InputError
from planlab.plan.arguments import check_build_arguments
from planlab.plan.formulation import (
    PlanModel,
    PlanSettings,
    Targets,
    build_model,
    make_targets,
    target_selection,
)
from planlab.plan.lp import FIRST_ORDER_TOLERANCE, Solution, Status, check_method
from planlab.plan.result import (
    PlanResult,
    conflicts_table,
    constraint_label,
    shadow_price_table,
    solution_tables,
)

__all__ = ["FIX_TOLERANCE", "OBJECTIVES", "build", "held", "maximin"]

FloatArray = NDArray[np.float64]
OBJECTIVES = ("harmony", "weighted")
FIX_TOLERANCE = 1e-7
"""HiGHS's own feasibility tolerance: a held target may sit this far (relative) below its level."""


def _with_targets(
    economy: Economy,
    settings: PlanSettings,
    targets: Targets,
    objective: str,
    fixed: Mapping[int, float],
    cap: float | None,
) -> PlanModel:
    """The plan LP with fulfilment variables and the chosen objective."""
    model = build_model(economy, settings)
    lp = model.lp
    K = targets.size
    levels = np.asarray(targets.levels)
    lower = np.zeros(K)
    for k, level in fixed.items():
        # Held at its level less the tolerance, but never below no fulfilment at all: a
        # level near zero (a cap of 1e-300) would otherwise let a share turn negative.
        lower[k] = max(0.0, level - FIX_TOLERANCE * max(1.0, abs(level)))
    upper = np.inf if cap is None else cap
    f = lp.add_variables("fulfilment", {"target": tuple(range(K))}, lower, upper)
    model.variables["fulfilment"] = f
    model.constraints["target"] = lp.add_constraints(
        "target",
        {"target": tuple(range(K))},
        [
            (model.variables["gross_output"], target_selection(model, targets)),
            (f, sp.diags_array(-levels)),
        ],
        ">=",
        0.0,
        scale=levels,
    )
    if objective == "harmony":
        free = np.array([k not in fixed for k in range(K)], dtype=float)
        z = lp.add_variables("least_fulfilment", None, -np.inf, np.inf)
        model.variables["least_fulfilment"] = z
        rows = np.flatnonzero(free)
        pick = sp.csr_array(
            (np.ones(rows.size), (np.arange(rows.size), rows)), shape=(rows.size, K)
        )
        model.constraints["harmony"] = lp.add_constraints(
            "harmony",
            {"target": tuple(int(r) for r in rows)},
            [(f, pick), (z, -np.ones((rows.size, 1)))],
            ">=",
            0.0,
        )
        lp.set_objective({"least_fulfilment": 1.0}, sense="max")
    else:
        lp.set_objective({"fulfilment": np.asarray(targets.weights)}, sense="max")
    return model


def held(
    solution: Solution, duals: FloatArray, slack: FloatArray, level: float
) -> NDArray[np.intp]:
    """Positions of the harmony rows whose targets cannot rise above ``level``.

    Tolerance-aware: a dual must exceed the solve's accuracy and the row must be
    tight to it. Failing any such row, the one with the largest dual; with no dual
    above the accuracy, every row (the level is held by its own bound, a cap).
    """
    accuracy = max(FIX_TOLERANCE, solution.tolerance)
    priced = duals > accuracy
    chosen = np.flatnonzero(priced & (slack <= accuracy * max(1.0, abs(level))))
    if chosen.size == 0 and duals.size:
        # No priced row: the level's own bound (a cap) holds them all; else the dearest.
        chosen = np.array([int(np.argmax(duals))]) if priced.any() else np.arange(duals.size)
    return chosen


def maximin(
    make: Callable[[Mapping[int, float]], PlanModel],
    method: str = "auto",
    tolerance: float = FIRST_ORDER_TOLERANCE,
) -> tuple[PlanModel, Solution, tuple[PlanModel, Solution], list[float], float]:
    """Lexicographic maximin over a model's ``harmony`` rows (``share_k - level >= 0``).

    ``make(fixed)`` builds the model with the shares in ``fixed`` held at their
    levels and harmony rows for the rest. Returns the last model and solution
    solved to optimality (the first, whatever its status, if none was), the first
    (which decides the least share), the levels reached and the largest
    primal-dual gap met.

    The plan of each level meets the next level's bounds up to the solver's
    tolerances, so a later solve can fail only numerically (HiGHS's presolve may
    then call it infeasible): the last plan solved then stands.
    """
    fixed: dict[int, float] = {}
    levels: list[float] = []
    first: tuple[PlanModel, Solution] | None = None
    last: tuple[PlanModel, Solution] | None = None
    gap = 0.0
    while True:
        model = make(fixed)
        solution = model.lp.solve(method=method, tolerance=tolerance)
        if first is None:
            first = (model, solution)
        if solution.status is not Status.OPTIMAL:
            if last is not None:
                model, solution = last
            break
        last = (model, solution)
        gap = max(gap, solution.gap)
        level = solution.objective
        levels.append(level)
        block = model.constraints["harmony"]
        free = np.array([int(k) for k in block.coords["target"]], dtype=np.int64)
        chosen = held(
            solution, model.lp.shadow(solution, block), model.lp.slack(solution, block), level
        )
        hold = level - solution.tolerance * max(1.0, abs(level))
        for k in free[chosen]:
            fixed[int(k)] = hold
        if free.size == 0 or chosen.size == free.size:
            break
    return model, solution, first, levels, gap


def build(
    economy: Economy,
    years: int = 5,
    targets: Mapping[str, float] | Mapping[tuple[str, int], float] | Targets | None = None,
    objective: str = "harmony",
    *,
    weights: Mapping[str, float] | None = None,
    settings: PlanSettings | None = None,
    cap: float | None = None,
    required: Mapping[str, float] | None = None,
    method: str = "auto",
    tolerance: float = FIRST_ORDER_TOLERANCE,
) -> PlanResult:
    """Compute a balanced plan for ``years`` years that fulfils the targets as far as possible.

    ``targets`` maps a sector to its output level in the final year, or
    ``(sector, year)`` to a level; by default every sector's base-year output in
    the final year. ``objective`` is ``harmony`` (lexicographic maximin of
    fulfilment) or ``weighted`` (weighted sum of fulfilment, each capped at
    ``cap``, default 1). ``required`` maps a sector to a final-year level the
    plan must reach (it replaces that sector's target and is held at fulfilment
    1 while the others are balanced), which is how a proposal under discussion
    is tested. An infeasible plan is returned, not raised, with the conflicting
    constraints in ``conflicts``. ``method`` is how each LP is solved (see
    ``planlab.plan.lp.METHODS``): ``auto`` solves small plans exactly and large
    ones with a first-order method, solved to the relative ``tolerance``; the
    result says which method and how accurately (measured by planlab).

    >>> from planlab.economy import load_builtin
    >>> plan = build(load_builtin("textbook-3"), years=3)
    >>> plan.feasible, bool(plan.fulfilment["fulfilment"].min() >= 1.0 - 1e-6)
    (True, True)
    """
    check_method(method)
    check_build_arguments(economy, years, targets, weights, cap, required, settings)
    if objective not in OBJECTIVES:
        raise InputError.single(
            "<plan>", "objective", f"one of {', '.join(OBJECTIVES)}", f"got {objective!r}"
        )
    settings = settings or PlanSettings(years=years)
    if settings.years != years:
        settings = PlanSettings(**{**settings.__dict__, "years": years})
    problems = settings.problems()
    if problems:
        raise InputError(problems)
    goal = make_targets(economy, settings.years, targets, weights)
    goal, pinned = _require(economy, settings.years, goal, required or {})
    if objective == "weighted" and cap is None:
        cap = 1.0
    start = time.perf_counter()

    def make(fixed: Mapping[int, float]) -> PlanModel:
        return _with_targets(economy, settings, goal, objective, {**pinned, **fixed}, cap)

    if objective == "harmony":
        model, solution, first, levels, gap = maximin(make, method, tolerance)
    else:
        model = make({})
        solution = model.lp.solve(method=method, tolerance=tolerance)
        first, levels, gap = (model, solution), [], solution.gap
    return _result(
        economy, objective, goal, model, solution, first, levels, gap, time.perf_counter() - start
    )


def _require(
    economy: Economy, years: int, goal: Targets, required: Mapping[str, float]
) -> tuple[Targets, dict[int, float]]:
    """The targets with each required final-year level in place, and their indices held at 1."""
    if not required:
        return goal, {}
    levels = {
        (s, y): level for s, y, level in zip(goal.sectors, goal.years, goal.levels, strict=True)
    }
    weights = dict(zip(goal.sectors, goal.weights, strict=True))
    for sector, level in required.items():
        levels[(sector, years)] = float(level)
    merged = make_targets(economy, years, levels, weights)
    if all(
        (s, y) in {(r, years) for r in required}
        for s, y in zip(merged.sectors, merged.years, strict=True)
    ):
        raise InputError.single(
            "<plan>", "required", "at least one target that is not required", "every target is"
        )
    pinned = {
        k: 1.0
        for k, (s, y) in enumerate(zip(merged.sectors, merged.years, strict=True))
        if y == years and s in required
    }
    return merged, pinned


def _result(
    economy: Economy,
    objective: str,
    goal: Targets,
    model: PlanModel,
    solution: Solution,
    first: tuple[PlanModel, Solution],
    levels: list[float],
    gap: float,
    seconds: float,
) -> PlanResult:
    first_model, first_solution = first
    fulfilment = goal.frame()
    if solution.status is Status.OPTIMAL:
        sectors, years_table = solution_tables(model, solution)
        achieved = model.lp.value(solution, model.variables["fulfilment"])
        fulfilment["achieved"] = fulfilment["target"] * achieved
        fulfilment["fulfilment"] = achieved
        shadow = shadow_price_table(first_model, first_solution)
        conflicts = conflicts_table(model, solution)
        value = levels[0] if objective == "harmony" else solution.objective
        message = (
            f"plan found: least fulfilment {min(achieved):.4g}"
            if objective == "harmony"
            else f"plan found: weighted fulfilment {solution.objective:.6g}"
        )
    else:
        sectors = pd.DataFrame(columns=["sector", "year"])
        years_table = pd.DataFrame(columns=["year"])
        fulfilment["achieved"] = np.nan
        fulfilment["fulfilment"] = np.nan
        shadow = pd.DataFrame(columns=["constraint", "sector", "year", "shadow_price", "slack"])
        conflicts = conflicts_table(model, solution)
        value = float("nan")
        message = _explain(solution.status, conflicts)
    return PlanResult(
        economy=economy.name,
        objective=objective,
        status=solution.status,
        years=model.years,
        objective_value=value,
        gap=gap if solution.status is Status.OPTIMAL else float("nan"),
        seconds=seconds,
        sectors=sectors,
        fulfilment=fulfilment,
        shadow_prices=shadow,
        years_table=years_table,
        conflicts=conflicts,
        levels=levels,
        message=message,
        settings=model.settings,
        method=solution.method,
        primal_infeasibility=solution.primal_infeasibility,
        dual_infeasibility=max(solution.dual_infeasibility, first_solution.dual_infeasibility),
        solvers=solution.solvers,
    )


def _explain(status: Status, conflicts: pd.DataFrame) -> str:
    if status is Status.INFEASIBLE:
        if conflicts.empty:
            return "no plan meets every constraint (the solver gave no conflicting set)"
        parts = [
            constraint_label(str(name), str(sector), int(year))
            for name, sector, year in conflicts[["name", "sector", "year"]].itertuples(index=False)
        ]
        return "no plan meets every constraint; these conflict: " + "; ".join(parts[:20])
    if status is Status.UNBOUNDED:
        return "the objective is unbounded: no constraint limits the targets"
    return f"the solver stopped without a plan ({status.value})"
