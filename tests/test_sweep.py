"""Sweeps: one design, the same runs serially, in processes and on a Dask cluster; resuming."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from planlab.errors import InputError
from planlab.scenarios.calibrate import KNOBS
from planlab.scenarios.sweep import (
    BatchDone,
    Design,
    Distribution,
    SweepSettings,
    calibrated_ranges,
    design,
    read_sweep,
    run_sweep,
)
from planlab.scenarios.sweep.execute import batches, process_pool, run_batch
from planlab.simulate.scenario import PARAMETERS

TINY = {"months": 13, "households": 0}
"""Aggregate farms and 13 months (two harvests): a run takes a few hundredths of a second."""


def _design(samples: int = 4, **more: object) -> Design:
    settings = SweepSettings(
        "ussr-1928", ("historical", "nep"), samples=samples, seed=11, **TINY, **more
    )  # type: ignore[arg-type]
    return design(settings)


def _everything(folder: Path) -> pd.DataFrame:
    sweep = read_sweep(folder)
    return sweep.series().sort_values(["run", "variable", "date"], ignore_index=True)


@pytest.fixture(scope="module")
def serial(tmp_path_factory: pytest.TempPathFactory) -> pd.DataFrame:
    out = tmp_path_factory.mktemp("serial") / "sweep"
    run_sweep(_design(), out)
    return _everything(out)


def test_serial_sweep_repeats_and_samples_differ(serial: pd.DataFrame, tmp_path: Path) -> None:
    run_sweep(_design(), tmp_path / "again", batch_size=3)
    pd.testing.assert_frame_equal(_everything(tmp_path / "again"), serial)
    harvest = serial[serial["variable"] == "grain_harvest_mt"].pivot(
        index="date", columns="run", values="value"
    )
    # The weather differs between samples; without it the test above would prove little.
    assert harvest[0].iloc[-1] != harvest[1].iloc[-1]
    # Common random numbers: sample 0 has the same seed in both courses (runs 0 and 4).
    runs = read_sweep(tmp_path / "again").runs.set_index("run")
    assert runs.loc[0, "seed"] == runs.loc[4, "seed"]
    assert runs.loc[0, "course"] != runs.loc[4, "course"]


def test_processes_give_the_serial_results(serial: pd.DataFrame, tmp_path: Path) -> None:
    with process_pool(2) as pool:
        outcome = run_sweep(_design(), tmp_path / "p", pool, workers=2)
    assert outcome.computed == 8 and outcome.batches == 8
    pd.testing.assert_frame_equal(_everything(tmp_path / "p"), serial)


def test_a_dask_local_cluster_gives_the_serial_results(
    serial: pd.DataFrame, tmp_path: Path
) -> None:
    distributed = pytest.importorskip("distributed")
    with (
        distributed.LocalCluster(
            processes=False, n_workers=1, threads_per_worker=2, dashboard_address=None
        ) as cluster,
        distributed.Client(cluster) as client,
    ):
        run_sweep(_design(), tmp_path / "d", client.get_executor(), workers=2)
    pd.testing.assert_frame_equal(_everything(tmp_path / "d"), serial)


def test_an_interrupted_sweep_resumes_with_only_the_rest(
    serial: pd.DataFrame, tmp_path: Path
) -> None:
    out = tmp_path / "resumed"

    def interrupt(done: BatchDone) -> None:
        if done.done >= 3:
            raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        run_sweep(_design(), out, batch_size=1, progress=interrupt)
    assert read_sweep(out).finished == {0, 1, 2}
    kept = {p: p.stat().st_mtime_ns for p in out.rglob("part-*.parquet")}
    outcome = run_sweep(_design(), out, batch_size=1)
    assert (outcome.resumed, outcome.computed) == (3, 5)
    assert all(p.stat().st_mtime_ns == kept[p] for p in kept)
    pd.testing.assert_frame_equal(_everything(out), serial)
    again = run_sweep(_design(), out)
    assert again.computed == 0


def test_a_sweep_resumes_only_into_the_same_design(tmp_path: Path) -> None:
    run_sweep(_design(samples=1), tmp_path / "s")
    with pytest.raises(InputError, match="other settings"):
        run_sweep(_design(samples=2), tmp_path / "s")
    (tmp_path / "busy").mkdir()
    (tmp_path / "busy" / "notes.txt").write_text("mine", encoding="utf-8")
    with pytest.raises(InputError, match="holds other files"):
        run_sweep(_design(samples=1), tmp_path / "busy")


def test_the_default_ranges_surround_the_calibrated_values() -> None:
    ranges = calibrated_ranges("ussr-1928")
    plan = _design(samples=50)
    bounds = {k.name: (k.low, k.high) for k in KNOBS}
    assert set(ranges) == set(bounds)
    for name, (low, high, _source) in ranges.items():
        assert bounds[name][0] <= low < high <= bounds[name][1]
        drawn = plan.runs[name]
        assert drawn.between(low, high).all() and drawn.nunique() > 1


def test_varying_one_more_parameter_shifts_no_other_draws() -> None:
    plain = _design(samples=5)
    # A parameter the calibration does not vary (velocity and the like now are).
    assert "site_wage_share" not in plain.runs.columns
    more = _design(samples=5, vary={"site_wage_share": Distribution("normal", (5.0, 1.0))})
    shared = list(plain.runs.columns)
    pd.testing.assert_frame_equal(plain.runs[shared], more.runs[shared])
    spec = PARAMETERS["site_wage_share"]
    assert more.runs["site_wage_share"].between(spec.low, spec.high).all()


def test_a_grid_runs_every_sample_at_each_value() -> None:
    plan = _design(samples=3, grid={"pressure": (0.0, 0.3)})
    assert len(plan.runs) == 2 * 2 * 3
    by_point = plan.runs.groupby(["course", "pressure"])["seed"].apply(tuple)
    assert by_point.nunique() == 1


def test_a_truncated_normal_stays_within_the_bounds() -> None:
    draws = Distribution("normal", (0.95, 0.5)).draw(np.random.default_rng(3), 2000, 0.0, 1.0)
    assert draws.min() >= 0.0 and draws.max() <= 1.0
    assert draws.mean() < 0.95


def test_a_sweep_stopped_before_its_manifest_starts_again(tmp_path: Path) -> None:
    out = tmp_path / "s"
    (out / "series").mkdir(parents=True)
    _design(samples=1).runs.to_parquet(out / "runs.parquet")
    outcome = run_sweep(_design(samples=1), out)
    assert (outcome.resumed, outcome.computed) == (0, 2)


def test_household_runs_in_processes_match_the_serial_ones(tmp_path: Path) -> None:
    settings = SweepSettings(
        "ussr-1928", ("historical",), samples=2, seed=4, months=3, households=20000
    )
    plan = design(settings)
    run_sweep(plan, tmp_path / "serial")
    with process_pool(2) as pool:
        run_sweep(plan, tmp_path / "p", pool, workers=2)
    serial = _everything(tmp_path / "serial")
    assert "collectivised_share" in set(serial["variable"])
    pd.testing.assert_frame_equal(_everything(tmp_path / "p"), serial)
    # A run on one thread (as in a sweep) is the run on the libraries' default threads.
    batch = dataclasses.replace(batches(plan, [0], 1)[0], threads=None)
    default = run_batch(batch).table.to_pandas()
    one = serial[serial["run"] == 0].reset_index(drop=True)
    order = ["run", "variable", "date"]
    default = default.sort_values(order, ignore_index=True).astype({"variable": str})
    np.testing.assert_array_equal(default["value"].to_numpy(), one["value"].to_numpy())
