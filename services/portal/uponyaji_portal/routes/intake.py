"""Intake officers' pages: search, register (duplicate check first), the record and its actions."""

from __future__ import annotations

import asyncio
from typing import Any
from uuid import UUID

from fastapi import APIRouter, Request
from fastapi.responses import Response

from ..backend import ServiceError
from ..forms import compact, field_errors, integer, local_moment, many, text
from ..web import User, backend_of, form_values, redirect, render

router = APIRouter()


async def _optional(call: Any, service: str, away: set[str]) -> Any:
    """A read the service may refuse: None on 403/404 (the section is then not shown), and None
    with the service noted in `away` when it cannot answer (the rest of the page still shows)."""
    try:
        return await call
    except ServiceError as error:
        if error.status in (403, 404, 409):
            return None
        if error.status >= 500:
            away.add(service)
            return None
        raise


@router.get("/survivors/search")
async def search_form(request: Request, user: User) -> Response:
    """The search form."""
    return render(request, "intake/search.html", {"results": None, "values": {}})


@router.post("/survivors/search")
async def search(request: Request, user: User) -> Response:
    """Search by case number, phone, ID number or name (the text goes in the body, never a URL)."""
    form = await request.form()
    values = form_values(form)
    query = text(form, "q") or ""
    try:
        found = await backend_of(request).post(
            "intake", "/survivors/search", user.access_token, {"q": query}
        )
    except ServiceError as error:
        if error.status not in (400, 422):
            raise
        return render(
            request,
            "intake/search.html",
            {"results": None, "values": values, "errors": field_errors(error)},
            status_code=error.status,
        )
    results = found.get("results", found.get("survivors", []))
    return render(request, "intake/search.html", {"results": results, "values": values})


def _registration(form: Any) -> dict[str, Any]:
    kind, number = text(form, "id_document_kind"), text(form, "id_document_number")
    return compact(
        {
            "full_name": text(form, "full_name"),
            "other_names": [
                n.strip() for n in (text(form, "other_names") or "").split(",") if n.strip()
            ],
            "phone": text(form, "phone"),
            "id_document": {"kind": kind, "number": number} if kind or number else None,
            "birth_date": text(form, "birth_date"),
            "estimated_birth_year": integer(form, "estimated_birth_year"),
            "county_code": text(form, "county_code"),
            "gender": text(form, "gender"),
            "age_band": text(form, "age_band"),
            "disabilities": many(form, "disabilities"),
            "preferred_language": text(form, "preferred_language"),
            "location": text(form, "location"),
            "register_anyway_reason": text(form, "register_anyway_reason"),
            "registered_on": text(form, "registered_on"),
        }
    )


@router.get("/survivors/new")
async def register_form(request: Request, user: User) -> Response:
    """The registration form."""
    return render(request, "intake/register.html", {"values": {}, "errors": {}})


@router.post("/survivors/new")
async def register(request: Request, user: User) -> Response:
    """Register; intake's duplicate check answers first, and the officer decides with a reason."""
    form = await request.form()
    values = form_values(form, "disabilities")
    try:
        created = await backend_of(request).post(
            "intake", "/survivors", user.access_token, _registration(form)
        )
    except ServiceError as error:
        if error.status == 409 and error.error == "PossibleDuplicates":
            context = {"values": values, "errors": {}, "candidates": error.body["candidates"]}
            return render(request, "intake/register.html", context, status_code=409)
        if error.status not in (400, 409, 422):
            raise
        context = {"values": values, "errors": field_errors(error)}
        return render(request, "intake/register.html", context, status_code=error.status)
    return redirect(f"/survivors/{created['survivor_id']}")


@router.get("/survivors/{survivor_id}")
async def record(request: Request, survivor_id: UUID, user: User) -> Response:
    """The survivor's record: what each service lets this user see, section by section."""
    backend, token, base = backend_of(request), user.access_token, f"/survivors/{survivor_id}"
    survivor = await backend.get("intake", base, token)
    away: set[str] = set()
    (
        consents,
        incidents,
        referrals,
        sessions,
        progress,
        plan,
        flags,
        medical,
        emp,
        administrations,
    ) = await asyncio.gather(
        *(
            _optional(backend.get(service, f"{base}{path}", token), service, away)
            for service, path in (
                ("intake", "/consents"),
                ("intake", "/incidents"),
                ("intake", "/referrals"),
                ("psychosocial", "/sessions"),
                ("psychosocial", "/progress"),
                ("psychosocial", "/care-plan"),
                ("psychosocial", "/risk-flags"),
                ("medical", "/summary"),
                ("empowerment", "/empowerment"),
                ("psychosocial", "/assessments"),
            )
        )
    )
    return render(
        request,
        "intake/record.html",
        {
            "survivor": survivor,
            "consents": consents,
            "incidents": incidents,
            "referrals": referrals,
            "sessions": sessions,
            "progress": progress,
            "plan": plan,
            "flags": flags,
            "medical": medical,
            "emp": emp,
            "administrations": administrations,
            "away": sorted(away),
        },
    )


async def _action(
    request: Request,
    user: User,
    survivor_id: UUID,
    template: str,
    path: str,
    body: dict[str, Any],
    values: dict[str, Any],
    extra: dict[str, Any] | None = None,
) -> Response:
    """POST a form's body to intake; back to the record, or the form again with the problem."""
    try:
        await backend_of(request).post(
            "intake", f"/survivors/{survivor_id}{path}", user.access_token, body
        )
    except ServiceError as error:
        if error.status not in (400, 409, 422):
            raise
        context = {"survivor_id": survivor_id, "values": values, "errors": field_errors(error)}
        return render(request, template, {**context, **(extra or {})}, status_code=error.status)
    return redirect(f"/survivors/{survivor_id}")


