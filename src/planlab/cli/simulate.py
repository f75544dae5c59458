"""``planlab simulate`` and ``planlab scenario ...``: run scenarios, check scenario files."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from planlab.cli.common import console, fail, handles_input_errors, write_tables
from planlab.scenarios import builtin_scenarios, load_scenario
from planlab.simulate import run
from planlab.simulate.household_farms import HouseholdFarms

__all__ = ["scenario_app", "simulate"]

scenario_app = typer.Typer(
    help="List and check scenario files.", no_args_is_help=True, add_completion=False
)


@handles_input_errors
def simulate(
    scenario: Annotated[str, typer.Argument(help="A built-in scenario or a path.")] = "ussr-1928",
    months: Annotated[
        int | None, typer.Option(help="Months to run (default: the scenario's).")
    ] = None,
    seed: Annotated[int | None, typer.Option(help="Random seed (default: the scenario's).")] = None,
    out: Annotated[Path, typer.Option(help="Folder for series.csv and series.parquet.")] = Path(
        "out/simulate"
    ),
    households: Annotated[
        int | None,
        typer.Option(help="Run the countryside as household agents, one row per N households."),
    ] = None,
) -> None:
    """Run a scenario month by month and write its series (CSV and Parquet)."""
    if months is not None and months < 1:
        raise fail([f"--months: field 'months': {months} (rule: at least 1 month)"])
    if households is not None and households < 1:
        raise fail([f"--households: field 'households': {households} (rule: at least 1)"])
    data = load_scenario(scenario)
    total = data.months if months is None else months
    farms = (
        None
        if households is None
        else HouseholdFarms.from_scenario(data, sample=households, seed=seed)
    )
    columns = (
        TextColumn("[bold]{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
    )
    with Progress(*columns, console=console, transient=True) as bar:
        task = bar.add_task(f"{data.name}: months", total=total)
        result = run(
            data,
            months=total,
            seed=seed,
            progress=lambda done, _: bar.update(task, completed=done),
            farms=farms,
        )
    series = result.series.copy()
    series["date"] = series["date"].dt.strftime("%Y-%m-%d")
    write_tables(out, {"series": series}, {})
    console.print(
        f"{data.name}: {total} months from {data.start:%Y-%m-%d}, seed {result.seed}; "
        f"{series['variable'].nunique()} variables; wrote {out}/series.csv and series.parquet",
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


@scenario_app.command("check")
@handles_input_errors
def scenario_check(
    path: Annotated[str, typer.Argument(help="A scenario.yaml file or the folder holding it.")],
) -> None:
    """Validate a scenario file: exit 0 if valid, 2 with one line per problem if not."""
    if not Path(path).exists():
        raise fail([f"{path}: field '-': not found (rule: the file exists)"])
    data = load_scenario(path)
    console.print(
        f"ok: {data.name} ({data.economy.name}, {data.months} months) is a valid scenario",
        markup=False,
    )
