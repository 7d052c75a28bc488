"""Pure helpers for deciders. Standard library and pydantic only: a domain may import it."""

from __future__ import annotations

from typing import Any, TypeVar

from pydantic import BaseModel

M = TypeVar("M", bound=BaseModel)


def payload_of(model: type[M], command: object, **changed: Any) -> M:
    """The event payload `model` carrying the command's fields of the same names (nested
    command objects read by attribute too), with `changed` values where the event differs."""
    fields = {name: getattr(command, name) for name in model.model_fields if hasattr(command, name)}
    return model.model_validate({**fields, **changed}, from_attributes=True)
