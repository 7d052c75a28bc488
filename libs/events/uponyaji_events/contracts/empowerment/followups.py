"""Empowerment contracts of follow-ups at 3, 6 and 12 months, and of referral answers."""

from __future__ import annotations

from datetime import date
from typing import Any
from uuid import UUID

from pydantic import Field

from uponyaji_events.contracts.empowerment.common import (
    CORRECTED,
    FOLLOW_UP,
    SURVIVOR,
    EmploymentStatus,
    HungerAnswer,
    HungerCategory,
    Kes,
    Milestone,
    optional,
)
from uponyaji_events.contracts.types import EventPayload, SealedValue, example_sealed, examples

_FOLLOW_UP: dict[str, Any] = {
    "follow_up_id": FOLLOW_UP,
    "survivor_id": SURVIVOR,
    "milestone": "month_6",
    "due_on": "2026-10-12",
    "held_on": "2026-10-14",
    "monthly_income_kes": "9000.00",
    "business_operating": True,
    "employment_status": "self_employed",
    "hunger_answers": ["rarely_or_sometimes", "never", "never"],
    "hunger_score": 1,
    "hunger_category": "little_or_none",
    "notes": example_sealed("follow_up"),
}


class FollowUpRecorded(EventPayload):
    """A follow-up was held: income, business, work and household hunger again."""

    model_config = examples(_FOLLOW_UP)

    follow_up_id: UUID = Field(description="The follow-up's id")
    survivor_id: UUID = Field(description="The survivor (the survivor stream's id)")
    milestone: Milestone = Field(description="Which follow-up: 3, 6 or 12 months")
    due_on: date = Field(description="When it was due")
    held_on: date = Field(description="When it was held")
    monthly_income_kes: Kes = Field(description="Household income per month, KES (exact)")
    business_operating: bool | None = Field(
        description="Whether the business is operating (null: the plan has no business)"
    )
    employment_status: EmploymentStatus = Field(description="The survivor's work now")
    hunger_answers: list[HungerAnswer] = Field(
        min_length=3, max_length=3, description="Household Hunger Scale answers, as at needs"
    )
    hunger_score: int = Field(ge=0, le=6, description="Household Hunger Scale score (0–6)")
    hunger_category: HungerCategory = Field(description="FANTA category of the score")
    notes: SealedValue | None = optional("The officer's notes")


class FollowUpCorrected(FollowUpRecorded):
    """A follow-up was corrected: this one supersedes it, with a reason (history kept)."""

    model_config = examples(
        {
            **_FOLLOW_UP,
            "follow_up_id": CORRECTED,
            "supersedes": FOLLOW_UP,
            "reason": example_sealed("why"),
        }
    )

    supersedes: UUID = Field(description="The follow-up this one replaces")
    reason: SealedValue = Field(description="Why it was corrected")
