"""Leontief analysis: published textbook numbers, and invariants on random economies."""

from __future__ import annotations

from collections.abc import Iterator

import numpy as np
import pytest
import scipy.linalg
import scipy.sparse as sp
import scipy.sparse.linalg
from hypothesis import given, settings
from hypothesis import strategies as st
from numpy.typing import NDArray

from _economies import productive_matrix, random_economy
from planlab.economy import (
    Economy,
    LeontiefSystem,
    analyse,
    gross_output_for,
    load_builtin,
)
from planlab.errors import InputError

FloatArray = NDArray[np.float64]


def leontief_inverse(economy: Economy) -> FloatArray:
    """The Leontief inverse, column by column through the package's own solver."""
    system = LeontiefSystem(economy.A)
    return np.column_stack([system.solve(np.eye(economy.n)[:, j]) for j in range(economy.n)])


# --- textbook-3: Chiang and Wainwright (2005), section 5.7, "A Numerical Example" -------------


@pytest.fixture(scope="module")
def textbook() -> Economy:
    return load_builtin("textbook-3")


def test_textbook_coefficients_are_the_printed_matrix(textbook: Economy) -> None:
    printed = np.array([[0.2, 0.3, 0.2], [0.4, 0.1, 0.2], [0.1, 0.3, 0.2]])
    np.testing.assert_array_equal(textbook.A.toarray(), printed)
    np.testing.assert_array_equal(textbook.final_demand, [10.0, 5.0, 6.0])
    # The primary-input coefficients are one minus the column sums of A.
    np.testing.assert_allclose(textbook.labour, 1.0 - printed.sum(axis=0), atol=1e-15)


def test_textbook_determinant_and_inverse(textbook: Economy) -> None:
    # |I - A| = 0.384 and (I - A)^-1 = adj(I - A) / 0.384, adj printed to two decimals.
    assert np.linalg.det(np.eye(3) - textbook.A.toarray()) == pytest.approx(0.384, abs=5e-4)
    adjugate = np.array([[0.66, 0.30, 0.24], [0.34, 0.62, 0.24], [0.21, 0.27, 0.60]])
    L = leontief_inverse(textbook)
    np.testing.assert_array_equal(np.round(L * 0.384, 2), adjugate)
    np.testing.assert_allclose(L, adjugate / 0.384, rtol=1e-12)


def test_textbook_gross_output(textbook: Economy) -> None:
    x = gross_output_for(textbook)
    np.testing.assert_array_equal(np.round(x, 2), [24.84, 20.68, 18.36])
    # The stored base year is the unrounded solution of the printed system.
    np.testing.assert_array_equal(np.round(textbook.gross_output, 2), [24.84, 20.68, 18.36])
    np.testing.assert_allclose(textbook.gross_output, x, rtol=1e-12)


def test_textbook_primary_input_requirement(textbook: Economy) -> None:
    # The final demands are feasible only with at least $21 billion of primary input.
    result = analyse(textbook)
    assert float(result.employment.sum()) == pytest.approx(21.0, abs=0.005)
    assert float(result.labour_embodied @ textbook.final_demand) == pytest.approx(21.0, abs=0.005)
    assert textbook.scalars["labour_force"] == 21.0


def test_textbook_output_multipliers(textbook: Economy) -> None:
    # Column sums of the printed inverse: (0.66+0.34+0.21)/0.384 and so on.
    expected = np.array([1.21, 1.19, 1.08]) / 0.384
    result = analyse(textbook)
    np.testing.assert_allclose(result.output_multiplier, expected, rtol=1e-12)
    np.testing.assert_array_equal(np.round(result.output_multiplier, 3), [3.151, 3.099, 2.812])


def test_textbook_new_final_demand(textbook: Economy) -> None:
    # Linear in final demand: doubling d doubles the printed solution.
    x = gross_output_for(textbook, [20.0, 10.0, 12.0])
    np.testing.assert_array_equal(np.round(x / 2, 2), [24.84, 20.68, 18.36])


