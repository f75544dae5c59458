"""planlab's own reduction of an LP: exact answers stay exact on the whole LP."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest
import scipy.sparse as sp

from _economies import random_economy
from planlab.economy import Economy, load_builtin
from planlab.plan import PlanSettings
from planlab.plan import highs as highs_module
from planlab.plan import reduction as reduction_module
from planlab.plan.build import _with_targets
from planlab.plan.formulation import make_targets
from planlab.plan.highs import REDUCED, run_highs
from planlab.plan.reduction import reduce_lp
from planlab.plan.verify import Arrays, measure

FloatArray = np.ndarray


def _plan(economy: Economy, factor: float = 2.0) -> Arrays:
    """The weighted plan LP in the blocks' units, every branch asked for ``factor`` times."""
    levels = {s: factor * x for s, x in zip(economy.names, economy.gross_output, strict=True)}
    targets = make_targets(economy, 5, levels)
    model = _with_targets(economy, PlanSettings(years=5), targets, "weighted", {}, cap=1.0)
    return model.lp.arrays(scaled=True)


def _exact(arrays: Arrays) -> tuple[FloatArray, FloatArray]:
    _, run = run_highs(arrays, {"solver": "simplex"})
    assert run.values is not None and run.duals is not None
    return run.values, run.duals


ECONOMIES = {
    "ussr-1928": lambda: load_builtin("ussr-1928"),
    "random": lambda: random_economy(3, 30, rich=True),
}


@pytest.mark.parametrize("name", sorted(ECONOMIES))
def test_an_exact_answer_of_the_reduced_plan_is_exact_on_the_whole_plan(name: str) -> None:
    whole = _plan(ECONOMIES[name]())
    reduction = reduce_lp(whole)
    rows, columns = reduction.arrays.matrix.shape
    assert rows < whole.matrix.shape[0]
    bound_fixed = int(np.sum(whole.col_lower == whole.col_upper))
    assert columns < whole.matrix.shape[1] - bound_fixed  # more than the fixed columns go
    values, duals = reduction.expand(*_exact(reduction.arrays))
    assert (values.size, duals.size) == (whole.matrix.shape[1], whole.matrix.shape[0])
    quality = measure(whole, values, duals)
    assert quality.worst < 1e-8
    reference = measure(whole, *_exact(whole))
    assert quality.primal_objective == pytest.approx(reference.primal_objective, rel=1e-9)


def test_without_pricing_the_singleton_rows_the_duals_of_the_whole_plan_fail(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    whole = _plan(load_builtin("ussr-1928"))
    reduction = reduce_lp(whole)
    answer = _exact(reduction.arrays)
    monkeypatch.setattr(reduction_module.Pass, "price_singletons", lambda self, y, duals: None)
    quality = measure(whole, *reduction.expand(*answer))
    assert quality.primal_infeasibility < 1e-8
    assert max(quality.dual_infeasibility, quality.gap) > 1e-3


def test_without_their_values_the_columns_taken_out_break_the_whole_plan() -> None:
    whole = _plan(load_builtin("ussr-1928"))
    reduction = reduce_lp(whole)
    values, duals = reduction.expand(*_exact(reduction.arrays))
    taken = reduction.passes[0].fixed & (values != 0)
    assert taken.any()
    assert measure(whole, np.where(taken, 0.0, values), duals).primal_infeasibility > 1e-3


def test_without_the_dominated_columns_less_is_taken_out(monkeypatch: pytest.MonkeyPatch) -> None:
    whole = _plan(load_builtin("ussr-1928"))
    columns = reduce_lp(whole).arrays.matrix.shape[1]
    none = np.zeros(whole.matrix.shape[1], dtype=bool)
    monkeypatch.setattr(
        reduction_module, "_dominated", lambda lp: (none[: lp.matrix.shape[1]],) * 2
    )
    assert reduce_lp(whole).arrays.matrix.shape[1] > columns


def test_an_lp_the_reductions_find_infeasible_is_left_whole() -> None:
    # x0 in [0, 1] but its singleton row asks x0 >= 2.
    crossing = Arrays(
        matrix=sp.csc_array(np.array([[1.0, 0.0], [1.0, 1.0]])),
        cost=np.array([1.0, 1.0]),
        col_lower=np.zeros(2),
        col_upper=np.ones(2),
        row_lower=np.array([2.0, 0.0]),
        row_upper=np.array([np.inf, 3.0]),
    )
    reduction = reduce_lp(crossing)
    assert not reduction.reduced and reduction.arrays is crossing
    # An empty row (its only column fixed at 1) outside its bounds.
    empty = Arrays(
        matrix=sp.csc_array(np.array([[1.0, 0.0], [0.0, 1.0]])),
        cost=np.array([1.0, 1.0]),
        col_lower=np.array([1.0, 0.0]),
        col_upper=np.array([1.0, 1.0]),
        row_lower=np.array([2.0, 0.0]),
        row_upper=np.array([np.inf, 1.0]),
    )
    assert not reduce_lp(empty).reduced


def test_highs_handed_the_reduction_answers_for_the_whole_lp() -> None:
    whole = _plan(load_builtin("ussr-1928"))
    highs, run = run_highs(whole, {"solver": "simplex", REDUCED: True})
    # No instance comes back: what it could tell (a conflict) would be of the reduced LP.
    assert highs is None and run.values is not None and run.duals is not None
    assert (run.values.size, run.duals.size) == (whole.matrix.shape[1], whole.matrix.shape[0])
    quality = measure(whole, run.values, run.duals)
    assert quality.worst < 1e-8
    reference = measure(whole, *_exact(whole))
    assert quality.primal_objective == pytest.approx(reference.primal_objective, rel=1e-9)


def test_without_the_option_highs_is_handed_the_whole_lp(monkeypatch: pytest.MonkeyPatch) -> None:
    whole = _plan(load_builtin("ussr-1928"))
    handed: list[tuple[int, int]] = []
    original = highs_module.pass_model

    def recording(highs: Any, model: Arrays) -> None:
        handed.append(model.matrix.shape)
        original(highs, model)

    monkeypatch.setattr(highs_module, "pass_model", recording)
    run_highs(whole, {"solver": "simplex"})
    run_highs(whole, {"solver": "simplex", REDUCED: False})
    run_highs(whole, {"solver": "simplex", REDUCED: True})
    assert handed[:2] == [whole.matrix.shape] * 2
    assert handed[2] == reduce_lp(whole).arrays.matrix.shape != whole.matrix.shape
