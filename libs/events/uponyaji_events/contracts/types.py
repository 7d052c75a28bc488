"""Shared field types of event contracts: the payload base, sealed values, codes, examples.

Every free-text or identifying value in a payload is a `SealedValue`; every other string is
constrained (an enum, a pattern or a format), so plaintext cannot slip into the log through a
loosely typed field. The tests check both rules for every registered contract.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from typing import Annotated, Any
from uuid import UUID

from pydantic import AwareDatetime, BaseModel, ConfigDict, GetJsonSchemaHandler, StringConstraints
from pydantic.json_schema import JsonSchemaValue
from pydantic_core import CoreSchema

from uponyaji_events.sealing import Sealed

SEALED_MARK = "x-sealed"  # JSON Schema extension naming a sealed value


@dataclass(frozen=True, slots=True)
class _MarkSealed:
    """Adds `x-sealed: true` to the JSON Schema of a sealed value."""

    def __get_pydantic_json_schema__(
        self, schema: CoreSchema, handler: GetJsonSchemaHandler
    ) -> JsonSchemaValue:
        return {**handler(schema), SEALED_MARK: True}


# The one place that says what a sealed field is: the kernel's `Sealed`
# ("sealed:v1|v2:<key_id>:<data>", AES-256-GCM under the subject's data key); plaintext is refused.
SealedValue = Annotated[Sealed, _MarkSealed()]

CountyCode = Annotated[str, StringConstraints(pattern=r"^0(0[1-9]|[1-3][0-9]|4[0-7])$")]
CaseNumber = Annotated[str, StringConstraints(pattern=r"^[A-Z]{2,8}-[0-9]{4}-[0-9]{6}$")]
LanguageCode = Annotated[str, StringConstraints(pattern=r"^[a-z]{2,3}(-[A-Z]{2})?$")]
Username = Annotated[str, StringConstraints(pattern=r"^[a-z][a-z0-9._-]{2,63}$")]
Timestamp = AwareDatetime


class EventPayload(BaseModel):
    """Base of every payload model: immutable, and unknown fields are refused."""

    # extra="forbid" also keeps plaintext out: a field the contract does not name cannot be added.
    model_config = ConfigDict(extra="forbid", frozen=True)


def examples(*payloads: dict[str, Any]) -> ConfigDict:
    """Model config adding JSON examples (shown in the AsyncAPI document, checked by tests)."""
    return ConfigDict(json_schema_extra={"examples": list(payloads)})


EXAMPLE_KEY_ID = UUID("0190a8e5-7c00-4a1e-9d3b-5e2f00000001")


def example_sealed(label: str) -> str:
    """A well-formed but meaningless sealed value for examples (it is not an encryption)."""
    data = hashlib.sha256(label.encode("utf-8")).digest() + bytes(12)
    return str(Sealed(EXAMPLE_KEY_ID, data))


def example_id(n: int) -> str:
    """A fixed UUID for examples, distinct per n."""
    return str(UUID(f"0190a8e5-7c00-7000-8000-{n:012d}"))
