"""Clinicians' report pages: signing with a fresh TOTP step-up, PDFs (report, P3, MOH 363),
evidence upload and custody hand-over."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from fastapi import APIRouter, Request
from fastapi.responses import Response
from starlette.datastructures import UploadFile

from ..backend import ServiceError
from ..forms import compact, field_errors, local_moment, text
from ..messages import error_text
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

router = APIRouter()
PDF_HEADERS = {"Cache-Control": "no-store", "X-Content-Type-Options": "nosniff"}


def _pdf(data: bytes, name: str) -> Response:
    """A PDF download; its file name carries only opaque ids."""
    headers = {**PDF_HEADERS, "Content-Disposition": f'attachment; filename="{name}.pdf"'}
    return Response(data, media_type="application/pdf", headers=headers)


def _encounter(survivor_id: UUID, encounter_id: UUID) -> str:
    return f"/survivors/{survivor_id}/medical/encounters/{encounter_id}"


@router.get("/survivors/{survivor_id}/medical/encounters/{encounter_id}/sign")
async def sign_form(
    request: Request, survivor_id: UUID, encounter_id: UUID, user: User
) -> Response:
    """Sign the examination's report: qualifications, place, truthfulness, a fresh TOTP code."""
    context = {"survivor_id": survivor_id, "encounter_id": encounter_id, "values": {}, "errors": {}}
    return render(request, "medical/sign.html", context)


@router.post("/survivors/{survivor_id}/medical/encounters/{encounter_id}/sign")
async def sign(request: Request, survivor_id: UUID, encounter_id: UUID, user: User) -> Response:
    """Step up at identity with the TOTP code, then sign at medical with the proof."""
    form = await request.form()
    backend, token = backend_of(request), user.access_token
    values = {k: v for k, v in form_values(form).items() if k != "totp_code"}
    context = {"survivor_id": survivor_id, "encounter_id": encounter_id, "values": values}
    try:
        proof = await step_up(backend, token, text(form, "totp_code") or "", "medical")
    except StepUpRefused:
        errors = step_up_error()
        return render(request, "medical/sign.html", {**context, "errors": errors}, status_code=422)
    body = compact(
        {
            "encounter_id": str(encounter_id),
            "qualifications": text(form, "qualifications"),
            "county_code": text(form, "county_code"),
            "step_up": proof,
        }
    )
    body["truthful"] = form.get("truthful") == "on"
    try:
        await backend.call("medical", "POST", f"/survivors/{survivor_id}/reports", token, json=body)
    except ServiceError as error:
        if error.status not in (400, 403, 409, 422):
            raise
        errors = field_errors(error)
        if error.error == "ReportIncomplete":
            errors = {"form": error_text(error.error, error.detail)}
        return render(
            request, "medical/sign.html", {**context, "errors": errors}, status_code=error.status
        )
    return redirect(_encounter(survivor_id, encounter_id))


@router.get("/survivors/{survivor_id}/medical/reports/{report_id}/pdf")
async def report_pdf(request: Request, survivor_id: UUID, report_id: UUID, user: User) -> Response:
    """The signed report's PDF, as medical renders and checks it."""
    answer = await backend_of(request).call(
        "medical", "GET", f"/survivors/{survivor_id}/reports/{report_id}/pdf", user.access_token
    )
    return _pdf(answer.content, f"report-{report_id}")


@router.post("/survivors/{survivor_id}/medical/encounters/{encounter_id}/forms/{form_kind}")
async def issue_form(
    request: Request, survivor_id: UUID, encounter_id: UUID, form_kind: str, user: User
) -> Response:
    """Issue a P3 or MOH 363 from the record and download it (blank fields completed by hand)."""
    if form_kind not in ("p3", "moh_363"):
        raise ServiceError(404, "NotFound", "no such form")
    answer = await backend_of(request).call(
        "medical",
        "POST",
        f"/survivors/{survivor_id}/forms/{form_kind}",
        user.access_token,
        json={"encounter_id": str(encounter_id)},
    )
    return _pdf(answer.content, f"{form_kind}-{encounter_id}")


