"""Intake officers' corrections of a survivor's identity details (intake keeps the history)."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from fastapi import APIRouter, Request
from fastapi.responses import Response

from ..backend import ServiceError
from ..forms import compact, field_errors, integer, many, text
from ..i18n import N_, gettext
from ..web import User, backend_of, form_values, redirect, render

router = APIRouter()

# What a correction may change, as intake names it: sealed identity text, and the fields for
# reports; the next of kin's parts.
IDENTITY = ("full_name", "phone", "location")
KIN = ("name", "relationship", "phone")
REPORTED = ("county_code", "gender", "age_band", "preferred_language")
UNCHANGED = N_("Nothing was changed: correct at least one detail.")


def _names(raw: str | None) -> list[str]:
    return [n.strip() for n in (raw or "").split(",") if n.strip()]


def current_values(survivor: dict[str, Any]) -> dict[str, Any]:
    """The record's details as the form's values (identity only for those who may see it)."""
    identity = survivor.get("identity") or {}
    values: dict[str, Any] = {name: survivor.get(name) or "" for name in REPORTED}
    values.update({name: identity.get(name) or "" for name in IDENTITY})
    values["other_names"] = ", ".join(identity.get("other_names") or [])
    document = identity.get("id_document") or {}
    values["id_document_kind"] = document.get("kind") or ""
    values["id_document_number"] = document.get("number") or ""
    born = identity.get("birth_date") or ""
    estimated = bool(survivor.get("birth_date_estimated"))
    values["birth_date"] = "" if estimated else born
    values["estimated_birth_year"] = born if estimated else ""
    kin = identity.get("next_of_kin") or {}
    values.update({f"next_of_kin_{part}": kin.get(part) or "" for part in KIN})
    values["disabilities"] = list(survivor.get("disabilities") or [])
    return values


def changes(form: Any, current: dict[str, Any], identity: bool) -> dict[str, Any]:
    """Only the fields that differ from the record. An emptied identity field is sent empty, so
    intake says next to it that it needs a value (a correction never removes one)."""
    body: dict[str, Any] = {}
    for name in (*IDENTITY, *REPORTED) if identity else REPORTED:
        typed = text(form, name)
        if typed is None and name in IDENTITY and current[name]:
            body[name] = ""
        elif typed is not None and typed != current[name]:
            body[name] = typed
    if identity:
        if _names(text(form, "other_names")) != _names(current["other_names"]):
            body["other_names"] = _names(text(form, "other_names"))
        body.update(_document_birth_and_kin(form, current))
    chosen = many(form, "disabilities")
    if sorted(chosen) != sorted(current["disabilities"]):
        body["disabilities"] = chosen  # possibly none: a correction to "no difficulties"
    return body


def _document_birth_and_kin(form: Any, current: dict[str, Any]) -> dict[str, Any]:
    """The identity document and the next of kin when a part changed (sent whole, so intake names
    a missing part), and the date or estimated year of birth when changed (one of them: an exact
    date emptied for an estimated year is not sent)."""
    body: dict[str, Any] = {}
    kind, number = text(form, "id_document_kind"), text(form, "id_document_number")
    if (kind or "", number or "") != (current["id_document_kind"], current["id_document_number"]):
        body["id_document"] = {"kind": kind, "number": number}
    born, year = text(form, "birth_date"), text(form, "estimated_birth_year")
    if born != (current["birth_date"] or None) and (born is not None or year is None):
        body["birth_date"] = born or ""
    if year is not None and year != current["estimated_birth_year"]:
        body["estimated_birth_year"] = integer(form, "estimated_birth_year")
    kin = {part: text(form, f"next_of_kin_{part}") for part in KIN}
    if any((kin[part] or "") != current[f"next_of_kin_{part}"] for part in KIN):
        body["next_of_kin"] = compact(kin) or {"name": ""}  # intake names what is missing
    return body


def _page(
    request: Request,
    survivor: dict[str, Any],
    values: dict[str, Any] | None = None,
    errors: dict[str, str] | None = None,
    status_code: int = 200,
) -> Response:
    context = {
        "survivor": survivor,
        "values": values if values is not None else current_values(survivor),
        "errors": errors or {},
    }
    return render(request, "intake/identity.html", context, status_code=status_code)


@router.get("/survivors/{survivor_id}/identity/correct")
async def identity_form(request: Request, survivor_id: UUID, user: User) -> Response:
    """The survivor's details as recorded, to correct, with a reason."""
    survivor = await backend_of(request).get(
        "intake", f"/survivors/{survivor_id}", user.access_token
    )
    return _page(request, survivor)


@router.post("/survivors/{survivor_id}/identity/correct")
async def correct_identity(request: Request, survivor_id: UUID, user: User) -> Response:
    """Send intake only what changed, with the reason; its refusal next to the field it names."""
    form = await request.form()
    backend, token = backend_of(request), user.access_token
    survivor = await backend.get("intake", f"/survivors/{survivor_id}", token)
    body = changes(form, current_values(survivor), survivor.get("identity") is not None)
    values = form_values(form, "disabilities")
    if not body:
        errors = {"form": gettext(UNCHANGED)}
        return _page(request, survivor, values, errors, status_code=422)
    reason = text(form, "reason")
    if reason is not None:
        body["reason"] = reason
    try:
        await backend.post("intake", f"/survivors/{survivor_id}/identity", token, body)
    except ServiceError as error:
        if error.status not in (400, 409, 422):
            raise
        errors = field_errors(error)
        return _page(request, survivor, values, errors, error.status)
    return redirect(f"/survivors/{survivor_id}")
