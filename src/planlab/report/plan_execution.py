"""A figure of a plan beside its execution: planned and executed gross output, branch by branch.

One small panel per branch, plan years on the x axis, so that a reader sees at a glance
where and when the execution leaves the plan. Built on ``matplotlib.figure.Figure``
directly (no pyplot state).
"""

from __future__ import annotations

import math

from matplotlib.figure import Figure

from planlab.scenarios import PlanComparison

__all__ = ["plan_execution_figure"]

PANEL_INCHES = 2.4
"""Width and height of one branch's panel."""
COLUMNS = 4
"""Panels per row."""
PLANNED, EXECUTED = "#1f77b4", "#d62728"


def plan_execution_figure(comparison: PlanComparison, title: str = "") -> Figure:
    """Planned and executed gross output per branch and plan year, the worst branch first."""
    table = comparison.table
    order = (
        table.assign(gap=table["log_deviation"].abs())
        .groupby("sector", sort=False)["gap"]
        .max()
        .sort_values(ascending=False)
        .index.tolist()
    )
    rows = math.ceil(len(order) / COLUMNS)
    figure = Figure(figsize=(COLUMNS * PANEL_INCHES, rows * PANEL_INCHES + 0.8))
    axes = figure.subplots(rows, COLUMNS, squeeze=False)
    for k, axis in enumerate(axes.ravel()):
        if k >= len(order):
            axis.set_visible(False)
            continue
        branch = table[table["sector"] == order[k]]
        axis.plot(branch["year"], branch["planned"], "o-", color=PLANNED, label="planned")
        axis.plot(branch["year"], branch["executed"], "s--", color=EXECUTED, label="executed")
        worst = float(branch["log_deviation"].abs().max())
        axis.set_title(f"{order[k]} ({worst:.1%})", fontsize=9)
        axis.set_xticks(branch["year"].tolist())
        axis.tick_params(labelsize=7)
        axis.set_ylim(bottom=0)
        axis.grid(alpha=0.3)
    handles, labels = axes[0, 0].get_legend_handles_labels()
    figure.legend(handles, labels, loc="lower center", ncol=2, fontsize=8, frameon=False)
    heading = title or "gross output per plan year: planned and executed"
    figure.suptitle(
        f"{heading}; largest |log deviation| {comparison.max_abs_log_deviation:.2%}", fontsize=10
    )
    figure.tight_layout(rect=(0, 0.05, 1, 0.95))
    return figure
