"""The countryside's physics: herds that eat, draught power that binds, quotas in tonnes and
the hunger they leave. Each mechanism is tested by its direction, and each test says how it
fails with the mechanism switched off."""

from __future__ import annotations

import dataclasses

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from planlab.scenarios import load_scenario
from planlab.simulate import Scenario, Setting, run
from planlab.simulate.draught import draught_sums, hire_paid
from planlab.simulate.fodder import FodderRules, feed_herds
from planlab.simulate.grain import hunger, quota_in_tonnes
from planlab.simulate.household_farms import HouseholdFarms
from planlab.simulate.households import HouseholdRules, Status, initial_households, production
from test_household_farms import SAMPLE

HERDS = ("horses_million", "cattle_million", "pigs_million", "sheep_goats_million")
MONTHS = 5
"""Months of the full-model runs: October 1928 to February 1929, the winter the herds
must be fed through."""


def scenario_with(
    policies: dict[str, float] | None = None, harvest: float = 1.0, **parameters: float
) -> Scenario:
    base = load_scenario("ussr-1928")
    return dataclasses.replace(
        base,
        policies={**base.policies, **{k: Setting(v) for k, v in (policies or {}).items()}},
        parameters={**base.parameters, **{k: Setting(v) for k, v in parameters.items()}},
        exogenous={**base.exogenous, "harvest": Setting(harvest)},
    )


def farms_run(
    scenario: Scenario, months: int, fodder: FodderRules | None = None, seed: int = 4
) -> pd.DataFrame:
    farms = HouseholdFarms.from_scenario(scenario, sample=SAMPLE, seed=seed)
    if fodder is not None:
        farms.fodder_rules = fodder
    return run(scenario, months=months, farms=farms).wide()


def livestock_units(wide: pd.DataFrame) -> float:
    """The herds at the end of a run, horses 1, cattle 0.8, pigs 0.2, sheep and goats 0.1."""
    last = wide[list(HERDS)].iloc[-1]
    return float(last @ np.array([1.0, 0.8, 0.2, 0.1]))


herd = arrays(np.float64, 30, elements=st.floats(0.0, 20.0))
feed = arrays(np.float64, 30, elements=st.floats(0.0, 5.0))


@settings(max_examples=50, deadline=None)
@given(herd, herd, herd, herd, feed, feed, st.floats(0.0, 1.0))
def test_animals_are_lost_only_for_want_of_fodder_and_never_below_zero(
    horses: np.ndarray,
    cattle: np.ndarray,
    pigs: np.ndarray,
    sheep: np.ndarray,
    grain: np.ndarray,
    roughage: np.ndarray,
    less: float,
) -> None:
    """Less fodder never keeps more animals; fed shares lie in 0-1; herds stay non-negative."""
    status = np.zeros(30, dtype=np.int8)
    weight = np.linspace(1.0, 2.0, 30)
    rules = FodderRules()
    full = (horses.copy(), cattle.copy(), pigs.copy(), sheep.copy())
    short = (horses.copy(), cattle.copy(), pigs.copy(), sheep.copy())
    a = feed_herds(full, weight, status, grain, roughage, rules)
    b = feed_herds(short, weight, status, grain * less, roughage * less, rules)
    for kept, cut in zip(full, short, strict=True):
        assert np.all(cut <= kept + 1e-12)
        assert np.all(cut >= 0.0)
    assert np.all(a.fed <= a.needed + 1e-9) and np.all(b.lost >= a.lost - 1e-9)
    before = (horses, cattle, pigs, sheep)
    lost = [float((x - y) @ weight) for x, y in zip(before, full, strict=True)]
    np.testing.assert_allclose(a.lost, lost, atol=1e-9)


def test_a_fixed_quota_is_shared_by_what_each_household_sows() -> None:
    shares = quota_in_tonnes(np.array([1.0, 3.0, 2.0]), np.array([2.0, 1.0, 0.0]), 10.0)
    assert float(shares @ np.array([2.0, 1.0, 0.0])) == pytest.approx(10.0)
    assert shares[2] == 0.0 and shares[1] == pytest.approx(3 * shares[0])


def test_deaths_follow_the_depth_of_hunger() -> None:
    ration = 1.0
    family, weight = np.full(3, 4.0), np.ones(3)
    mild = hunger(np.array([3.6, 4.0, 4.0]), family, weight, ration, 0.02)
    deep = hunger(np.array([0.0, 4.0, 4.0]), family, weight, ration, 0.02)
    fed = hunger(np.full(3, 4.0), family, weight, ration, 0.02)
    assert fed.share == 0.0 and fed.deaths == 0.0
    assert mild.share == deep.share == pytest.approx(1 / 3)
    assert deep.deaths == pytest.approx(4 * 0.02) and mild.deaths == pytest.approx(4 * 0.1 * 0.02)


