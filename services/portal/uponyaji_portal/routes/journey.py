"""The healing journey: the timeline across services and the score trajectories, drawn as SVG."""

from __future__ import annotations

from uuid import UUID

from fastapi import APIRouter, Request
from fastapi.responses import Response

from ..charts import trajectories
from ..web import User, backend_of, render

router = APIRouter()


@router.get("/journeys/{survivor_id}")
async def journey(request: Request, survivor_id: UUID, user: User) -> Response:
    """The journey reporting lets this user see (full on the caseload, de-identified for leads)."""
    data = await backend_of(request).get("reporting", f"/journeys/{survivor_id}", user.access_token)
    charts = trajectories(data.get("trajectories") or {})
    return render(
        request, "journey.html", {"journey": data, "charts": charts, "survivor_id": survivor_id}
    )
