"""Counsellors' day: the sessions they logged on a day, and their caseload at a glance."""

from __future__ import annotations

from uuid import UUID

from fastapi import APIRouter, Request
from fastapi.responses import Response
from uponyaji_events.eat import today as today_eat

from ..backend import ServiceError
from ..forms import field_errors, text
from ..i18n import N_, gettext
from ..web import User, backend_of, form_values, redirect, render

router = APIRouter()

PAGE = 50  # cases per page of My caseload (page weight on slow links)
PAST = N_("This day is in the past: choose today or a later day.")


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
async def caseload(request: Request, user: User, page: str = "1") -> Response:
    """The counsellor's open cases: open risk flags first, then those seen longest ago; a page
    at a time (slow links)."""
    number = int(page) if page.isdigit() and 0 < int(page) <= 10_000 else 1
    found = await backend_of(request).get(
        "psychosocial",
        "/caseload",
        user.access_token,
        limit=PAGE,
        offset=(number - 1) * PAGE,
    )
    context = {
        "rows": found["survivors"],
        "page": number,
        "more": found.get("next_offset") is not None,
    }
    return render(request, "counselling/caseload.html", context)


@router.get("/survivors/{survivor_id}/next-session")
async def plan_form(request: Request, survivor_id: UUID, user: User) -> Response:
    """Plan the next session with a survivor (or say there is none)."""
    context = {"survivor_id": survivor_id, "values": {}, "errors": {}}
    return render(request, "counselling/next_session.html", context)


@router.post("/survivors/{survivor_id}/next-session")
async def plan(request: Request, survivor_id: UUID, user: User) -> Response:
    """Save the plan (the "none" button clears it); back to the caseload."""
    form = await request.form()
    planned_on = None if form.get("clear") == "yes" else text(form, "planned_on") or ""
    path = f"/survivors/{survivor_id}/next-session"
    try:
        await backend_of(request).post(
            "psychosocial", path, user.access_token, {"planned_on": planned_on}
        )
    except ServiceError as error:
        if error.status not in (400, 409, 422):
            raise
        errors = field_errors(error)
        if error.error == "InvalidCommand":  # the one rule psychosocial checks: not in the past
            errors = {"planned_on": gettext(PAST)}
        context = {"survivor_id": survivor_id, "values": form_values(form), "errors": errors}
        return render(request, "counselling/next_session.html", context, status_code=error.status)
    return redirect("/caseload")
