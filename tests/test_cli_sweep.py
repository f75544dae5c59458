"""planlab sweep from the command line: a small sweep, progress lines, and refused input."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from planlab.cli import app
from planlab.scenarios.sweep import read_sweep

runner = CliRunner()
SMALL = ["--months", "3", "--households", "0", "--samples", "2", "--workers", "1"]


def test_sweep_writes_a_dataset_and_a_progress_line_per_batch(tmp_path: Path) -> None:
    out = tmp_path / "sweep"
    args = ["sweep", "ussr-1928", "--course", "all", *SMALL, "--batch-size", "2"]
    result = runner.invoke(app, [*args, "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert result.stderr.count("sweep: ") == 3
    assert "overhead" in result.stdout
    sweep = read_sweep(out)
    assert sweep.courses == ["historical", "nep", "opposition"]
    assert sweep.finished == set(range(6))
    again = runner.invoke(app, [*args, "--out", str(out)])
    assert again.exit_code == 0 and "nothing to compute" in again.stdout


@pytest.mark.parametrize(
    ("extra", "named"),
    [
        (["--vary", "nothing=uniform:0,1"], "--vary: field 'nothing'"),
        (["--vary", "harvest_noise=uniform:0.2"], "--vary: field 'harvest_noise'"),
        (["--vary", "harvest_noise=gamma:1,2"], "--vary: field 'harvest_noise'"),
        (["--vary", "harvest_noise"], "--vary: field 'vary'"),
        (["--grid", "pressure=0.1,2"], "--grid: field 'pressure'"),
        (["--grid", "pressure=low"], "--grid: field 'pressure'"),
        (["--samples", "0"], "--samples: field 'samples'"),
        (["--workers", "0"], "--workers: field 'workers'"),
        (["--seed", "-1"], "--seed: field 'seed'"),
    ],
)
def test_bad_input_is_one_line_naming_the_argument(
    tmp_path: Path, extra: list[str], named: str
) -> None:
    out = tmp_path / "never"
    result = runner.invoke(app, ["sweep", "ussr-1928", *SMALL, *extra, "--out", str(out)])
    assert result.exit_code == 2, result.output
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith(named), lines
    assert not out.exists()


def test_sweep_runs_on_a_dask_scheduler_given_by_address(tmp_path: Path) -> None:
    distributed = pytest.importorskip("distributed")
    with distributed.LocalCluster(
        processes=False, n_workers=1, threads_per_worker=2, dashboard_address=None
    ) as cluster:
        args = ["sweep", "ussr-1928", *SMALL, "--scheduler", cluster.scheduler_address]
        result = runner.invoke(app, [*args, "--out", str(tmp_path / "d")])
    assert result.exit_code == 0, result.output
    assert f"Dask cluster {cluster.scheduler_address}" in result.stdout
    assert read_sweep(tmp_path / "d").finished == {0, 1}
