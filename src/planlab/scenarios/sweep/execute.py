"""Running a sweep's design in batches through a ``concurrent.futures.Executor``.

The executor is a ``ProcessPoolExecutor`` on this machine, or the executor of a Dask
client (``dask.distributed.Client(address).get_executor()``) on a cluster; without one the
batches run here, one after the other. Every run is the same whichever runs it: its
scenario, values and seed come from the design, and nothing else is random.

A batch holds runs of one course. Each worker loads a scenario once and keeps it; the
work is the time spent in the runs themselves, everything else (starting workers, loading,
sending batches and results, waiting) is overhead, measured as
``1 - work / (workers * wall time)``.
"""

from __future__ import annotations

import contextlib
import math
import time
from collections.abc import Callable, Iterator, Mapping
from concurrent.futures import Executor, Future, ProcessPoolExecutor, as_completed
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import numpy as np
import pyarrow as pa

from planlab.scenarios.courses import run_scenario
from planlab.scenarios.storage import load_scenario
from planlab.scenarios.sweep.design import Design, with_values
from planlab.scenarios.sweep.store import prepare, write_part
from planlab.scenarios.workers import process_pool as worker_pool
from planlab.scenarios.workers import threads_limited
from planlab.simulate import Scenario

__all__ = [
    "BATCHES_PER_WORKER",
    "Batch",
    "BatchDone",
    "Outcome",
    "open_executor",
    "process_pool",
    "run_batch",
    "run_sweep",
]

BATCHES_PER_WORKER = 4
"""Batches per worker when no batch size is given: a progress line every quarter of a
worker's share and room to even out batches of unequal length, while the start-up of a
batch (sending it, its results back) stays a small share of its runs."""


WORKER_THREADS = 1
"""Threads a run may use (numba's kernels, OpenMP, BLAS): a sweep's parallelism is its
runs, and a run's own threads only oversubscribe the cores. Measured on this 2-core machine
under load, 27 months of the historical course at one row per 2,000 households took 10.9 s
with the libraries' default threads and 0.29 s with one. The results do not depend on it
(the household kernels draw one random stream per block of rows)."""

CONNECT_SECONDS = 10
"""How long to wait for a Dask scheduler before giving up (seconds)."""


@dataclass(frozen=True)
class Batch:
    """Runs of one course: each run's id, seed and values, plus what every run shares."""

    scenario: str
    course: str | None
    label: str
    months: int | None
    households: int | None
    fixed: Mapping[str, float]
    runs: tuple[int, ...]
    seeds: tuple[int, ...]
    values: tuple[Mapping[str, float], ...]
    threads: int | None = WORKER_THREADS
    """Threads a run may use; None leaves the libraries' defaults."""


@dataclass(frozen=True)
class Result:
    """A batch's series (run, date, variable, value) and where its time went."""

    label: str
    table: pa.Table
    setup_seconds: float
    work_seconds: float


@dataclass(frozen=True)
class BatchDone:
    """A finished batch, for progress lines."""

    runs: int
    done: int
    total: int
    work_seconds: float
    elapsed: float


@dataclass(frozen=True)
class Outcome:
    """What a sweep did: runs in the design, found finished, computed now, and the time."""

    total: int
    resumed: int
    computed: int
    batches: int
    workers: int
    wall_seconds: float
    work_seconds: float

    @property
    def overhead(self) -> float:
        """The share of the workers' time not spent in runs (0 when nothing ran)."""
        available = self.workers * self.wall_seconds
        return max(0.0, 1.0 - self.work_seconds / available) if available > 0 else 0.0

    @property
    def runs_per_second(self) -> float:
        """Runs computed per second of wall time."""
        return self.computed / self.wall_seconds if self.wall_seconds > 0 else math.nan


@lru_cache(maxsize=8)
def _scenario(name: str, course: str | None) -> Scenario:
    return load_scenario(name, course=course)


def run_batch(batch: Batch) -> Result:
    """Run a batch's runs (in a worker) and return their series as one Arrow table."""
    if batch.threads is None:
        return _run_batch(batch)
    with threads_limited(batch.threads):
        return _run_batch(batch)


