"""Administrators' page: account changes waiting for a second administrator (the two-person rule).

Identity decides who may approve: never the administrator who asked, nor the account's owner.
The portal lists the changes and passes the decision on; identity's refusal is shown on the page.
"""

from __future__ import annotations

from typing import Any
from uuid import UUID

from fastapi import APIRouter, Request
from fastapi.responses import Response

from ..backend import ServiceError
from ..i18n import _
from ..web import User, backend_of, redirect, render

router = APIRouter()


async def _names(request: Request, user: User) -> tuple[dict[str, str], dict[str, str]]:
    """Usernames by staff id and team names by id (what an administrator may see)."""
    backend = backend_of(request)
    accounts = await backend.get("identity", "/accounts", user.access_token, limit=500)
    people = {str(a["staff_id"]): str(a["username"]) for a in accounts.get("accounts", [])}
    try:
        found = await backend.get("identity", "/teams", user.access_token)
        teams = {str(t["team_id"]): str(t["name"]) for t in found.get("teams", [])}
    except ServiceError:
        teams = {}
    return people, teams


async def _page(
    request: Request, user: User, refusal: str | None = None, status_code: int = 200
) -> Response:
    backend, token = backend_of(request), user.access_token
    pending = await backend.get("identity", "/account-changes", token, status="pending")
    recent = await backend.get("identity", "/account-changes", token, limit=20)
    people, teams = await _names(request, user)
    decided = [c for c in recent.get("changes", []) if c["status"] != "pending"]
    context: dict[str, Any] = {
        "pending": pending.get("changes", []),
        "decided": decided,
        "people": people,
        "teams": teams,
        "refusal": refusal,
    }
    return render(request, "admin/changes.html", context, status_code=status_code)


@router.get("/account-changes")
async def changes(request: Request, user: User) -> Response:
    """Pending account changes (approve or reject) and the latest decisions."""
    return await _page(request, user)


@router.post("/account-changes/{change_id}")
async def decide(request: Request, change_id: UUID, user: User) -> Response:
    """Approve or reject one change at identity; its refusal shown on the page."""
    form = await request.form()
    decision = form.get("decision")
    if decision not in ("approve", "reject"):
        return await _page(request, user, _("Choose approve or reject."), 422)
    path = f"/account-changes/{change_id}/" + ("approval" if decision == "approve" else "rejection")
    try:
        await backend_of(request).post("identity", path, user.access_token, None)
    except ServiceError as error:
        if error.status not in (403, 404, 409):
            raise
        messages = {
            403: _(
                "Identity refused: a change must be approved by a second administrator, "
                "not the one who asked and not the account's owner."
            ),
            404: _("This change does not exist."),
            409: _("This change was already approved or rejected."),
        }
        return await _page(request, user, messages[error.status], error.status)
    return redirect("/account-changes")
