"""The compiled samplers of the household month against their distributions, 10^6 draws each.

Mean and variance within five standard errors, and a chi-square goodness-of-fit test
over the distribution's cells (expected count at least 5 in each), at the 0.1 % level.
"""

from __future__ import annotations

import numba
import numpy as np
import pytest
from numpy.typing import NDArray
from scipy import stats

from planlab.simulate._household_month import _binomial_at, _normal, _poisson_at, _uniform

DRAWS = 1_000_000
LEVEL = 1e-3


@numba.njit(cache=False)
def poisson_draws(lam: float, n: int, seed: np.uint64) -> NDArray[np.float64]:
    out = np.empty(n)
    state = seed
    for i in range(n):
        state, u = _uniform(state)
        state, out[i] = _poisson_at(lam, u, state)
    return out


@numba.njit(cache=False)
def binomial_draws(trials: int, p: float, n: int, seed: np.uint64) -> NDArray[np.float64]:
    out = np.empty(n)
    state = seed
    for i in range(n):
        state, u = _uniform(state)
        state, out[i] = _binomial_at(trials, p, u, state)
    return out


@numba.njit(cache=False)
def normal_draws(n: int, seed: np.uint64) -> NDArray[np.float64]:
    out = np.empty(n)
    state = seed
    for i in range(n):
        state, out[i] = _normal(state)
    return out


def check_moments(draws: NDArray[np.float64], mean: float, variance: float) -> None:
    n = draws.size
    assert abs(draws.mean() - mean) <= 5.0 * np.sqrt(variance / n)
    # The sample variance's standard error, from the fourth moment of the draws.
    fourth = np.mean((draws - draws.mean()) ** 4)
    assert abs(draws.var() - variance) <= 5.0 * np.sqrt(max(fourth - variance**2, 0.0) / n)


def check_discrete_fit(draws: NDArray[np.float64], pmf: NDArray[np.float64]) -> None:
    """Chi-square over the cells with expected count >= 5, the tails on each side lumped."""
    expected = pmf * draws.size
    middle = np.flatnonzero(expected >= 5)
    low, high = int(middle[0]), int(middle[-1])
    counts = np.bincount(draws.astype(np.int64), minlength=pmf.size)[: pmf.size]
    observed = np.r_[
        counts[:low].sum(), counts[low : high + 1], draws.size - counts[: high + 1].sum()
    ]
    wanted = np.r_[
        expected[:low].sum(), expected[low : high + 1], draws.size - expected[: high + 1].sum()
    ]
    assert observed.size > 3
    keep = wanted > 0
    assert (
        stats.chisquare(
            observed[keep], wanted[keep] * observed[keep].sum() / wanted[keep].sum()
        ).pvalue
        > LEVEL
    )


@pytest.mark.parametrize("lam", [0.3, 4.0, 27.5])
def test_poisson_sampler(lam: float) -> None:
    draws = poisson_draws(lam, DRAWS, np.uint64(12345))
    check_moments(draws, lam, lam)
    check_discrete_fit(draws, stats.poisson.pmf(np.arange(int(lam * 4 + 40)), lam))


@pytest.mark.parametrize(("trials", "p"), [(3, 0.4), (40, 0.05), (2000, 0.02)])
def test_binomial_sampler(trials: int, p: float) -> None:
    draws = binomial_draws(trials, p, DRAWS, np.uint64(987))
    check_moments(draws, trials * p, trials * p * (1 - p))
    check_discrete_fit(draws, stats.binom.pmf(np.arange(trials + 1), trials, p))


def test_normal_sampler() -> None:
    draws = normal_draws(DRAWS, np.uint64(2024))
    check_moments(draws, 0.0, 1.0)
    edges = stats.norm.ppf(np.linspace(0.0, 1.0, 101)[1:-1])
    observed = np.bincount(np.searchsorted(edges, draws), minlength=100)
    assert stats.chisquare(observed, np.full(100, DRAWS / 100)).pvalue > LEVEL
    # The tails beyond the ziggurat's base layer are drawn separately: check them too.
    tail = np.mean(np.abs(draws) > 3.5)
    expected = 2 * stats.norm.sf(3.5)
    assert abs(tail - expected) <= 5.0 * np.sqrt(expected / DRAWS)
