"""A survivor's healing journey, folded purely from their journey entries."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from operator import itemgetter
from typing import Any
from uuid import UUID

from uponyaji_events.eat import eat_date

from .instruments import PARAMETERS, Change, classify, rci
from .milestones import Entry

CONTACT_KINDS = frozenset(
    {
        "registered",
        "assessment",
        "assessment_corrected",
        "risk_flag_resolved",
        "examined",
        "needs_assessed",
        "follow_up",
        "training_completed",
    }
)


@dataclass(frozen=True)
class Point:
    """One current administration on an instrument's trajectory."""

    assessment_id: str
    at: datetime
    score: Decimal  # the total, or the percentage for WHO-5
    band: str | None
    cutoff: Decimal | None
    rc_from_previous: float | None = None
    change_from_previous: Change | None = None
    change_from_first: Change | None = None


@dataclass
class Journey:
    """The journey as it stood when its entries were read."""

    survivor_id: UUID
    case_number: str | None = None
    registered_at: datetime | None = None
    milestones: list[Entry] = field(default_factory=list)
    stages: dict[str, str] = field(default_factory=dict)
    trajectories: dict[str, list[Point]] = field(default_factory=dict)
    open_risk_flags: int = 0
    last_contact_at: datetime | None = None

    def days_since_intake(self, now: datetime) -> int | None:
        """Calendar days from registration to `now`."""
        return (eat_date(now) - eat_date(self.registered_at)).days if self.registered_at else None

    def days_since_last_contact(self, now: datetime) -> int | None:
        """Calendar days from the last contact (registration, attended session, assessment)."""
        last = self.last_contact_at
        return (eat_date(now) - eat_date(last)).days if last else None

    def outcome(self, instrument: str) -> Change | None:
        """First to latest change on an instrument with at least two administrations."""
        points = self.trajectories.get(instrument, [])
        return points[-1].change_from_first if len(points) >= 2 else None


# An entry's place in a journey: (at, recorded_at, source, position), read in C from the tuple.
_order = itemgetter(4, 6, 1, 2)


def _score(data: dict[str, Any]) -> Decimal:
    if data.get("instrument") == "WHO-5" and data.get("percentage") is not None:
        return Decimal(data["percentage"])
    return Decimal(str(data["total"]))


def _trajectory(instrument: str, assessments: list[Entry]) -> list[Point]:
    """Points in administration order, each with its reliable change from the previous and first."""
    known = instrument in PARAMETERS
    points: list[Point] = []
    first_score = previous_score = 0.0
    cut: float | None = None
    for entry in sorted(assessments, key=_order):
        data = entry.data
        cutoff = data.get("caseness_cutoff")
        score = _score(data)
        point_cutoff = Decimal(str(cutoff)) if cutoff is not None else None
        if points and known:
            value = float(score)  # each score made a float once, not once per comparison
            point = Point(
                str(data["assessment_id"]),
                entry.at,
                score,
                data.get("band"),
                point_cutoff,
                round(rci(instrument, previous_score, value), 2),
                classify(instrument, previous_score, value, cut),
                classify(instrument, first_score, value, cut),
            )
            previous_score = value
        else:
            point = Point(
                str(data["assessment_id"]), entry.at, score, data.get("band"), point_cutoff
            )
            if not points:
                first_score = previous_score = float(score)
                cut = float(point_cutoff) if point_cutoff is not None else None
        points.append(point)
    return points


def _intake_stage(kinds: list[str]) -> str:
    stage = "registered"
    for kind in kinds:
        if kind == "case_assigned" and stage in ("registered", "assigned"):
            stage = "assigned"
        elif kind == "case_closed":
            stage = "closed"
        elif kind == "case_reopened":
            stage = "assigned"
        elif kind == "erasure_requested" and stage != "erased":
            stage = "erasure_requested"
        elif kind == "erasure_completed":
            stage = "erased"
    return stage


def _psychosocial_stage(entries: list[Entry], open_flags: int) -> str:
    if open_flags:
        return "open_risk_flag"
    if any(e.kind == "session" and e.data.get("attendance") == "attended" for e in entries):
        return "in_counselling"
    if any(e.kind.startswith("assessment") for e in entries):
        return "assessed"
    return "not_started"


def _medical_stage(kinds: set[str]) -> str:
    if "report_signed" in kinds:
        return "report_signed"
    return "examined" if "examined" in kinds else "referred"


def _empowerment_stage(kinds: set[str]) -> str:
    for kind, stage in (
        ("follow_up", "followed_up"),
        ("follow_up_corrected", "followed_up"),
        ("grant_disbursed", "grant_disbursed"),
        ("grant_approved", "grant_approved"),
        ("plan_started", "plan_started"),
        ("needs_assessed", "needs_assessed"),
        ("needs_assessment_corrected", "needs_assessed"),
    ):
        if kind in kinds:
            return stage
    return "referred"


def fold(survivor_id: UUID, rows: Iterable[Entry]) -> Journey:
    """The journey of one survivor from their entries (any order; sorted by when they happened).

    Entries of records merged into this one belong to the journey too; only this record's own
    registration gives the case number and the intake date.
    """
    journey = Journey(survivor_id, milestones=sorted(rows, key=_order))
    assessments: dict[str, Entry] = {}
    flags: set[str] = set()
    last_contact: datetime | None = None
    intake: list[str] = []
    psychosocial: list[Entry] = []
    medical: set[str] = set()
    empowerment: set[str] = set()
    for entry in journey.milestones:
        # One unpacking instead of an attribute lookup per use (a rebuild folds every entry).
        owner, source, _, kind, at, _, _, data = entry
        if kind == "registered" and owner == survivor_id:
            journey.case_number = data.get("case_number")
            journey.registered_at = at
        elif kind == "assessment" or kind == "assessment_corrected":
            assessments.pop(str(data.get("supersedes")), None)
            assessments[str(data["assessment_id"])] = entry
        elif kind == "risk_flag_raised":
            flags.add(str(data["flag_id"]))
        elif kind == "risk_flag_resolved":
            flags.discard(str(data["flag_id"]))
        contact = kind in CONTACT_KINDS or (
            kind == "session" and data.get("attendance") == "attended"
        )
        if contact and (last_contact is None or at > last_contact):
            last_contact = at
        if source == "intake":
            intake.append(kind)
        elif source == "psychosocial":
            psychosocial.append(entry)
        elif source == "medical":
            medical.add(kind)
        elif source == "empowerment":
            empowerment.add(kind)
    journey.last_contact_at = last_contact
    by_instrument: dict[str, list[Entry]] = {}
    for entry in assessments.values():
        by_instrument.setdefault(str(entry.data["instrument"]), []).append(entry)
    journey.trajectories = {k: _trajectory(k, v) for k, v in sorted(by_instrument.items())}
    journey.open_risk_flags = len(flags)
    journey.stages = {
        "intake": _intake_stage(intake) if journey.registered_at else "unknown",
        "psychosocial": _psychosocial_stage(psychosocial, len(flags)),
    }
    if medical:  # only once the survivor is known to medical
        journey.stages["medical"] = _medical_stage(medical)
    if empowerment:
        journey.stages["empowerment"] = _empowerment_stage(empowerment)
    return journey
