"""Courses: the three courses of ussr-1928 load and run; a course replaces the scenario's
entries; a bad course file is one line naming the course file, the field and the rule."""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest
import yaml
from typer.testing import CliRunner

from planlab.cli import app
from planlab.errors import InputError
from planlab.scenarios import load_scenario, scenario_courses
from planlab.simulate import Setting, run
from planlab.simulate.household_farms import HouseholdFarms
from planlab.simulate.stages.targets import revised_levels
from test_scenario_files import minimal, write

runner = CliRunner()
COURSES = ("historical", "nep", "opposition")


def test_ussr_1928_has_three_courses_running_to_the_end_of_1937() -> None:
    assert tuple(scenario_courses("ussr-1928")) == COURSES
    for name in COURSES:
        course = load_scenario("ussr-1928", course=name)
        assert course.course == name
        assert course.start == dt.date(1928, 10, 1)
        last = course.start.year * 12 + course.start.month - 1 + course.months
        assert (last // 12, last % 12 + 1) == (1938, 1)
        assert all(setting.source for setting in course.policies.values())


def test_each_course_sets_its_own_policies() -> None:
    historical = load_scenario("ussr-1928", course="historical")
    opposition = load_scenario("ussr-1928", course="opposition")
    nep = load_scenario("ussr-1928", course="nep")
    dates = (dt.date(1929, 6, 1), dt.date(1930, 2, 1), dt.date(1930, 4, 1), dt.date(1931, 6, 1))
    market = historical.path("policies", "market_open", dates)
    assert market.tolist() == [1.0, 0.0, 0.0, 0.0]
    pressure = historical.path("policies", "collectivisation_pressure", dates)
    assert pressure[1] > pressure[2] < pressure[3]  # pressed, eased in March 1930, resumed
    assert historical.path("policies", "kulak_quota", dates)[1] > 0
    assert opposition.target_path is not None  # a plan balanced by plan/
    assert opposition.value("policies", "emission_cap") < np.inf
    assert opposition.path("policies", "kulak_quota", dates).max() == 0.0
    assert nep.path("policies", "market_open", dates).min() == 1.0
    assert nep.value("policies", "collectivisation_pressure") == 0.0
    assert nep.default_growth < historical.default_growth


def course_files(tmp_path: Path, course: dict[str, Any]) -> Path:
    folder = tmp_path / "scenario"
    folder.mkdir()
    write(folder, minimal())
    (folder / "courses").mkdir()
    text = yaml.safe_dump(course, sort_keys=False)
    (folder / "courses" / f"{course.get('name', 'bad')}.yaml").write_text(text)
    return folder


def a_course(**extra: Any) -> dict[str, Any]:
    return {
        "format": "planlab-course/1",
        "name": "fast",
        "title": "a fast course",
        "description": "a test course",
        "months": 6,
        "policies": {"ratchet": {"value": 0.05, "source": "assumption: a test lever"}},
        **extra,
    }


def test_a_course_replaces_the_scenarios_entries_and_keeps_the_rest(tmp_path: Path) -> None:
    folder = course_files(tmp_path, a_course())
    base = load_scenario(folder)
    course = load_scenario(folder, course="fast")
    assert course.months == 6 and base.months == 12
    assert course.value("policies", "ratchet") == 0.05
    assert course.policies["pressure"] == base.policies["pressure"]
    assert len(run(course).dates) == 7


def test_a_bad_course_is_one_line_naming_the_course_file(tmp_path: Path) -> None:
    course = a_course()
    course["policies"]["ratchet"]["value"] = 7.0
    folder = course_files(tmp_path, course)
    with pytest.raises(InputError) as caught:
        load_scenario(folder, course="fast")
    (line,) = caught.value.lines()
    assert line.startswith("courses/fast.yaml: field ")
    assert "policies.ratchet.value" in line and "(rule: " in line


def test_an_unknown_course_names_the_known_ones(tmp_path: Path) -> None:
    folder = course_files(tmp_path, a_course())
    with pytest.raises(InputError, match="one of fast"):
        load_scenario(folder, course="slow")
    result = runner.invoke(app, ["simulate", str(folder), "--course", "slow"])
    assert result.exit_code == 2
    assert "Traceback" not in result.output


def test_simulate_all_courses_writes_a_folder_each(tmp_path: Path) -> None:
    out = tmp_path / "runs"
    result = runner.invoke(
        app,
        [
            "simulate",
            "ussr-1928",
            "--course",
            "all",
            "--months",
            "3",
            "--households",
            "20000",
            "--out",
            str(out),
        ],
    )
    assert result.exit_code == 0, result.output
    for name in COURSES:
        series = pd.read_csv(out / name / "series.csv")
        assert {"date", "variable", "value"} <= set(series.columns)
        assert "collectivised_share" in set(series["variable"])
        meta = json.loads((out / name / "run.json").read_text())
        assert meta["course"] == name and meta["households"] == 20000
        assert meta["months"] == 3


def test_revising_the_tempo_raises_the_targets_from_that_month_on() -> None:
    base, growth, revised = np.array([100.0]), np.array([0.1]), np.array([0.3])
    none = revised_levels(base, growth, revised, np.zeros(24))
    later = revised_levels(base, growth, revised, np.r_[np.zeros(12), np.ones(12)])
    years = np.array([2.0])
    assert later(6, years)[0] == pytest.approx(none(6, years)[0])
    assert later(18, years)[0] > none(18, years)[0]
    assert none(24, years)[0] == pytest.approx(100.0 * 1.1**2)


def with_course_policies(course: str, **values: float) -> Any:
    scenario = load_scenario("ussr-1928", course=course)
    policies = {**scenario.policies, **{k: Setting(v) for k, v in values.items()}}
    return dataclasses.replace(scenario, policies=policies)


def test_taxing_accumulation_holds_back_the_rich_layer() -> None:
    """The Opposition's answer to the kulak: a tax, and wealth spreads less."""
    untaxed = with_course_policies("nep", wealth_tax=0.0)
    taxed = with_course_policies("nep", wealth_tax=0.5)
    gini = {}
    for label, scenario in (("untaxed", untaxed), ("taxed", taxed)):
        farms = HouseholdFarms.from_scenario(scenario, sample=5000, seed=3)
        gini[label] = run(scenario, months=24, farms=farms).wide()["wealth_gini_individual"]
    assert gini["taxed"].iloc[-1] < gini["untaxed"].iloc[-1]


def test_machines_draw_households_into_collectives_without_pressure() -> None:
    scenario = with_course_policies("opposition", collectivisation_pressure=0.0)
    share = {}
    for hp in (0.0, 5e6):
        farms = HouseholdFarms.from_scenario(scenario, sample=5000, seed=3)
        farms.tractor_hp = hp
        share[hp] = run(scenario, months=12, farms=farms).wide()["collectivised_share"].iloc[-1]
    assert share[5e6] > share[0.0]


def test_deportations_spread_fear_and_fear_drives_joining() -> None:
    calm = with_course_policies("nep", kulak_quota=0.0, collectivisation_pressure=0.2)
    feared = with_course_policies("nep", kulak_quota=50_000.0, collectivisation_pressure=0.2)
    share = {}
    for label, scenario in (("calm", calm), ("feared", feared)):
        farms = HouseholdFarms.from_scenario(scenario, sample=5000, seed=3)
        share[label] = run(scenario, months=6, farms=farms).wide()["collectivised_share"].iloc[-1]
    assert share["feared"] > share["calm"]


def test_the_courses_page_is_generated_from_the_course_files() -> None:
    from planlab.report.courses import courses_markdown

    page = (Path(__file__).resolve().parents[1] / "docs" / "ussr-1928-courses.md").read_text()
    assert page == courses_markdown("ussr-1928")
    for name in COURSES:
        assert f"## {name}: " in page
    assert "## Calibration on the record to 1930" in page
