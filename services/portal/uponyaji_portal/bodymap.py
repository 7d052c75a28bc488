"""The body diagram drawn on the server: four views (front, back, left, right) as SVG, with the
findings' marks numbered; positions are thousandths of the view's width and height from its
top-left, as medical records them. No script is needed to see it; static/bodymap.js only lets a
click fill the form's view and coordinates."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from markupsafe import Markup, escape

from .i18n import gettext
from .vocab import label

W, H = 100, 220  # a view's drawing size; x = thousandths × W / 1000, y = thousandths × H / 1000

# A plain outline per view (head, trunk, arms, legs), drawn with presentation attributes only.
_FRONT_BACK = (
    '<circle cx="50" cy="18" r="13"/>'
    '<rect x="44" y="30" width="12" height="8"/>'
    '<path d="M30 38 H70 L68 110 H32 Z"/>'
    '<path d="M30 40 L16 100 L22 102 L34 56 Z"/><path d="M70 40 L84 100 L78 102 L66 56 Z"/>'
    '<path d="M16 100 L12 118 L22 118 L22 102 Z"/><path d="M84 100 L88 118 L78 118 L78 102 Z"/>'
    '<path d="M32 110 H49 L46 200 H36 Z"/><path d="M51 110 H68 L64 200 H54 Z"/>'
    '<path d="M36 200 L30 212 H46 V200 Z"/><path d="M54 200 V212 H70 L64 200 Z"/>'
)
_SIDE = (
    '<circle cx="50" cy="18" r="13"/>'
    '<rect x="45" y="30" width="10" height="8"/>'
    '<path d="M38 38 H62 L60 110 H40 Z"/>'
    '<path d="M44 40 L40 104 L48 104 L54 44 Z"/>'
    '<path d="M40 110 H60 L56 200 H44 Z"/>'
    '<path d="M44 200 L44 212 H66 L56 200 Z"/>'
)
VIEWS = ("front", "back", "left", "right")


def _title(view: str) -> str:
    return gettext("Body diagram, %(view)s") % {"view": label("diagram_view", view)}


def diagram(marks: Iterable[Mapping[str, Any]], *, clickable: bool = False) -> Markup:
    """The four views side by side with numbered marks (`view`, `x`, `y`, `n` of each mark)."""
    by_view: dict[str, list[Mapping[str, Any]]] = {v: [] for v in VIEWS}
    for mark in marks:
        if mark.get("view") in by_view:
            by_view[str(mark["view"])].append(mark)
    parts = ['<div class="bodymap">']
    for view in VIEWS:
        title = escape(_title(view))
        extra = (
            f' data-view="{view}" class="bodyview clickable"' if clickable else ' class="bodyview"'
        )
        parts.append(
            f'<figure><svg viewBox="0 0 {W} {H}" role="img" aria-label="{title}"{extra}>'
            f'<g fill="#f3ece4" stroke="#4a4a4a" stroke-width="1">'
            f"{_FRONT_BACK if view in ('front', 'back') else _SIDE}</g>"
        )
        for mark in by_view[view]:
            x = int(mark.get("x", 0)) * W / 1000
            y = int(mark.get("y", 0)) * H / 1000
            n = escape(str(mark.get("n", "")))
            parts.append(
                f'<g class="mark"><circle cx="{x:.1f}" cy="{y:.1f}" r="4.5" fill="#b3261e"/>'
                f'<text x="{x:.1f}" y="{y + 2:.1f}" font-size="6" text-anchor="middle" '
                f'fill="#fff">{n}</text></g>'
            )
        parts.append(
            f"</svg><figcaption>{escape(label('diagram_view', view))}</figcaption></figure>"
        )
    parts.append("</div>")
    return Markup("".join(parts))  # noqa: S704 - every text escaped above
