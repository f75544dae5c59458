"""The report's figures: one per mechanism, each course a line, the record overlaid.

Figures are built on ``matplotlib.figure.Figure`` directly (no pyplot state). Flows are
drawn as annual rates, the total of the twelve months ending on each date; a run's first
eleven months have no such total and are left out. The record is drawn in black: a stock
as a point (with an error bar for a band), a flow as a segment across its period at the
annualised value, shaded where the sources disagree.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Literal, TypeVar

import numpy as np
import pandas as pd
from matplotlib.artist import Artist
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.lines import Line2D

from planlab.scenarios import Course
from planlab.scenarios.compare import BAND

__all__ = [
    "CALIBRATION_ENDS",
    "FIGURES",
    "Drawn",
    "Ensembles",
    "FigureSpec",
    "Line",
    "Panel",
    "annual_rate",
    "draw",
    "months_in",
    "resolve_as_above",
]

Mode = Literal["stock", "flow", "level"]
"""How a series is drawn: a stock on its date, a flow as an annual rate, a level as is."""

Scale = Literal["linear", "log", "share"]
"""A panel's y axis: linear, logarithmic (indices that run away) or a share from 0."""

CALIBRATION_ENDS = dt.date(1931, 1, 1)
"""The record stops with 1930: later months are prediction."""

COLOURS = ("#1f77b4", "#d62728", "#2ca02c", "#9467bd", "#ff7f0e", "#8c564b", "#17becf")
STYLES: tuple[Literal["-", "--", ":", "-."], ...] = ("-", "--", ":", "-.")
VARIANTS = (
    ("starting_variant", "starting", "v"),
    ("optimal", "optimal", "^"),
    ("revised", "revised", "*"),
)
"""The plan variants of events.csv: name suffix, label, marker."""


@dataclass(frozen=True)
class Line:
    """One variable in a panel; ``unit`` is used where variables.csv has none."""

    variable: str
    label: str
    mode: Mode
    unit: str = ""
    optional: bool = False


@dataclass(frozen=True)
class Panel:
    """One axes: its title, lines and the plan targets (events.csv name prefix) to mark."""

    title: str
    lines: tuple[Line, ...]
    targets: str | None = None
    scale: Scale = "linear"
    """``log`` for indices that run away; ``share`` for fractions, drawn from 0."""


@dataclass(frozen=True)
class FigureSpec:
    """A figure: file name, title, the mechanism of the source text it shows, its panels."""

    name: str
    title: str
    mechanism: str
    panels: tuple[Panel, ...]
    columns: int = 1


Ensembles = Mapping[str, Mapping[str, pd.DataFrame]]
"""Per course, per variable: the runs of an ensemble as a frame (date index, a column per
run); a course found here is drawn as its median with the band of ``BAND``."""


@dataclass
class Drawn:
    """A drawn figure with its caption parts."""

    spec: FigureSpec
    figure: Figure
    notes: list[str] = field(default_factory=list)
    record_sources: list[str] = field(default_factory=list)
    target_sources: list[str] = field(default_factory=list)


def _flow(variable: str, label: str, unit: str = "") -> Line:
    return Line(variable, label, "flow", unit)


def _single(
    variable: str,
    label: str,
    mode: Mode,
    unit: str = "",
    targets: str | None = None,
    scale: Scale = "linear",
) -> Panel:
    return Panel(label, (Line(variable, label, mode, unit),), targets, scale)


