"""The first-order path (PDLP) against the exact one (simplex), and the checks of every answer.

Stated tolerance: PDLP asked for a relative accuracy of 1e-7 (``TIGHT``) gives
objectives within 1e-4 (relative), fulfilments within 1e-4 and shadow prices
within 1e-4 of the largest price of the exact solve, where the exact dual is
unique. (PDLP solves the model in each block's units, a branch's quantities over its
base-year output, so its accuracy holds for small branches as for large ones; a later
harmony level still moves with the rounding of the earlier ones: hence 1e-4, the
relative gap the benchmarks ask for.) At a degenerate optimum (textbook-3) the prices
are not unique, and PDLP's are checked as a valid dual instead: its dual infeasibility and gap,
measured by planlab, are within the tolerance.
"""

from __future__ import annotations

import threading
from typing import Any

import highspy
import numpy as np
import pandas as pd
import pytest

from _economies import random_economy
from planlab.economy import Economy, load_builtin
from planlab.errors import InputError
from planlab.plan import PlanResult, build, check_tempo, tempo
from planlab.plan import lp as lp_module
from planlab.plan.build import FIX_TOLERANCE, _with_targets, held
from planlab.plan.formulation import PlanSettings, Targets, make_targets
from planlab.plan.highs import run_highs
from planlab.plan.lp import EXACT_UP_TO, FIRST_ORDER, LinearProgram, Solution, Status
from planlab.plan.tempo import _fraction_model

TIGHT = 1e-7
OBJECTIVE_AGREE = 1e-4
FULFILMENT_AGREE = 1e-4
PRICE_AGREE = 1e-4


def _both(
    economy: Economy, objective: str, factor: float | None = None, method: str = "pdlp"
) -> tuple[PlanResult, PlanResult]:
    targets = (
        None
        if factor is None
        else {s: factor * x for s, x in zip(economy.names, economy.gross_output, strict=True)}
    )
    exact = build(economy, 5, targets, objective, method="simplex")
    first_order = build(economy, 5, targets, objective, method=method, tolerance=TIGHT)
    return exact, first_order


def _agree(exact: PlanResult, first_order: PlanResult, prices: bool) -> None:
    assert exact.status is first_order.status is Status.OPTIMAL
    assert exact.method == "simplex" and first_order.method in FIRST_ORDER
    assert first_order.objective_value == pytest.approx(exact.objective_value, rel=OBJECTIVE_AGREE)
    np.testing.assert_allclose(
        first_order.fulfilment["fulfilment"], exact.fulfilment["fulfilment"], atol=FULFILMENT_AGREE
    )
    for result in (exact, first_order):
        assert max(result.primal_infeasibility, result.dual_infeasibility, result.gap) <= TIGHT
    if prices:
        exact_prices = exact.shadow_prices["shadow_price"].to_numpy()
        scale = max(1.0, float(np.abs(exact_prices).max()))
        np.testing.assert_allclose(
            first_order.shadow_prices["shadow_price"].to_numpy(),
            exact_prices,
            atol=PRICE_AGREE * scale,
        )


@pytest.mark.parametrize("method", FIRST_ORDER)
@pytest.mark.parametrize("objective", ["harmony", "weighted"])
def test_textbook_plans_agree_between_pdlp_and_simplex(objective: str, method: str) -> None:
    _agree(*_both(load_builtin("textbook-3"), objective, method=method), prices=False)


@pytest.mark.parametrize("method", FIRST_ORDER)
def test_ussr_1928_weighted_plan_agrees_between_pdlp_and_simplex(method: str) -> None:
    _agree(*_both(load_builtin("ussr-1928"), "weighted", 1.6, method), prices=True)


ORTOOLS_HARMONY_OFF = pytest.mark.xfail(
    strict=True,
    reason="known defect: with OR-Tools' PDLP (asked for 1e-7) one target of economy 3's "
    "harmony plan rises 1.05e-4 above the common level of the exact plan; the held-target "
    "rule meets a degenerate maximin",
)


