"""``planlab demo``: the main job on the built-in default, the USSR from 1928."""

from __future__ import annotations

import time
from functools import partial
from pathlib import Path
from types import MappingProxyType
from typing import Annotated

import pandas as pd
import typer
from rich.markup import escape
from rich.table import Table

from planlab.cli.common import (
    advance,
    console,
    fail,
    handles_input_errors,
    progress_bar,
    write_atomic,
)
from planlab.cli.economy import DEFAULT_ECONOMY
from planlab.cli.simulate import write_run
from planlab.economy import analyse, load_builtin
from planlab.report import economy_summary, write_report
from planlab.report.plan_variants import markdown, plan_variants
from planlab.scenarios import compare, events, load_scenario, read_courses, scenario_courses
from planlab.scenarios.courses import DEFAULT_SAMPLE, run_scenario

__all__ = ["demo"]

YEARLY = MappingProxyType(
    {
        "collectivised_share": ("coll.\nshare", "last", "{:.2f}"),
        "horses_million": ("horses\nm", "last", "{:.1f}"),
        "grain_harvest_mt": ("grain\nMt", "sum", "{:.1f}"),
        "grain_procurement_mt": ("proc.\nMt", "sum", "{:.1f}"),
        "coal_mt": ("coal\nMt", "sum", "{:.1f}"),
        "steel_mt": ("steel\nMt", "sum", "{:.1f}"),
        "currency_million_rub": ("money\nm rub", "last", "{:,.0f}"),
        "real_wage_index": ("real\nwage", "mean", "{:.2f}"),
    }
)
"""Per variable: column label, how a calendar year is summed up, number format."""
SHOWN_YEARS = (1929, 1930, 1932, 1934, 1937)


@handles_input_errors
def demo(
    out: Annotated[Path, typer.Option(help="Folder for the written tables.")] = Path("out/demo"),
    months: Annotated[
        int | None, typer.Option(help="Months to simulate (default: to the end of 1937).")
    ] = None,
    households: Annotated[
        int,
        typer.Option(help="One household row per N households (1: all 25.7 million)."),
    ] = DEFAULT_SAMPLE,
) -> None:
    """Leontief analysis of 1927/28, the plan variants checked, and the three courses of
    1928-37 simulated with household agents, compared with the record, in a report."""
    if months is not None and months < 1:
        raise fail([f"--months: field 'months': {months} (rule: at least 1 month)"])
    if households < 1:
        raise fail([f"--households: field 'households': {households} (rule: at least 1)"])
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

    console.rule("Three courses from 1 October 1928, beside the record")
    runs = out / "courses"
    wide: dict[str, pd.DataFrame] = {}
    for name in scenario_courses(DEFAULT_ECONOMY):
        data = load_scenario(DEFAULT_ECONOMY, course=name)
        started = time.perf_counter()
        with progress_bar() as bar:
            task = bar.add_task(f"{name}: months", total=months or data.months)
            result = run_scenario(
                data, months=months, households=households, progress=partial(advance, bar, task)
            )
        write_run(runs / name, result, data, households)
        wide[name] = result.wide()
        console.print(
            f"{name}: {len(result.dates) - 1} months, households 1 in {households}, "
            f"{time.perf_counter() - started:.1f} s",
            markup=False,
        )
    for name, table in wide.items():
        console.print(_yearly_table(name, table))
    comparisons = {course.name: compare(course.series) for course in read_courses(runs)}
    fit = Table(title="Beside the record to 1930 (median error; 0 = inside the record's band)")
    fit.add_column("course")
    fit.add_column("median error", justify="right")
    fit.add_column("records covered", justify="right")
    for name, comparison in comparisons.items():
        fit.add_row(name, f"{comparison.overall:.3f}", f"{comparison.covered}")
    console.print(fit)
    page = write_report(runs)
    console.print(
        f"\nwrote {out}/{DEFAULT_ECONOMY}-leontief.csv, {out}/plan-variants.md, "
        f"{runs}/<course>/series.csv and the report {page}",
        markup=False,
    )


def _yearly_table(course: str, wide: pd.DataFrame) -> Table:
    """A few calendar years of a course's run: the mechanisms at a glance."""
    years = pd.DatetimeIndex(wide.index).year
    table = Table(title=f"{course}: calendar years (1928 from October only)", title_justify="left")
    table.add_column("year")
    present = {name: spec for name, spec in YEARLY.items() if name in wide.columns}
    for label, _, _ in present.values():
        table.add_column(label, justify="right")
    yearly = pd.DataFrame(
        {
            label: getattr(wide[name].groupby(years), how)()
            for name, (label, how, _) in present.items()
        }
    )
    for year, row in yearly.iterrows():
        if int(str(year)) in SHOWN_YEARS:
            formats = (spec[2] for spec in present.values())
            table.add_row(
                str(year), *(f.format(value) for f, value in zip(formats, row, strict=True))
            )
    return table