FIGURES: tuple[FigureSpec, ...] = (
    FigureSpec(
        "collectivisation",
        "Collectivisation: share of peasant households in collectives",
        "Collectivisation needs mechanisation: the text holds that collectives built on "
        "peasant ploughs and old mares bring no gain in scale, so the rush into them runs "
        "ahead of its technical basis and recedes when the pressure eases.",
        (_single("collectivised_share", "Collectivised share", "stock", scale="share"),),
    ),
    FigureSpec(
        "horses-tractors",
        "Draught power: horses and tractors",
        "Livestock slaughter: peasants sell and slaughter their horses before joining, "
        "while tractors from industry arrive far more slowly than the draught power lost.",
        (
            _single("horses_million", "Horses", "stock"),
            _single("tractors_thousand", "Tractors in agriculture", "stock"),
            Panel(
                "Tractor horsepower",
                (
                    Line(
                        "tractor_horsepower_thousand",
                        "Tractor horsepower",
                        "stock",
                        "thousand hp",
                        optional=True,
                    ),
                ),
            ),
        ),
        columns=3,
    ),
    FigureSpec(
        "grain",
        "Grain: harvest, state procurement and exports",
        "The market gate: with the market closed the state takes grain by procurement, "
        "and what it can export depends on what the harvest leaves after the peasants' "
        "own needs.",
        (
            Panel("Grain harvest", (_flow("grain_harvest_mt", "Harvest"),)),
            Panel("Grain procurement", (_flow("grain_procurement_mt", "Procurement"),)),
            Panel("Grain exports", (_flow("grain_exports_mt", "Exports"),)),
        ),
        columns=3,
    ),
    FigureSpec(
        "industry",
        "Industrial output against the five-year plan variants",
        "The tempo set from above: the optimal and revised variants of the plan raised the "
        "1932/33 targets far beyond the starting variant; the runs show what capacity, "
        "materials and worn equipment allow.",
        (
            _single("coal_mt", "Coal", "flow", targets="coal"),
            _single("oil_mt", "Oil", "flow", targets="oil"),
            _single("pig_iron_mt", "Pig iron", "flow", targets="pig_iron"),
            _single("steel_mt", "Steel", "flow", targets="steel"),
            _single("electricity_bn_kwh", "Electricity", "flow", targets="electricity"),
        ),
        columns=3,
    ),
    FigureSpec(
        "money-prices",
        "Money and prices",
        "Emission and prices: budget gaps are paid with printed money; the currency grows, "
        "free-market prices run away from the state's fixed prices, and the scissors "
        "between industrial and agricultural prices open or close.",
        (
            _single("currency_million_rub", "Currency in circulation", "stock"),
            Panel(
                "Price indices",
                (
                    Line(
                        "free_market_price_index",
                        "Free market",
                        "level",
                        "index, 1 = base-year state price",
                    ),
                    Line(
                        "state_retail_price_index",
                        "State retail",
                        "level",
                        "index, 1 = base-year state price",
                    ),
                    Line(
                        "price_scissors",
                        "Scissors: industrial / agricultural price index",
                        "level",
                        "ratio of two indices",
                    ),
                ),
                scale="log",
            ),
        ),
        columns=2,
    ),
    FigureSpec(
        "foreign-trade",
        "Foreign trade and machinery imports",
        "The world crisis and foreign trade: foreign trade is the narrowest point of the "
        "economy; falling world prices cut export earnings, and with them the machinery "
        "that industrialisation must import.",
        (
            Panel("Exports", (_flow("exports_million_gold_rub", "Exports"),)),
            Panel(
                "Imports",
                (
                    _flow("imports_million_gold_rub", "All imports"),
                    _flow(
                        "machinery_imports_million_gold_rub",
                        "Machinery imports",
                        "million gold roubles",
                    ),
                ),
            ),
        ),
        columns=2,
    ),
    FigureSpec(
        "real-wage",
        "The real wage",
        "Conditions of the working class: the text makes a rising real wage a condition of "
        "the proletarian dictatorship; the money wage is deflated by what workers pay in "
        "state shops and on the free market.",
        (_single("real_wage_index", "Real wage", "level", "index, 1 = the run's first month"),),
    ),
    FigureSpec(
        "differentiation",
        "Differentiation inside the collectives",
        "Differentiation inside collectives: families with more workers, horses or "
        "contributed capital claim more; paying on capital lets a richer layer re-form "
        "inside the collective farms.",
        (
            _single(
                "member_income_gini",
                "Gini of member income",
                "stock",
                "Gini coefficient (0-1)",
                scale="share",
            ),
            _single(
                "rich_member_share",
                "Members above twice the mean income",
                "stock",
                "share of members",
                scale="share",
            ),
            _single(
                "capital_income_share",
                "Income paid on contributed capital",
                "stock",
                "share of collective income",
                scale="share",
            ),
            _single(
                "wealth_gini",
                "Gini of household wealth (all households)",
                "stock",
                "Gini coefficient (0-1)",
                scale="share",
            ),
        ),
        columns=2,
    ),
)
"""The report's figures in the order they appear."""


