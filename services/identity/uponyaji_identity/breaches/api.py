"""The breach register's routes (the data protection officer only; every call audited)."""

from __future__ import annotations

import csv
import io
from collections.abc import Awaitable, Callable
from datetime import datetime
from enum import StrEnum
from typing import Annotated, Any, Literal, TypeVar
from uuid import UUID

from fastapi import APIRouter, Depends, Path, Query, Request
from fastapi.responses import Response
from pydantic import AwareDatetime, BaseModel, ConfigDict, Field
from uponyaji_access import Grant, authorize
from uponyaji_events.text import StorableText
from uponyaji_notify import for_staff
from uponyaji_service import Clock, running
from uponyaji_service.openapi import file_download

from ..api.deps import IdentityDep
from . import domain, register
from .domain import BreachRuleBroken, Risk

router = APIRouter(tags=["breach register"])
Manage = Annotated[Grant, Depends(authorize("breach.manage", survivor=None))]
BreachId = Annotated[UUID, Path(description="The breach's id")]
T = TypeVar("T")
Text = Annotated[str, Field(min_length=3, max_length=4000), StorableText]
Short = Annotated[str, Field(min_length=1, max_length=200), StorableText]


async def clock_of(request: Request) -> Clock:
    """The service's clock (the factory's, so tests may move time)."""
    return running(request.app).parts.clock


Now = Annotated[Clock, Depends(clock_of)]


class Nature(StrEnum):
    """What the breach did to the data."""

    CONFIDENTIALITY = "confidentiality"  # seen or taken by someone not entitled
    INTEGRITY = "integrity"  # altered
    AVAILABILITY = "availability"  # lost or destroyed


class DataClass(StrEnum):
    """Which kinds of personal data were involved."""

    IDENTITY = "identity"
    CONTACT = "contact"
    HEALTH = "health"
    COUNSELLING = "counselling"
    INCIDENT = "incident"
    FINANCIAL = "financial"
    STAFF = "staff"
    CREDENTIALS = "credentials"
    OTHER = "other"


class Body(BaseModel):
    """Bodies refuse unknown fields."""

    model_config = ConfigDict(extra="forbid")


class BreachBody(Body):
    """A breach as first recorded: when found, when the organisation became aware, what."""

    detected_at: AwareDatetime
    aware_at: AwareDatetime = Field(description="The 72 hours to notify run from here")
    summary: Text = Field(description="What happened; refer to survivors by id, never by name")
    nature: list[Nature] = Field(min_length=1, max_length=3)
    data_classes: list[DataClass] = Field(min_length=1, max_length=len(DataClass))
    people_affected: int | None = Field(None, ge=0, le=10_000_000)
    records_affected: int | None = Field(None, ge=0, le=100_000_000)


class AssessmentBody(Body):
    """The assessment: risk to the people affected, likely consequences, measures taken."""

    risk: Risk
    consequences: Text
    measures: Text


class CommissionerBody(Body):
    """What was sent to the Data Commissioner, and when."""

    notified_at: AwareDatetime
    content: Text
    reference: Short | None = Field(None, description="The Commissioner's acknowledgement")
    delay_reason: Text | None = Field(None, description="Required when later than 72 hours")


class SubjectsBody(Body):
    """Whether (and how) the people affected were told, or why not."""

    told: bool
    told_at: AwareDatetime | None = None
    people_count: int | None = Field(None, ge=1, le=10_000_000)
    method: Literal["in_person", "phone", "sms", "letter", "email"] | None = None
    content: Text | None = None
    not_told_reason: Text | None = None


class ClosureBody(Body):
    """Closing the breach."""

    summary: Text
    not_notified_reason: Text | None = Field(
        None, description="Closing without notifying the Commissioner: why no notification is due"
    )


