"""``planlab compare``: each course of a folder of runs beside the historical record."""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Annotated

import pandas as pd
import typer
from rich.table import Table

from planlab.cli.common import console, handles_input_errors, write_atomic
from planlab.errors import InputError
from planlab.report import plan_execution_figure
from planlab.scenarios import Comparison, calibration, compare, compare_ensemble, read_courses
from planlab.scenarios.plans import compare_plan, plan_economy, read_plan
from planlab.scenarios.sweep import read_sweep

__all__ = ["compare_runs", "comparison_frame"]


def _number(value: float) -> str:
    return "" if math.isnan(value) else f"{value:.4g}"


def _error(value: float) -> str:
    return "" if math.isnan(value) else f"{value:.3f}"


def _record_text(row: pd.Series) -> str:
    low, high = float(row["low"]), float(row["high"])
    return _number(low) if low == high else f"{_number(low)}–{_number(high)}"


def _period(row: pd.Series) -> str:
    start, end = row["start"], row["end"]
    if start == end:
        return f"{start:%Y-%m-%d}"
    return f"{start:%Y-%m}…{end:%Y-%m}"


def comparison_frame(course: str, result: Comparison) -> pd.DataFrame:
    """The comparison table of one course with the course as first column."""
    table = result.table.assign(
        start=result.table["start"].dt.strftime("%Y-%m-%d"),
        end=result.table["end"].dt.strftime("%Y-%m-%d"),
    )
    return table.assign(course=course).loc[:, ["course", *result.table.columns]]


def _finite(value: float) -> float | None:
    return value if math.isfinite(value) else None


def _show(course: str, result: Comparison) -> None:
    rows = Table(title=f"{course}: the run beside the record", title_justify="left")
    for header, justify in (
        ("variable", "left"),
        ("date or period", "left"),
        ("run", "right"),
        ("record", "right"),
        ("error", "right"),
    ):
        rows.add_column(header, justify=justify, no_wrap=header == "variable")  # type: ignore[arg-type]
    for _, row in result.table.iterrows():
        run = "—" if math.isnan(row["run"]) else _number(row["run"])
        rows.add_row(
            str(row["variable"]), _period(row), run, _record_text(row), _error(row["error"])
        )
    console.print(rows)
    medians = Table(title=f"{course}: median error per variable", title_justify="left")
    medians.add_column("variable")
    medians.add_column("median error", justify="right")
    medians.add_column("records", justify="right")
    counts = result.table.groupby("variable")["error"].count()
    for name, median in result.per_variable.items():
        medians.add_row(name, f"{median:.3f}", str(int(counts[name])))
    console.print(medians)
    if result.missing:
        absent = ", ".join(f"{name} ({n})" for name, n in result.missing.items())
        console.print(f"not covered by the run: {absent}", markup=False)
    overall = f"{result.overall:.3f}" if math.isfinite(result.overall) else "none (no record)"
    console.print(
        f"{course}: median error {overall} over {result.covered} of {len(result.table)} "
        f"records (coverage {result.coverage:.0%})",
        markup=False,
    )


@handles_input_errors
def compare_runs(
    folder: Annotated[
        Path | None,
        typer.Argument(help="A run's folder (series.csv) or a folder of course folders."),
    ] = None,
    history: Annotated[
        bool,
        typer.Option(
            "--history",
            help="Compare with the packaged historical record, calibration.csv "
            "(the default, and the only record there is).",
        ),
    ] = True,
    as_json: Annotated[bool, typer.Option("--json", help="Print the result as JSON.")] = False,
    csv: Annotated[
        Path | None, typer.Option(help="Also write every course's comparison table here.")
    ] = None,
    plan: Annotated[
        Path | None,
        typer.Option(
            help="Compare a run of 'planlab simulate --plan' with its plan folder instead: "
            "executed against planned gross output per branch and plan year."
        ),
    ] = None,
    figure: Annotated[
        Path | None,
        typer.Option(help="With --plan: also draw planned against executed output here (PNG)."),
    ] = None,
    sweep: Annotated[
        Path | None,
        typer.Option(
            help="A folder written by 'planlab sweep' instead of FOLDER: score each course's "
            "median and count the records inside its 5-95 % band."
        ),
    ] = None,
) -> None:
    """Each course's run beside the historical record: values, errors, medians, coverage.

    The error of a record row is 0 inside its band, else |log(run / nearest bound)|,
    capped at 3 (see docs/report.md). ``--history`` names the record compared with; it is
    the default because calibration.csv is the only record there is.
    """
    del history
    if sweep is not None:
        if folder is not None or plan is not None:
            raise InputError.single("--sweep", "sweep", "--sweep without FOLDER or --plan", "both")
        _compare_sweep(sweep, as_json, csv)
        return
    if folder is None:
        raise InputError.single("FOLDER", "folder", "a folder of runs or --sweep", "missing")
    if plan is not None:
        _compare_plan(folder, plan, as_json, figure)
        return
    if figure is not None:
        raise InputError.single("--figure", "figure", "goes with --plan", "no --plan given")
    courses = read_courses(folder)
    results = {course.name: compare(course.series) for course in courses}
    if csv is not None:
        frames = [comparison_frame(name, result) for name, result in results.items()]
        write_atomic(csv, pd.concat(frames, ignore_index=True).to_csv(index=False))
    if as_json:
        document = {
            name: {
                "median_error": _finite(result.overall),
                "coverage": result.coverage,
                "per_variable": result.per_variable,
                "missing": result.missing,
                "records": json.loads(
                    comparison_frame(name, result).drop(columns="course").to_json(orient="records")
                ),
            }
            for name, result in results.items()
        }
        typer.echo(json.dumps(document, indent=2))
        return
    for name, result in results.items():
        _show(name, result)


