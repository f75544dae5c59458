"""Stage 8, discipline and the ratchet: targets raised after a fulfilled quarter, projects started.

At each quarter's end the targets of industrial branches that fulfilled it are
raised by the ratchet ("forward, without stopping"). In a course the planners
then start the capacity the targets ahead call for, less what is being built,
what was struck for want of money, and plus the imports to be replaced; no
project starts in a month in which the emission cap binds. Under an executed plan
the next plan year's starts are laid down at the end of each plan year.
"""

from __future__ import annotations

import dataclasses

import numpy as np
from numpy.typing import NDArray

from planlab.plan.calendar import MONTHS_PER_YEAR
from planlab.simulate.params import Params
from planlab.simulate.stages.production import Production
from planlab.simulate.stages.targets import TargetPath
from planlab.simulate.state import State

__all__ = ["QUARTER", "discipline"]

FloatArray = NDArray[np.float64]

QUARTER = 3
"""Months in a quarter, the period over which fulfilment is judged."""
FULFILMENT_TOLERANCE = 1e-9
"""Relative rounding below the target that still counts as fulfilled."""


def discipline(
    p: Params, s: State, t: int, target_rate: FloatArray, made: Production, path: TargetPath
) -> tuple[State, FloatArray]:
    """Ratchet at the quarter's end and start new projects; return the state and the starts."""
    quarter_out = s.quarter_out + made.output
    quarter_target = s.quarter_target + target_rate / MONTHS_PER_YEAR
    ratchet_factor = s.ratchet_factor
    if (t + 1) % QUARTER == 0:
        fulfilled = quarter_out >= quarter_target * (1.0 - FULFILMENT_TOLERANCE)
        raise_by = np.where(fulfilled & ~p.farm, 1.0 + p.policy["ratchet"][t], 1.0)
        ratchet_factor = ratchet_factor * raise_by
        quarter_out = np.zeros(p.n)
        quarter_target = np.zeros(p.n)
    pipeline = s.pipeline
    if p.plan is not None:
        starts = np.zeros(p.n)
        next_year = (t + 1) // MONTHS_PER_YEAR
        if (t + 1) % MONTHS_PER_YEAR == 0 and next_year < p.plan.years:
            starts = p.plan.new_capacity[next_year]
    else:
        ahead = t / MONTHS_PER_YEAR + p.duration / MONTHS_PER_YEAR
        wanted = path(t, ahead) * ratchet_factor - s.struck_from_plan + s.substitution
        survival = (1.0 - p.depreciation / MONTHS_PER_YEAR) ** p.duration
        expected = s.capacity * survival + pipeline.under_construction()
        starts = (
            p.policy["investment_share"][t] * np.maximum(0.0, wanted - expected) / MONTHS_PER_YEAR
        )
        starts = np.where(p.farm | (s.cancelled_next > 0), 0.0, starts)
    if np.any(starts > 0):
        pipeline = pipeline.copy()
        pipeline.start(pipeline.origin + t, starts)
    state = dataclasses.replace(
        s,
        ratchet_factor=ratchet_factor,
        quarter_out=quarter_out,
        quarter_target=quarter_target,
        pipeline=pipeline,
    )
    return state, starts
