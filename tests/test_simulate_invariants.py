"""Identities every run keeps: goods, money and foreign exchange balance each month.

The goods balance is read off the engine's monthly step: stocks lose the inputs
used, construction materials, exports, state use and retail sales, and gain
usable industrial output, procured farm goods and imports; the rest of the farm
harvest is used on the farm, eaten where it is grown or sold on the free
market, and brak is lost. Households hold all the currency, which changes only
by emission. Reserves change by earnings and credit less the import bill and
debt service.
"""

from __future__ import annotations

import csv
import dataclasses
import datetime as dt
import math
from collections.abc import Mapping

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from numpy.typing import NDArray

from _simulation import TOLERANCE, USES, assert_goods_balance, tiny
from planlab.scenarios import history_path, load_scenario, variables
from planlab.simulate import Run, Scenario, Setting, run

FloatArray = NDArray[np.float64]
History = Mapping[str, FloatArray]

MONTHS = 36
STOCK_KEYS = ("capacity", "stocks", "currency", "reserves", "debt")
"""History entries kept at the start and at the end of each month (months + 1 rows)."""


def with_policies(scenario: Scenario, **values: float) -> Scenario:
    return dataclasses.replace(
        scenario, policies={**scenario.policies, **{k: Setting(v) for k, v in values.items()}}
    )


def with_parameters(scenario: Scenario, **values: float) -> Scenario:
    return dataclasses.replace(
        scenario, parameters={**scenario.parameters, **{k: Setting(v) for k, v in values.items()}}
    )


def with_exogenous(scenario: Scenario, **values: float) -> Scenario:
    return dataclasses.replace(
        scenario, exogenous={**scenario.exogenous, **{k: Setting(v) for k, v in values.items()}}
    )


def assert_money_balance(h: History) -> None:
    """Currency = initial currency + cumulative emission = workers' + peasants' money."""
    currency = h["currency"]
    emitted = np.cumsum(h["emission"])
    scale = currency[0] + np.cumsum(np.abs(h["emission"]))
    assert np.all(np.abs(currency[1:] - currency[0] - emitted) <= TOLERANCE * tiny(scale))
    held = h["workers_money"] + h["peasants_money"]
    scale = np.abs(h["workers_money"]) + np.abs(h["peasants_money"]) + np.abs(currency[1:])
    assert np.all(np.abs(held - currency[1:]) <= TOLERANCE * tiny(scale))


def assert_fx_balance(h: History) -> None:
    """Reserves change by earnings + credit - imports - debt service while they stay positive."""
    reserves = h["reserves"]
    flows = h["earnings"] + h["credit_drawn"] - h["import_bill"] - h["debt_service"]
    gross = reserves[:-1] + h["earnings"] + h["credit_drawn"] + h["import_bill"] + h["debt_service"]
    positive = reserves[1:] > 0
    gap = np.abs(np.diff(reserves) - flows)
    assert np.all(gap[positive] <= TOLERANCE * tiny(gross[positive]))
    assert np.all(reserves >= 0.0)


def assert_nothing_negative(h: History) -> None:
    """Households never hold negative money; no good's stock falls below zero."""
    assert h["workers_money"].min() >= 0.0
    assert h["peasants_money"].min() >= 0.0
    assert h["currency"].min() >= 0.0
    stocks = h["stocks"]
    assert stocks.min() >= -TOLERANCE * max(float(stocks.max()), 1.0)


def assert_invariants(h: History) -> None:
    assert_goods_balance(h)
    assert_money_balance(h)
    assert_fx_balance(h)
    assert_nothing_negative(h)


@pytest.fixture(scope="module")
def ussr() -> Scenario:
    return load_scenario("ussr-1928")


@pytest.fixture(scope="module")
def default_run(ussr: Scenario) -> Run:
    return run(ussr, months=MONTHS)


@pytest.fixture(scope="module")
def stressed_run(ussr: Scenario) -> Run:
    """Forced branches, a ratchet, no emission, a closed market, more procurement, a crisis."""
    scenario = with_policies(
        ussr,
        pressure=0.5,
        ratchet=0.1,
        emission_cap=0.0,
        market_open=0.0,
        turnover_tax=0.5,
        procurement_level=1.5,
        wage_growth=0.3,
        investment_share=2.0,
    )
    scenario = with_parameters(scenario, velocity=0.9, harvest_noise=0.3)
    scenario = with_exogenous(scenario, world_export_price=0.3)
    return run(scenario, months=MONTHS, seed=7)


@pytest.fixture(params=["default", "stressed"])
def history(request: pytest.FixtureRequest, default_run: Run, stressed_run: Run) -> History:
    chosen: Run = default_run if request.param == "default" else stressed_run
    return chosen.history


def test_history_rows_follow_the_monthly_step(history: History) -> None:
    for name, values in history.items():
        expected = MONTHS + 1 if name in STOCK_KEYS else MONTHS
        assert values.shape[0] == expected, name


def test_goods_balance_per_good_and_month(history: History) -> None:
    assert_goods_balance(history)


def test_goods_balance_has_every_use_in_play(stressed_run: Run) -> None:
    """The stressed run moves goods through every channel, so the identity is not vacuous."""
    h = stressed_run.history
    for name in (*USES, "imports"):
        assert h[name].sum() > 0, name


@pytest.mark.parametrize("left_out", USES)
def test_goods_balance_needs_every_term(stressed_run: Run, left_out: str) -> None:
    """Leaving any one use out of the identity breaks it: no term is there by accident."""
    h = {**stressed_run.history, left_out: np.zeros_like(stressed_run.history[left_out])}
    with pytest.raises(AssertionError, match="goods out of balance"):
        assert_goods_balance(h)


