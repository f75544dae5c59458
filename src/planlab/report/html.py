"""report.html for a folder of runs: figures with captions and the comparison with history.

Everything is written into a temporary folder first and moved into place at the end, so
that a failure leaves the folder as it was. Text from files (sources, course names) is
escaped, never read as markup.
"""

from __future__ import annotations

import math
import shutil
import tempfile
from collections.abc import Mapping, Sequence
from html import escape
from pathlib import Path

from planlab.report.budget import budget_html, budget_table
from planlab.report.ensemble import sweep_view
from planlab.report.figures import FIGURES, Drawn, Ensembles, draw, resolve_as_above
from planlab.scenarios import (
    Comparison,
    Course,
    EnsembleComparison,
    calibration,
    compare,
    events,
    read_courses,
)
from planlab.scenarios import variables as record_variables
from planlab.scenarios.sweep import Sweep

__all__ = ["render", "write_report"]

STYLE = """
body { font-family: Georgia, serif; max-width: 62rem; margin: 2rem auto; padding: 0 1rem;
       color: #222; line-height: 1.45; }
h1 { font-size: 1.7rem; } h2 { font-size: 1.3rem; margin-top: 2.2rem; }
figure { margin: 1rem 0; } img { max-width: 100%; border: 1px solid #ddd; }
figcaption { font-size: 0.88rem; color: #444; }
figcaption p { margin: 0.3rem 0; } figcaption ul { margin: 0.2rem 0 0.4rem; }
table { border-collapse: collapse; font-size: 0.9rem; margin: 0.8rem 0; }
th, td { border-bottom: 1px solid #ddd; padding: 0.25rem 0.6rem; text-align: right; }
th:first-child, td:first-child { text-align: left; }
.mechanism { font-style: italic; }
"""


def _cell(median: float | None, count: int) -> str:
    if median is None:
        return "—"
    return f"{median:.3f} <small>({count})</small>"


def comparison_table(
    comparisons: dict[str, Comparison], bands: Mapping[str, EnsembleComparison] | None = None
) -> str:
    """One row per variable, one column per course: median error (records scored); with
    ``bands``, a last row counting the records inside each course's 5-95 % band."""
    names = sorted({v for c in comparisons.values() for v in c.table["variable"]})
    head = "".join(f"<th>{escape(course)}</th>" for course in comparisons)
    body = []
    for name in names:
        cells = []
        for result in comparisons.values():
            count = int((result.table["variable"] == name).sum() - result.missing.get(name, 0))
            cells.append(f"<td>{_cell(result.per_variable.get(name), count)}</td>")
        body.append(f"<tr><td><code>{escape(name)}</code></td>{''.join(cells)}</tr>")
    overall = "".join(
        f"<td><b>{r.overall:.3f}</b></td>" if math.isfinite(r.overall) else "<td>—</td>"
        for r in comparisons.values()
    )
    coverage = "".join(
        f"<td>{r.coverage:.0%} ({r.covered} of {len(r.table)})</td>" for r in comparisons.values()
    )
    body.append(f"<tr><td><b>overall median</b></td>{overall}</tr>")
    body.append(f"<tr><td>coverage (records scored)</td>{coverage}</tr>")
    if bands:
        inside = "".join(
            f"<td>{bands[c].inside} of {bands[c].covered}</td>" if c in bands else "<td>—</td>"
            for c in comparisons
        )
        body.append(f"<tr><td>records inside the 5–95 % band</td>{inside}</tr>")
    return (
        f"<table><thead><tr><th>variable: median error (records)</th>{head}</tr></thead>"
        f"<tbody>{''.join(body)}</tbody></table>"
    )


def _list(items: Sequence[str]) -> str:
    return "<ul>" + "".join(f"<li>{escape(item)}</li>" for item in items) + "</ul>"


def caption(drawn: Drawn, courses: Sequence[Course]) -> str:
    """What the figure shows, where its record comes from, and which runs it draws."""
    parts = []
    if any(line.mode == "flow" for panel in drawn.spec.panels for line in panel.lines):
        parts.append(
            "Flows are annual rates: each point is the total of the twelve months ending on "
            "that date, so a run's first eleven months have no point."
        )
    if drawn.record_sources:
        parts.append(
            "The record (calibration.csv) is black: a stock as a point, with an error bar "
            "where sources disagree; a flow as a segment across its period at its annualised "
            "value, shaded between low and high. Sources of the record:"
            + _list(drawn.record_sources)
        )
    else:
        parts.append("No record in calibration.csv for these series.")
    if drawn.target_sources:
        parts.append(
            "Plan targets for 1932/33 (events.csv), marked at the end of that economic year "
            "(October 1932 to September 1933). Sources:" + _list(drawn.target_sources)
        )
    parts.extend(escape(note) for note in drawn.notes)
    parts.append("Model runs:" + _list([c.describe() for c in courses]))
    return "".join(f"<p>{part}</p>" if "<ul>" not in part else part for part in parts)


