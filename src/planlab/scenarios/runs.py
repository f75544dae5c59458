"""A folder of runs: one ``series.csv`` per course, read and checked before any use.

A folder holds either one run's ``series.csv`` directly (one course, named after the
folder) or one subfolder per course. The courses of the built-in scenario come first
in their historical order, any others after them alphabetically.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from planlab.errors import InputError

__all__ = ["COURSE_ORDER", "Course", "read_courses", "read_series"]

COURSE_ORDER = ("historical", "opposition", "nep")
"""The courses of ussr-1928 in the order the source text discusses them."""

SERIES_COLUMNS = ("date", "variable", "value")


@dataclass(frozen=True)
class Course:
    """One course's run: its name, folder, tidy series and what run.json says of it."""

    name: str
    folder: Path
    series: pd.DataFrame
    meta: dict[str, Any] = field(default_factory=dict)

    def describe(self) -> str:
        """``course, seed, households sampling`` as far as run.json records them."""
        parts = [f"course {self.name}"]
        for key, label in (("scenario", "scenario"), ("seed", "seed"), ("months", "months")):
            if key in self.meta:
                parts.append(f"{label} {self.meta[key]}")
        if "households" in self.meta:
            sample = self.meta["households"]
            parts.append(
                "aggregate countryside"
                if sample is None
                else f"households sampled one row per {sample}"
            )
        if not self.meta:
            parts.append("seed and sampling not recorded (no run.json)")
        return ", ".join(parts)


def read_series(path: Path) -> pd.DataFrame:
    """A run's series.csv as (date, variable, value), with one line naming what is wrong.

    >>> try:
    ...     read_series(Path("nowhere/series.csv"))
    ... except InputError as error:
    ...     print(error)
    nowhere/series.csv: field '-': not found (rule: the file exists)
    """
    file = str(path)
    if not path.is_file():
        raise InputError.single(file, "-", "the file exists", "not found")
    try:
        table = pd.read_csv(path, dtype={"date": str, "variable": str})
    except (pd.errors.ParserError, pd.errors.EmptyDataError, UnicodeDecodeError) as exc:
        message = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        raise InputError.single(file, "-", "a well-formed CSV file", message) from None
    if list(table.columns) != list(SERIES_COLUMNS):
        got = ",".join(str(c) for c in table.columns)
        raise InputError.single(file, "columns", "columns date,variable,value", f"got {got}")
    dates = pd.to_datetime(table["date"].str.slice(0, 10), format="%Y-%m-%d", errors="coerce")
    if dates.isna().any():
        row = int(dates.isna().to_numpy().argmax())
        raise InputError.single(
            file, "date", "dates as YYYY-MM-DD", f"row {row + 2}: {table['date'].iloc[row]!r}"
        )
    values = pd.to_numeric(table["value"], errors="coerce")
    bad = values.isna() & table["value"].notna()
    if bad.any():
        row = int(bad.to_numpy().argmax())
        raise InputError.single(
            file, "value", "numbers", f"row {row + 2}: {table['value'].iloc[row]!r}"
        )
    if table["variable"].isna().any():
        row = int(table["variable"].isna().to_numpy().argmax())
        raise InputError.single(file, "variable", "a name on every row", f"row {row + 2} is empty")
    return pd.DataFrame({"date": dates, "variable": table["variable"], "value": values})


def _read_meta(folder: Path) -> dict[str, Any]:
    path = folder / "run.json"
    if not path.is_file():
        return {}
    try:
        meta = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise InputError.single(str(path), "-", "well-formed JSON", str(exc)) from None
    if not isinstance(meta, dict):
        raise InputError.single(str(path), "-", "a JSON object", type(meta).__name__)
    return meta


def _order(name: str) -> tuple[int, str]:
    known = name in COURSE_ORDER
    return (COURSE_ORDER.index(name) if known else len(COURSE_ORDER), name)


def read_courses(folder: Path) -> list[Course]:
    """Every course in a folder of runs, in the order of ``COURSE_ORDER`` then by name."""
    if not folder.is_dir():
        raise InputError.single(str(folder), "-", "a folder of runs", "not found or not a folder")
    if (folder / "series.csv").is_file():
        found = {folder.resolve().name: folder}
    else:
        found = {
            sub.name: sub
            for sub in folder.iterdir()
            if sub.is_dir() and not sub.name.startswith(".") and (sub / "series.csv").is_file()
        }
    if not found:
        raise InputError.single(
            str(folder), "-", "series.csv in the folder or its subfolders", "no series.csv found"
        )
    return [
        Course(name, path, read_series(path / "series.csv"), _read_meta(path))
        for name, path in sorted(found.items(), key=lambda item: _order(item[0]))
    ]
