"""A survivor's medical record state, folded from their stream (what the deciders need)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from typing import Any, Protocol
from uuid import UUID

# Entries that a correction can supersede, by event name → the payload's id field.
ENTRY_IDS = {
    "HistoryRecorded": "entry_id",
    "FindingDocumented": "finding_id",
    "PsychologicalFindingsRecorded": "entry_id",
    "DiagnosisRecorded": "diagnosis_id",
    "TreatmentRecorded": "treatment_id",
}


class EventLike(Protocol):
    """What folding needs of an event: stored (`Event`) or just decided (`NewEvent`)."""

    @property
    def type(self) -> str:
        """The event type, e.g. `medical.FindingDocumented`."""
        ...

    @property
    def payload(self) -> dict[str, Any]:
        """The payload in JSON form."""
        ...


@dataclass(frozen=True, slots=True)
class Encounter:
    """An encounter: its kind, clinicians and county."""

    kind: str
    clinician_ids: frozenset[UUID]
    county_code: str


@dataclass(frozen=True, slots=True)
class Entry:
    """A correctable record entry: what it is, where it was made, and what superseded it."""

    kind: str
    encounter_id: UUID
    superseded_by: UUID | None = None

    @property
    def current(self) -> bool:
        """Not superseded by a correction."""
        return self.superseded_by is None


@dataclass(frozen=True, slots=True)
class RecordState:
    """Everything the survivor stream's deciders need."""

    version: int = 0
    encounters: Mapping[UUID, Encounter] = field(default_factory=dict)
    entries: Mapping[UUID, Entry] = field(default_factory=dict)
    grades: Mapping[UUID, str] = field(default_factory=dict)  # finding -> level
    psych_grades: Mapping[UUID, str] = field(default_factory=dict)  # encounter -> level
    overall: Mapping[UUID, str] = field(default_factory=dict)  # encounter -> level
    specialist_referrals: Mapping[UUID, str | None] = field(default_factory=dict)  # -> outcome
    follow_ups: Mapping[UUID, str | None] = field(default_factory=dict)  # -> attendance

    def current(self, kind: str, encounter_id: UUID | None = None) -> list[UUID]:
        """Current (not superseded) entries of a kind, optionally of one encounter."""
        return [
            entry_id
            for entry_id, entry in self.entries.items()
            if entry.kind == kind
            and entry.current
            and (encounter_id is None or entry.encounter_id == encounter_id)
        ]


def _uuid(value: Any) -> UUID:
    return UUID(str(value))


def evolve(state: RecordState, event: EventLike) -> RecordState:
    """The state after one event of the survivor stream (other event types only count)."""
    p, name = event.payload, event.type.rsplit(".", 1)[-1]
    state = replace(state, version=state.version + 1)
    if name == "EncounterOpened":
        encounter = Encounter(
            p["kind"], frozenset(_uuid(c) for c in p["clinician_ids"]), p["county_code"]
        )
        return replace(state, encounters={**state.encounters, _uuid(p["encounter_id"]): encounter})
    if name in ENTRY_IDS:
        entries = dict(state.entries)
        new_id = _uuid(p[ENTRY_IDS[name]])
        if p.get("supersedes"):
            old_id = _uuid(p["supersedes"])
            entries[old_id] = replace(entries[old_id], superseded_by=new_id)
        entries[new_id] = Entry(name, _uuid(p["encounter_id"]))
        grades = dict(state.grades)
        if name == "FindingDocumented" and p.get("supersedes"):
            grades.pop(_uuid(p["supersedes"]), None)  # a corrected finding is graded afresh
        return replace(state, entries=entries, grades=grades)
    if name == "FindingGraded":
        return replace(state, grades={**state.grades, _uuid(p["finding_id"]): p["level"]})
    if name == "PsychologicalEvaluationGraded":
        grades = {**state.psych_grades, _uuid(p["encounter_id"]): p["level"]}
        return replace(state, psych_grades=grades)
    if name == "OverallEvaluationRecorded":
        return replace(state, overall={**state.overall, _uuid(p["encounter_id"]): p["level"]})
    if name == "SpecialistReferralMade":
        referrals = {**state.specialist_referrals, _uuid(p["specialist_referral_id"]): None}
        return replace(state, specialist_referrals=referrals)
    if name == "SpecialistReferralOutcomeRecorded":
        referrals = {**state.specialist_referrals, _uuid(p["specialist_referral_id"]): p["outcome"]}
        return replace(state, specialist_referrals=referrals)
    if name == "FollowUpScheduled":
        return replace(state, follow_ups={**state.follow_ups, _uuid(p["follow_up_id"]): None})
    if name == "FollowUpAttendanceRecorded":
        follow_ups = {**state.follow_ups, _uuid(p["follow_up_id"]): p["attendance"]}
        return replace(state, follow_ups=follow_ups)
    return state


def fold(events: Iterable[EventLike], state: RecordState | None = None) -> RecordState:
    """The state after a run of events."""
    state = state or RecordState()
    for event in events:
        state = evolve(state, event)
    return state
