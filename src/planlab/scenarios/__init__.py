"""Built-in scenarios and the historical record they are checked against."""

from planlab.scenarios.history import calibration, events, history_path, variables
from planlab.scenarios.storage import (
    builtin_scenarios,
    load_scenario,
    scenario_courses,
    scenario_schema,
)

__all__ = [
    "builtin_scenarios",
    "calibration",
    "events",
    "history_path",
    "load_scenario",
    "scenario_courses",
    "scenario_schema",
    "variables",
]