def test_a_bad_harvest_kills_animals_through_their_fodder() -> None:
    """A year at 80% of a normal harvest leaves the herds smaller than a normal year.

    Switched off (``FodderRules(unfed_loss=0)``: unfed animals survive), the herds of both
    runs are the same draw for draw and the first assertion fails; the second asserts it."""
    normal = farms_run(scenario_with(), MONTHS)
    poor = farms_run(scenario_with(harvest=0.8), MONTHS)
    assert livestock_units(poor) < 0.95 * livestock_units(normal)
    assert poor["fodder_share"].iloc[1:].mean() < normal["fodder_share"].iloc[1:].mean()
    fed_anyway = FodderRules(unfed_loss=0.0)
    # (no migration either: a hungrier village sends more families to town, and a family
    # that leaves sells its herd; nor wealth in the choice to join: the harvest moves
    # incomes, so wealth, so who joins, and a joining family slaughters before it joins)
    others_off = {"migration_rate": 0.0, "join_wealth": 0.0}
    same = (
        farms_run(scenario_with(**others_off), MONTHS, fed_anyway),
        farms_run(scenario_with(harvest=0.8, **others_off), MONTHS, fed_anyway),
    )
    assert livestock_units(same[1]) == pytest.approx(livestock_units(same[0]), rel=1e-9)


def test_a_heavier_quota_kills_animals() -> None:
    """A plan of 22 Mt against one of 10 Mt leaves fewer animals (at least 2% fewer livestock
    units over the winter): the quota is served before the herds eat. Switched off
    (``unfed_loss=0``) the herds hardly differ."""
    light = farms_run(scenario_with({"procurement_quota_mt": 10.0}), MONTHS)
    heavy = farms_run(scenario_with({"procurement_quota_mt": 22.0}), MONTHS)
    assert livestock_units(heavy) < 0.98 * livestock_units(light)
    fed_anyway = FodderRules(unfed_loss=0.0)
    # (no migration either: hunger from the heavier plan sends families, and their herds, away)
    # (nor wealth in the choice to join: the plan moves incomes, so who joins)
    others_off = {"migration_rate": 0.0, "join_wealth": 0.0}
    a = farms_run(scenario_with({"procurement_quota_mt": 10.0}, **others_off), MONTHS, fed_anyway)
    b = farms_run(scenario_with({"procurement_quota_mt": 22.0}, **others_off), MONTHS, fed_anyway)
    # Other channels remain (hunger, which kills animals too), but without the fodder the
    # plan's effect on the herds all but goes.
    gap = livestock_units(light) - livestock_units(heavy)
    assert abs(livestock_units(b) - livestock_units(a)) < 0.01 * gap


def grain_of(
    rules: HouseholdRules, horses: float = 1.0, tractor_hp: float = 0.0, members: bool = False
) -> tuple[float, float]:
    """The countryside's normal-season grain and the grain per hectare, with ``horses``
    of the start's horses left and ``tractor_hp`` spread over the regions."""
    h = initial_households(np.random.default_rng(1), sample=500)
    h.horses = h.horses * horses
    if members:
        h.status[:] = Status.GUILD
    grown, _ = production(h, np.full(6, tractor_hp / 6), rules)
    total = float(grown @ h.weight)
    return total, total / float(h.land @ h.weight)


def test_losing_two_horses_in_five_cuts_the_harvest_unless_tractors_replace_them() -> None:
    """Draught power binds: with 40% of the horses gone individual farms grow at least a
    tenth less and collectives at least a twentieth less; tractor horsepower worth the
    lost horses (``horses_per_tractor_hp``) gives the collectives their harvest back.

    Switched off (``ha_per_horse`` so large that one horse works any farm) the harvest does
    not fall and the first assertion fails; the last assertion shows it."""
    rules = HouseholdRules()
    whole, _ = grain_of(rules)
    cut, _ = grain_of(rules, horses=0.6)
    assert cut < 0.9 * whole
    pooled, _ = grain_of(rules, members=True)
    pooled_cut, _ = grain_of(rules, horses=0.6, members=True)
    assert pooled_cut < 0.95 * pooled  # a horse works more land in a collective
    lost = 0.4 * initial_households(np.random.default_rng(1), sample=500).total("horses")
    hp = lost / rules.horses_per_tractor_hp
    restored, _ = grain_of(rules, horses=0.6, tractor_hp=hp, members=True)
    assert restored >= 0.99 * pooled
    unbound = dataclasses.replace(rules, ha_per_horse=1e9)
    assert grain_of(unbound, horses=0.6)[0] == pytest.approx(grain_of(unbound)[0])


