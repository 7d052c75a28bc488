"""Empowerment officers' training pages: courses, a group session's attendance, completion."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from fastapi import APIRouter, Request
from fastapi.responses import Response
from uponyaji_events.eat import today as today_eat

from ..backend import ServiceError
from ..forms import compact, field_errors, integer, text
from ..i18n import _
from ..messages import error_text
from ..web import User, backend_of, form_values, redirect, render

router = APIRouter()


async def _courses(request: Request, user: User) -> list[dict[str, Any]]:
    found = await backend_of(request).get("empowerment", "/courses", user.access_token)
    courses: list[dict[str, Any]] = found.get("courses", [])
    return courses


@router.get("/trainings")
async def courses(request: Request, user: User) -> Response:
    """Courses with sessions held and completions; a form to open one."""
    values = {"starts_on": today_eat().isoformat()}
    context = {"courses": await _courses(request, user), "values": values, "errors": {}}
    return render(request, "empowerment/trainings.html", context)


@router.post("/trainings")
async def open_course(request: Request, user: User) -> Response:
    """Open a course."""
    form = await request.form()
    body = compact(
        {
            "title": text(form, "title"),
            "skill": text(form, "skill"),
            "starts_on": text(form, "starts_on"),
            "sessions_planned": integer(form, "sessions_planned"),
        }
    )
    try:
        await backend_of(request).post("empowerment", "/courses", user.access_token, body)
    except ServiceError as error:
        if error.status not in (400, 403, 409, 422):
            raise
        context = {
            "courses": await _courses(request, user),
            "values": form_values(form),
            "errors": field_errors(error),
        }
        return render(request, "empowerment/trainings.html", context, status_code=error.status)
    return redirect("/trainings")


@router.get("/trainings/{course_id}/sessions/new")
async def session_form(request: Request, course_id: UUID, user: User) -> Response:
    """Record a group session: who came, by case number."""
    context = {"course_id": course_id, "values": {"held_on": today_eat().isoformat()}, "errors": {}}
    return render(request, "empowerment/attendance.html", context)


async def _survivor(request: Request, user: User, case_number: str) -> str | None:
    """The survivor id of a case number (searched in intake, in the POST body)."""
    found = await backend_of(request).post(
        "intake", "/survivors/search", user.access_token, {"q": case_number}
    )
    for hit in found.get("results", found.get("survivors", [])):
        if str(hit.get("case_number", "")).upper() == case_number.upper():
            return str(hit["survivor_id"])
    return None


@router.post("/trainings/{course_id}/sessions/new")
async def record_session(request: Request, course_id: UUID, user: User) -> Response:
    """Find each case number, then record the session with everyone's attendance."""
    form = await request.form()
    attendance: list[dict[str, Any]] = []
    errors: dict[str, str] = {}
    for name, present in (("present", True), ("absent", False)):
        for line in (text(form, name) or "").splitlines():
            case_number = line.strip()
            if not case_number:
                continue
            survivor = await _survivor(request, user, case_number)
            if survivor is None:
                message = _("No survivor on your caseload has case number %(case)s.")
                errors.setdefault(name, message % {"case": case_number})
            else:
                attendance.append({"survivor_id": survivor, "present": present})
    if not errors:
        body = compact({"held_on": text(form, "held_on"), "attendance": attendance})
        try:
            await backend_of(request).post(
                "empowerment", f"/courses/{course_id}/sessions", user.access_token, body
            )
        except ServiceError as error:
            if error.status not in (400, 404, 409, 422):
                raise
            errors = field_errors(error)
            if "attendance" in errors or error.status in (404, 409):
                said = error_text(error.error, error.detail)
                errors = {"present": errors.get("attendance", said)}
    if errors:
        context = {"course_id": course_id, "values": form_values(form), "errors": errors}
        return render(request, "empowerment/attendance.html", context, status_code=422)
    return redirect("/trainings")


@router.post("/survivors/{survivor_id}/empowerment/trainings/{course_id}/completion")
async def complete(request: Request, survivor_id: UUID, course_id: UUID, user: User) -> Response:
    """Record that the survivor completed the course (sessions attended are counted)."""
    await backend_of(request).post(
        "empowerment",
        f"/survivors/{survivor_id}/trainings/{course_id}/completion",
        user.access_token,
        {},
    )
    return redirect(f"/survivors/{survivor_id}/empowerment")
