"""One calendar for the plan LP and the monthly simulator, so that both describe one economy.

The plan counts in years and the simulator in months. They agree on these rules:

- A project started in plan year t is started at the year's first month and takes
  ``12 (lag + 1)`` months; its materials are spent evenly over them, a ``1 / (lag + 1)``
  share in each of the years t .. t + lag, and its capacity works from the first
  month of year t + lag + 1.
- Capacity wears by ``depreciation / 12`` of itself each month.
- On the first day of the plan the base year's replacement programme is under way,
  its materials delivered: one cohort of ``depreciation * capacity / 12`` finishes in
  each month of years 1 .. lag + 1 and renews that month's wear.
- The base year's expansion programme (``expansion_under_way``, a share of capacity a
  year) is under way too: cohorts of a twelfth of it were started in each of the
  ``12 (lag + 1) - 1`` months before the first day. The cohort started m months before
  still has ``1 - m / (12 (lag + 1))`` of its work, and so of its materials, to do; it
  finishes in month ``12 (lag + 1) - m`` of the plan.
- The plan holds each year's output within the least capacity of the year's
  months (its last month), and its labour within the labour force at the year's
  start, so that a plan the LP calls feasible can be run month by month at an even
  pace through each year.

These rules are written once, here, and both layers read them.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray

from planlab.economy import Economy

__all__ = [
    "MONTHS_PER_YEAR",
    "construction_months",
    "expansion_arrivals",
    "expansion_cohorts",
    "expansion_materials",
    "inherited_arrivals",
    "year_end_survival",
]

FloatArray = NDArray[np.float64]

MONTHS_PER_YEAR = 12
"""Months in a plan year."""


def construction_months(economy: Economy) -> FloatArray:
    """Months a project of each branch takes: ``12 (lag + 1)``."""
    months: FloatArray = MONTHS_PER_YEAR * (economy.vector("construction_lag") + 1.0)
    return months


def year_end_survival(economy: Economy) -> FloatArray:
    """Share of capacity working in a year's first month that still works in its last one."""
    survival: FloatArray = (1.0 - economy.vector("depreciation") / MONTHS_PER_YEAR) ** (
        MONTHS_PER_YEAR - 1
    )
    return survival


def inherited_arrivals(economy: Economy, months: int) -> FloatArray:
    """Capacity the replacement programme under way on the first day adds each month (n, months).

    Every branch renewed ``depreciation * capacity`` a year in the base year, started
    evenly month by month, so one cohort of a twelfth of it finishes in each of the
    ``12 (lag + 1)`` months after the start and renews that month's wear. Its materials
    were delivered before the start. An assumption of a stationary base year, to be
    replaced by the record's construction programme where an economy gives one.
    """
    month = np.arange(months)
    monthly = economy.vector("depreciation") * economy.capacity / MONTHS_PER_YEAR
    renewing = month[None, :] < construction_months(economy)[:, None]
    arrivals: FloatArray = np.where(renewing, monthly[:, None], 0.0)
    return arrivals


def expansion_cohorts(economy: Economy) -> tuple[FloatArray, FloatArray]:
    """The expansion programme under way on the first day, as pipeline cohorts, oldest first.

    Returns ``size`` (n, C), the capacity each cohort adds, and ``left`` (n, C), the share
    of its work still to do, for the ``C = 12 (longest lag + 1) - 1`` months before the
    start; column ``c`` holds the cohort started ``C - c`` months before, empty where a
    branch's projects take fewer months.
    """
    months = construction_months(economy)
    columns = max(int(months.max()) - 1, 0)
    before = columns - np.arange(columns, dtype=float)
    monthly = economy.vector("expansion_under_way") * economy.capacity / MONTHS_PER_YEAR
    under_way = (before[None, :] < months[:, None]) & (monthly[:, None] > 0)
    size: FloatArray = np.where(under_way, monthly[:, None], 0.0)
    left: FloatArray = np.where(under_way, 1.0 - before[None, :] / months[:, None], 0.0)
    return size, left


def expansion_arrivals(economy: Economy, months: int) -> FloatArray:
    """Capacity the expansion under way adds each month when built at full pace (n, months):
    one cohort in each of months 0 .. 12 (lag + 1) - 2."""
    month = np.arange(months)
    monthly = economy.vector("expansion_under_way") * economy.capacity / MONTHS_PER_YEAR
    finishing = month[None, :] <= construction_months(economy)[:, None] - 2
    arrivals: FloatArray = np.where(finishing, monthly[:, None], 0.0)
    return arrivals


def expansion_materials(economy: Economy, months: int) -> FloatArray:
    """Materials the expansion under way needs each month at full pace, per good (n, months).

    In month m, ``12 (lag + 1) - m - 1`` cohorts are still at work, each needing
    ``B`` times its size over the months a project takes.
    """
    span = construction_months(economy)
    month = np.arange(months, dtype=float)
    working = np.maximum(span[:, None] - month[None, :] - 1.0, 0.0)
    monthly = economy.vector("expansion_under_way") * economy.capacity / MONTHS_PER_YEAR
    pace = working * (monthly / span)[:, None]
    materials: FloatArray = np.asarray(economy.B @ pace, dtype=float)
    return materials
