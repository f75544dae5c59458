"""Benchmark of ensembles: one sweep serially, on local processes and on a Dask LocalCluster.

Run as ``python benchmarks/ensemble.py [--members N] [--months M] [--households H]
[--workers K] [--json]``.

The same design (the historical course of ussr-1928, ``members`` draws over the calibrated
ranges and the weather) runs three times into fresh folders, in this process:

- ``serial``: the batches one after the other here, the baseline;
- ``processes``: a ``ProcessPoolExecutor`` of K workers (their start-up included);
- ``dask``: a ``dask.distributed.LocalCluster`` of K worker processes, one thread each,
  through ``Client.get_executor()`` (the cluster's start-up excluded, as with a running
  cluster; connecting included).

For each: runs per second, its ratio to the serial rate (``speedup``), ``efficiency`` =
speedup / K, and the overhead share, ``1 - time in runs / (workers x wall time)``: start-up,
transfer, loading, writing and waiting. The three datasets must hold identical series,
or the benchmark fails. The JSON also holds ``runs_per_s_1`` (serial), ``runs_per_s_K``
(processes) and their ``efficiency`` at its top. On a shared machine the other processes'
load shows up as overhead; the serial run in the same process is the baseline sharing it.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import pandas as pd
from distributed import Client, LocalCluster

from planlab.scenarios.sweep import Outcome, SweepSettings, design, read_sweep, run_sweep
from planlab.scenarios.sweep.execute import process_pool

OVERHEAD_GOAL = 0.05
"""Start-up and transfer below 5 % of the work (issue 14)."""


def _series(folder: Path) -> pd.DataFrame:
    return read_sweep(folder).series().sort_values(["run", "variable", "date"], ignore_index=True)


def _row(name: str, outcome: Outcome, serial_rate: float, workers: int) -> dict[str, Any]:
    speedup = outcome.runs_per_second / serial_rate
    return {
        "executor": name,
        "workers": workers,
        "runs": outcome.computed,
        "batches": outcome.batches,
        "seconds": round(outcome.wall_seconds, 3),
        "runs_per_s": round(outcome.runs_per_second, 4),
        "speedup": round(speedup, 3),
        "efficiency": round(speedup / workers, 3),
        "overhead": round(outcome.overhead, 4),
    }


def measure(members: int, months: int | None, households: int, workers: int) -> dict[str, Any]:
    """Run the three executors on one design; the rows and the goal."""
    settings = SweepSettings(
        "ussr-1928",
        ("historical",),
        samples=members,
        seed=1,
        months=months,
        households=households,
    )
    plan = design(settings)
    with tempfile.TemporaryDirectory(prefix="planlab-ensemble-") as tmp:
        root = Path(tmp)
        serial = run_sweep(plan, root / "serial")
        rows = [_row("serial", serial, serial.runs_per_second, 1)]
        with process_pool(workers) as pool:
            processes = run_sweep(plan, root / "processes", pool, workers)
        rows.append(_row("processes", processes, serial.runs_per_second, workers))
        with LocalCluster(
            n_workers=workers, threads_per_worker=1, processes=True, dashboard_address=None
        ) as cluster:
            started = time.perf_counter()
            with Client(cluster) as client:
                dask = run_sweep(plan, root / "dask", client.get_executor(), workers)
            connect = time.perf_counter() - started - dask.wall_seconds
        rows.append(_row("dask", dask, serial.runs_per_second, workers))
        reference = _series(root / "serial")
        for name in ("processes", "dask"):
            pd.testing.assert_frame_equal(_series(root / name), reference)
    return {
        "members": members,
        "months": months,
        "households": households,
        "dask_connect_s": round(connect, 3),
        "runs_per_s_1": rows[0]["runs_per_s"],
        f"runs_per_s_{workers}": rows[1]["runs_per_s"],
        "efficiency": rows[1]["efficiency"],
        "rows": rows,
        "overhead_goal": OVERHEAD_GOAL,
        "identical": True,
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--members", type=int, default=16)
    parser.add_argument("--months", type=int, default=None, help="default: the course's")
    parser.add_argument("--households", type=int, default=0, help="0: aggregate farms")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args(argv)
    result = measure(args.members, args.months, args.households, args.workers)
    if args.json:
        print(json.dumps(result, indent=2))
        return 0
    print(
        f"ensemble of {result['members']} members, historical course, "
        f"{result['months'] or 'all'} months, households {result['households'] or 'aggregate'}"
    )
    header = ("executor", "workers", "runs/s", "speedup", "effic.", "overhead")
    print(f"{header[0]:<10} " + " ".join(f"{h:>8}" for h in header[1:]))
    for row in result["rows"]:
        print(
            f"{row['executor']:<10} {row['workers']:>8} {row['runs_per_s']:>8.3f} "
            f"{row['speedup']:>7.2f}x {row['efficiency']:>8.0%} {row['overhead']:>8.1%}"
        )
    print("series identical in all three: yes")
    return 0


if __name__ == "__main__":
    sys.exit(main())
