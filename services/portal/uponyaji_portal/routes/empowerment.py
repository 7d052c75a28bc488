"""Empowerment officers' pages: needs assessment, livelihood plan, grants, disbursements,
follow-ups; programme leads' grant decisions, budget lines and the programme's figures."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from fastapi import APIRouter, Request
from fastapi.responses import Response

from ..backend import ServiceError
from ..forms import compact, field_errors, integer, many, text
from ..i18n import gettext, today_eat
from ..vocab_empowerment import HUNGER_ITEMS
from ..web import User, backend_of, form_values, redirect, render

router = APIRouter()
Body = dict[str, Any]


async def _post(
    request: Request, user: User, path: str, body: Body
) -> tuple[dict[str, Any] | None, ServiceError | None]:
    try:
        return await backend_of(request).post("empowerment", path, user.access_token, body), None
    except ServiceError as error:
        if error.status not in (400, 403, 409, 422):
            raise
        return None, error


def _errors(error: ServiceError) -> dict[str, str]:
    """Field errors; `hunger_answers[1]` problems go to the item's input."""
    errors = field_errors(error)
    for field, message in error.fields.items():
        if field.startswith("hunger_answers") and "[" in field:
            errors[f"hunger_{field.split('[')[1].rstrip(']')}"] = message
        elif ".hunger_answers." in f".{field}.":
            index = field.split(".")[-1]
            if index.isdigit():
                errors[f"hunger_{index}"] = message
    if not errors:
        errors["form"] = error.detail
    return errors


def _page(survivor_id: UUID) -> str:
    return f"/survivors/{survivor_id}/empowerment"


@router.get("/survivors/{survivor_id}/empowerment")
async def record(request: Request, survivor_id: UUID, user: User) -> Response:
    """The survivor's empowerment record, with links to each form."""
    found = await backend_of(request).get(
        "empowerment", f"/survivors/{survivor_id}/empowerment", user.access_token
    )
    return render(request, "empowerment/record.html", {"survivor_id": survivor_id, "emp": found})


def _hunger(form: Any) -> list[str | None]:
    return [text(form, f"hunger_{i}") for i in range(3)]


def _needs(form: Any) -> Body:
    return compact({
        "assessed_on": text(form, "assessed_on"),
        "household_size": integer(form, "household_size"),
        "dependants": integer(form, "dependants"), "earners": integer(form, "earners"),
        "income_sources": many(form, "income_sources") or None,
        "monthly_income_kes": text(form, "monthly_income_kes"),
        "housing": text(form, "housing"),
        "hunger_answers": [a for a in _hunger(form) if a is not None],
        "school_age_children": integer(form, "school_age_children"),
        "children_out_of_school": integer(form, "children_out_of_school"),
        "debts_kes": text(form, "debts_kes"), "skills": many(form, "skills"),
        "barriers": many(form, "barriers"), "notes": text(form, "notes"),
    })  # fmt: skip


FORMS: dict[str, tuple[str, tuple[str, ...]]] = {
    "needs": ("empowerment/needs.html", ("income_sources", "skills", "barriers")),
    "plan": ("empowerment/goal.html", ()),
    "follow-ups": ("empowerment/follow_up.html", ()),
    "grants": ("empowerment/grant.html", ()),
}


async def _context(request: Request, user: User, kind: str) -> dict[str, Any]:
    if kind in ("needs", "follow-ups"):
        return {"hunger_items": [(i, gettext(item)) for i, item in enumerate(HUNGER_ITEMS)]}
    if kind == "grants":
        lines = await backend_of(request).get("empowerment", "/budget-lines", user.access_token)
        found = lines.get("budget_lines", lines.get("lines", []))
        return {"lines": [(str(x["budget_line_id"]), x["code"]) for x in found]}
    return {}


@router.get("/survivors/{survivor_id}/empowerment/{kind}/new")
async def new_form(request: Request, survivor_id: UUID, kind: str, user: User) -> Response:
    """A form: needs assessment, plan goal, follow-up or grant proposal."""
    if kind not in FORMS:
        raise ServiceError(404, "NotFound", "no such page")
    today = today_eat().isoformat()
    values: dict[str, Any] = {
        "income_sources": [], "skills": [], "barriers": [],
        "assessed_on": today, "held_on": today, "proposed_on": today,
    }  # fmt: skip
    context = {"survivor_id": survivor_id, "values": values, "errors": {},
               **await _context(request, user, kind)}  # fmt: skip
    return render(request, FORMS[kind][0], context)


