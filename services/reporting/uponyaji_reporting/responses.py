"""What reporting's routes answer: the response models of its OpenAPI document."""

from __future__ import annotations

from datetime import date
from typing import Any

from pydantic import BaseModel, Field

Number = int | float


class SourceLag(BaseModel):
    """How far behind one source reporting is: its position, the source's head, the gap."""

    position: int
    head: int | None = Field(description="The source's head; null when it did not answer")
    behind: int | None


Lag = dict[str, SourceLag]


class Milestone(BaseModel):
    """One step of a journey (de-identified: no date, no linking ids in the details)."""

    day: int | None = Field(description="Days since intake")
    at: str | None
    source: str
    kind: str
    details: dict[str, Any]


class TrajectoryPoint(BaseModel):
    """One administration on an instrument's trajectory."""

    day: int | None
    at: str | None
    score: str = Field(description="The score exactly as recorded (a decimal number)")
    band: str | None
    rc_from_previous: float | None
    change_from_previous: str | None
    change_from_first: str | None


class Journey(BaseModel):
    """A survivor's healing journey; de-identified: no ids, no case number, days for dates."""

    survivor_id: str | None
    case_number: str | None
    deidentified: bool
    as_of: str | None
    registered_at: str | None
    days_since_intake: int | None
    days_since_last_contact: int | None
    stages: dict[str, str]
    open_risk_flags: int
    milestones: list[Milestone]
    trajectories: dict[str, list[TrajectoryPoint]]
    lag: Lag


class Selection(BaseModel):
    """What the dashboard's tables count: period, county, team, and how counts are rounded."""

    grain: str
    period: str
    first_day: date
    last_day: date
    county: str | None
    team: str | None
    disclosure: str
    rounding_base: int


class Histogram(BaseModel):
    """Survivors with a duration, and its median when they are enough."""

    survivors: int
    median_days: Number | None


class Outcome(BaseModel):
    """Reliable change on one instrument among survivors assessed twice or more."""

    assessed_twice: int
    reliable_improvement: int
    reliable_improvement_percent: float | None
    reliable_recovery: int
    reliable_recovery_percent: float | None
    deterioration: int
    deterioration_percent: float | None


class Medical(BaseModel):
    """Medical documentation: examinations, consistency levels, signed reports."""

    survivors_examined: int
    overall_consistency: dict[str, int]
    reports_signed: int
    p3_issued: int
    intake_to_signed_report: Histogram


class Money(BaseModel):
    """Survivors and shillings of one county and quarter; the sum only over enough survivors."""

    survivors: int
    kes: int | None = Field(description="Shillings, rounded to whole thousands")


class BusinessSurvival(BaseModel):
    """Businesses followed up and still operating."""

    followed_up: int
    operating: int
    operating_percent: float | None


class Empowerment(BaseModel):
    """Grants, training and livelihood outcomes."""

    grants_approved: dict[str, dict[str, Money]]
    grants_disbursed: dict[str, dict[str, Money]]
    survivors_trained: int
    business_survival: BusinessSurvival
    income_change: dict[str, int]
    hunger_category_change: dict[str, int]


class Dashboard(BaseModel):
    """The programme dashboard of a selection; every count published (rounded)."""

    selection: Selection
    survivors: int
    active_caseload: int
    registrations_per_month: dict[str, int]
    by_county: dict[str, int]
    by_gender: dict[str, int]
    by_age_band: dict[str, int]
    by_perpetrator: dict[str, int]
    by_torture_method: dict[str, int]
    services_received: dict[str, int]
    time_to_first_service: Histogram
    outcomes: dict[str, Outcome]
    open_risk_flags: int
    medical: Medical
    empowerment: Empowerment
    lag: Lag


class AccessRecord(BaseModel):
    """One read or export of survivor data (a list's answer: no survivor, how many it named)."""

    source: str
    staff_id: str
    role: str | None
    action: str
    survivor_id: str | None
    purpose: str | None
    outcome: str | None
    on_caseload: bool | None
    route: str | None
    at: str
    query_hash: str | None
    results: int | None


class AccessAlert(BaseModel):
    """Unusual access by one staff member on one UTC day, with the reasons."""

    staff_id: str
    day: str
    survivors_read: int
    survivors_outside_caseload: int
    survivors_refused: int
    searches: int
    survivors_listed: int
    reasons: list[str]


class Audit(BaseModel):
    """Who read or exported which survivor's data, and unusual access."""

    records: list[AccessRecord]
    alerts: list[AccessAlert]
    lag: Lag
