"""Params resolved and validated once per run, for a scenario from a file or from Python;
one seed spawned into named streams; tables that cannot be changed behind a run's back."""

from __future__ import annotations

import dataclasses
import datetime as dt
import math
from pathlib import Path

import numpy as np
import pytest

import planlab
from planlab.errors import InputError
from planlab.scenarios import load_scenario
from planlab.simulate import POLICIES, Scenario, Setting, run
from planlab.simulate._household_month import cache_dir, month
from planlab.simulate.households import CENSUS_1927, REGION_SHARES
from planlab.simulate.params import MAX_MONTHS, resolve
from planlab.simulate.seeds import STREAMS, streams


@pytest.fixture(scope="module")
def scenario() -> Scenario:
    return load_scenario("ussr-1928")


def lines(error: pytest.ExceptionInfo[InputError]) -> list[str]:
    return list(error.value.lines())


def test_an_unknown_policy_built_in_python_is_refused(scenario: Scenario) -> None:
    typo = dataclasses.replace(scenario, policies={**scenario.policies, "presure": Setting(5.0)})
    with pytest.raises(InputError) as caught:
        run(typo, months=2)
    (line,) = lines(caught)
    assert "policies.presure" in line and "known policies" in line and "\n" not in line


def test_a_value_out_of_range_is_refused_like_the_loader_does(scenario: Scenario) -> None:
    wild = dataclasses.replace(scenario, policies={"pressure": Setting(5.0)})
    with pytest.raises(InputError) as caught:
        resolve(wild)
    (line,) = lines(caught)
    assert "policies.pressure.value" in line and "lies in [0, 1]" in line


@pytest.mark.parametrize("months", [-2, 0, math.nan, 1.5, True, "12", MAX_MONTHS + 1])
def test_months_must_be_a_whole_number_in_range(scenario: Scenario, months: object) -> None:
    with pytest.raises(InputError) as caught:
        run(scenario, months=months)
    (line,) = lines(caught)
    assert "field 'months'" in line and "whole number of months" in line


@pytest.mark.parametrize("seed", [1.5, -1, 2**63, True, "3"])
def test_seeds_are_whole_numbers_in_range(scenario: Scenario, seed: object) -> None:
    with pytest.raises(InputError) as caught:
        run(scenario, months=1, seed=seed)
    (line,) = lines(caught)
    assert "field 'seed'" in line


def test_change_dates_lie_within_the_scenario_and_do_not_repeat(scenario: Scenario) -> None:
    late = dt.date(2100, 1, 1)
    twice = dt.date(1929, 1, 1)
    policies = {
        "pressure": Setting(0.0, ((late, 0.1),)),
        "ratchet": Setting(0.0, ((twice, 0.1), (twice, 0.2))),
    }
    with pytest.raises(InputError) as caught:
        resolve(dataclasses.replace(scenario, policies=policies))
    found = lines(caught)
    assert any("policies.pressure.changes" in line and "2100-01-01" in line for line in found)
    assert any(
        "policies.ratchet.changes" in line and "one change per date" in line for line in found
    )


def test_initial_values_take_no_dated_changes(scenario: Scenario) -> None:
    initial = {"currency": Setting(100.0, ((dt.date(1929, 1, 1), 200.0),))}
    with pytest.raises(InputError) as caught:
        resolve(dataclasses.replace(scenario, initial=initial))
    assert any("initial.currency.changes" in line for line in lines(caught))


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"default_growth": -3.0}, "default_growth"),
        ({"default_growth": math.inf}, "default_growth"),
        ({"targets": {"coal": math.nan}}, "growth.coal"),
        ({"targets": {"steelworks": 0.1}}, "growth"),
        ({"priority": {"coal": math.nan}}, "priority"),
        ({"agriculture": ("rye",)}, "agriculture"),
        ({"region_pressure": {"atlantis": 1.0}}, "region_pressure.atlantis"),
    ],
)
def test_scenario_fields_are_checked_in_python(
    scenario: Scenario, change: dict[str, object], field: str
) -> None:
    with pytest.raises(InputError) as caught:
        resolve(dataclasses.replace(scenario, **change))  # type: ignore[arg-type]
    assert any(f"field '{field}'" in line for line in lines(caught))


def test_params_are_frozen(scenario: Scenario) -> None:
    p = resolve(scenario, months=3)
    with pytest.raises(dataclasses.FrozenInstanceError):
        p.months = 4  # type: ignore[misc]
    with pytest.raises(TypeError):
        p.parameter["velocity"] = 1.0  # type: ignore[index]
    with pytest.raises(ValueError, match="read-only"):
        p.policy["pressure"][0] = 1.0
    with pytest.raises(ValueError, match="read-only"):
        p.farm[0] = False


def test_module_tables_cannot_be_changed() -> None:
    with pytest.raises(TypeError):
        POLICIES["pressure"] = POLICIES["ratchet"]  # type: ignore[index]
    with pytest.raises(TypeError):
        CENSUS_1927["households_million"] = CENSUS_1927["poor_share"]  # type: ignore[index]
    with pytest.raises(ValueError, match="read-only"):
        REGION_SHARES[0] = 1.0


def test_named_streams_are_distinct_and_reproducible() -> None:
    first, again = streams(7), streams(7)
    draws = {name: np.random.default_rng(getattr(first, name)).random(4) for name in STREAMS}
    for name in STREAMS:
        np.testing.assert_array_equal(
            draws[name], np.random.default_rng(getattr(again, name)).random(4)
        )
    values = [tuple(v) for v in draws.values()]
    assert len(set(values)) == len(STREAMS)
    other = np.random.default_rng(streams(8).weather).random(4)
    assert not np.array_equal(other, draws["weather"])


def test_weather_comes_from_the_seed_and_the_seed_alone(scenario: Scenario) -> None:
    noisy = dataclasses.replace(
        scenario, parameters={**scenario.parameters, "harvest_noise": Setting(0.2)}
    )
    a, b = run(noisy, months=25, seed=11), run(noisy, months=25, seed=11)
    np.testing.assert_array_equal(a.history["output"], b.history["output"])
    c = run(noisy, months=25, seed=12)
    assert not np.array_equal(a.history["output"], c.history["output"])


def test_compiled_kernels_cache_outside_the_installed_package() -> None:
    package = Path(planlab.__file__).resolve().parent
    where = Path(month._cache._cache_path).resolve()  # type: ignore[attr-defined]
    assert package not in where.parents
    assert where.is_relative_to(cache_dir().resolve())


@pytest.mark.parametrize(
    ("plan", "field"),
    [
        ({"steelworks": Setting(2.0)}, "export_plan"),
        ({"grain": Setting(-1.0)}, "export_plan.grain.value"),
        ({"grain": Setting(2.0, ((dt.date(2100, 1, 1), 3.0),))}, "export_plan.grain.changes"),
        ({"construction": Setting(2.0)}, "export_plan.construction"),
    ],
    ids=["unknown good", "negative", "change after the scenario", "not exported"],
)
def test_export_plans_are_checked(scenario: Scenario, plan: dict[str, Setting], field: str) -> None:
    with pytest.raises(InputError) as caught:
        resolve(dataclasses.replace(scenario, export_plan=plan))
    assert any(f"field '{field}'" in line for line in lines(caught))


def test_the_params_matrices_are_frozen_too(scenario: Scenario) -> None:
    p = resolve(scenario, months=2)
    with pytest.raises(ValueError, match="read-only"):
        p.A_stock.data[0] = 9.0