@pytest.mark.parametrize(
    ("seed", "objective", "method"),
    [
        (3, "harmony", "pdlp"),
        pytest.param(3, "harmony", "pdlp-ortools", marks=[ORTOOLS_HARMONY_OFF, pytest.mark.slow]),
        (3, "weighted", "pdlp"),
        (3, "weighted", "pdlp-ortools"),
        (4, "harmony", "pdlp"),
        (4, "weighted", "pdlp"),
    ],
)
def test_random_plans_agree_between_pdlp_and_simplex(
    seed: int, objective: str, method: str
) -> None:
    economy = random_economy(seed, 12, rich=True)
    _agree(*_both(economy, objective, 1.5, method), prices=objective == "harmony")


def test_exact_answers_measure_as_exact() -> None:
    plan = build(load_builtin("ussr-1928"), 5, method="simplex")
    assert plan.method == "simplex"
    assert max(plan.primal_infeasibility, plan.dual_infeasibility, plan.gap) < 1e-9


def test_auto_solves_small_plans_exactly_and_large_ones_first_order() -> None:
    small, large = LinearProgram(), LinearProgram()
    small.add_variables("x", {"i": range(10)})
    large.add_variables("x", {"i": range(EXACT_UP_TO + 1)})
    assert (small.choose("auto"), large.choose("auto")) == ("simplex", "pdlp")
    assert large.choose("simplex") == "simplex"
    assert build(load_builtin("textbook-3"), 3).method == "simplex"


def test_unknown_method_is_refused_with_the_rule() -> None:
    with pytest.raises(InputError, match="method"):
        build(load_builtin("textbook-3"), 3, method="barrier")


def _approximate(tolerance: float) -> Solution:
    empty = np.zeros(0)
    return Solution(Status.OPTIMAL, 1.0, empty, empty, empty, empty, 1.0, 0.0, tolerance=tolerance)


def test_harmony_holds_no_target_on_dual_noise_of_an_approximate_solve() -> None:
    # Two targets bind (duals near 1/2, rows tight); the third is slack but carries
    # a dual of the order of the first-order tolerance. An exact rule (dual > 1e-7)
    # would hold it at a level it can rise above.
    duals = np.array([0.49995, 0.49998, 3e-5])
    slack = np.array([2e-6, 0.0, 0.2])
    assert held(_approximate(1e-4), duals, slack, 1.3).tolist() == [0, 1]
    assert (duals > FIX_TOLERANCE).all()
    assert held(_approximate(0.0), duals, np.zeros(3), 1.3).tolist() == [0, 1, 2]


def test_harmony_holds_the_dearest_target_when_none_is_tight_enough() -> None:
    duals = np.array([0.3, 0.7])
    slack = np.array([0.01, 0.02])
    assert held(_approximate(1e-4), duals, slack, 1.0).tolist() == [1]
    assert held(_approximate(1e-4), np.array([0.0, 1e-6]), slack, 1.0).tolist() == [0, 1]


def _tempo_case(case: str) -> tuple[Economy, dict[str, float]]:
    """A tempo with its economy: ``ussr-1928`` with 10 % reserve capacity, or random economy k."""
    if case == "ussr-1928":
        ussr = load_builtin("ussr-1928")
        reserve = ussr.replace(vectors={"capacity": ussr.gross_output * 1.1})
        return reserve, {"coal": 0.2, "iron_steel": 0.2}
    return random_economy(int(case), 12, rich=True), {"s0": 0.3, "s1": 0.3}


