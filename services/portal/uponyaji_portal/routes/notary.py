"""The data protection officer's notary page: each service's signed tree heads, and proof exports.

The heads shown are read by each service from its heads file outside its database; the DPO can
note the latest root of each service and compare it with the copy the operator ships elsewhere.
The export gathers, from every service that knows survivors, the inclusion proofs of one
survivor's record against its latest signed head (one JSON file to hand to a court or auditor).
"""

from __future__ import annotations

import json
from typing import Any
from uuid import UUID

from fastapi import APIRouter, Request
from fastapi.responses import Response

from ..backend import ServiceError
from ..i18n import _
from ..settings import SERVICES
from ..web import User, backend_of, render

router = APIRouter()

# Services whose survivor records can be proved (identity keeps staff, not survivors).
SURVIVOR_SERVICES = tuple(s for s in SERVICES if s != "identity")


async def _heads(request: Request, token: str | None) -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = []
    for service in SERVICES:
        try:
            body = await backend_of(request).get(service, "/notary/heads", token, limit=5)
        except ServiceError as error:
            rows.append({"service": service, "error": error.status, "heads": []})
            continue
        rows.append({"service": service, "error": None, **body})
    return rows


@router.get("/notary")
async def notary(request: Request, user: User) -> Response:
    """Every service's latest signed tree heads and its notary's last verification."""
    rows = await _heads(request, user.access_token)
    return render(request, "dpo/notary.html", {"rows": rows, "values": {}, "errors": {}})


@router.get("/notary/proofs")
async def export_proofs(request: Request, user: User) -> Response:
    """Download the inclusion proofs of one survivor's record from every service as JSON."""
    raw = (request.query_params.get("survivor_id") or "").strip()
    try:
        survivor_id = UUID(raw)
    except ValueError:
        rows = await _heads(request, user.access_token)
        errors = {
            "survivor_id": _("Enter a survivor id like 0190c3d2-7e41-7b3a-9f2e-3a1c5d7e9b10.")
        }
        context = {"rows": rows, "values": {"survivor_id": raw}, "errors": errors}
        return render(request, "dpo/notary.html", context, status_code=422)
    bundle: dict[str, Any] = {"survivor_id": str(survivor_id), "services": {}}
    for service in SURVIVOR_SERVICES:
        try:
            bundle["services"][service] = await backend_of(request).get(
                service, f"/notary/proofs/survivors/{survivor_id}", user.access_token
            )
        except ServiceError as error:
            # Unknown to that service, or its notary is off: say so in the bundle.
            bundle["services"][service] = {"error": error.error, "detail": error.detail}
    return Response(
        json.dumps(bundle, indent=2, sort_keys=True),
        media_type="application/json",
        headers={
            "Content-Disposition": f'attachment; filename="proofs-{survivor_id}.json"',
            "Cache-Control": "no-store",
        },
    )
