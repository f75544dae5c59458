"""The peasant's grain: the stock balance, the quota's first claim on collectives, sowing and
selling by grain's terms of trade, and the directions they give the full model."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from planlab.plan.calendar import MONTHS_PER_YEAR
from planlab.simulate._household_month import INDIVIDUAL, REMOVED
from planlab.simulate.fodder import FodderRules, feed_herds, monthly_ration
from planlab.simulate.grain import (
    GrainRules,
    _grain_pass,
    farm_month,
    grain_month,
    household_inputs,
    hunger,
    quota_in_tonnes,
    sown_share,
)
from test_household_farms import household_run, with_policies

amounts = arrays(np.float64, 20, elements=st.floats(0.0, 10.0))
shares = arrays(np.float64, 20, elements=st.floats(0.0, 1.0))


@settings(max_examples=60, deadline=None)
@given(
    amounts,
    amounts,
    amounts,
    amounts,
    amounts,
    shares,
    arrays(np.bool_, 20),
    st.floats(0.0, 100.0),
    st.booleans(),
)
def test_every_tonne_is_accounted_for(
    stock: np.ndarray,
    harvest: np.ndarray,
    need: np.ndarray,
    quota: np.ndarray,
    reserve: np.ndarray,
    sell: np.ndarray,
    first: np.ndarray,
    cap: float,
    exchange: bool,
) -> None:
    weight = np.linspace(1.0, 3.0, 20)
    before = float(stock @ weight)
    after = stock.copy()
    f = grain_month(after, weight, harvest, need, quota, reserve, sell, first, cap, exchange)
    balance = before + f.hoarded
    assert float(after @ weight) == pytest.approx(balance, rel=1e-9, abs=1e-9)
    assert (after >= -1e-12).all()
    assert min(f.eaten, f.delivered, f.sold, f.hungry) >= 0.0
    assert f.delivered <= float(quota @ weight) + 1e-9
    assert f.eaten <= float(need @ weight) + 1e-9
    assert f.delivered + f.sold <= cap + 1e-9


def test_a_collectives_quota_comes_before_its_members_eat() -> None:
    one = np.ones(2)
    stock = np.zeros(2)
    f = grain_month(
        stock,
        one,
        np.array([1.0, 1.0]),
        np.full(2, 1.0),
        np.full(2, 0.6),
        np.zeros(2),
        np.zeros(2),
        first_claim=np.array([True, False]),
    )
    # the collective delivers 0.6 and eats 0.4; the individual farm eats first, delivers nothing
    assert f.delivered == 0.6
    assert f.eaten == 1.4


def test_neighbours_feed_the_short_only_while_the_market_is_open() -> None:
    grown, need = np.array([3.0, 0.0]), np.array([1.0, 1.0])
    args = (np.ones(2), grown, need, np.zeros(2), np.zeros(2), np.ones(2))
    open_ = grain_month(np.zeros(2), *args, exchange=True)
    closed = grain_month(np.zeros(2), *args, exchange=False)
    assert open_.hungry == 0.0 and open_.sold == 1.0
    assert closed.hungry == 1.0 and closed.sold == 2.0


def test_worse_terms_of_trade_mean_less_sown_by_individual_farms_only() -> None:
    member = np.array([False, True])
    rules = GrainRules()
    shares = [sown_share(t, member, rules) for t in (1.5, 1.0, 0.7, 0.4, 0.05)]
    individual = [s[0] for s in shares]
    assert individual == sorted(individual, reverse=True)
    assert individual[0] == 1.0 and individual[-1] == rules.sow_floor
    assert all(s[1] == 1.0 for s in shares)


def test_a_closed_market_fills_the_peasants_granaries_and_leaves_the_poor_short() -> None:
    open_ = household_run(with_policies(market_open=1.0), months=8).wide()
    closed = household_run(with_policies(market_open=0.0), months=8).wide()
    assert closed["peasant_grain_stocks_mt"].iloc[-1] > open_["peasant_grain_stocks_mt"].iloc[-1]
    assert closed["grain_hunger_share"].iloc[-1] > open_["grain_hunger_share"].iloc[-1]


def test_harder_procurement_takes_more_grain_and_empties_the_granaries() -> None:
    normal = household_run(with_policies(procurement_level=1.0), months=8).wide()
    hard = household_run(with_policies(procurement_level=1.6), months=8).wide()
    assert hard["grain_procurement_mt"].sum() > normal["grain_procurement_mt"].sum()
    assert hard["peasant_grain_stocks_mt"].iloc[-1] < normal["peasant_grain_stocks_mt"].iloc[-1]


def test_dear_manufactures_cut_the_spring_sowing_and_the_next_harvest() -> None:
    """The run starts in October; the sowing is decided in April, the harvest follows."""
    cheap = household_run(with_policies(turnover_tax=0.1), months=14).wide()
    dear = household_run(with_policies(turnover_tax=0.8), months=14).wide()
    assert dear["sown_share"].iloc[-1] < cheap["sown_share"].iloc[-1]
    assert dear["sown_share"].iloc[0] == pytest.approx(1.0)
    assert dear["grain_harvest_mt"].iloc[-3:].sum() < cheap["grain_harvest_mt"].iloc[-3:].sum()


def test_one_share_for_all_sells_as_the_same_share_for_each() -> None:
    rng = np.random.default_rng(4)
    args = [rng.uniform(0.0, 3.0, 50) for _ in range(5)]
    each, one = args[0].copy(), args[0].copy()
    rest = (np.ones(50), *args[1:])
    a = grain_month(each, *rest, np.full(50, 0.4), exchange=True)
    b = grain_month(one, *rest, np.array([0.4]), exchange=True)
    assert a == b
    assert np.array_equal(each, one)


def test_household_inputs_follow_the_rules_row_by_row() -> None:
    from planlab.simulate.grain import household_inputs

    rng = np.random.default_rng(8)
    n = 200
    grown, sown, family = rng.uniform(0, 5, n), rng.uniform(0.6, 1, n), rng.integers(1, 8, n) * 1.0
    status = rng.integers(0, 5, n).astype(np.int8)
    inflow, need, quota, reserve, member = household_inputs(
        grown, sown, family, status, 0.5, 0.3, 0.8, 1.5, 0.4, 3.0
    )
    present = status != 4
    assert np.array_equal(member, (status >= 1) & (status <= 3))
    assert inflow == pytest.approx(grown * sown * 0.5 * present)
    assert need == pytest.approx(family * 0.3 * present)
    surplus = np.maximum(inflow - need, 0.0)
    assert quota == pytest.approx(surplus * 0.8 * 1.5 * np.where(member, 1.4, 1.0))
    assert reserve == pytest.approx(need * 3.0 / 1.5)


def test_deliveries_cut_to_the_cap_leave_no_negative_room_for_sales() -> None:
    """Deliveries above what the state can take are cut to it; rounding can leave the room
    after them a hair below zero, which must not divide by a sale of nothing (it did)."""
    cap, due = 0.12088995980580641, 0.4535851451659355
    assert cap - due * (cap / due) < 0.0  # the rounding this case is chosen for
    one = np.ones(1)
    totals = _grain_pass(
        np.zeros(1),
        one,
        one,
        np.zeros(1),
        np.array([due]),
        np.zeros(1),
        np.zeros(1),
        np.ones(1, dtype=np.bool_),
        cap,
        True,
        np.zeros(0),
        np.zeros(0),
        np.zeros(0),
    )
    assert totals[2] == pytest.approx(cap)
    assert totals[3] == 0.0


@pytest.mark.parametrize("in_tonnes", [False, True])
@pytest.mark.parametrize("exchange", [False, True])
def test_the_fused_farm_month_follows_the_separate_rules(in_tonnes: bool, exchange: bool) -> None:
    """``farm_month`` gives the stocks, the herds' grain, the incomes, the families and the
    totals that ``household_inputs``, ``grain_month``, the income rule and ``hunger`` give
    one after the other, on households of every status (removed ones included)."""
    rng = np.random.default_rng(5)
    n, regions = 400, 3
    status = rng.integers(0, 5, n).astype(np.int8)
    region = rng.integers(0, regions, n).astype(np.int8)
    weight = rng.uniform(0.5, 2.0, n)
    family = rng.uniform(1.0, 8.0, n)
    workers = rng.integers(1, 4, n).astype(np.float32)
    grown = rng.uniform(0.0, 6.0, n)
    sown = rng.uniform(0.6, 1.0, n)
    herds = tuple(rng.uniform(0.0, 3.0, n) for _ in range(4))
    stock = rng.uniform(0.0, 2.0, n)
    livestock = rng.uniform(0.0, 50.0, n)
    per_head = np.array([0.06, 0.02, 0.03, 0.005])
    feed, scale, need_pp, rate, level, uplift, months = 40.0, 0.9, 0.02, 0.3, 1.2, 0.5, 3.0
    sell, cap, roubles, ration, deaths = 0.4, 150.0, 120.0, 0.016, 0.02
    present = status != REMOVED
    inflow, need, quota, reserve, first = household_inputs(
        grown, sown, family, status, scale, need_pp, rate, level, uplift, months
    )
    tonnes = np.zeros(0)
    if in_tonnes:
        tonnes = quota_in_tonnes(np.maximum(inflow - need, 0.0), weight * present, 90.0)
        quota, reserve, first = tonnes, need * months, present
    fodder = monthly_ration(*herds, tuple(per_head * MONTHS_PER_YEAR))
    rations = float(fodder @ (weight * present))
    expected_stock, eaten, fed = stock.copy(), np.zeros(n), np.zeros(n)
    flows = grain_month(
        expected_stock, weight, fodder * (feed / rations) + inflow, need, quota, reserve,
        np.array([sell]), first_claim=first, cap=cap, exchange=exchange, fodder=fodder,
        eaten_out=eaten, fed_out=fed,
    )  # fmt: skip
    expected_income = np.where(
        present, (np.maximum(inflow - quota, 0.0) - need) * roubles + livestock, 0.0
    )
    hungry = hunger(eaten, family, weight * present, ration, deaths)

    income, fed_out, family_out = np.zeros(n), np.zeros(n), family.copy()
    scalars = (feed, scale, need_pp, rate, level, uplift, months, sell, cap, roubles, ration)
    settings_ = np.array([*per_head, *scalars, deaths])
    herds_before = tuple(herd.copy() for herd in herds)
    totals, grain_kept, hands, feeding, _ = farm_month(
        stock, weight, status, region, family_out, workers, grown, sown, herds, settings_,
        tonnes, livestock, income, fed_out, exchange, regions, np.zeros(0), np.zeros(0),
    )  # fmt: skip
    assert not feeding.any()
    for herd, before in zip(herds, herds_before, strict=True):
        np.testing.assert_array_equal(herd, before)

    assert np.allclose(stock, expected_stock, rtol=1e-12, atol=1e-12)
    assert np.allclose(fed_out, fed, rtol=1e-12, atol=1e-12)
    assert np.allclose(income, expected_income, rtol=1e-12, atol=1e-9)
    assert np.allclose(family_out, family - family * hungry.gap * deaths, rtol=1e-12)
    grain_totals = (flows.harvest, flows.eaten, flows.delivered, flows.sold, flows.hungry)
    hunger_totals = (hungry.below, hungry.people, hungry.deaths / deaths)
    assert np.allclose(totals, [*grain_totals, flows.fed, *hunger_totals], rtol=1e-12)
    members = present & (status > INDIVIDUAL)
    kept = np.maximum(inflow - quota, 0.0) * weight
    for r in range(regions):
        here = region == r
        assert grain_kept[0, r] == pytest.approx(kept[here & (status == INDIVIDUAL)].sum())
        assert grain_kept[3, r] == pytest.approx(weight[here & members].sum())
        assert hands[2, r] == pytest.approx((workers * weight)[here & members].sum())


@pytest.mark.parametrize("first_month", [True, False])
def test_the_farm_month_feeds_the_herds_as_feed_herds_does(first_month: bool) -> None:
    """Feeding inside ``farm_month``'s last pass gives the herds, losses, needs and feed that
    ``feed_herds`` gives after it, with each region's roughage from its meadows (the herds'
    own ask in the first month) times the weather, shared by roughage ration."""
    rng = np.random.default_rng(9)
    n, regions = 500, 3
    status = rng.integers(0, 5, n).astype(np.int8)
    region = rng.integers(0, regions, n).astype(np.int8)
    weight = rng.uniform(0.5, 2.0, n)
    workers = rng.integers(1, 4, n).astype(np.float32)
    herds = tuple(rng.uniform(0.0, 3.0, n) for _ in range(4))
    columns = (rng.uniform(0.0, 6.0, n), rng.uniform(0.6, 1.0, n), rng.uniform(0.0, 2.0, n))
    family = rng.uniform(1.0, 8.0, n)
    rules = FodderRules()
    per_head = np.asarray(rules.grain_ration) / MONTHS_PER_YEAR
    scalars = (40.0, 0.9, 0.02, 0.3, 1.2, 0.5, 3.0, 0.4, 150.0, 120.0, 0.016, 0.02)
    settings_ = np.array([*per_head, *scalars])
    weather = 0.8
    meadows = np.zeros(0) if first_month else np.array([30.0, 0.0, 90.0])
    rough = np.asarray(rules.roughage_ration, dtype=np.float64) / MONTHS_PER_YEAR
    fodder = np.array([*rough, rules.roughage_feed_value, rules.unfed_loss, weather])

    def run(feeding: np.ndarray, fed: np.ndarray, own: tuple[np.ndarray, ...]) -> tuple:
        grown, sown, stock = (c.copy() for c in columns)
        return farm_month(
            stock, weight, status, region, family.copy(), workers, grown, sown,
            own, settings_, np.zeros(0), np.zeros(n), np.zeros(n), fed, True, regions,
            feeding, meadows,
        )  # fmt: skip

    fused_herds = tuple(h.copy() for h in herds)
    *_, feeding, asked = run(fodder, np.zeros(0), fused_herds)
    apart_herds = tuple(h.copy() for h in herds)
    fed = np.zeros(n)
    run(np.zeros(0), fed, apart_herds)
    ration = monthly_ration(*herds, rules.roughage_ration)
    present = status != REMOVED
    want_asked = np.bincount(region[present], (ration * weight)[present], regions)
    np.testing.assert_allclose(asked, want_asked, rtol=1e-12)
    given = want_asked if first_month else meadows
    share = np.where(want_asked > 0, np.minimum(1.0, given * weather / want_asked), 1.0)
    apart = feed_herds(apart_herds, weight, status, fed, ration * share[region], rules)
    for got, want in zip(fused_herds, apart_herds, strict=True):
        np.testing.assert_allclose(got, want, rtol=1e-12)
    np.testing.assert_allclose(feeding, [apart.lost, apart.needed, apart.fed], rtol=1e-12)
    assert apart.lost.sum() > 0
