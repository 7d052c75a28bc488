"""Clinicians' pages for evidence items: record a physical sample, and view an uploaded file.

A file is streamed from medical with the user's token: medical authorises and audits the read,
re-checks the file against the hash taken at capture, and records the access on the item's chain
of custody ("File opened"). The portal asks for medical's stripped copy (no location or device
data) unless the type has none (DICOM), never lets it be cached, and names it by opaque ids only.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any
from uuid import UUID

import httpx
from fastapi import APIRouter, Request
from fastapi.responses import Response, StreamingResponse

from ..backend import ServiceError
from ..forms import compact, field_errors, text
from ..web import User, backend_of, form_values, redirect, render

router = APIRouter()
ENCOUNTER = "/survivors/{survivor_id}/medical/encounters/{encounter_id}"
# Evidence can be held without an encounter: its pages stand under the record as well.
HELD = "/survivors/{survivor_id}/medical/evidence/{evidence_id}"
# What a browser shows itself: images in the page, PDFs in its viewer; the rest is downloaded.
SHOWN_IN_PAGE = ("image/jpeg", "image/png")
OPENED_INLINE = (*SHOWN_IN_PAGE, "application/pdf")
EXTENSIONS = {
    "image/jpeg": "jpg",
    "image/png": "png",
    "image/tiff": "tif",
    "application/pdf": "pdf",
    "application/dicom": "dcm",
}
NO_DERIVATIVE = ("application/dicom",)  # medical keeps no stripped copy of these


def _encounter(survivor_id: UUID, encounter_id: UUID) -> str:
    return ENCOUNTER.format(survivor_id=survivor_id, encounter_id=encounter_id)


# --- physical samples ----------------------------------------------------------------------------


def _sample_page(
    request: Request,
    survivor_id: UUID,
    encounter_id: UUID | None,
    values: dict[str, Any],
    errors: dict[str, str],
    status_code: int = 200,
) -> Response:
    context = {
        "survivor_id": survivor_id,
        "encounter_id": encounter_id,
        "values": values,
        "errors": errors,
    }
    return render(request, "medical/sample.html", context, status_code=status_code)


@router.get(ENCOUNTER + "/samples/new")
@router.get("/survivors/{survivor_id}/medical/samples/new")
async def sample_form(
    request: Request, survivor_id: UUID, user: User, encounter_id: UUID | None = None
) -> Response:
    """Record a physical sample, taken in an encounter or (brought in, say) without one: what it
    is and where it is kept."""
    values = {"location": "clinic_evidence_safe"}
    return _sample_page(request, survivor_id, encounter_id, values, {})


@router.post(ENCOUNTER + "/samples/new")
@router.post("/survivors/{survivor_id}/medical/samples/new")
async def sample(
    request: Request, survivor_id: UUID, user: User, encounter_id: UUID | None = None
) -> Response:
    """Describe the sample at medical (the description is sealed there); the clinician holds it."""
    form = await request.form()
    body = compact(
        {
            "encounter_id": str(encounter_id) if encounter_id else None,
            "description": text(form, "description"),
            "location": text(form, "location"),
        }
    )
    try:
        await backend_of(request).post(
            "medical", f"/survivors/{survivor_id}/samples", user.access_token, body
        )
    except ServiceError as error:
        if error.status not in (400, 409, 422):
            raise
        values, errors = form_values(form), field_errors(error)
        return _sample_page(request, survivor_id, encounter_id, values, errors, error.status)
    if encounter_id is None:
        return redirect(f"/survivors/{survivor_id}/medical")
    return redirect(_encounter(survivor_id, encounter_id))


# --- an evidence item and its file ------------------------------------------------------------


@router.get(ENCOUNTER + "/evidence/{evidence_id}")
@router.get(HELD)
async def evidence_item(
    request: Request,
    survivor_id: UUID,
    evidence_id: UUID,
    user: User,
    encounter_id: UUID | None = None,
) -> Response:
    """One evidence item: what it is and where, and its file shown or offered (if it has one)."""
    item = await backend_of(request).get(
        "medical", f"/survivors/{survivor_id}/evidence/{evidence_id}", user.access_token
    )
    media_type = item.get("media_type")
    file = f"/survivors/{survivor_id}/medical/evidence/{evidence_id}/file"
    if media_type in NO_DERIVATIVE:
        file += "?original=true"
    context = {
        "survivor_id": survivor_id,
        "encounter_id": encounter_id,
        "evidence_id": evidence_id,
        "item": item,
        "file": file if item.get("sha256") else None,
        "joiner": "&" if "?" in file else "?",
        "in_page": media_type in SHOWN_IN_PAGE,
        "opens": media_type in OPENED_INLINE,
    }
    return render(request, "medical/evidence_item.html", context)


@router.get("/survivors/{survivor_id}/medical/evidence/{evidence_id}/file")
async def evidence_file(
    request: Request,
    survivor_id: UUID,
    evidence_id: UUID,
    user: User,
    download: bool = False,
    original: bool = False,
) -> Response:
    """The file, streamed from medical (each retrieval is audited and on the chain of custody)."""
    answer = await backend_of(request).stream(
        "medical",
        f"/survivors/{survivor_id}/evidence/{evidence_id}/file",
        user.access_token,
        {"original": "true" if original else None},
    )
    media_type = answer.headers.get("content-type", "application/octet-stream").split(";")[0]
    how = "inline" if media_type in OPENED_INLINE and not download else "attachment"
    name = f"evidence-{evidence_id}.{EXTENSIONS.get(media_type, 'bin')}"
    headers = {
        "Content-Disposition": f'{how}; filename="{name}"',
        "Cache-Control": "no-store",
        "X-Content-Type-Options": "nosniff",
    }
    if "content-length" in answer.headers and "content-encoding" not in answer.headers:
        headers["Content-Length"] = answer.headers["content-length"]
    return StreamingResponse(_relay(answer), media_type=media_type, headers=headers)


async def _relay(answer: httpx.Response) -> AsyncIterator[bytes]:
    """The file's bytes as medical sends them; the connection closed however the copy ends."""
    try:
        async for chunk in answer.aiter_bytes():
            yield chunk
    finally:
        await answer.aclose()
