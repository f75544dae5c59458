"""The report layer: readable tables and figures from economies and results."""

from planlab.report.budget import budget_table
from planlab.report.economy_summary import economy_summary, largest_coefficients
from planlab.report.figures import FIGURES, annual_rate
from planlab.report.html import write_report
from planlab.report.plan_execution import plan_execution_figure

__all__ = [
    "FIGURES",
    "annual_rate",
    "budget_table",
    "economy_summary",
    "largest_coefficients",
    "plan_execution_figure",
    "write_report",
]
