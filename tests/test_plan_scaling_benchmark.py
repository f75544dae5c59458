"""The plan-scaling benchmark runs end to end at a small size and reports what it promises."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

BENCHMARKS = Path(__file__).resolve().parents[1] / "benchmarks"
KEYS = (
    "n",
    "years",
    "build_s",
    "solve_s",
    "solve_cpu_s",
    "peak_mb",
    "gap",
    "primal_infeasibility",
    "objective",
    "method",
    "highs_s",
    "highs_objective",
)


def test_benchmark_prints_one_json_record_and_writes_a_plannable_economy(tmp_path: Path) -> None:
    economy = tmp_path / "economy"
    done = subprocess.run(
        [
            sys.executable,
            "plan_scaling.py",
            *("--n", "40", "--years", "3", "--seed", "2", "--json", "--highs", "--tempo", "2"),
            *("--write-economy", str(economy)),
        ],
        cwd=BENCHMARKS,
        capture_output=True,
        text=True,
        timeout=300,
        check=True,
    )
    record = json.loads(done.stdout)
    assert set(KEYS) <= set(record)
    assert (record["n"], record["years"], record["method"]) == (40, 3, "simplex")
    assert record["objective"] == pytest.approx(record["highs_objective"], rel=1e-6)
    assert max(record["gap"], record["primal_infeasibility"]) < 1e-9
    # The tempo check's steps: CPU seconds of its parts, which add up to no more than the whole.
    steps = [record[f"tempo_{step}_cpu_s"] for step in ("fraction", "disproportions", "attainable")]
    assert min(steps) >= 0 and sum(steps) <= record["tempo_cpu_s"] + 1e-3 * len(steps)
    planned = subprocess.run(
        [sys.executable, "-m", "planlab", "plan", str(economy), "--years", "3"],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert planned.returncode == 0, planned.stderr
