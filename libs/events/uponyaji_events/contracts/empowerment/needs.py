"""Empowerment contracts of needs assessments (household, income, hunger, barriers)."""

from __future__ import annotations

from datetime import date
from typing import Any
from uuid import UUID

from pydantic import Field

from uponyaji_events.contracts.empowerment.common import (
    ASSESSMENT,
    CORRECTED,
    SURVIVOR,
    Barrier,
    Housing,
    HungerAnswer,
    HungerCategory,
    IncomeSource,
    Kes,
    Skill,
    optional,
)
from uponyaji_events.contracts.types import (
    EventPayload,
    SealedValue,
    example_sealed,
    examples,
)

_NEEDS: dict[str, Any] = {
    "assessment_id": ASSESSMENT,
    "survivor_id": SURVIVOR,
    "assessed_on": "2026-03-02",
    "household_size": 6,
    "dependants": 4,
    "earners": 1,
    "income_sources": ["casual_labour"],
    "monthly_income_kes": "4500.00",
    "housing": "rented",
    "hunger_answers": ["often", "rarely_or_sometimes", "never"],
    "hunger_score": 3,
    "hunger_category": "moderate",
    "school_age_children": 3,
    "children_out_of_school": 1,
    "debts_kes": "12000",
    "skills": ["tailoring"],
    "barriers": ["injury", "lost_tools_or_assets"],
    "notes": example_sealed("needs_notes"),
}


class NeedsAssessed(EventPayload):
    """An empowerment officer assessed a survivor's household's needs."""

    model_config = examples(_NEEDS)

    assessment_id: UUID = Field(description="The assessment's id")
    survivor_id: UUID = Field(description="The survivor (the survivor stream's id)")
    assessed_on: date = Field(description="Day of the assessment (East Africa Time)")
    household_size: int = Field(ge=1, le=40, description="People in the household")
    dependants: int = Field(ge=0, le=40, description="People depending on the household's income")
    earners: int = Field(ge=0, le=40, description="People in the household earning")
    income_sources: list[IncomeSource] = Field(description="Sources of income")
    monthly_income_kes: Kes = Field(description="Household income per month, KES (exact)")
    housing: Housing = Field(description="Where the household lives")
    hunger_answers: list[HungerAnswer] = Field(
        min_length=3,
        max_length=3,
        description="Household Hunger Scale: no food in the house; went to sleep hungry; "
        "a whole day and night without eating — each in the past four weeks",
    )
    hunger_score: int = Field(ge=0, le=6, description="Household Hunger Scale score (0–6)")
    hunger_category: HungerCategory = Field(description="FANTA category of the score")
    school_age_children: int = Field(ge=0, le=40, description="Children of school age")
    children_out_of_school: int = Field(ge=0, le=40, description="Of them, not in school")
    debts_kes: Kes = Field(description="Debts outstanding, KES (exact)")
    skills: list[Skill] = Field(description="Skills the survivor has")
    barriers: list[Barrier] = Field(description="Barriers to earning caused by the torture")
    notes: SealedValue | None = optional("The officer's notes")


class NeedsAssessmentCorrected(NeedsAssessed):
    """A needs assessment was corrected: this one supersedes it, with a reason (history kept)."""

    model_config = examples(
        {
            **_NEEDS,
            "assessment_id": CORRECTED,
            "supersedes": ASSESSMENT,
            "reason": example_sealed("why"),
        }
    )

    supersedes: UUID = Field(description="The assessment this one replaces")
    reason: SealedValue = Field(description="Why it was corrected")
