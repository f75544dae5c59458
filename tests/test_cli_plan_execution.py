"""planlab plan --growth, simulate --plan and compare --plan, end to end on the command line."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest
from typer.testing import CliRunner

from planlab.cli import app

runner = CliRunner()


def invoke(*args: str) -> tuple[int, str]:
    result = runner.invoke(app, list(args))
    return result.exit_code, result.output


@pytest.fixture(scope="module")
def ussr_plan(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("plans") / "ussr"
    code, output = invoke("plan", "ussr-1928", "--growth", "0.1", "--out", str(folder))
    assert code == 0, output
    return folder


def test_plan_growth_targets_every_branch_and_year(ussr_plan: Path) -> None:
    fulfilment = pd.read_csv(ussr_plan / "fulfilment.csv")
    assert len(fulfilment) == 17 * 5
    sectors = pd.read_csv(ussr_plan / "sectors.csv")
    coal = sectors[sectors["sector"] == "coal"].set_index("year")["gross_output"]
    targets = fulfilment[fulfilment["sector"] == "coal"].set_index("year")["target"]
    assert targets[2] / targets[1] == pytest.approx(1.1)
    meta = json.loads((ussr_plan / "plan.json").read_text())
    assert meta["format"] == "planlab-plan/1" and meta["feasible"] is True
    assert meta["settings"]["years"] == 5 and meta["settings"]["credit_term"] is None
    assert "seconds" not in meta
    assert (coal > 0).all()


def test_plan_growth_per_branch_and_its_errors(tmp_path: Path) -> None:
    code, output = invoke(
        "plan", "textbook-3", "--growth", "industry_1=0.05", "--out", str(tmp_path / "p")
    )
    assert code == 0, output
    targets = pd.read_csv(tmp_path / "p" / "fulfilment.csv")
    assert set(targets["sector"]) == {"industry_1"} and len(targets) == 5
    code, output = invoke("plan", "textbook-3", "--growth", "nowhere=0.1")
    assert code == 2 and "nowhere" in output and "Traceback" not in output
    code, output = invoke("plan", "textbook-3", "--growth", "0.1", "--target", "industry_1=30")
    assert code == 2 and "either --growth or --target" in output


def test_simulate_executes_the_plan_and_compare_reports_the_deviation(
    ussr_plan: Path, tmp_path: Path
) -> None:
    run = tmp_path / "run"
    code, output = invoke(
        "simulate", "ussr-1928", "--plan", str(ussr_plan), "--no-shocks", "--out", str(run)
    )
    assert code == 0, output
    meta = json.loads((run / "run.json").read_text())
    assert meta["months"] == 60 and meta["plan"] == str(ussr_plan)
    code, output = invoke("compare", str(run), "--plan", str(ussr_plan), "--json")
    assert code == 0, output
    document = json.loads(output)
    assert document["max_abs_log_deviation"] <= 0.05
    assert set(document["branches"]) == set(pd.read_csv(ussr_plan / "sectors.csv")["sector"])
    assert set(document["branches"]["coal"]) == {"1", "2", "3", "4", "5"}
    code, text = invoke("compare", str(run), "--plan", str(ussr_plan))
    assert code == 0 and "max |log deviation|" in text
    figure = tmp_path / "figures" / "plan.png"
    code, text = invoke("compare", str(run), "--plan", str(ussr_plan), "--figure", str(figure))
    assert code == 0, text
    assert figure.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    code, text = invoke("compare", str(run), "--figure", str(figure))
    assert code == 2 and "goes with --plan" in text


def test_the_world_as_it_was_breaks_the_plan(ussr_plan: Path, tmp_path: Path) -> None:
    """The same plan meets the scenario's world crisis and harvests: it falls short, and the
    comparison names where it starts."""
    run = tmp_path / "run"
    code, output = invoke("simulate", "ussr-1928", "--plan", str(ussr_plan), "--out", str(run))
    assert code == 0, output
    code, output = invoke("compare", str(run), "--plan", str(ussr_plan), "--json")
    document = json.loads(output)
    calm = tmp_path / "calm"
    code, _ = invoke(
        "simulate", "ussr-1928", "--plan", str(ussr_plan), "--no-shocks", "--out", str(calm)
    )
    assert code == 0
    code, quiet = invoke("compare", str(calm), "--plan", str(ussr_plan), "--json")
    executed = json.loads(quiet)["max_abs_log_deviation"]
    # The shocks, not the execution, make the shortfall: far beyond the calm run's.
    assert document["max_abs_log_deviation"] > 100 * max(executed, 1e-6)
    first = document["first_shortfall"]
    assert first["stage"] in {"production", "construction", "agriculture"}
    assert first["branch"] in document["branches"]


def test_bad_plan_folders_get_one_line(tmp_path: Path, ussr_plan: Path) -> None:
    code, output = invoke("simulate", "ussr-1928", "--plan", str(tmp_path / "none"))
    assert code == 2 and "plan.json" in output and "Traceback" not in output
    code, output = invoke("simulate", "textbook-3", "--plan", str(ussr_plan))
    assert code == 2 and "economy" in output
    code, output = invoke("simulate", "ussr-1928", "--no-shocks")
    assert code == 2 and "--no-shocks goes with --plan" in output
