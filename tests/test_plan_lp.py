"""The LP layer: known optima and duals, both senses, infeasible and unbounded models.

The production LP is the Wyndor Glass example of F. S. Hillier and G. J. Lieberman,
*Introduction to Operations Research* (McGraw-Hill), chapter 3: maximise 3 x1 + 5 x2
subject to x1 <= 4, 2 x2 <= 12, 3 x1 + 2 x2 <= 18, with optimum (2, 6), profit 36
and shadow prices (0, 1.5, 1) of the three plants.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest
import scipy.sparse as sp

from planlab.plan.lp import (
    TIGHTENING_FACTOR,
    TIGHTENING_MARGIN,
    LinearProgram,
    Status,
    _tightening,
)
from planlab.plan.verify import Arrays, Quality, measure

PLANTS = (1, 2, 3)
PRODUCTS = ("doors", "windows")
USE = np.array([[1.0, 0.0], [0.0, 2.0], [3.0, 2.0]])
HOURS = np.array([4.0, 12.0, 18.0])
PROFIT = np.array([3.0, 5.0])


def wyndor(sense: str = "max", profit: np.ndarray = PROFIT) -> LinearProgram:
    """The Wyndor Glass LP built from labelled blocks."""
    lp = LinearProgram(sense)
    make = lp.add_variables("make", {"product": PRODUCTS})
    lp.add_constraints("plant", {"plant": PLANTS}, [(make, USE)], "<=", HOURS)
    lp.set_objective({"make": profit})
    return lp


def test_textbook_production_lp_optimum_and_duals() -> None:
    lp = wyndor()
    solution = lp.solve()
    assert solution.status is Status.OPTIMAL
    assert solution.objective == pytest.approx(36.0, rel=1e-12)
    np.testing.assert_allclose(solution.values, [2.0, 6.0], atol=1e-9)
    np.testing.assert_allclose(solution.shadow_prices, [0.0, 1.5, 1.0], atol=1e-9)
    np.testing.assert_allclose(solution.reduced_costs, [0.0, 0.0], atol=1e-9)
    assert solution.dual_objective == pytest.approx(36.0, rel=1e-12)
    assert solution.gap < 1e-12
    # Blocks read back by their coordinates.
    block = lp.constraints["plant"]
    np.testing.assert_allclose(lp.shadow(solution, block), [0.0, 1.5, 1.0], atol=1e-9)
    np.testing.assert_allclose(lp.slack(solution, block), [2.0, 0.0, 0.0], atol=1e-9)
    np.testing.assert_allclose(lp.value(solution, lp.variables["make"]), [2.0, 6.0], atol=1e-9)
    assert lp.row_label(2) == ("plant", {"plant": 3})
    assert lp.column_label(1) == ("make", {"product": "windows"})


def test_shadow_prices_are_marginal_values() -> None:
    """Relaxing plant 3 by one hour raises the profit by its shadow price, 1."""
    base = wyndor().solve().objective
    lp = LinearProgram("max")
    make = lp.add_variables("make", {"product": PRODUCTS})
    lp.add_constraints(
        "plant", {"plant": PLANTS}, [(make, USE)], "<=", HOURS + np.array([0.0, 0.0, 1.0])
    )
    lp.set_objective({"make": PROFIT})
    assert lp.solve().objective - base == pytest.approx(1.0, rel=1e-9)


def test_unprofitable_product_has_negative_reduced_cost_in_either_sense() -> None:
    """A third product worth 1 that takes 3 hours of plant 3 (priced at 1) loses 2 a unit."""
    for sense, sign in (("max", 1.0), ("min", -1.0)):
        lp = LinearProgram(sense)
        make = lp.add_variables("make", {"product": (*PRODUCTS, "tables")})
        use = np.hstack([USE, [[0.0], [0.0], [3.0]]])
        lp.add_constraints("plant", {"plant": PLANTS}, [(make, sp.csr_array(use))], "<=", HOURS)
        lp.set_objective({"make": sign * np.array([3.0, 5.0, 1.0])})
        solution = lp.solve()
        assert solution.status is Status.OPTIMAL
        assert solution.objective == pytest.approx(sign * 36.0, rel=1e-12)
        np.testing.assert_allclose(solution.values, [2.0, 6.0, 0.0], atol=1e-9)
        np.testing.assert_allclose(solution.shadow_prices, [0.0, 1.5, 1.0], atol=1e-9)
        np.testing.assert_allclose(solution.reduced_costs, [0.0, 0.0, -2.0], atol=1e-9)


def test_minimisation_with_covering_rows() -> None:
    """min 2 x + 3 y, x + y >= 4, x + 3 y >= 6: optimum (3, 1), cost 9, duals (1.5, 0.5)."""
    lp = LinearProgram("min")
    x = lp.add_variables("x", {"i": (0, 1)})
    need = lp.add_constraints(
        "need", {"nutrient": ("a", "b")}, [(x, [[1.0, 1.0], [1.0, 3.0]])], ">=", [4.0, 6.0]
    )
    lp.set_objective({"x": [2.0, 3.0]})
    solution = lp.solve()
    assert solution.status is Status.OPTIMAL
    assert solution.objective == pytest.approx(9.0, rel=1e-12)
    np.testing.assert_allclose(solution.values, [3.0, 1.0], atol=1e-9)
    # Improvement (a fall in cost) per unit by which a requirement is relaxed.
    np.testing.assert_allclose(lp.shadow(solution, need), [1.5, 0.5], atol=1e-9)
    assert solution.dual_objective == pytest.approx(9.0, rel=1e-12)
    assert solution.gap < 1e-12


def test_max_and_min_of_the_same_region() -> None:
    """The sense flips the optimum between opposite corners of the same polytope."""
    assert wyndor("max").solve().objective == pytest.approx(36.0)
    low = wyndor("min").solve()
    assert low.status is Status.OPTIMAL
    assert low.objective == pytest.approx(0.0, abs=1e-12)
    np.testing.assert_allclose(low.values, [0.0, 0.0], atol=1e-12)
    np.testing.assert_allclose(low.shadow_prices, [0.0, 0.0, 0.0], atol=1e-12)
    lp = wyndor("max")
    lp.set_objective({"make": -PROFIT}, sense="min")
    flipped = lp.solve()
    assert lp.sense == "min"
    assert flipped.objective == pytest.approx(-36.0)
    np.testing.assert_allclose(flipped.shadow_prices, [0.0, 1.5, 1.0], atol=1e-9)


@pytest.mark.parametrize(("sense", "expected"), [("max", 0.5), ("min", -0.5)])
def test_equality_shadow_price_is_gain_per_unit_increase(sense: str, expected: float) -> None:
    """x + 2 y == 4, x <= 2, objective x + y: a unit more of the right side is worth +0.5.

    Maximising, the plan (2, 1) gains 0.5; minimising, the plan (0, 2) costs 0.5 more,
    an improvement of -0.5.
    """
    lp = LinearProgram(sense)
    v = lp.add_variables("v", {"i": ("x", "y")}, 0.0, [2.0, np.inf])
    row = lp.add_constraints("mix", None, [(v, [[1.0, 2.0]])], "==", 4.0)
    lp.set_objective({"v": 1.0})
    solution = lp.solve()
    assert solution.status is Status.OPTIMAL
    assert lp.shadow(solution, row)[0] == pytest.approx(expected, rel=1e-9)
    assert lp.slack(solution, row)[0] == 0.0
    assert solution.gap < 1e-12


def conflicting_model() -> LinearProgram:
    """Year 1 can be supplied; years 2 and 3 each ask more than the year's capacity allows."""
    lp = LinearProgram("min")
    goods, years = ("coal", "steel"), (1, 2, 3)
    x = lp.add_variables("supply", {"good": goods, "year": years})
    need = [3.0, 4.0, 4.0, 2.0, 4.0, 4.0]  # coal in years 1-3, then steel
    lp.add_constraints("need", {"good": goods, "year": years}, [(x, sp.identity(6))], ">=", need)
    total = sp.kron(np.ones((1, 2)), sp.identity(3))
    lp.add_constraints("capacity", {"year": years}, [(x, total)], "<=", [6.0, 7.0, 7.0])
    lp.add_constraints("unrelated", {"good": goods}, [(x, sp.csr_array(np.eye(2, 6)))], "<=", 100.0)
    lp.set_objective({"supply": 1.0})
    return lp


