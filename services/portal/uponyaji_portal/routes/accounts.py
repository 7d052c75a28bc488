"""Administrators' account pages: the staff accounts, a new account, and an account's work
e-mail address (where its notifications go).

Identity decides: clinical roles and teams asked for on a new account wait for a second
administrator (they appear under account changes); the portal passes the form on.
"""

from __future__ import annotations

from typing import Any
from uuid import UUID

from fastapi import APIRouter, Request
from fastapi.responses import Response

from ..backend import ServiceError
from ..forms import field_errors, many, text
from ..vocab import VOCABULARIES
from ..web import User, backend_of, form_values, redirect, render

router = APIRouter()
REFUSED = (400, 404, 409, 422)


async def _teams(request: Request, user: User) -> list[tuple[str, str]]:
    """(team id, name) of every team, for the new account's team choices."""
    found = await backend_of(request).get("identity", "/teams", user.access_token)
    return [(str(t["team_id"]), str(t["name"])) for t in found.get("teams", [])]


@router.get("/accounts")
async def accounts(request: Request, user: User) -> Response:
    """Staff accounts in username order, each with its roles and e-mail address."""
    found = await backend_of(request).get("identity", "/accounts", user.access_token, limit=500)
    return render(request, "admin/accounts.html", {"accounts": found.get("accounts", [])})


async def _new_form(
    request: Request,
    user: User,
    values: dict[str, Any],
    errors: dict[str, str],
    status_code: int = 200,
) -> Response:
    context = {
        "values": values,
        "errors": errors,
        "roles": [(code, code) for code in VOCABULARIES["role"]],
        "teams": await _teams(request, user),
    }
    return render(request, "admin/account_new.html", context, status_code=status_code)


@router.get("/accounts/new")
async def new_account_form(request: Request, user: User) -> Response:
    """Create a staff account: username, name, first password, roles, teams, e-mail."""
    return await _new_form(request, user, {"roles": [], "teams": []}, {})


@router.post("/accounts/new")
async def new_account(request: Request, user: User) -> Response:
    """Create the account at identity (the first password is never shown again)."""
    form = await request.form()
    body: dict[str, Any] = {
        "username": text(form, "username") or "",
        "display_name": text(form, "display_name") or "",
        "password": form.get("password") or "",
        "roles": many(form, "roles"),
        "teams": many(form, "teams"),
    }
    if (email := text(form, "email")) is not None:
        body["email"] = email
    try:
        await backend_of(request).post("identity", "/accounts", user.access_token, body)
    except ServiceError as error:
        if error.status not in REFUSED:
            raise
        values = {k: v for k, v in form_values(form, "roles", "teams").items() if k != "password"}
        return await _new_form(request, user, values, field_errors(error), error.status)
    return redirect("/accounts")


async def _email_form(
    request: Request,
    user: User,
    staff_id: UUID,
    values: dict[str, Any] | None = None,
    errors: dict[str, str] | None = None,
    status_code: int = 200,
) -> Response:
    account = await backend_of(request).get("identity", f"/accounts/{staff_id}", user.access_token)
    shown = values if values is not None else {"email": account.get("email") or ""}
    context = {"account": account, "values": shown, "errors": errors or {}}
    return render(request, "admin/account_email.html", context, status_code=status_code)


@router.get("/accounts/{staff_id}/email")
async def email_form(request: Request, staff_id: UUID, user: User) -> Response:
    """Set, change or remove an account's work e-mail address."""
    return await _email_form(request, user, staff_id)


@router.post("/accounts/{staff_id}/email")
async def email(request: Request, staff_id: UUID, user: User) -> Response:
    """Send the address to identity (empty removes it), refused if the account changed since."""
    form = await request.form()
    version = text(form, "expected_version")
    body: dict[str, Any] = {
        "email": text(form, "email"),
        "expected_version": int(version) if version and version.isdigit() else None,
    }
    try:
        await backend_of(request).post(
            "identity", f"/accounts/{staff_id}/email", user.access_token, body
        )
    except ServiceError as error:
        if error.status not in REFUSED:
            raise
        errors = field_errors(error)
        return await _email_form(request, user, staff_id, form_values(form), errors, error.status)
    return redirect("/accounts")
