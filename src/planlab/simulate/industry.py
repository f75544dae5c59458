"""Industry in a month: Leontief production with rationed inputs, wear and defective output.

Pure functions over arrays. A branch produces the least of what its target,
its (forced) capacity, its labour and each of its inputs allow; an input in
short supply is rationed in proportion among its users, so a shortage in one
branch propagates to every branch downstream of it.
"""

from __future__ import annotations

import numpy as np
import scipy.sparse as sp
from numpy.typing import NDArray

from planlab.plan.calendar import MONTHS_PER_YEAR

__all__ = ["input_limit", "produce", "wear_and_brak"]

FloatArray = NDArray[np.float64]

BRAK_CEILING = 0.9
"""The largest share of output that can be defective however hard equipment is forced
(assumption: some output always passes inspection)."""


def input_limit(A_csc: sp.csc_array, ratio: FloatArray) -> FloatArray:
    """For each branch j, the least supply ratio among the inputs it uses (1 if none)."""
    n = A_csc.shape[1]
    out = np.ones(n)
    counts = np.diff(A_csc.indptr)
    used = counts > 0
    if used.any():
        values = ratio[A_csc.indices]
        starts = A_csc.indptr[:-1][used]
        out[used] = np.minimum.reduceat(values, starts)
    return out


def produce(
    A_csc: sp.csc_array,
    planned: FloatArray,
    stocks: FloatArray,
) -> tuple[FloatArray, FloatArray, FloatArray]:
    """Output, input use and each good's supply ratio when inputs come from ``stocks``.

    ``planned`` is what targets, capacity and labour allow. Inputs short of
    demand are shared in proportion, and each branch is held to its scarcest
    input, so input use never exceeds stocks.
    """
    demand = A_csc @ planned
    with np.errstate(divide="ignore", invalid="ignore"):
        ratio = np.where(demand > 0, np.minimum(1.0, stocks / demand), 1.0)
    ratio = np.clip(ratio, 0.0, 1.0)
    output = planned * input_limit(A_csc, ratio)
    use = A_csc @ output
    use = np.minimum(use, stocks)
    return output, use, ratio


def wear_and_brak(
    output_rate: FloatArray,
    capacity: FloatArray,
    depreciation: FloatArray,
    wear_elasticity: float,
    brak_base: float,
    brak_elasticity: float,
) -> tuple[FloatArray, FloatArray, FloatArray]:
    """Overuse, the month's capacity lost to wear, and the defective share.

    Overuse is utilisation above 1 (output beyond sustainable capacity); it
    raises wear by ``wear_elasticity`` times itself and the defective share by
    ``brak_elasticity`` times itself.
    """
    with np.errstate(divide="ignore", invalid="ignore"):
        utilisation = np.where(capacity > 0, output_rate / capacity, 0.0)
    overuse = np.maximum(0.0, utilisation - 1.0)
    wear = capacity * depreciation / MONTHS_PER_YEAR * (1.0 + wear_elasticity * overuse)
    brak = np.minimum(BRAK_CEILING, brak_base + brak_elasticity * overuse)
    return overuse, np.minimum(wear, capacity), brak
