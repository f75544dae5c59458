"""planlab plan, tempo and variants from the command line."""

from __future__ import annotations

import io
import json
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest
from rich.console import Console
from typer.testing import CliRunner

from planlab.cli import app, common
from planlab.plan import lp as lp_module

runner = CliRunner()
ROOT = Path(__file__).resolve().parents[1]


def test_plan_writes_csv_and_parquet_tables(tmp_path: Path) -> None:
    out = tmp_path / "plan"
    result = runner.invoke(app, ["plan", "textbook-3", "--years", "3", "--out", str(out)])
    assert result.exit_code == 0, result.output
    for name in ("sectors", "fulfilment", "shadow_prices", "years", "conflicts"):
        csv = pd.read_csv(out / f"{name}.csv")
        parquet = pd.read_parquet(out / f"{name}.parquet")
        assert list(csv.columns) == list(parquet.columns)
        assert len(csv) == len(parquet)
    sectors = pd.read_parquet(out / "sectors.parquet")
    assert set(sectors["year"]) == {1, 2, 3}
    meta = json.loads((out / "plan.json").read_text())
    assert meta["status"] == "optimal"
    assert "Binding constraints" in result.stdout


def test_plan_with_targets_and_weighted_objective(tmp_path: Path) -> None:
    targets = tmp_path / "targets.yaml"
    targets.write_text("industry_1: 30\n")
    result = runner.invoke(
        app,
        [
            "plan",
            "textbook-3",
            "--years",
            "2",
            "--objective",
            "weighted",
            "--target-file",
            str(targets),
        ],
    )
    assert result.exit_code == 0, result.output
    assert "weighted" in result.stdout


def test_an_impossible_plan_is_explained_with_exit_0(tmp_path: Path) -> None:
    result = runner.invoke(
        app, ["plan", "textbook-3", "--years", "2", "--consumption-growth", "0.5"]
    )
    assert result.exit_code == 0, result.output
    assert "no plan meets every constraint" in result.stdout
    assert "floor" in result.stdout


def test_plan_bad_input_exits_2() -> None:
    for args in (
        ["plan", "textbook-3", "--objective", "fastest"],
        ["plan", "textbook-3", "--target", "steel=10"],
        ["plan", "textbook-3", "--target", "industry_1=ten"],
        ["plan", "textbook-3", "--years", "0"],
    ):
        result = runner.invoke(app, args)
        assert result.exit_code == 2, args
        assert result.stderr.strip(), args
        assert "Traceback" not in result.output


def test_tempo_json_has_the_documented_keys() -> None:
    process = subprocess.run(
        [
            sys.executable,
            "-m",
            "planlab",
            "tempo",
            "ussr-1928",
            "--growth",
            "coal=0.2,iron_steel=0.35",
            "--json",
        ],
        capture_output=True,
        text=True,
        check=False,
    )
    assert process.returncode == 0, process.stderr
    report = json.loads(process.stdout)
    assert isinstance(report["feasible"], bool)
    assert isinstance(report["max_fraction"], float)
    assert set(report["attainable_growth"]) == {"coal", "iron_steel"}
    for item in report["bottlenecks"]:
        assert set(item) >= {"constraint", "sector", "year", "shadow_price"}
    for item in report["disproportions"]:
        assert set(item) >= {"branch", "input", "year", "shortfall", "shortfall_pct"}


def test_tempo_growth_file_and_table_output(tmp_path: Path) -> None:
    growth = tmp_path / "growth.csv"
    growth.write_text("sector,growth\ncoal,0.1\n")
    result = runner.invoke(app, ["tempo", "ussr-1928", "--growth-file", str(growth)])
    assert result.exit_code == 0, result.output
    assert "coal" in result.stdout
    assert "tempo is" in result.stdout


def test_tempo_bad_input_exits_2() -> None:
    for args in (
        ["tempo", "ussr-1928"],
        ["tempo", "ussr-1928", "--growth", "atlantis=0.2"],
        ["tempo", "ussr-1928", "--growth", "coal"],
        ["tempo", "ussr-1928", "--growth", "coal=-2"],
        ["tempo", "ussr-1928", "--growth-file", "no/such/file.yaml"],
    ):
        result = runner.invoke(app, args)
        assert result.exit_code == 2, args
        assert result.stderr.strip(), args


def _verdicts(page: str) -> list[list[str]]:
    """Variant and verdict cells of the summary table (before the first section)."""
    head = page.split("\n## ", 1)[0]
    return [line.split("|")[1:3] for line in head.splitlines() if line.startswith("| ")]


def test_committed_variants_page_matches_the_model() -> None:
    result = runner.invoke(app, ["variants", "ussr-1928"])
    assert result.exit_code == 0, result.output
    committed = (ROOT / "docs" / "ussr-1928-plan-variants.md").read_text()
    fresh = _verdicts(result.stdout)
    assert len(fresh) == 5
    assert fresh == _verdicts(committed)


def test_plan_and_tempo_take_a_method(tmp_path: Path) -> None:
    done = runner.invoke(
        app, ["plan", "textbook-3", "--method", "pdlp", "--out", str(tmp_path / "p")]
    )
    assert done.exit_code == 0, done.output
    meta = json.loads((tmp_path / "p" / "plan.json").read_text())
    assert meta["method"] == "pdlp"
    # Which of HiGHS's codes answered, in the file and in the summary.
    assert meta["solvers"] == [{"solver": "hipdlp", "ended": "optimal"}]
    assert "by pdlp (hipdlp optimal)" in done.output
    done = runner.invoke(
        app, ["tempo", "textbook-3", "--growth", "industry_1=0.01", "--method", "simplex"]
    )
    assert done.exit_code == 0, done.output
    done = runner.invoke(app, ["plan", "textbook-3", "--method", "newton"])
    assert done.exit_code == 2 and "method" in done.output


def test_a_long_plan_or_tempo_check_shows_a_spinner_on_the_terminal_only(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # A solve reports no progress of its own: the command shows what it is doing and for
    # how long, on standard error, and only where a terminal shows it.
    shown = io.StringIO()
    monkeypatch.setattr(common, "errors", Console(file=shown, force_terminal=True, width=100))
    done = runner.invoke(app, ["tempo", "textbook-3", "--growth", "industry_1=0.01", "--json"])
    assert done.exit_code == 0, done.output
    json.loads(done.stdout)
    assert "checking the tempo: 3 branches over 5 years" in shown.getvalue()
    piped = io.StringIO()
    monkeypatch.setattr(common, "errors", Console(file=piped, force_terminal=False))
    assert runner.invoke(app, ["plan", "textbook-3"]).exit_code == 0
    assert piped.getvalue() == ""


def test_a_plan_too_large_for_the_memory_is_refused_with_one_line_and_exit_2(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(lp_module, "available_memory", lambda: 1)
    out = tmp_path / "out"
    result = runner.invoke(
        app,
        ["plan", "ussr-1928", "--objective", "weighted", "--method", "pdlp", "--out", str(out)],
    )
    assert result.exit_code == 2, result.output
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and "GB" in lines[0] and "nonzeros" in lines[0]
    assert "Traceback" not in result.output
    assert not out.exists()
