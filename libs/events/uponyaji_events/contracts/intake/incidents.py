"""Intake contracts of incidents (allegations), with controlled vocabularies."""

from __future__ import annotations

from datetime import date
from uuid import UUID

from pydantic import Field

from uponyaji_events.contracts.intake.common import INCIDENT, OTHER, SURVIVOR, optional
from uponyaji_events.contracts.types import (
    CountyCode,
    EventPayload,
    SealedValue,
    example_sealed,
    examples,
)
from uponyaji_events.contracts.vocabularies import (
    PerpetratorCategory,
    PlaceType,
    ReportedTo,
    TortureMethod,
)


class Detention(EventPayload):
    """Detention linked to an incident."""

    place_types: list[PlaceType] = Field(default_factory=list, description="Where they were held")
    duration_days: int | None = Field(default=None, ge=0, description="Days held, if known")
    incommunicado: bool | None = Field(default=None, description="Held without outside contact")
    charged: bool | None = Field(default=None, description="Whether a charge was brought")


class IncidentReport(EventPayload):
    """Where and when an incident was reported."""

    reported_to: ReportedTo = Field(description="The body it was reported to")
    reported_on: date | None = Field(default=None, description="Date reported, if known")
    reference: SealedValue | None = optional("Police OB number or complaint reference")


class IncidentDocumented(EventPayload):
    """An incident (allegation) was documented with vocabularies and a sealed narrative."""

    model_config = examples(
        {
            "incident_id": INCIDENT,
            "survivor_id": SURVIVOR,
            "occurred_from": "2025-11-03",
            "occurred_until": "2025-11-05",
            "date_is_approximate": False,
            "county_code": "042",
            "place_type": "police_station",
            "place_description": example_sealed("place"),
            "perpetrators": ["kenya_police_service"],
            "methods": ["beating", "falanga", "threats"],
            "detention": {"place_types": ["police_station"], "duration_days": 3},
            "reports": [
                {
                    "reported_to": "ipoa",
                    "reported_on": "2025-11-20",
                    "reference": example_sealed("ref"),
                }
            ],
            "other_survivor_ids": [OTHER],
            "other_survivors_count": 2,
            "narrative": example_sealed("narrative"),
            "witnesses": [example_sealed("witness")],
        }
    )

    incident_id: UUID = Field(description="The incident's id (the incident stream's id)")
    survivor_id: UUID = Field(description="The survivor who reported it")
    occurred_from: date = Field(description="Date, or first day of the period, it happened")
    occurred_until: date | None = Field(default=None, description="Last day of the period")
    date_is_approximate: bool = Field(default=False, description="Whether the dates are estimates")
    county_code: CountyCode | None = Field(default=None, description="County, if known")
    place_type: PlaceType = Field(description="Kind of place")
    place_description: SealedValue | None = optional("Exact place")
    perpetrators: list[PerpetratorCategory] = Field(
        min_length=1, description="Alleged perpetrators"
    )
    methods: list[TortureMethod] = Field(min_length=1, description="Methods of torture alleged")
    detention: Detention | None = Field(default=None, description="Detention, if any")
    reports: list[IncidentReport] = Field(default_factory=list, description="Where it was reported")
    other_survivor_ids: list[UUID] = Field(
        default_factory=list, description="Registered survivors of the same incident"
    )
    other_survivors_count: int | None = Field(
        default=None, ge=0, description="How many others were affected, registered or not"
    )
    narrative: SealedValue = Field(description="The survivor's account")
    witnesses: list[SealedValue] = Field(default_factory=list, description="Witnesses, one each")
