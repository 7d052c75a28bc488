"""What intake's routes answer: the response models of its OpenAPI document."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated
from uuid import UUID

from pydantic import BaseModel, PlainSerializer, WithJsonSchema

# A moment as the API has always written it: ISO 8601 with the offset spelled out (+00:00).
Moment = Annotated[
    datetime,
    PlainSerializer(lambda at: at.isoformat(), return_type=str),
    WithJsonSchema({"type": "string", "format": "date-time"}),
]


class WrittenEvent(BaseModel):
    """One event a command recorded."""

    type: str
    stream_id: str
    version: int


class Written(BaseModel):
    """The answer to a command: what was recorded."""

    events: list[WrittenEvent]


class Registered(BaseModel):
    """A survivor was registered (with any possible duplicates an officer confirmed past)."""

    survivor_id: UUID
    case_number: str
    possible_duplicates: list[UUID]


class SearchHit(BaseModel):
    """One search result: case number, status, why it matched, and the name if visible."""

    survivor_id: UUID
    case_number: str
    status: str
    erasure_status: str | None
    county_code: str
    team_id: str | None
    match: list[str]
    full_name: str | None


class SearchResults(BaseModel):
    """The survivors a search found (on the caller's caseload unless they may see all)."""

    results: list[SearchHit]


class IdDocument(BaseModel):
    """An identity document (`[erased]` in both parts after erasure)."""

    kind: str
    number: str


class NextOfKin(BaseModel):
    """The survivor's next of kin."""

    name: str | None
    relationship: str | None
    phone: str | None


class Identity(BaseModel):
    """The survivor's identity fields in clear (each `[erased]` after erasure)."""

    full_name: str | None
    other_names: list[str]
    phone: str | None
    id_document: IdDocument | None
    birth_date: str | None
    next_of_kin: NextOfKin | None
    location: str | None


class MergedRecord(BaseModel):
    """A record of the same person merged into this one."""

    survivor_id: UUID
    case_number: str


class Survivor(BaseModel):
    """A survivor's record; `identity` is null unless the caller may see identity fields."""

    survivor_id: UUID
    case_number: str
    status: str
    registered_at: Moment
    registered_on: date | None = None  # the day of a registration recorded later
    county_code: str
    gender: str
    age_band: str
    disabilities: list[str]
    preferred_language: str
    birth_date_estimated: bool
    team_id: str | None
    lead_case_worker_id: UUID | None
    closure_reason: str | None
    closed_at: Moment | None
    merged_into: UUID | None
    erasure_status: str | None
    version: int
    updated_at: Moment
    merged_records: list[MergedRecord]
    identity: Identity | None


class CurrentConsent(BaseModel):
    """Consent for one scope now; a scope never asked carries its scope and status alone."""

    scope: str
    status: str
    method: str | None = None
    party: str | None = None
    language: str | None = None
    changed_at: Moment | None = None


class ConsentDecision(BaseModel):
    """One grant or withdrawal; witness and reason only for those who may see identity."""

    event_id: UUID
    scope: str
    granted: bool
    method: str
    party: str
    language: str
    at: Moment
    recorded_at: Moment
    recorded_by: str
    recorded_role: str
    decision: str
    witness: str | None
    reason: str | None


class Consents(BaseModel):
    """Current consent per scope (every scope) and every grant and withdrawal."""

    current: list[CurrentConsent]
    history: list[ConsentDecision]


class IncidentDocumented(BaseModel):
    """An incident was documented."""

    incident_id: str
    events: list[WrittenEvent]


class Detention(BaseModel):
    """Detention during the incident."""

    place_types: list[str]
    duration_days: int | None
    incommunicado: bool | None
    charged: bool | None


class IncidentReport(BaseModel):
    """Where the incident was reported; the reference only with the narrative."""

    reported_to: str
    reported_on: date | None
    reference: str | None


class Incident(BaseModel):
    """An incident; narrative, witnesses, exact place and report references only if visible."""

    incident_id: UUID
    survivor_id: UUID
    occurred_from: date
    occurred_until: date | None
    date_is_approximate: bool
    county_code: str | None
    place_type: str
    place_description: str | None
    perpetrators: list[str]
    methods: list[str]
    detention: Detention | None
    reports: list[IncidentReport]
    other_survivor_ids: list[UUID]
    other_survivors_count: int | None
    narrative: str | None
    witnesses: list[str] | None
    documented_at: Moment
    documented_by: str


class Incidents(BaseModel):
    """A survivor's incidents (and those of records merged in), oldest first."""

    incidents: list[Incident]


class ReferralMade(BaseModel):
    """A referral was made (pending until the receiving side answers)."""

    referral_id: str
    status: str
    events: list[WrittenEvent]


class Referral(BaseModel):
    """A referral with its status; the provider, reason and notes only if visible."""

    referral_id: UUID
    survivor_id: UUID
    target: str
    urgency: str
    status: str
    incident_ids: list[UUID]
    external_provider: str | None
    reason: str | None
    status_note: str | None
    made_at: Moment
    updated_at: Moment


class Referrals(BaseModel):
    """A survivor's referrals, oldest first."""

    referrals: list[Referral]


class ErasureRequest(BaseModel):
    """An erasure request and the services that confirmed so far."""

    request_id: UUID
    received_on: date
    requested_at: Moment
    participants: list[str]
    completed_at: Moment | None
    confirmed: list[str]


class ErasureRequests(BaseModel):
    """A survivor's erasure requests, oldest first."""

    requests: list[ErasureRequest]


class ErasureRequested(BaseModel):
    """An erasure request was recorded; intake's key is destroyed already."""

    requests: list[ErasureRequest]
    events: list[WrittenEvent]
