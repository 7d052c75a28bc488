"""Intake officers merge a duplicate record into the one they keep: find it, compare, confirm."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from fastapi import APIRouter, Request
from fastapi.responses import Response

from ..backend import ServiceError
from ..forms import compact, field_errors, text
from ..i18n import N_, gettext
from ..web import User, backend_of, form_values, redirect, render

router = APIRouter()

NOT_ON_CASELOAD = N_("Either the other record does not exist or it is not on your caseload.")
SAME_RECORD = N_("These are the same record: choose the duplicate, not this record.")
ALREADY_MERGED = N_("One of the two records was already merged into another record.")


def merge_errors(error: ServiceError, kept: UUID, other: UUID) -> dict[str, str]:
    """Intake's refusal of a merge, said plainly (which of its reasons applies)."""
    if error.status == 404:
        return {"form": gettext(NOT_ON_CASELOAD)}
    if error.error == "InvalidMerge" and kept == other:
        return {"form": gettext(SAME_RECORD)}
    if error.error == "SurvivorMerged":
        return {"form": gettext(ALREADY_MERGED)}
    return field_errors(error)


async def _read(request: Request, user: User, survivor_id: UUID) -> dict[str, Any] | None:
    """A record as intake shows it to this user; None when it is not theirs to see."""
    try:
        found: dict[str, Any] = await backend_of(request).get(
            "intake", f"/survivors/{survivor_id}", user.access_token
        )
    except ServiceError as error:
        if error.status not in (403, 404, 422):
            raise
        return None
    return found


@router.get("/survivors/{survivor_id}/merge")
async def find_form(request: Request, survivor_id: UUID, user: User) -> Response:
    """Find the duplicate to merge into this record."""
    kept = await backend_of(request).get("intake", f"/survivors/{survivor_id}", user.access_token)
    context = {"kept": kept, "results": None, "values": {}, "errors": {}}
    return render(request, "intake/merge_find.html", context)


@router.post("/survivors/{survivor_id}/merge")
async def find(request: Request, survivor_id: UUID, user: User) -> Response:
    """The officer's search (the text in the body, never in a URL), each hit to compare."""
    form = await request.form()
    backend, token = backend_of(request), user.access_token
    kept = await backend.get("intake", f"/survivors/{survivor_id}", token)
    values = form_values(form)
    try:
        found = await backend.post("intake", "/survivors/search", token, {"q": text(form, "q")})
    except ServiceError as error:
        if error.status not in (400, 422):
            raise
        context = {"kept": kept, "results": None, "values": values, "errors": field_errors(error)}
        return render(request, "intake/merge_find.html", context, status_code=error.status)
    context = {"kept": kept, "results": found.get("results", []), "values": values, "errors": {}}
    return render(request, "intake/merge_find.html", context)


async def _confirm_page(
    request: Request,
    user: User,
    survivor_id: UUID,
    other_id: UUID,
    values: dict[str, Any],
    errors: dict[str, str],
    status_code: int = 200,
) -> Response:
    kept = await backend_of(request).get("intake", f"/survivors/{survivor_id}", user.access_token)
    other = await _read(request, user, other_id)
    if other is None and not errors:
        errors = {"form": gettext(NOT_ON_CASELOAD)}
        status_code = 404
    context = {
        "kept": kept,
        "other": other,
        "values": values,
        "errors": errors,
        # Refused for good (not on the caseload, the same record, already merged): no form.
        "refused": status_code in (404, 409),
    }
    return render(request, "intake/merge_confirm.html", context, status_code=status_code)


@router.get("/survivors/{survivor_id}/merge/{other_id}")
async def confirm_form(request: Request, survivor_id: UUID, other_id: UUID, user: User) -> Response:
    """Both records side by side, what merging does, and a reason."""
    return await _confirm_page(request, user, survivor_id, other_id, {}, {})


@router.post("/survivors/{survivor_id}/merge/{other_id}")
async def merge(request: Request, survivor_id: UUID, other_id: UUID, user: User) -> Response:
    """Merge the other record into this one; intake's refusal shown on the same page."""
    form = await request.form()
    body = compact({"merged_survivor_id": str(other_id), "reason": text(form, "reason")})
    try:
        await backend_of(request).post(
            "intake", f"/survivors/{survivor_id}/merge", user.access_token, body
        )
    except ServiceError as error:
        if error.status not in (400, 404, 409, 422):
            raise
        errors = merge_errors(error, survivor_id, other_id)
        values = form_values(form)
        return await _confirm_page(
            request, user, survivor_id, other_id, values, errors, error.status
        )
    return redirect(f"/survivors/{survivor_id}")
