"""Report assembly and completeness, and the PDFs: they parse and carry every section."""

from __future__ import annotations

import io
from typing import Any

from pypdf import PdfReader
from uponyaji_medical import domain, render
from uponyaji_medical.domain.report import TRUTHFULNESS


def complete(**changes: Any) -> domain.ReportInput:
    """A complete report input (synthetic)."""
    finding = {
        "finding_id": "f1",
        "region": "foot_sole_left",
        "lesion": "contusion",
        "length_mm": 40,
        "width_mm": 20,
        "shape": "linear",
        "colour": "blue_purple",
        "estimated_age": "days_4_10",
        "description": "Synthetic tramline bruise (FAKE)",
        "grade": "typical",
        "position": {"view": "back", "x": 420, "y": 970},
    }
    fields: dict[str, Any] = {
        "report_id": "r1",
        "survivor_id": "s1",
        "case_number": "UPJ-2026-000001",
        "encounter": {
            "kind": "medico_legal_examination",
            "occurred_at": "2026-03-04T07:00:00Z",
            "county_code": "047",
            "facility": "Synthetic Clinic (FAKE)",
            "clinician_ids": ["c1"],
            "present": [],
        },
        "history": {
            "allegation": "Synthetic allegation (FAKE)",
            "symptoms_acute": "pain",
            "symptoms_current": "pain on walking",
            "methods": ["falanga"],
        },
        "findings": [finding],
        "psychological": {"summary": "Synthetic summary (FAKE)", "grade": "consistent"},
        "photographs": [],
        "tests": [],
        "diagnoses": [{"code": "6B40"}],
        "overall": {
            "level": "highly_consistent",
            "interpretation": "Synthetic (FAKE)",
            "recommendations": "Physiotherapy (FAKE)",
        },
        "signer": {
            "staff_id": "c1",
            "qualifications": "MBChB (FAKE)",
            "county_code": "047",
            "signed_at": "2026-03-05T09:00:00+00:00",
        },
        "truthful": True,
    }
    fields.update(changes)
    return domain.ReportInput(**fields)


def test_a_complete_report_lacks_nothing_and_an_empty_one_names_each_missing_section() -> None:
    assert domain.missing(complete()) == []
    empty = complete(
        history=None,
        findings=[],
        psychological=None,
        overall=None,
        signer=None,
        truthful=False,
        case_number=None,
    )
    assert domain.missing(empty) == [
        "case_information",
        "examiners",
        "allegations",
        "symptoms",
        "physical_examination",
        "psychological_examination",
        "photographs_and_diagrams",
        "interpretation",
        "overall_evaluation",
        "recommendations",
        "statement_of_truthfulness",
        "signature",
    ]


def test_an_ungraded_finding_blocks_the_interpretation() -> None:
    data = complete()
    ungraded = [{**data.findings[0], "grade": None}]
    assert domain.missing(complete(findings=ungraded)) == ["interpretation"]


def test_the_canonical_form_is_stable_and_changes_with_any_content() -> None:
    a = domain.canonical(domain.assemble(complete()))
    assert a == domain.canonical(domain.assemble(complete()))
    changed = complete(
        overall={"level": "consistent", "interpretation": "x", "recommendations": "y"}
    )
    assert domain.sha256(a) != domain.sha256(domain.canonical(domain.assemble(changed)))


def _text(pdf: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages)


BLOCK = {
    "report_id": "r1",
    "signer_id": "c1",
    "signed_at": "2026-03-05T09:00:00+00:00",
    "content_sha256": "ab" * 32,
    "key_id": "k1",
    "signature": "S" * 86,
    "verification": "GET /reports/r1/verification",
}


def test_the_report_pdf_parses_carries_every_section_and_renders_the_same_bytes_twice() -> None:
    content = domain.assemble(complete())
    pdf = render.render_report(content, BLOCK)
    text = _text(pdf)
    for _, heading in domain.SECTIONS:
        assert heading.split(",")[0] in text, heading
    assert "ab" * 32 in text
    assert "GET /reports/r1/verification" in text
    assert "highly consistent with" in text
    assert TRUTHFULNESS[:40] in text
    assert render.render_report(content, BLOCK) == pdf  # deterministic: the hash can be recorded


def test_p3_and_moh363_show_what_the_record_lacks_as_blank() -> None:
    data = {
        "case_number": "UPJ-2026-000001",
        "examiner_id": "c1",
        "encounter": {
            "occurred_at": "2026-03-04T07:00:00Z",
            "facility": "Synthetic Clinic",
            "county_code": "047",
            "present": [],
        },
        "history": {"allegation": "Synthetic allegation (FAKE)", "methods": ["beating"]},
        "findings": [
            {
                "region": "foot_sole_left",
                "lesion": "contusion",
                "length_mm": 40,
                "width_mm": 20,
                "colour": "blue_purple",
                "shape": "linear",
                "estimated_age": "days_4_10",
            }
        ],
        "treatments": [],
        "referrals": [],
        "samples": [],
        "psychological": None,
    }
    pdf, blanks = render.render_form("P3", [("", render.p3(data))], "p3 test")
    text = _text(pdf)
    assert "OB number" in text
    assert "Lower limbs" in text
    assert "foot sole left" in text
    assert "Head and neck" in text
    assert blanks >= 10
    part_a, part_b = render.moh363(data)
    pdf, blanks_363 = render.render_form(
        "MOH 363", [("Part A", part_a), ("Part B", part_b)], "moh363 test"
    )
    text = _text(pdf)
    assert "Part A" in text
    assert "Part B" in text
    assert "Mental state examination" in text
    assert "Synthetic allegation (FAKE)" in text
    assert blanks_363 > blanks
