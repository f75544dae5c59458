"""Peasant households as columns of arrays: the start, conservation, each mechanism's direction."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest

from planlab.scenarios import calibration
from planlab.simulate.households import (
    ANIMALS,
    CAPITAL_RETURN,
    CENSUS_1927,
    HouseholdRules,
    Households,
    MonthFlows,
    MonthPolicy,
    Status,
    census,
    differentiation,
    divide_income,
    gini,
    initial_households,
    production,
    step,
)

SAMPLE = 2000
"""One household in 2,000: about 12,850 rows, enough for directions, fast."""


def start(seed: int = 1) -> Households:
    return initial_households(sample=SAMPLE, rng=np.random.default_rng(seed))


def months(h: Households, policy: MonthPolicy, count: int, seed: int = 2) -> list[MonthFlows]:
    rng = np.random.default_rng(seed)
    return [step(h, policy, HouseholdRules(), rng) for _ in range(count)]


def calm(**changes: object) -> MonthPolicy:
    return dataclasses.replace(MonthPolicy(pressure=np.zeros(6)), **changes)


def test_the_start_matches_the_record() -> None:
    h = start()
    totals = census(h)
    assert totals["peasant_households_million"] == pytest.approx(
        CENSUS_1927["households_million"].value, rel=1e-9
    )
    record = calibration()
    # Every herd starts from the record's summer count (horses: summer 1929, the first).
    for animal, date in (
        ("cattle", "1928-07-01"),
        ("pigs", "1928-07-01"),
        ("sheep_goats", "1928-07-01"),
        ("horses", "1929-07-01"),
    ):
        rows = record[(record["variable"] == f"{animal}_million") & (record["start"] == date)]
        assert totals[f"{animal}_million"] == pytest.approx(float(rows["value"].iloc[0]), rel=0.03)
    assert totals["collectivised_share"] == pytest.approx(0.017, abs=0.01)
    kulak_share = float(h.weight[h.kulak].sum() / h.weight.sum())
    assert 0.032 - 0.005 <= kulak_share <= 0.038 + 0.005
    assert float(np.average(h.horses[h.kulak], weights=h.weight[h.kulak])) == pytest.approx(
        2.3, rel=0.1
    )


def test_households_are_conserved() -> None:
    h = start()
    initial = float(h.weight.sum())
    policy = calm(pressure=np.full(6, 0.6), kulak_quota=20_000.0)
    flows = months(h, policy, 12)
    eased = calm(outside_premium=1.0)
    flows += months(h, eased, 6, seed=3)
    individual = h.count(h.status == Status.INDIVIDUAL)
    joined = h.count(h.members)
    removed = h.count(h.status == Status.REMOVED)
    born = sum(f.born for f in flows)
    dissolved = sum(f.dissolved for f in flows)
    assert joined + individual + removed == pytest.approx(initial + born - dissolved, rel=1e-9)
    assert removed > 0 and joined > 0


def test_animals_are_conserved() -> None:
    h = start()
    before = {a: float(getattr(h, a) @ h.weight) for a in ANIMALS}
    policy = calm(pressure=np.full(6, 0.7), compensation=0.2, kulak_quota=30_000.0)
    flows = months(h, policy, 12)
    for animal in ANIMALS:
        after = float(getattr(h, animal) @ h.weight)
        accounted = before[animal] + sum(
            f.animal_births[animal]
            - f.animal_deaths[animal]
            - f.slaughtered[animal]
            - f.confiscated[animal]
            for f in flows
        )
        assert after == pytest.approx(accounted, rel=1e-9)
        assert np.all(getattr(h, animal) >= 0)


def horses_after(pressure: float, compensation: float) -> float:
    h = start()
    months(h, calm(pressure=np.full(6, pressure), compensation=compensation), 12)
    return census(h)["horses_million"]


def test_pressure_with_uncertain_compensation_leaves_fewer_horses() -> None:
    """Livestock sold before joining: more pressure, uncertain compensation, fewer horses."""
    assert horses_after(0.8, 0.0) < horses_after(0.2, 0.0)
    assert horses_after(0.8, 0.0) < horses_after(0.8, 1.0)


def test_households_leave_when_pressure_eases_more_where_the_push_was_harder() -> None:
    """The panicky retreat: members leave once pressure eases, more where it was harder."""
    h = start()
    pushed = np.array([0.9, 0.9, 0.9, 0.3, 0.3, 0.3])
    months(h, calm(pressure=pushed), 6)
    members_before = np.array([h.count(h.members & (h.region == r)) for r in range(6)])
    flows = months(h, calm(outside_premium=0.5), 3, seed=5)
    members_after = np.array([h.count(h.members & (h.region == r)) for r in range(6)])
    assert sum(f.left for f in flows) > 0
    left = members_before - members_after
    assert left[:3].sum() > left[3:].sum()


def test_without_easing_nobody_leaves() -> None:
    h = start()
    months(h, calm(pressure=np.full(6, 0.9)), 4)
    flows = months(h, calm(pressure=np.full(6, 0.9), outside_premium=0.5), 3)
    assert sum(f.left for f in flows) == 0.0


def collectivised(kind: int) -> tuple[Households, MonthFlows]:
    h = start()
    flows = months(h, calm(pressure=np.full(6, 0.8), collective_type=kind, compensation=1.0), 6)
    return h, flows[0]


def test_commune_rule_gives_lower_gini_and_less_contributed_livestock() -> None:
    """Dividing the collective's income: per labour-day (commune) against returns on capital."""
    partnership, first_p = collectivised(Status.PARTNERSHIP)
    commune, first_c = collectivised(Status.COMMUNE)
    income_p = divide_income(partnership, 1e9, partnership.members, Status.PARTNERSHIP)
    income_c = divide_income(commune, 1e9, commune.members, Status.COMMUNE)
    gini_p = differentiation(partnership, income_p)["member_income_gini"]
    gini_c = differentiation(commune, income_c)["member_income_gini"]
    assert gini_c < gini_p
    assert first_c.slaughtered["horses"] > first_p.slaughtered["horses"]
    horses_p = float(
        partnership.horses[partnership.members] @ partnership.weight[partnership.members]
    )
    horses_c = float(commune.horses[commune.members] @ commune.weight[commune.members])
    assert horses_c < horses_p