def _run_batch(batch: Batch) -> Result:
    started = time.perf_counter()
    base = _scenario(batch.scenario, batch.course)
    setup = time.perf_counter() - started
    tables = []
    for run, seed, values in zip(batch.runs, batch.seeds, batch.values, strict=True):
        scenario = with_values(base, {**batch.fixed, **values}, "sweep: drawn for this run")
        series = run_scenario(
            scenario, months=batch.months, seed=seed, households=batch.households
        ).series
        tables.append(
            pa.table(
                {
                    "run": pa.array(np.full(len(series), run, dtype=np.int64)),
                    "date": pa.array(series["date"].to_numpy(dtype="datetime64[ms]")),
                    "variable": pa.array(series["variable"].astype(str)).dictionary_encode(),
                    "value": pa.array(series["value"].to_numpy(dtype=float)),
                }
            )
        )
    table = pa.concat_tables(tables).unify_dictionaries()
    work = time.perf_counter() - started - setup
    return Result(batch.label, table, setup, work)


def batches(design: Design, pending: list[int], size: int) -> list[Batch]:
    """The pending runs cut into batches of at most ``size`` runs of one course each."""
    settings = design.settings
    rows = design.runs.set_index("run").loc[pending]
    found = []
    for label, group in rows.groupby("course", sort=False):
        ids = group.index.to_numpy()
        for start in range(0, len(ids), size):
            chunk = group.iloc[start : start + size]
            found.append(
                Batch(
                    scenario=settings.scenario,
                    course=design.course_of(str(label)),
                    label=str(label),
                    months=settings.months,
                    households=settings.households,
                    fixed=dict(design.fixed),
                    runs=tuple(int(r) for r in chunk.index),
                    seeds=tuple(int(s) for s in chunk["seed"]),
                    values=tuple(
                        {name: float(row[name]) for name in design.levers}
                        for _, row in chunk.iterrows()
                    ),
                )
            )
    return found


def run_sweep(
    design: Design,
    out: Path,
    executor: Executor | None = None,
    workers: int = 1,
    batch_size: int | None = None,
    progress: Callable[[BatchDone], None] | None = None,
    limit: int | None = None,
) -> Outcome:
    """Run the design's unfinished runs into ``out`` (see ``store``); ``limit`` stops after
    that many runs (a partial sweep, to be resumed)."""
    done = prepare(out, design)
    pending = [int(r) for r in design.runs["run"] if int(r) not in done]
    if limit is not None:
        pending = pending[:limit]
    size = batch_size or max(1, math.ceil(len(pending) / (max(workers, 1) * BATCHES_PER_WORKER)))
    todo = batches(design, pending, size) if pending else []
    started = time.perf_counter()
    work = 0.0
    finished = len(done)

    def record(result: Result) -> None:
        nonlocal work, finished
        write_part(out, design, result.label, result.table)
        work += result.work_seconds
        count = len(set(result.table["run"].to_pylist()))
        finished += count
        if progress is not None:
            progress(
                BatchDone(
                    count,
                    finished,
                    len(design.runs),
                    result.work_seconds,
                    time.perf_counter() - started,
                )
            )

    if executor is None:
        for batch in todo:
            record(run_batch(batch))
    else:
        futures: list[Future[Result]] = [executor.submit(run_batch, batch) for batch in todo]
        try:
            for future in as_completed(futures):
                record(future.result())
        finally:
            for future in futures:
                future.cancel()
    return Outcome(
        total=len(design.runs),
        resumed=len(done),
        computed=len(pending),
        batches=len(todo),
        workers=max(workers, 1) if executor is not None else 1,
        wall_seconds=time.perf_counter() - started,
        work_seconds=work,
    )


@contextlib.contextmanager
def open_executor(scheduler: str | None, workers: int) -> Iterator[tuple[Executor | None, int]]:
    """The executor for ``workers`` local processes (None and 1 for one, run here), or for
    the Dask cluster at ``scheduler`` with as many workers as its threads."""
    if scheduler is not None:
        from distributed import Client

        with Client(scheduler, timeout=CONNECT_SECONDS) as client:  # type: ignore[no-untyped-call]
            threads = sum(int(w["nthreads"]) for w in client.scheduler_info()["workers"].values())
            yield client.get_executor(), max(threads, 1)
        return
    if workers <= 1:
        yield None, 1
        return
    with process_pool(workers) as pool:
        yield pool, workers


def process_pool(workers: int) -> ProcessPoolExecutor:
    """A pool of worker processes that have imported this module (``workers.process_pool``)."""
    return worker_pool(workers, __name__)
