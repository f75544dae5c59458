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
    IDENTIFIED_SHARE,
    Calibration,
    calibrate,
    calibration_document,
    identified_by,
    knobs_named,
    objective,
)
from planlab.scenarios.storage import CALIBRATION_NAME, CalibrationDocument

runner = CliRunner()
SAMPLE = 20_000
NAMES = ("join_pressure", "migration_rate", "velocity")
"""A small calibration: a household, a migration and a money parameter."""
SMALL = {"sample": SAMPLE, "evaluations": 4, "seeds": (1,), "trajectories": 2}


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
    return calibrate(knobs=knobs_named(NAMES), **SMALL)


def test_calibration_is_never_worse_and_stays_within_bounds(short: Calibration) -> None:
    """(That the same settings give the same calibration is the test of the later records
    below: it calibrates again and compares.)"""
    assert short.objective_after <= short.objective_before
    assert short.months == 27  # 1 October 1928 to December 1930, the record's end
    for knob in knobs_named(NAMES):
        low, high = short.ranges[knob.name]
        assert knob.low <= low <= short.values[knob.name] <= high <= knob.high
        if not short.identified[knob.name]:
            # Not identified: kept at its start, its range the whole of its bounds.
            assert short.values[knob.name] == short.start[knob.name]
            assert (low, high) == (knob.low, knob.high)


def test_screening_tells_what_the_record_identifies(short: Calibration) -> None:
    """Every parameter gets Morris's indices; the ones the record does not see are named."""
    assert set(short.mu_star) == set(short.sigma) == set(NAMES)
    assert all(v >= 0 for v in short.mu_star.values())
    assert short.identified == identified_by(short.mu_star)
    assert any(short.identified.values())
    assert identified_by({"a": 1.0, "b": IDENTIFIED_SHARE * 0.99, "c": IDENTIFIED_SHARE}) == {
        "a": True,
        "b": False,
        "c": True,
    }
    assert identified_by({"a": 0.0, "b": 0.0}) == {"a": False, "b": False}


def test_the_document_gives_each_parameter_its_source_range_and_sensitivity(
    short: Calibration,
) -> None:
    document = calibration_document(short)
    parsed = CalibrationDocument.model_validate(document)
    assert set(parsed.parameters) == set(NAMES)
    for name, entry in parsed.parameters.items():
        assert "calibration.csv" in entry.source and "planlab calibrate" in entry.source
        assert entry.range is not None and entry.range[0] <= entry.value <= entry.range[1]
        assert entry.identified == short.identified[name]
        assert set(entry.sensitivity) == {"mu_star", "sigma"}
    fit = document["fit"]
    assert set(fit["mean_error_per_variable"]) == set(fit["median_error_per_variable"])
    assert "collectivised_share" in fit["median_error_per_variable"]
    assert "urban_net_migration_million" in fit["median_error_per_variable"]


def test_worker_processes_give_the_same_calibration() -> None:
    """The same seeds give the same points whether run here or in worker processes."""
    tiny = {**SMALL, "evaluations": 2}
    serial = calibrate(knobs=knobs_named(NAMES[:1]), workers=1, **tiny)
    pooled = calibrate(knobs=knobs_named(NAMES[:1]), workers=2, **tiny)
    assert pooled == serial


def test_sobol_indices_are_written_for_the_identified_parameters() -> None:
    """Asked for, Saltelli's design around the fit gives each identified parameter its
    first-order and total index; the others have none."""
    found = calibrate(knobs=knobs_named(NAMES[:2]), sobol=2, **{**SMALL, "evaluations": 2})
    assert set(found.sobol) == {n for n, known in found.identified.items() if known}
    document = calibration_document(found)
    for name, entry in document["parameters"].items():
        has = {"sobol_first", "sobol_total"} <= set(entry["sensitivity"])
        assert has == (name in found.sobol)
        if has:
            assert all(
                math.isfinite(entry["sensitivity"][k]) for k in ("sobol_first", "sobol_total")
            )


def test_bad_settings_are_one_line_each() -> None:
    with pytest.raises(InputError) as caught:
        calibrate(method="annealing", evaluations=0, seeds=(), workers=0, trajectories=1, sobol=3)
    assert len(caught.value.lines()) == 6
    with pytest.raises(InputError) as unknown:
        knobs_named(["no_such_parameter"])
    assert "no_such_parameter" in unknown.value.lines()[0]


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
    args = ["calibrate", "--sample", str(SAMPLE), "--evaluations", "2", "--seed", "1"]
    args += ["--trajectories", "2", "--workers", "1", "--knob", "join_pressure"]
    result = runner.invoke(app, [*args, "--knob", "migration_rate", "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert "collectivised_share" in result.output and "mu_star" in result.output
    CalibrationDocument.model_validate(yaml.safe_load(out.read_text()))
    bad = runner.invoke(app, ["calibrate", "--evaluations", "0", "--out", str(out)])
    assert bad.exit_code == 2 and "evaluations" in bad.output
    unknown = runner.invoke(app, ["calibrate", "--knob", "nonsense", "--out", str(out)])
    assert unknown.exit_code == 2 and "nonsense" in unknown.output
    assert "Traceback" not in unknown.output


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
    assert calibrate(knobs=knobs_named(NAMES), **SMALL) == short
