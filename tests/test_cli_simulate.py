"""planlab simulate and planlab scenario from the command line."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pandas as pd
from typer.testing import CliRunner

from planlab.cli import app
from planlab.scenarios import builtin_scenarios

runner = CliRunner()


def test_simulate_writes_identical_series_for_the_same_seed(tmp_path: Path) -> None:
    for name in ("a", "b"):
        result = runner.invoke(
            app,
            [
                "simulate",
                "ussr-1928",
                "--months",
                "12",
                "--seed",
                "3",
                "--out",
                str(tmp_path / name),
            ],
        )
        assert result.exit_code == 0, result.output
    first = (tmp_path / "a" / "series.csv").read_bytes()
    assert first == (tmp_path / "b" / "series.csv").read_bytes()
    csv = pd.read_csv(tmp_path / "a" / "series.csv")
    parquet = pd.read_parquet(tmp_path / "a" / "series.parquet")
    assert list(csv.columns) == ["date", "variable", "value"]
    assert len(csv) == len(parquet)
    assert set(pd.to_datetime(csv["date"]).dt.day) == {1}
    assert "coal_mt" in set(csv["variable"])


def test_a_bad_scenario_exits_2_naming_file_field_and_rule(tmp_path: Path) -> None:
    bad = tmp_path / "scenario.yaml"
    bad.write_text(
        "format: planlab-scenario/1\nname: bad\neconomy: ussr-1928\nstart: 1928-10-01\n"
        "months: 12\npolicies:\n"
        "  pressure: {value: 5, source: test}\n"
        "  whip: {value: 1, source: test}\n"
    )
    process = subprocess.run(
        [sys.executable, "-m", "planlab", "simulate", str(bad), "--out", str(tmp_path / "out")],
        capture_output=True,
        text=True,
        check=False,
    )
    assert process.returncode == 2
    assert "Traceback" not in process.stderr
    lines = process.stderr.strip().splitlines()
    assert len(lines) == 2
    assert all(
        line.startswith("scenario.yaml: field 'policies.") and "rule:" in line for line in lines
    )
    assert not (tmp_path / "out").exists()


def test_scenario_list_and_check(tmp_path: Path) -> None:
    listed = runner.invoke(app, ["scenario", "list"])
    assert listed.exit_code == 0
    for name in builtin_scenarios():
        assert name in listed.stdout
    missing = runner.invoke(app, ["scenario", "check", str(tmp_path / "none.yaml")])
    assert missing.exit_code == 2


def test_simulate_rejects_a_non_positive_horizon() -> None:
    result = runner.invoke(app, ["simulate", "ussr-1928", "--months", "0"])
    assert result.exit_code == 2


def test_simulate_doc_lists_every_setting_as_declared() -> None:
    from planlab.simulate.scenario import EXOGENOUS, INITIAL, PARAMETERS, POLICIES

    doc = (Path(__file__).resolve().parents[1] / "docs" / "simulate.md").read_text()
    for table in (POLICIES, PARAMETERS, EXOGENOUS, INITIAL):
        for spec in table.values():
            row = (
                f"| `{spec.name}` | {spec.unit} | {spec.default:g} | "
                f"[{spec.low:g}, {spec.high:g}] | {spec.description} |"
            )
            assert row in doc, spec.name


def test_simulate_with_household_agents(tmp_path: Path) -> None:
    result = runner.invoke(
        app,
        ["simulate", "ussr-1928", "--months", "3", "--households", "5000", "--out", str(tmp_path)],
    )
    assert result.exit_code == 0, result.output
    series = pd.read_csv(tmp_path / "series.csv")
    assert "collectivised_share" in set(series["variable"])
    bad = runner.invoke(app, ["simulate", "ussr-1928", "--households", "-1"])
    assert bad.exit_code == 2
    assert "households" in bad.output and "Traceback" not in bad.output
