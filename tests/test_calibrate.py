"""Calibration on the record to 1930: reproducible, never worse than its start, written with
sources and fit, and read back by the scenario."""

from __future__ import annotations

import math
import shutil
from importlib import resources
from pathlib import Path

import pandas as pd
import pytest
import yaml
from typer.testing import CliRunner

from planlab.cli import app
from planlab.errors import InputError
from planlab.scenarios import load_scenario
from planlab.scenarios.calibrate import (
    KNOBS,
    Calibration,
    calibrate,
    calibration_document,
    objective,
)
from planlab.scenarios.storage import CALIBRATION_NAME, CalibrationDocument

runner = CliRunner()
SAMPLE = 20_000


def test_the_objective_weighs_each_variable_once() -> None:
    table = pd.DataFrame(
        {
            "variable": ["a", "a", "a", "b", "c"],
            "error": [0.0, 0.0, 3.0, 1.0, float("nan")],
        }
    )
    value, means = objective(table)
    assert means == {"a": 1.0, "b": 1.0}
    assert value == 1.0
    assert math.isinf(objective(table.iloc[4:])[0])


@pytest.fixture(scope="module")
def short() -> Calibration:
    return calibrate(sample=SAMPLE, evaluations=4)


def test_calibration_is_reproducible_and_never_worse(short: Calibration) -> None:
    again = calibrate(sample=SAMPLE, evaluations=4)
    assert again == short
    assert short.objective_after <= short.objective_before
    assert short.months == 27  # 1 October 1928 to December 1930, the record's end
    for knob in KNOBS:
        assert knob.low <= short.values[knob.name] <= knob.high


def test_the_document_gives_each_parameter_its_source_and_the_fit(short: Calibration) -> None:
    document = calibration_document(short)
    parsed = CalibrationDocument.model_validate(document)
    assert set(parsed.parameters) == {k.name for k in KNOBS}
    for entry in parsed.parameters.values():
        assert "calibration.csv" in entry.source and "planlab calibrate" in entry.source
    fit = document["fit"]
    assert set(fit["mean_error_per_variable"]) == set(fit["median_error_per_variable"])
    assert "collectivised_share" in fit["median_error_per_variable"]


def test_the_built_in_scenario_carries_its_calibration() -> None:
    folder = Path(str(resources.files("planlab") / "data" / "scenarios" / "ussr-1928"))
    document = yaml.safe_load((folder / CALIBRATION_NAME).read_text())
    CalibrationDocument.model_validate(document)
    scenario = load_scenario("ussr-1928", course="nep")
    for name, entry in document["parameters"].items():
        assert scenario.value("parameters", name) == pytest.approx(entry["value"])
    assert document["procedure"]["record"] == "calibration.csv"


def test_a_bad_calibration_file_is_one_line(tmp_path: Path) -> None:
    source = Path(str(resources.files("planlab") / "data" / "scenarios" / "ussr-1928"))
    folder = tmp_path / "copy"
    shutil.copytree(source, folder)
    document = yaml.safe_load((folder / CALIBRATION_NAME).read_text())
    document["parameters"]["leave_rate"]["value"] = -4.0
    (folder / CALIBRATION_NAME).write_text(yaml.safe_dump(document))
    with pytest.raises(InputError) as caught:
        load_scenario(folder)
    (line,) = caught.value.lines()
    assert line.startswith(f"{CALIBRATION_NAME}: field 'parameters.leave_rate.value'")


def test_planlab_calibrate_writes_a_file_the_scenario_can_use(tmp_path: Path) -> None:
    out = tmp_path / CALIBRATION_NAME
    result = runner.invoke(
        app, ["calibrate", "--sample", str(SAMPLE), "--evaluations", "2", "--out", str(out)]
    )
    assert result.exit_code == 0, result.output
    assert "collectivised_share" in result.output
    CalibrationDocument.model_validate(yaml.safe_load(out.read_text()))
    bad = runner.invoke(app, ["calibrate", "--evaluations", "0", "--out", str(out)])
    assert bad.exit_code == 2 and "evaluations" in bad.output


def test_calibration_never_reads_past_1930(
    short: Calibration, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A record that also holds later years, with absurd values, calibrates the same."""
    import importlib

    module = importlib.import_module("planlab.scenarios.calibrate")
    history = importlib.import_module("planlab.scenarios.history")

    record = history.calibration()
    later = record.assign(
        start=record["start"].str.replace("1929", "1933").str.replace("1930", "1934"),
        end=record["end"].str.replace("1929", "1933").str.replace("1930", "1934"),
        value=record["value"] * 50.0,
        low=record["low"] * 50.0,
        high=record["high"] * 50.0,
    )
    later = later[later["end"] > "1930-12-31"]
    assert len(later) > 0
    monkeypatch.setattr(module.history, "calibration", lambda: pd.concat([record, later]))
    assert calibrate(sample=SAMPLE, evaluations=4) == short
