"""``planlab sweep``: a scenario's courses run many times into one Parquet dataset."""

from __future__ import annotations

import contextlib
from pathlib import Path
from typing import Annotated

import typer

from planlab.cli.common import check_seed, console, errors, fail, handles_input_errors
from planlab.cores import usable_cores
from planlab.errors import InputError
from planlab.scenarios import load_scenario
from planlab.scenarios.courses import course_names
from planlab.scenarios.sweep import (
    SYNTAX,
    BatchDone,
    Distribution,
    SweepSettings,
    design,
    open_executor,
    parse_distribution,
    run_sweep,
)
from planlab.scenarios.sweep.design import SWEEP_SAMPLE, lever_spec

__all__ = ["sweep"]


def _vary(items: list[str]) -> dict[str, Distribution]:
    found: dict[str, Distribution] = {}
    for item in items:
        name, sep, text = item.partition("=")
        name = name.strip()
        if not sep or not name:
            raise InputError.single("--vary", "vary", f"PARAM=DIST with DIST {SYNTAX}", item)
        _, spec = lever_spec(name, "--vary")
        if name in found:
            raise InputError.single("--vary", name, "each parameter once", "given twice")
        found[name] = parse_distribution(text, spec)
    return found


def _grid(items: list[str]) -> dict[str, tuple[float, ...]]:
    found: dict[str, tuple[float, ...]] = {}
    for item in items:
        name, sep, text = item.partition("=")
        name = name.strip()
        if not sep or not name:
            raise InputError.single("--grid", "grid", "LEVER=V1,V2,...", item)
        _, spec = lever_spec(name, "--grid")
        try:
            values = tuple(float(v) for v in text.split(","))
        except ValueError:
            raise InputError.single("--grid", name, "numbers after '='", repr(text)) from None
        outside = [v for v in values if not spec.low <= v <= spec.high]
        if outside:
            raise InputError.single(
                "--grid", name, f"values within [{spec.low:g}, {spec.high:g}]", f"{outside[0]:g}"
            )
        if name in found:
            raise InputError.single("--grid", name, "each lever once", "given twice")
        found[name] = values
    return found


def _progress(done: BatchDone) -> None:
    errors.print(
        f"sweep: {done.done}/{done.total} runs; batch of {done.runs} in "
        f"{done.work_seconds:.1f} s; {done.elapsed:.0f} s elapsed",
        markup=False,
    )


@handles_input_errors
def sweep(
    scenario: Annotated[str, typer.Argument(help="A built-in scenario or a path.")],
    out: Annotated[
        Path, typer.Option(help="The sweep's folder (new, empty, or a sweep to resume).")
    ],
    samples: Annotated[int, typer.Option(help="Draws per course and grid point.")] = 10,
    course: Annotated[
        str | None, typer.Option(help="A course of the scenario, or 'all' (default: none).")
    ] = None,
    vary: Annotated[
        list[str] | None,
        typer.Option(
            help=f"PARAM=DIST, DIST one of {SYNTAX}; replaces the calibrated range. Repeatable."
        ),
    ] = None,
    grid: Annotated[
        list[str] | None,
        typer.Option(
            help="LEVER=V1,V2,...: run every sample at each value (held for the whole run). "
            "Repeatable; every combination is run."
        ),
    ] = None,
    scheduler: Annotated[
        str | None,
        typer.Option(help="A Dask scheduler's address (tcp://host:8786): run on that cluster."),
    ] = None,
    workers: Annotated[
        int | None, typer.Option(help="Local worker processes (default: the CPUs; 1 runs here).")
    ] = None,
    seed: Annotated[
        int | None, typer.Option(help="The sweep's seed (default: the scenario's).")
    ] = None,
    months: Annotated[
        int | None, typer.Option(help="Months per run (default: the course's).")
    ] = None,
    households: Annotated[
        int,
        typer.Option(help="One household row per N households (0: aggregate farms)."),
    ] = SWEEP_SAMPLE,
    batch_size: Annotated[
        int | None, typer.Option(help="Runs per batch (default: about four batches a worker).")
    ] = None,
) -> None:
    """Run SCENARIO's courses SAMPLES times each over the calibrated ranges and the weather
    (and --vary, --grid), in batches on local processes or a Dask cluster, into
    OUT/series/course=<course>/*.parquet; rerun to resume. See docs/sweep.md."""
    check_seed(seed)
    for option, value, least in (
        ("--samples", samples, 1),
        ("--months", months, 1),
        ("--workers", workers, 1),
        ("--households", households, 0),
        ("--batch-size", batch_size, 1),
    ):
        if value is not None and value < least:
            raise fail([f"{option}: field '{option[2:]}': {value} (rule: at least {least})"])
    names: tuple[str | None, ...] = (None,)
    if course is not None:
        names = tuple(course_names(scenario, course))
        if not names:
            raise fail([f"--course: field 'course': {scenario} has none (rule: a course)"])
    plan = design(
        SweepSettings(
            scenario=scenario,
            courses=names,
            samples=samples,
            seed=load_scenario(scenario).seed if seed is None else seed,
            vary=_vary(vary or []),
            grid=_grid(grid or []),
            months=months,
            households=households,
        )
    )
    count = usable_cores() if workers is None else workers
    with contextlib.ExitStack() as stack:
        try:
            executor, available = stack.enter_context(open_executor(scheduler, count))
        except OSError as exc:
            raise InputError.single(
                "--scheduler", "scheduler", "a reachable Dask scheduler", str(exc)
            ) from None
        outcome = run_sweep(plan, out, executor, available, batch_size, _progress)
    if outcome.computed == 0:
        console.print(
            f"nothing to compute: all {outcome.total} runs of {out} are finished", markup=False
        )
        return
    where = f"Dask cluster {scheduler}" if scheduler else f"{outcome.workers} worker(s)"
    console.print(
        f"{outcome.computed} runs computed, {outcome.resumed} already finished, of "
        f"{outcome.total}; {outcome.batches} batches on {where}; "
        f"{outcome.wall_seconds:.1f} s, {outcome.runs_per_second:.2f} runs/s; overhead "
        f"{outcome.overhead:.1%} of the workers' time (start-up, transfer, loading, "
        f"waiting); wrote {out}/series",
        markup=False,
        soft_wrap=True,
    )
