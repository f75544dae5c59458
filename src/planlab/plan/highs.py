"""One HiGHS solve of an LP given as arrays, its outcome as plain data.

The same function solves in the caller's process and in a racer's
(``planlab.plan.race``): HiGHS's instance stays where it ran, and what comes back
(status, values, duals, iterations) can cross a process boundary.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import highspy
import numpy as np
from highspy._core import _Highs
from numpy.typing import NDArray

from planlab.plan.reduction import Pass, expand, reduce_lp
from planlab.plan.verify import Arrays

__all__ = ["REDUCED", "HighsRun", "new_highs", "pass_model", "run_highs"]

FloatArray = NDArray[np.float64]
Option = bool | int | float | str


@dataclass(frozen=True)
class HighsRun:
    """What one HiGHS solve returned: its model status, and a point if it has one."""

    status: highspy.HighsModelStatus
    values: FloatArray | None
    """Primal values, where HiGHS reports valid values and duals."""
    duals: FloatArray | None
    """Row duals, with ``values``."""


REDUCED = "planlab_reduced"
"""An option of planlab's own among HiGHS's (``run_highs`` takes it out): true, HiGHS is
handed planlab's reduction of the LP (``planlab.plan.reduction``) with its own presolve
off, whose memory a national-scale plan cannot spare."""


def new_highs() -> _Highs:
    """A silent HiGHS instance of its own, safe to use while other threads solve.

    Silence comes from HiGHS's own options, set before anything can log: no file
    descriptor is touched and no state is shared between instances. The core class
    is used because highspy's ``Highs`` wrapper installs its Python callbacks in its
    constructor, and HiGHS logs its banner then, before any option can be set.
    """
    highs = _Highs()
    highs.setOptionValue("output_flag", False)
    highs.setOptionValue("log_to_console", False)
    return highs


def pass_model(highs: _Highs, model: Arrays) -> None:
    """Hand the model to HiGHS column-wise, in one call."""
    lp = highspy.HighsLp()
    lp.num_col_ = model.matrix.shape[1]
    lp.num_row_ = model.matrix.shape[0]
    lp.col_cost_ = model.cost
    lp.col_lower_ = model.col_lower
    lp.col_upper_ = model.col_upper
    lp.row_lower_ = model.row_lower
    lp.row_upper_ = model.row_upper
    lp.a_matrix_.format_ = highspy.MatrixFormat.kColwise
    lp.a_matrix_.start_ = model.matrix.indptr.astype(np.int32)
    lp.a_matrix_.index_ = model.matrix.indices.astype(np.int32)
    lp.a_matrix_.value_ = model.matrix.data
    highs.passModel(lp)


def run_highs(arrays: Arrays, options: Mapping[str, Option]) -> tuple[_Highs | None, HighsRun]:
    """Solve ``arrays`` with HiGHS under ``options`` (``solver`` among them).

    With ``REDUCED`` among the options, HiGHS solves planlab's reduction of ``arrays``
    without its own presolve, and the point comes back to ``arrays``; no instance is
    returned then, since what it could still tell (a conflict) would be of the reduced LP.
    """
    highs = new_highs()
    for name, value in options.items():
        if name != REDUCED:
            highs.setOptionValue(name, value)
    passes: Sequence[Pass] | None = None
    if options.get(REDUCED):
        # Only what puts the answer back is kept: HiGHS holds the reduced LP itself.
        reduction = reduce_lp(arrays)
        passes = reduction.passes
        highs.setOptionValue("presolve", "off")
        pass_model(highs, reduction.arrays)
        del reduction
    else:
        pass_model(highs, arrays)
    highs.run()
    answer = highs.getSolution()
    values = duals = None
    if answer.value_valid and answer.dual_valid:
        values = np.asarray(answer.col_value, dtype=float)
        duals = np.asarray(answer.row_dual, dtype=float)
        if passes is not None:
            values, duals = expand(passes, values, duals)
    run = HighsRun(status=highs.getModelStatus(), values=values, duals=duals)
    return (highs if passes is None else None), run
