"""The plan-limits benchmark runs end to end and reports what it promises."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

BENCHMARKS = Path(__file__).resolve().parents[1] / "benchmarks"


def test_benchmark_prints_one_json_record_of_every_arm() -> None:
    done = subprocess.run(
        [sys.executable, "plan_limits.py", "--n", "40", "--years", "3", "--arms", "presolve"],
        cwd=BENCHMARKS,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    done = subprocess.run(
        [sys.executable, "plan_limits.py", "--n", "40", "--years", "3", "--json"],
        cwd=BENCHMARKS,
        capture_output=True,
        text=True,
        timeout=300,
        check=True,
    )
    record = json.loads(done.stdout)
    assert (record["n"], record["years"]) == (40, 3)
    assert record["presolved_rows"] < record["rows"]
    assert record["reduced_columns"] < record["columns"]
    assert record["reduced_nonzeros"] < record["nonzeros"]
    for code in ("hipdlp", "pdlp"):
        on = record[f"{code}_on_iterations"]
        for arm in ("off", "reduced"):
            assert record[f"{code}_{arm}_ended"] in ("optimal", "iteration limit")
            ratio = record[f"{code}_{arm}_to_on_iterations"]
            assert ratio == pytest.approx(record[f"{code}_{arm}_iterations"] / on, abs=0.01)
    if Path("/proc/self/clear_refs").exists():
        per_nonzero = record["presolve_bytes_per_nonzero"]
        assert per_nonzero > 0
        assert record["presolve_gb_at_1e6"] == pytest.approx(
            per_nonzero * record["nonzeros"] * 1e6 / 40 / 1e9, rel=0.01, abs=0.05
        )