def subsystem_feasible(lp: LinearProgram, rows: list[int]) -> bool:
    """Whether the given rows of a model, with every column bound, can hold together."""
    matrix = sp.csr_array(lp.matrix())
    col_lower, col_upper, row_lower, row_upper = lp.bounds()
    sub = LinearProgram("min")
    v = sub.add_variables("v", {"column": range(lp.num_columns)}, col_lower, col_upper)
    for r in rows:
        term = [(v, matrix[[r], :])]
        if np.isfinite(row_lower[r]):
            sub.add_constraints(f"lower{r}", None, term, ">=", row_lower[r])
        if np.isfinite(row_upper[r]):
            sub.add_constraints(f"upper{r}", None, term, "<=", row_upper[r])
    return sub.solve(find_iis=False).status is Status.OPTIMAL


def test_infeasible_model_reports_an_irreducible_conflict() -> None:
    lp = conflicting_model()
    solution = lp.solve()
    assert solution.status is Status.INFEASIBLE
    assert solution.iis_rows
    labels = sorted(
        (family, tuple(sorted(where.items())))
        for family, where in (lp.row_label(r) for r in solution.iis_rows)
    )
    # One of the two short years, not both: the subsystem is irreducible.
    year = labels[0][1][0][1]
    assert year in (2, 3)
    assert labels == [
        ("capacity", (("year", year),)),
        ("need", (("good", "coal"), ("year", year))),
        ("need", (("good", "steel"), ("year", year))),
    ]
    assert not subsystem_feasible(lp, solution.iis_rows)
    for dropped in solution.iis_rows:
        assert subsystem_feasible(lp, [r for r in solution.iis_rows if r != dropped])
    assert np.isnan(solution.objective)
    assert np.isnan(solution.gap)
    assert np.all(np.isnan(solution.values))