@pytest.mark.parametrize("method", FIRST_ORDER)
@pytest.mark.parametrize("case", ["ussr-1928", "3", "4", "5"])
def test_tempo_check_by_pdlp_agrees_with_the_exact_one(case: str, method: str) -> None:
    economy, growth = _tempo_case(case)
    exact = check_tempo(economy, growth, 5, method="simplex", attainable=False)
    first_order = check_tempo(economy, growth, 5, method=method, attainable=False, tolerance=TIGHT)
    assert 0 < exact.max_fraction < 1
    assert first_order.feasible == exact.feasible
    assert first_order.max_fraction == pytest.approx(exact.max_fraction, rel=OBJECTIVE_AGREE)
    assert np.isnan(list(first_order.attainable_growth.values())).all()
    # The dearest bottleneck is one of the exact solve's dearest, which may tie: a balance
    # and the floor of the same good and year (economy 4), a branch's capacity and its
    # capacity flow (economy 3) carry one price.
    where = ["constraint", "sector", "year"]
    top = exact.bottlenecks["shadow_price"].iloc[0]
    dearest = exact.bottlenecks[exact.bottlenecks["shadow_price"] >= top * (1 - PRICE_AGREE)]
    assert first_order.bottlenecks.iloc[0][where].tolist() in dearest[where].values.tolist()
    # Its price is the fraction's per unit of relaxation: the weight of θ in the first-order
    # objective (FRACTION_WEIGHT) is taken off again.
    assert first_order.bottlenecks["shadow_price"].iloc[0] == pytest.approx(
        exact.bottlenecks["shadow_price"].iloc[0], rel=PRICE_AGREE
    )


def _recording_threads(monkeypatch: pytest.MonkeyPatch) -> list[bool]:
    """Whether each disproportions LP of the checks to come is solved in the main thread."""
    seen: list[bool] = []
    original = tempo._disproportions

    def recording(*args: Any, **kwargs: Any) -> pd.DataFrame:
        seen.append(threading.current_thread() is threading.main_thread())
        return original(*args, **kwargs)

    monkeypatch.setattr(tempo, "_disproportions", recording)
    return seen