@router.get("/survivors/{survivor_id}/consents/new")
async def consent_form(request: Request, survivor_id: UUID, user: User) -> Response:
    """Record consent for one scope."""
    values = {"decision": "grant", "method": "verbal", "party": "survivor", "language": user.lang}
    context = {"survivor_id": survivor_id, "values": values, "errors": {}}
    return render(request, "intake/consent.html", context)


@router.post("/survivors/{survivor_id}/consents/new")
async def consent(request: Request, survivor_id: UUID, user: User) -> Response:
    """Grant or withdraw one scope, with method, party, witness, language and reason."""
    form = await request.form()
    body = compact(
        {
            "scope": text(form, "scope"),
            "decision": text(form, "decision"),
            "method": text(form, "method"),
            "party": text(form, "party"),
            "witness": text(form, "witness"),
            "language": text(form, "language"),
            "reason": text(form, "reason"),
            "at": local_moment(form, "at"),
        }
    )
    return await _action(
        request, user, survivor_id, "intake/consent.html", "/consents", body, form_values(form)
    )


@router.get("/survivors/{survivor_id}/incidents/new")
async def incident_form(request: Request, survivor_id: UUID, user: User) -> Response:
    """Document an incident."""
    values: dict[str, Any] = {"perpetrators": [], "methods": []}
    context = {"survivor_id": survivor_id, "values": values, "errors": {}}
    return render(request, "intake/incident.html", context)


@router.post("/survivors/{survivor_id}/incidents/new")
async def incident(request: Request, survivor_id: UUID, user: User) -> Response:
    """Document an incident: when, where, who, how, and the narrative (sealed by intake)."""
    form = await request.form()
    body = compact(
        {
            "occurred_from": text(form, "occurred_from"),
            "occurred_until": text(form, "occurred_until"),
            "date_is_approximate": form.get("date_is_approximate") == "on",
            "county_code": text(form, "county_code"),
            "place_type": text(form, "place_type"),
            "perpetrators": many(form, "perpetrators"),
            "methods": many(form, "methods"),
            "narrative": text(form, "narrative"),
        }
    )
    values = form_values(form, "perpetrators", "methods")
    return await _action(
        request, user, survivor_id, "intake/incident.html", "/incidents", body, values
    )


@router.get("/survivors/{survivor_id}/referrals/new")
async def referral_form(request: Request, survivor_id: UUID, user: User) -> Response:
    """Refer the survivor."""
    context = {"survivor_id": survivor_id, "values": {"urgency": "routine"}, "errors": {}}
    return render(request, "intake/referral.html", context)


@router.post("/survivors/{survivor_id}/referrals/new")
async def referral(request: Request, survivor_id: UUID, user: User) -> Response:
    """Refer to a service or an external provider (the service checks the consent)."""
    form = await request.form()
    body = compact(
        {
            "target": text(form, "target"),
            "urgency": text(form, "urgency"),
            "external_provider": text(form, "external_provider"),
            "reason": text(form, "reason"),
        }
    )
    return await _action(
        request, user, survivor_id, "intake/referral.html", "/referrals", body, form_values(form)
    )


async def _directory(request: Request, user: User) -> dict[str, Any]:
    """Teams (named by their first members, identity shows team names to admins only) and staff."""
    from ..i18n import _

    staff = await backend_of(request).get("identity", "/staff", user.access_token)
    people = staff.get("staff", [])
    teams: dict[str, list[str]] = {}
    for person in people:
        for team in person.get("teams", []):
            teams.setdefault(str(team), []).append(person["display_name"])
    return {
        "teams": [
            (team, _("Team of %(names)s") % {"names": ", ".join(names[:3])})
            for team, names in teams.items()
        ],
        "workers": [(str(p["staff_id"]), p["display_name"]) for p in people],
    }


@router.get("/survivors/{survivor_id}/assignment")
async def assignment_form(request: Request, survivor_id: UUID, user: User) -> Response:
    """Assign the case to a team and a lead case worker from the staff directory."""
    directory = await _directory(request, user)
    context = {"survivor_id": survivor_id, "values": {}, "errors": {}, **directory}
    return render(request, "intake/assignment.html", context)


@router.post("/survivors/{survivor_id}/assignment")
async def assignment(request: Request, survivor_id: UUID, user: User) -> Response:
    """Reassign the case (409 when nothing changes)."""
    form = await request.form()
    body = compact(
        {
            "team_id": text(form, "team_id"),
            "lead_case_worker_id": text(form, "lead_case_worker_id"),
        }
    )
    return await _action(
        request,
        user,
        survivor_id,
        "intake/assignment.html",
        "/assignment",
        body,
        form_values(form),
        await _directory(request, user),
    )


@router.get("/survivors/{survivor_id}/closure")
async def closure_form(request: Request, survivor_id: UUID, user: User) -> Response:
    """Close the case (or reopen it)."""
    context = {"survivor_id": survivor_id, "values": {"action": "close"}, "errors": {}}
    return render(request, "intake/closure.html", context)


@router.post("/survivors/{survivor_id}/closure")
async def closure(request: Request, survivor_id: UUID, user: User) -> Response:
    """Close with a reason, or reopen with a note (intake says what is missing)."""
    form = await request.form()
    body = compact(
        {
            "action": text(form, "action"),
            "reason": text(form, "reason"),
            "note": text(form, "note"),
        }
    )
    return await _action(
        request, user, survivor_id, "intake/closure.html", "/closure", body, form_values(form)
    )