@router.post("/survivors/{survivor_id}/empowerment/{kind}/new")
async def submit(request: Request, survivor_id: UUID, kind: str, user: User) -> Response:
    """Send the form to empowerment; back to the record, or the form with the answer."""
    if kind not in FORMS:
        raise ServiceError(404, "NotFound", "no such page")
    form = await request.form()
    base = f"/survivors/{survivor_id}"
    if kind == "needs":
        path, body = f"{base}/needs-assessments", _needs(form)
    elif kind == "plan":
        goal = compact({
            "kind": text(form, "kind"), "description": text(form, "description"),
            "target_date": text(form, "target_date"),
            "steps": [{"description": s.strip()}
                      for s in (text(form, "steps") or "").splitlines() if s.strip()],
        })  # fmt: skip
        has_plan = form.get("has_plan") == "1"
        path = f"{base}/plan/goals" if has_plan else f"{base}/plan"
        body = goal if has_plan else {"goals": [goal]}
    elif kind == "follow-ups":
        operating = text(form, "business_operating")
        path, body = f"{base}/follow-ups", compact({
            "milestone": text(form, "milestone"), "held_on": text(form, "held_on"),
            "monthly_income_kes": text(form, "monthly_income_kes"),
            "business_operating": {"yes": True, "no": False}.get(operating or ""),
            "employment_status": text(form, "employment_status"),
            "hunger_answers": [a for a in _hunger(form) if a is not None],
            "notes": text(form, "notes"),
        })  # fmt: skip
    else:
        path, body = f"{base}/grants", compact({
            "purpose": text(form, "purpose"), "amount_kes": text(form, "amount_kes"),
            "budget_line_id": text(form, "budget_line_id"),
            "proposed_on": text(form, "proposed_on"),
            "justification": text(form, "justification"),
        })  # fmt: skip
    _, error = await _post(request, user, path, body)
    if error is not None:
        errors = _errors(error)
        if kind == "plan":
            errors = {k.replace("goals_", ""): v for k, v in errors.items()}
        context = {"survivor_id": survivor_id, "values": form_values(form, *FORMS[kind][1]),
                   "errors": errors, **await _context(request, user, kind)}  # fmt: skip
        return render(request, FORMS[kind][0], context, status_code=error.status)
    return redirect(_page(survivor_id))


@router.get("/survivors/{survivor_id}/empowerment/grants/{grant_id}/disbursements/new")
async def disbursement_form(
    request: Request, survivor_id: UUID, grant_id: UUID, user: User
) -> Response:
    """Record a payment of an approved grant."""
    values = {"channel": "mpesa", "disbursed_on": today_eat().isoformat()}
    context = {"survivor_id": survivor_id, "grant_id": grant_id, "values": values, "errors": {}}
    return render(request, "empowerment/disbursement.html", context)


@router.post("/survivors/{survivor_id}/empowerment/grants/{grant_id}/disbursements/new")
async def disburse(request: Request, survivor_id: UUID, grant_id: UUID, user: User) -> Response:
    """Record the payment (the reference is sealed; empowerment refuses one used before)."""
    form = await request.form()
    body = compact({
        "amount_kes": text(form, "amount_kes"), "channel": text(form, "channel"),
        "reference": text(form, "reference"), "items": text(form, "items"),
        "disbursed_on": text(form, "disbursed_on"),
    })  # fmt: skip
    _, error = await _post(request, user, f"/grants/{grant_id}/disbursements", body)
    if error is not None:
        context = {"survivor_id": survivor_id, "grant_id": grant_id,
                   "values": form_values(form), "errors": _errors(error)}  # fmt: skip
        return render(request, "empowerment/disbursement.html", context, status_code=error.status)
    return redirect(_page(survivor_id))


@router.get("/follow-ups")
async def due(request: Request, user: User) -> Response:
    """Follow-ups due in the next 30 days (and overdue) on the caseload."""
    found = await backend_of(request).get(
        "empowerment", "/follow-ups/due", user.access_token, within_days=30
    )
    rows = found.get("follow_ups", found.get("due", []))
    return render(request, "empowerment/due.html", {"rows": rows})
