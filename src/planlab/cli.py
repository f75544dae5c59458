"""The ``planlab`` command: one sub-command per job.

Bad input ends with one line per problem on stderr and exit code 2; nothing
is half-written, and no traceback is shown.
"""

from __future__ import annotations

import json
import os
import sys
import tempfile
from collections.abc import Callable
from functools import wraps
from pathlib import Path
from typing import Annotated, ParamSpec, TypeVar

import numpy as np
import pandas as pd
import typer
from rich.console import Console

from planlab.economy import analyse, builtin_names, json_schema, load_builtin, resolve, save
from planlab.errors import InputError, PlanlabError
from planlab.report import economy_summary

__all__ = ["app", "main"]

EXIT_BAD_INPUT = 2
DEFAULT_ECONOMY = "ussr-1928"

P = ParamSpec("P")
R = TypeVar("R")

app = typer.Typer(
    name="planlab",
    help="A laboratory for economic plans: input-output analysis, plans, tempo checks.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
economy_app = typer.Typer(
    help="Inspect, check and export economies.", no_args_is_help=True, add_completion=False
)
app.add_typer(economy_app, name="economy")

console = Console()
errors = Console(stderr=True, highlight=False, soft_wrap=True)


def _fail(lines: list[str]) -> typer.Exit:
    for line in lines:
        errors.print(line, markup=False)
    return typer.Exit(code=EXIT_BAD_INPUT)


def handles_input_errors(func: Callable[P, R]) -> Callable[P, R]:
    """Turn the project's errors into one line per problem and exit code 2."""

    @wraps(func)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
        try:
            return func(*args, **kwargs)
        except InputError as exc:
            raise _fail(list(exc.lines())) from None
        except PlanlabError as exc:
            raise _fail([str(exc)]) from None

    return wrapper


def _write_atomic(path: Path, text: str) -> None:
    """Write a file through a temporary sibling, so it is whole or absent."""
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}-")
    try:
        with os.fdopen(handle, "w", encoding="utf-8", newline="") as out:
            out.write(text)
        Path(tmp).replace(path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


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
    from planlab.economy import load

    if not Path(path).exists():
        raise _fail([f"{path}: field '-': not found (rule: the file exists)"])
    economy = load(path)
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
        _write_atomic(out, text)


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
        _write_atomic(out, table.to_csv())
        console.print(f"wrote {out}", markup=False)


def _read_demand(path: Path, names: tuple[str, ...]) -> np.ndarray:
    """A final-demand vector from a CSV file with columns sector,final_demand."""
    file = str(path)
    try:
        frame = pd.read_csv(path, dtype=str, keep_default_na=False)
    except FileNotFoundError:
        raise InputError.single(file, "-", "the file exists", "not found") from None
    except (pd.errors.ParserError, pd.errors.EmptyDataError, UnicodeDecodeError) as exc:
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
        from planlab.errors import Problem

        raise InputError(
            Problem(file, "final_demand", rule, message, sector=sector)
            for sector, rule, message in problems
        )
    return np.array([values[n] for n in names])


@app.command("demo")
@handles_input_errors
def demo(
    out: Annotated[Path, typer.Option(help="Folder for the written tables.")] = Path("out/demo"),
) -> None:
    """The main job on the built-in default: Leontief analysis of the USSR in 1927/28."""
    economy = load_builtin(DEFAULT_ECONOMY)
    analysis = analyse(economy)
    console.print(economy_summary(economy, analysis))
    _write_atomic(out / f"{DEFAULT_ECONOMY}-leontief.csv", analysis.table().to_csv())
    console.print(f"\nwrote {out / f'{DEFAULT_ECONOMY}-leontief.csv'}", markup=False)


def main() -> None:
    """Entry point of the console script."""
    app()
