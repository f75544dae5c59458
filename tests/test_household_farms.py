"""Household agents driving the simulator through the Farms protocol."""

from __future__ import annotations

import dataclasses
import datetime as dt

import numpy as np
import pandas as pd

from _simulation import assert_goods_balance
from planlab.scenarios import load_scenario
from planlab.simulate import Run, Scenario, Setting, run
from planlab.simulate.household_farms import HouseholdFarms
from planlab.simulate.households import REGIONS, HouseholdRules, MonthPolicy, Status, step

SAMPLE = 2000


def with_policies(**values: float) -> Scenario:
    scenario = load_scenario("ussr-1928")
    return dataclasses.replace(
        scenario, policies={**scenario.policies, **{k: Setting(v) for k, v in values.items()}}
    )


def household_run(scenario: Scenario, months: int = 12, seed: int = 4) -> Run:
    farms = HouseholdFarms.from_scenario(scenario, sample=SAMPLE, seed=seed)
    return run(scenario, months=months, farms=farms)


def test_households_report_the_records_stocks_each_month() -> None:
    result = household_run(with_policies(collectivisation_pressure=0.5), months=6)
    wide = result.wide()
    for name in (
        "collectivised_share",
        "peasant_households_million",
        "horses_million",
        "cattle_million",
        "tractors_thousand",
    ):
        assert wide[name].notna().sum() == 7, name
    assert wide["collectivised_share"].iloc[-1] > wide["collectivised_share"].iloc[0]
    assert set(pd.DatetimeIndex(wide.index).day) == {1}


def test_goods_stay_conserved_with_households() -> None:
    h = household_run(with_policies(collectivisation_pressure=0.6, compensation=0.2)).history
    assert_goods_balance(h)


def test_the_same_seed_gives_the_same_household_run() -> None:
    scenario = with_policies(collectivisation_pressure=0.4)
    first = household_run(scenario, months=4).series
    second = household_run(scenario, months=4).series
    pd.testing.assert_frame_equal(first, second)


def test_pressure_without_compensation_costs_horses_and_raises_procurement() -> None:
    """Livestock sold before joining cuts the harvest (draught power binds), and collectives
    deliver more per tonne: with the same push, the collectives' delivery uplift raises the
    share of the harvest procured. (Not necessarily the tonnes: a larger first claim pays a
    labour-day less, members' effort and the collectives' harvest fall with it.)"""
    calm = household_run(with_policies(collectivisation_pressure=0.0)).wide()
    scenario = with_policies(collectivisation_pressure=0.8, compensation=0.0)
    pushed = household_run(scenario).wide()
    assert pushed["horses_million"].iloc[-1] < calm["horses_million"].iloc[-1]
    assert pushed["grain_harvest_mt"].sum() < calm["grain_harvest_mt"].sum()
    flat = dataclasses.replace(
        scenario, parameters={**scenario.parameters, "delivery_uplift": Setting(0.0)}
    )
    level = household_run(flat).wide()

    def procured_share(wide: pd.DataFrame) -> float:
        return float(wide["grain_procurement_mt"].sum() / wide["grain_harvest_mt"].sum())

    assert procured_share(pushed) > procured_share(level)


def test_differentiation_inside_collectives_is_reported_monthly() -> None:
    """Dividing the collective's income: the capital-return rule differentiates more."""
    partnership = household_run(
        with_policies(collectivisation_pressure=0.6, collective_type=1), months=4
    ).wide()
    commune = household_run(
        with_policies(collectivisation_pressure=0.6, collective_type=3), months=4
    ).wide()
    for name in ("member_income_gini", "rich_member_share", "capital_income_share"):
        assert partnership[name].notna().sum() == 5, name
    assert commune["member_income_gini"].iloc[-1] < partnership["member_income_gini"].iloc[-1]
    assert commune["capital_income_share"].iloc[-1] < partnership["capital_income_share"].iloc[-1]


