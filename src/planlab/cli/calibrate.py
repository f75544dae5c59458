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
from planlab.scenarios.calibrate import calibrate, calibration_document
from planlab.scenarios.storage import CALIBRATION_NAME

__all__ = ["calibrate_scenario"]


@handles_input_errors
def calibrate_scenario(
    scenario: Annotated[str, typer.Argument(help="A built-in scenario or a path.")] = "ussr-1928",
    course: Annotated[str, typer.Option(help="The course fitted to the record.")] = "historical",
    sample: Annotated[int, typer.Option(help="One household row per N households.")] = 500,
    evaluations: Annotated[int, typer.Option(help="Most runs the search may make.")] = 60,
    seed: Annotated[int | None, typer.Option(help="Random seed (default: the scenario's).")] = None,
    out: Annotated[
        Path,
        typer.Option(
            help=f"Where to write the {CALIBRATION_NAME}; copy it beside the scenario's file "
            "to use it."
        ),
    ] = Path("out/calibrate") / CALIBRATION_NAME,
) -> None:
    """Fit the households' behavioural parameters to calibration.csv (records to 1930).

    Runs the course to the end of the record, scores it by the record's rules and moves
    the parameters by Nelder-Mead; prints the fit per variable before and after and writes
    the parameters with their sources and fit as a calibration.yaml.
    """
    check_seed(seed)
    if sample < 1:
        raise fail([f"--sample: field 'sample': {sample} (rule: at least 1)"])
    if evaluations < 1:
        raise fail([f"--evaluations: field 'evaluations': {evaluations} (rule: at least 1)"])
    with progress_bar(TextColumn("best {task.fields[best]}")) as bar:
        task = bar.add_task(f"calibrating {scenario} {course}: runs", total=evaluations, best="-")

        def advance(done: int, total: int, best: float) -> None:
            shown = f"{best:.3f}" if math.isfinite(best) else "-"
            bar.update(task, completed=min(done, total), best=shown)

        result = calibrate(scenario, course, sample, evaluations, seed, progress=advance)
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
    for name, value in result.values.items():
        console.print(f"{name} = {value:.4g} (from {result.start[name]:.4g})", markup=False)
    console.print(
        f"objective {result.objective_before:.3f} -> {result.objective_after:.3f}; median error "
        f"{result.median_before:.3f} -> {result.median_after:.3f}; {result.evaluations} runs; "
        f"wrote {out}",
        markup=False,
    )