class BreachView(BaseModel):
    """A breach in the register, with its deadline."""

    breach_id: UUID
    reference: str
    status: str
    detected_at: datetime
    aware_at: datetime
    deadline: datetime
    hours_left: float | None = Field(description="Until the deadline; null once notified/closed")
    overdue: bool
    summary: str
    nature: list[str]
    data_classes: list[str]
    people_affected: int | None
    records_affected: int | None
    risk: str | None
    consequences: str | None
    measures: str | None
    assessed_at: datetime | None
    commissioner_notified_at: datetime | None
    commissioner_reference: str | None
    commissioner_content: str | None
    delay_reason: str | None
    subjects_told: bool | None
    subjects_told_at: datetime | None
    subjects_count: int | None
    subjects_method: str | None
    subjects_content: str | None
    subjects_not_told_reason: str | None
    not_notified_reason: str | None
    closed_at: datetime | None
    closing_summary: str | None
    recorded_by: UUID
    recorded_at: datetime
    history: list[dict[str, Any]] = Field(default_factory=list)


class BreachList(BaseModel):
    """The register."""

    breaches: list[BreachView]


class Created(BaseModel):
    """A breach was recorded."""

    breach_id: UUID
    reference: str
    deadline: datetime


class Reminder(BaseModel):
    """A reminder of a deadline, in English and Kiswahili."""

    kind: str
    subject: str
    text: str
    link: str
    created_at: datetime


class Reminders(BaseModel):
    """The data protection officer's reminders, newest first."""

    reminders: list[Reminder]


def view(row: dict[str, Any], now: datetime) -> BreachView:
    """A register row with its deadline as of now."""
    due = domain.Clock(row["aware_at"], now)
    pending = row["status"] in ("recorded", "assessed")
    notified = row["commissioner_notified_at"]
    overdue = (pending and now > due.deadline) or (notified is not None and notified > due.deadline)
    return BreachView.model_validate(
        {
            **row,
            "deadline": due.deadline,
            "overdue": overdue,
            "hours_left": round(due.hours_left, 1) if pending else None,
        }
    )


async def _ruled(step: Awaitable[T]) -> T:
    try:
        return await step
    except BreachRuleBroken as broken:
        raise register.BreachConflict(str(broken)) from None


def _staff(grant: Grant) -> UUID:
    return grant.principal.staff_id


@router.post("/breaches", status_code=201)
async def record_breach(body: BreachBody, grant: Manage, ctx: IdentityDep, clock: Now) -> Created:
    """Record a personal data breach; the 72 hours to notify run from `aware_at`."""
    now = clock()
    breach_id = await _ruled(
        register.record(
            ctx.pool,
            _staff(grant),
            now,
            detected_at=body.detected_at,
            aware_at=body.aware_at,
            summary=body.summary,
            nature=[n.value for n in body.nature],
            data_classes=[d.value for d in body.data_classes],
            people_affected=body.people_affected,
            records_affected=body.records_affected,
        )
    )
    await register.queue_reminders(ctx.pool, now)  # one recorded late is reminded at once
    row = await register.one(ctx.pool, breach_id)
    return Created(
        breach_id=breach_id, reference=row["reference"], deadline=view(row, now).deadline
    )


@router.get("/breaches")
async def list_breaches(
    grant: Manage,
    ctx: IdentityDep,
    clock: Now,
    status: Annotated[Literal["recorded", "assessed", "notified", "closed"] | None, Query()] = None,
    limit: Annotated[int, Query(ge=1, le=1000)] = 200,
) -> BreachList:
    """The register: breaches still running against the deadline first."""
    now = clock()
    rows = await register.listing(ctx.pool, status, limit)
    return BreachList(breaches=[view(r, now) for r in rows])


@router.get("/breaches/export.csv", response_class=Response, responses=file_download("text/csv"))
async def export_breaches(grant: Manage, ctx: IdentityDep, clock: Now) -> Response:
    """The whole register as CSV (for the Data Commissioner or the board)."""
    now = clock()
    rows = [view(r, now) for r in await register.listing(ctx.pool, None, 100_000)]
    columns = [f for f in BreachView.model_fields if f != "history"]
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(columns)
    for row in rows:
        data = row.model_dump(mode="json")
        writer.writerow([_cell(data[c]) for c in columns])
    return Response(
        buffer.getvalue(),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": 'attachment; filename="breach-register.csv"'},
    )


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, list):
        return ";".join(str(v) for v in value)
    text = str(value)
    # A spreadsheet must not run a cell as a formula.
    return "'" + text if text[:1] in ("=", "+", "-", "@") else text


