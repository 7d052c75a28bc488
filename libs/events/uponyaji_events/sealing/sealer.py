"""Sealing and unsealing field values with the subject's data key (AES-256-GCM).

Associated data binds every ciphertext to where it belongs::

    b"uponyaji/sealed/v1" | len32(subject) | subject | len32(context) | context | key_id (16 bytes)

(len32 = 4-byte big-endian length of the UTF-8 bytes that follow; the lengths keep the encoding
unambiguous). A value moved to another subject or another field therefore fails to unseal. The
context names the field where the value was sealed, e.g. ``"intake.SurvivorRegistered/name"``;
readers must pass that same context for as long as the event exists, whatever upcasters do.
"""

from __future__ import annotations

import os
import struct
from typing import Final
from uuid import UUID

from cryptography.exceptions import InvalidTag

from uponyaji_events.sealing.errors import InvalidSealError, KeyDestroyed, SealingError
from uponyaji_events.sealing.keystore import KeyStore, SubjectId, subject_key
from uponyaji_events.sealing.sealed import NONCE_BYTES, Sealed

ERASED: Final = "[erased]"  # what readers show for a value whose subject's key was destroyed
_AAD_LABEL = b"uponyaji/sealed/v1"


def _lp(text: str) -> bytes:
    encoded = text.encode("utf-8")
    return struct.pack(">I", len(encoded)) + encoded


def associated_data(subject_id: SubjectId, context: str, key_id: UUID) -> bytes:
    """The GCM associated data binding a sealed value to its subject, context and key."""
    if not context:
        raise SealingError("sealing context is empty")
    return _AAD_LABEL + _lp(subject_key(subject_id)) + _lp(context) + key_id.bytes


class Sealer:
    """Seals and unseals sensitive field values with per-subject data keys."""

    def __init__(self, keys: KeyStore) -> None:
        self._keys = keys

    async def seal(self, subject_id: SubjectId, context: str, plaintext: str) -> Sealed:
        """Encrypt a value for a subject and field; KeyDestroyed if the subject was erased."""
        key = await self._keys.get_or_create(subject_id)
        nonce = os.urandom(NONCE_BYTES)  # fresh per seal; one key per subject stays far below 2^32
        aad = associated_data(subject_id, context, key.key_id)
        return Sealed(key.key_id, nonce + key.aead.encrypt(nonce, plaintext.encode("utf-8"), aad))

    async def unseal(self, subject_id: SubjectId, context: str, sealed: Sealed | str) -> str:
        """Decrypt a value; InvalidSealError if tampered or misplaced, KeyDestroyed if erased."""
        value = sealed if isinstance(sealed, Sealed) else Sealed.parse(sealed)
        key = await self._keys.get(subject_id)
        if value.key_id != key.key_id:
            raise InvalidSealError(
                f"value was sealed under another key than subject {subject_key(subject_id)}'s "
                "(moved from another subject, or altered)"
            )
        aad = associated_data(subject_id, context, key.key_id)
        try:
            plaintext = key.aead.decrypt(value.nonce, value.ciphertext, aad)
        except InvalidTag:
            raise InvalidSealError(
                f"value does not authenticate for subject {subject_key(subject_id)} in context "
                f"{context!r} (altered, moved from another field, or read with the wrong context)"
            ) from None
        return plaintext.decode("utf-8")

    async def unseal_or_erased(
        self, subject_id: SubjectId, context: str, sealed: Sealed | str
    ) -> str:
        """Like unseal, but ERASED when the subject's key was destroyed (for readers)."""
        try:
            return await self.unseal(subject_id, context, sealed)
        except KeyDestroyed:
            return ERASED