def test_an_open_market_lets_a_rich_layer_form_again() -> None:
    """The kulak as a stage of the middle peasant: the wealth Gini rises with the market only.

    Measured over all households, so that poorer households joining collectives does not
    change the figure by composition.
    """
    opened, closed = start(), start()
    before = census(opened)["wealth_gini"]
    months(opened, calm(market_open=True), 36)
    months(closed, calm(market_open=False), 36)
    assert census(opened)["wealth_gini"] > before + 0.02
    assert census(closed)["wealth_gini"] == pytest.approx(before, abs=1e-3)


def test_gini_against_known_values() -> None:
    assert gini(np.array([1.0, 1.0, 1.0])) == pytest.approx(0.0)
    assert gini(np.array([0.0, 0.0, 0.0, 1.0])) == pytest.approx(0.75)
    assert gini(np.array([1.0, 3.0]), np.array([3.0, 1.0])) == pytest.approx(
        gini(np.array([1.0, 1.0, 1.0, 3.0]))
    )


def per_household(h: Households, grown: np.ndarray, mask: np.ndarray) -> float:
    return float(grown[mask] @ h.weight[mask] / h.weight[mask].sum())


def test_more_tractors_let_collectives_out_produce_individual_farms() -> None:
    """Collectivisation needs mechanisation: pooling alone gives no gain; machines do."""
    h = start()
    months(h, calm(pressure=np.full(6, 0.7)), 4)
    members, individual = h.members, h.status == Status.INDIVIDUAL
    rules = HouseholdRules()
    land_ratio = float(
        np.average(h.land[members], weights=h.weight[members])
        / np.average(h.land[individual], weights=h.weight[individual])
    )
    none, _ = production(h, np.zeros(6), rules)
    many, mechanised = production(h, np.full(6, 5e6), rules)
    without = per_household(h, none, members) / land_ratio
    with_machines = per_household(h, many, members) / land_ratio
    alone = per_household(h, many, individual)
    assert with_machines > without
    assert with_machines > alone
    # Without machines a collective pools horses but gains no scale: no hectare yields
    # more than a fully worked individual hectare.
    per_ha = none[members] / h.land[members]
    assert float(per_ha.max()) <= rules.yield_per_ha + 1e-12
    assert np.all(mechanised > 0)
    np.testing.assert_array_equal(none[individual], many[individual])


