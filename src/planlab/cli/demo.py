"""``planlab demo``: the main job on the built-in default, the USSR from 1928."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import pandas as pd
import typer
from rich.markup import escape
from rich.table import Table

from planlab.cli.common import console, handles_input_errors, write_atomic, write_tables
from planlab.cli.economy import DEFAULT_ECONOMY
from planlab.economy import analyse, load_builtin
from planlab.report import economy_summary
from planlab.report.plan_variants import markdown, plan_variants
from planlab.scenarios import events, load_scenario
from planlab.simulate import run

__all__ = ["demo"]

YEARLY = {
    "coal_mt": ("coal, Mt", "sum"),
    "steel_mt": ("steel, Mt", "sum"),
    "grain_harvest_mt": ("grain, Mt", "sum"),
    "currency_million_rub": ("currency, m rub", "last"),
    "free_market_price_index": ("free prices", "mean"),
    "real_wage_index": ("real wage", "mean"),
    "imports_million_gold_rub": ("imports, m gold rub", "sum"),
}


@handles_input_errors
def demo(
    out: Annotated[Path, typer.Option(help="Folder for the written tables.")] = Path("out/demo"),
    months: Annotated[int, typer.Option(help="Months to simulate.")] = 60,
) -> None:
    """Leontief analysis of 1927/28, the plan variants checked, and a simulated five years."""
    economy = load_builtin(DEFAULT_ECONOMY)
    analysis = analyse(economy)
    console.print(economy_summary(economy, analysis))
    write_atomic(out / f"{DEFAULT_ECONOMY}-leontief.csv", analysis.table().to_csv())

    console.rule("The five-year-plan variants against the proportions")
    verdicts = plan_variants(economy, events(), 5)
    variants = Table()
    for column in ("variant", "verdict", "least fulfilment", "what binds"):
        variants.add_column(column)
    for v in verdicts:
        variants.add_row(
            v.title,
            "feasible" if v.feasible else "not feasible",
            f"{v.least_fulfilment:.3f}",
            escape("; ".join(v.binding[:2])),
        )
    console.print(variants)
    write_atomic(out / "plan-variants.md", markdown(economy, verdicts, 5))

    console.rule(f"The default course, simulated for {months} months")
    scenario = load_scenario(DEFAULT_ECONOMY)
    result = run(scenario, months=months)
    series = result.series.copy()
    wide = result.wide()
    years = pd.DatetimeIndex(wide.index).year
    yearly = pd.DataFrame(
        {label: getattr(wide[name].groupby(years), how)() for name, (label, how) in YEARLY.items()}
    )
    table = Table(title="Calendar years (1928 from October only)", title_justify="left")
    table.add_column("year")
    for label, _ in YEARLY.values():
        table.add_column(label, justify="right")
    for year, row in yearly.iterrows():
        table.add_row(str(year), *(f"{value:,.2f}" for value in row))
    console.print(table)
    series["date"] = series["date"].dt.strftime("%Y-%m-%d")
    write_tables(out / "simulation", {"series": series}, {})
    console.print(
        f"\nwrote {out}/{DEFAULT_ECONOMY}-leontief.csv, {out}/plan-variants.md and "
        f"{out}/simulation/series.csv",
        markup=False,
    )
