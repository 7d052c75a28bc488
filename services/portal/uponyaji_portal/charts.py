"""Server-drawn SVG charts, labelled in the user's language (no script, no inline style).

Every chart comes with the same numbers as a table in the page, for screen readers and print.
Suppressed counts ("<5") are drawn as a short hatched bar labelled "<5", never as a number.
"""

from __future__ import annotations

import itertools
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from markupsafe import Markup, escape

from .i18n import day, gettext, month
from .vocab import label

_ids = itertools.count(1)


def _BAR_TITLE() -> str:  # noqa: N802 - a message, named like one
    return gettext("Bar chart; the same numbers are in the table below")


WIDTH, ROW, LABEL_W = 640, 26, 240
LINE_W, LINE_H, PAD = 560, 180, 36


@dataclass(frozen=True)
class Bar:
    """One row of a bar chart: its label, the value shown, and the number drawn."""

    label: str
    shown: str
    number: float
    suppressed: bool


def rows(counts: Mapping[str, Any], vocabulary: str | None) -> list[Bar]:
    """A breakdown's rows with labels in the current language."""
    out = []
    for code, value in counts.items():
        if vocabulary == "month":
            name = month(str(code))
        else:
            name = label(vocabulary, code) if vocabulary else _service_label(str(code))
        if isinstance(value, int | float):
            out.append(Bar(name, str(value), float(value), False))
        else:
            out.append(Bar(name, str(value), 2.5, True))
    return out


def _service_label(code: str) -> str:
    if code == "counselling":
        return gettext("Counselling session attended")
    if code.startswith("referral_"):
        return gettext("Referral: %(target)s") % {"target": label("referral_target", code[9:])}
    return code


def bars(counts: Mapping[str, Any], vocabulary: str | None) -> dict[str, Any]:
    """A horizontal bar chart (SVG markup) and its rows."""
    data = rows(counts, vocabulary)
    top = max((bar.number for bar in data), default=1.0) or 1.0
    height = max(ROW * len(data), ROW)
    chart_id = f"chart-{next(_ids)}"
    parts = [
        f'<svg class="chart" viewBox="0 0 {WIDTH} {height}" role="img" '
        f'aria-labelledby="{chart_id}" xmlns="http://www.w3.org/2000/svg">',
        f'<title id="{chart_id}">{escape(_BAR_TITLE())}</title>',
        '<defs><pattern id="hatch" width="6" height="6" patternUnits="userSpaceOnUse" '
        'patternTransform="rotate(45)"><line x1="0" y1="0" x2="0" y2="6" stroke="#5a5a5a" '
        'stroke-width="2"/></pattern></defs>',
    ]
    for i, bar in enumerate(data):
        y = i * ROW
        length = (WIDTH - LABEL_W - 60) * bar.number / top
        fill = "url(#hatch)" if bar.suppressed else "#1f5f8b"
        parts.append(
            f'<text x="{LABEL_W - 8}" y="{y + 17}" text-anchor="end" font-size="13" '
            f'fill="#1a1a1a">{escape(bar.label)}</text>'
            f'<rect x="{LABEL_W}" y="{y + 4}" width="{max(length, 2):.1f}" height="{ROW - 8}" '
            f'fill="{fill}"/>'
            f'<text x="{LABEL_W + max(length, 2) + 6:.1f}" y="{y + 17}" font-size="13" '
            f'fill="#1a1a1a">{escape(bar.shown)}</text>'
        )
    parts.append("</svg>")
    return {"svg": Markup("".join(parts)), "rows": data}  # noqa: S704 - every text escaped above


def trajectories(series: Mapping[str, list[dict[str, Any]]]) -> list[dict[str, Any]]:
    """One line chart per instrument: score against time (or days since intake), points marked."""
    charts = []
    for instrument, points in series.items():
        if not points:
            continue
        scores = [float(p["score"]) for p in points]
        xs = [
            float(p["day"]) if p.get("day") is not None else float(i) for i, p in enumerate(points)
        ]
        low, high = min(0.0, *scores), max(scores) or 1.0
        span_x = (max(xs) - min(xs)) or 1.0
        w, h, pad = LINE_W, LINE_H, PAD
        first = min(xs)

        def x(value: float, first: float = first, span_x: float = span_x) -> float:
            return PAD + (LINE_W - 2 * PAD) * (value - first) / span_x

        def y(value: float, low: float = low, high: float = high) -> float:
            return LINE_H - PAD + (2 * PAD - LINE_H) * (value - low) / ((high - low) or 1.0)

        chart_id = f"chart-{next(_ids)}"
        title = gettext("%(instrument)s scores over time; the same numbers are in the table below")
        parts = [
            f'<svg class="chart" viewBox="0 0 {w} {h}" role="img" aria-labelledby="{chart_id}" '
            'xmlns="http://www.w3.org/2000/svg">',
            f'<title id="{chart_id}">{escape(title % {"instrument": instrument})}</title>',
            f'<line x1="{pad}" y1="{h - pad}" x2="{w - pad}" y2="{h - pad}" stroke="#5a5a5a"/>',
            f'<line x1="{pad}" y1="{pad}" x2="{pad}" y2="{h - pad}" stroke="#5a5a5a"/>',
            f'<text x="4" y="{pad + 4}" font-size="12" fill="#1a1a1a">{high:g}</text>',
            f'<text x="4" y="{h - pad}" font-size="12" fill="#1a1a1a">{low:g}</text>',
            '<polyline fill="none" stroke="#1f5f8b" stroke-width="2" points="'
            + " ".join(f"{x(a):.1f},{y(b):.1f}" for a, b in zip(xs, scores, strict=True))
            + '"/>',
        ]
        for point, a, b in zip(points, xs, scores, strict=True):
            reliable = point.get("change_from_previous") in (
                "reliable_improvement",
                "reliable_recovery",
                "reliable_deterioration",
            )
            parts.append(
                f'<circle cx="{x(a):.1f}" cy="{y(b):.1f}" r="{6 if reliable else 4}" '
                f'fill="{"#b3261e" if reliable else "#1f5f8b"}"/>'
                f'<text x="{x(a):.1f}" y="{y(b) - 10:.1f}" font-size="12" text-anchor="middle" '
                f'fill="#1a1a1a">{b:g}</text>'
            )
        parts.append("</svg>")
        table = [
            {
                "when": day(p["at"]) if p.get("at") else gettext("day %(n)s") % {"n": p.get("day")},
                "score": p["score"],
                "band": label("band", p.get("band")),
                "change": label("classification", p.get("change_from_previous"))
                if p.get("change_from_previous")
                else "",
            }
            for p in points
        ]
        svg = Markup("".join(parts))  # noqa: S704 - every text escaped above
        charts.append({"instrument": instrument, "svg": svg, "rows": table})
    return charts
