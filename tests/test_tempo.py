"""The tempo check: comparative statics, feasible and impossible tempos, the report's form."""

from __future__ import annotations

import json
import math
from itertools import pairwise
from typing import Any

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from _economies import random_economy
from planlab.economy import Economy, load_builtin
from planlab.errors import InputError
from planlab.plan import Status, TempoReport, check_tempo

BOTTLENECK_COLUMNS = ["constraint", "sector", "year", "shadow_price"]
DISPROPORTION_COLUMNS = ["branch", "input", "year", "shortfall", "shortfall_pct"]
TOL = 1e-9


def textbook(capacity: float | list[float] = 1.5, labour_force: float = 40.0) -> Economy:
    """Chiang and Wainwright's three industries with a capacity column and labour force set."""
    base = load_builtin("textbook-3")
    scale = np.broadcast_to(np.asarray(capacity, dtype=float), (base.n,))
    return base.replace(
        vectors={"capacity": np.asarray(base.gross_output) * scale},
        scalars={"labour_force": labour_force},
    )


def nonincreasing(values: list[float]) -> bool:
    return all(b <= a + TOL for a, b in pairwise(values))


def check_report(report: TempoReport, growth: dict[str, float], years: int) -> None:
    """Form of every report: tables, attainable growth, feasibility and the fraction agree."""
    assert list(report.bottlenecks.columns) == BOTTLENECK_COLUMNS
    assert list(report.disproportions.columns) == DISPROPORTION_COLUMNS
    assert list(report.attainable_growth) == list(growth)
    for sector, rate in report.attainable_growth.items():
        assert math.isnan(rate) or rate <= growth[sector] + TOL, sector
    if report.status is Status.OPTIMAL:
        assert report.feasible == (report.max_fraction >= 1.0 - 1e-7)
        assert 0.0 <= report.max_fraction <= 1.0
    else:
        assert not report.feasible
        assert report.max_fraction == 0.0
    prices = report.bottlenecks["shadow_price"].to_numpy()
    assert np.all(prices > 0)
    assert np.all(np.diff(prices) <= 0)
    table = report.disproportions
    if report.feasible:
        assert table.empty
    assert (table["shortfall"] > 0).all()
    assert (table["shortfall_pct"] > 0).all()
    assert table["year"].between(1, years).all()


# --- comparative statics -------------------------------------------------------------------


def test_raising_the_asked_growth_never_raises_the_fraction() -> None:
    economy = textbook(1.5, 30.0)
    fractions = [
        check_tempo(economy, {"industry_1": g, "industry_3": g / 2}, years=3).max_fraction
        for g in (0.01, 0.03, 0.05, 0.1, 0.2, 0.4)
    ]
    assert min(fractions) >= 0
    assert nonincreasing(fractions)
    assert fractions[0] > fractions[-1]


def test_more_base_capacity_never_lowers_the_fraction() -> None:
    fractions = [
        check_tempo(textbook(scale, 40.0), {"industry_2": 0.05}, years=3).max_fraction
        for scale in (1.0, 1.05, 1.1, 1.3, 2.0)
    ]
    assert nonincreasing(fractions[::-1])
    assert fractions[-1] > fractions[0]


def test_a_larger_labour_force_never_lowers_the_fraction() -> None:
    fractions = [
        check_tempo(textbook(1.5, force), {"industry_1": 0.05}, years=3).max_fraction
        for force in (21.0, 22.0, 25.0, 30.0, 60.0)
    ]
    assert nonincreasing(fractions[::-1])
    assert fractions[-1] > fractions[0]


