"""Clinicians' pages for care after an examination: referrals to specialists with their
outcomes, and follow-up appointments with their attendance."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from fastapi import APIRouter, Request
from fastapi.responses import Response

from ..backend import ServiceError
from ..forms import compact, field_errors, text
from ..web import User, backend_of, form_values, redirect, render

router = APIRouter()
REFUSED = (400, 404, 409, 422)


def _base(survivor_id: UUID) -> str:
    return f"/survivors/{survivor_id}/medical"


async def _encounters(request: Request, user: User, survivor_id: UUID) -> list[dict[str, Any]]:
    """The survivor's encounters (for choosing the one a referral or follow-up comes from)."""
    found = await backend_of(request).get(
        "medical", f"/survivors/{survivor_id}/record", user.access_token
    )
    encounters: list[dict[str, Any]] = found.get("encounters", [])
    return encounters


async def _care_page(
    request: Request,
    user: User,
    survivor_id: UUID,
    errors: dict[str, str] | None = None,
    status_code: int = 200,
) -> Response:
    backend, token, base = backend_of(request), user.access_token, f"/survivors/{survivor_id}"
    referrals = await backend.get("medical", f"{base}/specialist-referrals", token)
    follow_ups = await backend.get("medical", f"{base}/follow-ups", token)
    context = {
        "survivor_id": survivor_id,
        "referrals": referrals.get("specialist_referrals", []),
        "follow_ups": follow_ups.get("follow_ups", []),
        "errors": errors or {},
    }
    return render(request, "medical/care.html", context, status_code=status_code)


@router.get("/survivors/{survivor_id}/medical/care")
async def care(request: Request, survivor_id: UUID, user: User) -> Response:
    """Referrals to specialists and follow-up appointments, each with its answer or a form."""
    return await _care_page(request, user, survivor_id)


async def _entry_form(
    request: Request,
    user: User,
    survivor_id: UUID,
    template: str,
    values: dict[str, Any],
    errors: dict[str, str],
    status_code: int = 200,
) -> Response:
    context = {
        "survivor_id": survivor_id,
        "encounters": await _encounters(request, user, survivor_id),
        "values": values,
        "errors": errors,
    }
    return render(request, template, context, status_code=status_code)


async def record_care(
    request: Request, user: User, survivor_id: UUID, path: str, body: dict[str, Any]
) -> ServiceError | None:
    """Send one care command to medical; its refusal (4xx) is returned to show on the page."""
    try:
        await backend_of(request).post(
            "medical", f"/survivors/{survivor_id}/{path}", user.access_token, body
        )
    except ServiceError as error:
        if error.status not in REFUSED:
            raise
        return error
    return None


@router.get("/survivors/{survivor_id}/medical/specialist-referrals/new")
async def referral_form(
    request: Request, survivor_id: UUID, user: User, encounter: str | None = None
) -> Response:
    """Refer the survivor to a specialist from one of their encounters."""
    values = {"encounter_id": encounter} if encounter else {}
    return await _entry_form(request, user, survivor_id, "medical/specialist.html", values, {})


@router.post("/survivors/{survivor_id}/medical/specialist-referrals/new")
async def refer(request: Request, survivor_id: UUID, user: User) -> Response:
    """Record the referral at medical (the reason is sealed there)."""
    form = await request.form()
    body = compact(
        {
            "encounter_id": text(form, "encounter_id"),
            "specialty": text(form, "specialty"),
            "reason": text(form, "reason"),
        }
    )
    error = await record_care(request, user, survivor_id, "specialist-referrals", body)
    if error is not None:
        return await _entry_form(
            request,
            user,
            survivor_id,
            "medical/specialist.html",
            form_values(form),
            field_errors(error),
            error.status,
        )
    return redirect(f"{_base(survivor_id)}/care")


@router.get("/survivors/{survivor_id}/medical/follow-ups/new")
async def follow_up_form(
    request: Request, survivor_id: UUID, user: User, encounter: str | None = None
) -> Response:
    """Book a follow-up appointment from one of the survivor's encounters."""
    values = {"encounter_id": encounter} if encounter else {}
    return await _entry_form(request, user, survivor_id, "medical/follow_up.html", values, {})


@router.post("/survivors/{survivor_id}/medical/follow-ups/new")
async def book(request: Request, survivor_id: UUID, user: User) -> Response:
    """Book the appointment at medical (it refuses a day in the past)."""
    form = await request.form()
    body = compact({"encounter_id": text(form, "encounter_id"), "due_on": text(form, "due_on")})
    error = await record_care(request, user, survivor_id, "follow-ups", body)
    if error is not None:
        return await _entry_form(
            request,
            user,
            survivor_id,
            "medical/follow_up.html",
            form_values(form),
            field_errors(error),
            error.status,
        )
    return redirect(f"{_base(survivor_id)}/care")


def inline_error(error: ServiceError, field: str, key: str) -> dict[str, str]:
    """A refusal of a form in a table row: shown at the top and next to that row's field."""
    message = next(iter(field_errors(error).values()))
    return {f"{field}-{key}": message}


@router.post("/survivors/{survivor_id}/medical/specialist-referrals/{referral_id}/outcome")
async def outcome(request: Request, survivor_id: UUID, referral_id: UUID, user: User) -> Response:
    """Record what came of a referral (the note is sealed at medical)."""
    form = await request.form()
    body = compact({"outcome": text(form, "outcome"), "note": text(form, "note")})
    path = f"specialist-referrals/{referral_id}/outcome"
    error = await record_care(request, user, survivor_id, path, body)
    if error is not None:
        errors = inline_error(error, "outcome", str(referral_id))
        return await _care_page(request, user, survivor_id, errors, error.status)
    return redirect(f"{_base(survivor_id)}/care")


@router.post("/survivors/{survivor_id}/medical/follow-ups/{follow_up_id}/attendance")
async def attendance(
    request: Request, survivor_id: UUID, follow_up_id: UUID, user: User
) -> Response:
    """Record whether the survivor came to a follow-up appointment."""
    form = await request.form()
    body = compact({"attendance": text(form, "attendance")})
    path = f"follow-ups/{follow_up_id}/attendance"
    error = await record_care(request, user, survivor_id, path, body)
    if error is not None:
        errors = inline_error(error, "attendance", str(follow_up_id))
        return await _care_page(request, user, survivor_id, errors, error.status)
    return redirect(f"{_base(survivor_id)}/care")
