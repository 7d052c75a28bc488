"""Sealing and unsealing field values with the subject's data key (AES-256-GCM).

Associated data binds every ciphertext to where it belongs::

    v2: b"uponyaji/sealed/v2" | len32(subject) | subject | len32(context) | context
        | len32(record) | record | key_id (16 bytes)
    v1: b"uponyaji/sealed/v1" | len32(subject) | subject | len32(context) | context | key_id

A caller that names the record (the stream id the value is stored in, e.g. an incident) seals as
v2, and the value then fails to unseal in any other record of the same subject; without one it
seals as v1. Values sealed as v1 stay readable with or without a record.

(len32 = 4-byte big-endian length of the UTF-8 bytes that follow; the lengths keep the encoding
unambiguous). A value moved to another subject or another field therefore fails to unseal. The
context names the field where the value was sealed, e.g. ``"intake.SurvivorRegistered/name"``;
readers must pass that same context for as long as the event exists, whatever upcasters do.
"""

from __future__ import annotations

import logging
import os
import struct
from typing import Final
from uuid import UUID

from cryptography.exceptions import InvalidTag

from uponyaji_events.metrics import sealed_unreadable
from uponyaji_events.sealing.errors import (
    InvalidSealError,
    KeyDestroyed,
    KeyNotFoundError,
    SealingError,
)
from uponyaji_events.sealing.keystore import KeyStore, SubjectId, subject_key
from uponyaji_events.sealing.sealed import NONCE_BYTES, Sealed

ERASED: Final = "[erased]"  # what readers show for a value whose subject's key was destroyed
# What readers show for a value that does not authenticate where it is read (altered, or moved
# from another survivor, field or record): never its plaintext, never a 500.
UNREADABLE: Final = "[unreadable: sealed value does not belong here]"
log = logging.getLogger("uponyaji.events.sealing")
_AAD_LABEL = b"uponyaji/sealed/v1"
_AAD_LABEL_V2 = b"uponyaji/sealed/v2"


def _lp(text: str) -> bytes:
    encoded = text.encode("utf-8")
    return struct.pack(">I", len(encoded)) + encoded


def associated_data(
    subject_id: SubjectId, context: str, key_id: UUID, record: str | None = None
) -> bytes:
    """The GCM associated data binding a sealed value to its subject, context, key (and record)."""
    if not context:
        raise SealingError("sealing context is empty")
    if record is None:
        return _AAD_LABEL + _lp(subject_key(subject_id)) + _lp(context) + key_id.bytes
    if not record:
        raise SealingError("sealing record is empty")
    head = _AAD_LABEL_V2 + _lp(subject_key(subject_id)) + _lp(context)
    return head + _lp(record) + key_id.bytes


class Sealer:
    """Seals and unseals sensitive field values with per-subject data keys."""

    def __init__(self, keys: KeyStore) -> None:
        self._keys = keys

    async def seal(
        self, subject_id: SubjectId, context: str, plaintext: str, *, record: str | None = None
    ) -> Sealed:
        """Encrypt a value for a subject and field (and record); KeyDestroyed if erased."""
        key = await self._keys.get_or_create(subject_id)
        nonce = os.urandom(NONCE_BYTES)  # fresh per seal; one key per subject stays far below 2^32
        aad = associated_data(subject_id, context, key.key_id, record)
        data = nonce + key.aead.encrypt(nonce, plaintext.encode("utf-8"), aad)
        return Sealed(key.key_id, data, version=1 if record is None else 2)

    async def unseal(
        self,
        subject_id: SubjectId,
        context: str,
        sealed: Sealed | str,
        *,
        record: str | None = None,
    ) -> str:
        """Decrypt a value; InvalidSealError if tampered or misplaced, KeyDestroyed if erased.

        A v2 value needs the record it was sealed in; a v1 value ignores `record`.
        """
        value = sealed if isinstance(sealed, Sealed) else Sealed.parse(sealed)
        if value.version == 2 and record is None:
            raise InvalidSealError("value is bound to a record; read it with the record's id")
        bound = record if value.version == 2 else None
        key = await self._keys.get(subject_id)
        if value.key_id != key.key_id:
            raise InvalidSealError(
                f"value was sealed under another key than subject {subject_key(subject_id)}'s "
                "(moved from another subject, or altered)"
            )
        aad = associated_data(subject_id, context, key.key_id, bound)
        try:
            plaintext = key.aead.decrypt(value.nonce, value.ciphertext, aad)
        except InvalidTag:
            raise InvalidSealError(
                f"value does not authenticate for subject {subject_key(subject_id)} in context "
                f"{context!r} (altered, moved from another field, or read with the wrong context)"
            ) from None
        return plaintext.decode("utf-8")

    async def unseal_or_erased(
        self,
        subject_id: SubjectId,
        context: str,
        sealed: Sealed | str,
        *,
        record: str | None = None,
    ) -> str:
        """Like unseal, but ERASED when the subject's key was destroyed (for readers)."""
        try:
            return await self.unseal(subject_id, context, sealed, record=record)
        except KeyDestroyed:
            return ERASED

    async def reveal(
        self,
        subject_id: SubjectId,
        context: str,
        sealed: Sealed | str,
        *,
        record: str | None = None,
    ) -> str:
        """For readers: the plaintext, ERASED after erasure, UNREADABLE (logged) if misplaced.

        A value that does not authenticate for this subject, context and record (altered, or
        moved from another survivor, field or record), or whose subject has no key here, is never
        shown: the reader gets UNREADABLE and the log an ERROR naming the ids (no content).
        """
        try:
            return await self.unseal(subject_id, context, sealed, record=record)
        except KeyDestroyed:
            return ERASED
        except (InvalidSealError, KeyNotFoundError) as exc:
            sealed_unreadable.add(1)
            log.error(
                "sealed value refused: subject %s, context %r, record %s: %s",
                subject_key(subject_id),
                context[:200],
                (record or "-")[:200],
                exc,
            )
            return UNREADABLE