def test_infeasible_model_without_iis() -> None:
    solution = conflicting_model().solve(find_iis=False)
    assert solution.status is Status.INFEASIBLE
    assert solution.iis_rows == []


def test_unbounded_model() -> None:
    lp = LinearProgram("max")
    x = lp.add_variables("x", {"i": (0, 1)})
    lp.add_constraints("spread", None, [(x, [[1.0, -1.0]])], "<=", 1.0)
    lp.set_objective({"x": [1.0, 1.0]})
    solution = lp.solve()
    assert solution.status is Status.UNBOUNDED
    assert np.isnan(solution.objective)
    assert solution.iis_rows == []
    # Minimising the same objective over the same region is bounded (at 0).
    lp.set_objective({"x": [1.0, 1.0]}, sense="min")
    assert lp.solve().objective == pytest.approx(0.0, abs=1e-12)


def test_free_variable_unbounded_below_when_minimised() -> None:
    lp = LinearProgram("min")
    lp.add_variables("z", None, -np.inf, np.inf)
    lp.set_objective({"z": 1.0})
    assert lp.solve().status is Status.UNBOUNDED


def test_shape_and_name_errors() -> None:
    lp = LinearProgram("max")
    x = lp.add_variables("x", {"i": (0, 1, 2)})
    with pytest.raises(ValueError, match="shape"):
        lp.add_constraints("rows", {"r": (0, 1)}, [(x, np.ones((2, 2)))], "<=", 1.0)
    with pytest.raises(ValueError, match="shape"):
        lp.add_constraints("rows", {"r": (0, 1)}, [(x, sp.csr_array(np.ones((3, 3))))], "<=", 1.0)
    with pytest.raises(ValueError, match="sense"):
        lp.add_constraints("rows", {"r": (0, 1)}, [(x, np.ones((2, 3)))], "<", 1.0)
    with pytest.raises(ValueError):
        lp.add_constraints("rows", {"r": (0, 1)}, [(x, np.ones((2, 3)))], "<=", [1.0, 2.0, 3.0])
    with pytest.raises(ValueError):
        lp.add_variables("y", {"i": (0, 1)}, lower=[0.0, 0.0, 0.0])
    with pytest.raises(ValueError, match="exists"):
        lp.add_variables("x", {"i": (0,)})
    lp.add_constraints("rows", {"r": (0, 1)}, [(x, np.ones((2, 3)))], "<=", 1.0)
    with pytest.raises(ValueError, match="exists"):
        lp.add_constraints("rows", {"r": (0,)}, [(x, np.ones((1, 3)))], "<=", 1.0)
    with pytest.raises(ValueError, match="sense"):
        LinearProgram("maximise")
    with pytest.raises(ValueError, match="sense"):
        lp.set_objective({"x": 1.0}, sense="up")
    with pytest.raises(ValueError):
        lp.set_objective({"x": [1.0, 2.0]})
    with pytest.raises(IndexError):
        lp.row_label(2)
    with pytest.raises(IndexError):
        lp.column_label(3)


def test_scales_change_how_a_first_order_solve_works_not_its_answer() -> None:
    columns, rows = np.array([1e3, 1e-2]), np.array([10.0, 0.5, 100.0])
    lp = LinearProgram("max")
    make = lp.add_variables("make", {"product": PRODUCTS}, scale=columns)
    lp.add_constraints("plant", {"plant": PLANTS}, [(make, USE)], "<=", HOURS, scale=rows)
    lp.set_objective({"make": PROFIT})
    scaled = lp.arrays(scaled=True)
    np.testing.assert_allclose(scaled.matrix.toarray(), USE * columns[None, :] / rows[:, None])
    np.testing.assert_allclose(scaled.row_upper, HOURS / rows)
    np.testing.assert_allclose(scaled.cost, -PROFIT * columns)
    solution = lp.solve(method="pdlp", tolerance=1e-9)
    assert solution.status is Status.OPTIMAL
    # In the model's own units, as the exact solve of the same LP gives them.
    np.testing.assert_allclose(solution.values, [2.0, 6.0], atol=1e-6)
    np.testing.assert_allclose(solution.shadow_prices, [0.0, 1.5, 1.0], atol=1e-6)
    np.testing.assert_allclose(
        lp.slack(solution, lp.constraints["plant"]), [2.0, 0.0, 0.0], atol=1e-6
    )
    assert solution.objective == pytest.approx(36.0, rel=1e-6)
    assert lp.matrix().toarray() == pytest.approx(USE)