# --- Miller and Blair (2009), chapter 2, the two-sector example (Tables 2.3 and 2.4) ------------


@pytest.fixture(scope="module")
def miller_blair() -> Economy:
    Z = np.array([[150.0, 500.0], [200.0, 100.0]])
    x = np.array([1000.0, 2000.0])
    return Economy.build(
        name="miller-blair-2",
        sectors=["sector_1", "sector_2"],
        A=Z / x,
        vectors={
            "gross_output": x,
            "labour": [0.3, 0.25],
            "consumption": [350.0, 1700.0],
        },
        scalars={"labour_force": 800.0},
    )


def test_miller_blair_coefficients(miller_blair: Economy) -> None:
    np.testing.assert_allclose(miller_blair.A.toarray(), [[0.15, 0.25], [0.20, 0.05]])
    np.testing.assert_allclose(gross_output_for(miller_blair), [1000.0, 2000.0], rtol=1e-12)


def test_miller_blair_inverse(miller_blair: Economy) -> None:
    L = leontief_inverse(miller_blair)
    np.testing.assert_array_equal(np.round(L, 3), [[1.254, 0.330], [0.264, 1.122]])


def test_miller_blair_new_final_demand(miller_blair: Economy) -> None:
    x = gross_output_for(miller_blair, [600.0, 1500.0])
    np.testing.assert_array_equal(np.round(x, 2), [1247.52, 1841.58])
    # Labour needed at the new output, with labour coefficients 0.3 and 0.25.
    result = analyse(miller_blair, [600.0, 1500.0])
    np.testing.assert_allclose(result.employment, [374.25, 460.4], atol=0.05)


def test_final_demand_of_wrong_length_is_an_input_error(miller_blair: Economy) -> None:
    with pytest.raises(InputError, match="one value per sector"):
        gross_output_for(miller_blair, [1.0, 2.0, 3.0])
    with pytest.raises(InputError, match="one value per sector"):
        analyse(miller_blair, [1.0])


# --- invariants on random productive economies ----------------------------------------------


def _relative_error(a: FloatArray, b: FloatArray) -> float:
    scale = max(float(np.max(np.abs(a), initial=0.0)), float(np.max(np.abs(b), initial=0.0)), 1.0)
    return float(np.max(np.abs(a - b), initial=0.0)) / scale


economies = st.builds(
    random_economy,
    seed=st.integers(0, 2**32 - 1),
    n=st.integers(1, 12),
    density=st.sampled_from([0.1, 0.5, 1.0]),
)


@settings(max_examples=60, deadline=None)
@given(economy=economies, seed=st.integers(0, 2**32 - 1))
def test_gross_output_balances(economy: Economy, seed: int) -> None:
    y = np.random.default_rng(seed).random(economy.n) * 1e3
    x = gross_output_for(economy, y)
    assert _relative_error(x, economy.A @ x + y) <= 1e-9
    assert np.all(x >= -1e-9 * max(1.0, float(np.max(x))))


@settings(max_examples=60, deadline=None)
@given(economy=economies, seed=st.integers(0, 2**32 - 1))
def test_gross_output_is_linear(economy: Economy, seed: int) -> None:
    rng = np.random.default_rng(seed)
    y1, y2 = rng.random(economy.n) * 100, rng.random(economy.n) * 100
    system = LeontiefSystem(economy.A)
    both = system.solve(y1 + y2)
    assert _relative_error(both, system.solve(y1) + system.solve(y2)) <= 1e-9
    assert _relative_error(system.solve(3.0 * y1), 3.0 * system.solve(y1)) <= 1e-9


@settings(max_examples=60, deadline=None)
@given(economy=economies)
def test_embodied_labour_satisfies_its_balance(economy: Economy) -> None:
    result = analyse(economy)
    lam = result.labour_embodied
    assert _relative_error(lam, lam @ economy.A + economy.labour) <= 1e-9
    # Employment of the base year equals labour embodied in its final demand.
    assert float(lam @ economy.final_demand) == pytest.approx(
        float(economy.labour @ result.gross_output), rel=1e-9
    )


