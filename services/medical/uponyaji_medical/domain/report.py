"""The medico-legal report assembled from the record: its sections, completeness and hash.

Pure: the handler unseals the record into a `ReportInput`; `assemble` turns it into the
report's content (plain JSON, sections in the Istanbul Protocol's order), `missing` names the
sections that would block signing, and `canonical` is the byte form the signature covers.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from typing import Any

# The sections the Istanbul Protocol asks a medico-legal report for, in order.
SECTIONS: tuple[tuple[str, str], ...] = (
    ("case_information", "Case information"),
    ("examiners", "Examiners and qualifications"),
    ("circumstances", "Circumstances of the examination"),
    ("allegations", "Allegations"),
    ("symptoms", "Symptoms"),
    ("physical_examination", "Physical examination, region by region"),
    ("psychological_examination", "Psychological history and examination"),
    ("photographs_and_diagrams", "Photographs and body diagrams"),
    ("tests_and_consultations", "Diagnostic tests and consultations"),
    ("interpretation", "Interpretation of findings and levels of consistency"),
    ("overall_evaluation", "Overall evaluation"),
    ("recommendations", "Recommendations"),
    ("statement_of_truthfulness", "Statement of truthfulness"),
    ("signature", "Signature, date and place"),
)
TITLES = dict(SECTIONS)
LEVELS = {
    "not_consistent": "not consistent with",
    "consistent": "consistent with",
    "highly_consistent": "highly consistent with",
    "typical": "typical of",
    "diagnostic": "diagnostic of",
}
TRUTHFULNESS = (
    "I declare that this report is true and correct to the best of my knowledge and belief; "
    "that I have not withheld any finding relevant to the allegation, whether or not it "
    "supports it; and that I examined the person named by case number in this report myself."
)


@dataclass(frozen=True)
class ReportInput:
    """Everything a report needs, unsealed, for one medico-legal encounter."""

    report_id: str
    survivor_id: str
    case_number: str | None
    encounter: dict[str, Any]
    history: dict[str, Any] | None
    findings: list[dict[str, Any]]
    psychological: dict[str, Any] | None
    photographs: list[dict[str, Any]]
    tests: list[dict[str, Any]]
    diagnoses: list[dict[str, Any]]
    overall: dict[str, Any] | None
    signer: dict[str, Any] | None = None  # staff_id, qualifications, county_code, signed_at
    truthful: bool = False
    extras: dict[str, Any] = field(default_factory=dict)


def missing(data: ReportInput, *, for_signing: bool = True) -> list[str]:
    """The sections the report still lacks (empty: complete), by section key, in order."""
    gaps: list[str] = []
    if not data.case_number:
        gaps.append("case_information")
    signer = data.signer or {}
    if for_signing and not signer.get("qualifications"):
        gaps.append("examiners")
    history = data.history or {}
    if not history.get("allegation"):
        gaps.append("allegations")
    if not (history.get("symptoms_acute") or history.get("symptoms_current")):
        gaps.append("symptoms")
    if not data.findings:
        gaps.extend(["physical_examination", "photographs_and_diagrams"])
    if not (data.psychological or {}).get("summary"):
        gaps.append("psychological_examination")
    ungraded = [f for f in data.findings if not f.get("grade")]
    if ungraded or not (data.psychological or {}).get("grade"):
        gaps.append("interpretation")
    overall = data.overall or {}
    if not overall.get("level"):
        gaps.append("overall_evaluation")
    if not overall.get("recommendations"):
        gaps.append("recommendations")
    if for_signing and not data.truthful:
        gaps.append("statement_of_truthfulness")
    if for_signing and not (signer.get("county_code") and signer.get("signed_at")):
        gaps.append("signature")
    order = [key for key, _ in SECTIONS]
    return sorted(set(gaps), key=order.index)


def assemble(data: ReportInput) -> dict[str, Any]:
    """The report's content: every section in order (absent parts are null, never invented)."""
    history = data.history or {}
    psych = data.psychological or {}
    overall = data.overall or {}
    signer = data.signer or {}
    findings = sorted(data.findings, key=lambda f: (f["region"], f["finding_id"]))
    sections: dict[str, Any] = {
        "case_information": {
            "report_id": data.report_id,
            "survivor_id": data.survivor_id,
            "case_number": data.case_number,
        },
        "examiners": {
            "clinician_ids": data.encounter.get("clinician_ids", []),
            "signer_id": signer.get("staff_id"),
            "qualifications": signer.get("qualifications"),
        },
        "circumstances": {
            key: data.encounter.get(key)
            for key in (
                "kind",
                "occurred_at",
                "county_code",
                "facility",
                "present",
                "examiner_gender_requested",
                "interpreter_gender_requested",
                "examiner_gender_honoured",
                "restrictions",
                "limited_by_survivor",
                "limitation",
            )
        },
        "allegations": {
            "summary": history.get("allegation"),
            "methods": history.get("methods", []),
        },
        "symptoms": {
            "acute": history.get("symptoms_acute"),
            "current": history.get("symptoms_current"),
            "medical_history": history.get("medical_history"),
        },
        "physical_examination": [
            {
                key: f.get(key)
                for key in (
                    "finding_id",
                    "region",
                    "lesion",
                    "length_mm",
                    "width_mm",
                    "shape",
                    "colour",
                    "estimated_age",
                    "description",
                )
            }
            for f in findings
        ],
        "psychological_examination": {"summary": psych.get("summary")},
        "photographs_and_diagrams": {
            "diagram_marks": [{"finding_id": f["finding_id"], **f["position"]} for f in findings],
            "photographs": data.photographs,
        },
        "tests_and_consultations": {"items": data.tests, "diagnoses": data.diagnoses},
        "interpretation": {
            "findings": [
                {"finding_id": f["finding_id"], "level": f.get("grade")} for f in findings
            ],
            "psychological": psych.get("grade"),
            "text": overall.get("interpretation"),
        },
        "overall_evaluation": {"level": overall.get("level")},
        "recommendations": {"text": overall.get("recommendations")},
        "statement_of_truthfulness": {"text": TRUTHFULNESS if data.truthful else None},
        "signature": {
            "signer_id": signer.get("staff_id"),
            "county_code": signer.get("county_code"),
            "signed_at": signer.get("signed_at"),
        },
    }
    return {"format": "uponyaji-medico-legal-report/1", "sections": sections}


def canonical(content: dict[str, Any]) -> bytes:
    """The report content's canonical bytes: sorted keys, no spaces, UTF-8."""
    return json.dumps(content, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()


def sha256(data: bytes) -> str:
    """Hex SHA-256."""
    return hashlib.sha256(data).hexdigest()


def statement(kind: str, document_id: str, content_sha256: str, signed_at: str) -> bytes:
    """The bytes a clinician's Ed25519 signature covers (kind: report or addendum)."""
    return f"uponyaji/medical/{kind}/v1|{document_id}|{content_sha256}|{signed_at}".encode()
