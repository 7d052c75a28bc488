"""Data protection officers' pages: the audit review with its alerts, and erasure requests."""

from __future__ import annotations

from uuid import UUID

from fastapi import APIRouter, Request
from fastapi.responses import Response
from uponyaji_events.eat import today

from ..backend import ServiceError
from ..forms import field_errors, text
from ..i18n import _
from ..web import User, backend_of, form_values, redirect, render

router = APIRouter()


@router.get("/audit")
async def audit(request: Request, user: User) -> Response:
    """Who read which survivor's data, when, why and with what outcome; and the alerts."""
    wanted = ("staff_id", "from", "to")
    filters = {k: request.query_params[k] for k in wanted if request.query_params.get(k)}
    # The form asks for days; reporting takes moments: whole days in East Africa Time.
    moments = dict(filters)
    if "from" in moments:
        moments["from"] = f"{moments['from']}T00:00:00+03:00"
    if "to" in moments:
        moments["to"] = f"{moments['to']}T23:59:59+03:00"
    try:
        review = await backend_of(request).get(
            "reporting", "/audit", user.access_token, limit=200, **moments
        )
    except ServiceError as error:
        if error.status != 422:
            raise
        context = {"review": None, "values": filters, "errors": field_errors(error)}
        return render(request, "dpo/audit.html", context, status_code=422)
    return render(request, "dpo/audit.html", {"review": review, "values": filters, "errors": {}})


@router.get("/erasure")
async def erasure_lookup_form(request: Request, user: User) -> Response:
    """Find a survivor's erasure requests by the survivor's id."""
    return render(request, "dpo/lookup.html", {"values": {}, "errors": {}})


@router.post("/erasure")
async def erasure_lookup(request: Request, user: User) -> Response:
    """Go to the erasure page of the survivor id typed."""
    form = await request.form()
    raw = text(form, "survivor_id") or ""
    try:
        survivor_id = UUID(raw)
    except ValueError:
        errors = {
            "survivor_id": _("Enter a survivor id like 0190c3d2-7e41-7b3a-9f2e-3a1c5d7e9b10.")
        }
        return render(
            request,
            "dpo/lookup.html",
            {"values": form_values(form), "errors": errors},
            status_code=422,
        )
    return redirect(f"/survivors/{survivor_id}/erasure")


@router.get("/survivors/{survivor_id}/erasure")
async def erasure(request: Request, survivor_id: UUID, user: User) -> Response:
    """The survivor's erasure requests and which services confirmed."""
    requests = await backend_of(request).get(
        "intake", f"/survivors/{survivor_id}/erasure-requests", user.access_token
    )
    context = {
        "survivor_id": survivor_id,
        "requests": requests,
        "values": {"received_on": today().isoformat()},
        "errors": {},
    }
    return render(request, "dpo/erasure.html", context)


@router.post("/survivors/{survivor_id}/erasure")
async def request_erasure(request: Request, survivor_id: UUID, user: User) -> Response:
    """Record an erasure request (Data Protection Act s.40): every service destroys its key."""
    form = await request.form()
    backend = backend_of(request)
    try:
        await backend.post(
            "intake",
            f"/survivors/{survivor_id}/erasure-requests",
            user.access_token,
            {"received_on": text(form, "received_on")},
        )
    except ServiceError as error:
        if error.status not in (400, 409, 422):
            raise
        requests = await backend.get(
            "intake", f"/survivors/{survivor_id}/erasure-requests", user.access_token
        )
        context = {
            "survivor_id": survivor_id,
            "requests": requests,
            "values": form_values(form),
            "errors": field_errors(error),
        }
        return render(request, "dpo/erasure.html", context, status_code=error.status)
    return redirect(f"/survivors/{survivor_id}/erasure")
