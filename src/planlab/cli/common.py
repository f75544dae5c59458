"""What every sub-command shares: consoles, error handling, atomic writes, option parsing."""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from functools import wraps
from pathlib import Path
from typing import ParamSpec, TypeVar

import pandas as pd
import typer
from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    ProgressColumn,
    SpinnerColumn,
    TaskID,
    TextColumn,
    TimeElapsedColumn,
)

from planlab.documents import YAML_SIZE_LIMIT, load_yaml_text, read_text_file
from planlab.errors import InputError, PlanlabError, Problem
from planlab.simulate.params import MAX_SEED

__all__ = [
    "EXIT_BAD_INPUT",
    "SEED_MAX",
    "advance",
    "check_seed",
    "console",
    "errors",
    "fail",
    "handles_input_errors",
    "parse_assignments",
    "progress_bar",
    "read_mapping_file",
    "working",
    "write_atomic",
    "write_tables",
]

EXIT_BAD_INPUT = 2
SEED_MAX = MAX_SEED
"""Seeds are whole numbers from 0 to 2^32 - 1 (``planlab.simulate.params.MAX_SEED``)."""
P = ParamSpec("P")
R = TypeVar("R")

console = Console()
errors = Console(stderr=True, highlight=False, soft_wrap=True)


def fail(lines: list[str]) -> typer.Exit:
    """Print one line per problem on stderr; the caller raises the returned Exit (code 2)."""
    for line in lines:
        errors.print(line, markup=False)
    return typer.Exit(code=EXIT_BAD_INPUT)


def check_seed(seed: int | None) -> None:
    """Refuse a ``--seed`` outside 0 .. SEED_MAX with one line and exit code 2."""
    if seed is not None and not 0 <= seed <= SEED_MAX:
        raise fail([f"--seed: field 'seed': {seed} (rule: a whole number from 0 to {SEED_MAX})"])


def handles_input_errors(func: Callable[P, R]) -> Callable[P, R]:
    """Turn the project's errors into one line per problem and exit code 2."""

    @wraps(func)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
        try:
            return func(*args, **kwargs)
        except InputError as exc:
            raise fail(list(exc.lines())) from None
        except PlanlabError as exc:
            raise fail([str(exc)]) from None

    return wrapper


def write_atomic(path: Path, text: str) -> None:
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


def write_tables(
    directory: Path, tables: Mapping[str, pd.DataFrame], extra: Mapping[str, str]
) -> None:
    """Write each table as CSV and Parquet, plus text files, all or nothing."""
    directory.parent.mkdir(parents=True, exist_ok=True)
    work = Path(tempfile.mkdtemp(dir=directory.parent, prefix=f".{directory.name}-"))
    try:
        for name, table in tables.items():
            table.to_csv(work / f"{name}.csv", index=False)
            table.to_parquet(work / f"{name}.parquet", index=False)
        for name, text in extra.items():
            (work / name).write_text(text, encoding="utf-8")
        directory.mkdir(exist_ok=True)
        for item in work.iterdir():
            item.replace(directory / item.name)
    finally:
        shutil.rmtree(work, ignore_errors=True)


def parse_assignments(text: str, option: str) -> dict[str, float]:
    """``coal=0.2,steel=0.35`` as a mapping; one problem per malformed item."""
    result: dict[str, float] = {}
    problems = []
    for item in (part.strip() for part in text.split(",")):
        if not item:
            continue
        name, sep, value = item.partition("=")
        if not sep or not name.strip():
            problems.append(Problem(option, option, "items are SECTOR=NUMBER", f"got {item!r}"))
            continue
        try:
            result[name.strip()] = float(value)
        except ValueError:
            problems.append(
                Problem(option, option, "a number after '='", f"got {value!r}", sector=name.strip())
            )
    if problems:
        raise InputError(problems)
    return result


def read_mapping_file(path: Path, field: str) -> dict[str, float]:
    """A sector-to-number mapping from YAML (``coal: 0.2``) or CSV (``sector,value``)."""
    file = str(path)
    text = read_text_file(path, file, limit=YAML_SIZE_LIMIT)
    if path.suffix.lower() == ".csv":
        rows = [line.split(",") for line in text.splitlines() if line.strip()]
        if not rows or len(rows[0]) != 2:
            raise InputError.single(file, "-", "two columns: sector,value", "bad header")
        raw: object = {r[0].strip(): r[1].strip() for r in rows[1:] if len(r) == 2}
        if any(len(r) != 2 for r in rows[1:]):
            raise InputError.single(file, "-", "two cells on every row", "a row has more or fewer")
    else:
        raw = load_yaml_text(text, file)
    if not isinstance(raw, dict):
        raise InputError.single(file, field, "a mapping of sector to number", "not a mapping")
    result: dict[str, float] = {}
    problems = []
    for key, value in raw.items():
        try:
            result[str(key)] = float(value)
        except (TypeError, ValueError):
            problems.append(Problem(file, field, "a number", repr(value), sector=str(key)))
    if problems:
        raise InputError(problems)
    return result


def progress_bar(*extra: ProgressColumn) -> Progress:
    """The progress bar of long jobs: description, bar, done of total, time; ``extra``
    columns after them. It disappears when the job ends."""
    columns = (
        TextColumn("[bold]{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        *extra,
    )
    return Progress(*columns, console=console, transient=True)


@contextmanager
def working(what: str) -> Iterator[None]:
    """A spinner with the time elapsed while a step of unknown length runs (a solve gives no
    progress of its own), on standard error so that JSON on standard output stays clean;
    shown only on a terminal, gone when the step ends."""
    if not errors.is_terminal:
        yield
        return
    columns = (SpinnerColumn(), TextColumn("{task.description}"), TimeElapsedColumn())
    with Progress(*columns, console=errors, transient=True) as spinner:
        spinner.add_task(what, total=None)
        yield


def advance(bar: Progress, task: TaskID, done: int, total: int) -> None:
    """Move ``task`` of ``bar`` to ``done`` (the engine's progress callback)."""
    bar.update(task, completed=done)
