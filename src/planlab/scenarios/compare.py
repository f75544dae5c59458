"""A run set beside the historical record: one error per record row, medians per variable.

The rules are those of the record's own scorer (``history/score.py``):

- a stock is the run linearly interpolated at the record's start date, and is missing
  when that date lies outside the run;
- a flow is the sum of the run's monthly values over [start, end], and is missing
  unless the run has every month of the period;
- the error is 0 inside [low, high] (or at the value when there is no band), 3 when the
  run's value is not positive, else |log(run / nearest bound)| capped at 3.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from planlab.errors import InputError
from planlab.scenarios import history

__all__ = [
    "BAND",
    "ERROR_CAP",
    "Comparison",
    "EnsembleComparison",
    "compare",
    "compare_ensemble",
    "record_error",
]

ERROR_CAP = 3.0
"""The largest error a record row can get: a factor of e**3 (about 20) or worse."""

TABLE_COLUMNS = ("variable", "start", "end", "run", "value", "low", "high", "error", "source")
RECORD_COLUMNS = ("start", "end", "variable", "value", "low", "high", "source")


@dataclass(frozen=True)
class Comparison:
    """The run beside the record.

    ``table`` has one row per usable record row (variable, start, end, run, value, low,
    high, error, source); ``run`` and ``error`` are NaN where the run does not cover the
    record. ``per_variable`` holds the median error of each covered variable, ``missing``
    the number of uncovered records by variable, ``overall`` the median of all errors
    (infinite when nothing is covered) and ``coverage`` the covered share of records.
    """

    table: pd.DataFrame
    per_variable: dict[str, float]
    missing: dict[str, int]
    overall: float
    coverage: float

    @property
    def covered(self) -> int:
        """Number of record rows the run covers."""
        return int(self.table["error"].notna().sum())


def record_error(run: np.ndarray, low: np.ndarray, high: np.ndarray) -> np.ndarray:
    """The error of each run value against its band (NaN run values score the cap).

    >>> record_error(np.array([5.0, 20.0, -1.0, 1e6]), np.array([4.0] * 4), np.array([10.0] * 4))
    array([0.        , 0.69314718, 3.        , 3.        ])
    """
    run = np.asarray(run, dtype=float)
    inside = (low <= run) & (run <= high)
    bound = np.where(run < low, low, high)
    with np.errstate(divide="ignore", invalid="ignore"):
        distance = np.abs(np.log(run / bound))
    capped = np.where(np.isnan(distance), ERROR_CAP, np.minimum(distance, ERROR_CAP))
    return np.where(inside, 0.0, np.where(run <= 0, ERROR_CAP, capped))


def _need_columns(table: pd.DataFrame, columns: Sequence[str], what: str) -> None:
    absent = [c for c in columns if c not in table.columns]
    if absent:
        raise InputError.single(what, ",".join(absent), f"columns {','.join(columns)}", "missing")


def _day(values: pd.Series) -> pd.Series:
    text = values.astype(str).str.slice(0, 10)
    return pd.to_datetime(text, format="%Y-%m-%d", errors="coerce")


def _usable_record(record: pd.DataFrame, kinds: dict[str, str]) -> pd.DataFrame:
    """The record rows the scorer counts: known variable, valid dates, a value or a band."""
    rows = record[record["variable"].isin(list(kinds))].copy()
    rows["start"] = _day(rows["start"])
    rows["end"] = _day(rows["end"])
    for column in ("value", "low", "high"):
        rows[column] = pd.to_numeric(rows[column], errors="coerce")
    rows["low"] = rows["low"].fillna(rows["value"])
    rows["high"] = rows["high"].fillna(rows["value"])
    keep = rows["start"].notna() & rows["end"].notna() & rows["low"].notna()
    keep &= rows["high"].notna()
    return rows[keep].reset_index(drop=True)


def _stock_at(days: np.ndarray, values: np.ndarray, when: pd.Timestamp) -> tuple[bool, float]:
    """Whether the run spans the date, and its value there interpolated by days."""
    moment = when.to_datetime64()
    if len(days) == 0 or moment < days[0] or moment > days[-1]:
        return False, math.nan
    x = days.astype("datetime64[D]").astype(float)
    at = float(moment.astype("datetime64[D]").astype(float))
    return True, float(np.interp(at, x, values))


def _flow_over(
    days: np.ndarray, values: np.ndarray, start: pd.Timestamp, end: pd.Timestamp
) -> tuple[bool, float]:
    """Whether the run has every month of [start, end], and its sum over them."""
    inside = (days >= start.to_datetime64()) & (days <= end.to_datetime64())
    need = (end.year - start.year) * 12 + end.month - start.month + 1
    if not inside.any() or int(inside.sum()) < need:
        return False, math.nan
    return True, float(values[inside].sum())


def _record_rows(
    record: pd.DataFrame | None, variables: pd.DataFrame | None
) -> tuple[pd.DataFrame, dict[str, str]]:
    """The usable record rows and each variable's kind (stock or flow)."""
    record = history.calibration() if record is None else record
    variables_table = history.variables() if variables is None else variables
    _need_columns(record, RECORD_COLUMNS, "record")
    _need_columns(variables_table, ["name", "kind"], "variables")
    kinds = dict(zip(variables_table["name"], variables_table["kind"], strict=True))
    return _usable_record(record, kinds), kinds


