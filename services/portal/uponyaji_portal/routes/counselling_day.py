"""Counsellors' day: the sessions they logged on a day, and their caseload at a glance."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import Response

from ..backend import ServiceError
from ..forms import field_errors
from ..i18n import today_eat
from ..web import User, backend_of, render

router = APIRouter()


@router.get("/today")
async def todays_sessions(request: Request, user: User, day: str | None = None) -> Response:
    """The sessions the counsellor logged on a day (today in EAT unless chosen), with a switch."""
    chosen = (day or "").strip() or None
    try:
        found = await backend_of(request).get(
            "psychosocial", "/sessions", user.access_token, day=chosen
        )
    except ServiceError as error:
        if error.status != 422:
            raise
        # A date the service refuses: said next to the date field, today's switch still there.
        today = today_eat()
        context = {
            "found": None,
            "today": today.isoformat(),
            "values": {"day": chosen or ""},
            "errors": field_errors(error),
        }
        return render(request, "counselling/today.html", context, status_code=422)
    context = {
        "found": found,
        "today": today_eat().isoformat(),
        "is_today": found["day"] == today_eat().isoformat(),
        "values": {"day": found["day"]},
        "errors": {},
    }
    return render(request, "counselling/today.html", context)


@router.get("/caseload")
async def caseload(request: Request, user: User) -> Response:
    """The counsellor's open cases: open risk flags first, then those seen longest ago."""
    found = await backend_of(request).get("psychosocial", "/caseload", user.access_token)
    context = {"rows": found["survivors"]}
    return render(request, "counselling/caseload.html", context)
