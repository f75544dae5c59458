"""Industry in a month: Leontief production with rationed inputs, wear and defective output.

Pure functions over arrays. A branch produces the least of what its target,
its (forced) capacity, its labour and each of its inputs allow; an input in
short supply (stocks and the month's usable output of it) is rationed in
proportion among its users, so a shortage in one branch propagates to every
branch downstream of it.
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


RATIONING_ROUNDS = 200
"""Most rounds of the rationing's fixed point; each round is two sparse products, and the
shares stop moving (to ``RATIONING_TOLERANCE``) in a few dozen at most."""

RATIONING_TOLERANCE = 1e-10
"""Relative change of every supply share below which the rationing has settled."""


def produce(
    A_csc: sp.csc_array,
    planned: FloatArray,
    stocks: FloatArray,
    within: FloatArray | None = None,
) -> tuple[FloatArray, FloatArray, FloatArray]:
    """Output, input use and each good's supply share when inputs come from ``stocks`` and
    from what the month makes.

    ``planned`` is what targets, capacity and labour allow; ``within`` is the share of each
    good's own output that users can draw in the same month (its usable share; 0 or None:
    only stocks). A good short of what its users need is shared in proportion to what
    they use, and each branch is held to its scarcest input. The shares are the largest
    at which every good's use fits its stock and its usable output: starting from full
    shares, each round cuts every good's share by what it lacks, until none lacks
    anything. Counting the month's own output keeps a disproportion from spiralling:
    a good made short of what its users need holds every user at that proportion, rather
    than at that proportion of last month's, and so on down.
    """
    share = np.ones_like(planned)
    made = np.zeros_like(planned) if within is None else np.asarray(within, dtype=float)
    # A branch serves its own use of its good from its own output first.
    own = np.minimum(A_csc.diagonal(), made)
    others = sp.csc_array(A_csc - sp.diags_array(own, format="csc"))
    others.eliminate_zeros()
    output = planned
    for _ in range(RATIONING_ROUNDS):
        output = planned * input_limit(others, share)
        use = others @ output
        supply = np.maximum(stocks, 0.0) + (made - own) * output
        short = (use > supply) & (use > 0)
        lacking = np.divide(supply, use, out=np.ones_like(use), where=short)
        lacking = np.clip(np.nan_to_num(lacking, nan=1.0), 0.0, 1.0)
        if lacking.min() >= 1.0 - RATIONING_TOLERANCE:
            break
        share = share * lacking
    use = np.minimum(A_csc @ output, stocks + made * output)
    return output, use, share


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
