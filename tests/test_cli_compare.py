"""planlab compare from the command line: courses found, tables printed, bad folders refused."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest
from typer.testing import CliRunner

from _simulation import write_series
from planlab.cli import app
from planlab.scenarios import compare, load_scenario
from planlab.simulate import run

runner = CliRunner()


@pytest.fixture(scope="module")
def runs(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Three courses in a folder (named out of order on purpose) plus a non-run folder."""
    root = tmp_path_factory.mktemp("runs")
    scenario = load_scenario("ussr-1928")
    for name, seed in (("zeta", 3), ("nep", 2), ("historical", 1)):
        write_series(run(scenario, months=24, seed=seed).series, root / name)
    (root / "notes").mkdir()
    return root


def test_courses_in_order_with_medians_and_coverage(runs: Path) -> None:
    result = runner.invoke(app, ["compare", str(runs), "--history"])
    assert result.exit_code == 0, result.output
    out = result.stdout
    positions = [out.index(f"{name}: median error") for name in ("historical", "nep", "zeta")]
    assert positions == sorted(positions)
    assert "coverage" in out
    assert "notes" not in out
    assert "63–73.3" in out  # a band is shown as low–high


def test_json_matches_the_function(runs: Path) -> None:
    result = runner.invoke(app, ["compare", str(runs), "--json"])
    assert result.exit_code == 0, result.output
    document = json.loads(result.stdout)
    assert list(document) == ["historical", "nep", "zeta"]
    expected = compare(pd.read_csv(runs / "nep" / "series.csv"))
    assert document["nep"]["median_error"] == pytest.approx(expected.overall)
    assert document["nep"]["coverage"] == pytest.approx(expected.coverage)
    assert document["nep"]["missing"] == expected.missing
    assert len(document["nep"]["records"]) == len(expected.table)


def test_csv_holds_every_course(runs: Path, tmp_path: Path) -> None:
    out = tmp_path / "table.csv"
    result = runner.invoke(app, ["compare", str(runs / "nep"), "--csv", str(out)])
    assert result.exit_code == 0, result.output
    table = pd.read_csv(out)
    assert set(table["course"]) == {"nep"}
    assert list(table.columns)[:4] == ["course", "variable", "start", "end"]
    assert table["error"].notna().sum() == compare(pd.read_csv(runs / "nep" / "series.csv")).covered


def _bad_folders(tmp_path: Path) -> dict[str, tuple[Path, str]]:
    empty = tmp_path / "empty"
    empty.mkdir()
    broken = tmp_path / "broken" / "historical"
    broken.mkdir(parents=True)
    (broken / "series.csv").write_text('date,variable,value\n1929-01-01,"coal_mt,1\n')
    columns = tmp_path / "columns"
    columns.mkdir()
    (columns / "series.csv").write_text("when,what,value\n1929-01-01,coal_mt,1\n")
    dates = tmp_path / "dates"
    dates.mkdir()
    (dates / "series.csv").write_text("date,variable,value\nlast spring,coal_mt,1\n")
    return {
        "missing": (tmp_path / "nowhere", "not found"),
        "empty": (empty, "no series.csv"),
        "malformed": (broken.parent, "well-formed CSV"),
        "columns": (columns, "columns date,variable,value"),
        "dates": (dates, "YYYY-MM-DD"),
    }


@pytest.mark.parametrize("case", ["missing", "empty", "malformed", "columns", "dates"])
def test_a_bad_folder_is_one_line_and_exit_2(case: str, tmp_path: Path) -> None:
    folder, words = _bad_folders(tmp_path)[case]
    out = tmp_path / "table.csv"
    result = runner.invoke(app, ["compare", str(folder), "--csv", str(out)])
    assert result.exit_code == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert words in lines[0]
    assert folder.name in lines[0]
    assert "Traceback" not in result.output
    assert not out.exists()
