"""The planlab command: exit codes, one line per problem, files written whole."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from planlab.cli import app
from planlab.economy import builtin_names, json_schema, load, load_builtin
from planlab.economy.fields import (
    COEFFICIENT,
    DOCUMENT_FIELDS,
    SCALAR_FIELDS,
    SECTOR_FIELDS,
    FieldSpec,
)

runner = CliRunner()
ROOT = Path(__file__).resolve().parents[1]


def test_list_names_every_builtin() -> None:
    result = runner.invoke(app, ["economy", "list"])
    assert result.exit_code == 0
    for name in builtin_names():
        assert name in result.stdout


@pytest.mark.parametrize("name", builtin_names())
def test_show_prints_sectors_and_multipliers(name: str) -> None:
    result = runner.invoke(app, ["economy", "show", name])
    assert result.exit_code == 0, result.output
    economy = load_builtin(name)
    for sector in economy.names:
        assert sector in result.stdout
    assert "Largest input coefficients" in result.stdout
    assert "Leontief analysis" in result.stdout


def test_export_then_check_round_trips(tmp_path: Path) -> None:
    name = builtin_names()[0]
    result = runner.invoke(app, ["economy", "export", name, str(tmp_path / "copy")])
    assert result.exit_code == 0, result.output
    assert load(tmp_path / "copy").equals(load_builtin(name))
    checked = runner.invoke(app, ["economy", "check", str(tmp_path / "copy")])
    assert checked.exit_code == 0
    assert "valid" in checked.stdout


def test_check_reports_each_problem_on_one_line_with_exit_2(tmp_path: Path) -> None:
    name = builtin_names()[0]
    runner.invoke(app, ["economy", "export", name, str(tmp_path / "bad")])
    economy = load_builtin(name)
    first, second = economy.names[0], economy.names[1]
    sectors = tmp_path / "bad" / "sectors.csv"
    lines = sectors.read_text().splitlines()
    header = lines[0].split(",")
    labour = header.index("labour")
    rows = [line.split(",") for line in lines[1:]]
    for row in rows:
        if row[0] in (first, second):
            row[labour] = "-1"
    sectors.write_text("\n".join([lines[0], *(",".join(r) for r in rows)]) + "\n")
    process = subprocess.run(
        [sys.executable, "-m", "planlab", "economy", "check", str(tmp_path / "bad")],
        capture_output=True,
        text=True,
        check=False,
    )
    assert process.returncode == 2
    assert "Traceback" not in process.stderr
    problem_lines = process.stderr.strip().splitlines()
    assert len(problem_lines) == 2
    for line, sector in zip(problem_lines, (first, second), strict=True):
        assert line.startswith("sectors.csv: field 'labour'")
        assert f"sector '{sector}'" in line
        assert "rule:" in line


def test_check_of_a_missing_path_exits_2() -> None:
    result = runner.invoke(app, ["economy", "check", "no/such/economy"])
    assert result.exit_code == 2
    assert "not found" in result.stderr


def test_show_of_an_unknown_name_exits_2() -> None:
    result = runner.invoke(app, ["economy", "show", "atlantis-1999"])
    assert result.exit_code == 2
    assert "atlantis-1999" in result.stderr


def test_leontief_with_a_demand_file(tmp_path: Path) -> None:
    name = builtin_names()[0]
    economy = load_builtin(name)
    demand = tmp_path / "demand.csv"
    demand.write_text("sector,final_demand\n" + f"{economy.names[0]},100\n")
    out = tmp_path / "table.csv"
    result = runner.invoke(
        app, ["economy", "leontief", name, "--demand", str(demand), "--out", str(out)]
    )
    assert result.exit_code == 0, result.output
    text = out.read_text()
    assert text.startswith("sector,final_demand,gross_output")
    bad = tmp_path / "bad-demand.csv"
    bad.write_text("sector,final_demand\nnowhere,1\n")
    result = runner.invoke(app, ["economy", "leontief", name, "--demand", str(bad)])
    assert result.exit_code == 2
    assert "sector 'nowhere'" in result.stderr


def test_committed_schema_matches_the_model() -> None:
    committed = json.loads((ROOT / "docs" / "economy.schema.json").read_text())
    assert committed == json_schema()


def _doc_row(spec: FieldSpec) -> str:
    default = (
        "required"
        if spec.required
        else (f"= `{spec.default_from}`" if spec.default_from else repr(spec.default))
    )
    return f"| `{spec.name}` | {spec.unit} | {default} | {spec.rule_text} | {spec.description} |"


def test_format_doc_lists_every_field_and_bound_as_declared() -> None:
    doc = (ROOT / "docs" / "economy-format.md").read_text()
    for spec in (*SECTOR_FIELDS, *SCALAR_FIELDS, *DOCUMENT_FIELDS):
        assert _doc_row(spec) in doc, spec.name
    assert f"coefficients {COEFFICIENT.value}" in doc


def test_demo_writes_the_analysis_the_courses_and_the_report(tmp_path: Path) -> None:
    result = runner.invoke(app, ["demo", "--out", str(tmp_path), "--households", "5000"])
    assert result.exit_code == 0, result.output
    table = (tmp_path / "ussr-1928-leontief.csv").read_text().splitlines()
    assert len(table) == load_builtin("ussr-1928").n + 1
    for course in ("historical", "opposition", "nep"):
        assert (tmp_path / "courses" / course / "series.csv").is_file()
        assert f"{course}: calendar years" in result.output
    assert (tmp_path / "courses" / "report.html").is_file()
    assert "median error" in result.output
