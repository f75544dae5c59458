"""Targets from a plan: a scenario may take its targets from a balanced plan of plan/."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from planlab.economy import load_builtin
from planlab.errors import InputError
from planlab.plan import PlanSettings, build
from planlab.scenarios import load_scenario
from planlab.simulate import run
from planlab.simulate.stages.targets import target_levels

SCENARIO = """format: planlab-scenario/1
name: planned
economy: ussr-1928
start: 1928-10-01
months: 36
default_growth: {{value: {growth}, source: "test"}}
plan: {{years: {years}, objective: harmony, consumption_growth: {floors}, source: "test"}}
agriculture: [grain, livestock, technical_crops]
machinery: [machine_building]
grain: grain
"""


def write(tmp_path: Path, growth: float = 0.15, years: int = 3, floors: float = 0.0) -> Path:
    path = tmp_path / "scenario.yaml"
    path.write_text(SCENARIO.format(growth=growth, years=years, floors=floors))
    return path


def test_targets_pass_through_the_plans_yearly_outputs(tmp_path: Path) -> None:
    scenario = load_scenario(write(tmp_path))
    economy = load_builtin("ussr-1928")
    targets = {
        (n, y): float(x) * 1.15**y
        for n, x in zip(economy.names, economy.gross_output, strict=True)
        for y in (1, 2, 3)
    }
    plan = build(economy, 3, targets, "harmony", settings=PlanSettings(years=3))
    expected = plan.sectors.pivot(index="year", columns="sector", values="gross_output")
    assert scenario.target_path is not None
    np.testing.assert_allclose(
        scenario.target_path, expected[list(economy.names)].to_numpy(), rtol=1e-9
    )
    result = run(scenario, months=25)
    target = result.history["target"]
    np.testing.assert_allclose(target[12], scenario.target_path[0], rtol=1e-9, atol=1e-9)
    np.testing.assert_allclose(target[24], scenario.target_path[1], rtol=1e-9, atol=1e-9)


def test_target_levels_interpolate_and_extrapolate() -> None:
    at = target_levels(np.array([100.0]), np.array([0.0]), np.array([[110.0], [121.0]]))
    np.testing.assert_allclose(at(np.array([0.5])), [100.0 * 1.1**0.5])
    np.testing.assert_allclose(at(np.array([3.0])), [133.1])
    tempo = target_levels(np.array([100.0]), np.array([0.2]), None)
    np.testing.assert_allclose(tempo(np.array([2.0])), [144.0])


def test_an_infeasible_plan_is_a_clear_scenario_error(tmp_path: Path) -> None:
    with pytest.raises(InputError) as caught:
        load_scenario(write(tmp_path, floors=0.9))
    line = str(caught.value)
    assert line.startswith("scenario.yaml: field 'plan'")
    assert "rule:" in line
