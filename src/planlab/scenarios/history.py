"""The historical record shipped with planlab (copies of the project's history files)."""

from __future__ import annotations

import csv
from importlib import resources
from pathlib import Path

import pandas as pd

__all__ = ["calibration", "events", "history_path", "variables"]


def history_path(name: str) -> Path:
    """Path of a packaged history file, e.g. ``events.csv``."""
    return Path(str(resources.files("planlab") / "data" / "history" / name))


def events() -> pd.DataFrame:
    """Plan targets, decrees and policy facts (inputs to scenarios, not outcomes to fit)."""
    return pd.read_csv(history_path("events.csv"), dtype={"date": str, "value": str})


def calibration() -> pd.DataFrame:
    """Observed values up to 1930, with bands where sources disagree."""
    return pd.read_csv(history_path("calibration.csv"))


def variables() -> pd.DataFrame:
    """The names, units and comparison rules of variables with a historical counterpart.

    The description is the last column and may hold unquoted commas in the record's
    file, so every field past the fourth is joined back into it.
    """
    lines = history_path("variables.csv").read_text(encoding="utf-8").splitlines()
    rows = [next(csv.reader([line])) for line in lines if line.strip()]
    header, body = rows[0], rows[1:]
    width = len(header)
    fixed = [[*row[: width - 1], ",".join(row[width - 1 :])] for row in body]
    return pd.DataFrame(fixed, columns=header)
