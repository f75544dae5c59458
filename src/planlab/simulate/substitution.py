"""Import substitution: what the world market no longer supplies, made at home.

When imports fall short, the gap (averaged over months by ``import_substitution``, kept
in ``State.substitution`` by the foreign-trade stage) becomes capacity the planners
start in the branch that makes the good, at its capital cost and finished after its
lag (the discipline stage), and output they set the branch to produce
(``substitute_output``, added to its target), so that the capacity built is used.
In this model an imported unit and a home-made unit of a good are one good in one
stock, so substitution needs domestic capacity, not a change of input mix.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray

from planlab.simulate.params import Params
from planlab.simulate.state import State

__all__ = ["substitute_output"]

FloatArray = NDArray[np.float64]


def substitute_output(p: Params, s: State) -> FloatArray:
    """Output (a yearly rate) the planners add to a branch's target to make at home the
    imports the world market no longer supplies: the averaged import gap, in a course and
    for industry only (an executed plan sets output and construction itself; the peasant
    farms follow their own rules)."""
    if p.plan is not None:
        return np.zeros(p.n)
    extra: FloatArray = np.where(p.farm, 0.0, s.substitution)
    return extra
