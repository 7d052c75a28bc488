"""Submitted forms to the services' JSON bodies; the services' field errors back to the inputs."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from uponyaji_events.eat import EAT

from .backend import ServiceError
from .messages import error_text, problem_text


def text(form: Mapping[str, Any], name: str) -> str | None:
    """A text input, stripped; None when empty (the service applies its default)."""
    value = form.get(name)
    if not isinstance(value, str):
        return None
    value = value.strip()
    return value or None


def many(form: Any, name: str) -> list[str]:
    """Every checked value of a multi-value input."""
    return [str(v) for v in form.getlist(name) if str(v).strip()]


def integer(form: Mapping[str, Any], name: str) -> int | str | None:
    """A whole number; what was typed when it is not one (the service names the problem)."""
    raw = text(form, name)
    if raw is None:
        return None
    try:
        return int(raw)
    except ValueError:
        return raw


def local_moment(form: Mapping[str, Any], name: str) -> str | None:
    """A `datetime-local` input read as East Africa Time, as an ISO moment with its offset."""
    raw = text(form, name)
    if raw is None:
        return None
    try:
        return datetime.fromisoformat(raw).replace(tzinfo=EAT).isoformat()
    except ValueError:
        return raw


def compact(body: dict[str, Any]) -> dict[str, Any]:
    """The body without empty values (absent fields take the service's defaults)."""
    return {k: v for k, v in body.items() if v not in (None, "", [], {})}


def input_name(field: str) -> str:
    """The input a service's field path belongs to: `id_document.number` → `id_document_number`."""
    parts = [p for p in field.split(".") if not p.isdigit() and p not in ("body", "query", "path")]
    return "_".join(parts) or "form"


def field_errors(error: ServiceError) -> dict[str, str]:
    """The service's message for each input, in the user's language; problems not about one
    input go under `form`."""
    found: dict[str, str] = {}
    for field, message in error.fields.items():
        found.setdefault(input_name(field), problem_text(error.kinds.get(field), message))
    if not found:
        found["form"] = error_text(error.error, error.detail)
    return found
