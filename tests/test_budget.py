"""Accumulation financed: the budget's sources, each a lever, and emission as the residual.

The budget balances every month: the state's payments (wages, building-site pay and
procurement valued at its own selling prices) equal its sources (the shops' takings
at cost, the turnover tax, the scissors, the agricultural and wealth taxes, loans and
emission). Each source is a course's lever: switched off, its row falls to nothing;
switched on, the residual, emission, falls.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping

import numpy as np
import pandas as pd
import pytest
from numpy.typing import NDArray

from _simulation import TOLERANCE, tiny
from planlab.report import budget_table
from planlab.report.budget import BUDGET_SOURCES, BUDGET_USES
from planlab.scenarios import load_scenario
from planlab.simulate import Run, Scenario, Setting, run
from planlab.simulate.household_farms import HouseholdFarms

FloatArray = NDArray[np.float64]
History = Mapping[str, FloatArray]

MONTHS = 24
HISTORICAL_MONTHS = 63
"""1 October 1928 to the end of 1933: the first five-year plan and its first year after."""
USES = ("wages", "site_wages", "procurement_paid", "scissors")
SOURCES = (
    "retail_receipts",
    "scissors",
    "agricultural_tax",
    "wealth_tax",
    "loans",
    "emission",
)
"""History entries of the budget's uses and sources (the turnover tax is inside the shops'
takings); the scissors is on both sides, procurement valued at the state's prices."""
HOUSEHOLD_SAMPLE = 5000
"""One row per 5,000 households: enough rich households for the wealth tax, and quick."""


def with_policies(scenario: Scenario, **values: float) -> Scenario:
    new = {k: Setting(v) for k, v in values.items()}
    return dataclasses.replace(scenario, policies={**scenario.policies, **new})


def assert_budget_balance(h: History, uses: tuple[str, ...], sources: tuple[str, ...]) -> None:
    """Uses = sources in every month."""
    paid = sum((h[name] for name in uses), np.zeros_like(h["emission"]))
    raised = sum((h[name] for name in sources), np.zeros_like(h["emission"]))
    scale = sum((np.abs(h[name]) for name in set(uses + sources)), np.zeros_like(paid))
    assert np.all(np.abs(paid - raised) <= TOLERANCE * tiny(scale)), "budget out of balance"


@pytest.fixture(scope="module")
def ussr() -> Scenario:
    return load_scenario("ussr-1928")


@pytest.fixture(scope="module")
def every_source(ussr: Scenario) -> Run:
    """Every source in play: a turnover tax above the base year's, procurement prices below
    the state's, both taxes, loans placed and subscribed, household farms to tax."""
    scenario = with_policies(
        ussr,
        turnover_tax=0.3,
        procurement_price=0.8,
        agricultural_tax=0.1,
        wealth_tax=0.2,
        loan_share=0.05,
        loan_subscription=0.05,
    )
    farms = HouseholdFarms.from_scenario(scenario, sample=HOUSEHOLD_SAMPLE, seed=3)
    return run(scenario, months=MONTHS, farms=farms)


def test_budget_balances_with_every_source_in_play(every_source: Run) -> None:
    h = every_source.history
    for name in SOURCES:
        assert np.abs(h[name]).sum() > 0.0, name
    assert_budget_balance(h, USES, SOURCES)


@pytest.mark.parametrize("left_out", SOURCES)
def test_budget_balance_needs_every_source(every_source: Run, left_out: str) -> None:
    kept = tuple(name for name in SOURCES if name != left_out)
    with pytest.raises(AssertionError, match="budget out of balance"):
        assert_budget_balance(every_source.history, USES, kept)


def test_budget_table_balances_by_year(every_source: Run) -> None:
    table = budget_table(every_source.series)
    uses = table.loc[list(BUDGET_USES)].sum()
    sources = table.loc[list(BUDGET_SOURCES)].sum()
    assert np.allclose(uses.to_numpy(), sources.to_numpy(), rtol=1e-9)
    assert list(table.columns) == [1928, 1929, 1930]


