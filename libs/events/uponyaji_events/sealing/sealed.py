"""The sealed field type: what an event payload holds in place of a sensitive value.

Wire form (one JSON string)::

    sealed:v1:<key_id>:<data>      sealed:v2:<key_id>:<data>

- ``v1``: AES-256-GCM with a 96-bit nonce and a 128-bit tag, associated data as in ``sealer.py``
  (subject, field context, key).
- ``v2``: the same, with the record (stream id) in the associated data too: a value cannot be
  moved between two records of one subject. Values sealed as v1 stay readable.
- ``key_id``: the data key's id, a lowercase hyphenated UUID (random, says nothing about the
  subject; it lets a reader tell at once that a value was sealed under another subject's key).
- ``data``: unpadded base64url (RFC 4648 §5) of ``nonce (12 bytes) | ciphertext | tag (16 bytes)``.

Only the canonical spelling parses, so any change to the string is detected.
"""

from __future__ import annotations

import base64
import binascii
import re
from dataclasses import dataclass
from typing import Any
from uuid import UUID

from pydantic import GetCoreSchemaHandler, GetJsonSchemaHandler
from pydantic.json_schema import JsonSchemaValue
from pydantic_core import core_schema

from uponyaji_events.sealing.errors import SealedFormatError

PREFIX = "sealed:v1:"
PREFIX_V2 = "sealed:v2:"
NONCE_BYTES = 12
TAG_BYTES = 16
_PATTERN = re.compile(
    r"^sealed:v([12]):([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}):"
    r"([A-Za-z0-9_-]+)$"
)
_JSON_PATTERN = _PATTERN.pattern


def _b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


@dataclass(frozen=True, slots=True)
class Sealed:
    """A sealed value: key id plus nonce|ciphertext|tag; serialises as one `sealed:vN:` string."""

    key_id: UUID
    data: bytes  # nonce | ciphertext | tag
    version: int = 1  # 2: the record is bound in the associated data

    def __post_init__(self) -> None:
        if len(self.data) < NONCE_BYTES + TAG_BYTES:
            raise SealedFormatError("sealed value is shorter than a nonce and a tag")

    @property
    def nonce(self) -> bytes:
        """The 96-bit nonce this value was sealed with."""
        return self.data[:NONCE_BYTES]

    @property
    def ciphertext(self) -> bytes:
        """The ciphertext followed by the GCM tag."""
        return self.data[NONCE_BYTES:]

    def __str__(self) -> str:
        return f"sealed:v{self.version}:{self.key_id}:{_b64url(self.data)}"

    def __repr__(self) -> str:
        return f"Sealed(key_id={self.key_id}, bytes={len(self.data)})"

    @classmethod
    def parse(cls, text: str) -> Sealed:
        """Parse the wire form; raise SealedFormatError unless it is exactly canonical."""
        match = _PATTERN.match(text)
        if match is None:
            raise SealedFormatError("not a sealed value (expected 'sealed:v2:<key_id>:<data>')")
        version_text, key_text, data_text = match.groups()
        try:
            data = base64.urlsafe_b64decode(data_text + "=" * (-len(data_text) % 4))
        except (binascii.Error, ValueError) as exc:
            raise SealedFormatError("sealed value's data is not base64url") from exc
        if _b64url(data) != data_text:
            raise SealedFormatError("sealed value's data is not canonical base64url")
        return cls(key_id=UUID(key_text), data=data, version=int(version_text))

    @classmethod
    def __get_pydantic_core_schema__(
        cls, source: type[Any], handler: GetCoreSchemaHandler
    ) -> core_schema.CoreSchema:
        from_str = core_schema.no_info_after_validator_function(cls.parse, core_schema.str_schema())
        return core_schema.json_or_python_schema(
            json_schema=from_str,
            python_schema=core_schema.union_schema([core_schema.is_instance_schema(cls), from_str]),
            serialization=core_schema.plain_serializer_function_ser_schema(str),
        )

    @classmethod
    def __get_pydantic_json_schema__(
        cls, schema: core_schema.CoreSchema, handler: GetJsonSchemaHandler
    ) -> JsonSchemaValue:
        return {
            "type": "string",
            "pattern": _JSON_PATTERN,
            "description": "AES-256-GCM ciphertext under the subject's data key "
            "('sealed:v1|v2:<key_id>:<base64url(nonce|ciphertext|tag)>')",
        }
