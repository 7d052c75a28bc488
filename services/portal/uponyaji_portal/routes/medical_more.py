"""More clinicians' pages: referrals to medical (accept or decline), an evidence item's chain of
custody, and signed addenda to a signed report (a fresh TOTP step-up, as for the report)."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from fastapi import APIRouter, Request
from fastapi.responses import Response

from ..backend import ServiceError
from ..forms import field_errors, text
from ..referral_answers import send_answer
from ..web import (
    StepUpRefused,
    User,
    backend_of,
    form_values,
    redirect,
    render,
    step_up,
    step_up_error,
)
from .medical_reports import _pdf

router = APIRouter()


async def _names(request: Request, user: User) -> dict[str, str]:
    """Colleagues' names by staff id (the directory), empty when it does not answer."""
    try:
        staff = await backend_of(request).get("identity", "/staff", user.access_token, limit=500)
    except ServiceError as error:
        if error.status >= 500:
            return {}
        raise
    return {str(s["staff_id"]): str(s["display_name"]) for s in staff.get("staff", [])}


# --- referrals to medical ----------------------------------------------------------------------


async def _referrals_page(
    request: Request, user: User, errors: dict[str, str], status_code: int = 200
) -> Response:
    found = await backend_of(request).get("medical", "/referrals", user.access_token)
    context = {"referrals": found.get("referrals", []), "errors": errors}
    return render(request, "medical/referrals.html", context, status_code=status_code)


@router.get("/medical/referrals")
async def referrals(request: Request, user: User) -> Response:
    """Referrals to medical not yet answered, on the caseload, oldest first."""
    return await _referrals_page(request, user, {})


@router.post("/medical/referrals/{referral_id}")
async def answer_referral(request: Request, referral_id: UUID, user: User) -> Response:
    """Accept or decline a referral at medical (intake's referral status follows)."""
    refused = await send_answer(
        backend_of(request),
        user.access_token,
        "medical",
        f"/referrals/{referral_id}/decision",
        await request.form(),
    )
    if refused is not None:
        return await _referrals_page(request, user, *refused)
    return redirect("/medical/referrals")


# --- chain of custody ---------------------------------------------------------------------------


@router.get(
    "/survivors/{survivor_id}/medical/encounters/{encounter_id}/evidence/{evidence_id}/custody"
)
@router.get("/survivors/{survivor_id}/medical/evidence/{evidence_id}/custody")
async def custody(
    request: Request,
    survivor_id: UUID,
    evidence_id: UUID,
    user: User,
    encounter_id: UUID | None = None,
) -> Response:
    """The item's chain of custody: captured, each hand-over with its reason, accesses, alarms."""
    found = await backend_of(request).get(
        "medical", f"/survivors/{survivor_id}/evidence/{evidence_id}/custody", user.access_token
    )
    context = {
        "survivor_id": survivor_id,
        "encounter_id": encounter_id,
        "evidence_id": evidence_id,
        "steps": found.get("custody", []),
        "names": await _names(request, user),
    }
    return render(request, "medical/custody.html", context)


# --- addenda ------------------------------------------------------------------------------------


def _addendum_path(survivor_id: UUID, encounter_id: UUID, report_id: UUID) -> str:
    return f"/survivors/{survivor_id}/medical/encounters/{encounter_id}/reports/{report_id}/addenda"


REPORT = "/survivors/{survivor_id}/medical/encounters/{encounter_id}/reports/{report_id}"


@router.get(REPORT + "/addenda/new")
async def addendum_form(
    request: Request, survivor_id: UUID, encounter_id: UUID, report_id: UUID, user: User
) -> Response:
    """Add to a signed report (it is never changed): the addendum's text and a fresh code."""
    context = {
        "survivor_id": survivor_id,
        "encounter_id": encounter_id,
        "report_id": report_id,
        "values": {},
        "errors": {},
    }
    return render(request, "medical/addendum.html", context)


@router.post(REPORT + "/addenda/new")
async def addendum(
    request: Request, survivor_id: UUID, encounter_id: UUID, report_id: UUID, user: User
) -> Response:
    """Step up at identity with the code, then sign the addendum at medical with the proof."""
    form = await request.form()
    backend, token = backend_of(request), user.access_token
    values = {k: v for k, v in form_values(form).items() if k != "totp_code"}
    context: dict[str, Any] = {
        "survivor_id": survivor_id,
        "encounter_id": encounter_id,
        "report_id": report_id,
        "values": values,
    }
    try:
        proof = await step_up(backend, token, text(form, "totp_code") or "", "medical")
    except StepUpRefused:
        context["errors"] = step_up_error()
        return render(request, "medical/addendum.html", context, status_code=422)
    body = {"text": text(form, "text") or "", "step_up": proof}
    path = f"/survivors/{survivor_id}/reports/{report_id}/addenda"
    try:
        answer = await backend.call("medical", "POST", path, token, json=body)
    except ServiceError as error:
        if error.status not in (400, 403, 404, 409, 422):
            raise
        errors = field_errors(error)
        return render(
            request,
            "medical/addendum.html",
            {**context, "errors": errors},
            status_code=error.status,
        )
    addendum_id = answer.headers.get("X-Addendum-Id", "")
    return redirect(f"{_addendum_path(survivor_id, encounter_id, report_id)}/{addendum_id}")


@router.get(REPORT + "/addenda/{addendum_id}")
async def addendum_signed(
    request: Request,
    survivor_id: UUID,
    encounter_id: UUID,
    report_id: UUID,
    addendum_id: UUID,
    user: User,
) -> Response:
    """The signed addendum: its PDF to download."""
    context: dict[str, Any] = {
        "survivor_id": survivor_id,
        "encounter_id": encounter_id,
        "report_id": report_id,
        "addendum_id": addendum_id,
    }
    return render(request, "medical/addendum_signed.html", context)


@router.get("/survivors/{survivor_id}/medical/reports/{report_id}/addenda/{addendum_id}/pdf")
async def addendum_pdf(
    request: Request, survivor_id: UUID, report_id: UUID, addendum_id: UUID, user: User
) -> Response:
    """A signed addendum's PDF, as medical renders it."""
    answer = await backend_of(request).call(
        "medical",
        "GET",
        f"/survivors/{survivor_id}/reports/{report_id}/addenda/{addendum_id}/pdf",
        user.access_token,
    )
    return _pdf(answer.content, f"addendum-{addendum_id}")
