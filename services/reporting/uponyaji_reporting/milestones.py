"""Events of other services → journey entries: one per survivor concerned, unsealed fields only.

Sealed values (names, narratives, notes, reasons, clinical texts, payment references) are never
copied: an entry keeps vocabulary codes, dates, amounts and scores, so nothing here needs (or
could use) a survivor's data key.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time
from functools import lru_cache
from typing import Any, Final, NamedTuple
from uuid import UUID

from uponyaji_events.envelope import Event


class Entry(NamedTuple):
    """One milestone of one survivor, as stored in the journey table (its columns, in order).

    A named tuple, not a dataclass: a rebuild makes one per event and reads each back once more,
    and a tuple is built in a fraction of a frozen dataclass's time.
    """

    survivor_id: UUID
    source: str
    position: int
    kind: str
    at: datetime  # when it happened in the survivor's life (clinical or recorded date)
    occurred_at: datetime
    recorded_at: datetime
    data: dict[str, Any]


@lru_cache(maxsize=4096)
def _survivor(value: Any) -> UUID:
    """A payload's survivor id as a UUID (cached: a survivor's events come in runs)."""
    return UUID(str(value))


@lru_cache(maxsize=8192)
def _parse_when(text: str) -> datetime:
    """A payload date or timestamp text as an aware datetime (cached: days repeat)."""
    if len(text) == 10:
        return datetime.combine(date.fromisoformat(text), time(), tzinfo=UTC)
    parsed = datetime.fromisoformat(text)
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


def _when(value: Any, fallback: datetime) -> datetime:
    """A payload timestamp or date as an aware datetime (dates at midnight UTC)."""
    if value is None:
        return fallback
    if isinstance(value, str):
        return _parse_when(value)
    if isinstance(value, datetime):
        return value if value.tzinfo else value.replace(tzinfo=UTC)
    if isinstance(value, date):
        return datetime.combine(value, time(), tzinfo=UTC)
    return _parse_when(str(value))


_INTAKE: dict[str, tuple[str, tuple[str, ...], str | None]] = {
    # event type: (kind, unsealed fields kept, payload field giving the date)
    "intake.SurvivorRegistered": (
        "registered",
        ("case_number", "county_code", "gender", "age_band", "disabilities"),
        None,
    ),
    "intake.IdentityCorrected": ("record_corrected", ("county_code", "gender", "age_band"), None),
    "intake.SurvivorsMerged": (
        "records_merged",
        ("merged_survivor_id", "merged_case_number"),
        None,
    ),
    "intake.ConsentGranted": ("consent_granted", ("scope", "method", "party"), "at"),
    "intake.ConsentWithdrawn": ("consent_withdrawn", ("scope", "method", "party"), "at"),
    "intake.CaseAssigned": ("case_assigned", ("team_id", "lead_case_worker_id"), None),
    "intake.CaseClosed": ("case_closed", ("reason",), None),
    "intake.CaseReopened": ("case_reopened", (), None),
    "intake.IncidentDocumented": (
        "incident_documented",
        ("occurred_from", "county_code", "place_type", "perpetrators", "methods"),
        None,
    ),
    "intake.ReferralMade": ("referral_made", ("referral_id", "target", "urgency"), None),
    "intake.ReferralStatusChanged": ("referral_status", ("referral_id", "status"), None),
    "intake.ErasureRequested": ("erasure_requested", ("received_on",), None),
    "intake.ErasureCompleted": ("erasure_completed", (), None),
}
_ASSESSMENT = ("assessment_id", "instrument", "total", "percentage", "band", "caseness_cutoff")
_PSYCHOSOCIAL: dict[str, tuple[str, tuple[str, ...], str | None]] = {
    "psychosocial.AssessmentRecorded": ("assessment", _ASSESSMENT, "administered_at"),
    "psychosocial.AssessmentCorrected": (
        "assessment_corrected",
        (*_ASSESSMENT, "supersedes"),
        "administered_at",
    ),
    "psychosocial.RiskFlagRaised": ("risk_flag_raised", ("flag_id", "reason", "item"), "raised_at"),
    "psychosocial.RiskFlagEscalated": (
        "risk_flag_escalated",
        ("flag_id", "level", "to_role", "after_hours"),
        "escalated_at",
    ),
    "psychosocial.SafetyResponseRecorded": (
        "risk_flag_resolved",
        ("flag_id", "actions", "referral"),
        "responded_at",
    ),
    "psychosocial.CarePlanGoalAdded": ("care_goal_added", ("goal_id", "domain"), None),
    "psychosocial.CarePlanGoalReviewed": (
        "care_goal_reviewed",
        ("goal_id", "status"),
        "reviewed_on",
    ),
}
_MEDICAL: dict[str, tuple[str, tuple[str, ...], str | None]] = {
    # never the facility, allegation, interpretation, report content, signatures or notes
    "medical.EncounterOpened": (
        "examined",
        ("encounter_id", "kind", "county_code", "limited_by_survivor"),
        "occurred_at",
    ),
    "medical.FindingDocumented": (
        "finding_documented",
        ("finding_id", "encounter_id", "region", "lesion", "estimated_age", "supersedes"),
        None,
    ),
    "medical.OverallEvaluationRecorded": ("overall_evaluation", ("encounter_id", "level"), None),
    "medical.ReportSigned": (
        "report_signed",
        ("report_id", "encounter_id", "place_county_code"),
        "signed_at",
    ),
    "medical.AddendumSigned": ("report_addendum", ("addendum_id", "report_id"), "signed_at"),
    "medical.FormIssued": ("form_issued", ("document_id", "encounter_id", "form"), None),
    "medical.TreatmentRecorded": (
        "treatment",
        ("treatment_id", "encounter_id", "kind", "duration_days", "supersedes"),
        None,
    ),
    "medical.SpecialistReferralMade": (
        "specialist_referral_made",
        ("specialist_referral_id", "specialty"),
        None,
    ),
    "medical.SpecialistReferralOutcomeRecorded": (
        "specialist_referral_outcome",
        ("specialist_referral_id", "outcome"),
        None,
    ),
    "medical.ReferralAccepted": ("referral_answered", ("referral_id",), None),
    "medical.ReferralDeclined": ("referral_answered", ("referral_id",), None),
}
_MEDICAL_DECISIONS = {
    "medical.ReferralAccepted": "accepted",
    "medical.ReferralDeclined": "declined",
}
_NEEDS = (
    "assessment_id",
    "household_size",
    "dependants",
    "earners",
    "monthly_income_kes",
    "housing",
    "hunger_score",
    "hunger_category",
    "school_age_children",
    "children_out_of_school",
)
_FOLLOW_UP = (
    "follow_up_id",
    "milestone",
    "due_on",
    "monthly_income_kes",
    "business_operating",
    "employment_status",
    "hunger_score",
    "hunger_category",
)
_EMPOWERMENT: dict[str, tuple[str, tuple[str, ...], str | None]] = {
    # never notes, goal texts, justifications, reasons, payment references or their digests
    "empowerment.NeedsAssessed": ("needs_assessed", _NEEDS, "assessed_on"),
    "empowerment.NeedsAssessmentCorrected": (
        "needs_assessment_corrected",
        (*_NEEDS, "supersedes"),
        "assessed_on",
    ),
    "empowerment.LivelihoodPlanStarted": ("plan_started", ("plan_id",), "started_on"),
    "empowerment.GrantApproved": (
        "grant_approved",
        ("grant_id", "amount_kes", "budget_line_id"),
        "approved_on",
    ),
    "empowerment.GrantDisbursed": (
        "grant_disbursed",
        ("disbursement_id", "grant_id", "amount_kes", "channel"),
        "disbursed_on",
    ),
    "empowerment.TrainingCompleted": (
        "training_completed",
        ("course_id", "sessions_attended"),
        "completed_on",
    ),
    "empowerment.FollowUpRecorded": ("follow_up", _FOLLOW_UP, "held_on"),
    "empowerment.FollowUpCorrected": (
        "follow_up_corrected",
        (*_FOLLOW_UP, "supersedes"),
        "held_on",
    ),
    "empowerment.ReferralAnswered": (
        "referral_answered",
        ("referral_id", "decision"),
        "answered_on",
    ),
}
_SESSION = ("session_id", "kind", "duration_minutes", "approach", "place")
_NONE: dict[str, tuple[str, tuple[str, ...], str | None]] = {}
TABLES = {
    "intake": _INTAKE,
    "psychosocial": _PSYCHOSOCIAL,
    "medical": _MEDICAL,
    "empowerment": _EMPOWERMENT,
}


_new_tuple = tuple.__new__  # a named tuple made straight from its columns (as its __new__ does)


def _kept(payload: dict[str, Any], fields: tuple[str, ...]) -> dict[str, Any]:
    """The payload's `fields` that are present and not null (a plain loop: a rebuild calls this
    once per event, and a comprehension's own frame cost more than its work)."""
    get = payload.get
    data = {}
    for name in fields:
        value = get(name)
        if value is not None:
            data[name] = value
    return data


