"""Empowerment officers' page: intake's referrals to empowerment on the caseload, with accept
or decline (intake's referral status follows the answer)."""

from __future__ import annotations

from uuid import UUID

from fastapi import APIRouter, Request
from fastapi.responses import Response

from ..backend import ServiceError
from ..forms import compact, text
from ..i18n import _
from ..web import User, backend_of, redirect, render

router = APIRouter()
SHOWN = ("pending", "accepted", "declined", "cancelled", "all")


async def _page(
    request: Request,
    user: User,
    status: str,
    errors: dict[str, str] | None = None,
    status_code: int = 200,
) -> Response:
    found = await backend_of(request).get(
        "empowerment", "/referrals", user.access_token, status=status
    )
    context = {
        "referrals": found.get("referrals", []),
        "status": status,
        "statuses": SHOWN,
        "errors": errors or {},
    }
    return render(request, "empowerment/referrals.html", context, status_code=status_code)


@router.get("/empowerment/referrals")
async def referrals(request: Request, user: User, status: str = "pending") -> Response:
    """Referrals to empowerment on the caseload, oldest first: waiting ones, or by answer."""
    return await _page(request, user, status if status in SHOWN else "pending")


@router.post("/empowerment/referrals/{referral_id}")
async def answer(request: Request, referral_id: UUID, user: User) -> Response:
    """Accept or decline a referral at empowerment, with an optional note."""
    form = await request.form()
    body = compact({"decision": text(form, "decision"), "note": text(form, "note")})
    try:
        await backend_of(request).post(
            "empowerment", f"/referrals/{referral_id}/answer", user.access_token, body
        )
    except ServiceError as error:
        if error.status not in (400, 404, 409, 422):
            raise
        message = (
            _("This referral was already answered.")
            if error.status == 409
            else _("Choose accept or decline.")
            if error.status == 422
            else _("This referral is not on your caseload or no longer waits for an answer.")
        )
        return await _page(request, user, "pending", {"form": message}, error.status)
    return redirect("/empowerment/referrals")