def resolve_as_above(table: pd.DataFrame) -> pd.DataFrame:
    """The table with each ``source`` of "as above" replaced by the source of the row above.

    The record's files cite the previous row this way; out of the file's order, in a
    caption, it would say nothing.

    >>> rows = pd.DataFrame({"source": ["Narkhoz series", "as above", "Nove"]})
    >>> resolve_as_above(rows)["source"].tolist()
    ['Narkhoz series', 'Narkhoz series', 'Nove']
    """
    sources = table["source"].astype(str).str.strip()
    resolved = sources.mask(sources.str.lower() == "as above").ffill()
    return table.assign(source=resolved.fillna(sources))


def months_in(start: pd.Timestamp, end: pd.Timestamp) -> int:
    """Calendar months a period touches, first and last included.

    >>> months_in(pd.Timestamp("1927-10-01"), pd.Timestamp("1928-09-30"))
    12
    """
    return (end.year - start.year) * 12 + end.month - start.month + 1


Frame = TypeVar("Frame", pd.Series, pd.DataFrame)


def annual_rate(values: Frame) -> Frame:
    """The total of the twelve months ending with each month, dated at the next month's start
    (of each column, for a frame of runs).

    Months absent from the series count as unknown, so a gap leaves a gap.

    >>> month = pd.date_range("1929-01-01", periods=14, freq="MS")
    >>> totals = annual_rate(pd.Series(1.0, index=month)).dropna()
    >>> [f"{when:%Y-%m}: {total:g}" for when, total in totals.items()]
    ['1930-01: 12', '1930-02: 12', '1930-03: 12']
    """
    if values.empty:
        return values
    full = pd.date_range(values.index.min(), values.index.max(), freq="MS")
    totals = values.reindex(full).rolling(12, min_periods=12).sum()
    totals.index = totals.index + pd.offsets.MonthBegin(1)
    return totals


EPOCH = pd.Timestamp("1970-01-01")
"""matplotlib's default date epoch: its date axis counts days from here."""


def _x(when: pd.Timestamp) -> float:
    """A date as matplotlib's day number."""
    return float((when - EPOCH) / pd.Timedelta(days=1))


def _course_series(course: Course, variable: str) -> pd.Series:
    rows = course.series[course.series["variable"] == variable]
    return pd.Series(rows["value"].to_numpy(dtype=float), index=pd.DatetimeIndex(rows["date"]))


def _unit(line: Line, units: dict[str, str]) -> str:
    unit = units.get(line.variable, line.unit)
    return f"{unit} a year" if line.mode == "flow" else unit


