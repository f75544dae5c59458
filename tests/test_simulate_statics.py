"""Comparative statics of plan execution: each mechanism of design.md moves the way it should.

Each test runs two (or three) scenarios that differ in one setting and checks the
direction of the effect, never a frozen number. The mechanisms are those of the
"Plan execution" table of the design. Where the built-in course masks an effect
(a branch held by its capacity never fulfils a quarter, construction held by
materials), the test builds a small economy or a variant of the course in which
the mechanism can act, and says why.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Mapping

import numpy as np
import pytest
from numpy.typing import NDArray

from planlab.economy import Economy, load_builtin
from planlab.scenarios import load_scenario
from planlab.simulate import Run, Scenario, Setting, run

FloatArray = NDArray[np.float64]
History = Mapping[str, FloatArray]
INF = float("inf")


def with_policies(scenario: Scenario, **values: float | Setting) -> Scenario:
    new = {k: v if isinstance(v, Setting) else Setting(v) for k, v in values.items()}
    return dataclasses.replace(scenario, policies={**scenario.policies, **new})


def with_parameters(scenario: Scenario, **values: float) -> Scenario:
    new = {k: Setting(v) for k, v in values.items()}
    return dataclasses.replace(scenario, parameters={**scenario.parameters, **new})


def with_exogenous(scenario: Scenario, **values: float) -> Scenario:
    new = {k: Setting(v) for k, v in values.items()}
    return dataclasses.replace(scenario, exogenous={**scenario.exogenous, **new})


def with_capacity(scenario: Scenario, sector: str, factor: float) -> Scenario:
    economy = scenario.economy
    capacity = economy.capacity.copy()
    capacity[economy.index(sector)] *= factor
    return dataclasses.replace(scenario, economy=economy.replace(vectors={"capacity": capacity}))


def history(scenario: Scenario, months: int) -> History:
    return run(scenario, months=months).history


def column(h: History, key: str, economy: Economy, sector: str) -> FloatArray:
    values: FloatArray = h[key][:, economy.index(sector)]
    return values


def mean_free_price(h: History) -> float:
    return float(np.nanmean(h["free_price"]))


@pytest.fixture(scope="module")
def ussr() -> Scenario:
    return load_scenario("ussr-1928")


def chain_scenario(ore_capacity: float) -> Scenario:
    """Ore feeds metal, metal feeds tools, tools are consumed; no money, no trade, no growth."""
    output = np.array([50.0, 100.0, 200.0])
    economy = Economy.build(
        name="chain",
        sectors=["ore", "metal", "tools"],
        A=[[0.0, 0.5, 0.0], [0.0, 0.0, 0.5], [0.0, 0.0, 0.0]],
        vectors={
            "gross_output": output,
            "labour": [0.1, 0.1, 0.1],
            "consumption": [0.0, 0.0, 200.0],
            "capacity": output * np.array([ore_capacity, 1.0, 1.0]),
        },
        scalars={"labour_force": 1000.0},
    )
    return Scenario(
        name="chain",
        economy=economy,
        start=dt.date(2000, 1, 1),
        months=12,
        policies={},
        parameters={},
        exogenous={},
        initial={},
    )


def spare_capacity_scenario(**policies: float) -> Scenario:
    """textbook-3 with half again its output as capacity, labour to spare, three months of
    stocks and no administered growth: every branch can fulfil a rising target for a while."""
    economy = load_builtin("textbook-3")
    economy = economy.replace(
        vectors={
            "capacity": economy.gross_output * 1.5,
            "depreciation": np.full(economy.n, 0.05),
        },
        scalars={"labour_force": 60.0},
    )
    return Scenario(
        name="spare",
        economy=economy,
        start=dt.date(2000, 1, 1),
        months=36,
        policies={k: Setting(v) for k, v in policies.items()},
        parameters={},
        exogenous={},
        initial={"stock_months": Setting(3.0)},
    )


# --- tempo beyond proportions ------------------------------------------------------------


def test_tempo_beyond_proportions_a_short_input_stops_the_chain_below_it() -> None:
    """Tempo beyond proportions: with too little ore, metal falls once the ore in stock is
    gone and tools once the metal in stock is gone (Leontief: output is the least its
    inputs allow)."""
    full = history(chain_scenario(1.0), 12)
    short = history(chain_scenario(0.5), 12)
    ore, metal, tools = 0, 1, 2
    assert np.all(short["output"][:, ore] < full["output"][:, ore])
    # A month of ore in stock, and the month's own ore, carry metal through the first
    # month; the stock's rest with the second month's ore nearly through the second.
    assert short["output"][0, metal] == pytest.approx(full["output"][0, metal])
    assert short["output"][1, metal] < full["output"][1, metal]
    assert np.all(short["output"][2:, metal] < 0.6 * full["output"][2:, metal])
    # Metal in stock carries tools for longer; then the shortage arrives there too.
    assert short["output"][:3, tools] == pytest.approx(full["output"][:3, tools])
    assert short["output"][3, tools] < full["output"][3, tools]
    assert np.all(short["output"][4:, tools] < 0.6 * full["output"][4:, tools])
    assert np.all(short["supply_ratio"][1:, ore] < 1.0)


def test_tempo_beyond_proportions_iron_and_steel_holds_back_its_users(ussr: Scenario) -> None:
    """Tempo beyond proportions: less iron and steel capacity lowers the output of the
    branches that use iron and steel (machine building, construction), not only its own."""
    months = 24
    economy = ussr.economy
    base = history(ussr, months)
    short = history(with_capacity(ussr, "iron_steel", 0.6), months)
    A = economy.A.toarray()
    iron = economy.index("iron_steel")
    for user in ("machine_building", "construction"):
        assert A[iron, economy.index(user)] > 0
        # Same capacity of its own, less output.
        assert short["capacity"][0, economy.index(user)] == base["capacity"][0, economy.index(user)]
        assert (
            column(short, "output", economy, user).sum()
            < column(base, "output", economy, user).sum()
        )
    assert (
        column(short, "output", economy, "iron_steel").sum()
        < column(base, "output", economy, "iron_steel").sum()
    )
    assert short["supply_ratio"][:, iron].min() < base["supply_ratio"][:, iron].min()


# --- the administrative whip -------------------------------------------------------------


def test_administrative_whip_wears_equipment_and_raises_brak(ussr: Scenario) -> None:
    """The administrative whip: pressure forces branches above capacity; with the same
    construction, their capacity wears faster, brak rises and reported output runs further
    above usable output."""
    months = 36
    calm = run(ussr, months=months)
    forced = run(with_policies(ussr, pressure=0.3), months=months)
    c, f = calm.history, forced.history
    ag = np.isin(ussr.economy.names, ussr.agriculture)
    pressed = (f["overuse"].max(axis=0) > 0.01) & (c["overuse"].max(axis=0) < 1e-9) & ~ag
    assert pressed.sum() >= 5

    def wear(h: History) -> FloatArray:
        worn: FloatArray = h["capacity"][0] + h["finished"].sum(axis=0) - h["capacity"][-1]
        return worn

    assert np.all(wear(f)[pressed] > wear(c)[pressed])
    # Where construction finished the same capacity in both runs, less capacity is left.
    same_building = pressed & np.isclose(
        f["finished"].sum(axis=0), c["finished"].sum(axis=0), rtol=1e-6
    )
    assert {"iron_steel", "coal", "electricity", "machine_building"} <= {
        ussr.economy.names[j] for j in np.flatnonzero(same_building)
    }
    assert np.all(f["capacity"][-1][same_building] < c["capacity"][-1][same_building])
    assert np.all(f["brak"].mean(axis=0)[pressed] > c["brak"].mean(axis=0)[pressed])
    lost_forced = (f["output"] - f["usable"])[:, pressed].sum()
    lost_calm = (c["output"] - c["usable"])[:, pressed].sum()
    assert lost_forced > lost_calm
    # The series shows reported output above usable output.
    wide = forced.wide()
    for j in np.flatnonzero(pressed):
        name = ussr.economy.names[j]
        reported = wide[f"output_{name}"].dropna()
        usable = wide[f"usable_output_{name}"].dropna()
        assert (reported > usable).all()


# --- the plan ratchet --------------------------------------------------------------------


def test_plan_ratchet_raises_targets_after_fulfilled_quarters() -> None:
    """The plan ratcheted "forward, without stopping": a branch that fulfils its quarter
    gets its target raised by the ratchet."""
    plain = history(spare_capacity_scenario(ratchet=0.0), 36)
    ratcheted = history(spare_capacity_scenario(ratchet=0.1), 36)
    # The first quarter is the same; then targets rise by the ratchet.
    np.testing.assert_allclose(ratcheted["target"][:3], plain["target"][:3])
    np.testing.assert_allclose(ratcheted["target"][3], 1.1 * plain["target"][3])
    assert np.all(ratcheted["target"][-1] > plain["target"][-1])
    assert np.all(np.diff(ratcheted["target"], axis=0) >= 0)


def test_plan_ratchet_with_pressure_drives_overuse() -> None:
    """The plan ratchet with the whip: targets ratcheted past capacity are forced, so
    overuse (and brak) appear where the same pressure without a ratchet leaves none."""
    pressed = history(spare_capacity_scenario(pressure=0.3, ratchet=0.0), 36)
    ratcheted = history(spare_capacity_scenario(pressure=0.3, ratchet=0.1), 36)
    assert pressed["overuse"].sum() == 0.0
    assert ratcheted["overuse"].sum() > pressed["overuse"].sum()
    assert np.all(ratcheted["brak"].mean(axis=0) > pressed["brak"].mean(axis=0))


# --- budget gaps paid with paper money ---------------------------------------------------


def test_budget_gaps_higher_wages_more_emission_and_free_prices(ussr: Scenario) -> None:
    """Budget gaps paid with paper money: a faster-rising wage bill widens the deficit,
    which is emitted, and the money drives up free-market prices and the shortage."""
    months = 36
    base = history(ussr, months)
    richer = history(with_policies(ussr, wage_growth=0.1), months)
    assert richer["emission"].sum() > base["emission"].sum()
    assert richer["currency"][-1] > base["currency"][-1]
    assert mean_free_price(richer) > mean_free_price(base)
    assert richer["shortage"].mean() > base["shortage"].mean()


def test_budget_gaps_more_investment_more_emission(ussr: Scenario) -> None:
    """Budget gaps paid with paper money: a larger construction programme pays more site
    wages, so more is emitted and the shortage in state shops grows.

    Run on the 1927/28 economy without administered tempos (targets held at the base year):
    in the built-in course construction waits for materials, so a larger programme barely
    raises site wages while its materials crowd out production and the wage bill.
    """
    months = 24
    steady = dataclasses.replace(ussr, targets={}, default_growth=0.0)
    small = history(with_policies(steady, investment_share=0.5), months)
    large = history(with_policies(steady, investment_share=2.0), months)
    assert large["started"].sum() > small["started"].sum()
    assert large["site_wages"].sum() > small["site_wages"].sum()
    assert large["emission"].sum() > small["emission"].sum()
    assert large["shortage"].mean() > small["shortage"].mean()


# --- excess demand pulls branches over plan ----------------------------------------------


def test_excess_demand_pulls_consumer_branches_over_plan(ussr: Scenario) -> None:
    """Budget gaps paid with paper money, second half: excess demand (the shortage index)
    pulls the targets of consumer-goods branches above the plan; others keep theirs (import
    substitution, which also moves targets, held off)."""
    months = 36
    short = with_parameters(with_policies(ussr, wage_growth=0.1), import_substitution=0.0)
    plan = history(short, months)
    pulled = history(with_parameters(short, demand_pull=1.0), months)
    assert plan["shortage"].max() > 0.1
    economy = ussr.economy
    consumer = (economy.vector("consumption") > 0) & ~np.isin(economy.names, ussr.agriculture)
    assert {"textiles_light", "food_processing"} <= {
        economy.names[j] for j in np.flatnonzero(consumer)
    }
    assert np.all(pulled["target"][:, consumer] >= plan["target"][:, consumer])
    assert np.all(pulled["target"][-1, consumer] > plan["target"][-1, consumer])
    np.testing.assert_allclose(pulled["target"][:, ~consumer], plan["target"][:, ~consumer])


# --- foreign trade, the narrowest point --------------------------------------------------


def test_foreign_trade_lower_export_prices_fewer_machines_slower_growth(ussr: Scenario) -> None:
    """Foreign trade is the narrowest point: lower world prices for exports buy fewer
    machinery imports, and heavy industry's capacity grows more slowly, unless planners
    build at home what can no longer be bought (here they do not: import substitution
    would raise the capacity of the very branches the imports fed)."""
    months = 60
    alone = with_parameters(ussr, import_substitution=0.0)
    steady = history(with_exogenous(alone, world_export_price=1.0), months)
    crisis = history(with_exogenous(alone, world_export_price=0.5), months)
    assert crisis["earnings"].sum() < steady["earnings"].sum()
    assert crisis["machinery_bill"].sum() < steady["machinery_bill"].sum()
    economy = ussr.economy
    heavy = [economy.index(s) for s in ("iron_steel", "machine_building", "coal", "electricity")]
    # No branch grows faster; those whose projects finish within the five years grow slower
    # (iron and steel and electricity build for four years, so their later starts have not
    # finished).
    assert np.all(crisis["capacity"][-1, heavy] <= steady["capacity"][-1, heavy])
    assert crisis["capacity"][-1, heavy].sum() < steady["capacity"][-1, heavy].sum()


# --- foreign credit has two blades -------------------------------------------------------


def test_foreign_credit_imports_now_debt_service_later(ussr: Scenario) -> None:
    """Foreign credit has two blades: credit buys more imports in the first year and costs
    debt service in the years after; credit drawn only in the first year leaves less to
    import later than no credit at all."""
    months = 48
    none = history(with_policies(ussr, credit_cap=0.0), months)
    credit = history(with_policies(ussr, credit_cap=INF), months)
    early = Setting(INF, changes=((dt.date(1929, 10, 1), 0.0),))
    first_year = history(with_policies(ussr, credit_cap=early), months)

    def by_year(h: History, key: str) -> FloatArray:
        yearly: FloatArray = h[key].reshape(-1, 12).sum(axis=1)
        return yearly

    assert by_year(credit, "import_bill")[0] > by_year(none, "import_bill")[0]
    assert by_year(none, "debt_service").sum() == 0.0
    assert np.all(by_year(credit, "debt_service")[1:] > 0.0)
    assert np.all(by_year(credit, "debt_service")[1:] > by_year(credit, "debt_service")[0])
    assert by_year(first_year, "import_bill")[0] > by_year(none, "import_bill")[0]
    assert np.all(by_year(first_year, "import_bill")[1:] < by_year(none, "import_bill")[1:])


# --- financial discipline ----------------------------------------------------------------


@pytest.fixture(scope="module")
def discipline(ussr: Scenario) -> tuple[Run, Run]:
    """A course with a growing wage bill, without and with a zero emission cap."""
    loose = with_policies(ussr, wage_growth=0.1, emission_cap=INF)
    tight = with_policies(ussr, wage_growth=0.1, emission_cap=0.0)
    return run(loose, months=36), run(tight, months=36)


def test_financial_discipline_stops_inflation_and_cancels_projects(
    discipline: tuple[Run, Run],
) -> None:
    """Financial discipline: capped emission keeps free-market prices and the shortage down
    and cancels the marginal projects, leaving less under construction."""
    loose, tight = (r.history for r in discipline)
    assert tight["emission"].sum() < loose["emission"].sum()
    assert mean_free_price(tight) < mean_free_price(loose)
    assert tight["shortage"].mean() < loose["shortage"].mean()
    assert loose["cancelled"].sum() == 0.0
    assert tight["cancelled"].sum() > 0.0
    assert tight["under_construction"][-1] < loose["under_construction"][-1]
    series = discipline[1].wide()
    assert series["projects_cancelled"].sum() > 0.0


def test_financial_discipline_starts_fewer_projects(discipline: tuple[Run, Run]) -> None:
    """Financial discipline: a cap on emission should start fewer projects."""
    loose, tight = (r.history for r in discipline)
    assert tight["started"].sum() < loose["started"].sum()


# --- the price scissors ------------------------------------------------------------------


def scissors(r: Run, since: int = 0) -> float:
    return float(r.variable("price_scissors").iloc[since:].mean())


def test_price_scissors_open_with_a_higher_turnover_tax(ussr: Scenario) -> None:
    """The price scissors: raising the turnover tax during the run raises state retail
    prices against farm prices."""
    months = 36
    raised = Setting(0.1, changes=((dt.date(1929, 4, 1), 0.4),))
    held = run(with_policies(ussr, turnover_tax=0.1), months=months)
    taxed = run(with_policies(ussr, turnover_tax=raised), months=months)
    assert scissors(taxed, since=6) > scissors(held, since=6)
    retail = taxed.variable("state_retail_price_index")
    assert retail.iloc[6] > retail.iloc[5] == 1.0


def test_price_scissors_open_with_a_lower_procurement_price(ussr: Scenario) -> None:
    """The price scissors: paying less for procured grain lowers farm prices against
    industrial prices."""
    months = 36
    held = run(ussr, months=months)
    cheap = run(with_policies(ussr, procurement_price=0.6), months=months)
    assert scissors(cheap) > scissors(held)
    farm_cheap = cheap.variable("agricultural_price_index").mean()
    assert farm_cheap < held.variable("agricultural_price_index").mean()


def test_price_scissors_higher_turnover_tax_from_the_start(ussr: Scenario) -> None:
    """The price scissors: a turnover tax higher from the first month should widen them."""
    months = 36
    low = run(with_policies(ussr, turnover_tax=0.1), months=months)
    high = run(with_policies(ussr, turnover_tax=0.4), months=months)
    assert scissors(high) > scissors(low)


# --- conditions of the working class -----------------------------------------------------


def test_working_class_higher_wages_same_goods_no_higher_real_wage(ussr: Scenario) -> None:
    """Conditions of the working class: a faster-rising money wage with the same goods
    raises free-market prices, so the real wage does not follow the money wage: the money
    that finds no goods in the shops drives up the free market."""
    months = 36
    base = run(ussr, months=months)
    richer = run(with_policies(ussr, wage_growth=0.1), months=months)
    b, r = base.history, richer.history
    nominal = r["wage"][-1] / b["wage"][-1]
    assert nominal > 1.3
    # The same goods: production hardly moves.
    assert r["output"].sum() == pytest.approx(b["output"].sum(), rel=1e-3)
    bought = (r["retail"].sum() + r["free_sold"].sum()) / (b["retail"].sum() + b["free_sold"].sum())
    assert bought < nominal
    assert mean_free_price(r) > mean_free_price(b)
    real_base = base.variable("real_wage_index").iloc[-1]
    real_richer = richer.variable("real_wage_index").iloc[-1]
    # Less than a tenth of the money wage's rise reaches the real wage.
    assert real_richer / real_base - 1.0 < 0.1 * (nominal - 1.0)


def test_working_class_closed_market_less_free_trade(ussr: Scenario) -> None:
    """Conditions of the working class (the market gate padlocked): closing the private
    market leaves only a black market, so less is traded on it."""
    months = 36
    open_ = history(ussr, months)
    closed = history(with_policies(ussr, market_open=0.0), months)
    assert closed["free_sold"].sum() < open_["free_sold"].sum()
    assert closed["free_sold"].sum() > 0.0


def test_import_substitution_builds_at_home_what_the_world_market_no_longer_supplies(
    ussr: Scenario,
) -> None:
    """The world crisis cuts import capacity; planners who answer the gap start more
    capacity in the importable branches (and no less elsewhere)."""
    crisis = with_exogenous(ussr, world_export_price=0.4)
    ignore = history(with_parameters(crisis, import_substitution=0.0), 24)
    answer = history(with_parameters(crisis, import_substitution=0.5), 24)
    economy = ussr.economy
    importable = economy.vector("importable") > 0
    gap = (ignore["imports"].sum(axis=0) < 0.99 * (economy.vector("imports") * 2.0)) & importable
    assert gap.any()
    assert answer["started"][:, gap].sum() > ignore["started"][:, gap].sum()


def test_a_good_harvest_takes_no_workers_from_industry(ussr: Scenario) -> None:
    """The peasant economy works with its own people: more grain does not empty the mines."""
    normal = run(with_exogenous(ussr, harvest=1.0), months=12).wide()
    bumper = run(with_exogenous(ussr, harvest=1.3), months=12).wide()
    assert bumper["grain_harvest_mt"].sum() > normal["grain_harvest_mt"].sum()
    assert bumper["employment"].iloc[:3].to_numpy() == pytest.approx(
        normal["employment"].iloc[:3].to_numpy(), rel=1e-6
    )


def test_construction_first_raises_investment_and_lowers_the_real_wage(ussr: Scenario) -> None:
    """Next month's materials kept back from the shops: more is built, less is sold to
    households, the shortage deepens and the real wage falls."""
    first = run(with_policies(ussr, investment_priority=1.0), months=36)
    last = run(with_policies(ussr, investment_priority=0.0), months=36)
    assert first.history["investment_spending"].sum() > last.history["investment_spending"].sum()
    assert first.history["finished"].sum() > last.history["finished"].sum()
    # The squeeze: in the first year, before the projects it speeds up can finish (light
    # industry's lag is a year), the shops get less; later the capacity built pays back.
    year = 12
    assert first.history["retail"][:year].sum() < last.history["retail"][:year].sum()
    assert first.history["shortage"].mean() > last.history["shortage"].mean()
    real = {
        name: result.wide()["real_wage_index"].dropna().mean()
        for name, result in (("first", first), ("last", last))
    }
    assert real["first"] < real["last"]


def test_a_grain_export_plan_raises_exports_and_lowers_the_villages_grain(
    ussr: Scenario,
) -> None:
    """Exports ordered by the course come from procurement: more leaves the country and less
    stays in the village; the world market pays less for each extra tonne."""
    economy = ussr.economy
    grain = economy.index("grain")
    ordered = dataclasses.replace(ussr, export_plan={"grain": Setting(3.0)})
    plan_run, base_run = run(ordered, months=24), run(ussr, months=24)
    exported = plan_run.history["exports"][:, grain].sum()
    assert exported > 2.0 * base_run.history["exports"][:, grain].sum()
    assert plan_run.history["own_use"][:, grain].sum() < base_run.history["own_use"][:, grain].sum()
    assert (
        plan_run.history["procured"][:, grain].sum() > base_run.history["procured"][:, grain].sum()
    )


def test_a_turnover_tax_lowers_emission_at_equal_investment(ussr: Scenario) -> None:
    """The 1930 reform's instrument: the budget takes in the shops what it would otherwise
    print, while construction goes on much as before."""
    light = run(with_policies(ussr, turnover_tax=0.1), months=36).history
    heavy = run(with_policies(ussr, turnover_tax=0.3), months=36).history
    assert heavy["emission"].sum() < light["emission"].sum()
    assert heavy["turnover_tax"].sum() > light["turnover_tax"].sum()
    invested = heavy["investment_spending"].sum() / light["investment_spending"].sum()
    assert invested == pytest.approx(1.0, abs=0.05)
