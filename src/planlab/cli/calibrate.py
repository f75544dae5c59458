"""``planlab calibrate``: fit behavioural parameters to the record to 1930, and say how well."""

from __future__ import annotations

import math
from pathlib import Path
from typing import Annotated

import typer
import yaml
from rich.progress import TextColumn
from rich.table import Table

from planlab.cli.common import (
    check_seed,
    console,
    fail,
    handles_input_errors,
    progress_bar,
    write_atomic,
)
from planlab.documents import DocumentDumper
from planlab.scenarios.calibrate import METHODS, calibrate, calibration_document, knobs_named
from planlab.scenarios.courses import DEFAULT_SAMPLE
from planlab.scenarios.storage import CALIBRATION_NAME

__all__ = ["calibrate_scenario"]


@handles_input_errors
def calibrate_scenario(
    scenario: Annotated[str, typer.Argument(help="A built-in scenario or a path.")] = "ussr-1928",
    course: Annotated[str, typer.Option(help="The course fitted to the record.")] = "historical",
    sample: Annotated[int, typer.Option(help="One household row per N households.")] = (
        DEFAULT_SAMPLE
    ),
    evaluations: Annotated[int, typer.Option(help="Most points the search may run.")] = 60,
    method: Annotated[str, typer.Option(help=f"Search: {' or '.join(METHODS)}.")] = "cma",
    seed: Annotated[
        list[int] | None,
        typer.Option(help="A seed each point is run with (repeat for several; default 1 2)."),
    ] = None,
    trajectories: Annotated[int, typer.Option(help="Morris screening trajectories.")] = 4,
    workers: Annotated[int, typer.Option(help="Worker processes running the points.")] = 2,
    sobol: Annotated[
        int,
        typer.Option(
            help="Sobol indices around the fit from N base samples (a power of two; 0: none)."
        ),
    ] = 0,
    knob: Annotated[
        list[str] | None,
        typer.Option(help="Fit only this parameter (repeat for several; default all)."),
    ] = None,
    out: Annotated[
        Path,
        typer.Option(
            help=f"Where to write the {CALIBRATION_NAME}; copy it beside the scenario's file "
            "to use it."
        ),
    ] = Path("out/calibrate") / CALIBRATION_NAME,
) -> None:
    """Fit the behavioural parameters of industry, money, trade, migration and the households
    to calibration.csv (records to 1930).

    Runs the course to the end of the record on each seed, scores it by the record's rules,
    screens every parameter by Morris's elementary effects (SALib), fits the ones the record
    identifies by CMA-ES (or differential evolution), and writes each parameter with its
    source, the range that fits about as well, and its sensitivity, as a calibration.yaml.
    """
    seeds = tuple(seed) if seed else (1, 2)
    for one in seeds:
        check_seed(one)
    if sample < 1:
        raise fail([f"--sample: field 'sample': {sample} (rule: at least 1)"])
    if evaluations < 1:
        raise fail([f"--evaluations: field 'evaluations': {evaluations} (rule: at least 1)"])
    if method not in METHODS:
        raise fail([f"--method: field 'method': {method!r} (rule: one of {', '.join(METHODS)})"])
    if trajectories < 2:
        raise fail([f"--trajectories: field 'trajectories': {trajectories} (rule: at least 2)"])
    if workers < 1:
        raise fail([f"--workers: field 'workers': {workers} (rule: at least 1)"])
    if sobol < 0 or (sobol > 0 and sobol & (sobol - 1)):
        raise fail([f"--sobol: field 'sobol': {sobol} (rule: 0 or a power of two)"])
    chosen = knobs_named(knob or [])
    with progress_bar(TextColumn("best {task.fields[best]}")) as bar:
        task = bar.add_task(f"calibrating {scenario} {course}: points", total=None, best="-")

        def advance(done: int, total: int, best: float) -> None:
            shown = f"{best:.3f}" if math.isfinite(best) else "-"
            bar.update(task, completed=done, total=total, best=shown)

        result = calibrate(
            scenario,
            course,
            sample,
            evaluations,
            seeds,
            knobs=chosen,
            method=method,
            trajectories=trajectories,
            workers=workers,
            sobol=sobol,
            progress=advance,
        )
    document = calibration_document(result)
    write_atomic(out, yaml.dump(document, Dumper=DocumentDumper, sort_keys=False, width=100))
    table = Table(title=f"{result.scenario} {result.course}: fit to calibration.csv")
    for name in ("variable", "mean error before", "mean error after", "median after"):
        table.add_column(name, justify="left" if name == "variable" else "right")
    for name in sorted(result.after):
        table.add_row(
            name,
            f"{result.before[name]:.3f}",
            f"{result.after[name]:.3f}",
            f"{result.per_variable_median[name]:.3f}",
        )
    console.print(table)
    knobs = Table(title="parameters: value, range that fits about as well, Morris mu_star")
    for name in ("parameter", "value", "from", "range", "mu_star", "identified"):
        knobs.add_column(name, justify="left" if name == "parameter" else "right")
    for name, value in result.values.items():
        low, high = result.ranges[name]
        knobs.add_row(
            name,
            f"{value:.4g}",
            f"{result.start[name]:.4g}",
            f"[{low:.4g}, {high:.4g}]",
            f"{result.mu_star[name]:.3g}",
            "yes" if result.identified[name] else "no",
        )
    console.print(knobs)
    console.print(
        f"objective {result.objective_before:.3f} -> {result.objective_after:.3f}; median error "
        f"{result.median_before:.3f} -> {result.median_after:.3f}; {result.evaluations} points "
        f"on {len(result.seeds)} seeds in {result.seconds:.0f} s; wrote {out}",
        markup=False,
    )