def _draw_record(axes: Axes, rows: pd.DataFrame, line: Line) -> bool:
    """The record of one variable on the axes; True when something was drawn."""
    drawn = False
    starts, ends = pd.DatetimeIndex(_day(rows["start"])), pd.DatetimeIndex(_day(rows["end"]))
    numbers = rows.loc[:, ["value", "low", "high"]].apply(pd.to_numeric, errors="coerce")
    for start, end, (value, low, high) in zip(
        starts, ends, numbers.to_numpy(dtype=float), strict=True
    ):
        low = value if np.isnan(low) else low
        high = value if np.isnan(high) else high
        if np.isnan(low) or np.isnan(high) or pd.isna(start) or pd.isna(end):
            continue
        if line.mode == "flow":
            scale = 12.0 / months_in(start, end)
            span = [_x(start), _x(end + pd.Timedelta(days=1))]
            if low != high:
                axes.fill_between(span, low * scale, high * scale, color="black", alpha=0.15, lw=0)
            if not np.isnan(value):
                axes.plot(span, [value * scale] * 2, color="black", linewidth=2.2)
        else:
            middle = value if not np.isnan(value) else (low + high) / 2
            axes.errorbar(
                [_x(start)],
                [middle],
                yerr=[[middle - low], [high - middle]],
                fmt="o" if not np.isnan(value) else "none",
                color="black",
                markersize=4,
                capsize=3,
            )
        drawn = True
    return drawn


def _day(values: pd.Series) -> pd.Series:
    return pd.to_datetime(values.astype(str).str.slice(0, 10), format="%Y-%m-%d", errors="coerce")


def _target_end(period: str) -> pd.Timestamp | None:
    """The end of an economic year ``1932/33`` (October to September) as 1 October."""
    found = re.fullmatch(r"(\d{4})/\d{2}", period.strip())
    return pd.Timestamp(int(found.group(1)) + 1, 10, 1) if found else None


def _draw_targets(axes: Axes, prefix: str, events: pd.DataFrame) -> list[str]:
    sources: list[str] = []
    for suffix, label, marker in VARIANTS:
        rows = events[events["name"] == f"{prefix}_target_{suffix}"]
        values = pd.to_numeric(rows["value"], errors="coerce").to_numpy(dtype=float)
        for period, value, source in zip(rows["date"], values, rows["source"], strict=True):
            when = _target_end(str(period))
            if when is None or np.isnan(value):
                continue
            axes.plot(
                [_x(when)],
                [value],
                marker=marker,
                linestyle="none",
                markersize=9,
                markerfacecolor="white",
                markeredgecolor="black",
                label=f"{period} target, {label} variant",
            )
            sources.append(str(source))
    return sources


def _draw_panel(
    axes: Axes,
    panel: Panel,
    courses: Sequence[Course],
    colours: dict[str, str],
    context: tuple[pd.DataFrame, pd.DataFrame, dict[str, str]],
    drawn: Drawn,
    ensembles: Ensembles,
) -> list[Artist]:
    """Draw one panel; returns the legend entries it needs."""
    record, events, units = context
    axes.xaxis_date()
    present = [
        line
        for line in panel.lines
        if any(line.variable in set(c.series["variable"]) for c in courses) or not line.optional
    ]
    multi = len(present) > 1
    handles: list[Artist] = []
    any_record = False
    for index, line in enumerate(present):
        style = STYLES[index % len(STYLES)]
        lacking = []
        for course in courses:
            runs = ensembles.get(course.name, {}).get(line.variable)
            if runs is not None:
                _draw_band(axes, runs, line, colours[course.name], style)
                continue
            values = _course_series(course, line.variable)
            if values.empty:
                lacking.append(course.name)
                continue
            shown = annual_rate(values) if line.mode == "flow" else values.sort_index()
            axes.plot(
                shown.index,
                shown.to_numpy(),
                color=colours[course.name],
                linestyle=style,
                linewidth=1.6,
            )
        if lacking:
            drawn.notes.append(
                f"{line.label} ({line.variable}) is not in the run of {', '.join(lacking)}."
            )
        if multi:
            handles.append(Line2D([], [], color="grey", linestyle=style, label=line.label))
        rows = record[record["variable"] == line.variable]
        if _draw_record(axes, rows, line):
            any_record = True
            drawn.record_sources.extend(str(s) for s in rows["source"])
    for line in panel.lines:
        if line not in present:
            drawn.notes.append(f"{line.label} ({line.variable}) is in none of the runs.")
    if panel.targets is not None:
        drawn.target_sources.extend(_draw_targets(axes, panel.targets, events))
    last = max((c.series["date"].max() for c in courses), default=pd.NaT)
    if pd.notna(last) and last >= pd.Timestamp(CALIBRATION_ENDS):
        boundary = _x(pd.Timestamp(CALIBRATION_ENDS))
        axes.axvline(boundary, color="grey", linewidth=1, linestyle=(0, (4, 3)))
        axes.text(
            boundary,
            0.01,
            " calibration ends / prediction",
            transform=axes.get_xaxis_transform(),
            fontsize=7,
            color="grey",
            va="bottom",
            ha="left",
        )
    axes.set_title(panel.title, fontsize=10)
    if panel.scale == "log":
        axes.set_yscale("log")
    else:
        axes.ticklabel_format(axis="y", useOffset=False)
    if panel.scale == "share":
        axes.set_ylim(bottom=0.0, top=max(float(axes.dataLim.y1) * 1.1, 0.05))
    axes.set_ylabel(_unit(present[0], units) if present else "", fontsize=8)
    axes.tick_params(labelsize=8)
    axes.grid(True, color="#dddddd", linewidth=0.6)
    if any_record:
        handles.append(_record_handle())
    handles.extend(h for h in axes.get_lines() if not str(h.get_label()).startswith("_"))
    return handles


