"""The towns' labour: migration from the villages by its rule, and industry hiring from it."""

from __future__ import annotations

import dataclasses
import math

import numpy as np
import pytest

from planlab.scenarios import load_scenario
from planlab.simulate import Run, Scenario, Setting, run
from planlab.simulate.engine import Model
from planlab.simulate.stages import (
    agriculture,
    construction,
    foreign_trade,
    money_and_markets,
    production,
    targets,
    towns,
)
from planlab.simulate.towns import cost_of_living, migration_probability

MONTHS = 36


def with_settings(scenario: Scenario, group: str, **values: float) -> Scenario:
    table = getattr(scenario, group)
    return dataclasses.replace(
        scenario, **{group: {**table, **{k: Setting(v) for k, v in values.items()}}}
    )


@pytest.fixture(scope="module")
def ussr() -> Scenario:
    return load_scenario("ussr-1928")


def migrants(result: Run) -> float:
    return float(result.variable("urban_net_migration_million").sum())


def test_migration_probability_multiplies_its_drivers() -> None:
    """The rule by hand: base x pull^e x exp(hunger and pressure terms) x demand^e."""
    rate = migration_probability(0.001, 1.2, 2.0, 0.1, 3.0, 0.5, 1.0, 1.1, 1.0)
    assert rate == pytest.approx(0.001 * 1.2**2 * math.exp(0.3 + 0.5) * 1.1)
    assert migration_probability(0.0, 5.0, 1.0, 1.0, 1.0, 1.0, 1.0, 2.0, 1.0) == 0.0
    assert migration_probability(0.5, 10.0, 3.0, 1.0, 5.0, 1.0, 5.0, 2.0, 1.0) == 1.0


def test_cost_of_living_weighs_shops_and_market_by_spending() -> None:
    """Shops at the retail price raised by the shortage, the market at its price."""
    living = cost_of_living(1.1, 0.2, 2.0, 300.0, 100.0)
    assert float(living) == pytest.approx(0.75 * 1.1 * 1.2 + 0.25 * 2.0)
    # Nothing spent: the shops' price stands.
    assert float(cost_of_living(1.1, 0.2, np.nan, 0.0, 0.0)) == pytest.approx(1.32)


def test_higher_urban_wages_draw_more_migrants(ussr: Scenario) -> None:
    """A faster-rising money wage raises the real wage a little, and with it the pull of the
    towns; with the wage out of the rule (elasticity 0) the wage no longer draws anyone."""
    richer = with_settings(ussr, "policies", wage_growth=0.1)
    assert migrants(run(richer, months=MONTHS)) > migrants(run(ussr, months=MONTHS))
    deaf = with_settings(richer, "parameters", migration_wage_elasticity=0.0)
    deaf_base = with_settings(ussr, "parameters", migration_wage_elasticity=0.0)
    gap = migrants(run(deaf, months=MONTHS)) - migrants(run(deaf_base, months=MONTHS))
    assert abs(gap) < 0.1 * (
        migrants(run(richer, months=MONTHS)) - migrants(run(ussr, months=MONTHS))
    )


def test_pressure_drives_people_to_the_towns(ussr: Scenario) -> None:
    """Collectivisation pressure drives flight from the villages; not when pressure is out of
    the rule."""
    pressed = with_settings(ussr, "policies", collectivisation_pressure=0.5)
    assert migrants(run(pressed, months=MONTHS)) > 1.2 * migrants(run(ussr, months=MONTHS))
    calm = with_settings(ussr, "parameters", migration_pressure=0.0)
    calm_pressed = with_settings(pressed, "parameters", migration_pressure=0.0)
    assert migrants(run(calm_pressed, months=MONTHS)) == pytest.approx(
        migrants(run(calm, months=MONTHS)), rel=0.02
    )


def test_deportations_spread_fear_and_flight_to_the_towns(ussr: Scenario) -> None:
    """Dekulakisation by quota frightens the villages: more people leave for the towns; not
    when pressure and fear are out of the rule."""
    feared = with_settings(ussr, "policies", kulak_quota=40_000.0)
    assert migrants(run(feared, months=MONTHS)) > migrants(run(ussr, months=MONTHS))
    calm = with_settings(ussr, "parameters", migration_pressure=0.0)
    calm_feared = with_settings(feared, "parameters", migration_pressure=0.0)
    assert migrants(run(calm_feared, months=MONTHS)) == pytest.approx(
        migrants(run(calm, months=MONTHS)), rel=0.02
    )


def test_industry_hires_from_the_migrants_when_labour_binds(ussr: Scenario) -> None:
    """Branches forced half again above capacity need more workers than the towns have;
    migrants from the villages let them produce more. With no migration the towns' labour
    only grows naturally and binds harder."""
    forced = with_settings(
        with_settings(ussr, "policies", pressure=0.5), "initial", town_unemployed=0.0
    )
    none = run(with_settings(forced, "parameters", migration_rate=0.0), months=MONTHS)
    some = run(with_settings(forced, "parameters", migration_rate=0.004), months=MONTHS)
    assert none.history["labour_scale"].min() < 1.0
    assert some.history["labour_scale"][-12:].mean() > none.history["labour_scale"][-12:].mean()
    farm = np.array([n in ussr.agriculture for n in ussr.economy.names])
    assert some.history["output"][:, ~farm].sum() > none.history["output"][:, ~farm].sum()
    assert migrants(some) > migrants(none) == 0.0


def test_the_towns_labour_is_accounted_for(ussr: Scenario) -> None:
    """Each month the towns' labour grows by its natural rate and the workers who came; the
    employed never exceed it; unemployment is what is left of it."""
    h = run(ussr, months=MONTHS).history
    natural = (1.0 + ussr.economy.scalars["labour_force_growth"]) ** (1.0 / 12.0)
    pool = h["town_labour"]
    came = h["migrant_workers"] + h["settlers"]
    np.testing.assert_allclose(pool[1:], pool[:-1] * natural + came[1:], rtol=1e-12)
    # Industry hires from the labour the towns had on the month's first day.
    assert np.all(h["employment"][1:] <= pool[:-1] * (1.0 + 1e-12))
    np.testing.assert_allclose(h["town_unemployed"][1:], pool[:-1] - h["employment"][1:])


def test_unemployment_in_the_towns_holds_migrants_back(ussr: Scenario) -> None:
    """A migrant weighs the wage by the chance of a job: the same month in towns with more
    unemployed (more labour, the same employment) draws fewer people; with the pull out of
    the rule (wage elasticity 0) it draws as many."""

    def rate(scenario: Scenario, extra: float) -> float:
        model = Model(scenario)
        model.step()
        p, s, t, farms = model.params, model.state, model.month, model.farms
        target = targets(p, s, t, model.path)
        s, made = production(p, s, t, target, farms)
        s, farm = agriculture(p, s, t, made, farms)
        s, built = construction(p, s, t, made)
        s, _ = foreign_trade(p, s, t, made, built, farms)
        s, money = money_and_markets(p, s, t, made, farm, built, farms)
        crowded = dataclasses.replace(s, town_labour=s.town_labour + extra)
        return towns(p, crowded, t, made, farm, money, farms)[1].rate

    assert rate(ussr, 3000.0) < rate(ussr, 0.0)
    deaf = with_settings(ussr, "parameters", migration_wage_elasticity=0.0)
    assert rate(deaf, 3000.0) == pytest.approx(rate(deaf, 0.0))
