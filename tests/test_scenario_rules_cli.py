"""Scenario values that used to pass `scenario check` and then broke the run: each is one
line and exit code 2 now, from the command as from the Python API."""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import pytest
import yaml
from typer.testing import CliRunner

from planlab.cli import app

runner = CliRunner()

BASE: dict[str, Any] = {
    "format": "planlab-scenario/1",
    "name": "rules",
    "title": "rules",
    "economy": "textbook-3",
    "start": "1928-10-01",
    "months": 12,
    "policies": {"pressure": {"value": 0.1, "source": "assumption: test"}},
}


def check(tmp_path: Path, **changes: Any) -> tuple[int, str]:
    document = copy.deepcopy(BASE)
    document.update(changes)
    (tmp_path / "scenario.yaml").write_text(yaml.safe_dump(document), encoding="utf-8")
    result = runner.invoke(app, ["scenario", "check", str(tmp_path / "scenario.yaml")])
    return result.exit_code, result.output


def test_the_base_document_is_valid(tmp_path: Path) -> None:
    code, output = check(tmp_path)
    assert code == 0, output


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"default_growth": {"value": -3, "source": "x"}}, "default_growth"),
        ({"default_growth": {"value": float("inf"), "source": "x"}}, "default_growth"),
        ({"priority": {"industry_1": float("nan")}}, "priority"),
        (
            {
                "policies": {
                    "pressure": {
                        "value": 0.1,
                        "source": "x",
                        "changes": [{"date": "1950-01-01", "value": 0.2}],
                    }
                }
            },
            "policies.pressure.changes",
        ),
        (
            {
                "policies": {
                    "pressure": {
                        "value": 0.1,
                        "source": "x",
                        "changes": [
                            {"date": "1929-01-01", "value": 0.2},
                            {"date": "1929-01-01", "value": 0.3},
                        ],
                    }
                }
            },
            "policies.pressure.changes",
        ),
        (
            {
                "initial": {
                    "currency": {
                        "value": 1.0,
                        "source": "x",
                        "changes": [{"date": "1929-01-01", "value": 2.0}],
                    }
                }
            },
            "initial.currency.changes",
        ),
    ],
    ids=[
        "growth -3",
        "growth inf",
        "priority nan",
        "change after the run",
        "two changes one date",
        "dated initial value",
    ],
)
def test_nonsense_is_refused_in_one_line(
    tmp_path: Path, changes: dict[str, Any], field: str
) -> None:
    code, output = check(tmp_path, **changes)
    assert code == 2, output
    lines = [line for line in output.splitlines() if line.strip()]
    assert len(lines) == 1 and f"field '{field}" in lines[0]
    assert "Traceback" not in output