@router.get("/survivors/{survivor_id}/medical/encounters/{encounter_id}/evidence/new")
async def evidence_form(
    request: Request, survivor_id: UUID, encounter_id: UUID, user: User
) -> Response:
    """Upload a photograph, X-ray, scan or document."""
    context = {
        "survivor_id": survivor_id,
        "encounter_id": encounter_id,
        "values": {"kind": "photograph"},
        "errors": {},
    }
    return render(request, "medical/evidence.html", context)


@router.post("/survivors/{survivor_id}/medical/encounters/{encounter_id}/evidence/new")
async def upload(request: Request, survivor_id: UUID, encounter_id: UUID, user: User) -> Response:
    """Send the file's bytes to medical (it judges the type, hashes and seals it)."""
    form = await request.form()
    file = form.get("file")
    data = await file.read() if isinstance(file, UploadFile) else b""
    params: dict[str, Any] = {
        "kind": text(form, "kind"),
        "encounter_id": str(encounter_id),
        "identifying": str(form.get("identifying") == "on").lower(),
        "scale_present": str(form.get("scale_present") == "on").lower(),
    }
    try:
        await backend_of(request).call(
            "medical",
            "POST",
            f"/survivors/{survivor_id}/evidence",
            user.access_token,
            params=params,
            content=data,
        )
    except ServiceError as error:
        if error.status not in (400, 409, 413, 422):
            raise
        values = {k: v for k, v in form_values(form).items() if k != "file"}
        context = {
            "survivor_id": survivor_id,
            "encounter_id": encounter_id,
            "values": values,
            "errors": field_errors(error),
        }
        return render(request, "medical/evidence.html", context, status_code=error.status)
    return redirect(_encounter(survivor_id, encounter_id))


async def _staff(request: Request, user: User) -> list[tuple[str, str]]:
    staff = await backend_of(request).get("identity", "/staff", user.access_token)
    return [(str(p["staff_id"]), p["display_name"]) for p in staff.get("staff", [])]


@router.get(
    "/survivors/{survivor_id}/medical/encounters/{encounter_id}/evidence/{evidence_id}/hand-over"
)
@router.get("/survivors/{survivor_id}/medical/evidence/{evidence_id}/hand-over")
async def hand_over_form(
    request: Request,
    survivor_id: UUID,
    evidence_id: UUID,
    user: User,
    encounter_id: UUID | None = None,
) -> Response:
    """Hand an evidence item over (custody), from its holder to someone else."""
    context = {
        "survivor_id": survivor_id,
        "encounter_id": encounter_id,
        "evidence_id": evidence_id,
        "values": {"from_holder_id": user.staff_id},
        "errors": {},
        "staff": await _staff(request, user),
    }
    return render(request, "medical/hand_over.html", context)


@router.post(
    "/survivors/{survivor_id}/medical/encounters/{encounter_id}/evidence/{evidence_id}/hand-over"
)
@router.post("/survivors/{survivor_id}/medical/evidence/{evidence_id}/hand-over")
async def hand_over(
    request: Request,
    survivor_id: UUID,
    evidence_id: UUID,
    user: User,
    encounter_id: UUID | None = None,
) -> Response:
    """Record the hand-over (medical refuses one from someone not holding the item)."""
    form = await request.form()
    body = compact(
        {
            "from_holder_id": text(form, "from_holder_id"),
            "to_holder_id": text(form, "to_holder_id"),
            "from_location": text(form, "from_location"),
            "to_location": text(form, "to_location"),
            "reason": text(form, "reason"),
            "at": local_moment(form, "at"),
        }
    )
    path = f"/survivors/{survivor_id}/evidence/{evidence_id}/hand-overs"
    try:
        await backend_of(request).post("medical", path, user.access_token, body)
    except ServiceError as error:
        if error.status not in (400, 409, 422):
            raise
        context = {
            "survivor_id": survivor_id,
            "encounter_id": encounter_id,
            "evidence_id": evidence_id,
            "values": form_values(form),
            "errors": field_errors(error),
            "staff": await _staff(request, user),
        }
        return render(request, "medical/hand_over.html", context, status_code=error.status)
    if encounter_id is None:
        return redirect(f"/survivors/{survivor_id}/medical/evidence/{evidence_id}/custody")
    return redirect(_encounter(survivor_id, encounter_id))
