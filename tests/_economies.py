"""Economies for the tests: random productive ones, built in memory with full sources."""

from __future__ import annotations

from typing import Any

import numpy as np
import scipy.sparse as sp
from numpy.typing import NDArray

from planlab.economy import Economy, Indicator, Sector

FloatArray = NDArray[np.float64]

SOURCES = {
    "A": "assumption: random test economy",
    "B": "assumption: random test economy",
    "gross_output": "assumption: solved from final demand",
    "labour": "assumption: random",
    "capacity": "assumption: random",
    "depreciation": "assumption: random",
    "construction_lag": "assumption: random",
    "consumption": "assumption: random",
    "investment": "assumption: random",
    "importable": "assumption: random",
    "scalars.labour_force": "assumption: the base year's employment",
    "scalars.fx_reserves": "assumption: random",
}


def productive_matrix(
    rng: np.random.Generator, n: int, density: float = 0.5, max_column_sum: float = 0.9
) -> sp.csr_array:
    """A random non-negative n x n matrix whose column sums lie below ``max_column_sum``."""
    dense = n <= 300
    if dense:
        raw = rng.random((n, n)) * (rng.random((n, n)) < density)
        mat = sp.csr_array(raw)
    else:
        mat = sp.random_array((n, n), density=density, rng=rng, dtype=np.float64).tocsr()
    sums = np.asarray(mat.sum(axis=0), dtype=np.float64).reshape(-1)
    target = rng.random(n) * max_column_sum
    scale = np.where(sums > 0, target / np.where(sums > 0, sums, 1.0), 0.0)
    return sp.csr_array(mat @ sp.diags_array(scale))


def random_economy(
    seed: int,
    n: int,
    *,
    name: str = "random",
    density: float = 0.5,
    rich: bool = False,
) -> Economy:
    """A balanced, productive economy; ``rich`` adds B, more columns, scalars and indicators."""
    rng = np.random.default_rng(seed)
    A = productive_matrix(rng, n, density)
    consumption = rng.random(n) * 100.0
    investment = rng.random(n) * 10.0 if rich else np.zeros(n)
    y = consumption + investment
    x = _solve(A, y)
    labour = rng.random(n)
    names = [f"s{i}" for i in range(n)]
    vectors: dict[str, FloatArray] = {
        "gross_output": x,
        "labour": labour,
        "consumption": consumption,
    }
    scalars = {"labour_force": float(labour @ x) * 1.1}
    extra: dict[str, Any] = {}
    sources = {
        k: v for k, v in SOURCES.items() if k.split(".")[0] in ("A", "scalars") or k in vectors
    }
    sources.pop("scalars.fx_reserves")
    if rich:
        vectors["investment"] = investment
        vectors["capacity"] = x * (1.0 + rng.random(n))
        vectors["depreciation"] = rng.random(n) * 0.1
        vectors["construction_lag"] = rng.integers(0, 4, n).astype(np.float64)
        vectors["importable"] = (rng.random(n) < 0.5).astype(np.float64)
        scalars["fx_reserves"] = 12.5
        sources = dict(SOURCES)
        extra["B"] = sp.csr_array(rng.random((n, n)) * (rng.random((n, n)) < 0.3))
        extra["indicators"] = [
            Indicator("output_s0", names[0], 2.5, "tonnes", "assumption: test", "tonnes of s0")
        ]
        extra["title"] = "A random economy: rich"
        extra["description"] = "Built for tests.\nTwo lines, 'quotes' and: colons."
        extra["base_year"] = "1927/28"
        extra["value_unit"] = "million roubles"
        extra["balance_tolerance"] = 1e-6
    sectors = [Sector(s, title=f"Sector {s.upper()}", group="g") for s in names]
    return Economy.build(
        name=name,
        sectors=sectors,
        A=A,
        vectors=vectors,
        scalars=scalars,
        sources=sources,
        **extra,
    )


def _solve(A: sp.csr_array, y: FloatArray) -> FloatArray:
    from planlab.economy import LeontiefSystem

    return LeontiefSystem(A).solve(y)
