"""What empowerment's contract modules share: money, the hunger scale, vocabularies, examples."""

from __future__ import annotations

from enum import StrEnum
from typing import Annotated, Any

from pydantic import Field, StringConstraints

from uponyaji_events.contracts.types import example_id

SERVICE = "empowerment"
SURVIVOR = example_id(1)
ASSESSMENT, PLAN, GOAL, STEP = example_id(71), example_id(72), example_id(73), example_id(74)
GRANT, DISBURSEMENT, BUDGET = example_id(75), example_id(76), example_id(77)
COURSE, SESSION, FOLLOW_UP = example_id(78), example_id(79), example_id(80)
CORRECTED, REFERRAL = example_id(81), example_id(21)
OFFICER, LEAD = example_id(101), example_id(102)

# Kenya shillings as an exact decimal string (at most two decimals; never a float).
Kes = Annotated[str, StringConstraints(pattern=r"^(0|[1-9][0-9]{0,11})(\.[0-9]{1,2})?$")]
# A keyed digest (HMAC-SHA-256, hex) of a payment reference: finds a reference used twice
# without keeping the reference itself in clear.
Digest = Annotated[str, StringConstraints(pattern=r"^[0-9a-f]{64}$")]
BudgetCode = Annotated[str, StringConstraints(pattern=r"^[A-Z0-9][A-Z0-9-]{1,39}$")]
CourseTitle = Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9][A-Za-z0-9 ,.'()&/-]{2,119}$")]


class HungerAnswer(StrEnum):
    """How often, in the past four weeks (Household Hunger Scale frequency, scored 0/1/2)."""

    NEVER = "never"
    RARELY_OR_SOMETIMES = "rarely_or_sometimes"
    OFTEN = "often"


class HungerCategory(StrEnum):
    """Household Hunger Scale category (FANTA): 0–1 little or none, 2–3 moderate, 4–6 severe."""

    LITTLE_OR_NONE = "little_or_none"
    MODERATE = "moderate"
    SEVERE = "severe"


class IncomeSource(StrEnum):
    """Where a household's income comes from."""

    CASUAL_LABOUR = "casual_labour"
    FARMING = "farming"
    LIVESTOCK = "livestock"
    SMALL_BUSINESS = "small_business"
    FORMAL_EMPLOYMENT = "formal_employment"
    REMITTANCES = "remittances"
    CASH_TRANSFER = "cash_transfer"
    PENSION = "pension"
    NONE = "none"
    OTHER = "other"


class Housing(StrEnum):
    """Where the household lives."""

    OWNED = "owned"
    RENTED = "rented"
    HOSTED_BY_FAMILY = "hosted_by_family"
    INFORMAL_SETTLEMENT = "informal_settlement"
    DISPLACED = "displaced"
    HOMELESS = "homeless"


class Skill(StrEnum):
    """Skills a survivor has (or is trained in)."""

    FARMING = "farming"
    LIVESTOCK = "livestock"
    TAILORING = "tailoring"
    HAIRDRESSING = "hairdressing"
    CARPENTRY = "carpentry"
    MASONRY = "masonry"
    WELDING = "welding"
    MECHANICS = "mechanics"
    DRIVING = "driving"
    TRADING = "trading"
    CATERING = "catering"
    BOOKKEEPING = "bookkeeping"
    DIGITAL = "digital"
    OTHER = "other"


class Barrier(StrEnum):
    """Barriers to earning that the torture caused."""

    INJURY = "injury"
    DISABILITY = "disability"
    CHRONIC_PAIN = "chronic_pain"
    PSYCHOLOGICAL_DISTRESS = "psychological_distress"
    STIGMA = "stigma"
    LOST_DOCUMENTS = "lost_documents"
    LOST_TOOLS_OR_ASSETS = "lost_tools_or_assets"
    LOST_EMPLOYMENT = "lost_employment"
    LOST_BREADWINNER = "lost_breadwinner"
    DISPLACEMENT = "displacement"
    OTHER = "other"


class GoalKind(StrEnum):
    """What a livelihood-plan goal aims at."""

    BUSINESS_START = "business_start"
    BUSINESS_RESTORE = "business_restore"
    EMPLOYMENT = "employment"
    VOCATIONAL_SKILL = "vocational_skill"
    EDUCATION = "education"
    GROUP_SAVINGS = "group_savings"  # chama / VSLA membership


class GoalStatus(StrEnum):
    """Where a livelihood-plan goal stands."""

    NOT_STARTED = "not_started"
    IN_PROGRESS = "in_progress"
    ACHIEVED = "achieved"
    NOT_ACHIEVED = "not_achieved"
    DISCONTINUED = "discontinued"


class GrantPurpose(StrEnum):
    """What a grant pays for."""

    BUSINESS_START = "business_start"
    BUSINESS_RESTORE = "business_restore"
    TOOLS_AND_EQUIPMENT = "tools_and_equipment"
    STOCK = "stock"
    LIVESTOCK = "livestock"
    TRAINING_FEES = "training_fees"
    SCHOOL_FEES = "school_fees"
    GROUP_SAVINGS = "group_savings"
    OTHER = "other"


class Channel(StrEnum):
    """How a disbursement reached the survivor."""

    MPESA = "mpesa"
    BANK = "bank"
    IN_KIND = "in_kind"


class EmploymentStatus(StrEnum):
    """A survivor's work at a follow-up."""

    SELF_EMPLOYED = "self_employed"
    EMPLOYED = "employed"
    CASUAL = "casual"
    UNEMPLOYED = "unemployed"
    IN_TRAINING = "in_training"
    UNABLE_TO_WORK = "unable_to_work"


class Milestone(StrEnum):
    """Follow-ups after the plan starts or the first grant money arrives."""

    MONTH_3 = "month_3"
    MONTH_6 = "month_6"
    MONTH_12 = "month_12"


def optional(description: str) -> Any:
    """An optional field (null when absent), e.g. a sealed note."""
    return Field(default=None, description=description)
