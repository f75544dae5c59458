"""Running a scenario's courses: the scenario under a course, with household agents by default."""

from __future__ import annotations

import os
from collections.abc import Callable

from planlab.scenarios.storage import scenario_courses
from planlab.simulate import PlanDecisions, Run, Scenario, run
from planlab.simulate.household_farms import HouseholdFarms

__all__ = ["DEFAULT_SAMPLE", "course_names", "run_scenario"]

DEFAULT_SAMPLE = 100
"""One household row per this many households in a course run (the full countryside is 1)."""


def course_names(scenario: str | os.PathLike[str], course: str) -> list[str]:
    """The courses ``course`` names: one, or every course of the scenario for ``all``."""
    return scenario_courses(scenario) if course == "all" else [course]


def run_scenario(
    data: Scenario,
    months: int | None = None,
    seed: int | None = None,
    households: int | None = DEFAULT_SAMPLE,
    progress: Callable[[int, int], None] | None = None,
    plan: PlanDecisions | None = None,
) -> Run:
    """Run a loaded scenario; ``households`` is the sampling of the household agents (1 runs
    every household), ``None`` or 0 runs the farm sector as one aggregate producer; with
    ``plan`` the run executes that plan."""
    farms = HouseholdFarms.from_scenario(data, sample=households, seed=seed) if households else None
    return run(data, months=months, seed=seed, progress=progress, farms=farms, plan=plan)
