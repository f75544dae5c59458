"""The households benchmark runs end to end at a tiny size and reports what it promises."""

from __future__ import annotations

import importlib.util
import json
import math
import sys
from pathlib import Path
from types import ModuleType

import pytest

BENCHMARK = Path(__file__).resolve().parents[1] / "benchmarks" / "households.py"


def load() -> ModuleType:
    spec = importlib.util.spec_from_file_location("households_benchmark", BENCHMARK)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def benchmark() -> ModuleType:
    return load()


KEYS = (
    "household_steps_per_s",
    "peak_mb",
    "mesa_steps_per_s",
    "ratio_vs_mesa",
    "toy_numpy_steps_per_s",
    "households",
    "months",
    "seconds",
    "bandwidth_gb_per_s",
    "bandwidth_bound_steps_per_s",
    "row_bytes",
)


def test_benchmark_reports_positive_figures(benchmark: ModuleType) -> None:
    result = benchmark.run(households=20_000, months=2, mesa_agents=2_000, mesa_steps=2)
    decoded = json.loads(json.dumps(result))
    for key in KEYS:
        assert key in decoded
        assert math.isfinite(decoded[key]) and decoded[key] > 0, key
    assert decoded["months"] == 2
    assert abs(decoded["households"] - 20_000) <= 20_000 * 0.02
    assert decoded["ratio_vs_mesa"] == pytest.approx(
        decoded["household_steps_per_s"] / decoded["mesa_steps_per_s"]
    )
    assert decoded["toy_shares_agree"]
    assert 0.0 < decoded["toy_share_mesa"] < 1.0


def test_the_two_toys_agree_on_the_share(benchmark: ModuleType) -> None:
    toy = benchmark.run_toy(agents=3_000, steps=4, seed=3)
    assert toy["toy_shares_agree"]
    assert toy["toy_share_numpy"] == pytest.approx(toy["toy_share_mesa"], abs=0.06)


def test_command_line_prints_one_json_object(
    benchmark: ModuleType, capsys: pytest.CaptureFixture[str]
) -> None:
    code = benchmark.main(
        ["--households", "20000", "--months", "1", "--mesa-agents", "1000", "--json"]
    )
    assert code == 0
    result = json.loads(capsys.readouterr().out)
    assert set(KEYS) <= set(result)