SWITCHES = {
    "turnover tax": {"turnover_tax": 0.0},
    "scissors": {"turnover_tax": 0.1, "procurement_price": 1.0},
    "agricultural tax": {"agricultural_tax": 0.0},
    "wealth tax": {"wealth_tax": 0.0},
    "loans": {"loan_share": 0.0, "loan_subscription": 0.0},
}
"""Each source switched off: no tax, procurement at the state's prices (a turnover tax the
same as the base year's leaves the price index at 1), no loans."""


SPENT_ANYWAY = ("wealth tax",)
"""Sources taken from cash the payers would otherwise spend in state trade within months:
the state receives the money either way, so emission hardly moves (34 million roubles of
wealth tax over two years moved it by about 1 million, with a sign that turns with the
households' draws); what the source does is take the money out of the payers' hands."""


@pytest.mark.parametrize("row", list(SWITCHES))
def test_each_source_switched_off_empties_its_row(
    ussr: Scenario, every_source: Run, row: str
) -> None:
    on = budget_table(every_source.series)
    scenario = with_policies(
        ussr,
        **{
            "turnover_tax": 0.3,
            "procurement_price": 0.8,
            "agricultural_tax": 0.1,
            "wealth_tax": 0.2,
            "loan_share": 0.05,
            "loan_subscription": 0.05,
            **SWITCHES[row],
        },
    )
    farms = HouseholdFarms.from_scenario(scenario, sample=HOUSEHOLD_SAMPLE, seed=3)
    off_run = run(scenario, months=MONTHS, farms=farms)
    off = budget_table(off_run.series)
    assert on.loc[row].abs().sum() > 0.0
    assert off.loc[row].abs().sum() == pytest.approx(0.0, abs=1e-9)
    if row in SPENT_ANYWAY:
        held = "peasants_money"
        assert off_run.history[held].mean() > every_source.history[held].mean()
    else:
        assert off.loc["emission"].sum() > on.loc["emission"].sum()


def _emission_and_investment(scenario: Scenario) -> tuple[float, float]:
    h = run(scenario, months=HISTORICAL_MONTHS).history
    return float(h["emission"].sum()), float(h["investment_spending"].sum())


def test_a_turnover_tax_lowers_emission_at_equal_investment() -> None:
    """The historical course 1928-33 with and without a turnover tax above the base year's:
    the tax takes back money that would otherwise be printed, and construction (paid in
    goods, not money, while emission is uncapped) is no smaller."""
    course = load_scenario("ussr-1928", course="historical")
    low = with_policies(course, turnover_tax=0.1)
    high = with_policies(course, turnover_tax=0.4)
    emitted_low, built_low = _emission_and_investment(low)
    emitted_high, built_high = _emission_and_investment(high)
    assert emitted_high < emitted_low
    assert built_high >= 0.99 * built_low


def test_loans_from_pay_lower_emission(ussr: Scenario) -> None:
    """Subscriptions to mass loans come back to the budget and so lower emission."""
    none = run(with_policies(ussr, loan_subscription=0.0), months=MONTHS).history
    some = run(with_policies(ussr, loan_subscription=0.1), months=MONTHS).history
    assert some["loans"].sum() > 0.0 == none["loans"].sum()
    assert some["emission"].sum() < none["emission"].sum()


def test_procurement_prices_below_the_state_s_open_the_scissors(ussr: Scenario) -> None:
    """A procurement price held below the state's selling prices is a source: the scissors
    row grows and emission falls."""
    level = run(with_policies(ussr, procurement_price=1.0), months=MONTHS).history
    below = run(with_policies(ussr, procurement_price=0.7), months=MONTHS).history
    assert below["scissors"].sum() > level["scissors"].sum()
    assert below["emission"].sum() < level["emission"].sum()


def test_an_old_run_without_the_new_rows_gives_zero_rows() -> None:
    series = pd.DataFrame(
        {
            "date": pd.to_datetime(["1929-01-01", "1929-02-01"]),
            "variable": ["emission_million_rub", "emission_million_rub"],
            "value": [1.0, 2.0],
        }
    )
    table = budget_table(series)
    assert table.loc["emission", 1929] == 3.0
    assert table.drop(index="emission").to_numpy().sum() == 0.0
