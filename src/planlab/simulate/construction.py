"""Construction projects: started monthly, built as materials arrive, cut by priority.

Projects are held as cohorts, one per branch and start month: the capacity
they will add, the share of work still to do and the months they take. Each
month a cohort advances by 1/duration times the supply ratio of its scarcest
construction material, so a shortage of steel or machinery delays every
project that needs it.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp
from numpy.typing import NDArray

__all__ = ["Pipeline"]

FloatArray = NDArray[np.float64]


@dataclass
class Pipeline:
    """Cohorts of projects: ``size[j, m]`` capacity started in month m, ``left`` work remaining."""

    size: FloatArray
    left: FloatArray
    duration: FloatArray
    origin: int = 0
    """Column of the run's first month; the columns before it hold cohorts started earlier."""

    @classmethod
    def empty(cls, n: int, months: int, duration: FloatArray, origin: int = 0) -> Pipeline:
        """No projects yet; room for one cohort per branch and month."""
        return cls(np.zeros((n, months)), np.zeros((n, months)), duration.astype(float), origin)

    def copy(self) -> Pipeline:
        """An independent copy, so that a stage can change it without altering the state it got."""
        return Pipeline(self.size.copy(), self.left.copy(), self.duration.copy(), self.origin)

    def start(self, month: int, capacity: FloatArray) -> None:
        """Start projects adding ``capacity`` (per branch) in this month's cohort."""
        self.size[:, month] += capacity
        self.left[:, month] = np.where(self.size[:, month] > 0, 1.0, 0.0)

    def under_construction(self) -> FloatArray:
        """Capacity still being built, per branch."""
        total: FloatArray = (self.size * (self.left > 0)).sum(axis=1)
        return total

    def material_demand(self, B: sp.csr_array) -> FloatArray:
        """Construction materials the month's work needs at full pace, per good."""
        pace = (self.size * (self.left > 0)).sum(axis=1) / self.duration
        return np.asarray(B @ pace, dtype=float)

    def advance(
        self, B: sp.csr_array, available: FloatArray, priority: FloatArray
    ) -> tuple[FloatArray, FloatArray]:
        """Build a month from ``available`` materials: highest priority, then oldest, first.

        Cohorts are served in that order at full pace while materials last; the
        first cohort that cannot be served in full gets the share its scarcest
        material allows, and the rest wait. Returns materials used and capacity
        finished, per branch.
        """
        branch, month = np.nonzero(self.left > 0)
        n = self.size.shape[0]
        if branch.size == 0:
            return np.zeros(n), np.zeros(n)
        order = np.lexsort((month, -priority[branch]))
        branch, month = branch[order], month[order]
        pace = self.size[branch, month] / self.duration[branch]
        share = np.clip(_first_come_shares(sp.csc_array(B), branch, pace, available), 0.0, 1.0)
        blocked = np.flatnonzero(share < 1.0)
        if blocked.size:
            share[blocked[0] + 1 :] = 0.0
        step = np.minimum(share / self.duration[branch], self.left[branch, month])
        work = np.bincount(branch, weights=self.size[branch, month] * step, minlength=n)
        materials = np.minimum(np.asarray(B @ work, dtype=float), available)
        self.left[branch, month] -= step
        done = self.left <= 1e-12
        done &= self.size > 0
        finished = (self.size * done).sum(axis=1)
        self.size[done] = 0.0
        self.left[done] = 0.0
        return materials, finished

    def cancel(self, saving: float, order: NDArray[np.int64], B: sp.csr_array) -> FloatArray:
        """Cancel whole cohorts, lowest priority and newest first, until ``saving`` a month is met.

        ``order`` lists branches from the lowest priority up. Returns the capacity
        cancelled (still unbuilt), per branch.
        """
        n = self.size.shape[0]
        if saving <= 0:
            return np.zeros(n)
        rank = np.empty(order.size, dtype=np.int64)
        rank[order] = np.arange(order.size)
        branch, month = np.nonzero(self.left > 0)
        if branch.size == 0:
            return np.zeros(n)
        sequence = np.lexsort((-month, rank[branch]))
        branch, month = branch[sequence], month[sequence]
        column_cost = np.asarray(B.sum(axis=0), dtype=float).reshape(-1)
        monthly = column_cost[branch] * self.size[branch, month] / self.duration[branch]
        covered = np.cumsum(monthly)
        count = min(int(np.searchsorted(covered, saving)) + 1, branch.size)
        branch, month = branch[:count], month[:count]
        unbuilt = self.size[branch, month] * self.left[branch, month]
        cancelled: FloatArray = np.bincount(branch, weights=unbuilt, minlength=n).astype(float)
        self.size[branch, month] = 0.0
        self.left[branch, month] = 0.0
        return cancelled


def _first_come_shares(
    B: sp.csc_array, branch: NDArray[np.intp], pace: FloatArray, available: FloatArray
) -> FloatArray:
    """For cohorts in serving order, the share of full pace the materials left allow each.

    Cohort k needs ``pace[k] * B[:, branch[k]]``; each good is drawn down in serving
    order, and a cohort's share is the least, over the goods it needs, of what is
    left before it over what it needs. Sparse throughout: memory grows with the
    non-zeros the cohorts need, not with cohorts times goods.
    """
    counts = np.diff(B.indptr)[branch]
    cohort = np.repeat(np.arange(branch.size), counts)
    starts = B.indptr[branch]
    offsets = np.arange(cohort.size) - np.repeat(np.cumsum(counts) - counts, counts)
    position = np.repeat(starts, counts) + offsets
    good = B.indices[position]
    need = B.data[position] * pace[cohort]
    if need.size == 0:
        return np.full(branch.size, np.inf)
    by_good = np.lexsort((cohort, good))
    good_sorted, need_sorted = good[by_good], need[by_good]
    running = np.cumsum(need_sorted)
    first = np.r_[0, np.flatnonzero(np.diff(good_sorted)) + 1]
    group_start = np.repeat(
        running[first] - need_sorted[first], np.diff(np.r_[first, good_sorted.size])
    )
    before = np.empty_like(need)
    before[by_good] = running - need_sorted - group_start
    room = np.maximum(available[good] - before, 0.0)
    with np.errstate(divide="ignore", invalid="ignore"):
        fits = np.where(need > 0, room / need, np.inf)
    share = np.full(branch.size, np.inf)
    np.minimum.at(share, cohort, fits)
    return share
