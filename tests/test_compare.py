"""The comparison with history: the record's own scorer agrees, and each rule by itself."""

from __future__ import annotations

import json
import math
import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

from planlab.scenarios import (
    calibration,
    compare,
    compare_ensemble,
    history_path,
    load_scenario,
)
from planlab.scenarios.compare import record_error
from planlab.simulate import run
from planlab.simulate.household_farms import HouseholdFarms

SCORER = Path(__file__).parent / "data" / "score.py"
"""The record's own scorer: an unchanged copy of history/score.py from the research folder."""

VARIABLES = pd.DataFrame(
    {"name": ["herd", "grain"], "kind": ["stock", "flow"]},
)


def _record(
    rows: list[tuple[str, str, str, float | None, float | None, float | None]],
) -> pd.DataFrame:
    table = pd.DataFrame(rows, columns=["start", "end", "variable", "value", "low", "high"])
    return table.assign(source="test")


def _monthly(variable: str, start: str, values: list[float]) -> pd.DataFrame:
    dates = pd.date_range(start, periods=len(values), freq="MS")
    return pd.DataFrame({"date": dates, "variable": variable, "value": values})


def _series_csv(table: pd.DataFrame, path: Path) -> Path:
    out = table.assign(date=pd.to_datetime(table["date"]).dt.strftime("%Y-%m-%d"))
    out.to_csv(path, index=False)
    return path


def _score(path: Path) -> dict[str, object]:
    process = subprocess.run(
        [
            sys.executable,
            str(SCORER),
            str(path),
            "--json",
            "--record",
            str(history_path("calibration.csv")),
            "--variables",
            str(history_path("variables.csv")),
        ],
        capture_output=True,
        text=True,
        check=False,
    )
    assert process.returncode in (0, 1), process.stderr
    result: dict[str, object] = json.loads(process.stdout)
    return result


def _assert_agrees(series: pd.DataFrame, path: Path) -> None:
    ours = compare(_read_back(_series_csv(series, path)))
    theirs = _score(path)
    per_variable = theirs["per_variable"]
    assert isinstance(per_variable, dict)
    assert set(ours.per_variable) == set(per_variable)
    for name, median in per_variable.items():
        assert ours.per_variable[name] == pytest.approx(median, abs=1e-9), name
    assert ours.overall == pytest.approx(theirs["median_error"], abs=1e-9)
    assert ours.coverage == pytest.approx(theirs["coverage"], abs=1e-12)
    assert ours.missing == theirs["missing"]


def _read_back(path: Path) -> pd.DataFrame:
    return pd.read_csv(path)


@pytest.fixture(scope="module")
def household_run() -> pd.DataFrame:
    scenario = load_scenario("ussr-1928")
    farms = HouseholdFarms.from_scenario(scenario, sample=20000, seed=1)
    return run(scenario, months=24, seed=1, farms=farms).series


def test_agrees_with_the_scorer_on_a_real_run(household_run: pd.DataFrame, tmp_path: Path) -> None:
    _assert_agrees(household_run, tmp_path / "series.csv")
    assert compare(household_run).covered > 0


def test_agrees_with_the_scorer_on_a_constructed_series(tmp_path: Path) -> None:
    """Every record variable, some with gaps, zeros and huge values, some absent."""
    record = calibration()
    rng = np.random.default_rng(7)
    frames = []
    for i, name in enumerate(sorted(set(record["variable"]))):
        if i % 5 == 4:
            continue
        values = rng.lognormal(mean=math.log(10.0), sigma=1.5, size=48)
        values[rng.integers(0, 48, size=3)] = 0.0 if i % 3 == 0 else 1e7
        frame = _monthly(name, "1927-09-01", list(values))
        if i % 4 == 1:
            frame = frame.drop(index=[15, 27])
        frames.append(frame)
    series = pd.concat(frames, ignore_index=True)
    _assert_agrees(series, tmp_path / "series.csv")
    result = compare(series)
    assert 0 < result.coverage < 1
    assert result.missing


def test_inside_the_band_scores_zero() -> None:
    record = _record([("1929-01-01", "1929-12-31", "grain", None, 60.0, 70.0)])
    series = _monthly("grain", "1929-01-01", [65.0 / 12] * 12)
    result = compare(series, record, VARIABLES)
    assert result.table["error"].tolist() == [0.0]
    assert result.table["run"].iloc[0] == pytest.approx(65.0)


def test_outside_the_band_scores_the_log_distance_to_the_nearest_bound() -> None:
    record = _record(
        [
            ("1929-07-01", "1929-07-01", "herd", 30.0, None, None),
            ("1930-07-01", "1930-07-01", "herd", None, 10.0, 12.0),
            ("1930-08-01", "1930-08-01", "herd", None, 10.0, 12.0),
        ]
    )
    series = _monthly("herd", "1929-06-01", [24.0, 36.0] + [6.0] * 11 + [24.0, 6.0])
    errors = compare(series, record, VARIABLES).table["error"].tolist()
    expected = [math.log(36.0 / 30.0), math.log(24.0 / 12.0), math.log(10.0 / 6.0)]
    assert errors == pytest.approx(expected)


