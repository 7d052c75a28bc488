"""Reporting's routes: journeys, the dashboard and its CSV export, the audit review."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from enum import StrEnum
from typing import Annotated, Any
from uuid import UUID

import asyncpg
from fastapi import APIRouter, Depends, Query, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import Response
from uponyaji_access import Grant, authorize
from uponyaji_events import Consumer
from uponyaji_service import running
from uponyaji_service.openapi import file_download

from . import charts, consumers, queries, views, xlsx
from . import responses as r
from .selection import Selection, selection

router = APIRouter()
JourneyRead = Annotated[Grant, Depends(authorize("journey.read"))]
DashboardRead = Annotated[Grant, Depends(authorize("dashboard.read", survivor=None))]
DashboardExport = Annotated[Grant, Depends(authorize("export.dashboard", survivor=None))]
AuditRead = Annotated[Grant, Depends(authorize("audit.read", survivor=None))]


async def _pool(request: Request) -> asyncpg.Pool:
    pool: asyncpg.Pool = running(request.app).parts.pool
    return pool


async def _consumers(request: Request) -> list[Consumer]:
    return list(running(request.app).consumers.values())


Pool = Annotated[asyncpg.Pool, Depends(_pool)]
Consumers = Annotated[list[Consumer], Depends(_consumers)]


def _invalid(field: str, problem: str) -> RequestValidationError:
    return RequestValidationError(
        [{"loc": ("query", field), "msg": problem, "type": "value_error"}]
    )


def _aware(value: datetime, field: str) -> datetime:
    if value.tzinfo is None:
        raise _invalid(field, "needs a time zone, e.g. 2026-03-01T00:00:00Z")
    return value


@router.get("/journeys/{survivor_id}", tags=["journeys"], response_model=r.Journey)
async def read_journey(
    survivor_id: UUID,
    grant: JourneyRead,
    pool: Pool,
    running: Consumers,
    as_of: Annotated[datetime | None, Query(description="The journey as it stood then")] = None,
) -> r.Journey:
    """A survivor's healing journey (de-identified for aggregate roles), optionally as of a time."""
    moment = _aware(as_of, "as_of") if as_of else None
    journey = await queries.journey(pool, survivor_id, moment)
    now = moment or datetime.now(UTC)
    body = views.journey(journey, now=now, deidentified=grant.deidentified, as_of=moment)
    return r.Journey.model_validate({**body, "lag": await consumers.lag(running)})


Selected = Annotated[Selection, Depends(selection)]


async def _board(request: Request, pool: asyncpg.Pool, chosen: Selection) -> dict[str, Any]:
    """The published dashboard of the selection, with what was selected."""
    base = running(request.app).parts.settings.rounding_base
    board = await queries.dashboard(
        pool, chosen.period, chosen.county, chosen.team, base=base, language=chosen.language
    )
    return {"selection": chosen.describe(base), **board}


@router.get("/dashboard", tags=["dashboard"], response_model=r.Dashboard)
async def read_dashboard(
    request: Request, _: DashboardRead, pool: Pool, running: Consumers, chosen: Selected
) -> r.Dashboard:
    """The programme dashboard of a month, quarter or year, county and team; counts rounded."""
    return r.Dashboard.model_validate(
        {**await _board(request, pool, chosen), "lag": await consumers.lag(running)}
    )


SVG = "image/svg+xml"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@router.get(
    "/dashboard.csv",
    tags=["dashboard"],
    response_class=Response,
    responses=file_download("text/csv"),
)
async def export_dashboard(
    request: Request, _: DashboardExport, pool: Pool, running: Consumers, chosen: Selected
) -> Response:
    """The dashboard's tables as CSV (table, row, value); the lag is in `X-Uponyaji-Lag`."""
    board = await _board(request, pool, chosen)
    return Response(
        views.csv_text(board),
        media_type="text/csv; charset=utf-8",
        headers={
            "Content-Disposition": 'attachment; filename="dashboard.csv"',
            "X-Uponyaji-Lag": json.dumps(await consumers.lag(running)),
        },
    )


async def _lag_header(running: list[Consumer]) -> dict[str, str]:
    return {"X-Uponyaji-Lag": json.dumps(await consumers.lag(running))}


