"""The LP a first-order solver is handed without HiGHS's presolve: planlab's own reduction.

HiGHS's presolve holds about 100 bytes per nonzero (``benchmarks/plan_limits.py``),
which a plan of 10^6 products cannot spare. This takes out what the plan LP's
structure makes plain, in arrays: columns whose bounds fix them (the shortage columns
of a plan that allows none, the imports of goods that cannot be imported), rows with
a single entry (consumption floors, export limits, the first year's capacity), which
become bounds, and columns that neither the cost nor any row wants above their lower
bound (consumption at its floor), which are fixed there. Each pass may find more (a
capacity set by its first year's balance), so passes repeat while they find something.

The answer comes back to the whole LP: a column taken out at its value, and each
singleton row given its column's reduced cost (over its entry) where that row is the
bound on the side the reduced cost prices, so that (x, y) is as feasible and as
optimal on the whole LP as on the reduced one. A pass that finds the LP infeasible
(crossing bounds, an empty row outside its bounds) takes nothing out, so that the solver
meets the infeasibility and reports it.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp
from numpy.typing import NDArray

from planlab.plan.verify import Arrays

__all__ = ["Pass", "Reduction", "expand", "reduce_lp"]

FloatArray = NDArray[np.float64]
IntArray = NDArray[np.int64]
BoolArray = NDArray[np.bool_]

PASSES = 4
"""Passes at most (assumption: each pass copies the matrix once, and on the benchmark's
plans the fourth takes out a few per cent of the columns the first does)."""


@dataclass(frozen=True)
class Pass:
    """One pass: what it took out of an LP of ``columns`` x ``rows`` and how to put it back."""

    columns: int
    rows: int
    fixed: BoolArray
    """Columns taken out, at their ``value``."""
    value: FloatArray
    kept_rows: BoolArray
    entry_row: IntArray
    """Per singleton row taken out: its row, its column (in the LP after this pass),
    its coefficient, and whether it is the column's lower or upper bound (if either)."""
    entry_column: IntArray
    entry_bounded: IntArray
    """Per singleton row taken out: its column's place among ``bounded``'s columns."""
    entry_coefficient: FloatArray
    entry_lower: BoolArray
    entry_upper: BoolArray
    cost: FloatArray
    """Cost of the columns that singleton rows bound (``entry_column``'s)."""
    bounded: sp.csc_array
    """Those columns' entries in the rows that stay."""

    def expand(self, values: FloatArray, duals: FloatArray) -> tuple[FloatArray, FloatArray]:
        """A point of the reduced LP as a point of this pass's LP."""
        full = np.empty(self.columns)
        full[self.fixed] = self.value
        full[~self.fixed] = values
        y = np.zeros(self.rows)
        y[self.kept_rows] = duals
        self.price_singletons(y, duals)
        return full, y

    def price_singletons(self, y: FloatArray, duals: FloatArray) -> None:
        """Give each singleton row taken out (in ``y``, in place) its column's reduced cost
        over its entry, where the row is the column's bound on the side that cost prices
        (positive: the lower bound); ``duals`` are the reduced LP's."""
        if not self.entry_row.size:
            return
        z = (self.cost - self.bounded.T @ duals)[self.entry_bounded]
        side = np.where(z > 0, self.entry_lower, self.entry_upper) & (z != 0)
        y[self.entry_row[side]] = z[side] / self.entry_coefficient[side]


@dataclass(frozen=True)
class Reduction:
    """The LP a solver is handed (``arrays``), and how its answer comes back."""

    arrays: Arrays
    passes: tuple[Pass, ...]

    @property
    def reduced(self) -> bool:
        """Whether anything was taken out."""
        return bool(self.passes)

    def expand(self, values: FloatArray, duals: FloatArray) -> tuple[FloatArray, FloatArray]:
        """Primal values and row duals of ``arrays`` as those of the LP that was reduced."""
        return expand(self.passes, values, duals)


def expand(
    passes: Sequence[Pass], values: FloatArray, duals: FloatArray
) -> tuple[FloatArray, FloatArray]:
    """A point of the LP that ``passes`` left as a point of the LP they reduced: what a
    caller keeps of a ``Reduction`` once the reduced LP has been handed over."""
    for step in reversed(passes):
        values, duals = step.expand(values, duals)
    return values, duals


def reduce_lp(lp: Arrays, passes: int = PASSES) -> Reduction:
    """Take fixed and dominated columns and singleton rows out of ``lp``, in passes while
    they find some (at most ``passes``)."""
    done: list[Pass] = []
    current = lp
    for _ in range(passes):
        found = _one_pass(current)
        if found is None:
            break
        step, current = found
        done.append(step)
    return Reduction(current if done else lp, tuple(done))


