"""Server-side SVG charts (no JavaScript): score trajectories and dashboard bars, print-friendly.

Every chart has a title, axis labels and the numbers written on it. Dashboard bars show the
published counts (rounded, disclosure.py), the very figures of the JSON, CSV and XLSX, and say so.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from xml.sax.saxutils import escape

from .instruments import Change

WIDTH, PANEL, LEFT, RIGHT, TOP, BOTTOM = 720, 260, 70, 30, 50, 50
MARKS = {
    Change.RELIABLE_RECOVERY: ("#1b7837", "recovery"),
    Change.RELIABLE_IMPROVEMENT: ("#5aae61", "improvement"),
    Change.RELIABLE_DETERIORATION: ("#b2182b", "deterioration"),
}
FONT = 'font-family="sans-serif"'


def _text(
    x: float, y: float, text: str, size: int = 12, anchor: str = "middle", **extra: str
) -> str:
    attrs = "".join(f' {k.replace("_", "-")}="{v}"' for k, v in extra.items())
    return (
        f'<text x="{x:.1f}" y="{y:.1f}" font-size="{size}" text-anchor="{anchor}" {FONT}{attrs}>'
        f"{escape(text)}</text>"
    )


def _svg(height: int, title: str, body: list[str]) -> str:
    head = (
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{WIDTH}" height="{height}" '
        f'viewBox="0 0 {WIDTH} {height}" role="img"><title>{escape(title)}</title>'
        f'<rect width="{WIDTH}" height="{height}" fill="white"/>'
    )
    return head + "".join(body) + "</svg>"


def _axes(top: float, height: float, x_label: str, y_label: str) -> list[str]:
    bottom = top + height
    return [
        f'<line x1="{LEFT}" y1="{top}" x2="{LEFT}" y2="{bottom}" stroke="black"/>',
        f'<line x1="{LEFT}" y1="{bottom}" x2="{WIDTH - RIGHT}" y2="{bottom}" stroke="black"/>',
        _text((LEFT + WIDTH - RIGHT) / 2, bottom + 36, x_label),
        _text(18, top + height / 2, y_label, transform=f"rotate(-90 18 {top + height / 2:.1f})"),
    ]


Point = tuple[int, float, Change | None]  # (day since intake, score, change from the first)


def trajectories(title: str, series: Mapping[str, Sequence[Point]]) -> str:
    """One panel per instrument: score by day since intake, reliable changes marked."""
    body = [_text(WIDTH / 2, 24, title, 16, font_weight="bold")]
    if not series:
        body.append(_text(WIDTH / 2, 80, "No assessments recorded"))
        return _svg(120, title, body)
    for index, (name, points) in enumerate(series.items()):
        top = TOP + index * PANEL
        inner = PANEL - TOP - 20
        body += _axes(top, inner, "Days since intake", f"{name} score")
        body.append(_text(LEFT + 4, top - 6, name, 13, anchor="start", font_weight="bold"))
        days = [p[0] for p in points] or [0]
        scores = [p[1] for p in points] or [0.0]
        span_x = max(max(days) - min(days), 1)
        high = max(max(scores), 1.0) * 1.1
        plot = WIDTH - LEFT - RIGHT - 20

        lo = min(days)
        coords = [
            (LEFT + 10 + plot * (d - lo) / span_x, top + inner - inner * s / high)
            for d, s, _ in points
        ]
        path = " ".join(f"{x:.1f},{y:.1f}" for x, y in coords)
        body.append(f'<polyline points="{path}" fill="none" stroke="#2166ac" stroke-width="2"/>')
        for (x, y), (day, score, change) in zip(coords, points, strict=True):
            colour, label = MARKS.get(change, ("#2166ac", "")) if change else ("#2166ac", "")
            body.append(f'<circle cx="{x:.1f}" cy="{y:.1f}" r="5" fill="{colour}"/>')
            body.append(_text(x, y - 10, f"{score:g}", 11))
            body.append(_text(x, top + inner + 16, str(day), 10))
            if label:
                body.append(_text(x, y + 20, label, 10, fill=colour))
    return _svg(TOP + len(series) * PANEL, title, body)


def bars(title: str, counts: Mapping[str, int], x_label: str, y_label: str, note: str = "") -> str:
    """A bar per category with its published count written on it; `note` under the title."""
    height = 360
    inner = height - TOP - BOTTOM - 30
    body = [_text(WIDTH / 2, 24, title, 16, font_weight="bold")]
    if note:
        body.append(_text(WIDTH / 2, 40, note, 11))
    body += _axes(TOP, inner, x_label, y_label)
    if not counts:
        body.append(_text(WIDTH / 2, TOP + inner / 2, "No survivors in this selection"))
        return _svg(height, title, body)
    high = max(max(counts.values()), 5) * 1.1
    slot = (WIDTH - LEFT - RIGHT) / len(counts)
    for index, (name, value) in enumerate(counts.items()):
        x = LEFT + index * slot + slot * 0.15
        h = inner * value / high
        y = TOP + inner - h
        body.append(
            f'<rect x="{x:.1f}" y="{y:.1f}" width="{slot * 0.7:.1f}" height="{h:.1f}" '
            'fill="#4393c3"/>'
        )
        body.append(_text(x + slot * 0.35, y - 6, str(value), 11))
        body.append(_text(x + slot * 0.35, TOP + inner + 16, name, 10))
    return _svg(height, title, body)