def render(
    folder_name: str,
    courses: Sequence[Course],
    comparisons: dict[str, Comparison],
    figures: Sequence[tuple[str, Drawn]],
    bands: Mapping[str, EnsembleComparison] | None = None,
) -> str:
    """The whole report page; ``figures`` pairs each image's relative path with its figure;
    ``bands`` scores the courses of a sweep."""
    names = ", ".join(escape(c.name) for c in courses)
    scenarios = {str(c.meta["scenario"]) for c in courses if c.meta.get("scenario")}
    heading = (
        f"{scenarios.pop()}, {len(courses)} course{'s' if len(courses) != 1 else ''}"
        if len(scenarios) == 1
        else folder_name
    )
    sections = []
    for path, drawn in figures:
        sections.append(
            f"<section><h2>{escape(drawn.spec.title)}</h2>"
            f"<p class='mechanism'>{escape(drawn.spec.mechanism)}</p>"
            f"<figure><img src='{escape(path)}' alt='{escape(drawn.spec.title)}'>"
            f"<figcaption>{caption(drawn, courses)}</figcaption></figure></section>"
        )
    return (
        "<!DOCTYPE html>\n<html lang='en'><head><meta charset='utf-8'>"
        f"<title>planlab report: {escape(heading)}</title><style>{STYLE}</style></head>"
        f"<body><h1>planlab report: {escape(heading)}</h1>"
        f"<p>Courses: {names}. Each course is one line in every figure, in the same colour "
        f"throughout.{ENSEMBLE_TEXT if bands else ''} The runs are set beside the "
        "historical record up to 1930 "
        "(calibration.csv); later months are the model's prediction.</p>"
        "<h2>The runs beside the record</h2>"
        "<p>For each record row the error is 0 inside its band (or at its value), else "
        "|log(run / nearest bound)|, capped at 3 (3 also when the run's value is not "
        "positive). A stock is compared on its date, a flow as the run's sum over the "
        "record's period. Each cell is the median over the variable's records the run "
        "covers; coverage is the share of records covered.</p>"
        f"{comparison_table(comparisons, bands)}"
        "<h2>The budget: how accumulation was financed</h2>"
        "<p>The state's payments (uses) and where the money came from (sources), summed "
        "over each calendar year of the run; procurement is valued at the state's own "
        "selling prices, so that the scissors (what a procurement price held below them "
        "leaves the state) is a source of its own, and emission is what the other "
        "sources leave uncovered.</p>"
        f"{budget_html([(c.name, budget_table(c.series)) for c in courses])}"
        f"{''.join(sections)}</body></html>\n"
    )


ENSEMBLE_TEXT = (
    " Each course is a sweep: its line is the median of its runs month by month (for a "
    "flow, of each run's annual rate), the shaded band holds 5 to 95 % of the runs, and "
    "the table scores, for each record row, the median of the runs' values there."
)


def write_report(folder: Path, sweep: Sweep | None = None) -> Path:
    """Write ``folder/report.html`` and ``folder/figures/*.png`` for the runs in the folder,
    or for the courses of ``sweep`` (each its median and 5-95 % band)."""
    ensembles: Ensembles | None = None
    bands: dict[str, EnsembleComparison] | None = None
    if sweep is None:
        courses = read_courses(folder)
        comparisons = {course.name: compare(course.series) for course in courses}
    else:
        view = sweep_view(sweep)
        courses, ensembles, bands = view.courses, view.ensembles, view.scores
        comparisons = {name: score.median for name, score in bands.items()}
    record = resolve_as_above(calibration())
    plan_events = resolve_as_above(events())
    units = dict(zip(record_variables()["name"], record_variables()["unit"], strict=True))
    work = Path(tempfile.mkdtemp(dir=folder, prefix=".report-"))
    try:
        (work / "figures").mkdir()
        figures = []
        for spec in FIGURES:
            drawn = draw(spec, courses, record, plan_events, units, ensembles)
            if sweep is not None:
                drawn.notes.append(
                    "Runs per course: "
                    + ", ".join(f"{c.name} {c.meta['runs']}" for c in courses)
                    + f" (sweep {sweep.folder.name})."
                )
            relative = f"figures/{spec.name}.png"
            drawn.figure.savefig(work / relative, dpi=110)
            figures.append((relative, drawn))
        html = render(folder.resolve().name, courses, comparisons, figures, bands)
        (work / "report.html").write_text(html, encoding="utf-8")
        _move_into(work, folder)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return folder / "report.html"


def _move_into(work: Path, folder: Path) -> None:
    """Replace the folder's figures and report with the finished ones."""
    old = folder / "figures"
    if old.exists():
        old.replace(work / "old-figures")
    (work / "figures").replace(old)
    (work / "report.html").replace(folder / "report.html")