def test_the_gini_of_a_large_countryside_is_taken_on_an_even_sample(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from planlab.simulate import households

    values = np.random.default_rng(5).gamma(1.5, size=400_000)
    exact = households.gini(values)
    monkeypatch.setattr(households, "GINI_ROWS", 50_000)
    sampled = households.gini(values)
    assert sampled != exact
    assert sampled == pytest.approx(exact, abs=0.005)


def test_herds_follow_their_birth_and_death_rates() -> None:
    """With no policy, births and deaths over five years are the rates times the herds that
    stood each month, within 2 %: herds shared out over households' weights are fractional,
    and a part-animal dies in its part."""
    h = initial_households(sample=500, rng=np.random.default_rng(5))
    rules = HouseholdRules()
    rng = np.random.default_rng(6)
    standing = {a: 0.0 for a in ANIMALS}
    born = {a: 0.0 for a in ANIMALS}
    died = {a: 0.0 for a in ANIMALS}
    for _ in range(60):
        for animal in ANIMALS:
            standing[animal] += float(getattr(h, animal) @ h.weight)
        flows = step(h, calm(), rules, rng)
        for animal in ANIMALS:
            born[animal] += flows.animal_births[animal]
            died[animal] += flows.animal_deaths[animal]
    for k, animal in enumerate(ANIMALS):
        birth_rate = rules.birth_rates[k] * rules.herd_birth_scale
        assert born[animal] / standing[animal] == pytest.approx(birth_rate, rel=0.02), animal
        assert died[animal] / standing[animal] == pytest.approx(rules.death_rates[k], rel=0.02), (
            animal
        )


def test_the_census_samples_are_the_even_samples_of_the_masked_columns(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """One compiled pass picks, for the households present, the members and the individual
    farms, the rows ``gini`` would take of each masked column."""
    from planlab.simulate import households

    h = start()
    months(h, calm(pressure=np.full(6, 0.5), kulak_quota=20_000.0), 3)
    assert (h.status == Status.REMOVED).any() and h.members.any()
    for limit in (households.GINI_ROWS, 1000, 777):
        monkeypatch.setattr(households, "GINI_ROWS", limit)
        samples = households.census_samples(h)
        masks = (h.present, h.members, h.status == Status.INDIVIDUAL)
        for rows, mask in zip(samples, masks, strict=True):
            everyone = np.flatnonzero(mask)
            step_ = -(-everyone.size // limit) if everyone.size > limit else 1
            np.testing.assert_array_equal(rows, everyone[::step_])


def test_gini_and_top_share_together_equal_each_alone() -> None:
    from planlab.simulate.households import gini_and_top_share, top_share

    values = np.random.default_rng(3).gamma(1.2, size=5000)
    for weights in (np.full(5000, 7.0), np.random.default_rng(4).uniform(1, 2, 5000)):
        together = gini_and_top_share(values, weights)
        assert together == (gini(values, weights), top_share(values, weights))
    assert gini_and_top_share(np.zeros(3), np.ones(3)) == (0.0, 0.0)


def test_the_census_divides_income_as_divide_income_would() -> None:
    """``divided_differentiation`` (sums per kind, no income column) against the incomes
    ``divide_income`` pays each kind of collective and ``differentiation`` of them."""
    from planlab.simulate.households import census_samples, divided_differentiation

    h = start()
    months(h, calm(pressure=np.full(6, 0.6), collective_type=Status.PARTNERSHIP), 3)
    months(h, calm(pressure=np.full(6, 0.8), collective_type=Status.COMMUNE), 2)
    values = h.land * 0.7 + h.horses
    incomes = np.zeros(len(h))
    capital_paid = 0.0
    for kind in (Status.PARTNERSHIP, Status.GUILD, Status.COMMUNE):
        mask = h.status == kind
        pooled = float(values[mask] @ h.weight[mask])
        incomes += divide_income(h, pooled, mask, kind)
        if mask.any() and float(h.contributed[mask] @ h.weight[mask]) > 0:
            capital_paid += CAPITAL_RETURN[kind] * pooled
    members_weight = float(h.weight[h.members].sum())
    got = divided_differentiation(h, values, census_samples(h)[1], members_weight)
    want = differentiation(h, incomes)
    assert got["member_income_gini"] == pytest.approx(want["member_income_gini"], rel=1e-12)
    assert got["rich_member_share"] == pytest.approx(want["rich_member_share"], rel=1e-12)
    assert 0 < got["rich_member_share"] < 1
    share = capital_paid / float(incomes @ h.weight)
    assert got["capital_income_share"] == pytest.approx(share, rel=1e-12)
    assert got["capital_income_share"] > 0


def test_pooling_columns_together_equals_pooling_each_alone() -> None:
    from planlab.simulate.household_farms import pooled_by_rule, pooled_pair

    h = start()
    months(h, calm(pressure=np.full(6, 0.6), collective_type=Status.GUILD), 3)
    grain, units = h.land * 1.3, h.horses + h.cattle
    together = pooled_pair(h, grain, units)
    for pooled, column in zip(together, (grain, units), strict=True):
        np.testing.assert_array_equal(pooled, pooled_by_rule(h, column))
    assert not np.array_equal(together[0], grain)
