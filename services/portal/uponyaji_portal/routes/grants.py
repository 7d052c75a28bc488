"""Programme leads' empowerment pages: grant decisions, budget lines, finance and outcomes."""

from __future__ import annotations

import asyncio
from typing import Any
from uuid import UUID

from fastapi import APIRouter, Request
from fastapi.responses import Response

from ..backend import ServiceError
from ..forms import compact, field_errors, text
from ..messages import error_text
from ..web import User, backend_of, form_values, redirect, render

router = APIRouter()


async def _grants(request: Request, user: User) -> list[dict[str, Any]]:
    found = await backend_of(request).get(
        "empowerment", "/grants", user.access_token, status="proposed"
    )
    grants: list[dict[str, Any]] = found.get("grants", [])
    return grants


@router.get("/grants")
async def proposals(request: Request, user: User) -> Response:
    """Grants waiting for a decision (no survivor identity for programme leads)."""
    context = {"grants": await _grants(request, user), "errors": {}, "values": {}}
    return render(request, "empowerment/grants.html", context)


@router.post("/grants/{grant_id}/decision")
async def decide(request: Request, grant_id: UUID, user: User) -> Response:
    """Approve or decline; empowerment refuses one's own proposal and a line overspent."""
    form = await request.form()
    body = compact(
        {
            "decision": text(form, "decision"),
            "reason": text(form, "reason"),
        }
    )
    try:
        await backend_of(request).post(
            "empowerment", f"/grants/{grant_id}/decision", user.access_token, body
        )
    except ServiceError as error:
        if error.status not in (400, 403, 409, 422):
            raise
        context = {
            "grants": await _grants(request, user),
            "failed": str(grant_id),
            "errors": {"form": error_text(error.error, error.detail), **field_errors(error)},
            "values": form_values(form),
        }
        return render(request, "empowerment/grants.html", context, status_code=error.status)
    return redirect("/grants")


async def _lines(request: Request, user: User) -> list[dict[str, Any]]:
    found = await backend_of(request).get("empowerment", "/budget-lines", user.access_token)
    lines: list[dict[str, Any]] = found.get("budget_lines", found.get("lines", []))
    return lines


@router.get("/budget-lines")
async def budget_lines(request: Request, user: User) -> Response:
    """Budget lines: amount, committed, disbursed, remaining; and a form to open one."""
    context = {"lines": await _lines(request, user), "values": {}, "errors": {}}
    return render(request, "empowerment/budget.html", context)


@router.post("/budget-lines")
async def open_line(request: Request, user: User) -> Response:
    """Open a budget line."""
    form = await request.form()
    body = compact(
        {
            "code": text(form, "code"),
            "period_start": text(form, "period_start"),
            "period_end": text(form, "period_end"),
            "amount_kes": text(form, "amount_kes"),
        }
    )
    try:
        await backend_of(request).post("empowerment", "/budget-lines", user.access_token, body)
    except ServiceError as error:
        if error.status not in (400, 403, 409, 422):
            raise
        context = {
            "lines": await _lines(request, user),
            "values": form_values(form),
            "errors": field_errors(error),
        }
        return render(request, "empowerment/budget.html", context, status_code=error.status)
    return redirect("/budget-lines")


@router.get("/empowerment/figures")
async def figures(request: Request, user: User) -> Response:
    """Finance and outcomes across the programme, counts rounded to multiples of 5."""
    backend, token = backend_of(request), user.access_token
    finance, outcomes = await asyncio.gather(
        backend.get("empowerment", "/finance", token),
        backend.get("empowerment", "/outcomes", token),
    )
    return render(request, "empowerment/figures.html", {"finance": finance, "outcomes": outcomes})