# A journey entry as a plain tuple of the table's columns, in `Entry`'s order, and the places
# of the columns read from it.
Row = tuple[UUID, str, int, str, datetime, datetime, datetime, dict[str, Any]]
SURVIVOR: Final = 0  # Entry.survivor_id
KIND: Final = 3  # Entry.kind
DATA: Final = 7  # Entry.data


def entries(source: str, event: Event) -> list[Entry]:
    """The journey entries an event of `source` makes (none for events not about a survivor)."""
    return [_new_tuple(Entry, row) for row in entry_rows(source, event)]


def entry_rows(source: str, event: Event) -> list[Row]:
    """`entries` as plain tuples (what a batch writes as JSON: no named tuple made per entry)."""
    payload = event.payload if type(event.payload) is dict else dict(event.payload)
    type_ = event.type
    if type_ == "psychosocial.SessionRecorded":
        return _session(source, event, payload)
    known = TABLES.get(source, _NONE).get(type_)
    if known is None or "survivor_id" not in payload:
        return []
    kind, fields, when = known
    occurred_at = event.occurred_at
    if when is None:
        at = occurred_at
    else:
        value = payload.get(when)
        at = _parse_when(value) if type(value) is str else _when(value, occurred_at)
    data = _kept(payload, fields)
    if type_ in _MEDICAL_DECISIONS:
        data["decision"] = _MEDICAL_DECISIONS[type_]
    elif type_ == "empowerment.LivelihoodPlanStarted":
        data["goal_kinds"] = sorted({str(goal["kind"]) for goal in payload.get("goals", [])})
    if payload.get("retrospective_reason") is not None:
        data["retrospective"] = True  # documented after the fact (the reason stays sealed)
    survivor = _survivor(payload["survivor_id"])
    position = int(event.position or 0)
    return [(survivor, source, position, kind, at, occurred_at, event.recorded_at, data)]


def _session(source: str, event: Event, payload: dict[str, Any]) -> list[Row]:
    """A session's entries: one per participant, with the session's fields and their attendance."""
    occurred_at = event.occurred_at
    held = payload.get("held_on")
    at = _parse_when(held) if type(held) is str else _when(held, occurred_at)
    common = _kept(payload, _SESSION)
    if payload.get("retrospective_reason") is not None:
        common["retrospective"] = True  # documented after the fact (the reason stays sealed)
    position, recorded_at = int(event.position or 0), event.recorded_at
    made: list[Row] = []
    for p in payload.get("participants", []):
        data = common.copy()
        data["attendance"] = p["attendance"]
        survivor = _survivor(p["survivor_id"])
        made.append((survivor, source, position, "session", at, occurred_at, recorded_at, data))
    return made
