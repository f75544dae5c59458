"""Scenario files: the built-in loads; every problem in a bad file is one line naming the file,
the field and the rule, and all problems of a file are reported together."""

from __future__ import annotations

import datetime as dt
from importlib import resources
from pathlib import Path
from typing import Any

import pytest
import yaml

from planlab.errors import InputError
from planlab.scenarios import builtin_scenarios, load_scenario
from planlab.simulate import POLICIES, Scenario, run

FILE = "scenario.yaml"


def minimal() -> dict[str, Any]:
    """A valid scenario on the textbook economy."""
    return {
        "format": "planlab-scenario/1",
        "name": "small",
        "economy": "textbook-3",
        "start": "2000-01-01",
        "months": 12,
        "growth": {"industry_1": {"value": 0.1, "source": "assumption: a test tempo"}},
        "policies": {
            "pressure": {
                "value": 0.1,
                "source": "assumption: a test lever",
                "changes": [{"date": "2000-07-01", "value": 0.2}],
            }
        },
    }


def write(folder: Path, document: dict[str, Any] | str) -> Path:
    path = folder / FILE
    text = document if isinstance(document, str) else yaml.safe_dump(document, sort_keys=False)
    path.write_text(text, encoding="utf-8")
    return path


def problems(path: Path) -> list[str]:
    with pytest.raises(InputError) as caught:
        load_scenario(path)
    lines = list(caught.value.lines())
    assert lines == str(caught.value).splitlines()
    for line in lines:
        assert line.startswith(f"{FILE}: field '"), line
        assert "(rule: " in line, line
    return lines


def only(lines: list[str], field: str) -> str:
    found = [line for line in lines if f"field '{field}'" in line]
    assert len(found) == 1, lines
    return found[0]


# --- the built-in ------------------------------------------------------------------------


def test_builtin_scenario_loads() -> None:
    assert "ussr-1928" in builtin_scenarios()
    scenario = load_scenario("ussr-1928")
    assert isinstance(scenario, Scenario)
    assert scenario.name == "ussr-1928"
    assert scenario.start == dt.date(1928, 10, 1)
    assert scenario.months == 60
    assert scenario.economy.n == 17
    assert scenario.agriculture == ("grain", "livestock", "technical_crops")
    assert scenario.grain == "grain"
    assert scenario.machinery == ("machine_building",)
    assert set(scenario.targets) <= set(scenario.economy.names)
    assert set(scenario.policies) <= set(POLICIES)
    assert scenario.value("policies", "turnover_tax") == pytest.approx(0.1)
    assert scenario.value("policies", "ratchet") == 0.0
    assert scenario.value("policies", "loan_share") == POLICIES["loan_share"].default
    harvest = scenario.exogenous["harvest"]
    assert harvest.changes[0][0] == dt.date(1929, 7, 1)
    assert harvest.changes[0][1] == pytest.approx(0.98)
    assert all(setting.source for setting in scenario.policies.values())


def test_builtin_scenario_by_folder_and_file_is_the_same() -> None:
    folder = Path(str(resources.files("planlab") / "data" / "scenarios" / "ussr-1928"))
    by_name = load_scenario("ussr-1928")
    for where in (folder, folder / FILE):
        again = load_scenario(where)
        assert again.economy.equals(by_name.economy)
        assert dict(again.policies) == dict(by_name.policies)
        assert dict(again.exogenous) == dict(by_name.exogenous)
        assert dict(again.targets) == dict(by_name.targets)


def test_unknown_scenario_name() -> None:
    with pytest.raises(InputError, match="built-in scenario"):
        load_scenario("no-such-scenario")


def test_a_valid_file_loads_and_runs(tmp_path: Path) -> None:
    scenario = load_scenario(write(tmp_path, minimal()))
    assert scenario.economy.name == "textbook-3"
    assert scenario.targets == {"industry_1": 0.1}
    assert scenario.policies["pressure"].changes == ((dt.date(2000, 7, 1), 0.2),)
    result = run(scenario)
    assert len(result.dates) == 13


# --- one problem at a time ---------------------------------------------------------------


def test_unknown_policy(tmp_path: Path) -> None:
    doc = minimal()
    doc["policies"]["whip"] = {"value": 1.0, "source": "assumption: none"}
    line = only(problems(write(tmp_path, doc)), "policies.whip")
    assert "known policies" in line
    assert "pressure" in line


def test_value_out_of_range(tmp_path: Path) -> None:
    doc = minimal()
    doc["policies"]["pressure"]["value"] = 1.5
    line = only(problems(write(tmp_path, doc)), "policies.pressure.value")
    assert "pressure lies in [0, 1]" in line
    assert "1.5" in line


def test_change_out_of_range(tmp_path: Path) -> None:
    doc = minimal()
    doc["policies"]["pressure"]["changes"][0]["value"] = -0.2
    line = only(problems(write(tmp_path, doc)), "policies.pressure.changes.0.value")
    assert "lies in [0, 1]" in line


