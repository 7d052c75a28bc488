"""Notifications: one's own (psychosocial's risk flags and escalations, to one's roles and teams)
and the data protection officer's notices of two-person-rule account changes (identity)."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import Response

from ..backend import ServiceError
from ..web import User, backend_of, render

router = APIRouter()


@router.get("/notifications")
async def mine(request: Request, user: User) -> Response:
    """Your notifications, newest first: what happened and a link, never a survivor's identity."""
    found = await backend_of(request).get("psychosocial", "/notifications", user.access_token)
    return render(request, "staff/notifications.html", {"items": found.get("notifications", [])})


@router.get("/account-notifications")
async def account_changes(request: Request, user: User) -> Response:
    """The data protection officer's notices: account changes requested, approved, rejected."""
    backend, token = backend_of(request), user.access_token
    found = await backend.get("identity", "/dpo/notifications", token)
    people: dict[str, str] = {}
    try:  # the staff directory names colleagues; ids are shown where it does not answer
        staff = await backend.get("identity", "/staff", token, limit=500)
        people = {str(s["staff_id"]): str(s["username"]) for s in staff.get("staff", [])}
    except ServiceError as error:
        if error.status not in (403, 404):
            raise
    context = {"items": found.get("notifications", []), "people": people}
    return render(request, "dpo/account_notifications.html", context)
