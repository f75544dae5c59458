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
    "mesa_frames_steps_per_s",
    "ratio_vs_mesa_frames",
)

COURSE_KEYS = (
    "end_to_end_household_steps_per_s",
    "memory_bound_steps_per_s",
    "memory_bound_share",
    "course_seconds",
    "course_cpu_seconds",
    "course_rows",
    "course_months",
    "course_row_bytes",
    "peak_mb",
    "mesa_steps_per_s",
    "mesa_frames_steps_per_s",
    "ratio_vs_mesa",
    "ratio_vs_mesa_frames",
)


def test_benchmark_reports_positive_figures(benchmark: ModuleType) -> None:
    result = benchmark.run(
        households=20_000, months=2, mesa_agents=2_000, mesa_steps=2, mesa_frames_agents=20_000
    )
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
    assert decoded["toy_frames_agree"]
    assert 0.0 < decoded["toy_share_mesa"] < 1.0
    assert decoded["ratio_vs_mesa_frames"] == pytest.approx(
        decoded["household_steps_per_s"] / decoded["mesa_frames_steps_per_s"]
    )


def test_a_course_reports_its_end_to_end_rate_against_the_memory_bound(
    benchmark: ModuleType,
) -> None:
    result = benchmark.run_full_course(
        "historical", sample=20_000, months=2, mesa_agents=1_000, mesa_frames_agents=10_000
    )
    decoded = json.loads(json.dumps(result))
    for key in COURSE_KEYS:
        assert math.isfinite(decoded[key]) and decoded[key] > 0, key
    assert decoded["course_months"] == 2
    assert decoded["end_to_end_household_steps_per_s"] == pytest.approx(
        decoded["course_rows"] * 2 / decoded["course_seconds"]
    )
    assert decoded["memory_bound_share"] == pytest.approx(
        decoded["end_to_end_household_steps_per_s"] / decoded["memory_bound_steps_per_s"]
    )
    # a part of the course measures neither the three minutes nor the full countryside's memory
    assert decoded["goals"]["course_seconds"]["met"] is None
    assert decoded["goals"]["peak_mb"]["met"] is None


def test_the_mesa_frames_toy_agrees_with_the_numpy_toy(benchmark: ModuleType) -> None:
    toy = benchmark.run_toy_frames(agents=20_000, steps=3, seed=3)
    assert toy["toy_frames_agree"]
    assert 0.0 < toy["toy_share_mesa_frames"] < 1.0


def test_the_two_toys_agree_on_the_share(benchmark: ModuleType) -> None:
    toy = benchmark.run_toy(agents=3_000, steps=4, seed=3)
    assert toy["toy_shares_agree"]
    assert toy["toy_share_numpy"] == pytest.approx(toy["toy_share_mesa"], abs=0.06)


def test_command_line_prints_one_json_object(
    benchmark: ModuleType, capsys: pytest.CaptureFixture[str]
) -> None:
    code = benchmark.main(
        [
            "--households",
            "20000",
            "--months",
            "1",
            "--mesa-agents",
            "1000",
            "--mesa-frames-agents",
            "10000",
            "--json",
        ]
    )
    assert code == 0
    result = json.loads(capsys.readouterr().out)
    assert set(KEYS) <= set(result)