@settings(max_examples=12, deadline=None)
@given(
    seed=st.integers(0, 2**31 - 1),
    n=st.integers(2, 4),
    years=st.integers(1, 3),
    rate=st.floats(0.0, 0.3),
    more=st.floats(1.0, 2.0),
)
def test_comparative_statics_on_random_economies(
    seed: int, n: int, years: int, rate: float, more: float
) -> None:
    """Directions of max_fraction: down with the asked growth, up with capacity and labour."""
    economy = random_economy(seed, n, rich=True)
    growth = {economy.names[0]: rate, economy.names[-1]: rate / 2}
    base = check_tempo(economy, growth, years=years)
    check_report(base, growth, years)
    faster = check_tempo(economy, {k: v * more + 0.01 for k, v in growth.items()}, years=years)
    roomier = check_tempo(
        economy.replace(vectors={"capacity": np.asarray(economy.capacity) * more}),
        growth,
        years=years,
    )
    busier = check_tempo(
        economy.replace(scalars={"labour_force": economy.scalars["labour_force"] * more}),
        growth,
        years=years,
    )
    if base.status is Status.OPTIMAL:
        assert roomier.max_fraction >= base.max_fraction - TOL
        assert busier.max_fraction >= base.max_fraction - TOL
        if faster.status is Status.OPTIMAL and faster.max_fraction >= 0:
            assert faster.max_fraction <= base.max_fraction + TOL


# --- feasible and impossible tempos --------------------------------------------------------


def test_modest_tempo_with_reserve_capacity_and_spare_labour_is_feasible() -> None:
    growth = {"industry_1": 0.02, "industry_2": 0.02}
    report = check_tempo(textbook(1.5, 40.0), growth, years=3)
    check_report(report, growth, 3)
    assert report.feasible is True
    assert report.status is Status.OPTIMAL
    assert report.max_fraction >= 1.0
    assert report.disproportions.empty
    assert report.attainable_growth == pytest.approx(growth, abs=1e-9)
    assert "feasible" in report.message


def test_modest_tempo_on_the_ussr_with_ten_percent_reserve_capacity() -> None:
    ussr = load_builtin("ussr-1928")
    roomy = ussr.replace(vectors={"capacity": np.asarray(ussr.gross_output) * 1.1})
    growth = {"coal": 0.02, "oil": 0.03}
    report = check_tempo(roomy, growth, years=5)
    check_report(report, growth, 5)
    assert report.feasible
    assert report.max_fraction >= 1.0
    assert report.disproportions.empty


def test_impossible_tempo_names_bottlenecks_and_disproportions() -> None:
    growth = {"coal": 0.5, "iron_steel": 0.5, "electricity": 0.3}
    report = check_tempo(load_builtin("ussr-1928"), growth, years=5)
    check_report(report, growth, 5)
    assert report.feasible is False
    assert report.status is Status.OPTIMAL
    assert report.max_fraction < 1.0
    assert not report.bottlenecks.empty
    assert not report.disproportions.empty
    names = set(load_builtin("ussr-1928").names)
    assert set(report.disproportions["branch"]) <= names
    assert set(report.disproportions["input"]) <= names | {
        "capacity",
        "labour",
        "foreign_exchange",
    }
    # Capacity fixed at its first-day level in year 1 holds the three branches back.
    short = report.disproportions[report.disproportions["input"] == "capacity"]
    first_year = short[short["year"] == 1].set_index("branch")["shortfall"]
    ussr = load_builtin("ussr-1928")
    for sector, rate in growth.items():
        j = ussr.index(sector)
        expected = (1.0 + rate) * float(ussr.gross_output[j]) - float(ussr.capacity[j])
        assert first_year[sector] == pytest.approx(expected, rel=1e-6)
    assert "breaks the proportions" in report.message


def test_only_capacity_binds_names_the_short_branch() -> None:
    """Industry I has no reserve capacity, everything else is plentiful and capital is free.

    In year 1 capacity is what the base year left; from year 2 new capacity (which
    costs nothing here) can arrive, so the only shortfall is industry I's capacity in
    year 1, by the asked increment.
    """
    economy = textbook([1.0, 10.0, 10.0], 1e6)
    assert economy.B.nnz == 0
    report = check_tempo(economy, {"industry_1": 0.1}, years=3)
    check_report(report, {"industry_1": 0.1}, 3)
    assert report.feasible is False
    assert report.max_fraction == 0.0
    table = report.disproportions
    assert len(table) == 1
    row = table.iloc[0]
    assert (row["branch"], row["input"], int(row["year"])) == ("industry_1", "capacity", 1)
    increment = 0.1 * float(economy.gross_output[0])
    assert row["shortfall"] == pytest.approx(increment, rel=1e-9)
    # A share of the need: 0.1 x0 missing of 1.1 x0 needed.
    assert row["shortfall_pct"] == pytest.approx(100.0 * 0.1 / 1.1, rel=1e-9)
    # The bottlenecks are industry I's capacity rows of year 1, priced at 1 / increment.
    top = report.bottlenecks
    assert set(top["constraint"]) <= {"capacity", "capacity_flow"}
    assert set(top["sector"]) == {"industry_1"}
    assert set(top["year"]) == {1}
    assert top["shadow_price"].iloc[0] == pytest.approx(1.0 / increment, rel=1e-6)
    # Attainable by the final year, when new capacity has arrived: the asked tempo.
    assert report.attainable_growth["industry_1"] == pytest.approx(0.1, abs=1e-9)


