"""Draught power: how much of their land the households' horses (and hired horses) can work.

A horse works ``ha_per_horse`` hectares in a season. An individual farm whose own
horses cannot work all its land hires draught from neighbours in its region whose
horses have time to spare (the horseless peasant's hired team): each region's spare
horse-hectares on individual farms are shared out over its farms short of draught, in
proportion to their shortfall. What neither covers is not worked, so losing horses cuts
the sown area unless tractors (on collective land) replace them. The hired team is
paid: the farm short of draught gives the team's owners a share of the grain of the
hectares their horses worked.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray

from planlab.simulate._household_month import INDIVIDUAL, REMOVED, _jit

__all__ = ["draught_sums", "hire_paid", "hired_parts"]

FloatArray = NDArray[np.float64]


@_jit()
def draught_sums(
    region: NDArray[np.int8],
    weight: FloatArray,
    land: FloatArray,
    horses: FloatArray,
    status: NDArray[np.int8],
    ha_per_horse: float,
    regions: int,
) -> tuple[FloatArray, FloatArray, FloatArray, FloatArray]:
    """Per region, in one pass over the households: the collectives' land and horses
    (weighted); the hired share: how much of individual farms' draught shortfall
    (hectares their own horses cannot work) neighbours' spare horse-hectares cover, 0 to
    1; and those spare horse-hectares (weighted), to which the hired teams' pay goes."""
    pooled_land = np.zeros(regions)
    pooled_horses = np.zeros(regions)
    spare = np.zeros(regions)
    short = np.zeros(regions)
    for i in range(region.size):
        st = status[i]
        if st == INDIVIDUAL:
            gap = land[i] - horses[i] * ha_per_horse
            if gap > 0.0:
                short[region[i]] += gap * weight[i]
            else:
                spare[region[i]] -= gap * weight[i]
        elif st < REMOVED:
            pooled_land[region[i]] += land[i] * weight[i]
            pooled_horses[region[i]] += horses[i] * weight[i]
    out = np.ones(regions)
    for r in range(regions):
        if short[r] > 0.0:
            out[r] = min(1.0, spare[r] / short[r])
    return pooled_land, pooled_horses, out, spare


@_jit()
def _hired_part(land: float, horses: float, covered: float, ha_per_horse: float) -> float:
    """The share of a farm's worked land that a neighbour's team works: its shortfall
    (hectares its own horses cannot work) times its region's ``covered`` share, over the
    land it works; 0 for a farm whose horses suffice."""
    gap = land - horses * ha_per_horse
    if gap <= 0.0:
        return 0.0
    hired = gap * covered
    worked = land - gap + hired
    return hired / worked if worked > 0.0 else 0.0


@_jit()
def hired_parts(
    region: NDArray[np.int8],
    land: FloatArray,
    horses: FloatArray,
    covered: FloatArray,
    ha_per_horse: float,
) -> FloatArray:
    """``_hired_part`` of every row, each farming alone at its region's ``covered`` share."""
    out = np.empty(region.size)
    for i in range(region.size):
        out[i] = _hired_part(land[i], horses[i], covered[region[i]], ha_per_horse)
    return out


@_jit()
def hire_paid(
    region: NDArray[np.int8],
    weight: FloatArray,
    land: FloatArray,
    horses: FloatArray,
    status: NDArray[np.int8],
    grown: FloatArray,
    ha_per_horse: float,
    share: float,
    covered: FloatArray,
    spare: FloatArray,
) -> FloatArray:
    """Each household's grain once the farms short of draught have paid for their hired
    teams: ``share`` of the grain of the hectares a neighbour's team worked
    (``_hired_part`` of its grain), shared out over the farms with spare horse-hectares in
    the region in proportion to their spare. ``covered`` and ``spare`` are the region's, as
    ``draught_sums`` gives them. Members and removed households keep their own; each
    region's grain is unchanged. Two passes over the rows: the payments, the receipts."""
    out = grown.copy()
    paid = np.zeros(covered.size)
    for i in range(region.size):
        if status[i] == INDIVIDUAL:
            part = _hired_part(land[i], horses[i], covered[region[i]], ha_per_horse)
            if part > 0.0:
                pay = share * grown[i] * part
                out[i] -= pay
                paid[region[i]] += pay * weight[i]
    for i in range(region.size):
        if status[i] == INDIVIDUAL:
            gap = land[i] - horses[i] * ha_per_horse
            if gap < 0.0 and spare[region[i]] > 0.0:
                out[i] += paid[region[i]] * -gap / spare[region[i]]
    return out
