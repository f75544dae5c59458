"""``planlab plan`` and ``planlab tempo``: balanced plans and tempo checks from the command line."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Annotated

import typer

from planlab.cli.common import (
    console,
    handles_input_errors,
    parse_assignments,
    read_mapping_file,
    working,
    write_atomic,
    write_tables,
)
from planlab.economy import resolve
from planlab.errors import InputError
from planlab.plan import OBJECTIVES, PlanResult, PlanSettings, build, check_tempo, growth_targets
from planlab.plan.lp import METHODS
from planlab.report.plan_summary import plan_summary, tempo_summary
from planlab.report.plan_variants import markdown, plan_variants
from planlab.scenarios import events
from planlab.scenarios.plans import plan_folder

__all__ = ["plan", "tempo", "variants", "write_plan"]


@handles_input_errors
def plan(
    economy: Annotated[str, typer.Argument(help="A built-in economy or a path.")] = "ussr-1928",
    years: Annotated[int, typer.Option(help="Plan years.")] = 5,
    objective: Annotated[str, typer.Option(help=f"One of: {', '.join(OBJECTIVES)}.")] = "harmony",
    target: Annotated[
        str | None, typer.Option(help="Final-year output targets, e.g. coal=500,oil=700.")
    ] = None,
    target_file: Annotated[
        Path | None, typer.Option(help="Targets as YAML (coal: 500) or CSV (sector,target).")
    ] = None,
    growth: Annotated[
        str | None,
        typer.Option(
            help="Targets as yearly growth of base-year output, every plan year: one rate for "
            "every branch (0.1) or per branch (coal=0.2,iron_steel=0.35)."
        ),
    ] = None,
    consumption_growth: Annotated[
        float, typer.Option(help="Yearly rise of the consumption floors.")
    ] = 0.0,
    method: Annotated[
        str, typer.Option(help=f"How the LPs are solved: one of {', '.join(METHODS)}.")
    ] = "auto",
    out: Annotated[Path | None, typer.Option(help="Folder for CSV and Parquet tables.")] = None,
) -> None:
    """Compute a balanced multi-year plan and print its summary."""
    data = resolve(economy)
    targets: dict[str, float] | dict[tuple[str, int], float] = _mapping(
        target, target_file, "--target", "targets"
    )
    if growth is not None:
        if targets:
            raise InputError.single(
                "--growth", "growth", "either --growth or --target/--target-file", "both given"
            )
        targets = growth_targets(data, _rates(data.names, growth), years)
    settings = PlanSettings(years=years, consumption_growth=consumption_growth)
    with working(f"computing the plan: {data.n:,} branches over {years} years"):
        result = build(data, years, targets or None, objective, settings=settings, method=method)
    console.print(plan_summary(data, result))
    if out is not None:
        write_plan(out, result)
        console.print(f"wrote {out}/", markup=False)


def write_plan(out: Path, result: PlanResult) -> None:
    """A plan folder (``planlab.scenarios.plan_folder``): its tables as CSV and Parquet and
    plan.json, all or nothing."""
    tables, extra = plan_folder(result)
    write_tables(out, tables, extra)


def _rates(names: tuple[str, ...], text: str) -> dict[str, float]:
    """``0.1`` for every branch, or ``coal=0.2,...`` per branch."""
    try:
        rate = float(text)
    except ValueError:
        return parse_assignments(text, "--growth")
    return dict.fromkeys(names, rate)


@handles_input_errors
def tempo(
    economy: Annotated[str, typer.Argument(help="A built-in economy or a path.")] = "ussr-1928",
    growth: Annotated[
        str | None, typer.Option(help="Yearly growth per branch, e.g. coal=0.2,iron_steel=0.35.")
    ] = None,
    growth_file: Annotated[
        Path | None, typer.Option(help="Growth as YAML (coal: 0.2) or CSV (sector,growth).")
    ] = None,
    years: Annotated[int, typer.Option(help="Plan years.")] = 5,
    method: Annotated[
        str, typer.Option(help=f"How the LPs are solved: one of {', '.join(METHODS)}.")
    ] = "auto",
    as_json: Annotated[bool, typer.Option("--json", help="Print one JSON object.")] = False,
) -> None:
    """Check whether a tempo keeps the proportions; name the bottlenecks and disproportions."""
    data = resolve(economy)
    rates = _mapping(growth, growth_file, "--growth", "growth")
    if not rates:
        raise InputError.single("--growth", "growth", "at least one SECTOR=RATE", "none given")
    with working(f"checking the tempo: {data.n:,} branches over {years} years"):
        report = check_tempo(data, rates, years, method=method)
    if as_json:
        sys.stdout.write(json.dumps(report.to_dict(), indent=2) + "\n")
    else:
        console.print(tempo_summary(report))


@handles_input_errors
def variants(
    economy: Annotated[str, typer.Argument(help="A built-in economy or a path.")] = "ussr-1928",
    years: Annotated[int, typer.Option(help="Plan years (1932/33 is year 5).")] = 5,
    out: Annotated[Path | None, typer.Option(help="Write the Markdown page here.")] = None,
) -> None:
    """Check the recorded variants of the first five-year plan against the proportions."""
    data = resolve(economy)
    page = markdown(data, plan_variants(data, events(), years), years)
    if out is None:
        sys.stdout.write(page)
    else:
        write_atomic(out, page)
        console.print(f"wrote {out}", markup=False)


def _mapping(inline: str | None, file: Path | None, option: str, field: str) -> dict[str, float]:
    values: dict[str, float] = {}
    if file is not None:
        values.update(read_mapping_file(file, field))
    if inline is not None:
        values.update(parse_assignments(inline, option))
    return values