def test_regional_pressure_and_the_retreat_where_the_push_was_harder() -> None:
    """The panicky retreat: after the push eases, more leave where it was harder."""
    scenario = load_scenario("ussr-1928")
    push = Setting(0.8, ((dt.date(1929, 4, 1), 0.0),))
    scenario = dataclasses.replace(
        scenario,
        policies={**scenario.policies, "collectivisation_pressure": push},
        # a strong push whatever the calibration says: the test is of the direction
        parameters={**scenario.parameters, "join_pressure": Setting(6.0)},
        region_pressure={"north_caucasus": 1.0, "volga": 1.0, "siberia": 0.2, "other": 0.2},
    )
    farms = HouseholdFarms.from_scenario(scenario, sample=SAMPLE, seed=3)
    h = farms.households
    hard = np.isin(h.region, [REGIONS.index("north_caucasus"), REGIONS.index("volga")])
    soft = np.isin(h.region, [REGIONS.index("siberia"), REGIONS.index("other")])
    run(scenario, months=6, farms=farms)
    peak_hard = h.count(h.members & hard) / h.count(hard)
    peak_soft = h.count(h.members & soft) / h.count(soft)
    assert peak_hard > peak_soft
    members_hard, members_soft = h.count(h.members & hard), h.count(h.members & soft)
    for _ in range(4):
        farms.planned(scenario.economy.capacity, 1.0)
    left_hard = (members_hard - h.count(h.members & hard)) / h.count(hard)
    left_soft = (members_soft - h.count(h.members & soft)) / h.count(soft)
    assert left_hard > left_soft
    assert h.count(h.status == Status.INDIVIDUAL) > 0


def test_in_a_retreat_members_who_would_grow_more_alone_leave_and_the_horseless_stay() -> None:
    """Who leaves in a retreat is each household's own sum: what it would grow alone (its
    land, its horses, the team it would hire and pay) against its share of the collective's
    harvest by the rule. Every household made a guild member, then the pressure eases: no
    member with nothing to gain outside leaves, and the horseless leave at under half the
    rate of members with two horses or more. Switched off (each region's mean premium for
    every member, as before) the horseless leave about as often as the rest."""
    farms = HouseholdFarms.from_scenario(load_scenario("ussr-1928"), sample=SAMPLE, seed=3)
    h = farms.households
    h.status[h.status == Status.INDIVIDUAL] = Status.GUILD
    farms._changed()
    pressure = np.full(len(REGIONS), 0.1)
    h.remembered_pressure = np.full(len(REGIONS), 0.9)
    premium = farms._premium(pressure)
    assert isinstance(premium, np.ndarray)
    horseless, horsed = h.horses == 0, h.horses >= 2

    def left(outside: float | np.ndarray) -> np.ndarray:
        """Who leaves in the month, from a copy of the households as they stand."""
        copy = dataclasses.replace(
            h,
            **{
                f.name: getattr(h, f.name).copy()
                for f in dataclasses.fields(h)
                if isinstance(getattr(h, f.name), np.ndarray)
            },
        )
        policy = MonthPolicy(pressure=pressure, outside_premium=outside)
        step(copy, policy, HouseholdRules(), np.random.default_rng(1))
        gone: np.ndarray = copy.status == Status.INDIVIDUAL
        return gone

    own = left(premium)
    assert not own[premium == 0].any()
    assert own[horseless].mean() < 0.5 * own[horsed].mean()
    regional = np.array(
        [
            premium[h.region == r].mean() if (h.region == r).any() else 0.0
            for r in range(len(REGIONS))
        ]
    )
    shared = left(regional)
    assert shared[horseless].mean() > 0.8 * shared[horsed].mean()


def test_tractor_output_is_what_the_tractor_park_receives() -> None:
    """With no machinery imports, the park grows by the series' tractor output (less wear),
    and a tractor programme raises both alike."""
    base = load_scenario("ussr-1928")
    economy = base.economy
    closed = economy.replace(
        vectors={"importable": np.where(np.array(economy.names) == "machine_building", 0.0, 1.0)}
    )
    scenario = dataclasses.replace(
        base,
        economy=closed,
        policies={**base.policies, "tractor_programme": Setting(3.0)},
    )
    farms = HouseholdFarms.from_scenario(scenario, sample=20_000, seed=2)
    result = run(scenario, months=6, seed=2, farms=farms)
    wide = result.wide()
    park = wide["tractors_thousand"].to_numpy()
    made = wide["tractor_output_thousand"].to_numpy()[:-1]
    keep = 1.0 - farms.tractor_wear
    np.testing.assert_allclose(park[1:], park[:-1] * keep + made, rtol=1e-9)
    machinery = economy.index("machine_building")
    per_unit = next(i.per_unit for i in economy.indicators if i.name == "tractor_output_thousand")
    np.testing.assert_allclose(made, result.history["output"][:, machinery] * per_unit * 3.0)
