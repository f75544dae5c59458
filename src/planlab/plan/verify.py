"""How good an LP answer is, measured by planlab from the model and the answer alone.

For ``min c.x`` subject to ``rl <= A x <= ru`` and ``l <= x <= u``, with primal
values x and row duals y (HiGHS's signs: a positive dual prices a lower bound),
the column duals are recomputed as ``z = c - A' y``; nothing the solver reports
about its own accuracy is used.

The measures are taken in the blocks' units (each column over its declared scale,
each row over its own: a branch's quantities and balances over its base-year gross
output), where every block is of order one, so that an error counts the same
whether a branch is large or small and whatever unit its data are stated in. Each
is relative in the Euclidean norm, as the PDLP literature, HiGHS's PDLP and
OR-Tools' relative criterion state their tolerances:

- primal infeasibility: the norm of the violations of row and column bounds, over
  ``1 + ||b||``, b the rows' finite right-hand sides;
- dual infeasibility: the norm of the duals of the wrong sign for a bound that is
  infinite (a price on a bound that does not exist), over ``1 + ||c||``;
- relative gap: ``|primal - dual| / (1 + |primal| + |dual|)``, where the dual
  objective prices each finite bound with the dual of its side.

``Quality.largest_violation`` adds the largest single violation in those units (a
share of the branch's base-year output), for reporting. An exact simplex answer
measures near 1e-9 on all three; a first-order answer at the tolerance it was
asked for.
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
    largest_violation: float = 0.0
    """The largest single bound violation in the blocks' units (not a criterion)."""

    @property
    def worst(self) -> float:
        """The largest of the three measures."""
        return max(self.primal_infeasibility, self.dual_infeasibility, self.gap)

    def within(self, tolerance: float) -> bool:
        """Whether all three measures are at most ``tolerance``."""
        return self.worst <= tolerance


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


def _right_sides(lower: FloatArray, upper: FloatArray) -> FloatArray:
    """Each row's finite right-hand side (the larger in size for a ranged row; 0 if free)."""
    low = np.where(np.isfinite(lower), np.abs(lower), 0.0)
    up = np.where(np.isfinite(upper), np.abs(upper), 0.0)
    return np.maximum(low, up)


def measure(
    lp: Arrays,
    x: FloatArray,
    y: FloatArray,
    scales: tuple[FloatArray, FloatArray] | None = None,
) -> Quality:
    """Objectives and relative primal infeasibility, dual infeasibility and gap of (x, y).

    ``lp``, x and y in the blocks' units; or, with ``scales`` (column and row scales),
    in the model's own units, taken to the blocks' units without a second matrix.
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
        x, activity, y, z, cost = x / cs, activity / rs, y * rs, z * cs, cost * cs
        col_lower, col_upper = col_lower / cs, col_upper / cs
        row_lower, row_upper = row_lower / rs, row_upper / rs
    violation = np.concatenate(
        [
            np.maximum(row_lower - activity, 0.0),
            np.maximum(activity - row_upper, 0.0),
            np.maximum(col_lower - x, 0.0),
            np.maximum(x - col_upper, 0.0),
        ]
    )
    row_part, row_wrong = _priced(y, row_lower, row_upper)
    col_part, col_wrong = _priced(z, col_lower, col_upper)
    primal = float(cost @ x)
    dual = row_part + col_part
    wrong = np.concatenate([row_wrong, col_wrong])
    return Quality(
        primal_objective=primal,
        dual_objective=dual,
        primal_infeasibility=float(np.linalg.norm(violation))
        / (1.0 + float(np.linalg.norm(_right_sides(row_lower, row_upper)))),
        dual_infeasibility=float(np.linalg.norm(wrong)) / (1.0 + float(np.linalg.norm(cost))),
        gap=abs(primal - dual) / (1.0 + abs(primal) + abs(dual)),
        largest_violation=float(violation.max()) if violation.size else 0.0,
    )
