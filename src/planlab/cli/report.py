"""``planlab report``: report.html and its figures for a folder of runs."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from planlab.cli.common import console, handles_input_errors
from planlab.errors import InputError
from planlab.report import write_report
from planlab.scenarios.sweep import read_sweep

__all__ = ["report"]


@handles_input_errors
def report(
    folder: Annotated[
        Path | None,
        typer.Argument(help="A run's folder (series.csv) or a folder of course folders."),
    ] = None,
    sweep: Annotated[
        Path | None,
        typer.Option(
            help="A folder written by 'planlab sweep' instead: each course as its median and "
            "5-95 % band; the report goes into that folder."
        ),
    ] = None,
) -> None:
    """Write FOLDER/report.html and FOLDER/figures/*.png: each course beside the record
    (or SWEEP/report.html: each course's median and band)."""
    if sweep is not None:
        if folder is not None:
            raise InputError.single("--sweep", "sweep", "FOLDER or --sweep, not both", "both")
        path = write_report(sweep, read_sweep(sweep))
    elif folder is not None:
        path = write_report(folder)
    else:
        raise InputError.single("FOLDER", "folder", "a folder of runs or --sweep", "missing")
    console.print(f"wrote {path} and {path.parent / 'figures'}/", markup=False)
