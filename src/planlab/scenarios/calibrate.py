"""Calibration on the record to 1930: behavioural parameters fitted to ``calibration.csv`` only.

The procedure, reproducible from its settings:

1. run a course (by default ``historical``) from its start to the end of the record
   (31 December 1930), household agents sampled one row in ``sample``, with the
   scenario's seed, so that every evaluation sees the same random numbers;
2. score the run against ``calibration.csv`` by the record's own rules
   (``planlab.scenarios.compare``); the objective is the mean over variables of each
   variable's mean error, so that a variable with many records (the collectivised
   share) weighs no more than one with a few;
3. minimise the objective over the parameters in ``KNOBS`` by Nelder-Mead (scipy), in a
   space where each parameter's bounds map to the real line (a logistic transform),
   from the scenario's current values (the first simplex one logistic unit along each
   axis), for at most ``evaluations`` runs.

Nothing after 1930 enters: later years are prediction.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
import math
import os
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
from scipy.optimize import minimize

from planlab.scenarios import history
from planlab.scenarios.compare import compare
from planlab.scenarios.courses import run_scenario
from planlab.scenarios.storage import CALIBRATION_FORMAT, load_scenario
from planlab.simulate import Scenario, Setting

__all__ = ["KNOBS", "Calibration", "Knob", "calibrate", "calibration_document", "objective"]


@dataclass(frozen=True)
class Knob:
    """A parameter calibration may move, within bounds."""

    name: str
    low: float
    high: float
    why: str
    """Which records it answers to."""


KNOBS = (
    Knob("join_base", -12.0, -3.0, "collectivised share before the campaign (1928-29)"),
    Knob("join_pressure", 0.5, 20.0, "collectivised share in the campaign of 1929-30"),
    Knob("leave_rate", 0.05, 10.0, "the retreat after March 1930"),
    Knob("slaughter_uncertain", 0.01, 1.0, "horses, cattle, pigs, sheep and goats in 1929-30"),
    Knob("delivery_uplift", 0.0, 3.0, "grain procurement in 1929/30"),
    Knob("herd_birth_scale", 0.7, 1.3, "the herds of 1928-29, before the campaign"),
)
"""The behavioural parameters fitted, and what in the record identifies each."""


@dataclass(frozen=True)
class Calibration:
    """A finished calibration: the parameters, the fit before and after, and its settings."""

    scenario: str
    course: str
    sample: int
    seed: int
    months: int
    evaluations: int
    record_sha256: str
    start: dict[str, float]
    values: dict[str, float]
    before: dict[str, float]
    """Mean error per variable with the start values."""
    after: dict[str, float]
    objective_before: float
    objective_after: float
    median_before: float
    median_after: float
    """The record scorer's overall median error, before and after."""
    per_variable_median: dict[str, float]
    """Median error per variable after calibration (the scorer's figure)."""


def objective(errors: pd.DataFrame) -> tuple[float, dict[str, float]]:
    """The mean over variables of each variable's mean error, and those means."""
    scored = errors[errors["error"].notna()]
    means = {str(k): float(v) for k, v in scored.groupby("variable")["error"].mean().items()}
    return (float(np.mean(list(means.values()))) if means else math.inf), means


def _to_unit(value: float, knob: Knob) -> float:
    share = (value - knob.low) / (knob.high - knob.low)
    share = min(max(share, 1e-6), 1.0 - 1e-6)
    return math.log(share / (1.0 - share))


def _from_unit(z: float, knob: Knob) -> float:
    return knob.low + (knob.high - knob.low) / (1.0 + math.exp(-z))


CALIBRATION_END = dt.date(1930, 12, 31)
"""The last day of the record a calibration may see: what came after is the model's to
predict (the project's rule, ``docs/report.md``)."""


def within_window(record: pd.DataFrame) -> pd.DataFrame:
    """The record's rows that start and end on or before ``CALIBRATION_END``."""
    start = pd.to_datetime(record["start"], errors="coerce")
    end = pd.to_datetime(record["end"], errors="coerce")
    limit = pd.Timestamp(CALIBRATION_END)
    keep = (start <= limit) & (end <= limit)
    return record.loc[keep].reset_index(drop=True)


def _months_to_record_end(scenario: Scenario, record: pd.DataFrame) -> int:
    end = pd.to_datetime(record["end"], errors="coerce").max().date()
    first = dt.date(end.year, end.month, 1)
    return (first.year - scenario.start.year) * 12 + first.month - scenario.start.month + 1


def _with(scenario: Scenario, values: Mapping[str, float]) -> Scenario:
    parameters = dict(scenario.parameters)
    for name, value in values.items():
        parameters[name] = Setting(value, (), "calibration trial")
    return dataclasses.replace(scenario, parameters=parameters)


