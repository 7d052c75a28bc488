"""Correcting a recorded questionnaire: its form prefilled with the answers, and a reason.

Psychosocial records the correction as a new administration that supersedes the old one; both
stay on the record, the old one marked superseded.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any
from uuid import UUID

from fastapi import APIRouter, Request
from fastapi.responses import Response
from uponyaji_events.eat import EAT

from ..backend import ServiceError
from ..forms import compact, field_errors, integer, local_moment, text
from ..instruments import INSTRUMENTS, Instrument
from ..web import User, backend_of, form_values, render

router = APIRouter()


async def _administration(
    request: Request, user: User, survivor_id: UUID, assessment_id: UUID
) -> tuple[dict[str, Any], Instrument]:
    """The recorded administration and its questionnaire (404 when psychosocial has no such one
    for this survivor, or the portal has no form for its questionnaire)."""
    found = await backend_of(request).get(
        "psychosocial", f"/survivors/{survivor_id}/assessments", user.access_token
    )
    for row in found.get("assessments", []):
        if row["assessment_id"] == str(assessment_id) and row["instrument"] in INSTRUMENTS:
            return row, INSTRUMENTS[row["instrument"]]
    raise ServiceError(404, "NotFound", "assessment not found")


def recorded_values(row: dict[str, Any]) -> dict[str, Any]:
    """The recorded answers and time (East Africa Time, to the minute) as the form's values."""
    values: dict[str, Any] = {
        f"item_{n}": str(answer) for n, answer in enumerate(row["responses"], start=1)
    }
    if row.get("administered_at"):
        moment = datetime.fromisoformat(row["administered_at"])
        local = moment.astimezone(EAT).strftime("%Y-%m-%dT%H:%M")
        values["administered_at"] = values["recorded_administered_at"] = local
    return values


def _form(
    request: Request,
    survivor_id: UUID,
    row: dict[str, Any],
    instrument: Instrument,
    values: dict[str, Any],
    errors: dict[str, str],
    status_code: int = 200,
) -> Response:
    context = {
        "survivor_id": survivor_id,
        "assessment": row,
        "instrument": instrument,
        "values": values,
        "errors": errors,
    }
    return render(request, "counselling/correction.html", context, status_code=status_code)


@router.get("/survivors/{survivor_id}/assessments/{assessment_id}/correct")
async def correction_form(
    request: Request, survivor_id: UUID, assessment_id: UUID, user: User
) -> Response:
    """The questionnaire prefilled with the recorded answers, and a reason to give."""
    row, instrument = await _administration(request, user, survivor_id, assessment_id)
    return _form(request, survivor_id, row, instrument, recorded_values(row), {})


@router.post("/survivors/{survivor_id}/assessments/{assessment_id}/correct")
async def correct(request: Request, survivor_id: UUID, assessment_id: UUID, user: User) -> Response:
    """Send the corrected answers with the reason; show the new score psychosocial computed."""
    form = await request.form()
    row, instrument = await _administration(request, user, survivor_id, assessment_id)
    responses = [integer(form, f"item_{n}") for n in range(1, instrument.count + 1)]
    moment = text(form, "administered_at")
    body = compact(
        {
            "instrument": instrument.code,
            "reason": text(form, "reason"),
            # The time only when it was changed (psychosocial keeps the original's otherwise).
            "administered_at": (
                local_moment(form, "administered_at")
                if moment != text(form, "recorded_administered_at")
                else None
            ),
        }
    )
    body["responses"] = [r for r in responses if r is not None]
    path = f"/survivors/{survivor_id}/assessments/{assessment_id}/correction"
    try:
        result = await backend_of(request).post("psychosocial", path, user.access_token, body)
    except ServiceError as error:
        if error.status not in (400, 409, 422):
            raise
        values = form_values(form)
        return _form(
            request, survivor_id, row, instrument, values, field_errors(error), error.status
        )
    context = {
        "survivor_id": survivor_id,
        "instrument": instrument,
        "result": result,
        "change": None,
        "corrected": True,
    }
    return render(request, "counselling/result.html", context, status_code=201)
