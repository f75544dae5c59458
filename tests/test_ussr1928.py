"""The built-in economy ``ussr-1928`` checked against the historical record it is built on.

The record is read from the package's copy (``planlab/data/history``), so the tests hold
no historical number of their own: change the record and the tests follow it.
"""

from __future__ import annotations

import csv
from importlib import resources
from pathlib import Path

import numpy as np
import pytest

from planlab.economy import (
    Economy,
    analyse,
    builtin_names,
    gross_output_for,
    load,
    load_builtin,
    save,
)

NAME = "ussr-1928"
ECONOMIC_YEAR = ("1927-10-01", "1928-09-30")
CALENDAR_1928 = ("1928-01-01", "1928-12-31")
REQUIRED_BRANCHES = frozenset(
    {
        "grain",
        "livestock",
        "technical_crops",
        "timber",
        "coal",
        "oil",
        "iron_steel",
        "machine_building",
        "electricity",
        "chemicals",
        "textiles_light",
        "food_processing",
        "construction",
        "transport",
        "other",
    }
)
REQUIRED_INDICATORS = frozenset(
    {"coal_mt", "oil_mt", "pig_iron_mt", "steel_mt", "electricity_bn_kwh", "grain_harvest_mt"}
)
AGRICULTURE_AND_INDUSTRY = ("agriculture", "industry_a", "industry_b")
MILLION_PER_BILLION = 1000.0
THOUSAND_PER_MILLION = 1000.0


