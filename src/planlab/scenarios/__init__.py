"""Built-in scenarios and the historical record they are checked against."""

from planlab.scenarios.history import calibration, events, history_path, variables

__all__ = ["calibration", "events", "history_path", "variables"]