def calibrate(
    scenario: str | os.PathLike[str] = "ussr-1928",
    course: str = "historical",
    sample: int = 500,
    evaluations: int = 60,
    seed: int | None = None,
    knobs: tuple[Knob, ...] = KNOBS,
    progress: Callable[[int, int, float], None] | None = None,
) -> Calibration:
    """Fit ``knobs`` to the record (see the module's docstring); ``progress(done, total,
    best objective)`` after each run."""
    base = load_scenario(scenario, course=course)
    record = within_window(history.calibration())
    months = _months_to_record_end(base, record)
    z0 = np.array([_to_unit(base.value("parameters", k.name), k) for k in knobs])
    trials: dict[tuple[float, ...], tuple[float, dict[str, float], pd.DataFrame]] = {}
    best = math.inf

    def values_at(z: np.ndarray) -> dict[str, float]:
        return {k.name: _from_unit(float(v), k) for k, v in zip(knobs, z, strict=True)}

    def trial(z: np.ndarray) -> tuple[float, dict[str, float], pd.DataFrame]:
        """One run and its score; each point is run once, however often the search asks."""
        nonlocal best
        key = tuple(float(v) for v in z)
        if key not in trials:
            scenario_then = _with(base, values_at(z))
            result = run_scenario(scenario_then, months=months, seed=seed, households=sample)
            table = compare(result.series, record).table
            trials[key] = (*objective(table), table)
            best = min(best, trials[key][0])
            if progress is not None:
                progress(len(trials), evaluations, best)
        return trials[key]

    def value(z: np.ndarray) -> float:
        return trial(z)[0]

    objective_before, before, table_before = trial(z0)
    found = minimize(
        value,
        z0,
        method="Nelder-Mead",
        options={
            "maxfev": max(evaluations, 1),
            "xatol": 1e-3,
            "fatol": 1e-4,
            "initial_simplex": np.vstack([z0, z0 + np.eye(len(knobs))]),
        },
    )
    # Nelder-Mead returns the best point it ran, never worse than the start.
    objective_after, after, table_after = trial(found.x)
    start, values = values_at(z0), values_at(found.x)
    scored = table_after[table_after["error"].notna()]
    return Calibration(
        scenario=base.name,
        course=course,
        sample=sample,
        seed=base.seed if seed is None else seed,
        months=months,
        evaluations=len(trials),
        record_sha256=hashlib.sha256(record.to_csv(index=False).encode("utf-8")).hexdigest(),
        start=start,
        values=values,
        before=before,
        after=after,
        objective_before=objective_before,
        objective_after=objective_after,
        median_before=float(table_before["error"].dropna().median()),
        median_after=float(scored["error"].median()),
        per_variable_median={
            str(k): float(v) for k, v in scored.groupby("variable")["error"].median().items()
        },
    )


def calibration_document(result: Calibration, knobs: tuple[Knob, ...] = KNOBS) -> dict[str, Any]:
    """The calibration as the scenario's ``calibration.yaml``: each parameter with its
    source and fit, and the settings that reproduce it."""
    command = (
        f"planlab calibrate {result.scenario} --course {result.course} --sample {result.sample}"
        f" --evaluations {result.evaluations} --seed {result.seed}"
    )
    fit = ", ".join(
        f"{name} {result.before[name]:.3f} -> {result.after[name]:.3f}"
        for name in sorted(result.after)
    )
    parameters = {}
    for knob in knobs:
        parameters[knob.name] = {
            "value": round(result.values[knob.name], 6),
            "source": (
                f"calibrated on calibration.csv (records to 1930) by `{command}`; answers to "
                f"{knob.why}; bounds [{knob.low:g}, {knob.high:g}], start "
                f"{result.start[knob.name]:g}; objective {result.objective_before:.3f} -> "
                f"{result.objective_after:.3f}."
            ),
        }
    return {
        "format": CALIBRATION_FORMAT,
        "scenario": result.scenario,
        "procedure": {
            "course": result.course,
            "households_sample": result.sample,
            "seed": result.seed,
            "months": result.months,
            "evaluations": result.evaluations,
            "method": "Nelder-Mead (scipy) on logistic-transformed bounds",
            "objective": "mean over variables of each variable's mean error (record scorer rules)",
            "record": "calibration.csv",
            "record_sha256": result.record_sha256,
            "command": command,
        },
        "fit": {
            "objective": {
                "before": round(result.objective_before, 6),
                "after": round(result.objective_after, 6),
            },
            "median_error": {
                "before": round(result.median_before, 6),
                "after": round(result.median_after, 6),
            },
            "mean_error_per_variable": {
                name: {
                    "before": round(result.before[name], 6),
                    "after": round(result.after[name], 6),
                }
                for name in sorted(result.after)
            },
            "median_error_per_variable": {
                name: round(value, 6) for name, value in sorted(result.per_variable_median.items())
            },
        },
        "summary": fit,
        "parameters": parameters,
    }
