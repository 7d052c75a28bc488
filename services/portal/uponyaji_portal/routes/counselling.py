"""Counsellors' pages: risk-flag inbox and safety response, sessions, questionnaires, care plan."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from fastapi import APIRouter, Request
from fastapi.responses import Response
from uponyaji_events.eat import today as today_eat

from ..backend import ServiceError
from ..forms import compact, field_errors, integer, local_moment, many, text
from ..i18n import N_, gettext
from ..instruments import INSTRUMENTS
from ..web import User, backend_of, form_values, redirect, render

router = APIRouter()

PARTICIPANT_CHOICES = 100  # others offered for a group or family session (page weight)
TOO_MANY = N_(
    "An individual session has one survivor and a couple session two: choose group or family, "
    "or fewer other participants."
)
OFF_CASELOAD = N_("One of the chosen survivors is not on your caseload (any more).")
NOT_FOUND = N_("Either this does not exist or it is not on your caseload.")


@router.get("/risk-flags")
async def inbox(request: Request, user: User) -> Response:
    """Open risk flags on the caseload, oldest first."""
    flags = await backend_of(request).get(
        "psychosocial", "/risk-flags", user.access_token, status="open"
    )
    return render(request, "counselling/inbox.html", {"flags": flags["flags"]})


@router.get("/risk-flags/{flag_id}/response")
async def response_form(request: Request, flag_id: UUID, user: User) -> Response:
    """The safety response form for one flag."""
    context = {"flag_id": flag_id, "values": {"actions": [], "referral": "none"}, "errors": {}}
    return render(request, "counselling/safety.html", context)


@router.post("/risk-flags/{flag_id}/response")
async def respond(request: Request, flag_id: UUID, user: User) -> Response:
    """Record the safety response; the flag is resolved."""
    form = await request.form()
    body = compact(
        {
            "actions": many(form, "actions"),
            "referral": text(form, "referral"),
            "details": text(form, "details"),
            "responded_at": local_moment(form, "responded_at"),
        }
    )
    try:
        await backend_of(request).post(
            "psychosocial", f"/risk-flags/{flag_id}/resolution", user.access_token, body
        )
    except ServiceError as error:
        if error.status not in (400, 409, 422):
            raise
        context = {
            "flag_id": flag_id,
            "values": form_values(form, "actions"),
            "errors": field_errors(error),
        }
        return render(request, "counselling/safety.html", context, status_code=error.status)
    return redirect("/risk-flags")


async def _post(
    request: Request, user: User, path: str, body: dict[str, Any]
) -> tuple[dict[str, Any] | None, ServiceError | None]:
    try:
        return await backend_of(request).post("psychosocial", path, user.access_token, body), None
    except ServiceError as error:
        if error.status not in (400, 409, 422):
            raise
        return None, error


async def _others(request: Request, user: User, survivor_id: UUID) -> dict[str, Any]:
    """The rest of the counsellor's caseload (its first page), to choose a group or family
    session's others: `rows`, and `more` when the caseload is longer."""
    try:
        found = await backend_of(request).get(
            "psychosocial", "/caseload", user.access_token, limit=PARTICIPANT_CHOICES
        )
    except ServiceError as error:
        if error.status != 403 and error.status < 500:
            raise
        # A role without a caseload view, or psychosocial away: individual sessions only.
        return {"rows": [], "more": False}
    rows = [r for r in found["survivors"] if r["survivor_id"] != str(survivor_id)]
    return {"rows": rows, "more": found.get("next_offset") is not None}


def _session_errors(error: ServiceError, chose_others: bool) -> dict[str, str]:
    """The service's refusal next to its field; problems with the others next to their list."""
    errors: dict[str, str] = {}
    for name, message in field_errors(error).items():
        key = "other_participants" if name.startswith("other_participants") else name
        errors.setdefault(key, message)
    if chose_others and error.error == "InvalidCommand" and "session has at most" in error.detail:
        errors.pop("form", None)
        errors["other_participants"] = gettext(TOO_MANY)
    if error.status == 404:
        errors = {"other_participants": gettext(OFF_CASELOAD)} if chose_others else {}
        errors = errors or {"form": gettext(NOT_FOUND)}
    return errors


@router.get("/survivors/{survivor_id}/sessions/new")
async def session_form(request: Request, survivor_id: UUID, user: User) -> Response:
    """Log a counselling session: individual, or group, family or couple with others chosen."""
    values = {
        "kind": "individual",
        "held_on": today_eat().isoformat(),
        "attendance": "attended",
        "place": "office",
        "approach": "trauma_focused_cbt",
        "duration_minutes": "50",
        "participants": [],
    }
    others = await _others(request, user, survivor_id)
    context = {"survivor_id": survivor_id, "values": values, "errors": {}, "others": others}
    return render(request, "counselling/session.html", context)


