"""The clinic's appointment book: follow-ups due in a week (or a chosen range) on the clinician's
caseload, those never recorded as kept or missed, and attendance recorded from the book."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any
from urllib.parse import urlencode
from uuid import UUID

from fastapi import APIRouter, Request
from fastapi.responses import Response
from uponyaji_events.eat import today as today_eat

from ..backend import ServiceError
from ..forms import compact, field_errors, text
from ..web import User, backend_of, redirect, render
from .medical_care import inline_error, record_care

router = APIRouter()

RANGES = (1, 7, 14, 31)  # the choices of days the page offers (the service takes 1 to 31)


def _range(first: str | None, days: str | None) -> dict[str, str]:
    """The book's range as the service's query: only values the page could have sent."""
    chosen: dict[str, str] = {}
    if first and first.strip():
        chosen["from"] = first.strip()[:10]
    if days and days.isdigit() and int(days) in RANGES:
        chosen["days"] = days
    return chosen


async def _book_page(
    request: Request,
    user: User,
    chosen: dict[str, str],
    errors: dict[str, str] | None = None,
    status_code: int = 200,
) -> Response:
    values = {"day": chosen.get("from", ""), "days": chosen.get("days", "7")}
    try:
        found: dict[str, Any] | None = await backend_of(request).get(
            "medical", "/follow-ups", user.access_token, **chosen
        )
    except ServiceError as error:
        if error.status != 422:
            raise
        refused = field_errors(error)  # the service names its query `from`; the page, `day`
        found, status_code = None, 422
        errors = {("day" if name == "from" else name): text for name, text in refused.items()}
    if found is not None:
        first = date.fromisoformat(found["first_day"])
        span = (date.fromisoformat(found["last_day"]) - first).days + 1
        values = {"day": found["first_day"], "days": str(span)}
        found["previous"] = (first - timedelta(days=span)).isoformat()
        found["next"] = (first + timedelta(days=span)).isoformat()
    context = {
        "found": found,
        "values": values,
        "ranges": RANGES,
        "today": today_eat().isoformat(),
        "errors": errors or {},
    }
    return render(request, "medical/appointments.html", context, status_code=status_code)


@router.get("/medical/appointments")
async def appointment_book(
    request: Request, user: User, day: str | None = None, days: str | None = None
) -> Response:
    """Follow-ups due from a day (today unless chosen) for a week or a chosen number of days,
    and those due earlier whose attendance was never recorded."""
    return await _book_page(request, user, _range(day, days))


@router.post("/medical/appointments/{survivor_id}/{follow_up_id}/attendance")
async def attendance_from_book(
    request: Request, survivor_id: UUID, follow_up_id: UUID, user: User
) -> Response:
    """Record whether the survivor came, then show the same page of the book again."""
    form = await request.form()
    chosen = _range(text(form, "day"), text(form, "days"))
    body = compact({"attendance": text(form, "attendance")})
    path = f"follow-ups/{follow_up_id}/attendance"
    error = await record_care(request, user, survivor_id, path, body)
    if error is not None:
        errors = inline_error(error, "attendance", str(follow_up_id))
        return await _book_page(request, user, chosen, errors, error.status)
    page = {"day": chosen.get("from"), "days": chosen.get("days")}
    query = urlencode({name: value for name, value in page.items() if value})
    return redirect(f"/medical/appointments?{query}" if query else "/medical/appointments")