def test_parameter_exogenous_and_initial_are_checked_too(tmp_path: Path) -> None:
    doc = minimal()
    doc["parameters"] = {"velocity": {"value": 0.0, "source": "assumption: none"}}
    doc["exogenous"] = {"harvest": {"value": 4.0, "source": "assumption: none"}}
    doc["initial"] = {"wealth": {"value": 1.0, "source": "assumption: none"}}
    lines = problems(write(tmp_path, doc))
    assert "velocity lies in [0.01, 1]" in only(lines, "parameters.velocity.value")
    assert "harvest lies in [0, 3]" in only(lines, "exogenous.harvest.value")
    assert "known initial" in only(lines, "initial.wealth")


def test_unknown_sector_in_growth(tmp_path: Path) -> None:
    doc = minimal()
    doc["growth"]["steelworks"] = {"value": 0.2, "source": "assumption: none"}
    line = only(problems(write(tmp_path, doc)), "growth")
    assert "sector 'steelworks'" in line
    assert "known sector names" in line


def test_growth_at_or_below_minus_one(tmp_path: Path) -> None:
    doc = minimal()
    doc["growth"]["industry_1"]["value"] = -1.0
    line = only(problems(write(tmp_path, doc)), "growth.industry_1")
    assert "a yearly rate in [-0.5, 2]" in line


@pytest.mark.parametrize("field", ["priority", "machinery", "agriculture", "grain"])
def test_unknown_sectors_elsewhere(tmp_path: Path, field: str) -> None:
    doc = minimal()
    doc[field] = {"mine": 1.0} if field == "priority" else "mine" if field == "grain" else ["mine"]
    line = only(problems(write(tmp_path, doc)), field)
    assert "sector 'mine'" in line
    assert "known sector names" in line


def test_malformed_yaml(tmp_path: Path) -> None:
    text = "format: planlab-scenario/1\nname: small\npolicies: {pressure: [1, 2\n"
    line = only(problems(write(tmp_path, text)), "-")
    assert "well-formed YAML" in line
    assert "line " in line


def test_not_a_mapping(tmp_path: Path) -> None:
    line = only(problems(write(tmp_path, "- a\n- b\n")), "-")
    assert "a YAML mapping" in line


def test_wrong_format(tmp_path: Path) -> None:
    doc = minimal()
    doc["format"] = "planlab-scenario/0"
    assert "planlab-scenario/1" in only(problems(write(tmp_path, doc)), "format")


def test_missing_economy(tmp_path: Path) -> None:
    doc = minimal()
    del doc["economy"]
    line = only(problems(write(tmp_path, doc)), "economy")
    assert "required field" in line


def test_unknown_economy(tmp_path: Path) -> None:
    doc = minimal()
    doc["economy"] = "atlantis-1928"
    line = only(problems(write(tmp_path, doc)), "economy")
    assert "atlantis-1928" in line
    assert "a built-in economy or a path relative to this file" in line


def test_start_not_the_first_of_a_month(tmp_path: Path) -> None:
    doc = minimal()
    doc["start"] = "2000-01-15"
    line = only(problems(write(tmp_path, doc)), "start")
    assert "the first day of a month" in line
    assert "2000-01-15" in line


@pytest.mark.parametrize("date", ["1929-02-30", "1929-13-01", "soon"])
def test_change_with_a_bad_date(tmp_path: Path, date: str) -> None:
    text = yaml.safe_dump(minimal(), sort_keys=False).replace("2000-07-01", date)
    assert date in text
    line = only(problems(write(tmp_path, text)), "policies.pressure.changes.0.date")
    assert "date" in line


def test_missing_source(tmp_path: Path) -> None:
    doc = minimal()
    del doc["policies"]["pressure"]["source"]
    line = only(problems(write(tmp_path, doc)), "policies.pressure.source")
    assert "required field" in line


# --- all problems at once ----------------------------------------------------------------


def test_several_problems_are_all_reported(tmp_path: Path) -> None:
    doc = minimal()
    doc["start"] = "2000-01-02"
    doc["policies"]["whip"] = {"value": 1.0, "source": "assumption: none"}
    doc["policies"]["pressure"]["value"] = 2.0
    doc["growth"]["steelworks"] = {"value": 0.2, "source": "assumption: none"}
    doc["grain"] = "rye"
    lines = problems(write(tmp_path, doc))
    assert len(lines) == 5
    for field in ("start", "policies.whip", "policies.pressure.value", "growth", "grain"):
        only(lines, field)


def test_several_format_problems_are_all_reported(tmp_path: Path) -> None:
    doc = minimal()
    doc["months"] = 0
    doc["name"] = "Bad Name"
    doc["colour"] = "red"
    del doc["start"]
    lines = problems(write(tmp_path, doc))
    assert len(lines) == 4
    assert "required field" in only(lines, "start")
    assert "only known fields" in only(lines, "colour")
    only(lines, "months")
    only(lines, "name")


def test_region_pressure_names_known_regions_and_has_a_source(tmp_path: Path) -> None:
    path = tmp_path / "scenario.yaml"
    path.write_text(
        "format: planlab-scenario/1\nname: r\neconomy: ussr-1928\nstart: 1928-10-01\n"
        "months: 3\nregion_pressure: {atlantis: 2.0, volga: -1}\n"
    )
    with pytest.raises(InputError) as caught:
        load_scenario(path)
    text = str(caught.value)
    assert "region_pressure.atlantis" in text
    assert "region_pressure.volga" in text
    assert "region_pressure_source" in text
