"""Empowerment officers' pages: needs assessment, livelihood plan, grants, disbursements,
follow-ups; programme leads' grant decisions, budget lines and the programme's figures."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from fastapi import APIRouter, Request
from fastapi.responses import Response
from uponyaji_events.eat import today as today_eat

from ..backend import ServiceError
from ..forms import compact, field_errors, integer, many, text
from ..i18n import gettext
from ..messages import error_text
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
        errors["form"] = error_text(error.error, error.detail)
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
    return compact(
        {
            "assessed_on": text(form, "assessed_on"),
            "household_size": integer(form, "household_size"),
            "dependants": integer(form, "dependants"),
            "earners": integer(form, "earners"),
            "income_sources": many(form, "income_sources") or None,
            "monthly_income_kes": text(form, "monthly_income_kes"),
            "housing": text(form, "housing"),
            "hunger_answers": [a for a in _hunger(form) if a is not None],
            "school_age_children": integer(form, "school_age_children"),
            "children_out_of_school": integer(form, "children_out_of_school"),
            "debts_kes": text(form, "debts_kes"),
            "skills": many(form, "skills"),
            "barriers": many(form, "barriers"),
            "notes": text(form, "notes"),
        }
    )


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
        "income_sources": [],
        "skills": [],
        "barriers": [],
        "assessed_on": today,
        "held_on": today,
        "proposed_on": today,
    }
    corrects = request.query_params.get("corrects")
    if corrects and kind in ("needs", "follow-ups"):
        values = await _correcting(request, user, survivor_id, kind, corrects)
    context = {
        "survivor_id": survivor_id,
        "values": values,
        "errors": {},
        **await _context(request, user, kind),
    }
    return render(request, FORMS[kind][0], context)


async def _correcting(
    request: Request, user: User, survivor_id: UUID, kind: str, record_id: str
) -> dict[str, Any]:
    """The needs assessment or follow-up being corrected, as the form's values."""
    found = await backend_of(request).get(
        "empowerment", f"/survivors/{survivor_id}/empowerment", user.access_token
    )
    listed, key = (
        (found["needs_assessments"], "assessment_id")
        if kind == "needs"
        else (found["follow_ups"], "follow_up_id")
    )
    old = next((x for x in listed if x[key] == record_id and x["status"] == "current"), None)
    if old is None:
        raise ServiceError(404, "NotFound", "nothing current to correct")
    values = {k: v for k, v in old.items() if v is not None and k not in ("reason", "notes")}
    for i, answer in enumerate(old.get("hunger_answers") or []):
        values[f"hunger_{i}"] = answer
    if isinstance(old.get("business_operating"), bool):
        values["business_operating"] = "yes" if old["business_operating"] else "no"
    values["supersedes"] = record_id
    return values


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
        goal = compact(
            {
                "kind": text(form, "kind"),
                "description": text(form, "description"),
                "target_date": text(form, "target_date"),
                "steps": [
                    {"description": s.strip()}
                    for s in (text(form, "steps") or "").splitlines()
                    if s.strip()
                ],
            }
        )
        has_plan = form.get("has_plan") == "1"
        path = f"{base}/plan/goals" if has_plan else f"{base}/plan"
        body = goal if has_plan else {"goals": [goal]}
    elif kind == "follow-ups":
        operating = text(form, "business_operating")
        path, body = (
            f"{base}/follow-ups",
            compact(
                {
                    "milestone": text(form, "milestone"),
                    "held_on": text(form, "held_on"),
                    "monthly_income_kes": text(form, "monthly_income_kes"),
                    "business_operating": {"yes": True, "no": False}.get(operating or ""),
                    "employment_status": text(form, "employment_status"),
                    "hunger_answers": [a for a in _hunger(form) if a is not None],
                    "notes": text(form, "notes"),
                }
            ),
        )
    else:
        path, body = (
            f"{base}/grants",
            compact(
                {
                    "purpose": text(form, "purpose"),
                    "amount_kes": text(form, "amount_kes"),
                    "budget_line_id": text(form, "budget_line_id"),
                    "proposed_on": text(form, "proposed_on"),
                    "justification": text(form, "justification"),
                }
            ),
        )
    supersedes = text(form, "supersedes")
    if supersedes and kind in ("needs", "follow-ups"):
        path = f"{path}/{UUID(supersedes)}/correction"
        body["reason"] = text(form, "reason")
        body = compact(body)
    _, error = await _post(request, user, path, body)
    if error is not None:
        errors = _errors(error)
        if kind == "plan":
            errors = {k.replace("goals_", ""): v for k, v in errors.items()}
        context = {
            "survivor_id": survivor_id,
            "values": form_values(form, *FORMS[kind][1]),
            "errors": errors,
            **await _context(request, user, kind),
        }
        return render(request, FORMS[kind][0], context, status_code=error.status)
    return redirect(_page(survivor_id))


