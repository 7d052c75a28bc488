"""Shared pieces of medical's contracts: the service name, example ids, small field helpers."""

from __future__ import annotations

from typing import Annotated, Any
from uuid import UUID

from pydantic import Field, StringConstraints

from uponyaji_events.contracts.types import example_id

SERVICE = "medical"
SURVIVOR, ENCOUNTER, FINDING = example_id(1), example_id(201), example_id(202)
DIAGNOSIS, TREATMENT, SPECIALIST = example_id(203), example_id(204), example_id(205)
FOLLOW_UP, REPORT, ADDENDUM = example_id(206), example_id(207), example_id(208)
EVIDENCE, CLINICIAN, OTHER_CLINICIAN = example_id(209), example_id(210), example_id(211)
REFERRAL, KEY, DOCUMENT = example_id(21), example_id(212), example_id(213)

# ICD-11 MMS stem codes ("6B40", "NA02", "PJ20") with an optional extension (".0", ".Z").
Icd11Code = Annotated[str, StringConstraints(pattern=r"^[0-9A-Z]{4}(\.[0-9A-Z]{1,3})?$")]
Sha256Hex = Annotated[str, StringConstraints(pattern=r"^[0-9a-f]{64}$")]
Base64Url = Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9_-]{16,200}$")]


def survivor_field() -> Any:
    """The survivor a record entry is about."""
    return Field(description="The survivor (pseudonymous id)")


def optional(description: str) -> Any:
    """An optional field with its description."""
    return Field(default=None, description=description)


def ids(description: str) -> Any:
    """A list of ids, empty by default."""
    return Field(default_factory=list, description=description)


def supersedes_field() -> Any:
    """The entry a correction replaces (events are never rewritten)."""
    return Field(default=None, description="The entry this one corrects and supersedes, if any")


UuidList = list[UUID]
