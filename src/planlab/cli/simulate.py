"""``planlab simulate`` and ``planlab scenario ...``: run scenarios, check scenario files."""

from __future__ import annotations

import json
import time
from functools import partial
from pathlib import Path
from typing import Annotated

import typer

from planlab import __version__
from planlab.cli.common import (
    advance,
    check_seed,
    console,
    fail,
    handles_input_errors,
    progress_bar,
    write_atomic,
    write_tables,
)
from planlab.documents import path_exists
from planlab.economy import Economy
from planlab.report.courses import courses_markdown
from planlab.scenarios import builtin_scenarios, load_scenario, scenario_courses
from planlab.scenarios.courses import DEFAULT_SAMPLE, course_names, run_scenario
from planlab.scenarios.plans import execution_scenario, plan_base, read_plan
from planlab.simulate import Run, Scenario

__all__ = ["scenario_app", "simulate", "write_run"]

scenario_app = typer.Typer(
    help="List and check scenario files.", no_args_is_help=True, add_completion=False
)


def write_run(
    out: Path, result: Run, data: Scenario, households: int | None, plan: Path | None = None
) -> None:
    series = result.series.copy()
    series["date"] = series["date"].dt.strftime("%Y-%m-%d")
    months = len(result.dates) - 1
    meta = {
        "scenario": data.name,
        "course": data.course,
        "title": data.title,
        "start": data.start.isoformat(),
        "months": months,
        "seed": result.seed,
        "households": households or None,
        "farms": "household agents" if households else "aggregate",
        "plan": None if plan is None else str(plan),
        "planlab": __version__,
    }
    write_tables(out, {"series": series}, {"run.json": json.dumps(meta, indent=2) + "\n"})


@handles_input_errors
def simulate(
    scenario: Annotated[str, typer.Argument(help="A built-in scenario or a path.")] = "ussr-1928",
    course: Annotated[
        str | None,
        typer.Option(
            help="Run under a course of the scenario (ussr-1928: historical, opposition, nep), "
            "or 'all'; each writes OUT/<course>/."
        ),
    ] = None,
    months: Annotated[
        int | None, typer.Option(help="Months to run (default: the scenario's or course's).")
    ] = None,
    seed: Annotated[int | None, typer.Option(help="Random seed (default: the scenario's).")] = None,
    out: Annotated[Path, typer.Option(help="Folder for series.csv and series.parquet.")] = Path(
        "out/simulate"
    ),
    households: Annotated[
        int | None,
        typer.Option(
            help="Run the countryside as household agents, one row per N households (1: all "
            f"25.7 million; 0: one aggregate farm sector). Default: {DEFAULT_SAMPLE} with "
            "--course, aggregate without."
        ),
    ] = None,
    plan: Annotated[
        Path | None,
        typer.Option(
            help="Execute a plan folder written by 'planlab plan --out' on this economy (or "
            "scenario): its output targets, construction starts, imports and exports."
        ),
    ] = None,
    no_shocks: Annotated[
        bool,
        typer.Option(
            "--no-shocks",
            help="With --plan on a scenario: reset its policies and world to the neutral "
            "defaults (no pressure, base-year world prices, normal weather).",
        ),
    ] = False,
) -> None:
    """Run a scenario month by month and write its series (CSV and Parquet) and run.json."""
    check_seed(seed)
    if months is not None and months < 1:
        raise fail([f"--months: field 'months': {months} (rule: at least 1 month)"])
    if households is not None and households < 0:
        raise fail([f"--households: field 'households': {households} (rule: 0 or more)"])
    if plan is not None:
        if course is not None:
            raise fail(["--plan: field 'course': given (rule: --plan runs without a course)"])
        _execute_plan(scenario, plan, out, months, seed, households, shocks=not no_shocks)
        return
    if no_shocks:
        raise fail(["--no-shocks: field 'plan': missing (rule: --no-shocks goes with --plan)"])
    runs: list[tuple[str | None, Path]]
    if course is None:
        runs = [(None, out)]
        sample = households
    else:
        names = course_names(scenario, course)
        if not names:
            raise fail([f"{scenario}: field 'courses': none (rule: --course needs courses)"])
        runs = [(name, out / name) for name in names]
        sample = DEFAULT_SAMPLE if households is None else households
    loaded = [(load_scenario(scenario, course=name), folder) for name, folder in runs]
    for data, folder in loaded:
        total = data.months if months is None else months
        label = data.name if data.course is None else f"{data.name} {data.course}"
        started = time.perf_counter()
        with progress_bar() as bar:
            task = bar.add_task(f"{label}: months", total=total)
            result = run_scenario(
                data,
                months=total,
                seed=seed,
                households=sample,
                progress=partial(advance, bar, task),
            )
        write_run(folder, result, data, sample)
        console.print(
            f"{label}: {total} months from {data.start:%Y-%m-%d}, seed {result.seed}, "
            f"{'households 1 in ' + str(sample) if sample else 'aggregate farms'}; "
            f"{time.perf_counter() - started:.1f} s; wrote {folder}/series.csv",
            markup=False,
        )


