"""Inline SVG charts drawn on the server: no script and no build step in the browser."""

from __future__ import annotations

from collections.abc import Sequence
from html import escape

__all__ = ["bars", "frontier", "lines"]

WIDTH = 640
PALETTE = ("#222222", "#1f5fa8", "#b2332e", "#2e7d32", "#8e44ad", "#d35400", "#16a085")
"""Line colours: the first (dark) for the base plan, then one per variant, repeating."""
FONT = 'font-family="sans-serif" font-size="12"'


def bars(rows: Sequence[tuple[str, float]], title: str, unit: str = "%") -> str:
    """Horizontal bars of signed values (e.g. each branch's change), labelled.

    >>> "<svg" in bars([("coal", -2.0), ("oil", 1.0)], "change")
    True
    """
    height = 30 + 22 * max(len(rows), 1)
    largest = max((abs(v) for _, v in rows), default=1.0) or 1.0
    left, right = 170, WIDTH - 70
    zero = left + (right - left) / 2 if any(v > 0 for _, v in rows) else right
    scale = (zero - left) / largest
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" role="img" width="{WIDTH}" '
        f'height="{height}" viewBox="0 0 {WIDTH} {height}" aria-label="{escape(title)}">',
        f'<text x="4" y="16" {FONT} font-weight="bold">{escape(title)}</text>',
        f'<line x1="{zero:.1f}" y1="22" x2="{zero:.1f}" y2="{height - 4}" stroke="#555"/>',
    ]
    for i, (label, value) in enumerate(rows):
        y = 28 + 22 * i
        size = abs(value) * scale
        x = zero - size if value < 0 else zero
        colour = "#b2332e" if value < 0 else "#2e7d32"
        parts.append(
            f'<text x="{left - 6}" y="{y + 13}" {FONT} text-anchor="end">{escape(label)}</text>'
            f'<rect x="{x:.1f}" y="{y}" width="{max(size, 0.5):.1f}" height="16" fill="{colour}"/>'
            f'<text x="{(x + size + 4) if value >= 0 else (x - 4):.1f}" y="{y + 13}" {FONT} '
            f'text-anchor="{"start" if value >= 0 else "end"}">{value:+.2f}{escape(unit)}</text>'
        )
    parts.append("</svg>")
    return "".join(parts)


def frontier(
    points: Sequence[tuple[float, float]],
    a: str,
    b: str,
    marks: Sequence[tuple[str, float, float]] = (),
) -> str:
    """The trade-off between two branches' outputs, with labelled points marked on it.

    >>> "polyline" in frontier([(1.0, 3.0), (2.0, 2.0), (3.0, 1.0)], "coal", "oil")
    True
    """
    size, pad = 360, 56
    xs = [p[0] for p in points] + [m[1] for m in marks]
    ys = [p[1] for p in points] + [m[2] for m in marks]
    if not xs:
        return ""
    x_max, y_max = max(xs) * 1.08 or 1.0, max(ys) * 1.08 or 1.0

    def at(x: float, y: float) -> tuple[float, float]:
        return pad + x / x_max * (size - pad - 10), size - pad - y / y_max * (size - pad - 10)

    path = " ".join(f"{px:.1f},{py:.1f}" for px, py in (at(x, y) for x, y in points))
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" role="img" width="{size}" height="{size}" '
        f'viewBox="0 0 {size} {size}" aria-label="trade-off between {escape(a)} and {escape(b)}">',
        f'<line x1="{pad}" y1="{size - pad}" x2="{size - 10}" y2="{size - pad}" stroke="#555"/>',
        f'<line x1="{pad}" y1="10" x2="{pad}" y2="{size - pad}" stroke="#555"/>',
        f'<text x="{size / 2}" y="{size - 20}" {FONT} text-anchor="middle">'
        f"{escape(a)} (last year, max {x_max / 1.08:.4g})</text>",
        f'<text x="14" y="{size / 2}" {FONT} text-anchor="middle" '
        f'transform="rotate(-90 14 {size / 2})">{escape(b)} (max {y_max / 1.08:.4g})</text>',
        f'<polyline points="{path}" fill="none" stroke="#1f5fa8" stroke-width="2"/>',
    ]
    for label, x, y in marks:
        px, py = at(x, y)
        parts.append(
            f'<circle cx="{px:.1f}" cy="{py:.1f}" r="4" fill="#b2332e"/>'
            f'<text x="{px + 6:.1f}" y="{py - 6:.1f}" {FONT}>{escape(label)}</text>'
        )
    parts.append("</svg>")
    return "".join(parts)


def lines(
    series: Sequence[tuple[str, Sequence[float]]],
    xs: Sequence[int],
    title: str,
    unit: str,
) -> str:
    """Paths over the plan years, one labelled line each, the y axis in ``unit``.

    >>> svg = lines([("base plan", [1.0, 2.0]), ("variant", [1.0, 3.0])], [1, 2], "t", "u")
    >>> svg.count("<polyline")
    2
    """
    height, left, right, top, bottom = 300, 70, WIDTH - 170, 28, 250
    values = [v for _, ys in series for v in ys]
    if not values or not xs:
        return ""
    low, high = min(0.0, min(values)), max(values) * 1.05 or 1.0
    span = max(len(xs) - 1, 1)

    def at(k: int, v: float) -> tuple[float, float]:
        return left + (right - left) * k / span, bottom - (bottom - top) * (v - low) / (high - low)

    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" role="img" width="{WIDTH}" '
        f'height="{height}" viewBox="0 0 {WIDTH} {height}" aria-label="{escape(title)}">',
        f'<text x="4" y="16" {FONT} font-weight="bold">{escape(title)}</text>',
        f'<line x1="{left}" y1="{bottom}" x2="{right}" y2="{bottom}" stroke="#555"/>',
        f'<line x1="{left}" y1="{top}" x2="{left}" y2="{bottom}" stroke="#555"/>',
        f'<text x="{left - 4}" y="{top + 4}" {FONT} text-anchor="end">{high / 1.05:.4g}</text>',
        f'<text x="{left - 4}" y="{bottom}" {FONT} text-anchor="end">{low:.4g}</text>',
        f'<text x="{(left + right) / 2}" y="{bottom + 36}" {FONT} text-anchor="middle">'
        f"plan year; {escape(unit)}</text>",
    ]
    for k, x in enumerate(xs):
        px, _ = at(k, low)
        parts.append(f'<text x="{px:.1f}" y="{bottom + 16}" {FONT} text-anchor="middle">{x}</text>')
    for i, (label, ys) in enumerate(series):
        colour = PALETTE[i % len(PALETTE)]
        points = " ".join(f"{px:.1f},{py:.1f}" for px, py in (at(k, v) for k, v in enumerate(ys)))
        end_x, end_y = at(len(ys) - 1, ys[-1])
        parts.append(
            f'<polyline points="{points}" fill="none" stroke="{colour}" stroke-width="2"/>'
            f'<text x="{end_x + 6:.1f}" y="{end_y + 4 + 12 * (i % 2):.1f}" {FONT} '
            f'fill="{colour}">{escape(label)}</text>'
        )
    parts.append("</svg>")
    return "".join(parts)