def _one_pass(lp: Arrays) -> tuple[Pass, Arrays] | None:
    """One pass over ``lp``; None if it finds nothing, or finds the LP infeasible."""
    matrix = lp.matrix
    rows, columns = matrix.shape
    low_side, high_side = _dominated(lp)
    fixed = (np.isfinite(lp.col_lower) & (lp.col_lower == lp.col_upper)) | low_side | high_side
    value = np.where(high_side, lp.col_upper, lp.col_lower)[fixed]
    shift = matrix[:, fixed] @ value if fixed.any() else np.zeros(rows)
    row_lower, row_upper = lp.row_lower - shift, lp.row_upper - shift
    kept = matrix[:, ~fixed] if fixed.any() else matrix
    entries = np.bincount(kept.indices, weights=kept.data != 0, minlength=rows)
    empty = entries == 0
    if np.any(empty & ((row_lower > 0) | (row_upper < 0))):
        return None
    single = entries == 1
    if not (fixed.any() or single.any() or empty.any()):
        return None
    where = np.flatnonzero(single[kept.indices] & (kept.data != 0))
    entry_row = kept.indices[where].astype(np.int64)
    entry_column = np.searchsorted(kept.indptr, where, side="right") - 1
    a = kept.data[where]
    low = np.where(a > 0, row_lower[entry_row], row_upper[entry_row]) / a
    high = np.where(a > 0, row_upper[entry_row], row_lower[entry_row]) / a
    col_lower = lp.col_lower[~fixed].copy()
    col_upper = lp.col_upper[~fixed].copy()
    own_lower, own_upper = col_lower.copy(), col_upper.copy()
    np.maximum.at(col_lower, entry_column, low)
    np.minimum.at(col_upper, entry_column, high)
    if np.any(col_lower > col_upper):
        return None
    entry_lower = _supplies(low, col_lower[entry_column], own_lower[entry_column], entry_column)
    entry_upper = _supplies(-high, -col_upper[entry_column], -own_upper[entry_column], entry_column)
    kept_rows = ~(single | empty)
    bounded_columns, entry_bounded = np.unique(entry_column, return_inverse=True)
    reduced = Arrays(
        matrix=sp.csc_array(kept[kept_rows, :]),
        cost=lp.cost[~fixed],
        col_lower=col_lower,
        col_upper=col_upper,
        row_lower=row_lower[kept_rows],
        row_upper=row_upper[kept_rows],
    )
    step = Pass(
        columns=columns,
        rows=rows,
        fixed=fixed,
        value=value,
        kept_rows=kept_rows,
        entry_row=entry_row,
        entry_column=entry_column,
        entry_bounded=entry_bounded,
        entry_coefficient=a,
        entry_lower=entry_lower,
        entry_upper=entry_upper,
        cost=reduced.cost[bounded_columns],
        bounded=sp.csc_array(reduced.matrix[:, bounded_columns]),
    )
    return step, reduced


def _supplies(
    bound: FloatArray, merged: FloatArray, own: FloatArray, column: IntArray
) -> BoolArray:
    """Per singleton entry: whether its row is its column's (lower) bound, the first such
    entry of a column where several are, and none where the column's own bound is as tight."""
    candidate = np.isfinite(bound) & (bound == merged) & (bound > own)
    chosen = np.zeros(bound.size, dtype=bool)
    at = np.flatnonzero(candidate)
    if at.size:
        _, first = np.unique(column[at], return_index=True)
        chosen[at[first]] = True
    return chosen


def _dominated(lp: Arrays) -> tuple[BoolArray, BoolArray]:
    """Columns that no row and no cost wants above their finite lower bound (or below their
    finite upper bound): raising one only costs and only moves rows towards a finite bound
    they could break. Such a column sits at that bound in some optimum; its reduced cost
    then has the bound's sign whatever the duals, so nothing is owed to its dual."""
    matrix = lp.matrix
    a, row = matrix.data, matrix.indices
    no_lower, no_upper = np.isinf(lp.row_lower)[row], np.isinf(lp.row_upper)[row]
    want_up = _any_per_column(((a > 0) & ~no_lower) | ((a < 0) & ~no_upper), matrix.indptr)
    want_down = _any_per_column(((a > 0) & ~no_upper) | ((a < 0) & ~no_lower), matrix.indptr)
    low = ~want_up & (lp.cost >= 0) & np.isfinite(lp.col_lower)
    high = ~want_down & (lp.cost <= 0) & np.isfinite(lp.col_upper) & ~low
    return low, high


def _any_per_column(flags: BoolArray, indptr: NDArray[np.int32] | IntArray) -> BoolArray:
    """Per column of a CSC matrix: whether any of its entries is flagged (entries in the
    matrix's order), without an array of column numbers as long as the entries."""
    found = np.zeros(indptr.size - 1, dtype=bool)
    filled = np.diff(indptr) > 0
    if flags.size:
        found[filled] = np.add.reduceat(flags, indptr[:-1][filled], dtype=np.int64) > 0
    return found
