"""Each stage of the month on a case small enough to compute by hand."""

from __future__ import annotations

import dataclasses
from typing import Any

import numpy as np
import pytest
import scipy.sparse as sp

from planlab.economy import load_builtin
from planlab.plan.calendar import (
    construction_months,
    expansion_arrivals,
    expansion_cohorts,
    expansion_materials,
)
from planlab.scenarios import load_scenario
from planlab.simulate import Scenario, run
from planlab.simulate.agriculture import AggregateFarms
from planlab.simulate.construction import Pipeline
from planlab.simulate.engine import Model
from planlab.simulate.industry import produce, wear_and_brak
from planlab.simulate.markets import clear_markets
from planlab.simulate.params import Params, resolve
from planlab.simulate.stages import construction, discipline, production, target_path, targets
from planlab.simulate.state import initial_state
from planlab.simulate.trade import TradeMonth, trade


def test_produce_holds_each_branch_to_its_scarcest_input() -> None:
    # Branch 0 uses 0.2 of good 1 per unit, branch 1 uses 0.5 of good 0.
    A = sp.csc_array(np.array([[0.0, 0.5], [0.2, 0.0]]))
    output, use, ratio = produce(A, np.array([10.0, 10.0]), np.array([5.0, 1.0]))
    # Demand for inputs is (5, 2): good 0 fully there, good 1 at half.
    np.testing.assert_allclose(ratio, [1.0, 0.5])
    np.testing.assert_allclose(output, [5.0, 10.0])
    np.testing.assert_allclose(use, [5.0, 1.0])


def test_produce_draws_on_the_months_own_output_its_maker_first() -> None:
    """Steel needs 0.2 steel a unit, machines 0.5; no steel in stock, 0.6 of steel's output
    usable within the month. The mill serves its own 2 from its 6 usable first; the 4 left
    go to machines, which need 5: they run at 0.8 and the mill at its plan. Without the
    month's own output (stocks only) nothing can run."""
    A = sp.csc_array(np.array([[0.2, 0.5], [0.0, 0.0]]))
    planned = np.array([10.0, 10.0])
    output, use, share = produce(A, planned, np.zeros(2), np.array([0.6, 1.0]))
    np.testing.assert_allclose(output, [10.0, 8.0])
    np.testing.assert_allclose(use, [0.2 * 10 + 0.5 * 8, 0.0])
    np.testing.assert_allclose(share, [0.8, 1.0])
    stalled, _, _ = produce(A, planned, np.zeros(2))
    np.testing.assert_allclose(stalled, [0.0, 0.0])


def test_produce_with_ample_stocks_makes_the_plan() -> None:
    A = sp.csc_array(np.array([[0.1, 0.2], [0.3, 0.1]]))
    planned = np.array([4.0, 6.0])
    output, use, ratio = produce(A, planned, np.array([100.0, 100.0]))
    np.testing.assert_allclose(output, planned)
    np.testing.assert_allclose(use, [0.1 * 4 + 0.2 * 6, 0.3 * 4 + 0.1 * 6])
    np.testing.assert_allclose(ratio, 1.0)


def test_wear_and_brak_rise_with_overuse() -> None:
    overuse, wear, brak = wear_and_brak(
        np.array([120.0, 50.0]), np.array([100.0, 100.0]), np.array([0.12, 0.12]), 2.0, 0.01, 0.5
    )
    np.testing.assert_allclose(overuse, [0.2, 0.0])
    # A month's wear: capacity * depreciation / 12 * (1 + elasticity * overuse).
    np.testing.assert_allclose(wear, [100 * 0.01 * 1.4, 100 * 0.01])
    np.testing.assert_allclose(brak, [0.01 + 0.5 * 0.2, 0.01])


def test_clear_markets_sells_in_shops_then_on_the_free_market() -> None:
    market = clear_markets(
        basket=np.array([1.0, 0.0]),
        available=np.array([10.0, 0.0]),
        free_supply=np.array([0.0, 4.0]),
        workers_money=100.0,
        peasants_money=0.0,
        velocity=0.5,
        retail_price=2.0,
        price_floor=1.0,
        market_open=True,
    )
    # 50 wanted; 10 units in the shops at 2 take 20; 30 bid for 4 units: price 7.5.
    np.testing.assert_allclose(market.retail, [10.0, 0.0])
    assert market.retail_receipts == pytest.approx(20.0)
    assert market.shortage == pytest.approx(0.6)
    assert market.free_price == pytest.approx(7.5)
    np.testing.assert_allclose(market.free_sold, [0.0, 4.0])
    assert market.free_receipts == pytest.approx(30.0)
    assert market.workers_spent == pytest.approx(50.0)
    assert market.peasants_spent == pytest.approx(0.0)


