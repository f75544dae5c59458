"""Readable summaries of a plan and of a tempo check, for a terminal."""

from __future__ import annotations

import numpy as np
import pandas as pd
from rich.console import Group, RenderableType
from rich.table import Table
from rich.text import Text

from planlab.economy import Economy
from planlab.plan import PlanResult, TempoReport

__all__ = ["plan_summary", "tempo_summary"]


def _fmt(raw: object, digits: int = 3) -> str:
    value = float(raw)  # type: ignore[arg-type]
    if not np.isfinite(value):
        return "-"
    return f"{value:,.0f}" if abs(value) >= 100 else f"{value:.{digits}g}"


def _where(sector: object, year: object) -> str:
    return ", ".join(str(p) for p in (sector, f"year {year}" if year else "") if p)


def _binding_table(frame: pd.DataFrame, title: str, top: int) -> Table:
    table = Table(title=title, title_justify="left")
    table.add_column("constraint")
    table.add_column("where")
    table.add_column("shadow price", justify="right")
    for row in frame.head(top).itertuples(index=False):
        table.add_row(str(row.constraint), _where(row.sector, row.year), f"{row.shadow_price:.4g}")
    return table


def plan_summary(economy: Economy, plan: PlanResult, top: int = 10) -> RenderableType:
    """Status, growth per sector, the years' labour and trade, and the binding constraints."""
    head = Text()
    head.append(f"{economy.name}: {plan.objective} plan over {len(plan.years)} years\n", "bold")
    head.append(f"{plan.message}\n")
    head.append(f"status {plan.status.value}, optimality gap {plan.gap:.1e}, {plan.seconds:.2f} s")
    if plan.method:
        head.append(f" by {plan.method}")
    if len(plan.solvers) > 1 or any(solver != plan.method for solver, _ in plan.solvers):
        head.append(" (" + "; ".join(f"{s} {ended}" for s, ended in plan.solvers) + ")")
    if not plan.feasible:
        parts: list[RenderableType] = [head]
        if not plan.conflicts.empty:
            conflicts = Table(title="Constraints that cannot hold together", title_justify="left")
            for column in ("kind", "name", "sector", "year"):
                conflicts.add_column(column)
            for row in plan.conflicts.head(40).itertuples(index=False):
                conflicts.add_row(*(str(v) for v in row))
            parts.append(conflicts)
        return Group(*parts)
    final_rows = plan.sectors[plan.sectors["year"] == plan.years[-1]].set_index("sector")
    last_output = final_rows["gross_output"].astype(float).to_dict()
    last_use = final_rows["utilisation"].astype(float).to_dict()
    sectors = Table(title="Output by sector", title_justify="left")
    sectors.add_column("sector", no_wrap=True)
    for column in ("base", f"year {plan.years[-1]}", "growth / yr", "utilisation"):
        sectors.add_column(column, justify="right")
    T = len(plan.years)
    for name, base in zip(economy.names, economy.gross_output, strict=True):
        last = float(last_output[name])
        rate = (last / base) ** (1 / T) - 1 if base > 0 and last > 0 else float("nan")
        sectors.add_row(
            name,
            _fmt(float(base)),
            _fmt(last),
            f"{rate:+.1%}" if np.isfinite(rate) else "-",
            f"{float(last_use[name]):.0%}",
        )
    years = Table(title="Labour and foreign exchange by year", title_justify="left")
    for column in (
        "year",
        "labour used",
        "labour force",
        "import bill",
        "export earnings",
        "credit",
    ):
        years.add_column(column, justify="right")
    for row in plan.years_table.itertuples(index=False):
        years.add_row(
            str(row.year),
            _fmt(row.labour_used),
            _fmt(row.labour_force),
            _fmt(row.import_bill),
            _fmt(row.export_earnings),
            _fmt(row.credit),
        )
    fulfilment = plan.fulfilment
    worst = fulfilment.sort_values("fulfilment").head(top)
    targets = Table(title="Least fulfilled targets", title_justify="left")
    for column in ("sector", "year", "target", "achieved", "fulfilment"):
        targets.add_column(column, justify="right" if column != "sector" else "left")
    for row in worst.itertuples(index=False):
        targets.add_row(
            str(row.sector),
            str(row.year),
            _fmt(row.target),
            _fmt(row.achieved),
            f"{row.fulfilment:.3f}",
        )
    return Group(
        head, sectors, years, targets, _binding_table(plan.binding(), "Binding constraints", top)
    )


def tempo_summary(report: TempoReport, top: int = 10) -> RenderableType:
    """Verdict, attainable growth, bottlenecks and the disproportion table."""
    head = Text()
    verdict = "feasible" if report.feasible else "NOT feasible"
    head.append(f"{report.economy}: the tempo is {verdict}\n", "bold")
    head.append(f"{report.message}\n")
    if np.isfinite(report.max_fraction):
        head.append(f"largest feasible fraction of the asked tempo: {report.max_fraction:.3g}")
    growth = Table(title=f"Growth per year over {report.years} years", title_justify="left")
    for column in ("sector", "asked", "attainable"):
        growth.add_column(column, justify="right" if column != "sector" else "left")
    for sector, asked in report.growth.items():
        got = report.attainable_growth.get(sector, float("nan"))
        growth.add_row(sector, f"{asked:+.1%}", f"{got:+.1%}" if np.isfinite(got) else "-")
    parts: list[RenderableType] = [head, growth]
    if not report.bottlenecks.empty:
        parts.append(_binding_table(report.bottlenecks, "Bottlenecks", top))
    if not report.disproportions.empty:
        table = Table(title="Disproportions at the full tempo", title_justify="left")
        for column in ("branch", "lacks", "year", "shortfall", "% of need"):
            table.add_column(
                column, justify="right" if column in ("year", "shortfall", "% of need") else "left"
            )
        ranked = report.disproportions.sort_values("shortfall", ascending=False).head(top)
        for row in ranked.itertuples(index=False):
            table.add_row(
                str(row.branch),
                str(row.input),
                str(row.year),
                _fmt(row.shortfall),
                _fmt(row.shortfall_pct),
            )
        parts.append(table)
    return Group(*parts)