@router.get(
    "/journeys/{survivor_id}/chart.svg",
    tags=["journeys"],
    response_class=Response,
    responses=file_download(SVG),
)
async def journey_chart(
    survivor_id: UUID,
    grant: JourneyRead,
    pool: Pool,
    running: Consumers,
    as_of: Annotated[datetime | None, Query(description="The journey as it stood then")] = None,
) -> Response:
    """A survivor's score trajectories as SVG (days since intake; reliable changes marked)."""
    moment = _aware(as_of, "as_of") if as_of else None
    journey = await queries.journey(pool, survivor_id, moment)
    body = views.journey(journey, now=moment or datetime.now(UTC), deidentified=True, as_of=None)
    series = {
        name: [(p["day"] or 0, float(p["score"]), p["change_from_first"]) for p in points]
        for name, points in body["trajectories"].items()
    }
    who = "" if grant.deidentified or not journey.case_number else f" — {journey.case_number}"
    svg = charts.trajectories(f"Score trajectories{who}", series)
    return Response(svg, media_type=SVG, headers=await _lag_header(running))


class Chart(StrEnum):
    """The dashboard's charts."""

    REGISTRATIONS = "registrations"
    COUNTY = "county"
    GENDER = "gender"
    AGE_BAND = "age_band"
    PERPETRATOR = "perpetrator"
    TORTURE_METHOD = "torture_method"
    SERVICES = "services"


CHARTS = {
    Chart.REGISTRATIONS: ("registrations_per_month", "New registrations per month", "Month"),
    Chart.COUNTY: ("by_county", "Survivors by county", "County"),
    Chart.GENDER: ("by_gender", "Survivors by gender", "Gender"),
    Chart.AGE_BAND: ("by_age_band", "Survivors by age band", "Age band"),
    Chart.PERPETRATOR: ("by_perpetrator", "Survivors by perpetrator category", "Perpetrator"),
    Chart.TORTURE_METHOD: ("by_torture_method", "Survivors by torture method", "Method"),
    Chart.SERVICES: ("services_received", "Services received", "Service"),
}


@router.get(
    "/dashboard/charts/{name}.svg",
    tags=["dashboard"],
    response_class=Response,
    responses=file_download(SVG),
)
async def dashboard_chart(
    request: Request,
    name: Chart,
    _: DashboardRead,
    pool: Pool,
    running: Consumers,
    chosen: Selected,
) -> Response:
    """One of the dashboard's trends or breakdowns as an SVG bar chart (published counts)."""
    board = await _board(request, pool, chosen)
    key, title, x_label = CHARTS[name]
    base = board["selection"]["rounding_base"]
    note = f"{chosen.period.label}; counts rounded to multiples of {base}"
    svg = charts.bars(title, board[key], x_label, "Survivors", note)
    return Response(svg, media_type=SVG, headers=await _lag_header(running))


@router.get(
    "/dashboard.xlsx",
    tags=["dashboard"],
    response_class=Response,
    responses=file_download(XLSX, binary=True),
)
async def export_dashboard_xlsx(
    request: Request, _: DashboardExport, pool: Pool, running: Consumers, chosen: Selected
) -> Response:
    """The dashboard's tables as an XLSX workbook (table, row, value) and how they are rounded."""
    board = await _board(request, pool, chosen)
    return Response(
        xlsx.workbook(views.rows(board), board["selection"]),
        media_type=XLSX,
        headers={
            "Content-Disposition": 'attachment; filename="dashboard.xlsx"',
            "X-Uponyaji-Lag": json.dumps(await consumers.lag(running)),
        },
    )


@router.get("/audit", tags=["audit"], response_model=r.Audit)
async def read_audit(
    _: AuditRead,
    pool: Pool,
    running: Consumers,
    staff_id: Annotated[UUID | None, Query(description="Only this staff member's reads")] = None,
    survivor_id: Annotated[UUID | None, Query(description="Only reads of this survivor")] = None,
    start: Annotated[datetime | None, Query(alias="from")] = None,
    end: Annotated[datetime | None, Query(alias="to")] = None,
    limit: Annotated[int, Query(ge=1, le=1000)] = 200,
) -> r.Audit:
    """Who read or exported which survivor's data (every service), and unusual access."""
    records = await queries.access_records(
        pool,
        staff_id=str(staff_id) if staff_id else None,
        survivor_id=survivor_id,
        start=_aware(start, "from") if start else None,
        end=_aware(end, "to") if end else None,
        limit=limit,
    )
    shown = [
        {
            **r,
            "survivor_id": str(r["survivor_id"]) if r["survivor_id"] else None,
            "at": r["at"].isoformat(),
        }
        for r in records
    ]
    alerts = await queries.access_alerts(
        pool, start=_aware(start, "from") if start else None, end=_aware(end, "to") if end else None
    )
    return r.Audit.model_validate(
        {"records": shown, "alerts": alerts, "lag": await consumers.lag(running)}
    )
