"""The data protection officer's subject access page: one survivor's data from every service.

The export is written in the language the survivor asks for (English or Kiswahili), chosen on
the form; it is shown as a page and can be downloaded as a text file to print or hand over.
"""

from __future__ import annotations

from uuid import UUID

from fastapi import APIRouter, Request
from fastapi.responses import Response
from uponyaji_events.eat import today as today_eat

from ..forms import text
from ..i18n import _
from ..subject_access import (
    EXPORT_LANGUAGES,
    SOURCES,
    as_text,
    event_title,
    gather,
    lines,
    word,
)
from ..web import User, backend_of, form_values, redirect, render

router = APIRouter()


@router.get("/subject-access")
async def request_form(request: Request, user: User) -> Response:
    """Ask for a survivor's id and the language of the export."""
    context = {"values": {"language": "sw"}, "errors": {}, "languages": EXPORT_LANGUAGES}
    return render(request, "dpo/subject_access_form.html", context)


@router.post("/subject-access")
async def request_export(request: Request, user: User) -> Response:
    """Go to the export of the survivor id typed, in the language chosen."""
    form = await request.form()
    errors: dict[str, str] = {}
    try:
        survivor_id = UUID(text(form, "survivor_id") or "")
    except ValueError:
        errors["survivor_id"] = _("Enter a survivor id like 0190c3d2-7e41-7b3a-9f2e-3a1c5d7e9b10.")
    language = text(form, "language") or ""
    if language not in EXPORT_LANGUAGES:
        errors["language"] = _("Choose English or Kiswahili.")
    if errors:
        context = {"values": form_values(form), "errors": errors, "languages": EXPORT_LANGUAGES}
        return render(request, "dpo/subject_access_form.html", context, status_code=422)
    return redirect(f"/survivors/{survivor_id}/subject-access?language={language}")


@router.get("/survivors/{survivor_id}/subject-access")
async def export(
    request: Request, survivor_id: UUID, user: User, language: str = "en", download: bool = False
) -> Response:
    """Every service's records of the survivor, readable; `download=true` gives a text file."""
    language = language if language in EXPORT_LANGUAGES else "en"
    gathered = await gather(backend_of(request), user.access_token, survivor_id)
    generated = today_eat().isoformat()
    if download:
        filename = f"subject-access-{survivor_id}-{language}.txt"
        return Response(
            as_text(gathered, language, generated),
            media_type="text/plain; charset=utf-8",
            headers={"Content-Disposition": f'attachment; filename="{filename}"'},
        )
    context = {
        "export": gathered,
        "language": language,
        "generated": generated,
        "sources": SOURCES,
        "word": word,
        "event_title": event_title,
        "lines": lines,
    }
    return render(request, "dpo/subject_access.html", context)
