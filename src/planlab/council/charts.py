"""Inline SVG charts drawn on the server: no script and no build step in the browser."""

from __future__ import annotations

from collections.abc import Sequence
from html import escape

__all__ = ["bars", "frontier"]

WIDTH = 640
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
