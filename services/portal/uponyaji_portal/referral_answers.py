"""Answering a referral at a service (accept or decline, with a note), for every page."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from .backend import Backend, ServiceError
from .forms import compact, text
from .i18n import _


async def send_answer(
    backend: Backend, token: str | None, service: str, path: str, form: Mapping[str, Any]
) -> tuple[dict[str, str], int] | None:
    """Post the form's decision and note to `service` at `path`; the form error and status
    when the service refuses (any other failure is raised to the error page)."""
    body = compact({"decision": text(form, "decision"), "note": text(form, "note")})
    try:
        await backend.post(service, path, token, body)
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
        return {"form": message}, error.status
    return None
