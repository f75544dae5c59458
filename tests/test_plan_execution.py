"""A plan the LP calls feasible, executed month by month without shocks, follows its path.

The plan LP and the simulator describe one economy (``planlab.plan.calendar``). Each
rule that makes them agree is switched off in turn below, and the executed plan then
leaves its path: the agreement does not come from somewhere else.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import numpy as np
import pytest

import planlab.plan.formulation as formulation
from planlab.economy import Economy, load_builtin
from planlab.plan import build, growth_targets
from planlab.scenarios import load_scenario
from planlab.scenarios.plans import PlanComparison, compare_plan, execution_scenario
from planlab.simulate.engine import Model
from planlab.simulate.params import PlanDecisions

TEXTBOOK_TOLERANCE = 0.01
"""The issue's bound for textbook-3: 1 % in every branch and year."""
USSR_TOLERANCE = 0.02
"""ussr-1928 must stay within 5 %; the rebuilt model holds it to 1 %, and this test to 2 %, so
that switching off any one rule of the shared calendar visibly breaks it."""


def harmony_plan(economy: Economy, rate: float, years: int = 5) -> PlanDecisions:
    """A harmony plan whose targets are every branch's base output grown at ``rate``."""
    targets = growth_targets(economy, dict.fromkeys(economy.names, rate), years)
    result = build(economy, years, targets, "harmony")
    assert result.feasible
    return PlanDecisions.from_result(economy, result)


def execute(
    base: Any, plan: PlanDecisions, change: Callable[[Model], None] | None = None
) -> PlanComparison:
    """Run the plan with no shocks on a scenario (or an economy) and compare it with itself."""
    scenario = execution_scenario(base, plan, shocks=False)
    model = Model(scenario, plan=plan)
    if change is not None:
        change(model)
    while not model.done:
        model.step()
    return compare_plan(model.result().series, plan, scenario.economy)


@contextmanager
def patched(name: str, value: object) -> Iterator[None]:
    """Replace a function of the plan formulation while a plan is built."""
    original = getattr(formulation, name)
    setattr(formulation, name, value)
    try:
        yield
    finally:
        setattr(formulation, name, original)


@pytest.mark.parametrize("rate", [0.05, 0.10])
def test_textbook_plan_executes_within_one_percent(rate: float) -> None:
    economy = load_builtin("textbook-3")
    plan = harmony_plan(economy, rate)
    result = execute(economy, plan)
    assert len(result.table) == economy.n * 5
    assert result.max_abs_log_deviation <= TEXTBOOK_TOLERANCE
    assert result.first_shortfall is None


@pytest.mark.parametrize("rate", [0.05, 0.10, 0.15])
def test_ussr_harmony_plans_execute_within_tolerance(rate: float) -> None:
    economy = load_builtin("ussr-1928")
    plan = harmony_plan(economy, rate)
    result = execute(load_scenario("ussr-1928"), plan)
    assert set(result.table["year"]) == {1, 2, 3, 4, 5}
    assert result.max_abs_log_deviation <= USSR_TOLERANCE
    # The plans grow: year 5's output lies above year 1's for the economy as a whole.
    by_year = result.table.groupby("year")["executed"].sum()
    assert by_year[5] > by_year[1]


def test_without_the_plans_procurement_the_farms_starve_the_plan() -> None:
    economy = load_builtin("ussr-1928")
    plan = harmony_plan(economy, 0.10)

    def no_quota(model: Model) -> None:
        model.params = dataclasses.replace(model.params, plan_procurement=None)

    result = execute(load_scenario("ussr-1928"), plan, no_quota)
    assert result.max_abs_log_deviation > USSR_TOLERANCE


@pytest.mark.parametrize(
    ("name", "replacement"),
    [
        # The LP counting capacity as if it did not wear within the year.
        ("year_end_survival", lambda e: np.ones(e.n)),
        # The LP counting the labour force of each year's end, not its start.
        (
            "labour_force",
            lambda e, T: (
                e.scalars["labour_force"]
                * (1.0 + e.scalars["labour_force_growth"]) ** np.arange(1, T + 1)
            ),
        ),
    ],
    ids=["in-year wear", "labour at the year's start"],
)
def test_a_plan_on_another_calendar_leaves_its_path(name: str, replacement: object) -> None:
    economy = load_builtin("ussr-1928")
    with patched(name, replacement):
        plan = harmony_plan(economy, 0.10)
    result = execute(load_scenario("ussr-1928"), plan)
    assert result.max_abs_log_deviation > USSR_TOLERANCE
    assert result.first_shortfall is not None


def test_an_infeasible_plan_falls_short_where_the_lp_binds() -> None:
    economy = load_builtin("ussr-1928")
    plan = harmony_plan(economy, 0.05)
    coal, year = economy.index("coal"), 3
    output = plan.gross_output.copy()
    output[year - 1, coal] *= 1.2
    asked = dataclasses.replace(plan, gross_output=output)
    # The LP: these outputs cannot all be had, and coal in year 3 is what gives way.
    targets = {
        (name, y + 1): float(output[y, j])
        for j, name in enumerate(economy.names)
        for y in range(plan.years)
        if output[y, j] > 0
    }
    check = build(economy, plan.years, targets, "harmony")
    assert check.feasible and check.levels[0] < 1.0 - 1e-6
    least = check.fulfilment.sort_values("fulfilment").iloc[0]
    assert (least["sector"], int(least["year"])) == ("coal", year)
    binding = check.binding()
    assert (
        (binding["sector"] == "coal") & (binding["constraint"].str.startswith("capacity"))
    ).any()
    # Executed, the plan falls short in that branch and year, and the comparison says why.
    result = execute(load_scenario("ussr-1928"), asked)
    row = result.table[(result.table["sector"] == "coal") & (result.table["year"] == year)]
    assert float(row["log_deviation"].iloc[0]) < -0.1
    others = result.table[result.table["sector"] != "coal"]
    assert others["log_deviation"].abs().max() <= USSR_TOLERANCE
    assert result.first_shortfall is not None
    assert result.first_shortfall["branch"] == "coal"
    assert result.first_shortfall["stage"] == "construction"
