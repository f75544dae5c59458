"""The report layer: readable tables and figures from economies and results."""

from planlab.report.economy_summary import economy_summary, largest_coefficients

__all__ = ["economy_summary", "largest_coefficients"]