@router.get("/breaches/reminders")
async def breach_reminders(grant: Manage, ctx: IdentityDep, clock: Now) -> Reminders:
    """Reminders of the 72-hour deadline (queued now if due), newest first."""
    await register.queue_reminders(ctx.pool, clock())
    found = await for_staff(ctx.pool, [register.DPO], [], limit=200)
    return Reminders(
        reminders=[
            Reminder(
                kind=n.kind, subject=n.subject, text=n.text, link=n.link, created_at=n.created_at
            )
            for n in found
            if n.kind.startswith("breach_")
        ]
    )


@router.get("/breaches/{breach_id}")
async def get_breach(
    breach_id: BreachId, grant: Manage, ctx: IdentityDep, clock: Now
) -> BreachView:
    """One breach with its history (who did each step, when)."""
    return view(await register.one(ctx.pool, breach_id), clock())


async def _then_view(
    ctx: Any, clock: Clock, breach_id: UUID, step: Callable[[], Awaitable[None]]
) -> BreachView:
    await _ruled(step())
    return view(await register.one(ctx.pool, breach_id), clock())


@router.post("/breaches/{breach_id}/assessment")
async def assess_breach(
    breach_id: BreachId, body: AssessmentBody, grant: Manage, ctx: IdentityDep, clock: Now
) -> BreachView:
    """Record the assessment (revisable until the Commissioner is notified)."""
    return await _then_view(
        ctx,
        clock,
        breach_id,
        lambda: register.assess(
            ctx.pool,
            breach_id,
            _staff(grant),
            clock(),
            risk=body.risk.value,
            consequences=body.consequences,
            measures=body.measures,
        ),
    )


@router.post("/breaches/{breach_id}/commissioner-notification")
async def notify_commissioner(
    breach_id: BreachId, body: CommissionerBody, grant: Manage, ctx: IdentityDep, clock: Now
) -> BreachView:
    """Record what was notified to the Data Commissioner (once; late needs `delay_reason`)."""
    if body.notified_at > clock():
        raise register.BreachConflict("notified_at is in the future")
    return await _then_view(
        ctx,
        clock,
        breach_id,
        lambda: register.notify_commissioner(
            ctx.pool,
            breach_id,
            _staff(grant),
            clock(),
            notified_at=body.notified_at,
            content=body.content,
            reference=body.reference,
            delay_reason=body.delay_reason,
        ),
    )


@router.post("/breaches/{breach_id}/subject-notification")
async def tell_subjects(
    breach_id: BreachId, body: SubjectsBody, grant: Manage, ctx: IdentityDep, clock: Now
) -> BreachView:
    """Record what the people affected were told (or why they were not)."""
    return await _then_view(
        ctx,
        clock,
        breach_id,
        lambda: register.tell_subjects(
            ctx.pool,
            breach_id,
            _staff(grant),
            clock(),
            told=body.told,
            told_at=body.told_at or clock(),
            people_count=body.people_count,
            method=body.method,
            content=body.content,
            not_told_reason=body.not_told_reason,
        ),
    )


@router.post("/breaches/{breach_id}/closure")
async def close_breach(
    breach_id: BreachId, body: ClosureBody, grant: Manage, ctx: IdentityDep, clock: Now
) -> BreachView:
    """Close the breach."""
    return await _then_view(
        ctx,
        clock,
        breach_id,
        lambda: register.close(
            ctx.pool,
            breach_id,
            _staff(grant),
            clock(),
            summary=body.summary,
            not_notified_reason=body.not_notified_reason,
        ),
    )
