"""The start page: what the signed-in user's roles work on."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import Response

from ..backend import ServiceError
from ..web import User, backend_of, render

router = APIRouter()


@router.get("/")
async def home(request: Request, user: User) -> Response:
    """Links to each role's pages; counsellors and clinicians see their open risk flags."""
    open_flags: int | None = None
    if user.has("counsellor", "clinician"):
        try:
            flags = await backend_of(request).get(
                "psychosocial", "/risk-flags", user.access_token, status="open"
            )
            open_flags = len(flags.get("flags", flags.get("items", [])))
        except ServiceError:
            open_flags = None
    return render(request, "home.html", {"open_flags": open_flags})
