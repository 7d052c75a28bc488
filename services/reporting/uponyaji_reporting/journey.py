"""A survivor's healing journey, folded purely from their journey entries."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from typing import Any
from uuid import UUID

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
        return (now.date() - self.registered_at.date()).days if self.registered_at else None

    def days_since_last_contact(self, now: datetime) -> int | None:
        """Calendar days from the last contact (registration, attended session, assessment)."""
        last = self.last_contact_at
        return (now.date() - last.date()).days if last else None

    def outcome(self, instrument: str) -> Change | None:
        """First to latest change on an instrument with at least two administrations."""
        points = self.trajectories.get(instrument, [])
        return points[-1].change_from_first if len(points) >= 2 else None


def _order(entry: Entry) -> tuple[datetime, datetime, str, int]:
    return entry.at, entry.recorded_at, entry.source, entry.position


def _score(data: dict[str, Any]) -> Decimal:
    if data.get("instrument") == "WHO-5" and data.get("percentage") is not None:
        return Decimal(data["percentage"])
    return Decimal(str(data["total"]))


def _trajectory(instrument: str, assessments: list[Entry]) -> list[Point]:
    """Points in administration order, each with its reliable change from the previous and first."""
    known = instrument in PARAMETERS
    points: list[Point] = []
    for entry in sorted(assessments, key=_order):
        cutoff = entry.data.get("caseness_cutoff")
        point = Point(
            str(entry.data["assessment_id"]),
            entry.at,
            _score(entry.data),
            entry.data.get("band"),
            Decimal(str(cutoff)) if cutoff is not None else None,
        )
        if points and known:
            first, previous = points[0], points[-1]
            cut = float(first.cutoff) if first.cutoff is not None else None
            point = Point(
                point.assessment_id,
                point.at,
                point.score,
                point.band,
                point.cutoff,
                round(rci(instrument, float(previous.score), float(point.score)), 2),
                classify(instrument, float(previous.score), float(point.score), cut),
                classify(instrument, float(first.score), float(point.score), cut),
            )
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
    for entry in journey.milestones:
        data = entry.data
        if entry.kind == "registered" and entry.survivor_id == survivor_id:
            journey.case_number = data.get("case_number")
            journey.registered_at = entry.at
        elif entry.kind in ("assessment", "assessment_corrected"):
            assessments.pop(str(data.get("supersedes")), None)
            assessments[str(data["assessment_id"])] = entry
        elif entry.kind == "risk_flag_raised":
            flags.add(str(data["flag_id"]))
        elif entry.kind == "risk_flag_resolved":
            flags.discard(str(data["flag_id"]))
        attended = entry.kind == "session" and data.get("attendance") == "attended"
        if attended or entry.kind in CONTACT_KINDS:
            journey.last_contact_at = max(journey.last_contact_at or entry.at, entry.at)
    by_instrument: dict[str, list[Entry]] = {}
    for entry in assessments.values():
        by_instrument.setdefault(str(entry.data["instrument"]), []).append(entry)
    journey.trajectories = {k: _trajectory(k, v) for k, v in sorted(by_instrument.items())}
    journey.open_risk_flags = len(flags)
    intake = [e.kind for e in journey.milestones if e.source == "intake"]
    psychosocial = [e for e in journey.milestones if e.source == "psychosocial"]
    journey.stages = {
        "intake": _intake_stage(intake) if journey.registered_at else "unknown",
        "psychosocial": _psychosocial_stage(psychosocial, len(flags)),
    }
    medical = {e.kind for e in journey.milestones if e.source == "medical"}
    if medical:  # only once the survivor is known to medical
        journey.stages["medical"] = _medical_stage(medical)
    empowerment = {e.kind for e in journey.milestones if e.source == "empowerment"}
    if empowerment:
        journey.stages["empowerment"] = _empowerment_stage(empowerment)
    return journey