def test_a_stock_is_interpolated_between_months_and_missing_outside_the_run() -> None:
    record = _record(
        [
            ("1929-07-16", "1929-07-16", "herd", 1.0, None, None),
            ("1931-01-01", "1931-01-01", "herd", 1.0, None, None),
        ]
    )
    series = _monthly("herd", "1929-07-01", [10.0, 41.0])
    result = compare(series, record, VARIABLES)
    assert result.table["run"].iloc[0] == pytest.approx(10.0 + 31.0 * 15 / 31)
    assert math.isnan(result.table["run"].iloc[1])
    assert result.missing == {"herd": 1}
    assert result.coverage == 0.5


def test_a_flow_with_a_missing_month_is_missing() -> None:
    record = _record([("1929-01-01", "1929-12-31", "grain", 60.0, None, None)])
    whole = _monthly("grain", "1929-01-01", [5.0] * 12)
    assert compare(whole, record, VARIABLES).missing == {}
    gap = whole.drop(index=6)
    result = compare(gap, record, VARIABLES)
    assert result.missing == {"grain": 1}
    assert result.coverage == 0.0
    assert result.overall == math.inf
    short = _monthly("grain", "1929-02-01", [5.0] * 11)
    assert compare(short, record, VARIABLES).missing == {"grain": 1}


def test_a_value_at_or_below_zero_scores_the_cap() -> None:
    record = _record(
        [
            ("1929-07-01", "1929-07-01", "herd", 30.0, None, None),
            ("1929-08-01", "1929-08-01", "herd", 30.0, None, None),
        ]
    )
    series = _monthly("herd", "1929-07-01", [0.0, -4.0])
    assert compare(series, record, VARIABLES).table["error"].tolist() == [3.0, 3.0]


def test_errors_are_capped_at_three() -> None:
    record = _record([("1929-07-01", "1929-07-01", "herd", 30.0, None, None)])
    far = _monthly("herd", "1929-07-01", [30.0 * math.exp(5.0)])
    near = _monthly("herd", "1929-07-01", [30.0 * math.exp(2.5)])
    assert compare(far, record, VARIABLES).table["error"].tolist() == [3.0]
    assert compare(near, record, VARIABLES).table["error"].tolist() == pytest.approx([2.5])


def test_medians_per_variable_and_overall() -> None:
    record = _record(
        [
            ("1929-07-01", "1929-07-01", "herd", 10.0, None, None),
            ("1929-08-01", "1929-08-01", "herd", 10.0, None, None),
            ("1929-09-01", "1929-09-01", "herd", 10.0, None, None),
            ("1929-07-01", "1929-07-31", "grain", 5.0, None, None),
        ]
    )
    e = math.e
    series = pd.concat(
        [
            _monthly("herd", "1929-07-01", [10.0, 10.0 * e, 10.0 * e**2]),
            _monthly("grain", "1929-07-01", [5.0 * e**0.5]),
        ]
    )
    result = compare(series, record, VARIABLES)
    assert result.per_variable == pytest.approx({"herd": 1.0, "grain": 0.5})
    assert result.overall == pytest.approx(0.75)
    assert result.coverage == 1.0
    assert list(result.table.columns) == [
        "variable",
        "start",
        "end",
        "run",
        "value",
        "low",
        "high",
        "error",
        "source",
    ]


@given(
    run_value=st.floats(-1e6, 1e9, allow_nan=False),
    low=st.floats(1e-6, 1e6),
    width=st.floats(0.0, 1e6),
)
def test_error_follows_the_rule_for_any_value_and_band(
    run_value: float, low: float, width: float
) -> None:
    high = low + width
    error = float(record_error(np.array([run_value]), np.array([low]), np.array([high]))[0])
    assert 0.0 <= error <= 3.0
    if low <= run_value <= high:
        assert error == 0.0
    elif run_value <= 0:
        assert error == 3.0
    else:
        bound = low if run_value < low else high
        ratio = run_value / bound  # may underflow to 0 for a tiny run: infinitely far, so capped
        expected = 3.0 if ratio == 0.0 else min(3.0, abs(math.log(ratio)))
        assert error == pytest.approx(expected)


def test_an_ensemble_of_one_run_scores_as_that_run() -> None:
    months = pd.date_range("1928-10-01", "1930-12-01", freq="MS")
    series = pd.DataFrame(
        {
            "date": list(months) * 2,
            "variable": ["horses_million"] * len(months) + ["grain_harvest_mt"] * len(months),
            "value": np.r_[np.linspace(34.0, 20.0, len(months)), np.full(len(months), 6.0)],
        }
    )
    single = compare(series)
    ensemble = compare_ensemble(series.assign(run=0))
    pd.testing.assert_frame_equal(ensemble.median.table, single.table)
    covered = ensemble.band.dropna(subset=["band_low"])
    assert (covered["band_low"] == covered["band_high"]).all()
    assert ensemble.covered == single.covered
    assert ensemble.inside == int((single.table["error"] == 0).sum())


def test_a_wider_ensemble_holds_more_of_the_record() -> None:
    months = pd.date_range("1928-10-01", "1930-12-01", freq="MS")
    base = np.linspace(34.0, 20.0, len(months))

    def ensemble(spread: float) -> int:
        runs = [
            pd.DataFrame(
                {"run": k, "date": months, "variable": "horses_million", "value": base * f}
            )
            for k, f in enumerate(np.linspace(1.0 - spread, 1.0 + spread, 21))
        ]
        return compare_ensemble(pd.concat(runs, ignore_index=True)).inside

    assert ensemble(0.0) <= ensemble(0.2) <= ensemble(0.5)
    assert ensemble(0.0) < ensemble(0.5)