@settings(max_examples=60, deadline=None)
@given(economy=economies)
def test_output_multipliers_are_column_sums_of_the_inverse(economy: Economy) -> None:
    dense_inverse = np.linalg.inv(np.eye(economy.n) - economy.A.toarray())
    result = analyse(economy)
    np.testing.assert_allclose(result.output_multiplier, dense_inverse.sum(axis=0), rtol=1e-9)
    np.testing.assert_allclose(result.backward_total, result.output_multiplier)
    np.testing.assert_allclose(result.backward_direct, economy.A.toarray().sum(axis=0))
    assert np.all(result.output_multiplier >= 1.0 - 1e-12)
    with np.errstate(divide="ignore", invalid="ignore"):
        expected_type1 = (economy.labour @ dense_inverse) / economy.labour
    np.testing.assert_allclose(result.employment_multiplier_type1, expected_type1, rtol=1e-9)
    table = result.table()
    assert list(table.index) == list(economy.names)
    assert table["output_multiplier"].to_numpy() == pytest.approx(result.output_multiplier)


def test_zero_final_demand_gives_undefined_ratios_not_errors() -> None:
    economy = Economy.build(
        name="idle",
        sectors=["a", "b"],
        A=[[0.1, 0.2], [0.3, 0.1]],
        vectors={"gross_output": [0.0, 0.0], "labour": [1.0, 0.0]},
        scalars={"labour_force": 0.0},
    )
    result = analyse(economy)
    np.testing.assert_array_equal(result.gross_output, [0.0, 0.0])
    assert np.all(np.isnan(result.forward_index))
    assert np.isnan(result.employment_multiplier_type1[1])
    assert result.table().shape == (2, 12)


# --- large sparse economies -------------------------------------------------------------------


@pytest.fixture
def no_dense_inverse(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Fail the test if anything forms a dense inverse."""

    def forbidden(*args: object, **kwargs: object) -> None:
        raise AssertionError("a dense inverse was formed")

    monkeypatch.setattr(np.linalg, "inv", forbidden)
    monkeypatch.setattr(scipy.linalg, "inv", forbidden)
    monkeypatch.setattr(scipy.sparse.linalg, "inv", forbidden)
    yield


@pytest.mark.slow
def test_sparse_economy_of_2000_sectors(no_dense_inverse: None) -> None:
    n = 2000
    economy = random_economy(7, n, name="sparse", density=4.0 / n)
    assert economy.A.nnz < 10 * n
    system = LeontiefSystem(economy.A)
    y = np.random.default_rng(1).random(n) * 10
    x = system.solve(y)
    assert _relative_error(x, economy.A @ x + y) <= 1e-9
    result = analyse(economy)
    assert (
        _relative_error(result.gross_output, economy.A @ result.gross_output + economy.final_demand)
        <= 1e-9
    )
    lam = result.labour_embodied
    assert _relative_error(lam, lam @ economy.A + economy.labour) <= 1e-9


def test_leontief_system_accepts_dense_and_sparse_input() -> None:
    rng = np.random.default_rng(3)
    A = productive_matrix(rng, 5)
    y = rng.random(5)
    from_sparse = LeontiefSystem(A).solve(y)
    from_dense = LeontiefSystem(A.toarray()).solve(y)
    from_matrix = LeontiefSystem(sp.csc_matrix(A)).solve(y)
    np.testing.assert_allclose(from_sparse, from_dense, rtol=1e-12)
    np.testing.assert_allclose(from_sparse, from_matrix, rtol=1e-12)
    w = LeontiefSystem(A).solve_transpose(y)
    np.testing.assert_allclose(w @ (np.eye(5) - A.toarray()), y, atol=1e-12)