def _record_values(
    series: pd.DataFrame, rows: pd.DataFrame, kinds: dict[str, str]
) -> tuple[np.ndarray, np.ndarray]:
    """Whether the run covers each record row, and its value there (the module's rules)."""
    _need_columns(series, ["date", "variable", "value"], "series")
    run = series.loc[:, ["date", "variable", "value"]].copy()
    run["date"] = _day(run["date"])
    run["value"] = pd.to_numeric(run["value"], errors="coerce")
    run = run[run["date"].notna()].drop_duplicates(["variable", "date"], keep="last")
    run = run.sort_values(["variable", "date"], kind="stable")
    by_variable = {
        str(name): (group["date"].to_numpy(), group["value"].to_numpy(dtype=float))
        for name, group in run.groupby("variable", sort=False)
    }

    simulated = np.full(len(rows), np.nan)
    covered = np.zeros(len(rows), dtype=bool)
    names = [str(name) for name in rows["variable"]]
    periods = zip(pd.DatetimeIndex(rows["start"]), pd.DatetimeIndex(rows["end"]), strict=True)
    for i, (name, (start, end)) in enumerate(zip(names, periods, strict=True)):
        if name not in by_variable:
            continue
        days, values = by_variable[name]
        if kinds[name] == "stock":
            covered[i], simulated[i] = _stock_at(days, values, start)
        else:
            covered[i], simulated[i] = _flow_over(days, values, start, end)
    return covered, simulated


def _comparison(rows: pd.DataFrame, covered: np.ndarray, simulated: np.ndarray) -> Comparison:
    """The comparison of run values with the record rows they stand beside."""
    error = record_error(simulated, rows["low"].to_numpy(), rows["high"].to_numpy())
    error = np.where(covered, error, np.nan)

    table = rows.assign(run=np.where(covered, simulated, np.nan), error=error)
    table = table.loc[:, list(TABLE_COLUMNS)]
    scored = table[covered]
    per_variable = {
        str(k): float(v) for k, v in scored.groupby("variable", sort=True)["error"].median().items()
    }
    missing = {str(k): int(v) for k, v in table[~covered]["variable"].value_counts().items()}
    overall = float(np.median(scored["error"])) if len(scored) else math.inf
    coverage = float(covered.sum() / len(table)) if len(table) else 0.0
    return Comparison(table, per_variable, dict(sorted(missing.items())), overall, coverage)


