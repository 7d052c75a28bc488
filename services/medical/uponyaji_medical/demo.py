"""Synthetic demo records: encounters, history, findings, grading, diagnoses, care, images.

Pure apart from drawing images: a random generator seeded by the survivor's id turns into the
same request bodies the API takes, so demo data passes every rule a clinician's input does.
Every free text says it is synthetic; every image is an obviously synthetic drawing.
"""

from __future__ import annotations

import io
import random
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from uuid import UUID

from PIL import Image, ImageDraw

# Lesion patterns that go together with the alleged methods (kept plausible, not clinical advice).
PATTERNS: dict[str, list[tuple[str, str, str, str, str]]] = {
    "falanga": [
        ("foot_sole_left", "contusion", "linear", "blue_purple", "days_4_10"),
        ("foot_sole_right", "contusion", "linear", "green", "days_4_10"),
    ],
    "beating": [
        ("back_upper", "contusion", "tramline", "blue_purple", "days_1_3"),
        ("arm_upper_left", "abrasion", "irregular", "red", "days_1_3"),
        ("head", "laceration", "linear", "red", "days_1_3"),
    ],
    "suspension": [
        ("wrist_left", "abrasion", "circumferential", "brown", "weeks_2_6"),
        ("wrist_right", "scar", "circumferential", "hyperpigmented", "months"),
        ("shoulder_left", "tenderness", "not_applicable", "not_applicable", "undetermined"),
    ],
    "burns": [
        ("forearm_right", "burn", "round", "hyperpigmented", "months"),
        ("chest", "scar", "round", "hypopigmented", "over_a_year"),
    ],
    "electric_shock": [("genitalia", "electrical_burn", "round", "brown", "weeks_2_6")],
    "kicking": [
        ("abdomen", "contusion", "oval", "yellow", "days_4_10"),
        ("thigh_right", "contusion", "oval", "blue_purple", "days_1_3"),
    ],
}
DIAGNOSES = {
    "falanga": "ND10",
    "beating": "NB30",
    "suspension": "NC30",
    "burns": "ND90",
    "electric_shock": "NF00",
    "kicking": "NB50",
}
LEVELS = ("consistent", "highly_consistent", "highly_consistent", "typical", "diagnostic")


@dataclass
class DemoRecord:
    """One survivor's demo medical record, as API request bodies (ids filled in as created)."""

    encounter: dict[str, Any]
    method: str
    history: dict[str, Any]
    findings: list[dict[str, Any]] = field(default_factory=list)
    grades: list[str] = field(default_factory=list)
    psychological: dict[str, Any] | None = None
    psych_grade: str | None = None
    overall: dict[str, Any] | None = None
    diagnoses: list[str] = field(default_factory=list)
    treatment: dict[str, Any] | None = None
    specialist: str | None = None
    follow_up_in_days: int | None = None


def _view(region: str) -> str:
    return "back" if region.startswith(("back", "buttocks", "foot_sole")) else "front"


def record(survivor_id: UUID, today: date, *, medico_legal: bool) -> DemoRecord:
    """A survivor's demo record, the same every time for the same id and day."""
    rng = random.Random(survivor_id.int ^ 0x6D6564)
    method = rng.choice(sorted(PATTERNS))
    seen = today - timedelta(days=rng.randint(5, 200))
    at = datetime.combine(seen, time(rng.randint(6, 12), rng.choice((0, 15, 30, 45))), UTC)
    kind = (
        "medico_legal_examination"
        if medico_legal
        else rng.choice(("initial_assessment", "initial_assessment", "follow_up", "emergency"))
    )
    plan = DemoRecord(
        encounter={
            "kind": kind,
            "occurred_at": at.isoformat(),
            "county_code": rng.choice(("047", "047", "047", "001", "042", "032")),
            "facility": "Synthetic Demo Clinic (FAKE)",
            "examiner_gender_requested": rng.choice(("female", "no_preference", "male")),
            "present": [{"role": "chaperone"}] if rng.random() < 0.5 else [],
        },
        method=method,
        history={
            "allegation": f"Synthetic demo allegation (FAKE): {method.replace('_', ' ')} in "
            "custody, as told to the examiner.",
            "symptoms_acute": "Synthetic (FAKE): pain and swelling in the first days.",
            "symptoms_current": "Synthetic (FAKE): pain on exertion, poor sleep.",
            "methods": [method],
        },
    )
    for region, lesion, shape, colour, age in PATTERNS[method][: rng.randint(1, 3)]:
        plan.findings.append(
            {
                "region": region,
                "lesion": lesion,
                "shape": shape,
                "colour": colour,
                "estimated_age": age,
                "length_mm": rng.randint(8, 90),
                "width_mm": rng.randint(3, 40),
                "position": {
                    "view": _view(region),
                    "x": rng.randint(300, 700),
                    "y": rng.randint(100, 950),
                },
                "description": f"Synthetic demo finding (FAKE): {lesion} of the "
                f"{region.replace('_', ' ')}.",
            }
        )
        plan.grades.append(rng.choice(LEVELS))
    plan.diagnoses = [DIAGNOSES[method]] + (["6B40"] if rng.random() < 0.4 else [])
    plan.treatment = {
        "kind": "medication",
        "details": "Synthetic (FAKE): paracetamol 1 g tds",
        "duration_days": rng.choice((5, 7, 10)),
    }
    if medico_legal or rng.random() < 0.5:
        plan.psychological = {
            "summary": "Synthetic demo summary (FAKE): intrusive memories, "
            "avoidance and hyperarousal since the detention."
        }
        plan.psych_grade = rng.choice(LEVELS[:4])
    if medico_legal:
        plan.overall = {
            "level": rng.choice(LEVELS[1:4]),
            "interpretation": "Synthetic demo interpretation (FAKE): the findings together "
            "support the account.",
            "recommendations": "Synthetic (FAKE): physiotherapy and counselling referral.",
        }
    if rng.random() < 0.3:
        plan.specialist = rng.choice(("orthopaedics", "physiotherapy", "psychiatry"))
    if rng.random() < 0.6:
        plan.follow_up_in_days = rng.randint(7, 30)
    return plan


def synthetic_photo(label: str, *, identifying: bool) -> bytes:
    """An obviously synthetic JPEG: a grey card saying so, with a drawn 5 cm scale."""
    image = Image.new("RGB", (640, 480), (205, 205, 200))
    draw = ImageDraw.Draw(image)
    draw.rectangle((20, 20, 620, 460), outline=(90, 90, 90), width=3)
    draw.text((40, 40), "SYNTHETIC DEMO IMAGE - NOT A REAL PERSON", fill=(160, 0, 0))
    draw.text((40, 70), label[:60], fill=(20, 20, 20))
    if identifying:
        draw.ellipse((250, 120, 390, 260), outline=(40, 40, 40), width=4)  # a stick figure
        draw.line((320, 260, 320, 400), fill=(40, 40, 40), width=4)
    else:
        draw.ellipse((260, 180, 380, 260), fill=(120, 60, 110))  # a drawn "bruise"
        for cm in range(6):  # scale: 5 cm in 1 cm ticks
            x = 200 + cm * 48
            draw.line((x, 400, x, 415 if cm % 5 else 425), fill=(0, 0, 0), width=2)
        draw.line((200, 400, 440, 400), fill=(0, 0, 0), width=2)
        draw.text((450, 395), "5 cm", fill=(0, 0, 0))
    out = io.BytesIO()
    image.save(out, format="JPEG", quality=80)
    return out.getvalue()
