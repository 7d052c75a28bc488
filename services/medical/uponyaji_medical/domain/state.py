"""A survivor's medical record state, folded from their stream (what the deciders need)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from uuid import UUID

from uponyaji_events.folding import EventLike, Folder, as_uuid, event_name

# Entries that a correction can supersede, by event name → the payload's id field.
ENTRY_IDS = {
    "HistoryRecorded": "entry_id",
    "FindingDocumented": "finding_id",
    "PsychologicalFindingsRecorded": "entry_id",
    "DiagnosisRecorded": "diagnosis_id",
    "TreatmentRecorded": "treatment_id",
}


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


def evolve(state: RecordState, event: EventLike) -> RecordState:
    """The state after one event of the survivor stream (other event types only count)."""
    p, name = event.payload, event_name(event)
    state = replace(state, version=state.version + 1)
    if name == "EncounterOpened":
        encounter = Encounter(
            p["kind"], frozenset(as_uuid(c) for c in p["clinician_ids"]), p["county_code"]
        )
        return replace(
            state, encounters={**state.encounters, as_uuid(p["encounter_id"]): encounter}
        )
    if name in ENTRY_IDS:
        entries = dict(state.entries)
        new_id = as_uuid(p[ENTRY_IDS[name]])
        if p.get("supersedes"):
            old_id = as_uuid(p["supersedes"])
            entries[old_id] = replace(entries[old_id], superseded_by=new_id)
        entries[new_id] = Entry(name, as_uuid(p["encounter_id"]))
        grades = dict(state.grades)
        if name == "FindingDocumented" and p.get("supersedes"):
            grades.pop(as_uuid(p["supersedes"]), None)  # a corrected finding is graded afresh
        return replace(state, entries=entries, grades=grades)
    if name == "FindingGraded":
        return replace(state, grades={**state.grades, as_uuid(p["finding_id"]): p["level"]})
    if name == "PsychologicalEvaluationGraded":
        grades = {**state.psych_grades, as_uuid(p["encounter_id"]): p["level"]}
        return replace(state, psych_grades=grades)
    if name == "OverallEvaluationRecorded":
        return replace(state, overall={**state.overall, as_uuid(p["encounter_id"]): p["level"]})
    if name == "SpecialistReferralMade":
        referrals = {**state.specialist_referrals, as_uuid(p["specialist_referral_id"]): None}
        return replace(state, specialist_referrals=referrals)
    if name == "SpecialistReferralOutcomeRecorded":
        referrals = {
            **state.specialist_referrals,
            as_uuid(p["specialist_referral_id"]): p["outcome"],
        }
        return replace(state, specialist_referrals=referrals)
    if name == "FollowUpScheduled":
        return replace(state, follow_ups={**state.follow_ups, as_uuid(p["follow_up_id"]): None})
    if name == "FollowUpAttendanceRecorded":
        follow_ups = {**state.follow_ups, as_uuid(p["follow_up_id"]): p["attendance"]}
        return replace(state, follow_ups=follow_ups)
    return state


# The state after a run of events (from a state already folded, else from the start).
fold = Folder(RecordState, evolve)