def test_labour_shortage_is_the_dearest_bottleneck() -> None:
    """Plenty of capacity but no spare labour: labour is the dearest constraint.

    (The elastic plan behind the disproportion table may meet such a shortage by
    going short of a labour-intensive good instead of labour itself, so the table
    is only required to show some shortfall here.)
    """
    economy = textbook(3.0, 21.0)
    report = check_tempo(economy, {"industry_1": 0.1}, years=2)
    check_report(report, {"industry_1": 0.1}, 2)
    assert not report.feasible
    assert report.max_fraction == pytest.approx(0.0, abs=1e-9)
    top = report.bottlenecks.iloc[0]
    assert (top["constraint"], top["sector"], top["year"]) == ("labour", "", 1)
    assert "dearest constraint is labour[year 1]" in report.message
    assert not report.disproportions.empty


@pytest.mark.parametrize(
    "growth",
    [
        {"industry_1": 0.05},
        {"industry_1": 0.5, "industry_2": 0.01},
        {"industry_3": 0.2, "industry_1": 0.0, "industry_2": 0.1},
    ],
)
@pytest.mark.parametrize("economy", ["spare", "tight"])
def test_attainable_growth_has_one_entry_per_sector_within_the_asked_rate(
    growth: dict[str, float], economy: str
) -> None:
    subject = textbook(1.5, 40.0) if economy == "spare" else textbook(1.0, 21.5)
    report = check_tempo(subject, growth, years=4)
    assert list(report.attainable_growth) == list(growth)
    for sector, rate in report.attainable_growth.items():
        assert rate <= growth[sector] + 1e-9
        assert rate >= -1.0
    check_report(report, growth, 4)


# --- the report as data ---------------------------------------------------------------------


def _reports() -> dict[str, TempoReport]:
    return {
        "feasible": check_tempo(textbook(1.5, 40.0), {"industry_1": 0.02}, years=3),
        "impossible": check_tempo(
            load_builtin("ussr-1928"), {"coal": 0.5, "iron_steel": 0.5}, years=3
        ),
        "base-infeasible": check_tempo(textbook(1.0, 10.0), {"industry_1": 0.1}, years=2),
    }


def test_report_to_dict_is_json() -> None:
    for name, report in _reports().items():
        data: dict[str, Any] = report.to_dict()
        text = json.dumps(data, allow_nan=False)
        assert json.loads(text) == data, name
        assert isinstance(data["feasible"], bool)
        assert data["feasible"] is report.feasible
        if report.status is Status.OPTIMAL:
            assert isinstance(data["max_fraction"], float)
            assert data["max_fraction"] == report.max_fraction
        else:
            assert data["max_fraction"] == 0.0  # not even the base levels hold
        assert isinstance(data["attainable_growth"], dict)
        assert list(data["attainable_growth"]) == list(report.growth)
        for value in data["attainable_growth"].values():
            assert value is None or isinstance(value, float)
        assert isinstance(data["bottlenecks"], list)
        for row in data["bottlenecks"]:
            assert list(row) == BOTTLENECK_COLUMNS
            assert isinstance(row["constraint"], str)
            assert isinstance(row["sector"], str)
            assert isinstance(row["year"], int)
            assert isinstance(row["shadow_price"], float)
        assert isinstance(data["disproportions"], list)
        for row in data["disproportions"]:
            assert list(row) == DISPROPORTION_COLUMNS
            assert isinstance(row["branch"], str)
            assert isinstance(row["input"], str)
            assert isinstance(row["year"], int)
            assert isinstance(row["shortfall"], float)
            assert isinstance(row["shortfall_pct"], float)
        assert len(data["bottlenecks"]) == len(report.bottlenecks)
        assert len(data["disproportions"]) == len(report.disproportions)