def _history(file: str) -> list[dict[str, str]]:
    """Rows of a CSV file in the package's copy of the historical record."""
    path = Path(str(resources.files("planlab") / "data" / "history" / file))
    with path.open(newline="", encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def _level(variable: str, date: str = "1927/28") -> float:
    """A value of ``branch_levels_1928.csv``."""
    rows = [
        r
        for r in _history("branch_levels_1928.csv")
        if (r["variable"], r["date"]) == (variable, date)
    ]
    assert len(rows) == 1, f"branch_levels_1928.csv has {len(rows)} rows for {variable} {date}"
    return float(rows[0]["value"])


def _flows(date: str, flow_from: str, flow_to: str | None = None) -> list[dict[str, str]]:
    """Rows of ``io_ussr_partial_flows.csv``."""
    return [
        r
        for r in _history("io_ussr_partial_flows.csv")
        if r["date"] == date
        and r["flow_from"] == flow_from
        and (flow_to is None or r["flow_to"] == flow_to)
    ]


def _record_1927_28(variable: str) -> dict[str, str] | None:
    """The calibration row of the economic year 1927/28, else of the calendar year 1928."""
    rows = [r for r in _history("calibration.csv") if r["variable"] == variable]
    for period in (ECONOMIC_YEAR, CALENDAR_1928):
        found = [r for r in rows if (r["start"], r["end"]) == period]
        if found:
            assert len(found) == 1, f"calibration.csv has {len(found)} rows for {variable}"
            return found[0]
    return None


def _group_mask(economy: Economy, groups: tuple[str, ...]) -> np.ndarray:
    return np.array([s.group in groups for s in economy.sectors])


def _group_total(economy: Economy, group: str) -> float:
    return float(economy.gross_output[_group_mask(economy, (group,))].sum())


@pytest.fixture(scope="module")
def economy() -> Economy:
    return load_builtin(NAME)


def test_is_a_builtin() -> None:
    assert NAME in builtin_names()


def test_loads_with_the_required_branches(economy: Economy) -> None:
    assert economy.base_year == "1927/28"
    assert 12 <= economy.n <= 20
    assert set(economy.names) >= REQUIRED_BRANCHES
    assert {s.group for s in economy.sectors} >= set(AGRICULTURE_AND_INDUSTRY)
    assert all(s.group and s.title for s in economy.sectors)
    assert np.all(economy.gross_output > 0)


def test_saves_and_loads_back_unchanged(economy: Economy, tmp_path: Path) -> None:
    again = load(save(economy, tmp_path / NAME))
    assert again.equals(economy)


def test_indicators_agree_with_the_record(economy: Economy) -> None:
    variables = {r["name"] for r in _history("variables.csv")}
    values = economy.indicator_values()
    assert set(values) >= REQUIRED_INDICATORS
    compared = set()
    for name, value in values.items():
        if name not in variables:
            continue
        record = _record_1927_28(name)
        if record is None:
            continue
        compared.add(name)
        if record["value"]:
            target = float(record["value"])
            assert value == pytest.approx(target, rel=0.01), name
        else:
            low, high = float(record["low"]), float(record["high"])
            assert low <= value <= high, f"{name} = {value} outside [{low}, {high}]"
    assert compared >= REQUIRED_INDICATORS


def test_indicator_sources_name_the_record_row(economy: Economy) -> None:
    for indicator in economy.indicators:
        record = _record_1927_28(indicator.name)
        if record is not None:
            assert record["source"] in indicator.source, indicator.name


@pytest.mark.parametrize(
    ("group", "variable"),
    [
        ("agriculture", "gross_output_agriculture"),
        ("industry_a", "gross_output_industry_producer_goods"),
        ("industry_b", "gross_output_industry_consumer_goods"),
    ],
)
def test_group_totals_agree_with_nove(economy: Economy, group: str, variable: str) -> None:
    target = _level(variable) * MILLION_PER_BILLION
    assert _group_total(economy, group) == pytest.approx(target, rel=0.01)


def test_industry_total_agrees_with_nove(economy: Economy) -> None:
    industry = _group_total(economy, "industry_a") + _group_total(economy, "industry_b")
    target = _level("gross_output_industry_all") * MILLION_PER_BILLION
    assert industry == pytest.approx(target, rel=0.01)


def test_intermediate_consumption_meets_the_lower_bound(economy: Economy) -> None:
    mask = _group_mask(economy, AGRICULTURE_AND_INDUSTRY)
    x = economy.gross_output
    column_sums = np.asarray(economy.A.sum(axis=0)).reshape(-1)
    intermediate = float((column_sums * x)[mask].sum())
    gross = float(x[mask].sum())
    assert intermediate >= 0.30 * gross
    # the bound as the research note derives it: gross output of agriculture and industry
    # less the whole national income
    bound = (
        _level("gross_output_agriculture")
        + _level("gross_output_industry_all")
        - _level("national_income")
    ) * MILLION_PER_BILLION
    assert intermediate >= bound


def test_value_added_of_the_material_sphere_covers_national_income(economy: Economy) -> None:
    # national income is net material product, net of amortisation, which A leaves out:
    # gross value added of the material branches must reach it without overshooting far
    material = ~_group_mask(economy, ("services",))
    x = economy.gross_output
    A = economy.A.toarray()
    value_added = float(x[material].sum() - (A[np.ix_(material, material)] @ x[material]).sum())
    national_income = _level("national_income") * MILLION_PER_BILLION
    assert national_income <= value_added <= 1.15 * national_income


def test_foreign_trade_agrees_with_the_record(economy: Economy) -> None:
    v = economy.vectors
    for flow, price, variable in (
        ("exports", "export_price", "exports_million_gold_rub"),
        ("imports", "import_price", "imports_million_gold_rub"),
    ):
        record = _record_1927_28(variable)
        assert record is not None
        gold = float(v[flow] @ v[price])
        assert gold == pytest.approx(float(record["value"]), rel=0.01), variable
    exported = v["exports"] > 0
    assert np.all(v["export_demand"][exported] >= v["exports"][exported])
    assert np.all(v["importable"][v["imports"] > 0] == 1.0)
    # no good can be bought abroad and sold again at a profit
    both = (v["export_demand"] > 0) & (v["importable"] == 1.0)
    assert np.all(v["import_price"][both] >= v["export_price"][both])


def test_investment_covers_budget_financing(economy: Economy) -> None:
    budget = sum(float(r["value"]) for r in _flows("1927/28", "state_budget"))
    assert budget > 0
    assert float(economy.vectors["investment"].sum()) >= budget


def test_farm_machinery_coefficient_in_the_partial_flows_band(economy: Economy) -> None:
    # io_ussr_partial_flows.csv: 23 million roubles of implements in 1923/24 and 62 million
    # planned for 1924/25 against about 9 bn of farm output; the research note (section 6)
    # puts the coefficient at 0.003-0.007
    assert _flows("1923/24", "industry_state_factories", "agriculture_implements_and_machinery")
    farm = _group_mask(economy, ("agriculture",))
    x = economy.gross_output
    row = economy.A.toarray()[economy.index("machine_building")]
    coefficient = float(row[farm] @ x[farm] / x[farm].sum())
    assert 0.003 <= coefficient <= 0.007


def test_household_food_near_kondratiev(economy: Economy) -> None:
    # agricultural food reaching households directly or through food processing, against
    # Kondratiev's 1925/26 figure: two years of population growth and good harvests later
    (row,) = _flows("1925/26", "agriculture_food_products", "all_households")
    farm = _group_mask(economy, ("agriculture",))
    food = economy.index("food_processing")
    consumption = economy.vectors["consumption"]
    farm_share_of_food = float(economy.A.toarray()[farm, food].sum())
    eaten = float(consumption[farm].sum() + consumption[food] * farm_share_of_food)
    assert 1.0 <= eaten / float(row["value"]) <= 1.25


def test_labour_force_is_the_labour_used(economy: Economy) -> None:
    employment = float(economy.labour @ economy.gross_output)
    assert employment == pytest.approx(economy.scalars["labour_force"], rel=1e-6)
    wage_earners = _level("workers_and_employees") * THOUSAND_PER_MILLION
    assert economy.scalars["labour_force"] > wage_earners


def test_balancing_items_are_plausible(economy: Economy) -> None:
    x = economy.gross_output
    stocks = economy.vectors["stocks"]
    assert np.all(np.abs(stocks) <= 0.05 * x)


def test_every_source_is_a_named_publication_or_an_assumption(economy: Economy) -> None:
    publications: set[str] = set()
    for file in (
        "calibration.csv",
        "branch_levels_1928.csv",
        "io_ussr_partial_flows.csv",
        "events.csv",
    ):
        for r in _history(file):
            text = r["source"].strip()
            if len(text) > 10 and not text.lower().startswith(("as above", "derived")):
                publications.add(text)
    texts = dict(economy.sources)
    texts.update({f"indicators.{i.name}": i.source for i in economy.indicators})
    assert texts
    for key, text in texts.items():
        if text.startswith("assumption:"):
            assert len(text) > len("assumption:") + 20, f"{key}: give the reason"
        else:
            assert any(p in text for p in publications), f"{key}: {text[:60]!r}"


def test_leontief_solution_reproduces_gross_output(economy: Economy) -> None:
    x = gross_output_for(economy)
    np.testing.assert_allclose(x, economy.gross_output, rtol=1e-9)


def test_leontief_analysis_is_sensible(economy: Economy) -> None:
    table = analyse(economy).table()
    assert (table["gross_output"] > 0).all()
    assert table["output_multiplier"].between(1.2, 3.0).all()