@router.get("/survivors/{survivor_id}/empowerment/plan/review")
async def review_form(request: Request, survivor_id: UUID, user: User) -> Response:
    """Review the livelihood plan: each goal's status and the steps done."""
    found = await backend_of(request).get(
        "empowerment", f"/survivors/{survivor_id}/empowerment", user.access_token
    )
    plan = found.get("plan") or {"goals": []}
    values: dict[str, Any] = {"reviewed_on": today_eat().isoformat()}
    for g in plan["goals"]:
        values[f"status_{g['goal_id']}"] = g["status"]
        values[f"steps_{g['goal_id']}"] = [str(s["step_id"]) for s in g["steps"] if s["done"]]
    context = {"survivor_id": survivor_id, "goals": plan["goals"], "values": values, "errors": {}}
    return render(request, "empowerment/review.html", context)


@router.post("/survivors/{survivor_id}/empowerment/plan/review")
async def review(request: Request, survivor_id: UUID, user: User) -> Response:
    """Send the review to empowerment (every goal of the plan, as the form lists them)."""
    form = await request.form()
    goal_ids = [g for g in many(form, "goal_ids")]
    body = compact(
        {
            "reviewed_on": text(form, "reviewed_on"),
            "note": text(form, "note"),
            "goals": [
                compact(
                    {
                        "goal_id": g,
                        "status": text(form, f"status_{g}"),
                        "steps_done": many(form, f"steps_{g}"),
                    }
                )
                for g in goal_ids
            ],
        }
    )
    _, error = await _post(request, user, f"/survivors/{survivor_id}/plan/reviews", body)
    if error is None:
        return redirect(_page(survivor_id))
    found = await backend_of(request).get(
        "empowerment", f"/survivors/{survivor_id}/empowerment", user.access_token
    )
    multi = [f"steps_{g}" for g in goal_ids]
    errors = _errors(error)
    for index, goal in enumerate(goal_ids):  # `goals.0.status` → that goal's status input
        if "goals_status" in errors and error.fields.get(f"body.goals.{index}.status"):
            errors[f"status_{goal}"] = errors.pop("goals_status")
    context = {
        "survivor_id": survivor_id,
        "goals": (found.get("plan") or {}).get("goals", []),
        "values": form_values(form, *multi),
        "errors": errors,
    }
    return render(request, "empowerment/review.html", context, status_code=error.status)


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
    body = compact(
        {
            "amount_kes": text(form, "amount_kes"),
            "channel": text(form, "channel"),
            "reference": text(form, "reference"),
            "items": text(form, "items"),
            "disbursed_on": text(form, "disbursed_on"),
        }
    )
    _, error = await _post(request, user, f"/grants/{grant_id}/disbursements", body)
    if error is not None:
        context = {
            "survivor_id": survivor_id,
            "grant_id": grant_id,
            "values": form_values(form),
            "errors": _errors(error),
        }
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
