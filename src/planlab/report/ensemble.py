"""A sweep as the report sees it: each course's runs per variable, its median, its scores.

A sweep's course becomes a ``Course`` whose series is the month-by-month median of its
runs (what the caption and the coverage checks read), and an entry of ``Ensembles``
holding every run of each variable the figures draw, so that each figure takes its
median and band from what it shows (a flow's annual rate, run by run).
"""

from __future__ import annotations

from dataclasses import dataclass

from planlab.errors import InputError
from planlab.report.figures import FIGURES, Ensembles
from planlab.scenarios import Course, EnsembleComparison, calibration, compare_ensemble
from planlab.scenarios.sweep import Sweep

__all__ = ["SweepView", "sweep_view"]


@dataclass(frozen=True)
class SweepView:
    """The sweep's courses (median series), their runs per variable and their scores."""

    courses: list[Course]
    ensembles: Ensembles
    scores: dict[str, EnsembleComparison]
    runs: dict[str, int]


def _figure_variables() -> set[str]:
    return {line.variable for spec in FIGURES for panel in spec.panels for line in panel.lines}


def sweep_view(sweep: Sweep) -> SweepView:
    """Read the sweep's finished runs of the variables the report draws and scores."""
    wanted = sorted(_figure_variables() | set(calibration()["variable"]))
    settings = sweep.manifest.get("settings", {})
    courses, ensembles, scores, runs = [], {}, {}, {}
    for label in sweep.courses:
        series = sweep.series(label, wanted)
        if series.empty:
            continue
        wide = series.pivot_table(index=["variable", "date"], columns="run", values="value")
        ensembles[label] = {
            str(name): frame.droplevel("variable") for name, frame in wide.groupby(level=0)
        }
        median = wide.median(axis=1).rename("value").reset_index()
        runs[label] = int(series["run"].nunique())
        meta = {
            "scenario": settings.get("scenario"),
            "seed": settings.get("seed"),
            "households": settings.get("households") or None,
            "runs": runs[label],
        }
        courses.append(Course(label, sweep.folder, median, meta))
        scores[label] = compare_ensemble(series)
    if not courses:
        raise InputError.single(str(sweep.folder), "--sweep", "a sweep with finished runs", "none")
    return SweepView(courses, ensembles, scores, runs)