@router.post("/survivors/{survivor_id}/sessions/new")
async def log_session(request: Request, survivor_id: UUID, user: User) -> Response:
    """Record the session (notes are sealed by psychosocial); others' attendance and notes per
    person, each sealed with that person's own record."""
    form = await request.form()
    chosen = many(form, "participants")
    body = compact(
        {
            "kind": text(form, "kind"),
            "held_on": text(form, "held_on"),
            "duration_minutes": integer(form, "duration_minutes"),
            "approach": text(form, "approach"),
            "attendance": text(form, "attendance"),
            "place": text(form, "place"),
            "interpreter": form.get("interpreter") == "on",
            "interpreter_language": text(form, "interpreter_language"),
            "notes": text(form, "notes"),
            "other_participants": [
                compact(
                    {
                        "survivor_id": other,
                        "attendance": text(form, f"attendance_{other}"),
                        "notes": text(form, f"notes_{other}"),
                    }
                )
                for other in chosen
            ],
        }
    )
    path = f"/survivors/{survivor_id}/sessions"
    try:
        await backend_of(request).post("psychosocial", path, user.access_token, body)
    except ServiceError as error:
        # 404: the survivor (or one of the others) is not, or no longer, on the caseload, or
        # psychosocial has not heard of them yet; the form comes back with what was typed.
        if error.status not in (400, 404, 409, 422):
            raise
        context = {
            "survivor_id": survivor_id,
            "values": form_values(form, "participants"),
            "errors": _session_errors(error, bool(chosen)),
            "others": await _others(request, user, survivor_id),
        }
        return render(request, "counselling/session.html", context, status_code=error.status)
    return redirect(f"/survivors/{survivor_id}")


@router.get("/survivors/{survivor_id}/assessments/new")
async def assessment_form(
    request: Request, survivor_id: UUID, user: User, instrument: str = "PHQ-9"
) -> Response:
    """A questionnaire as a form, with its items' wording and answer scale."""
    chosen = INSTRUMENTS.get(instrument, INSTRUMENTS["PHQ-9"])
    context = {
        "survivor_id": survivor_id,
        "instrument": chosen,
        "instruments": INSTRUMENTS,
        "values": {},
        "errors": {},
    }
    return render(request, "counselling/assessment.html", context)


@router.post("/survivors/{survivor_id}/assessments/new")
async def record_assessment(request: Request, survivor_id: UUID, user: User) -> Response:
    """Send the answers; show the score, band, flags and reliable change psychosocial computed."""
    form = await request.form()
    chosen = INSTRUMENTS.get(str(form.get("instrument")), INSTRUMENTS["PHQ-9"])
    responses = [integer(form, f"item_{n}") for n in range(1, chosen.count + 1)]
    body = compact(
        {
            "instrument": chosen.code,
            "responses": [r for r in responses if r is not None],
            "administered_at": local_moment(form, "administered_at"),
        }
    )
    body.setdefault("responses", [])
    result, error = await _post(request, user, f"/survivors/{survivor_id}/assessments", body)
    if error is not None or result is None:
        assert error is not None
        context = {
            "survivor_id": survivor_id,
            "instrument": chosen,
            "instruments": INSTRUMENTS,
            "values": form_values(form),
            "errors": field_errors(error),
        }
        return render(request, "counselling/assessment.html", context, status_code=error.status)
    progress = await backend_of(request).get(
        "psychosocial", f"/survivors/{survivor_id}/progress", user.access_token
    )
    change = next(
        (p for p in progress.get("instruments", []) if p["instrument"] == chosen.code), None
    )
    context = {"survivor_id": survivor_id, "instrument": chosen, "result": result, "change": change}
    return render(request, "counselling/result.html", context, status_code=201)


@router.get("/survivors/{survivor_id}/care-plan/goals/new")
async def goal_form(request: Request, survivor_id: UUID, user: User) -> Response:
    """Add a care-plan goal."""
    context = {"survivor_id": survivor_id, "values": {"domain": "symptoms"}, "errors": {}}
    return render(request, "counselling/goal.html", context)


@router.post("/survivors/{survivor_id}/care-plan/goals/new")
async def add_goal(request: Request, survivor_id: UUID, user: User) -> Response:
    """Add the goal (its description is sealed by psychosocial)."""
    form = await request.form()
    body = compact(
        {
            "domain": text(form, "domain"),
            "description": text(form, "description"),
            "target_date": text(form, "target_date"),
        }
    )
    _, error = await _post(request, user, f"/survivors/{survivor_id}/care-plan/goals", body)
    if error is not None:
        context = {
            "survivor_id": survivor_id,
            "values": form_values(form),
            "errors": field_errors(error),
        }
        return render(request, "counselling/goal.html", context, status_code=error.status)
    return redirect(f"/survivors/{survivor_id}")


@router.get("/survivors/{survivor_id}/care-plan/goals/{goal_id}/review")
async def review_form(request: Request, survivor_id: UUID, goal_id: UUID, user: User) -> Response:
    """Review a care-plan goal."""
    values = {"status": "in_progress", "reviewed_on": today_eat().isoformat()}
    context = {"survivor_id": survivor_id, "goal_id": goal_id, "values": values, "errors": {}}
    return render(request, "counselling/review.html", context)


@router.post("/survivors/{survivor_id}/care-plan/goals/{goal_id}/review")
async def review_goal(request: Request, survivor_id: UUID, goal_id: UUID, user: User) -> Response:
    """Record the review (its note is sealed by psychosocial)."""
    form = await request.form()
    body = compact(
        {
            "status": text(form, "status"),
            "reviewed_on": text(form, "reviewed_on"),
            "note": text(form, "note"),
        }
    )
    path = f"/survivors/{survivor_id}/care-plan/goals/{goal_id}/reviews"
    _, error = await _post(request, user, path, body)
    if error is not None:
        context = {
            "survivor_id": survivor_id,
            "goal_id": goal_id,
            "values": form_values(form),
            "errors": field_errors(error),
        }
        return render(request, "counselling/review.html", context, status_code=error.status)
    return redirect(f"/survivors/{survivor_id}")
