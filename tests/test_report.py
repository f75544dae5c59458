"""planlab report: report.html with valid figures, captions naming sources, nothing half-written."""

from __future__ import annotations

import json
import re
from html import unescape
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from typer.testing import CliRunner

from _simulation import write_series
from planlab.cli import app
from planlab.report import FIGURES
from planlab.report import html as report_html
from planlab.report.figures import Drawn, draw
from planlab.scenarios import calibration, events, load_scenario, read_courses, variables
from planlab.simulate import run
from planlab.simulate.household_farms import HouseholdFarms

runner = CliRunner()
PNG = b"\x89PNG\r\n\x1a\n"


@pytest.fixture(scope="module")
def runs(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Two short courses: household agents with a run.json, and the aggregate countryside."""
    root = tmp_path_factory.mktemp("runs")
    scenario = load_scenario("ussr-1928")
    farms = HouseholdFarms.from_scenario(scenario, sample=20000, seed=1)
    write_series(run(scenario, months=24, seed=1, farms=farms).series, root / "historical")
    meta = {"scenario": "ussr-1928", "course": "historical", "seed": 1, "households": 20000}
    (root / "historical" / "run.json").write_text(json.dumps(meta))
    write_series(run(scenario, months=24, seed=2).series, root / "nep")
    return root


@pytest.fixture(scope="module")
def page(runs: Path) -> str:
    result = runner.invoke(app, ["report", str(runs)])
    assert result.exit_code == 0, result.output
    return (runs / "report.html").read_text(encoding="utf-8")


def _sections(page: str) -> dict[str, str]:
    """Each figure's section by the image it shows."""
    found = re.findall(r"<section>(.*?)</section>", page, flags=re.S)
    return {_first(r"src='figures/([^']+)\.png'", s): s for s in found if "<img" in s}


def _first(pattern: str, text: str) -> str:
    match = re.search(pattern, text, flags=re.S)
    assert match is not None, pattern
    return match.group(1)


def test_every_image_exists_and_is_a_real_png(runs: Path, page: str) -> None:
    sources = re.findall(r"<img src='([^']+)'", page)
    assert len(sources) == len(FIGURES)
    for source in sources:
        path = runs / source
        data = path.read_bytes()
        assert data.startswith(PNG), source
        assert len(data) > 10_000, source
    assert not list(runs.glob(".report-*"))


def test_captions_name_the_record_sources_of_their_variables(page: str) -> None:
    record = calibration()
    sections = _sections(page)
    assert set(sections) == {spec.name for spec in FIGURES}
    checked = 0
    for spec in FIGURES:
        names = {line.variable for panel in spec.panels for line in panel.lines}
        sources = set(record.loc[record["variable"].isin(names), "source"])
        caption = unescape(_first(r"<figcaption>(.*?)</figcaption>", sections[spec.name]))
        if sources:
            assert any(source in caption for source in sources), spec.name
            checked += 1
        else:
            assert "No record" in caption, spec.name
        assert "historical" in caption and "nep" in caption
        assert "seed 1" in caption
    assert checked >= 6


def test_courses_comparison_and_missing_lines_are_reported(page: str) -> None:
    assert "historical" in page and "nep" in page
    assert "overall median" in page and "coverage" in page
    collectivisation = _sections(page)["collectivisation"]
    assert "not in the run of nep" in collectivisation
    assert "no run.json" in collectivisation


def test_a_flow_record_is_drawn_at_its_annual_rate(runs: Path) -> None:
    courses = read_courses(runs)
    units = dict(zip(variables()["name"], variables()["unit"], strict=True))
    spec = next(s for s in FIGURES if s.name == "foreign-trade")
    drawn = draw(spec, courses, calibration(), events(), units)
    exports = drawn.figure.axes[0]
    black = [
        line.get_ydata()
        for line in exports.get_lines()
        if line.get_color() == "black" and len(line.get_xdata()) == 2
    ]
    record = calibration()
    expected = record.loc[record["variable"] == "exports_million_gold_rub", "value"]
    # every exports record covers twelve months, so its annual rate is its value
    assert sorted(float(np.asarray(y)[0]) for y in black) == pytest.approx(sorted(expected))


@pytest.mark.parametrize("case", ["missing", "empty", "malformed"])
def test_a_bad_folder_is_one_line_exit_2_and_nothing_written(case: str, tmp_path: Path) -> None:
    folder = tmp_path / case
    if case != "missing":
        folder.mkdir()
    if case == "malformed":
        (folder / "series.csv").write_text("date,variable\n1929-01-01,coal_mt\n")
    result = runner.invoke(app, ["report", str(folder)])
    assert result.exit_code == 2
    assert len(result.stderr.strip().splitlines()) == 1, result.stderr
    assert "Traceback" not in result.output
    written = sorted(p.name for p in folder.iterdir()) if folder.exists() else []
    assert written == ([] if case != "malformed" else ["series.csv"])


def test_a_failure_while_drawing_leaves_the_folder_as_it_was(
    runs: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    folder = tmp_path / "one"
    folder.mkdir()
    (folder / "series.csv").write_bytes((runs / "nep" / "series.csv").read_bytes())
    calls = []

    def failing(*args: Any, **kwargs: Any) -> Drawn:
        calls.append(1)
        if len(calls) == 3:
            raise RuntimeError("disk full")
        return draw(*args, **kwargs)

    monkeypatch.setattr(report_html, "draw", failing)
    with pytest.raises(RuntimeError):
        report_html.write_report(folder)
    assert sorted(p.name for p in folder.iterdir()) == ["series.csv"]


def test_the_budget_table_shows_each_course_s_sources_by_year(page: str) -> None:
    budget = _first(r"<h2>The budget[^<]*</h2>(.*?)(?:<section>|</body>)", page)
    for course in ("historical", "nep"):
        assert f"<h3>{course}</h3>" in budget
    for row in ("turnover tax", "scissors", "wealth tax", "loans", "emission"):
        assert f"<td>{row} <small>(source)</small></td>" in budget
    assert "<th>1928</th><th>1929</th><th>1930</th>" in budget
