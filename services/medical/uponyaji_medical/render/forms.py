"""The Kenyan forms rendered from the record: police P3 and MOH 363 (post-rape care) A and B.

Each form is a list of sections of labelled fields in the official form's order. A field the
record does not hold (the police occurrence-book number, the survivor's name, which only intake
holds, the degree of injury as the law classes it) is printed blank for the clinician to fill
by hand, and counted: nothing is invented.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from reportlab.platypus import Flowable, Spacer, Table

from .common import BLANK, H1, H2, SMALL, build, para, text

# P3 section B groups body regions as the form's injury sections do.
P3_PARTS = {
    "Head and neck": ("head", "face", "scalp", "eyes", "ears", "mouth_teeth", "neck"),
    "Thorax (chest and back)": ("chest", "back_upper", "shoulder_left", "shoulder_right"),
    "Abdomen and lower back": ("abdomen", "back_lower", "buttocks"),
    "Upper limbs": (
        "arm_upper_left",
        "arm_upper_right",
        "forearm_left",
        "forearm_right",
        "wrist_left",
        "wrist_right",
        "hand_left",
        "hand_right",
    ),
    "Lower limbs": (
        "thigh_left",
        "thigh_right",
        "knee_left",
        "knee_right",
        "leg_lower_left",
        "leg_lower_right",
        "ankle_left",
        "ankle_right",
        "foot_sole_left",
        "foot_sole_right",
        "foot_dorsum_left",
        "foot_dorsum_right",
    ),
    "Genitalia and anus": ("genitalia", "anus"),
}


@dataclass(frozen=True, slots=True)
class FormField:
    """One labelled field; None prints as a blank line."""

    label: str
    value: Any = None

    @property
    def blank(self) -> bool:
        """The record had nothing for it."""
        return self.value is None or self.value == "" or self.value == []


@dataclass(frozen=True, slots=True)
class FormSection:
    """A titled group of fields."""

    title: str
    fields: tuple[FormField, ...]


def _injuries(findings: Sequence[dict[str, Any]], regions: Sequence[str]) -> str | None:
    found = [f for f in findings if f["region"] in regions]
    if not found:
        return None
    return "; ".join(
        f"{f['region'].replace('_', ' ')}: {f['lesion']} {f.get('length_mm') or '?'}x"
        f"{f.get('width_mm') or '?'} mm, {f['colour']}, {f['shape']}"
        + (f" - {f['description']}" if f.get("description") else "")
        for f in found
    )


def p3(data: dict[str, Any]) -> list[FormSection]:
    """The P3 (Kenya Police medical examination report) sections from the record."""
    enc, history, findings = data["encounter"], data.get("history") or {}, data["findings"]
    ages = sorted({f["estimated_age"] for f in findings}) or None
    treatments = [t.get("details") or t["kind"] for t in data.get("treatments", [])]
    part1 = FormSection(
        "Part I - Police officer requesting the examination",
        (
            FormField("Police station"),
            FormField("OB number"),
            FormField("Alleged offence"),
            FormField("Date and time of alleged offence"),
            FormField("Requesting officer"),
            FormField("Brief details of the incident", history.get("allegation")),
        ),
    )
    part2 = FormSection(
        "Part II - Medical officer: the examination",
        (
            FormField("Name of the person examined"),
            FormField("Case number", data.get("case_number")),
            FormField("Date and time of examination", enc.get("occurred_at")),
            FormField("Place of examination", enc.get("facility")),
            FormField("County", enc.get("county_code")),
            FormField("Present at the examination", [p["role"] for p in enc.get("present", [])]),
            FormField("General medical history", history.get("medical_history")),
            FormField("General physical condition and clothing"),
        ),
    )
    injuries = FormSection(
        "Section B - Injuries found",
        tuple(FormField(part, _injuries(findings, regions)) for part, regions in P3_PARTS.items()),
    )
    opinion = FormSection(
        "Section C - Medical opinion",
        (
            FormField("Approximate age of the injuries", ages),
            FormField("Probable type of weapon or means"),
            FormField("Treatment given", treatments),
            FormField("Referral", [r["specialty"] for r in data.get("referrals", [])]),
            FormField("Degree of injury (harm, grievous harm, maim)"),
            FormField("Examining medical officer (staff id)", data.get("examiner_id")),
            FormField("Qualifications"),
            FormField("Signature and date"),
        ),
    )
    return [part1, part2, injuries, opinion]


def moh363(data: dict[str, Any]) -> tuple[list[FormSection], list[FormSection]]:
    """MOH 363 (post-rape care) part A (medical and forensic) and part B (psychological)."""
    enc, history, findings = data["encounter"], data.get("history") or {}, data["findings"]
    kinds = {t["kind"] for t in data.get("treatments", [])}
    samples = [s.get("description") or "sample" for s in data.get("samples", [])]
    a = [
        FormSection(
            "A1 - Facility and survivor",
            (
                FormField("Facility", enc.get("facility")),
                FormField("County", enc.get("county_code")),
                FormField("Case number", data.get("case_number")),
                FormField("Name"),
                FormField("Date and time of examination", enc.get("occurred_at")),
            ),
        ),
        FormSection(
            "A2 - History of the assault",
            (
                FormField("Date and time of the assault"),
                FormField("Place of the assault"),
                FormField("Account of the assault", history.get("allegation")),
                FormField("Type of assault", history.get("methods")),
                FormField("Symptoms", history.get("symptoms_acute")),
                FormField("Relevant medical history", history.get("medical_history")),
            ),
        ),
        FormSection(
            "A3 - Examination",
            (
                FormField("General condition"),
                FormField(
                    "Physical injuries",
                    _injuries(
                        findings,
                        [r for part, rs in P3_PARTS.items() if "Genitalia" not in part for r in rs],
                    ),
                ),
                FormField("Genital examination", _injuries(findings, ["genitalia"])),
                FormField("Anal examination", _injuries(findings, ["anus"])),
            ),
        ),
        FormSection("A4 - Specimens collected", (FormField("Specimens", samples),)),
        FormSection(
            "A5 - Treatment",
            (
                FormField("PEP given", "yes" if "post_exposure_prophylaxis" in kinds else None),
                FormField(
                    "Emergency contraception", "yes" if "emergency_contraception" in kinds else None
                ),
                FormField(
                    "Other treatment",
                    [t.get("details") or t["kind"] for t in data.get("treatments", [])],
                ),
                FormField("Referrals", [r["specialty"] for r in data.get("referrals", [])]),
            ),
        ),
        FormSection(
            "A6 - Examiner",
            (
                FormField("Examiner (staff id)", data.get("examiner_id")),
                FormField("Signature and date"),
            ),
        ),
    ]
    psych = data.get("psychological") or {}
    b = [
        FormSection(
            "B1 - Mental state examination",
            (
                FormField("General appearance"),
                FormField("Mood and affect"),
                FormField("Speech"),
                FormField("Thought content"),
                FormField("Perception"),
                FormField("Cognitive function"),
                FormField("Insight and judgement"),
            ),
        ),
        FormSection(
            "B2 - Assessment and plan",
            (
                FormField("Summary of the psychological assessment", psych.get("summary")),
                FormField(
                    "Consistency with the account (Istanbul Protocol level)", psych.get("grade")
                ),
                FormField(
                    "Referral for counselling",
                    "psychiatry"
                    if any(r["specialty"] == "psychiatry" for r in data.get("referrals", []))
                    else None,
                ),
                FormField("Examiner (staff id)", data.get("examiner_id")),
                FormField("Signature and date"),
            ),
        ),
    ]
    return a, b


def render_form(
    title: str, parts: Sequence[tuple[str, Sequence[FormSection]]], footer: str
) -> tuple[bytes, int]:
    """The form's PDF and how many fields were left blank."""
    story: list[Flowable] = [para(text(title), H1)]
    blanks = 0
    for part_title, sections in parts:
        if part_title:
            story.append(para(text(part_title), H2))
        for section in sections:
            story.append(para(f"<b>{text(section.title)}</b>", SMALL))
            rows = []
            for field in section.fields:
                blanks += field.blank
                shown = BLANK if field.blank else text(field.value)
                rows.append([para(text(field.label), SMALL), para(shown, SMALL)])
            story += [Table(rows, colWidths=[180, 300]), Spacer(1, 6)]
    return build(story, title=title, footer=footer), blanks
