"""``planlab economy ...`` and ``planlab demo``: inspect, check, export and analyse economies."""

from __future__ import annotations

import io
import json
import sys
from pathlib import Path
from typing import Annotated

import numpy as np
import pandas as pd
import typer

from planlab.cli.common import console, fail, handles_input_errors, write_atomic
from planlab.documents import path_exists, read_text_file
from planlab.economy import (
    analyse,
    builtin_names,
    from_pymrio,
    json_schema,
    load_builtin,
    resolve,
    save,
)
from planlab.economy.storage import DATA_FILE_LIMIT
from planlab.errors import InputError, Problem
from planlab.report import economy_summary

__all__ = ["DEFAULT_ECONOMY", "economy_app"]

DEFAULT_ECONOMY = "ussr-1928"

economy_app = typer.Typer(
    help="Inspect, check and export economies.", no_args_is_help=True, add_completion=False
)


@economy_app.command("list")
def economy_list() -> None:
    """List the built-in economies."""
    for name in builtin_names():
        economy = load_builtin(name)
        console.print(
            f"[bold]{name}[/bold]  {economy.title}  ({economy.n} sectors, base year "
            f"{economy.base_year or '-'})"
        )


@economy_app.command("show")
@handles_input_errors
def economy_show(
    economy: Annotated[str, typer.Argument(help="A built-in name or a path.")],
    top: Annotated[int, typer.Option(help="How many of the largest coefficients to list.")] = 10,
) -> None:
    """Print a readable summary: sectors, outputs, largest coefficients, labour, multipliers."""
    console.print(economy_summary(resolve(economy), top=top))


@economy_app.command("check")
@handles_input_errors
def economy_check(
    path: Annotated[str, typer.Argument(help="An economy.yaml file or the folder holding it.")],
) -> None:
    """Validate an economy's files: exit 0 if valid, 2 with one line per problem if not."""
    if not path_exists(Path(path)):
        raise fail([f"{path}: field '-': not found (rule: the file exists)"])
    economy = resolve(path)
    console.print(f"ok: {economy.name} ({economy.n} sectors) is a valid economy", markup=False)


@economy_app.command("export")
@handles_input_errors
def economy_export(
    name: Annotated[str, typer.Argument(help="A built-in economy.")],
    directory: Annotated[Path, typer.Argument(help="Folder to write into.")],
) -> None:
    """Write a built-in economy as economy.yaml plus CSV files."""
    path = save(load_builtin(name), directory)
    console.print(f"wrote {path}", markup=False)


@economy_app.command("schema")
@handles_input_errors
def economy_schema(
    out: Annotated[Path | None, typer.Option(help="Write to this file instead of stdout.")] = None,
) -> None:
    """Print the JSON Schema of the economy YAML file."""
    text = json.dumps(json_schema(), indent=2, sort_keys=False) + "\n"
    if out is None:
        sys.stdout.write(text)
    else:
        write_atomic(out, text)


@economy_app.command("leontief")
@handles_input_errors
def economy_leontief(
    economy: Annotated[str, typer.Argument(help="A built-in name or a path.")],
    demand: Annotated[
        Path | None,
        typer.Option(help="CSV with columns sector,final_demand (default: the base year's)."),
    ] = None,
    out: Annotated[Path | None, typer.Option(help="Write the table as CSV here.")] = None,
) -> None:
    """Leontief analysis: gross output, embodied labour, multipliers, linkages."""
    data = resolve(economy)
    y = None if demand is None else _read_demand(demand, data.names)
    table = analyse(data, y).table()
    if out is None:
        sys.stdout.write(table.to_csv())
    else:
        write_atomic(out, table.to_csv())
        console.print(f"wrote {out}", markup=False)


def _read_demand(path: Path, names: tuple[str, ...]) -> np.ndarray:
    """A final-demand vector from a CSV file with columns sector,final_demand."""
    file = str(path)
    text = read_text_file(path, file, limit=DATA_FILE_LIMIT, encoding="utf-8-sig")
    try:
        frame = pd.read_csv(io.StringIO(text), dtype=str, keep_default_na=False)
    except (pd.errors.ParserError, pd.errors.EmptyDataError) as exc:
        raise InputError.single(file, "-", "well-formed CSV", str(exc).strip()) from None
    for column in ("sector", "final_demand"):
        if column not in frame.columns:
            raise InputError.single(file, column, "required column", "missing")
    problems = []
    values = dict.fromkeys(names, 0.0)
    for sector, cell in zip(frame["sector"], frame["final_demand"], strict=True):
        if sector not in values:
            problems.append((sector, "known sector names", "unknown sector"))
            continue
        try:
            number = float(cell)
        except ValueError:
            problems.append((sector, "a number", f"not a number: {cell!r}"))
            continue
        if not np.isfinite(number):
            problems.append((sector, "finite", f"value {cell!r}"))
        values[sector] = number
    if problems:
        raise InputError(
            Problem(file, "final_demand", rule, message, sector=sector)
            for sector, rule, message in problems
        )
    return np.array([values[n] for n in names])


@economy_app.command("import-mrio")
@handles_input_errors
def economy_import_mrio(
    source: Annotated[
        str, typer.Argument(help="A folder saved by pymrio (IOSystem.save_all), or 'pymrio-test'.")
    ],
    directory: Annotated[Path, typer.Argument(help="Folder to write the economy into.")],
    name: Annotated[str, typer.Option(help="Name of the new economy.")] = "mrio",
    labour: Annotated[
        str, typer.Option(help="EXTENSION:ROW whose flows per unit of output are labour.")
    ] = "factor_inputs:Value Added",
) -> None:
    """Turn a real input-output table (through pymrio) into a planlab economy."""
    import pymrio

    extension, sep, row = labour.partition(":")
    if not sep:
        raise InputError.single("--labour", "labour", "EXTENSION:ROW", f"got {labour!r}")
    if source == "pymrio-test":
        io, described = pymrio.load_test(), "pymrio test MRIO (pymrio.load_test)"
    else:
        if not Path(source).is_dir():
            raise InputError.single(source, "-", "a folder saved by pymrio", "not found")
        try:
            io = pymrio.load_all(source)
        except Exception as exc:  # pymrio raises many kinds on a folder it cannot read
            raise InputError.single(source, "-", "a folder saved by pymrio", str(exc)) from None
        described = f"pymrio IOSystem loaded from {Path(source).name}"
    economy = from_pymrio(io, name, labour=(extension, row), source=described)
    path = save(economy, directory)
    console.print(f"wrote {path} ({economy.n} sectors)", markup=False)