def test_report_when_even_the_base_levels_cannot_be_held() -> None:
    report = _reports()["base-infeasible"]
    assert report.status is Status.INFEASIBLE
    assert not report.feasible
    assert report.max_fraction == 0.0
    assert report.bottlenecks.empty
    assert not report.conflicts.empty
    assert "cannot be held" in report.message
    data = report.to_dict()
    assert data["max_fraction"] == 0.0
    assert data["attainable_growth"] == {"industry_1": None}


def test_impossible_report_tables_match_the_dict() -> None:
    report = _reports()["impossible"]
    data = report.to_dict()
    assert data["feasible"] is False
    first = data["bottlenecks"][0]
    top = report.bottlenecks.iloc[0]
    assert first == {
        "constraint": top["constraint"],
        "sector": top["sector"],
        "year": int(top["year"]),
        "shadow_price": float(top["shadow_price"]),
    }
    frame = pd.DataFrame(data["disproportions"], columns=DISPROPORTION_COLUMNS)
    pd.testing.assert_frame_equal(frame, report.disproportions, check_dtype=False)


# --- bad input ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("growth", "sector", "words"),
    [
        ({"steel_mills": 0.1}, "steel_mills", "unknown"),
        ({"industry_2": float("nan")}, "industry_2", "above -1 and at most"),
        ({"industry_2": float("inf")}, "industry_2", "above -1 and at most"),
        ({"industry_2": -float("inf")}, "industry_2", "above -1 and at most"),
        ({"industry_3": -1.0}, "industry_3", "above -1"),
        ({"industry_3": -1.5}, "industry_3", "above -1"),
        ({"industry_1": "fast"}, "industry_1", "number"),
    ],
)
def test_bad_growth_raises_input_error_naming_the_sector(
    growth: dict[str, Any], sector: str, words: str
) -> None:
    with pytest.raises(InputError) as caught:
        check_tempo(textbook(), growth, years=3)
    problems = caught.value.problems
    assert [p.sector for p in problems] == [sector]
    assert f"sector '{sector}'" in str(caught.value)
    assert words in str(caught.value)


def test_empty_growth_raises_input_error() -> None:
    with pytest.raises(InputError, match="at least one sector"):
        check_tempo(textbook(), {}, years=3)


def test_every_bad_entry_is_reported_at_once() -> None:
    with pytest.raises(InputError) as caught:
        check_tempo(textbook(), {"nowhere": 0.1, "industry_1": -3.0, "industry_2": 0.1}, years=2)
    assert sorted(str(p.sector) for p in caught.value.problems) == ["industry_1", "nowhere"]


def test_a_tempo_beyond_bounds_is_refused_before_it_overflows() -> None:
    economy = load_builtin("textbook-3")
    with pytest.raises(InputError) as caught:
        check_tempo(economy, {"industry_1": 1e300}, years=5)
    (line,) = caught.value.lines()
    assert "industry_1" in line and "at most 10" in line


def test_inherited_construction_makes_a_modest_tempo_partly_feasible() -> None:
    """The projects under way on the first day (the 1927/28 expansion programme) let coal
    grow a little from year 1; without them (and the capacity they added in the base year)
    no positive tempo fits year 1 and the feasible fraction is 0."""
    ussr = load_builtin("ussr-1928")
    with_programme = check_tempo(ussr, {"coal": 0.05}, years=5)
    assert 0.0 < with_programme.max_fraction < 1.0
    without = ussr.replace(
        vectors={"expansion_under_way": np.zeros(ussr.n), "capacity": ussr.gross_output}
    )
    assert check_tempo(without, {"coal": 0.05}, years=5).max_fraction == 0.0
