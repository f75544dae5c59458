"""A readable summary of an economy: sectors, outputs, coefficients, labour, multipliers."""

from __future__ import annotations

import numpy as np
import pandas as pd
from rich.console import Group, RenderableType
from rich.table import Table
from rich.text import Text

from planlab.economy import Economy, LeontiefAnalysis, analyse

__all__ = ["economy_summary", "largest_coefficients"]


def largest_coefficients(economy: Economy, count: int = 10) -> pd.DataFrame:
    """The ``count`` largest input coefficients, as rows (input, sector, coefficient)."""
    coo = economy.A.tocoo()
    order = np.argsort(-coo.data, kind="stable")[:count]
    names = economy.names
    return pd.DataFrame(
        {
            "input": [names[i] for i in coo.row[order]],
            "sector": [names[j] for j in coo.col[order]],
            "coefficient": coo.data[order],
        }
    )


def _number(value: float) -> str:
    """Thousands separated above 100, three significant digits below."""
    if not np.isfinite(value):
        return "-"
    if abs(value) >= 100:
        return f"{value:,.0f}"
    return f"{value:.3g}"


def economy_summary(
    economy: Economy, analysis: LeontiefAnalysis | None = None, top: int = 10
) -> RenderableType:
    """Tables that describe an economy and its Leontief analysis, for a terminal."""
    result = analysis if analysis is not None else analyse(economy)
    head = Table.grid(padding=(0, 2))
    head.add_column(style="bold")
    head.add_column()
    head.add_row("economy", Text(f"{economy.name}  {economy.title}"))
    if economy.base_year:
        head.add_row("base year", Text(economy.base_year))
    head.add_row("sectors", str(economy.n))
    head.add_row("value unit", Text(economy.value_unit))
    head.add_row("labour unit", Text(economy.labour_unit))
    x = economy.gross_output
    employment = float(economy.labour @ x)
    head.add_row("gross output", Text(f"{_number(float(x.sum()))} {economy.value_unit}"))
    head.add_row(
        "intermediate use",
        f"{_number(float((economy.A @ x).sum()))} ({float((economy.A @ x).sum() / x.sum()):.1%} "
        "of gross output)",
    )
    force = economy.scalars["labour_force"]
    head.add_row(
        "employment",
        Text(f"{_number(employment)} of a labour force of {_number(force)} {economy.labour_unit}"),
    )

    table = result.table()
    sectors = Table(title="Sectors in the base year", title_justify="left")
    sectors.add_column("sector", no_wrap=True)
    for column in ("gross output", "final demand", "labour / unit", "employment"):
        sectors.add_column(column, justify="right")
    multipliers = Table(title="Leontief analysis (base-year final demand)", title_justify="left")
    multipliers.add_column("sector", no_wrap=True)
    for column in ("labour embodied", "output mult.", "empl. mult. I", "backward", "forward"):
        multipliers.add_column(column, justify="right")
    for i, sector in enumerate(economy.sectors):
        row = table.iloc[i]
        sectors.add_row(
            sector.name,
            _number(float(x[i])),
            _number(float(row["final_demand"])),
            _number(float(economy.labour[i])),
            _number(float(row["employment"])),
        )
        multipliers.add_row(
            sector.name,
            _number(float(row["labour_embodied"])),
            _number(float(row["output_multiplier"])),
            _number(float(row["employment_multiplier_type1"])),
            _number(float(row["backward_index"])),
            _number(float(row["forward_index"])),
        )

    groups = Table(title="Groups of sectors", title_justify="left")
    groups.add_column("group", no_wrap=True)
    for column in ("sectors", "gross output", "share", "employment"):
        groups.add_column(column, justify="right")
    labels = pd.Series([s.group or "-" for s in economy.sectors])
    frame = pd.DataFrame({"group": labels, "x": x, "employment": economy.labour * x})
    summed = frame.groupby("group", sort=False).agg(
        sectors=("x", "size"), x=("x", "sum"), employment=("employment", "sum")
    )
    for group, row in summed.iterrows():
        groups.add_row(
            Text(str(group)),
            str(int(row["sectors"])),
            _number(float(row["x"])),
            f"{float(row['x']) / float(x.sum()):.1%}",
            _number(float(row["employment"])),
        )

    coefficients = Table(
        title=f"Largest input coefficients (of {economy.A.nnz})", title_justify="left"
    )
    coefficients.add_column("input")
    coefficients.add_column("into sector")
    coefficients.add_column("per unit of output", justify="right")
    for _, row in largest_coefficients(economy, top).iterrows():
        coefficients.add_row(str(row["input"]), str(row["sector"]), f"{row['coefficient']:.4f}")

    parts: list[RenderableType] = [head, groups, sectors, multipliers, coefficients]
    if economy.indicators:
        physical = Table(title="Physical indicators at base-year output", title_justify="left")
        physical.add_column("indicator")
        physical.add_column("sector")
        physical.add_column("value", justify="right")
        physical.add_column("unit")
        values = economy.indicator_values()
        for ind in economy.indicators:
            physical.add_row(ind.name, ind.sector, _number(values[ind.name]), Text(ind.unit))
        parts.append(physical)
    return Group(*parts)