def _compare_sweep(folder: Path, as_json: bool, csv: Path | None) -> None:
    sweep = read_sweep(folder)
    wanted = sorted(set(calibration()["variable"]))
    results = {}
    for label in sweep.courses:
        series = sweep.series(label, wanted)
        if not series.empty:
            results[label] = compare_ensemble(series)
    if not results:
        raise InputError.single(str(folder), "--sweep", "a sweep with finished runs", "none")
    if csv is not None:
        frames = [
            comparison_frame(name, result.median)
            .rename(columns={"run": "median"})
            .assign(
                band_low=result.band["band_low"].to_numpy(),
                band_high=result.band["band_high"].to_numpy(),
                inside=result.band["inside"].to_numpy(),
            )
            for name, result in results.items()
        ]
        write_atomic(csv, pd.concat(frames, ignore_index=True).to_csv(index=False))
    if as_json:
        document = {
            name: {
                "runs": result.runs,
                "median_error": _finite(result.median.overall),
                "coverage": result.median.coverage,
                "per_variable": result.median.per_variable,
                "inside_band": result.inside,
                "records_covered": result.covered,
                "inside_band_per_variable": {
                    k: {"inside": i, "covered": c}
                    for k, (i, c) in result.inside_per_variable().items()
                },
            }
            for name, result in results.items()
        }
        typer.echo(json.dumps(document, indent=2))
        return
    for name, result in results.items():
        _show(f"{name} (median of {result.runs} runs)", result.median)
        counts = Table(title=f"{name}: records inside the 5–95 % band", title_justify="left")
        counts.add_column("variable")
        counts.add_column("inside", justify="right")
        for variable, (inside, covered) in result.inside_per_variable().items():
            counts.add_row(variable, f"{inside} of {covered}")
        console.print(counts)
        console.print(
            f"{name}: {result.inside} of {result.covered} records inside the 5–95 % band of "
            f"{result.runs} runs",
            markup=False,
        )


def _compare_plan(folder: Path, plan_folder: Path, as_json: bool, figure: Path | None) -> None:
    courses = read_courses(folder)
    if len(courses) != 1:
        raise InputError.single(str(folder), "-", "one run's folder with --plan", "several runs")
    economy = plan_economy(plan_folder)
    result = compare_plan(courses[0].series, read_plan(plan_folder, economy), economy)
    if figure is not None:
        drawn = plan_execution_figure(result, f"{courses[0].name} against {plan_folder.name}")
        figure.parent.mkdir(parents=True, exist_ok=True)
        partial = figure.with_name(f".{figure.name}.partial")
        drawn.savefig(partial, dpi=110, format="png")
        partial.replace(figure)
    if as_json:
        typer.echo(json.dumps(result.to_dict(), indent=2))
        return
    rows = Table(title="executed against planned gross output", title_justify="left")
    for header in ("branch", "year", "planned", "executed", "log deviation"):
        rows.add_column(header, justify="left" if header == "branch" else "right")
    for branch, years in result.to_dict()["branches"].items():
        for year, cell in years.items():
            rows.add_row(
                branch,
                year,
                _number(cell["planned"]),
                _number(cell["executed"]),
                f"{cell['log_deviation']:+.4f}",
            )
    console.print(rows)
    console.print(f"max |log deviation|: {result.max_abs_log_deviation:.4f}", markup=False)
    first = result.first_shortfall
    if first is None:
        console.print("no month fell short of its target", markup=False)
    else:
        console.print(
            f"first shortfall: {first['branch']} in {first['date']}, "
            f"{first['shortfall']:.1%} below target; stage {first['stage']}: {first['cause']}",
            markup=False,
        )
