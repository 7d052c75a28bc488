"""Shared ReportLab pieces: styles, a deterministic document, escaping, the body diagram."""

from __future__ import annotations

import io
from collections.abc import Sequence
from typing import Any
from xml.sax.saxutils import escape

from reportlab.graphics.shapes import Circle, Drawing, Ellipse, Rect, String
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle, getSampleStyleSheet
from reportlab.lib.units import mm
from reportlab.platypus import Flowable, Paragraph, SimpleDocTemplate

_SHEET = getSampleStyleSheet()
BODY = ParagraphStyle("body", parent=_SHEET["BodyText"])
H1 = ParagraphStyle("h1", parent=_SHEET["Title"])
H2 = ParagraphStyle("h2", parent=_SHEET["Heading2"])
SMALL = ParagraphStyle("small", parent=BODY, fontSize=8, leading=10)
BLANK = "_______________"


def text(value: Any) -> str:
    """A value as escaped paragraph text; absent values are a blank line, never invented."""
    if value is None or value == "" or value == []:
        return BLANK
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, list | tuple):
        return escape(", ".join(str(v) for v in value))
    return escape(str(value))


def para(value: str, style: ParagraphStyle = BODY) -> Paragraph:
    """A paragraph of already-escaped text."""
    return Paragraph(value, style)


def build(story: Sequence[Flowable], *, title: str, footer: str) -> bytes:
    """The PDF bytes of a story, deterministic (invariant), with a footer on every page."""
    buffer = io.BytesIO()
    doc = SimpleDocTemplate(
        buffer,
        pagesize=A4,
        title=title,
        author="Uponyaji medical",
        invariant=1,
        leftMargin=18 * mm,
        rightMargin=18 * mm,
        topMargin=18 * mm,
        bottomMargin=20 * mm,
    )

    def on_page(canvas: Any, document: Any) -> None:
        canvas.saveState()
        canvas.setFont("Helvetica", 7)
        canvas.drawString(18 * mm, 10 * mm, footer[:160])
        canvas.drawRightString(A4[0] - 18 * mm, 10 * mm, f"page {document.page}")
        canvas.restoreState()

    doc.build(list(story), onFirstPage=on_page, onLaterPages=on_page)
    return buffer.getvalue()


def _outlined(shape: Any, colour: Any = colors.black) -> Any:
    shape.fillColor = None
    shape.strokeColor = colour
    return shape


def body_diagram(marks: Sequence[dict[str, Any]]) -> Drawing:
    """Four outline views (front, back, left, right) with numbered marks at their coordinates."""
    width, height, views = 110.0, 200.0, ("front", "back", "left", "right")
    drawing = Drawing(4 * width + 30, height + 20)
    for index, view in enumerate(views):
        left = index * (width + 10)
        drawing.add(_outlined(Rect(left, 10, width, height), colors.grey))
        drawing.add(String(left + 4, height, view, fontSize=8))
        cx = left + width / 2
        drawing.add(_outlined(Circle(cx, height - 25, 12)))
        drawing.add(_outlined(Ellipse(cx, height - 90, 22, 50)))
        for dx in (-10.0, 10.0):
            drawing.add(_outlined(Rect(cx + dx - 5, 20, 10, 60)))
        for number, mark in enumerate(marks, start=1):
            if mark.get("view") != view:
                continue
            x = left + width * int(mark["x"]) / 1000
            y = 10 + height * (1 - int(mark["y"]) / 1000)
            drawing.add(Circle(x, y, 3, fillColor=colors.red, strokeColor=colors.red))
            drawing.add(String(x + 4, y + 2, str(number), fontSize=7, fillColor=colors.red))
    return drawing
