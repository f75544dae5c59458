"""A run's results: the full history as arrays, and a tidy monthly series.

In the series each date is the first day of a month; a stock is its value on
that date and a flow is the month's total. Variables with a counterpart in the
historical record carry the record's names and units (``coal_mt``,
``currency_million_rub``, ...); the others are named for what they hold.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping
from dataclasses import dataclass

import numpy as np
import pandas as pd
from numpy.typing import NDArray

from planlab.plan.calendar import MONTHS_PER_YEAR
from planlab.simulate.agriculture import FARM_FLOWS
from planlab.simulate.scenario import TRACTOR_OUTPUT, Scenario
from planlab.simulate.towns import cost_of_living

__all__ = ["Run", "build_series"]

FloatArray = NDArray[np.float64]


@dataclass(frozen=True)
class Run:
    """A finished run: tidy ``series`` (date, variable, value) and the ``history`` arrays."""

    scenario: str
    seed: int
    dates: tuple[dt.date, ...]
    history: Mapping[str, FloatArray]
    series: pd.DataFrame

    def wide(self) -> pd.DataFrame:
        """The series with one column per variable and one row per date."""
        return self.series.pivot(index="date", columns="variable", values="value")

    def variable(self, name: str) -> pd.Series:
        """One variable's values by date."""
        rows = self.series[self.series["variable"] == name]
        return pd.Series(rows["value"].to_numpy(), index=pd.DatetimeIndex(rows["date"]), name=name)


def _ratio(top: FloatArray, bottom: FloatArray) -> FloatArray:
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(bottom > 0, top / np.where(bottom > 0, bottom, 1.0), np.nan)


