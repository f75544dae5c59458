"""Leontief analysis: gross output, embodied labour, multipliers and linkages.

With A the input coefficients, y final demand and l labour per unit of output:

    x = (I - A)^-1 y              gross output for final demand (one sparse LU solve)
    lambda = l (I - A)^-1         labour embodied per unit of each good (transposed solve)
    m_out = 1' (I - A)^-1         output multipliers (column sums of the Leontief inverse)
    BL_j = m_out_j / mean(m_out)  backward linkage index (Rasmussen)
    FL_i = (L x)_i / x_i          total forward linkage, row sums of the Ghosh inverse

Nothing here forms a dense inverse: every quantity is one solve of I - A
(sparse LU, or GMRES for large tables: see ``linalg``), so national tables of
10^4-10^5 sectors stay cheap.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
from numpy.typing import ArrayLike, NDArray

from planlab.economy.linalg import LeontiefSystem
from planlab.economy.model import Economy
from planlab.economy.validate import float_array
from planlab.errors import InputError, Problem

__all__ = ["LeontiefAnalysis", "LeontiefSystem", "analyse", "gross_output_for"]

FloatArray = NDArray[np.float64]


def _final_demand(economy: Economy, final_demand: ArrayLike | None) -> FloatArray:
    """The final demand asked for (the base year's if none): one finite number per sector."""
    if not isinstance(economy, Economy):
        raise InputError.single(
            "<economy>", "economy", "an Economy", f"got {type(economy).__name__}"
        )
    if final_demand is None:
        return economy.final_demand
    try:
        y = float_array(final_demand)
    except (TypeError, ValueError) as exc:
        raise InputError.single(
            "<final demand>", "final_demand", "one number per sector", str(exc)
        ) from None
    if y.shape != (economy.n,):
        raise InputError.single(
            "<final demand>",
            "final_demand",
            "one value per sector",
            f"{y.size} values for {economy.n} sectors",
        )
    bad = np.flatnonzero(~np.isfinite(y)).tolist()
    if bad:
        raise InputError(
            Problem("<final demand>", "final_demand", "finite numbers", f"value {y[i]!r}", name)
            for i, name in ((i, economy.names[i]) for i in bad)
        )
    return y


def gross_output_for(economy: Economy, final_demand: ArrayLike | None = None) -> FloatArray:
    """Gross output that meets a final demand (the base year's if none is given)."""
    y = _final_demand(economy, final_demand)
    return LeontiefSystem(economy.A).solve(y)


@dataclass(frozen=True)
class LeontiefAnalysis:
    """Per-sector results of a Leontief analysis, labelled by sector."""

    sectors: tuple[str, ...]
    final_demand: FloatArray
    gross_output: FloatArray
    labour_embodied: FloatArray
    output_multiplier: FloatArray
    employment_multiplier_type1: FloatArray
    backward_direct: FloatArray
    backward_total: FloatArray
    forward_direct: FloatArray
    forward_total: FloatArray
    employment: FloatArray

    @property
    def backward_index(self) -> FloatArray:
        """Rasmussen's normalised backward linkage: above 1 is a key buyer."""
        return self.backward_total / float(self.backward_total.mean())

    @property
    def forward_index(self) -> FloatArray:
        """Normalised total forward linkage: above 1 is a key supplier."""
        defined = self.forward_total[np.isfinite(self.forward_total)]
        if defined.size == 0:
            # No sector has output (zero final demand): the index is undefined everywhere.
            return np.full_like(self.forward_total, np.nan)
        return self.forward_total / float(defined.mean())

    def table(self) -> pd.DataFrame:
        """One row per sector, one column per measure."""
        return pd.DataFrame(
            {
                "final_demand": self.final_demand,
                "gross_output": self.gross_output,
                "employment": self.employment,
                "labour_embodied": self.labour_embodied,
                "output_multiplier": self.output_multiplier,
                "employment_multiplier_type1": self.employment_multiplier_type1,
                "backward_direct": self.backward_direct,
                "backward_total": self.backward_total,
                "backward_index": self.backward_index,
                "forward_direct": self.forward_direct,
                "forward_total": self.forward_total,
                "forward_index": self.forward_index,
            },
            index=pd.Index(self.sectors, name="sector"),
        )


def analyse(economy: Economy, final_demand: ArrayLike | None = None) -> LeontiefAnalysis:
    """Leontief analysis of an economy for a final demand (the base year's by default).

    Employment multipliers of type I (embodied over direct labour) and forward
    linkages are NaN for a sector with zero direct labour or zero output: the
    ratio is undefined there, and a NaN says so instead of a made-up number.
    """
    y = _final_demand(economy, final_demand)
    system = LeontiefSystem(economy.A)
    x = system.solve(y)
    ones = np.ones(economy.n)
    labour = economy.labour
    embodied = system.solve_transpose(labour)
    multiplier = system.solve_transpose(ones)
    A = economy.A
    backward_direct = np.asarray(A.sum(axis=0), dtype=np.float64).reshape(-1)
    with np.errstate(divide="ignore", invalid="ignore"):
        type1 = np.where(labour > 0, embodied / np.where(labour > 0, labour, 1.0), np.nan)
        positive = x > 0
        safe_x = np.where(positive, x, 1.0)
        forward_direct = np.where(positive, (A @ x) / safe_x, np.nan)
        forward_total = np.where(positive, system.solve(x) / safe_x, np.nan)
    return LeontiefAnalysis(
        sectors=economy.names,
        final_demand=y,
        gross_output=x,
        labour_embodied=embodied,
        output_multiplier=multiplier,
        employment_multiplier_type1=type1,
        backward_direct=backward_direct,
        backward_total=multiplier,
        forward_direct=forward_direct,
        forward_total=forward_total,
        employment=labour * x,
    )