TRADE_MONTH: dict[str, Any] = {
    "stocks": np.array([10.0]),
    "export_wish": np.array([4.0]),
    "export_price": np.array([2.0]),
    "import_wish": np.array([3.0]),
    "import_price": np.array([3.0]),
    "machinery": np.array([False]),
    "machinery_weight": 1.0,
    "reserves": 0.0,
    "reserve_floor": 0.0,
    "debt": 0.0,
    "credit_room": 0.0,
    "interest": 0.06,
    "term_years": 3.0,
}
"""A month of trade small enough to follow by hand; tests change what they need."""


def _trade(**changes: Any) -> TradeMonth:
    return trade(**{**TRADE_MONTH, **changes})


def test_trade_pays_imports_from_earnings_then_reserves_then_credit() -> None:
    roomy = _trade(reserves=5.0, credit_room=0.5)
    assert roomy.earnings == pytest.approx(8.0)
    np.testing.assert_allclose(roomy.imports, [3.0])
    assert roomy.credit_drawn == 0.0
    assert roomy.reserves == pytest.approx(4.0)
    short = _trade(reserves=0.0, credit_room=0.5)
    # 9 wanted, 8 earned, 0.5 of credit: imports cut to 8.5 / 9 of the wish.
    assert short.credit_drawn == pytest.approx(0.5)
    np.testing.assert_allclose(short.imports, [3.0 * 8.5 / 9.0])
    assert short.reserves == pytest.approx(0.0)
    assert short.debt == pytest.approx(0.5)


def test_trade_under_a_plan_draws_the_years_credit_before_reserves() -> None:
    planned = _trade(reserves=5.0, credit_room=0.5, credit_first=True)
    assert planned.credit_drawn == pytest.approx(0.5)
    np.testing.assert_allclose(planned.imports, [3.0])
    assert planned.reserves == pytest.approx(4.5)


def test_pipeline_builds_as_materials_allow_and_cancels_the_lowest_priority() -> None:
    B = sp.csr_array(np.array([[2.0]]))
    pipeline = Pipeline.empty(1, 4, np.array([2.0]))
    pipeline.start(0, np.array([4.0]))
    # Full pace: half the project a month, 2 units of material per unit of capacity.
    np.testing.assert_allclose(pipeline.material_demand(B), [4.0])
    materials, finished = pipeline.advance(B, np.array([10.0]), np.array([0.0]))
    np.testing.assert_allclose(materials, [4.0])
    np.testing.assert_allclose(finished, [0.0])
    # Half the materials: a quarter of the project.
    materials, finished = pipeline.advance(B, np.array([2.0]), np.array([0.0]))
    np.testing.assert_allclose(materials, [2.0])
    assert pipeline.left[0, 0] == pytest.approx(0.25)
    materials, finished = pipeline.advance(B, np.array([10.0]), np.array([0.0]))
    np.testing.assert_allclose(materials, [2.0])
    np.testing.assert_allclose(finished, [4.0])
    two = Pipeline.empty(2, 2, np.array([2.0, 2.0]))
    two.start(0, np.array([1.0, 1.0]))
    cancelled = two.cancel(0.1, np.array([1, 0], dtype=np.int64), sp.csr_array(np.eye(2)))
    np.testing.assert_allclose(cancelled, [0.0, 1.0])


def test_pipeline_copy_is_independent() -> None:
    pipeline = Pipeline.empty(1, 2, np.array([2.0]))
    copy = pipeline.copy()
    copy.start(0, np.array([1.0]))
    assert pipeline.under_construction()[0] == 0.0
    assert copy.under_construction()[0] == 1.0


def _textbook(months: int = 24, **fields: object) -> Scenario:
    economy = load_builtin("textbook-3")
    base = Scenario(
        name="textbook",
        economy=economy.replace(vectors={"depreciation": np.full(economy.n, 0.06)}),
        start=load_scenario("ussr-1928").start,
        months=months,
        policies={},
        parameters={},
        exogenous={},
        initial={},
    )
    return dataclasses.replace(base, **fields)


