"""Intake contracts of a survivor's record: registration, corrections, merges."""

from __future__ import annotations

from datetime import date
from uuid import UUID

from pydantic import Field

from uponyaji_events.contracts.intake.common import CASE, OTHER, SURVIVOR, optional, survivor_field
from uponyaji_events.contracts.types import (
    CaseNumber,
    CountyCode,
    EventPayload,
    LanguageCode,
    SealedValue,
    example_sealed,
    examples,
)
from uponyaji_events.contracts.vocabularies import AgeBand, DisabilityDomain, Gender


class NextOfKin(EventPayload):
    """A survivor's next of kin (every part sealed)."""

    name: SealedValue = Field(description="Next of kin's name")
    relationship: SealedValue | None = optional("Relationship to the survivor")
    phone: SealedValue | None = optional("Next of kin's phone number (+254...)")


class SurvivorRegistered(EventPayload):
    """A survivor was registered: sealed identity plus unsealed fields for aggregates."""

    model_config = examples(
        {
            "survivor_id": SURVIVOR,
            "case_number": CASE,
            "full_name": example_sealed("full_name"),
            "other_names": [example_sealed("other_name")],
            "phone": example_sealed("phone"),
            "id_document": example_sealed("id_document"),
            "birth_date": example_sealed("birth_date"),
            "birth_date_estimated": True,
            "next_of_kin": {
                "name": example_sealed("kin_name"),
                "relationship": example_sealed("kin_relationship"),
                "phone": example_sealed("kin_phone"),
            },
            "location": example_sealed("location"),
            "county_code": "047",
            "gender": "female",
            "age_band": "25-34",
            "disabilities": ["mobility"],
            "preferred_language": "sw",
            "possible_duplicates": [OTHER],
            "duplicate_override_reason": example_sealed("override"),
        }
    )

    survivor_id: UUID = survivor_field()
    case_number: CaseNumber = Field(description="Human case number, e.g. UPJ-2026-000123")
    full_name: SealedValue = Field(description="Full name as the survivor gives it")
    other_names: list[SealedValue] = Field(default_factory=list, description="Other names, aliases")
    phone: SealedValue | None = optional("Phone number (+254...)")
    id_document: SealedValue | None = optional(
        "National ID, passport or other document: kind, number"
    )
    birth_date: SealedValue | None = optional(
        "Date of birth (YYYY-MM-DD), or estimated year (YYYY)"
    )
    birth_date_estimated: bool = Field(default=False, description="Whether birth_date is estimated")
    registered_on: date | None = optional(
        "The day of registration when it was recorded later (the event's occurred_at is that "
        "day too); absent: registered when recorded"
    )
    next_of_kin: NextOfKin | None = Field(default=None, description="Next of kin, if given")
    location: SealedValue | None = optional("Exact location: village or estate, landmarks, GPS")
    county_code: CountyCode = Field(description="County of residence (Kenyan county code, 001-047)")
    gender: Gender = Field(description="Gender as the survivor states it")
    age_band: AgeBand = Field(description="Age band at registration")
    disabilities: list[DisabilityDomain] = Field(
        default_factory=list, description="Domains with difficulty; empty when none reported"
    )
    preferred_language: LanguageCode = Field(description="Preferred language (BCP 47, e.g. sw)")
    possible_duplicates: list[UUID] = Field(
        default_factory=list, description="Duplicate candidates shown, registered anyway"
    )
    duplicate_override_reason: SealedValue | None = optional("Why registered despite candidates")


class IdentityCorrected(EventPayload):
    """A survivor's identity or aggregate fields were corrected; absent fields are unchanged."""

    model_config = examples(
        {
            "survivor_id": SURVIVOR,
            "full_name": example_sealed("full_name_2"),
            "phone": example_sealed("phone_2"),
            "next_of_kin": {"name": example_sealed("kin_name_2")},
            "age_band": "35-44",
            "reason": example_sealed("correction"),
        }
    )

    survivor_id: UUID = survivor_field()
    full_name: SealedValue | None = optional("Corrected full name")
    other_names: list[SealedValue] | None = optional("Corrected other names (replaces the list)")
    phone: SealedValue | None = optional("Corrected phone number")
    id_document: SealedValue | None = optional("Corrected identity document")
    birth_date: SealedValue | None = optional("Corrected date of birth or estimated year")
    birth_date_estimated: bool | None = Field(default=None, description="Corrected estimate flag")
    next_of_kin: NextOfKin | None = Field(default=None, description="Corrected next of kin")
    location: SealedValue | None = optional("Corrected exact location")
    county_code: CountyCode | None = Field(default=None, description="Corrected county code")
    gender: Gender | None = Field(default=None, description="Corrected gender")
    age_band: AgeBand | None = Field(default=None, description="Corrected age band")
    disabilities: list[DisabilityDomain] | None = Field(
        default=None, description="Corrected disability domains (replaces the list)"
    )
    preferred_language: LanguageCode | None = Field(default=None, description="Corrected language")
    reason: SealedValue | None = optional("Why the record was corrected")


class SurvivorsMerged(EventPayload):
    """Another record of the same person was merged into this one; both histories are kept."""

    model_config = examples(
        {
            "survivor_id": SURVIVOR,
            "merged_survivor_id": OTHER,
            "merged_case_number": "UPJ-2026-000124",
            "reason": example_sealed("merge"),
        }
    )

    survivor_id: UUID = Field(description="The record kept (this stream)")
    merged_survivor_id: UUID = Field(description="The duplicate record, read as this one from now")
    merged_case_number: CaseNumber = Field(description="The duplicate record's case number")
    reason: SealedValue | None = optional("Why the records are the same person")
