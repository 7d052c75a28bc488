"""What intake's contract modules share: the service name, example ids and field helpers."""

from __future__ import annotations

from typing import Any

from pydantic import Field

from uponyaji_events.contracts.types import example_id

SERVICE = "intake"
SURVIVOR, OTHER = example_id(1), example_id(2)
INCIDENT, REFERRAL, REQUEST = example_id(11), example_id(21), example_id(31)
TEAM, WORKER = example_id(201), example_id(101)
CASE = "UPJ-2026-000123"


def survivor_field() -> Any:
    """The `survivor_id` field of events on a survivor's stream."""
    return Field(description="The survivor's id (the survivor stream's id)")


def optional(description: str) -> Any:
    """An optional field (null when absent), e.g. a sealed note."""
    return Field(default=None, description=description)
