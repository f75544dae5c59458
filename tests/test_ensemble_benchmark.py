"""The ensemble benchmark runs end to end at a tiny size and reports what it promises."""

from __future__ import annotations

import importlib.util
import json
import sys
from pathlib import Path

import pytest

BENCHMARK = Path(__file__).resolve().parents[1] / "benchmarks" / "ensemble.py"


def test_the_benchmark_compares_three_executors_on_identical_results(
    capsys: pytest.CaptureFixture[str],
) -> None:
    spec = importlib.util.spec_from_file_location("ensemble_benchmark", BENCHMARK)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    assert module.main(["--members", "2", "--months", "3", "--json"]) == 0
    result = json.loads(capsys.readouterr().out)
    assert result["identical"] is True
    rows = {row["executor"]: row for row in result["rows"]}
    assert set(rows) == {"serial", "processes", "dask"}
    assert rows["serial"]["speedup"] == 1.0
    for row in rows.values():
        assert row["runs"] == 2 and 0.0 <= row["overhead"] <= 1.0
        assert row["efficiency"] == pytest.approx(row["speedup"] / row["workers"], abs=1e-3)