def build_series(
    scenario: Scenario, dates: tuple[dt.date, ...], h: Mapping[str, FloatArray]
) -> pd.DataFrame:
    """The tidy monthly table of a run's history."""
    e = scenario.economy
    T = len(dates) - 1
    stock_dates = np.array(dates, dtype="datetime64[D]")
    flow_dates = stock_dates[:-1]
    columns: dict[str, tuple[np.ndarray, FloatArray]] = {}

    def stock(name: str, values: FloatArray) -> None:
        columns[name] = (stock_dates, np.asarray(values, dtype=float))

    def flow(name: str, values: FloatArray) -> None:
        columns[name] = (flow_dates, np.asarray(values, dtype=float))

    stock("currency_million_rub", h["currency"])
    for key in h:
        name = key.removeprefix("farms:")
        if name == key:
            continue
        if name in FARM_FLOWS:
            flow(name, h[key][1:])  # reported at the start of the month after
        else:
            stock(name, h[key])
    stock("fx_reserves_million_gold_rub", h["reserves"])
    stock("foreign_debt_million_gold_rub", h["debt"])
    for j, name in enumerate(e.names):
        stock(f"capacity_{name}", h["capacity"][:, j])
        stock(f"stocks_{name}", h["stocks"][:, j])
        flow(f"output_{name}", h["output"][:, j])
        flow(f"usable_output_{name}", h["usable"][:, j])
        flow(f"target_{name}", h["target"][:, j] / MONTHS_PER_YEAR)
        flow(f"planned_output_{name}", h["planned"][:, j])
        flow(f"supply_ratio_{name}", h["supply_ratio"][:, j])
        flow(f"brak_share_{name}", h["brak"][:, j])
        flow(
            f"utilisation_{name}",
            _ratio(h["output"][:, j] * MONTHS_PER_YEAR, h["capacity"][:-1, j]),
        )
    programme = scenario.path("policies", "tractor_programme", dates)[:-1]
    for indicator in e.indicators:
        j = e.index(indicator.sector)
        made = h["output"][:, j] * indicator.per_unit
        # Tractors: what the tractor programme makes of machine building's output, the same
        # number the tractor park receives.
        flow(indicator.name, made * programme if indicator.name == TRACTOR_OUTPUT else made)
    grain = next(
        (i for i in e.indicators if i.sector == scenario.grain and "grain" in i.name), None
    )
    if grain is not None:
        j = e.index(grain.sector)
        flow("grain_procurement_mt", h["procured"][:, j] * grain.per_unit)
        flow("grain_exports_mt", h["exports"][:, j] * grain.per_unit)
    flow("exports_million_gold_rub", h["earnings"])
    flow("imports_million_gold_rub", h["import_bill"])
    flow("machinery_imports_million_gold_rub", h["machinery_bill"])
    flow("credit_drawn_million_gold_rub", h["credit_drawn"])
    flow("debt_service_million_gold_rub", h["debt_service"])
    flow("emission_million_rub", h["emission"])
    flow("budget_deficit_million_rub", h["emission"])
    flow("budget_investment_million_rub", h["investment_spending"])
    flow("budget_wages_million_rub", h["wages"] + h["site_wages"])
    flow("budget_procurement_million_rub", h["procurement_paid"])
    flow("budget_turnover_tax_million_rub", h["turnover_tax"])
    flow("budget_profits_million_rub", h["retail_receipts"] - h["turnover_tax"])
    flow("budget_agricultural_tax_million_rub", h["agricultural_tax"])
    flow("budget_loans_million_rub", h["loans"])
    flow("budget_wealth_tax_million_rub", h["wealth_tax"])
    flow("budget_scissors_million_rub", h["scissors"])
    flow("budget_procurement_at_state_prices_million_rub", h["procurement_paid"] + h["scissors"])
    flow("free_market_price_index", h["free_price"])
    flow("state_retail_price_index", h["retail_price"])
    flow("shortage_index", h["shortage"])
    industrial = h["retail_price"] * (1.0 + h["shortage"])
    procured = h["procured"].sum(axis=1)
    free = h["free_sold"].sum(axis=1)
    farm_price = _ratio(
        procured * h["procurement_price"] + free * np.nan_to_num(h["free_price"]), procured + free
    )
    flow("agricultural_price_index", farm_price)
    flow("industrial_price_index", industrial)
    flow("price_scissors", _ratio(industrial, farm_price))
    living = cost_of_living(
        h["retail_price"], h["shortage"], h["free_price"], h["retail_receipts"], h["free_receipts"]
    )
    real = h["wage"] / living
    flow("real_wage_index", real / real[0] if T and real[0] > 0 else real)
    flow("employment", h["employment"])
    flow("labour_scale", h["labour_scale"])
    towns(scenario, h, stock, flow)
    flow("projects_started", h["started"].sum(axis=1))
    flow("projects_cancelled", h["cancelled"])
    flow("capacity_under_construction", h["under_construction"])
    # One table from concatenated arrays, not a frame per variable (thousands of branches).
    names = list(columns)
    lengths = [columns[name][1].size for name in names]
    table = pd.DataFrame(
        {
            "date": np.concatenate([columns[name][0] for name in names]),
            "variable": np.repeat(np.array(names, dtype=object), lengths),
            "value": np.concatenate([columns[name][1] for name in names]),
        }
    )
    table["date"] = pd.to_datetime(table["date"])
    return table.sort_values(["date", "variable"], kind="stable").reset_index(drop=True)


def towns(
    scenario: Scenario,
    h: Mapping[str, FloatArray],
    stock: Callable[[str, FloatArray], None],
    flow: Callable[[str, FloatArray], None],
) -> None:
    """The towns' labour: migration in persons (the record's net migration into towns),
    registered unemployment, the monthly migration rate and the workers and employees,
    who move with employment off the farms (on the first day, the base year's)."""
    share = scenario.value("parameters", "migrant_worker_share")
    flow("urban_net_migration_million", h["migrant_workers"] / share / 1000.0)
    flow("special_settlers_thousand", h["settlers"])
    flow("town_unemployed_million", h["town_unemployed"] / 1000.0)
    flow("migration_rate", h["migration_rate"])
    wage_earners = scenario.value("initial", "wage_earners")
    base = _base_employment(scenario)
    if wage_earners > 0 and base > 0:
        employed = np.r_[base, h["employment"]]
        stock("wage_earners_million", wage_earners * employed / base / 1000.0)


def _base_employment(scenario: Scenario) -> float:
    """Labour the branches off the farms employed in the base year."""
    e = scenario.economy
    farm = np.array([name in scenario.agriculture for name in e.names])
    return float(e.labour[~farm] @ e.gross_output[~farm])
