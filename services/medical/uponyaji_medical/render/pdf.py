"""The medico-legal report and addendum PDFs, from the signed content and the signature block."""

from __future__ import annotations

from typing import Any

from reportlab.platypus import Flowable, Spacer, Table

from ..domain.icd11 import title as icd_title
from ..domain.report import LEVELS, SECTIONS
from .common import BODY, H1, H2, SMALL, body_diagram, build, para, text


def _rows(pairs: list[tuple[str, Any]]) -> Table:
    return Table(
        [[para(f"<b>{label}</b>", SMALL), para(text(value), SMALL)] for label, value in pairs],
        colWidths=[150, 330],
    )


def _level(value: Any) -> str:
    return LEVELS.get(str(value), text(value)) if value else text(None)


def _section(key: str, data: Any) -> list[Flowable]:
    if key == "physical_examination":
        if not data:
            return [para(text(None))]
        return [
            _rows(
                [
                    (
                        f"{n}. {f['region'].replace('_', ' ')}",
                        f"{f['lesion']}, "
                        f"{f.get('length_mm') or '?'} x {f.get('width_mm') or '?'} mm, "
                        f"{f['shape']}, "
                        f"{f['colour']}, age {f['estimated_age']}",
                    ),
                    ("description", f.get("description")),
                ]
            )
            for n, f in enumerate(data, start=1)
        ]
    if key == "photographs_and_diagrams":
        photos = [
            (
                f"photograph {p['evidence_id']}",
                f"SHA-256 {p.get('sha256')}, captured "
                f"{p.get('captured_at') or 'time not in metadata'}, identifying: "
                f"{text(p.get('identifying'))}, scale: {text(p.get('scale_present'))}",
            )
            for p in data.get("photographs", [])
        ]
        return [
            body_diagram(data.get("diagram_marks", [])),
            _rows(photos or [("photographs", None)]),
        ]
    if key == "interpretation":
        rows = [(f"finding {f['finding_id']}", _level(f["level"])) for f in data["findings"]]
        rows += [
            ("psychological findings", _level(data.get("psychological"))),
            ("interpretation", data.get("text")),
        ]
        return [_rows(rows)]
    if key == "overall_evaluation":
        return [
            para(f"The findings as a whole are <b>{_level(data.get('level'))}</b> the allegation.")
        ]
    if key == "tests_and_consultations":
        rows = [(str(item.get("kind")), item.get("summary")) for item in data.get("items", [])]
        rows += [
            (f"diagnosis {d['code']}", icd_title(d["code"]) or d["code"])
            for d in data.get("diagnoses", [])
        ]
        return [_rows(rows or [("tests and consultations", "none performed")])]
    if isinstance(data, dict):
        return [_rows([(k.replace("_", " "), v) for k, v in data.items()])]
    return [para(text(data))]


def _signature_rows(block: dict[str, Any]) -> Table:
    return _rows(
        [
            ("signed by (staff id)", block["signer_id"]),
            ("signed at (UTC)", block["signed_at"]),
            ("content SHA-256", block["content_sha256"]),
            ("Ed25519 key id", block["key_id"]),
            ("signature (base64url)", block["signature"]),
            ("verification reference", block["verification"]),
        ]
    )


def render_report(content: dict[str, Any], block: dict[str, Any]) -> bytes:
    """The signed report's PDF: every section in order, then the signature block."""
    sections = content["sections"]
    story: list[Flowable] = [para("Medico-legal report (Istanbul Protocol)", H1)]
    for key, heading in SECTIONS:
        story += [para(heading, H2), *_section(key, sections.get(key)), Spacer(1, 4)]
    story += [para("Electronic signature", H2), _signature_rows(block)]
    story.append(
        para(
            "To verify: compute the SHA-256 of this PDF file and ask the issuing service's "
            "verification endpoint for this report; it answers whether the file is the signed one.",
            BODY,
        )
    )
    footer = f"report {block['report_id']} | content SHA-256 {block['content_sha256']}"
    return build(story, title="Medico-legal report", footer=footer)


def render_addendum(content: dict[str, Any], block: dict[str, Any]) -> bytes:
    """A signed addendum's PDF: the report it amends, the text, the signature block."""
    amends = [
        ("report", content.get("report_id")),
        ("report content SHA-256", content.get("report_content_sha256")),
    ]
    story: list[Flowable] = [
        para("Addendum to a signed medico-legal report", H1),
        _rows(amends),
        para("Addendum", H2),
        para(text(content.get("text"))),
        para("Electronic signature", H2),
        _signature_rows(block),
    ]
    footer = f"addendum {block['report_id']} | content SHA-256 {block['content_sha256']}"
    return build(story, title="Addendum", footer=footer)