def test_inherited_renewal_keeps_capacity_whole_for_its_years() -> None:
    p = resolve(_textbook())
    s = initial_state(p)
    path = target_path(p)
    for t in range(12):
        rate = targets(p, s, t, path)
        s, made = production(p, s, t, rate, _farms(p))
        s, _ = construction(p, s, t, made)
    # Lag 0: twelve months of renewal, each replacing that month's wear.
    np.testing.assert_allclose(s.capacity, p.economy.capacity, rtol=1e-12)
    for t in range(12, 24):
        rate = targets(p, s, t, path)
        s, made = production(p, s, t, rate, _farms(p))
        s, _ = construction(p, s, t, made)
    expected = p.economy.capacity * (1.0 - 0.06 / 12.0) ** 12
    np.testing.assert_allclose(s.capacity, expected, rtol=1e-12)


def _farms(p: Params) -> AggregateFarms:
    return AggregateFarms.from_base(
        p.economy, p.farm, p.A_stock, p.A_farm, p.parameter["urban_food_share"]
    )


def test_discipline_ratchets_a_fulfilled_quarter_only() -> None:
    p = resolve(_textbook())
    p = dataclasses.replace(p, policy={**p.policy, "ratchet": np.full(p.months + 1, 0.1)})
    s = initial_state(p)
    path = target_path(p)
    made = production(p, s, 0, targets(p, s, 0, path), _farms(p))[1]
    s_after = s
    for t in range(3):
        s_after, _ = discipline(p, s_after, t, made.output * 12.0, made, path)
    np.testing.assert_allclose(s_after.ratchet_factor, 1.1)
    missed = s
    for t in range(3):
        missed, _ = discipline(p, missed, t, made.output * 12.0 * 2.0, made, path)
    np.testing.assert_allclose(missed.ratchet_factor, 1.0)


def test_stepping_a_model_gives_the_run() -> None:
    scenario = load_scenario("ussr-1928")
    whole = run(scenario, months=6, seed=3)
    model = Model(scenario, months=6, seed=3)
    states = [model.step() for _ in range(6)]
    assert model.done
    assert states[-1] is model.state
    stepped = model.result()
    for name, values in whole.history.items():
        np.testing.assert_array_equal(values, stepped.history[name], err_msg=name)
    with pytest.raises(IndexError):
        model.step()


def test_the_world_market_pays_less_for_more_of_a_good() -> None:
    """On the demand curve a bigger volume sells at a lower price; with an infinite
    elasticity (a price-taker) at the world price whatever the volume."""

    def earnings(volume: float, elasticity: float) -> float:
        month = _trade(
            stocks=np.array([100.0]),
            export_wish=np.array([volume]),
            import_wish=np.array([0.0]),
            export_reference=np.array([10.0]),
            elasticity=elasticity,
        )
        return month.earnings

    assert earnings(10.0, 2.0) == pytest.approx(20.0)
    assert earnings(40.0, 2.0) == pytest.approx(2.0 * 40.0 * 4.0**-0.5)
    assert earnings(40.0, float("inf")) == pytest.approx(80.0)
    assert earnings(40.0, 0.5) < earnings(10.0, 0.5)  # inelastic: selling more earns less


def test_the_expansion_under_way_finishes_on_the_calendar_and_needs_its_materials() -> None:
    """Cohorts of the base year's expansion programme sit in the pipeline before the first
    month; with materials enough they finish month by month as the shared calendar says
    (the plan LP counts the same arrivals), and their remaining work is what the calendar's
    materials add up to."""
    economy = load_builtin("ussr-1928")
    size, left = expansion_cohorts(economy)
    months = 60
    arrivals = expansion_arrivals(economy, months)
    np.testing.assert_allclose(arrivals.sum(axis=1), size.sum(axis=1))
    remaining = np.asarray(economy.B @ (size * left).sum(axis=1), dtype=float)
    np.testing.assert_allclose(expansion_materials(economy, months).sum(axis=1), remaining)
    pipeline = Pipeline.empty(economy.n, size.shape[1], construction_months(economy))
    pipeline.size[:], pipeline.left[:] = size, left
    plenty = np.full(economy.n, np.inf)
    for month in range(months):
        _, finished = pipeline.advance(economy.B, plenty, np.zeros(economy.n))
        np.testing.assert_allclose(finished, arrivals[:, month], atol=1e-9)
    assert arrivals[economy.index("coal")].sum() > 0