@pytest.mark.parametrize("scale", [0.0, -1.0, np.inf, np.nan])
def test_a_scale_must_be_positive_and_finite(scale: float) -> None:
    lp = LinearProgram()
    with pytest.raises(ValueError, match="scales are positive"):
        lp.add_variables("make", {"product": PRODUCTS}, scale=scale)


def test_or_tools_starts_from_an_earlier_solution_of_the_same_shape() -> None:
    lp = wyndor()
    method = "pdlp-ortools"
    first = lp.solve(method=method, tolerance=1e-9)
    again = lp.solve(method=method, tolerance=1e-9, start=first)
    assert (first.status, again.status) == (Status.OPTIMAL, Status.OPTIMAL)
    np.testing.assert_allclose(again.values, [2.0, 6.0], atol=1e-6)
    np.testing.assert_allclose(again.shadow_prices, [0.0, 1.5, 1.0], atol=1e-6)
    other = LinearProgram()
    other.add_variables("x", {"i": range(3)})
    with pytest.raises(ValueError, match="same shape"):
        other.solve(method=method, start=first)


def test_a_repeated_first_order_run_asks_for_the_accuracy_the_last_one_missed() -> None:
    def missed(by: float) -> Quality:
        return Quality(0.0, 0.0, 1e-5, by * 1e-4, 1e-6)

    # Twice the factor missed by, at least TIGHTENING_MARGIN, at most TIGHTENING_FACTOR.
    assert _tightening(missed(2.0), 1e-4) == pytest.approx(4.0)
    assert _tightening(missed(1.01), 1e-4) == pytest.approx(2.02)
    assert _tightening(missed(0.5), 1e-4) == TIGHTENING_MARGIN
    assert _tightening(missed(100.0), 1e-4) == TIGHTENING_FACTOR


def test_an_answer_measures_the_same_whatever_unit_a_block_is_stated_in() -> None:
    # Doors counted in thousandths and windows in hundreds: the same LP, its answer and
    # duals restated in those units, each block's declared scale following its unit.
    unit = np.array([1e-3, 100.0])
    hours = np.array([1.0, 0.01, 1.0])
    answers = []
    for per_unit, per_hour in ((np.ones(2), np.ones(3)), (unit, hours)):
        lp = LinearProgram("max")
        make = lp.add_variables("make", {"product": PRODUCTS}, scale=1.0 / per_unit)
        lp.add_constraints(
            "plant",
            {"plant": PLANTS},
            [(make, USE * per_unit[None, :] / per_hour[:, None])],
            "<=",
            HOURS / per_hour,
            scale=1.0 / per_hour,
        )
        lp.set_objective({"make": PROFIT * per_unit})
        # An approximate answer: the optimum (2, 6) off by 1 %, prices (0, 1.5, 1) by 2 %.
        values = np.array([2.02, 6.06]) / per_unit
        duals = -np.array([0.0, 1.53, 1.02]) * per_hour
        answers.append(measure(lp.arrays(), values, duals, lp.scales()))
    stated, restated = answers
    assert stated.worst > 1e-3
    for field in ("primal_infeasibility", "dual_infeasibility", "gap", "largest_violation"):
        assert getattr(restated, field) == pytest.approx(getattr(stated, field), rel=1e-9)


def test_an_answer_planlab_does_not_accept_is_finished_by_or_tools_from_it(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # HiGHS's PDLP calls an answer optimal that is 5 % off (its own criterion is looser on
    # some LPs); OR-Tools' PDLP takes it on from there to planlab's measures.
    lp = wyndor()
    run_highs = LinearProgram._run_highs

    def off(self: LinearProgram, arrays: Arrays, *args: Any) -> Any:
        highs, ended, status, (values, duals, _) = run_highs(self, arrays, *args)
        values, duals = values * 1.05, duals * 0.95
        return highs, ended, status, (values, duals, measure(arrays, values, duals))

    monkeypatch.setattr(LinearProgram, "_run_highs", off)
    solution = lp.solve(method="pdlp", tolerance=1e-6)
    assert solution.status is Status.OPTIMAL and solution.runs == 2
    assert max(solution.primal_infeasibility, solution.dual_infeasibility, solution.gap) <= 1e-6
    np.testing.assert_allclose(solution.values, [2.0, 6.0], atol=1e-4)
