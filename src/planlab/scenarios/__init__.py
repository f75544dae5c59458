"""Built-in scenarios, the historical record they are checked against, and runs beside it."""

from planlab.scenarios.compare import Comparison, compare
from planlab.scenarios.history import calibration, events, history_path, variables
from planlab.scenarios.runs import Course, read_courses, read_series
from planlab.scenarios.storage import (
    builtin_scenarios,
    load_scenario,
    scenario_courses,
    scenario_schema,
)

__all__ = [
    "Comparison",
    "Course",
    "builtin_scenarios",
    "calibration",
    "compare",
    "events",
    "history_path",
    "load_scenario",
    "read_courses",
    "read_series",
    "scenario_courses",
    "scenario_schema",
    "variables",
]
