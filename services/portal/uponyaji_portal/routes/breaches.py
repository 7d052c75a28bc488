"""The data protection officer's breach register: record, assess, notify, close, export.

The register lives in identity (`/breaches`); these pages call it with the officer's token.
"""

from __future__ import annotations

from typing import Any
from uuid import UUID

from fastapi import APIRouter, Request
from fastapi.responses import Response

from ..backend import ServiceError
from ..forms import field_errors, integer, local_moment, many, text
from ..web import User, backend_of, form_values, redirect, render

router = APIRouter()
NATURES = ("confidentiality", "integrity", "availability")
DATA_CLASSES = (
    "identity",
    "contact",
    "health",
    "counselling",
    "incident",
    "financial",
    "staff",
    "credentials",
    "other",
)
STEPS = {
    "assessment": "assessment",
    "commissioner": "commissioner-notification",
    "subjects": "subject-notification",
    "closure": "closure",
}


def _bodies(step: str, form: Any) -> dict[str, Any]:
    if step == "assessment":
        return {
            "risk": text(form, "risk"),
            "consequences": text(form, "consequences"),
            "measures": text(form, "measures"),
        }
    if step == "commissioner":
        return {
            "notified_at": local_moment(form, "notified_at"),
            "content": text(form, "content"),
            "reference": text(form, "reference"),
            "delay_reason": text(form, "delay_reason"),
        }
    if step == "subjects":
        told = text(form, "told") == "yes"
        return {
            "told": told,
            "people_count": integer(form, "people_count"),
            "method": text(form, "method"),
            "content": text(form, "told_content"),
            "not_told_reason": text(form, "not_told_reason"),
        }
    return {
        "summary": text(form, "summary"),
        "not_notified_reason": text(form, "not_notified_reason"),
    }


async def _register_page(
    request: Request, user: User, values: dict[str, Any], errors: dict[str, str], status: int
) -> Response:
    register = await backend_of(request).get("identity", "/breaches", user.access_token)
    reminders = await backend_of(request).get("identity", "/breaches/reminders", user.access_token)
    context = {
        "register": register,
        "reminders": reminders["reminders"][:10],
        "values": values,
        "errors": errors,
        "natures": NATURES,
        "data_classes": DATA_CLASSES,
    }
    return render(request, "dpo/breaches.html", context, status_code=status)


@router.get("/breaches")
async def breaches(request: Request, user: User) -> Response:
    """The register, reminders of the 72-hour deadline, and a form to record a breach."""
    return await _register_page(request, user, {}, {}, 200)


@router.post("/breaches")
async def record_breach(request: Request, user: User) -> Response:
    """Record a breach (times typed in East Africa Time)."""
    form = await request.form()
    body = {
        "detected_at": local_moment(form, "detected_at"),
        "aware_at": local_moment(form, "aware_at"),
        "summary": text(form, "summary"),
        "nature": many(form, "nature"),
        "data_classes": many(form, "data_classes"),
        "people_affected": integer(form, "people_affected"),
    }
    try:
        created = await backend_of(request).post("identity", "/breaches", user.access_token, body)
    except ServiceError as error:
        if error.status not in (400, 409, 422):
            raise
        values = form_values(form, "nature", "data_classes")
        return await _register_page(request, user, values, field_errors(error), error.status)
    return redirect(f"/breaches/{created['breach_id']}")


@router.get("/breaches/export.csv")
async def export_register(request: Request, user: User) -> Response:
    """The register as CSV, as identity writes it."""
    answer = await backend_of(request).call(
        "identity", "GET", "/breaches/export.csv", user.access_token
    )
    return Response(
        answer.content,
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": 'attachment; filename="breach-register.csv"'},
    )


async def _breach_page(
    request: Request,
    user: User,
    breach_id: UUID,
    step: str | None,
    values: dict[str, Any],
    errors: dict[str, str],
    status: int,
) -> Response:
    breach = await backend_of(request).get("identity", f"/breaches/{breach_id}", user.access_token)
    context = {"breach": breach, "step": step, "values": values, "errors": errors}
    return render(request, "dpo/breach.html", context, status_code=status)


@router.get("/breaches/{breach_id}")
async def breach(request: Request, breach_id: UUID, user: User) -> Response:
    """One breach: its deadline, what was done, and the next steps."""
    return await _breach_page(request, user, breach_id, None, {}, {}, 200)


@router.post("/breaches/{breach_id}/{step}")
async def breach_step(request: Request, breach_id: UUID, step: str, user: User) -> Response:
    """Assess, record the Commissioner's notification, the people told, or close."""
    if step not in STEPS:
        return await _breach_page(request, user, breach_id, None, {}, {"step": "unknown step"}, 404)
    form = await request.form()
    try:
        await backend_of(request).post(
            "identity",
            f"/breaches/{breach_id}/{STEPS[step]}",
            user.access_token,
            _bodies(step, form),
        )
    except ServiceError as error:
        if error.status not in (400, 409, 422):
            raise
        errors = field_errors(error)
        if step == "subjects" and "content" in errors:
            errors["told_content"] = errors.pop("content")
        return await _breach_page(
            request, user, breach_id, step, form_values(form), errors, error.status
        )
    return redirect(f"/breaches/{breach_id}")