def test_money_balance(history: History) -> None:
    assert_money_balance(history)


def test_fx_balance(history: History) -> None:
    assert_fx_balance(history)
    assert (history["reserves"][1:] > 0).any()


def test_nothing_negative(history: History) -> None:
    assert_nothing_negative(history)


def test_same_seed_same_series(ussr: Scenario) -> None:
    noisy = with_parameters(ussr, harvest_noise=0.2)
    first = run(noisy, months=24, seed=3)
    again = run(noisy, months=24, seed=3)
    pd.testing.assert_frame_equal(first.series, again.series)
    assert first.seed == again.seed == 3


def test_other_seed_other_series_when_the_weather_is_random(ussr: Scenario) -> None:
    noisy = with_parameters(ussr, harvest_noise=0.2)
    first = run(noisy, months=24, seed=3)
    other = run(noisy, months=24, seed=4)
    assert not first.series.equals(other.series)
    assert not np.allclose(first.variable("grain_harvest_mt"), other.variable("grain_harvest_mt"))
    # Without noise the seed does not matter.
    calm = run(ussr, months=24, seed=3)
    pd.testing.assert_frame_equal(calm.series, run(ussr, months=24, seed=4).series)


@settings(max_examples=10, deadline=None)
@given(
    pressure=st.floats(0.0, 1.0),
    ratchet=st.floats(0.0, 0.5),
    emission_cap=st.one_of(st.just(math.inf), st.floats(0.0, 200.0)),
    turnover_tax=st.floats(0.0, 0.9),
    procurement_level=st.floats(0.0, 3.0),
    market_open=st.sampled_from([0.0, 1.0]),
    world_price=st.floats(0.1, 3.0),
    seed=st.integers(0, 2**16),
)
def test_invariants_hold_for_any_policy(
    ussr: Scenario,
    pressure: float,
    ratchet: float,
    emission_cap: float,
    turnover_tax: float,
    procurement_level: float,
    market_open: float,
    world_price: float,
    seed: int,
) -> None:
    scenario = with_policies(
        ussr,
        pressure=pressure,
        ratchet=ratchet,
        emission_cap=emission_cap,
        turnover_tax=turnover_tax,
        procurement_level=procurement_level,
        market_open=market_open,
    )
    scenario = with_exogenous(scenario, world_export_price=world_price)
    scenario = with_parameters(scenario, harvest_noise=0.2)
    assert_invariants(run(scenario, months=24, seed=seed).history)


# --- the series --------------------------------------------------------------------------

RECORD_NAMES = (
    "coal_mt",
    "oil_mt",
    "pig_iron_mt",
    "steel_mt",
    "electricity_bn_kwh",
    "currency_million_rub",
    "grain_harvest_mt",
    "grain_procurement_mt",
    "grain_exports_mt",
    "exports_million_gold_rub",
    "imports_million_gold_rub",
    "tractor_output_thousand",
)
STOCK_NAMES = (
    "currency_million_rub",
    "fx_reserves_million_gold_rub",
    "foreign_debt_million_gold_rub",
    "wage_earners_million",
)


def test_every_date_is_the_first_of_a_month(default_run: Run) -> None:
    dates = default_run.series["date"]
    assert pd.api.types.is_datetime64_any_dtype(dates)
    assert (dates.dt.day == 1).all()
    assert not default_run.series.duplicated(["date", "variable"]).any()


def test_stocks_have_one_date_more_than_flows(default_run: Run, ussr: Scenario) -> None:
    series = default_run.series
    stocks = {
        *STOCK_NAMES,
        *(f"capacity_{name}" for name in ussr.economy.names),
        *(f"stocks_{name}" for name in ussr.economy.names),
    }
    start = pd.Timestamp(ussr.start)
    months = pd.date_range(start, periods=MONTHS + 1, freq="MS")
    for name, rows in series.groupby("variable"):
        dates = pd.DatetimeIndex(rows["date"])
        expected = months if name in stocks else months[:-1]
        assert dates.equals(expected), name
    assert default_run.dates[0] == ussr.start
    assert default_run.dates[-1] == dt.date(1931, 10, 1)


def record_kinds() -> dict[str, str]:
    """Name and kind (stock or flow) of each variable in the packaged variables.csv.

    Read field by field: a description holding an unquoted comma must not shift the columns.
    """
    with history_path("variables.csv").open(encoding="utf-8", newline="") as handle:
        rows = list(csv.reader(handle))
    header = rows[0]
    name, kind = header.index("name"), header.index("kind")
    return {row[name]: row[kind] for row in rows[1:] if row}


def test_record_variables_carry_the_record_names(default_run: Run) -> None:
    record = record_kinds()
    assert set(RECORD_NAMES) <= set(record)
    produced = set(default_run.series["variable"])
    assert set(RECORD_NAMES) <= produced
    # Every variable of the record that a run produces is a stock or a flow as the record says.
    counts = default_run.series.groupby("variable")["date"].nunique()
    for name, kind in record.items():
        if name in produced:
            assert counts[name] == (MONTHS + 1 if kind == "stock" else MONTHS), name


def test_variables_table_reads_the_names() -> None:
    assert list(variables()["name"]) == list(record_kinds())


def test_record_variables_start_at_the_base_year(default_run: Run, ussr: Scenario) -> None:
    """In the first month, before any shortage, the physical indicators are a twelfth of the
    base year's."""
    base = ussr.economy.indicator_values()
    first = default_run.wide().iloc[0]
    for name in ("coal_mt", "oil_mt", "pig_iron_mt", "electricity_bn_kwh"):
        assert first[name] == pytest.approx(base[name] / 12.0, rel=1e-9)
    assert first["currency_million_rub"] == pytest.approx(ussr.value("initial", "currency"))