def test_the_disproportions_solved_beside_the_fraction_are_those_solved_after_it(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # HiGHS's PDLP takes no start, so the disproportions need nothing of the fraction's
    # answer: solved in a second thread on a model of their own, they are the same table.
    economy, growth = _tempo_case("4")
    seen = _recording_threads(monkeypatch)
    after = check_tempo(economy, growth, 5, method="pdlp", attainable=False, parallel=False)
    beside = check_tempo(economy, growth, 5, method="pdlp", attainable=False, parallel=True)
    assert seen == [True, False]
    assert not after.feasible and not after.disproportions.empty
    assert beside.max_fraction == after.max_fraction
    pd.testing.assert_frame_equal(beside.bottlenecks, after.bottlenecks)
    pd.testing.assert_frame_equal(beside.disproportions, after.disproportions)
    assert set(beside.cpu_seconds) == {"fraction", "disproportions", "attainable"}
    assert beside.cpu_seconds["disproportions"] > 0


def test_the_disproportions_go_beside_the_fraction_by_default_only_for_first_order_on_two_cores(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    economy, growth = _tempo_case("4")
    seen = _recording_threads(monkeypatch)
    monkeypatch.setattr(tempo, "usable_cores", lambda: 2)
    check_tempo(economy, growth, 5, method="pdlp", attainable=False)
    check_tempo(economy, growth, 5, method="simplex", attainable=False)
    monkeypatch.setattr(tempo, "usable_cores", lambda: 1)
    check_tempo(economy, growth, 5, method="pdlp", attainable=False)
    assert seen == [False, True, True]


SMALL_FRACTION_AGREE = 5e-3
"""A first-order fraction at the default tolerance, relative to the exact one, where the
fraction is small. The primal measure still lets a few rows be off by up to the
tolerance's share of their branch's output, which can raise θ a little (1.8e-3 of itself
measured on this case, either solver); a gap measured absolutely let it fall by 0.9 %
(HiGHS) and 1.6 % (OR-Tools)."""


@pytest.mark.parametrize("method", FIRST_ORDER)
def test_a_small_fraction_is_found_relative_to_itself(method: str) -> None:
    # Economy 6 asked for 200 % a year in two branches: a fraction of 0.3 %, where a gap
    # relative to 1 + θ would be an absolute test. The fraction LP weights θ
    # (FRACTION_WEIGHT) so that the gap is relative to θ itself.
    economy, growth = random_economy(6, 12, rich=True), {"s0": 2.0, "s1": 2.0}
    exact = check_tempo(economy, growth, 5, method="simplex", attainable=False)
    first_order = check_tempo(economy, growth, 5, method=method, attainable=False)
    assert 0 < exact.max_fraction < 0.01
    assert first_order.max_fraction == pytest.approx(exact.max_fraction, rel=SMALL_FRACTION_AGREE)


def test_tempo_check_without_an_answer_does_not_claim_a_conflict(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    def stopped(self: LinearProgram, **_: object) -> Solution:
        empty = np.zeros(0)
        runs = (("hipdlp", "iteration limit"), ("pdlp", "iteration limit"), ("ortools", "other"))
        nan = np.nan
        return Solution(
            Status.OTHER, nan, empty, empty, empty, empty, nan, 0.0, method="pdlp", solvers=runs
        )

    monkeypatch.setattr(LinearProgram, "solve", stopped)
    report = check_tempo(load_builtin("textbook-3"), {"industry_1": 0.1}, 3)
    assert report.status is Status.OTHER and not report.feasible
    assert "not decided" in report.message and "conflict" not in report.message


def _doubled(economy: Economy) -> Targets:
    """Every branch asked for twice its base-year output in the plan's fifth year."""
    levels = {s: 2.0 * x for s, x in zip(economy.names, economy.gross_output, strict=True)}
    return make_targets(economy, 5, levels)


def test_an_lp_highs_does_not_converge_on_goes_to_its_other_pdlp_then_to_ortools(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # HiGHS's PDLP returns no point when it stops at its iteration limit; planlab then
    # solves the LP afresh by HiGHS's other PDLP (cuPDLP-C) and, if that stops too, by
    # OR-Tools' PDLP, instead of giving up or running on.
    economy = load_builtin("ussr-1928")
    targets = _doubled(economy)
    used: list[str] = []
    original = LinearProgram._run_highs

    def recording(self: LinearProgram, *args: Any) -> Any:
        used.append(args[-1])
        return original(self, *args)

    monkeypatch.setattr(LinearProgram, "_run_highs", recording)

    def solve(limit: int) -> Solution:
        monkeypatch.setattr(lp_module, "PDLP_ITERATIONS", limit)
        used.clear()
        model = _with_targets(economy, PlanSettings(years=5), targets, "weighted", {}, cap=1.0)
        return model.lp.solve(method="pdlp")

    full = solve(lp_module.PDLP_ITERATIONS)
    assert full.status is Status.OPTIMAL and full.runs == 1
    assert used == [lp_module.HIGHS_FIRST_ORDER]
    cut = solve(5)
    assert used == [lp_module.HIGHS_FIRST_ORDER, lp_module.HIGHS_FALLBACK]
    assert cut.status is Status.OPTIMAL and cut.runs >= 3
    assert cut.objective == pytest.approx(full.objective, rel=1e-3)
    # Above LARGE_ABOVE columns hipdlp without Pock-Chambolle's scaling comes first.
    monkeypatch.setattr(lp_module, "LARGE_ABOVE", 0)
    large = solve(40_000)
    assert used == [lp_module.HIGHS_LARGE]
    assert large.solvers == ((lp_module.HIGHS_LARGE, "optimal"),)
    assert large.status is Status.OPTIMAL
    assert large.objective == pytest.approx(full.objective, rel=1e-3)


def test_the_large_lps_code_is_hipdlp_with_its_other_scaling() -> None:
    # HiGHS's PDLP is deterministic: the same LP by the same code gives the same point, so a
    # different point says the large LPs' code reaches HiGHS with its own scaling.
    economy = load_builtin("ussr-1928")
    targets = _doubled(economy)
    model = _with_targets(economy, PlanSettings(years=5), targets, "weighted", {}, cap=1.0)
    arrays = model.lp.arrays(scaled=True)

    def point(code: str) -> np.ndarray:
        _, run = run_highs(arrays, lp_module._highs_options("pdlp", 1e-4, None, code))
        assert run.status == highspy.HighsModelStatus.kOptimal and run.values is not None
        return run.values

    default = point(lp_module.HIGHS_FIRST_ORDER)
    np.testing.assert_array_equal(point(lp_module.HIGHS_FIRST_ORDER), default)
    assert not np.array_equal(point(lp_module.HIGHS_LARGE), default)


def test_a_margin_asks_highs_for_more_accuracy_and_accepts_at_the_tolerance() -> None:
    # The tempo check asks HiGHS's PDLP for tolerance / margin on its disproportions LP
    # (tempo.DISPROPORTIONS_MARGIN): the answer measures tighter, accepted at the tolerance.
    economy, growth = load_builtin("ussr-1928"), {"coal": 0.3, "iron_steel": 0.3}
    loose = 1e-3
    worst = {}
    for margin in (1.0, 100.0):
        model, _ = _fraction_model(economy, PlanSettings(years=5), growth, "pdlp")
        solution = model.lp.solve(method="pdlp", tolerance=loose, margin=margin)
        assert solution.status is Status.OPTIMAL and solution.tolerance == loose
        worst[margin] = max(
            solution.primal_infeasibility, solution.dual_infeasibility, solution.gap
        )
    assert worst[100.0] < worst[1.0] and worst[100.0] <= loose / 10
    with pytest.raises(ValueError, match="margin"):
        model.lp.solve(method="pdlp", margin=0.5)


def test_where_highs_presolve_would_not_fit_planlabs_reduction_is_solved(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # HiGHS's presolve takes about 100 bytes per nonzero; where the memory available is
    # less, cuPDLP-C is handed planlab's own reduction of the LP without it.
    economy = load_builtin("ussr-1928")
    targets = _doubled(economy)

    def solve() -> Solution:
        model = _with_targets(economy, PlanSettings(years=5), targets, "weighted", {}, cap=1.0)
        return model.lp.solve(method="pdlp")

    monkeypatch.setattr(lp_module, "available_memory", lambda: None)
    unknown = solve()
    assert unknown.solvers[0][0] == lp_module.HIGHS_FIRST_ORDER
    nonzeros = (
        _with_targets(economy, PlanSettings(years=5), targets, "weighted", {}, cap=1.0)
        .lp.arrays(True)
        .matrix.nnz
    )
    needed = int(lp_module.PRESOLVE_BYTES_PER_NONZERO * nonzeros)
    monkeypatch.setattr(lp_module, "available_memory", lambda: needed)
    assert solve().solvers[0][0] == lp_module.HIGHS_FIRST_ORDER
    monkeypatch.setattr(lp_module, "available_memory", lambda: needed - 1)
    short = solve()
    assert short.solvers == ((lp_module.HIGHS_REDUCED, "optimal"),)
    assert short.status is Status.OPTIMAL
    assert max(short.primal_infeasibility, short.dual_infeasibility, short.gap) <= 1e-4
    assert short.objective == pytest.approx(unknown.objective, rel=1e-3)


def test_an_lp_too_large_for_the_memory_of_either_path_is_refused_in_one_line(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    economy = load_builtin("ussr-1928")
    targets = _doubled(economy)
    model = _with_targets(economy, PlanSettings(years=5), targets, "weighted", {}, cap=1.0)
    nonzeros = model.lp.arrays(True).matrix.nnz
    needed = int(lp_module.REDUCED_BYTES_PER_NONZERO * nonzeros)
    monkeypatch.setattr(lp_module, "available_memory", lambda: needed)
    assert model.lp.solve(method="pdlp").solvers[0][0] == lp_module.HIGHS_REDUCED
    monkeypatch.setattr(lp_module, "available_memory", lambda: needed - 1)
    with pytest.raises(lp_module.MemoryShortError) as refused:
        model.lp.solve(method="pdlp")
    message = str(refused.value)
    assert "\n" not in message and f"{nonzeros:,} nonzeros" in message
    # Exact methods are not the first-order path and are not refused.
    assert model.lp.solve(method="simplex").status is Status.OPTIMAL
