"""Request bodies of intake's API: plaintext in, validated here, sealed by the handlers."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Annotated, Literal, Self
from uuid import UUID

from pydantic import AfterValidator, AwareDatetime, BaseModel, ConfigDict, Field, model_validator
from pydantic import StringConstraints as S
from uponyaji_events.contracts.types import CountyCode, LanguageCode
from uponyaji_events.contracts.vocabularies import (
    AgeBand,
    ClosureReason,
    ConsentMethod,
    ConsentParty,
    ConsentScope,
    DisabilityDomain,
    Gender,
    GuardianRelationship,
    PerpetratorCategory,
    PlaceType,
    ReferralStatus,
    ReferralTarget,
    ReportedTo,
    TortureMethod,
    Urgency,
)
from uponyaji_events.eat import today
from uponyaji_events.text import StorableText

from .blind_index import normalise_phone

Text = StorableText
# The earliest registration date accepted (files older than the programme are not registrations).
REGISTRATION_FLOOR = date(2000, 1, 1)
Name = Annotated[str, S(strip_whitespace=True, min_length=1, max_length=200), Text]
Note = Annotated[str, S(strip_whitespace=True, min_length=1, max_length=2000), Text]
Narrative = Annotated[str, S(strip_whitespace=True, min_length=1, max_length=20000), Text]
Reference = Annotated[str, S(strip_whitespace=True, min_length=1, max_length=100), Text]
Phone = Annotated[str, S(strip_whitespace=True, max_length=32), AfterValidator(normalise_phone)]
DocumentNumber = Annotated[
    str, S(strip_whitespace=True, pattern=r"^[A-Za-z0-9][A-Za-z0-9 /-]{2,29}$")
]


def _not_future(value: date) -> date:
    if value > today():
        raise ValueError("must not be in the future")
    return value


PastDate = Annotated[date, AfterValidator(_not_future)]


class Body(BaseModel):
    """Base of request bodies: unknown fields are refused (a typo must not silently drop data)."""

    model_config = ConfigDict(extra="forbid")


class IdDocument(Body):
    """An identity document: its kind and number."""

    kind: Literal["national_id", "passport", "refugee_id", "other"]
    number: DocumentNumber


class NextOfKin(Body):
    """Next of kin."""

    name: Name
    relationship: Name | None = None
    phone: Phone | None = None


class IdentityFields(Body):
    """The sealed identity fields a registration or correction may carry."""

    other_names: list[Name] | None = Field(default=None, max_length=10)
    phone: Phone | None = None
    id_document: IdDocument | None = None
    birth_date: PastDate | None = Field(default=None, description="Exact date of birth")
    estimated_birth_year: int | None = Field(
        default=None, ge=1900, le=2100, description="When the exact date is not known"
    )
    next_of_kin: NextOfKin | None = None
    location: Note | None = Field(default=None, description="Village or estate, landmarks, GPS")

    @model_validator(mode="after")
    def _one_birth_date(self) -> Self:
        if self.birth_date is not None and self.estimated_birth_year is not None:
            raise ValueError("give birth_date or estimated_birth_year, not both")
        if self.estimated_birth_year is not None and self.estimated_birth_year > today().year:
            raise ValueError("estimated_birth_year must not be in the future")
        return self


class RegisterSurvivorBody(IdentityFields):
    """Register a survivor: sealed identity, unsealed aggregate fields, the first assignment."""

    full_name: Name
    county_code: CountyCode
    gender: Gender
    age_band: AgeBand | None = Field(default=None, description="Derived from birth date if absent")
    disabilities: list[DisabilityDomain] = Field(default_factory=list, max_length=6)
    preferred_language: LanguageCode
    team_id: UUID | None = Field(default=None, description="Default: the caller's only team")
    lead_case_worker_id: UUID | None = Field(default=None, description="Default: the caller")
    register_anyway_reason: Note | None = Field(
        default=None, description="Needed when possible duplicates were found"
    )
    registered_on: date | None = Field(
        default=None,
        description="The day the survivor was registered, when recorded later (e.g. from a "
        f"paper file); default today. Not in the future, not before {REGISTRATION_FLOOR}",
    )

    @model_validator(mode="after")
    def _registered_on(self) -> Self:
        if self.registered_on is None:
            return self
        if self.registered_on > today():
            raise ValueError("registered_on must not be in the future")
        if self.registered_on < REGISTRATION_FLOOR:
            raise ValueError(f"registered_on must not be before {REGISTRATION_FLOOR}")
        if self.birth_date is not None and self.registered_on < self.birth_date:
            raise ValueError("registered_on must not be before the date of birth")
        return self


class CorrectIdentityBody(IdentityFields):
    """Correct identity or aggregate fields; absent fields stay as they are."""

    full_name: Name | None = None
    county_code: CountyCode | None = None
    gender: Gender | None = None
    age_band: AgeBand | None = None
    disabilities: list[DisabilityDomain] | None = Field(default=None, max_length=6)
    preferred_language: LanguageCode | None = None
    reason: Note | None = None

    @model_validator(mode="after")
    def _something(self) -> Self:
        if not self.model_dump(exclude={"reason"}, exclude_none=True):
            raise ValueError("a correction needs at least one corrected field")
        return self


class MergeBody(Body):
    """Merge another record of the same person into this one."""

    merged_survivor_id: UUID
    reason: Note | None = None


class ConsentBody(Body):
    """Grant or withdraw consent for one scope."""

    scope: ConsentScope
    decision: Literal["grant", "withdraw"]
    method: ConsentMethod
    party: ConsentParty = ConsentParty.SURVIVOR
    witness: Name | None = None
    language: LanguageCode
    at: AwareDatetime | None = Field(default=None, description="When given; default: now")
    reason: Note | None = Field(default=None, description="Withdrawals only")
    guardian_name: Name | None = Field(default=None, description="A minor's guardian (sealed)")
    guardian_relationship: GuardianRelationship | None = Field(
        default=None, description="How the guardian is related to the minor"
    )
    child_assent: bool | None = Field(
        default=None, description="A minor: the child's own assent was sought and given"
    )

    @model_validator(mode="after")
    def _reason_for_withdrawals(self) -> Self:
        if self.reason is not None and self.decision == "grant":
            raise ValueError("reason is for withdrawals only")
        guardian = (self.guardian_name, self.guardian_relationship, self.child_assent)
        if self.decision == "withdraw" and any(value is not None for value in guardian):
            raise ValueError("guardian_name, guardian_relationship and child_assent are for grants")
        if self.at is not None and self.at > datetime.now(UTC):
            raise ValueError("at must not be in the future")
        return self


class DetentionBody(Body):
    """Detention linked to an incident."""

    place_types: list[PlaceType] = Field(default_factory=list, max_length=6)
    duration_days: int | None = Field(default=None, ge=0, le=36500)
    incommunicado: bool | None = None
    charged: bool | None = None


class ReportBody(Body):
    """Where an incident was reported."""

    reported_to: ReportedTo
    reported_on: PastDate | None = None
    reference: Reference | None = None


class IncidentBody(Body):
    """Document an incident (allegation)."""

    occurred_from: PastDate
    occurred_until: PastDate | None = None
    date_is_approximate: bool = False
    county_code: CountyCode | None = None
    place_type: PlaceType
    place_description: Note | None = None
    perpetrators: list[PerpetratorCategory] = Field(min_length=1, max_length=14)
    methods: list[TortureMethod] = Field(min_length=1, max_length=26)
    detention: DetentionBody | None = None
    reports: list[ReportBody] = Field(default_factory=list, max_length=10)
    other_survivor_ids: list[UUID] = Field(default_factory=list, max_length=100)
    other_survivors_count: int | None = Field(default=None, ge=0, le=100000)
    narrative: Narrative
    witnesses: list[Name] = Field(default_factory=list, max_length=20)

    @model_validator(mode="after")
    def _dates_in_order(self) -> Self:
        if self.occurred_until is not None and self.occurred_until < self.occurred_from:
            raise ValueError("occurred_until must not be before occurred_from")
        return self


class ReferralBody(Body):
    """Refer the survivor to a service or an external provider."""

    target: ReferralTarget
    urgency: Urgency
    external_provider: Name | None = None
    reason: Note | None = None
    incident_ids: list[UUID] = Field(default_factory=list, max_length=50)

    @model_validator(mode="after")
    def _provider_for_external(self) -> Self:
        if (self.target is ReferralTarget.EXTERNAL) != (self.external_provider is not None):
            raise ValueError("external_provider is required for external referrals, and only then")
        return self


class ReferralStatusBody(Body):
    """Record the receiving side's answer to a referral."""

    status: ReferralStatus
    note: Note | None = None


class AssignmentBody(Body):
    """Assign or reassign the case."""

    team_id: UUID
    lead_case_worker_id: UUID | None = None


class ClosureBody(Body):
    """Close the case, or reopen it."""

    action: Literal["close", "reopen"] = "close"
    reason: ClosureReason | None = Field(default=None, description="Required to close")
    note: Note | None = Field(default=None, description="Closing note, or why it is reopened")

    @model_validator(mode="after")
    def _reason(self) -> Self:
        if self.action == "close" and self.reason is None:
            raise ValueError("reason is required to close a case")
        if self.action == "reopen" and (self.reason is not None or self.note is None):
            raise ValueError("reopening takes a note (why) and no closure reason")
        return self


class SearchBody(Body):
    """A search text: case number, phone, ID number or name parts."""

    q: Annotated[str, S(strip_whitespace=True, min_length=2, max_length=200), Text]


class ErasureBody(Body):
    """Record a survivor's erasure request."""

    received_on: PastDate | None = Field(default=None, description="Default: today")