def _draw_band(axes: Axes, runs: pd.DataFrame, line: Line, colour: str, style: str) -> None:
    """An ensemble's median and its band: quantiles over the runs of what each run shows
    (for a flow, each run's annual rate)."""
    shown = annual_rate(runs) if line.mode == "flow" else runs.sort_index()
    low, median, high = (shown.quantile(q, axis=1) for q in (BAND[0], 0.5, BAND[1]))
    axes.fill_between(shown.index, low.to_numpy(), high.to_numpy(), color=colour, alpha=0.2, lw=0)
    axes.plot(shown.index, median.to_numpy(), color=colour, linestyle=style, linewidth=1.6)


def _record_handle() -> Artist:
    return Line2D([], [], color="black", marker="o", markersize=4, linewidth=2.2, label="record")


def draw(
    spec: FigureSpec,
    courses: Sequence[Course],
    record: pd.DataFrame,
    events: pd.DataFrame,
    units: dict[str, str],
    ensembles: Ensembles | None = None,
) -> Drawn:
    """One figure for the courses, with what its caption needs to say; the courses of
    ``ensembles`` are drawn as their median and 5-95 % band."""
    colours = {course.name: COLOURS[i % len(COLOURS)] for i, course in enumerate(courses)}
    columns = spec.columns
    rows = -(-len(spec.panels) // columns)
    width = 5.0 * columns if columns > 1 else 8.0
    figure = Figure(figsize=(width, 3.4 * rows + 0.6), layout="constrained")
    figure.suptitle(spec.title, fontsize=12)
    axes_grid = figure.subplots(rows, columns, squeeze=False)
    drawn = Drawn(spec, figure)
    handles: list[Artist] = [
        Line2D([], [], color=colours[course.name], linewidth=1.6, label=course.name)
        for course in courses
    ]
    for index, axes in enumerate(axes_grid.flat):
        if index >= len(spec.panels):
            axes.set_visible(False)
            continue
        context = (record, events, units)
        handles.extend(
            _draw_panel(axes, spec.panels[index], courses, colours, context, drawn, ensembles or {})
        )
    unique: dict[str, Artist] = {}
    for handle in handles:
        unique.setdefault(str(handle.get_label()), handle)
    entries = list(unique.values())
    figure.legend(
        handles=entries,
        loc="outside lower center",
        ncols=min(len(entries), 4),
        fontsize=8,
        frameon=False,
    )
    drawn.record_sources = list(dict.fromkeys(drawn.record_sources))
    drawn.target_sources = list(dict.fromkeys(drawn.target_sources))
    return drawn
