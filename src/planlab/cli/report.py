"""``planlab report``: report.html and its figures for a folder of runs."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from planlab.cli.common import console, handles_input_errors
from planlab.report import write_report

__all__ = ["report"]


@handles_input_errors
def report(
    folder: Annotated[
        Path, typer.Argument(help="A run's folder (series.csv) or a folder of course folders.")
    ],
) -> None:
    """Write FOLDER/report.html and FOLDER/figures/*.png: each course beside the record."""
    path = write_report(folder)
    console.print(f"wrote {path} and {path.parent / 'figures'}/", markup=False)
