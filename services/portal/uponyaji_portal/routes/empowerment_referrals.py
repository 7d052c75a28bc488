"""Empowerment officers' page: intake's referrals to empowerment on the caseload, with accept
or decline (intake's referral status follows the answer)."""

from __future__ import annotations

from uuid import UUID

from fastapi import APIRouter, Request
from fastapi.responses import Response

from ..referral_answers import send_answer
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
    refused = await send_answer(
        backend_of(request),
        user.access_token,
        "empowerment",
        f"/referrals/{referral_id}/answer",
        await request.form(),
    )
    if refused is not None:
        return await _page(request, user, "pending", *refused)
    return redirect("/empowerment/referrals")