def compare(
    series: pd.DataFrame,
    record: pd.DataFrame | None = None,
    variables: pd.DataFrame | None = None,
) -> Comparison:
    """Score a run's tidy series (date, variable, value) against the historical record.

    Defaults are the packaged ``calibration.csv`` and ``variables.csv``.

    >>> series = pd.DataFrame({"date": pd.to_datetime(["1929-07-01", "1930-07-01"]),
    ...                        "variable": "horses_million", "value": [34.0, 15.1]})
    >>> result = compare(series)
    >>> result.per_variable["horses_million"] == 0.5 * math.log(30.2 / 15.1)
    True
    """
    _need_columns(series, ["date", "variable", "value"], "series")
    rows, kinds = _record_rows(record, variables)
    return _comparison(rows, *_record_values(series, rows, kinds))


BAND = (0.05, 0.95)
"""The quantiles of an ensemble's band: 5 % and 95 % of the runs, the band the report draws."""


@dataclass(frozen=True)
class EnsembleComparison:
    """An ensemble beside the record.

    ``median`` scores, for each record row, the median over the runs of their values there
    (the same rules as one run). ``band`` has one row per record row (variable, start, end,
    value, low, high, band_low, band_high, inside): the runs' 5 and 95 % quantiles there,
    and whether the record meets the band (its [low, high] overlaps [band_low, band_high]).
    """

    median: Comparison
    band: pd.DataFrame
    runs: int

    @property
    def inside(self) -> int:
        """Record rows the band meets."""
        return int(self.band["inside"].sum())

    @property
    def covered(self) -> int:
        """Record rows the runs cover."""
        return int(self.band["band_low"].notna().sum())

    def inside_per_variable(self) -> dict[str, tuple[int, int]]:
        """Per variable: record rows inside the band, of those covered."""
        covered = self.band[self.band["band_low"].notna()]
        counts = covered.groupby("variable", sort=True)["inside"].agg(["sum", "count"])
        return {str(k): (int(r["sum"]), int(r["count"])) for k, r in counts.iterrows()}


def compare_ensemble(
    series: pd.DataFrame,
    record: pd.DataFrame | None = None,
    variables: pd.DataFrame | None = None,
) -> EnsembleComparison:
    """Score an ensemble's series (run, date, variable, value) against the record: its
    median, and how many record rows fall inside its 5-95 % band.

    >>> months = pd.to_datetime(["1929-07-01", "1930-07-01"])
    >>> series = pd.DataFrame({"run": [0, 0, 1, 1, 2, 2], "date": list(months) * 3,
    ...     "variable": "horses_million", "value": [34.0, 15.1, 33.0, 25.0, 36.0, 31.0]})
    >>> result = compare_ensemble(series)
    >>> covered = result.band.dropna(subset=["band_low"])
    >>> covered[["value", "band_low", "band_high", "inside"]].round(2).values.tolist()
    [[34.0, 33.1, 35.8, True], [30.2, 16.09, 30.4, True]]
    >>> result.median.table["run"].dropna().tolist(), result.inside, result.covered
    ([34.0, 25.0], 2, 2)
    """
    _need_columns(series, ["run", "date", "variable", "value"], "series")
    rows, kinds = _record_rows(record, variables)
    values = []
    reach = np.ones(len(rows), dtype=bool)
    for _, run in series.groupby("run", sort=True):
        covered, simulated = _record_values(run, rows, kinds)
        reach &= covered
        values.append(simulated)
    if not values:
        raise InputError.single("series", "run", "at least one run", "none")
    matrix = np.where(reach, np.vstack(values), np.nan)
    with np.errstate(all="ignore"):
        if reach.any():
            low, median, high = np.nanquantile(matrix[:, reach], [BAND[0], 0.5, BAND[1]], axis=0)
        else:
            low = median = high = np.empty(0)
    band_low, band_mid, band_high = (np.full(len(rows), np.nan) for _ in range(3))
    band_low[reach], band_mid[reach], band_high[reach] = low, median, high
    inside = reach & (rows["low"].to_numpy() <= band_high) & (rows["high"].to_numpy() >= band_low)
    band = rows.loc[:, ["variable", "start", "end", "value", "low", "high"]].assign(
        band_low=band_low, band_high=band_high, inside=inside
    )
    return EnsembleComparison(_comparison(rows, reach, band_mid), band, len(values))
