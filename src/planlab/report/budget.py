"""The state budget by year: what accumulation cost and where the money came from.

Each row is a monthly flow of a run's series, summed over the calendar year. The uses
are the state's cash payments, with procurement valued at the state's own selling
prices (the retail price index); the sources are the shops' takings at cost, the
turnover tax, the scissors (that value of the procured goods above what the state paid
for them), the agricultural and wealth taxes, loans, and emission, the residual.
Sources equal uses in every month.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from html import escape
from types import MappingProxyType

import pandas as pd

__all__ = ["BUDGET_SOURCES", "BUDGET_USES", "budget_html", "budget_table"]

BUDGET_USES: Mapping[str, str] = MappingProxyType(
    {
        "wages": "budget_wages_million_rub",
        "procurement at the state's prices": "budget_procurement_at_state_prices_million_rub",
    }
)
"""The budget's uses, each a row label and the series it sums."""
BUDGET_SOURCES: Mapping[str, str] = MappingProxyType(
    {
        "sales at cost": "budget_profits_million_rub",
        "turnover tax": "budget_turnover_tax_million_rub",
        "scissors": "budget_scissors_million_rub",
        "agricultural tax": "budget_agricultural_tax_million_rub",
        "wealth tax": "budget_wealth_tax_million_rub",
        "loans": "budget_loans_million_rub",
        "emission": "emission_million_rub",
    }
)
"""The budget's sources, each a row label and the series it sums; emission is the residual."""


def budget_table(series: pd.DataFrame) -> pd.DataFrame:
    """Uses and sources (rows, million roubles) by calendar year (columns) of a run's tidy
    series; a year the run covers only in part is summed over the months it covers."""
    rows = {**BUDGET_USES, **BUDGET_SOURCES}
    wanted = series[series["variable"].isin(list(rows.values()))]
    years = pd.DatetimeIndex(wanted["date"]).year
    sums = wanted.groupby([wanted["variable"], years])["value"].sum().unstack(fill_value=0)
    table = sums.reindex(list(rows.values()), fill_value=0.0)
    table.index = pd.Index(list(rows), name="million roubles")
    table.columns = pd.Index([int(year) for year in table.columns], name="year")
    return table


def budget_html(tables: Sequence[tuple[str, pd.DataFrame]]) -> str:
    """One table per course: the uses, then the sources, by year."""
    parts = []
    for course, table in tables:
        head = "".join(f"<th>{year}</th>" for year in table.columns)
        body = []
        for label in table.index:
            kind = "use" if label in BUDGET_USES else "source"
            cells = "".join(f"<td>{value:,.0f}</td>" for value in table.loc[label])
            body.append(f"<tr><td>{escape(label)} <small>({kind})</small></td>{cells}</tr>")
        parts.append(
            f"<h3>{escape(course)}</h3><table><thead><tr><th>million roubles</th>{head}</tr>"
            f"</thead><tbody>{''.join(body)}</tbody></table>"
        )
    return "".join(parts)
