"""Pure helpers for deciders. Standard library and pydantic only: a domain may import it."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any, TypeVar
from uuid import UUID

from pydantic import BaseModel

M = TypeVar("M", bound=BaseModel)
V = TypeVar("V")


def payload_of(model: type[M], command: object, **changed: Any) -> M:
    """The event payload `model` carrying the command's fields of the same names (nested
    command objects read by attribute too), with `changed` values where the event differs."""
    fields = {name: getattr(command, name) for name in model.model_fields if hasattr(command, name)}
    return model.model_validate({**fields, **changed}, from_attributes=True)


def known(
    entries: Mapping[UUID, V], key: UUID, missing: Callable[[str], Exception], what: str
) -> V:
    """The entry `key` of a survivor's state, else the error `missing` naming what is not there."""
    found = entries.get(key)
    if found is None:
        raise missing(f"no {what} {key} of this survivor")
    return found