@scenario_app.command("list")
def scenario_list() -> None:
    """List the built-in scenarios."""
    for name in builtin_scenarios():
        data = load_scenario(name)
        console.print(
            f"[bold]{name}[/bold]  {data.title}  ({data.economy.name}, {data.months} months)"
        )
        for course in scenario_courses(name):
            entry = load_scenario(name, course=course)
            console.print(f"  course [bold]{course}[/bold]: {entry.title}  ({entry.months} months)")


@scenario_app.command("check")
@handles_input_errors
def scenario_check(
    path: Annotated[str, typer.Argument(help="A scenario.yaml file or the folder holding it.")],
) -> None:
    """Validate a scenario file: exit 0 if valid, 2 with one line per problem if not."""
    if not path_exists(Path(path)):
        raise fail([f"{path}: field '-': not found (rule: the file exists)"])
    data = load_scenario(path)
    courses = scenario_courses(path)
    for course in courses:
        load_scenario(path, course=course)
    console.print(
        f"ok: {data.name} ({data.economy.name}, {data.months} months) is a valid scenario"
        + (f", with courses {', '.join(courses)}" if courses else ""),
        markup=False,
    )


@scenario_app.command("courses")
@handles_input_errors
def scenario_courses_page(
    scenario: Annotated[str, typer.Argument(help="A built-in scenario or a path.")] = "ussr-1928",
    out: Annotated[Path | None, typer.Option(help="Write the page to this file.")] = None,
) -> None:
    """The scenario's courses with their levers, dates and sources, and the calibration."""
    page = courses_markdown(scenario)
    if out is None:
        console.print(page, markup=False, highlight=False)
    else:
        write_atomic(out, page)
        console.print(f"wrote {out}", markup=False)


def _execute_plan(
    name: str,
    folder: Path,
    out: Path,
    months: int | None,
    seed: int | None,
    households: int | None,
    *,
    shocks: bool,
) -> None:
    base = plan_base(name)
    economy = base if isinstance(base, Economy) else base.economy
    decisions = read_plan(folder, economy)
    data = execution_scenario(base, decisions, shocks=shocks)
    total = data.months if months is None else months
    started = time.perf_counter()
    with progress_bar() as bar:
        task = bar.add_task(f"{data.name}: months of the plan", total=total)
        result = run_scenario(
            data,
            months=total,
            seed=seed,
            households=households,
            progress=partial(advance, bar, task),
            plan=decisions,
        )
    write_run(out, result, data, households, plan=folder)
    console.print(
        f"{data.name}: plan {folder} executed for {total} months from {data.start:%Y-%m-%d}"
        f"{'' if shocks else ', no shocks'}; {time.perf_counter() - started:.1f} s; "
        f"wrote {out}/series.csv",
        markup=False,
    )
