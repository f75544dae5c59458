"""How good an LP answer is, measured by planlab from the model and the answer alone.

For ``min c.x`` subject to ``rl <= A x <= ru`` and ``l <= x <= u``, with primal
values x and row duals y (HiGHS's signs: a positive dual prices a lower bound),
the column duals are recomputed as ``z = c - A' y``; nothing the solver reports
about its own accuracy is used. Each measure is relative, as first-order solvers
state their tolerances:

- primal infeasibility: the largest violation of a row or column bound, over
  ``1 + ||finite bounds||_inf``;
- dual infeasibility: the largest dual of the wrong sign for a bound that is
  infinite (a price on a bound that does not exist), over ``1 + ||c||_inf``;
- relative gap: ``|primal - dual| / (1 + |primal| + |dual|)``, where the dual
  objective prices each finite bound with the dual of its side.

An exact simplex answer measures near 1e-9 on all three; a first-order answer at
the tolerance it was asked for.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp
from numpy.typing import NDArray

__all__ = ["Arrays", "Quality", "measure"]

FloatArray = NDArray[np.float64]


@dataclass(frozen=True)
class Arrays:
    """An LP as arrays, minimised: ``min cost.x``, ``row_lower <= matrix x <= row_upper``."""

    matrix: sp.csc_array
    cost: FloatArray
    col_lower: FloatArray
    col_upper: FloatArray
    row_lower: FloatArray
    row_upper: FloatArray


@dataclass(frozen=True)
class Quality:
    """Primal and dual objective values and the three relative measures of an answer."""

    primal_objective: float
    dual_objective: float
    primal_infeasibility: float
    dual_infeasibility: float
    gap: float

    @property
    def worst(self) -> float:
        """The largest of the three measures."""
        return max(self.primal_infeasibility, self.dual_infeasibility, self.gap)

    def within(self, tolerance: float) -> bool:
        """Whether all three measures are at most ``tolerance``."""
        return self.worst <= tolerance


def _largest(values: FloatArray) -> float:
    return float(values.max()) if values.size else 0.0


def _priced(dual: FloatArray, lower: FloatArray, upper: FloatArray) -> tuple[float, FloatArray]:
    """The dual objective's part from these bounds, and each dual's wrong-sign part.

    A positive dual prices the lower bound, a negative one the upper bound; a dual
    whose bound is infinite adds nothing to the objective and counts as infeasible.
    """
    bound = np.where(dual > 0, lower, upper)
    finite = np.isfinite(bound)
    value = float(np.dot(np.where(finite, dual, 0.0), np.where(finite, bound, 0.0)))
    wrong = np.where(finite | (dual == 0), 0.0, np.abs(dual))
    return value, wrong


def measure(
    lp: Arrays,
    x: FloatArray,
    y: FloatArray,
    scales: tuple[FloatArray, FloatArray] | None = None,
) -> Quality:
    """Objectives and relative primal infeasibility, dual infeasibility and gap of (x, y).

    With ``scales`` (column and row scales), ``lp``, x and y are in scaled units and
    the measures are taken in the model's own units, without a second matrix.
    """
    matrix, cost = lp.matrix, lp.cost
    col_lower, col_upper, row_lower, row_upper = (
        lp.col_lower,
        lp.col_upper,
        lp.row_lower,
        lp.row_upper,
    )
    activity = matrix @ x
    z = cost - matrix.T @ y
    if scales is not None:
        cs, rs = scales
        x, activity, y, z, cost = x * cs, activity * rs, y / rs, z / cs, cost / cs
        col_lower, col_upper = col_lower * cs, col_upper * cs
        row_lower, row_upper = row_lower * rs, row_upper * rs
    violation = np.concatenate(
        [
            np.maximum(row_lower - activity, 0.0),
            np.maximum(activity - row_upper, 0.0),
            np.maximum(col_lower - x, 0.0),
            np.maximum(x - col_upper, 0.0),
        ]
    )
    bounds = np.concatenate([row_lower, row_upper, col_lower, col_upper])
    scale_b = 1.0 + _largest(np.abs(bounds[np.isfinite(bounds)]))
    row_part, row_wrong = _priced(y, row_lower, row_upper)
    col_part, col_wrong = _priced(z, col_lower, col_upper)
    primal = float(cost @ x)
    dual = row_part + col_part
    scale_c = 1.0 + _largest(np.abs(cost))
    return Quality(
        primal_objective=primal,
        dual_objective=dual,
        primal_infeasibility=_largest(violation) / scale_b,
        dual_infeasibility=max(_largest(row_wrong), _largest(col_wrong)) / scale_c,
        gap=abs(primal - dual) / (1.0 + abs(primal) + abs(dual)),
    )
