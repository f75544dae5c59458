"""A sweep in the report and in compare: each course's median and its 5-95 % band."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from matplotlib.collections import PolyCollection
from typer.testing import CliRunner

from planlab.cli import app
from planlab.report.ensemble import sweep_view
from planlab.report.figures import FIGURES, annual_rate, draw
from planlab.scenarios import calibration, events
from planlab.scenarios.sweep import SweepSettings, design, read_sweep, run_sweep

runner = CliRunner()


@pytest.fixture(scope="module")
def sweep_folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("bands") / "sweep"
    settings = SweepSettings(
        "ussr-1928", ("historical", "nep"), samples=5, seed=2, months=30, households=0
    )
    run_sweep(design(settings), out)
    return out


def test_compare_scores_the_median_and_counts_records_in_the_band(
    sweep_folder: Path, tmp_path: Path
) -> None:
    result = runner.invoke(app, ["compare", "--sweep", str(sweep_folder), "--json"])
    assert result.exit_code == 0, result.output
    scored = json.loads(result.stdout)
    assert set(scored) == {"historical", "nep"}
    for course in scored.values():
        assert course["runs"] == 5
        per_variable = course["inside_band_per_variable"].values()
        assert course["inside_band"] == sum(v["inside"] for v in per_variable)
        assert course["records_covered"] == sum(v["covered"] for v in per_variable)
        assert 0 <= course["inside_band"] <= course["records_covered"] > 0
    text = runner.invoke(app, ["compare", "--sweep", str(sweep_folder)])
    assert "records inside the 5–95 % band of 5 runs" in text.stdout
    table = tmp_path / "bands.csv"
    runner.invoke(app, ["compare", "--sweep", str(sweep_folder), "--csv", str(table)])
    rows = pd.read_csv(table)
    assert {"median", "error", "band_low", "band_high", "inside"} <= set(rows.columns)
    covered = rows.dropna(subset=["band_low"])
    assert (covered["band_low"] <= covered["median"]).all()
    assert (covered["median"] <= covered["band_high"]).all()


def test_a_flow_band_is_drawn_from_each_runs_annual_rate(sweep_folder: Path) -> None:
    view = sweep_view(read_sweep(sweep_folder))
    spec = next(s for s in FIGURES if s.name == "grain")
    drawn = draw(spec, view.courses, calibration().iloc[:0], events(), {}, view.ensembles)
    harvest = drawn.figure.axes[0]
    assert sum(isinstance(c, PolyCollection) for c in harvest.collections) == 2
    runs = view.ensembles["historical"]["grain_harvest_mt"]
    expected = annual_rate(runs).median(axis=1).to_numpy()
    drawn_median = harvest.get_lines()[0].get_ydata()
    np.testing.assert_allclose(np.asarray(drawn_median, dtype=float), expected)


def test_report_draws_a_sweep_into_its_folder(sweep_folder: Path) -> None:
    result = runner.invoke(app, ["report", "--sweep", str(sweep_folder)])
    assert result.exit_code == 0, result.output
    page = (sweep_folder / "report.html").read_text(encoding="utf-8")
    assert "records inside the 5–95 % band" in page
    assert "shaded band holds 5 to 95 % of the runs" in page
    assert (sweep_folder / "figures" / "grain.png").is_file()


def test_a_folder_and_a_sweep_together_are_refused(sweep_folder: Path, tmp_path: Path) -> None:
    for command in ("report", "compare"):
        result = runner.invoke(app, [command, str(tmp_path), "--sweep", str(sweep_folder)])
        assert result.exit_code == 2
        assert result.stderr.startswith("--sweep: field 'sweep'")
    missing = runner.invoke(app, ["report", "--sweep", str(tmp_path)])
    assert missing.exit_code == 2 and "no sweep.json" in missing.stderr