def test_draught_power_is_close_to_binding_at_the_start() -> None:
    """In 1928 the horses just suffice: a tenth fewer already costs grain, a fifth fewer
    more than 3% of it."""
    rules = HouseholdRules()
    whole = grain_of(rules)[0]
    assert grain_of(rules, horses=0.9)[0] < whole
    assert grain_of(rules, horses=0.8)[0] < 0.97 * whole


def test_killing_horses_cuts_the_sown_area_in_the_full_model() -> None:
    """The run's ``sown_area_million_ha`` falls when two horses in five are gone."""
    scenario = scenario_with()
    farms = HouseholdFarms.from_scenario(scenario, sample=SAMPLE, seed=4)
    farms.households.horses *= 0.6
    farms._changed()
    cut = run(scenario, months=3, farms=farms).wide()
    whole = farms_run(scenario, 3)
    assert cut["sown_area_million_ha"].iloc[1] < 0.9 * whole["sown_area_million_ha"].iloc[1]
    assert cut["grain_harvest_mt"].sum() < 0.95 * whole["grain_harvest_mt"].sum()


def test_the_hired_team_is_paid_by_the_farms_short_of_draught_to_those_with_spare() -> None:
    """``hire_paid``: per region the grain is unchanged; a farm short of draught pays,
    one with spare horse-hectares receives in proportion to its spare, members keep their
    own. At a share of 0 nothing moves."""
    rules = HouseholdRules()
    h = initial_households(np.random.default_rng(2), sample=500)
    h.status[::7] = Status.GUILD
    grown, _ = production(h, np.zeros(6), rules)
    args = (h.region, h.weight, h.land, h.horses, h.status, grown, rules.ha_per_horse)
    _, _, covered, spare_ha = draught_sums(*args[:5], rules.ha_per_horse, 6)
    after = hire_paid(*args, 0.5, covered, spare_ha)
    moved = after - grown
    for r in range(6):
        here = h.region == r
        assert moved[here] @ h.weight[here] == pytest.approx(0.0, abs=1e-9 * grown.sum())
    alone = h.status == Status.INDIVIDUAL
    short = alone & (h.land > h.horses * rules.ha_per_horse)
    spare = alone & (h.land < h.horses * rules.ha_per_horse)
    assert np.all(moved[short] <= 0) and moved[short].min() < 0
    assert np.all(moved[spare] >= 0) and moved[spare].max() > 0
    assert np.all(moved[~alone] == 0)
    assert np.all(after[short] >= 0.5 * grown[short] - 1e-12)
    more = spare & (h.region == h.region[spare][0])
    per_spare = moved[more] / (h.horses[more] * rules.ha_per_horse - h.land[more])
    assert np.allclose(per_spare, per_spare[0])
    assert np.array_equal(hire_paid(*args, 0.0, covered, spare_ha), grown)


def test_a_fixed_quota_after_a_poor_harvest_takes_more_of_it_and_leaves_hunger() -> None:
    """Quotas in tonnes: at a fixed plan of 20 Mt a harvest of 75% raises the share procured
    and the share of people below the food ration, and kills. Switched off (the share rule,
    ``procurement_quota_mt`` NaN) the procured share rises far less (the quota shrinks
    with the surplus)."""

    def procured_share(wide: pd.DataFrame) -> float:
        return float(wide["grain_procurement_mt"].sum() / wide["grain_harvest_mt"].sum())

    plan = {"procurement_quota_mt": 20.0}
    good = farms_run(scenario_with(plan), MONTHS)
    bad = farms_run(scenario_with(plan, harvest=0.75), MONTHS)
    quota_rise = procured_share(bad) / procured_share(good)
    assert quota_rise > 1.2
    assert bad["grain_hunger_share"].max() > good["grain_hunger_share"].max() + 0.005
    assert bad["excess_deaths_thousand"].sum() > good["excess_deaths_thousand"].sum()
    share_good = farms_run(scenario_with(), MONTHS)
    share_bad = farms_run(scenario_with(harvest=0.75), MONTHS)
    assert procured_share(share_bad) / procured_share(share_good) < quota_rise - 0.1


def test_excess_deaths_are_a_monthly_flow() -> None:
    wide = farms_run(scenario_with({"procurement_quota_mt": 20.0}, harvest=0.75), 3)
    deaths = wide["excess_deaths_thousand"]
    assert deaths.notna().sum() == 3 and np.isnan(deaths.iloc[-1])
