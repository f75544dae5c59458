"""Stage 1, targets: each branch's output target for the month, as a yearly rate.

Three sources, in order: an executed plan (its output in each plan year, held
through the year, the last year's after it), a plan given as levels per year
(geometric between them), or the administered tempo, revised as the course
orders. The ratchet and the pull of unmet demand then scale it.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
from numpy.typing import NDArray

from planlab.plan.calendar import MONTHS_PER_YEAR
from planlab.simulate.params import Params
from planlab.simulate.state import State
from planlab.simulate.substitution import substitute_output

__all__ = ["TargetPath", "revised_levels", "target_levels", "target_path", "targets"]

FloatArray = NDArray[np.float64]
TargetPath = Callable[[int, FloatArray], FloatArray]
"""Targets (a yearly rate per branch) in month t for a time in years (per branch)."""


def target_levels(
    base: FloatArray, growth: FloatArray, plan: FloatArray | None
) -> Callable[[FloatArray], FloatArray]:
    """Each branch's target output (a yearly rate) at a time in years, per branch.

    Without a plan the targets grow at the administered tempo. With a plan
    (``plan[y - 1]`` the output of plan year y) they pass through its yearly levels,
    geometrically between them, and go on at the plan's average growth after it.
    """
    if plan is None:
        return lambda years: np.asarray(base * (1.0 + growth) ** years, dtype=float)
    levels = np.vstack([base, np.asarray(plan, dtype=float)])
    safe = np.maximum(levels, np.finfo(float).tiny)
    count = levels.shape[0] - 1
    # After the plan its average tempo goes on: a harmony plan's last year can jump, and
    # carrying one year's jump forward would compound it.
    mean_growth = (safe[-1] / safe[0]) ** (1.0 / count)
    columns = np.arange(base.size)

    def at(years: FloatArray) -> FloatArray:
        clipped = np.clip(years, 0.0, count)
        year = np.minimum(np.floor(clipped).astype(int), count - 1)
        fraction = clipped - year
        lower, upper = safe[year, columns], safe[year + 1, columns]
        within = lower * (upper / lower) ** fraction
        beyond = safe[-1] * mean_growth ** np.maximum(years - count, 0.0)
        levels_at: FloatArray = np.where(years > count, beyond, within)
        return levels_at

    return at


def revised_levels(
    base: FloatArray, growth: FloatArray, revised: FloatArray, revision: FloatArray
) -> TargetPath:
    """Targets (a yearly rate) at month t, for a time in years, when tempos are revised.

    In month t each branch's tempo is ``growth + revision[t] * (revised - growth)``;
    targets compound month by month at the tempo of each month, and planners project
    the current tempo forward. With ``revision`` all zero this is ``base * (1 + growth)
    ** years``.

    >>> at = revised_levels(np.array([100.0]), np.array([0.1]), np.array([0.3]), np.zeros(12))
    >>> round(float(at(12, np.array([1.0]))[0]), 6)
    110.0
    """
    tempo = growth[None, :] + revision[:, None] * (revised - growth)[None, :]
    log_tempo = np.log1p(tempo)
    cumulative = np.vstack([np.zeros(base.size), np.cumsum(log_tempo / MONTHS_PER_YEAR, axis=0)])

    def at(t: int, years: FloatArray) -> FloatArray:
        month = min(t, log_tempo.shape[0] - 1)
        levels: FloatArray = base * np.exp(
            cumulative[t] + (years - t / MONTHS_PER_YEAR) * log_tempo[month]
        )
        return levels

    return at


def _executed(gross_output: FloatArray) -> TargetPath:
    """An executed plan's output: plan year y's level through the year, the last after it."""
    last = gross_output.shape[0] - 1

    def at(t: int, years: FloatArray) -> FloatArray:
        year = np.minimum(np.floor(years).astype(np.int64), last)
        levels: FloatArray = gross_output[year, np.arange(gross_output.shape[1])]
        return levels

    return at


def target_path(p: Params) -> TargetPath:
    """The run's targets before the ratchet and the pull, chosen once per run."""
    x0 = p.economy.gross_output
    if p.plan is not None:
        return _executed(p.plan.gross_output)
    revision = p.policy["tempo_revision"]
    if p.target_path is None and bool(np.any(revision != 0.0)):
        return revised_levels(x0, p.growth, p.revised_growth, revision)
    constant = target_levels(x0, p.growth, p.target_path)

    def at(t: int, years: FloatArray) -> FloatArray:
        return constant(years)

    return at


def targets(p: Params, s: State, t: int, path: TargetPath) -> FloatArray:
    """The month's targets: the path, times the ratchet and the pull of last month's shortage,
    plus the imports to be made at home."""
    pull = 1.0 + p.parameter["demand_pull"] * s.shortage_last * p.consumer
    rate: FloatArray = path(t, np.full(p.n, t / MONTHS_PER_YEAR)) * s.ratchet_factor * pull
    return rate + substitute_output(p, s)
