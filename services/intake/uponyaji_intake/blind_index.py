"""Blind indexes: keyed hashes of normalised names, phones and ID numbers, never plaintext.

The HMAC key is derived from the service's key-encryption key with HKDF, so it never enters the
database. A digest says nothing about its input without the key; with it, anyone can test a guess,
which is why digests never leave intake (they are not in events) and are deleted at erasure.
"""

from __future__ import annotations

import contextlib
import hashlib
import hmac
import re
import unicodedata
from dataclasses import dataclass, field
from enum import StrEnum

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

_HKDF_INFO = b"uponyaji/intake/blind-index/v1"
_APOSTROPHES = re.compile(r"['’ʼ`]")
_NOT_ALNUM = re.compile(r"[^0-9a-z]+")
_PHONE_NOISE = re.compile(r"[\s\-().]")
_ID_NOISE = re.compile(r"[\s\-/.]")
MIN_TOKEN = 2  # one-letter initials would match half the register


class IndexKind(StrEnum):
    """What a blind-index digest was computed over."""

    NAME = "name"
    PHONE = "phone"
    NATIONAL_ID = "national_id"
    PASSPORT = "passport"
    OTHER_ID = "other_id"


class InvalidPhone(ValueError):
    """A phone number that cannot be normalised to E.164."""


def name_tokens(*names: str | None) -> list[str]:
    """Normalised name tokens: case-folded, accents and apostrophes removed, split, deduplicated."""
    tokens: list[str] = []
    for name in names:
        if not name:
            continue
        decomposed = unicodedata.normalize("NFKD", name.casefold())
        plain = "".join(c for c in decomposed if not unicodedata.combining(c))
        for token in _NOT_ALNUM.split(_APOSTROPHES.sub("", plain)):
            if len(token) >= MIN_TOKEN and token not in tokens:
                tokens.append(token)
    return tokens


# What may follow +254 (or the national 0): mobile 7 and 1, and the geographic area codes
# (20 Nairobi, 4x Coast, 5x Western and Nyanza, 6x Rift Valley and Central). Anything else
# (0812345678) is not a Kenyan number; a foreign one is written with its + country code.
_KENYAN_FIRST = frozenset("124567")


def _kenyan(nine: str) -> str:
    if nine[0] not in _KENYAN_FIRST:
        raise InvalidPhone(
            f"not a Kenyan number: after +254 (or 0) comes 7 or 1 (mobile) or an area code, "
            f"not {nine[0]}; give a foreign number as +country…"
        )
    return "+254" + nine


def normalise_phone(raw: str) -> str:
    """E.164 form of a phone number; Kenyan national forms (07xx…, 01xx…, 7xx…) become +254…."""
    text = _PHONE_NOISE.sub("", raw.strip())
    if text.startswith("00"):
        text = "+" + text[2:]
    if text.startswith("+"):
        digits = text[1:]
        if not digits.isdigit():
            raise InvalidPhone("a phone number may hold only digits after '+'")
        if digits.startswith("254"):
            if len(digits) != 12:
                raise InvalidPhone("a Kenyan number is +254 followed by 9 digits")
            return _kenyan(digits[3:])
        if not 8 <= len(digits) <= 15:
            raise InvalidPhone("an international number has 8 to 15 digits")
        return "+" + digits
    if not text.isdigit():
        raise InvalidPhone("a phone number may hold only digits, spaces, dashes and a leading +")
    if len(text) == 12 and text.startswith("254"):
        return _kenyan(text[3:])
    if len(text) == 10 and text.startswith("0"):
        return _kenyan(text[1:])
    if len(text) == 9 and text[0] in "17":
        return "+254" + text
    raise InvalidPhone("not a Kenyan number (07xx xxx xxx, 01xx xxx xxx or +254…) nor +country…")


def normalise_id_number(raw: str) -> str:
    """An ID or passport number without spaces, dashes or slashes, upper-cased."""
    return _ID_NOISE.sub("", raw.strip()).upper()


def derive_key(kek: bytes) -> bytes:
    """The blind-index HMAC key, derived from the service's key-encryption key (HKDF-SHA256)."""
    return HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=_HKDF_INFO).derive(kek)


@dataclass(frozen=True)
class BlindIndexer:
    """Computes blind-index digests with one HMAC key (kept out of reprs)."""

    key: bytes = field(repr=False)

    @classmethod
    def from_kek(cls, kek: bytes) -> BlindIndexer:
        """An indexer keyed from the service's key-encryption key."""
        return cls(derive_key(kek))

    def digest(self, kind: IndexKind, normalised: str) -> bytes:
        """HMAC-SHA256 over the kind and an already-normalised value."""
        message = f"{kind.value}\x00{normalised}".encode()
        return hmac.new(self.key, message, hashlib.sha256).digest()

    def entries(
        self,
        *,
        names: list[str | None] | None = None,
        phone: str | None = None,
        id_kind: str | None = None,
        id_number: str | None = None,
    ) -> set[tuple[IndexKind, bytes]]:
        """Every (kind, digest) to store or look up for a survivor's identity values."""
        tokens = name_tokens(*names or [])
        found = {(IndexKind.NAME, self.digest(IndexKind.NAME, t)) for t in tokens}
        if phone:
            # The API validates phones; an unparsable one (old data) is simply not indexed.
            with contextlib.suppress(InvalidPhone):
                found.add((IndexKind.PHONE, self.digest(IndexKind.PHONE, normalise_phone(phone))))
        if id_number and normalise_id_number(id_number):
            kind = _id_kind(id_kind)
            found.add((kind, self.digest(kind, normalise_id_number(id_number))))
        return found


def _id_kind(id_kind: str | None) -> IndexKind:
    if id_kind == "national_id":
        return IndexKind.NATIONAL_ID
    if id_kind == "passport":
        return IndexKind.PASSPORT
    return IndexKind.OTHER_ID
