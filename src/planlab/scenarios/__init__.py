"""Built-in scenarios, the historical record they are checked against, and runs beside it."""

from planlab.scenarios.calibrate import Calibration, calibrate
from planlab.scenarios.compare import Comparison, EnsembleComparison, compare, compare_ensemble
from planlab.scenarios.courses import course_names, run_scenario
from planlab.scenarios.history import calibration, events, history_path, variables
from planlab.scenarios.plans import (
    PlanComparison,
    compare_plan,
    execution_scenario,
    plan_base,
    plan_folder,
    read_plan,
)
from planlab.scenarios.runs import Course, read_courses, read_series
from planlab.scenarios.storage import (
    builtin_scenarios,
    load_scenario,
    scenario_courses,
    scenario_schema,
)

__all__ = [
    "Calibration",
    "Comparison",
    "Course",
    "EnsembleComparison",
    "PlanComparison",
    "builtin_scenarios",
    "calibrate",
    "calibration",
    "compare",
    "compare_ensemble",
    "compare_plan",
    "course_names",
    "events",
    "execution_scenario",
    "history_path",
    "load_scenario",
    "plan_base",
    "plan_folder",
    "read_courses",
    "read_plan",
    "read_series",
    "run_scenario",
    "scenario_courses",
    "scenario_schema",
    "variables",
]
