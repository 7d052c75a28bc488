"""Report signing: an Ed25519 key per clinician, held by the service, wrapped by its KEK.

The private key is created on a clinician's first signature, wrapped with AES-256-GCM under the
service's key-encryption key (bound to the clinician and key id), and stored in
`signing_keys`; its public half is published as `medical.SigningKeyIssued`. A key is unwrapped
only inside a signing command that presented a fresh TOTP step-up proof (stepup.py), and only
for the clinician the proof names. Signatures and keys are base64url without padding.
"""

from __future__ import annotations

import base64
import os
from dataclasses import dataclass, field
from uuid import UUID, uuid4

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.serialization import (
    Encoding,
    NoEncryption,
    PrivateFormat,
    PublicFormat,
)
from uponyaji_events.db import Conn

_NONCE = 12


def b64(data: bytes) -> str:
    """base64url without padding."""
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def unb64(text: str) -> bytes:
    """Bytes of a base64url string (padding optional)."""
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def _aad(clinician_id: UUID, key_id: UUID) -> bytes:
    return b"uponyaji/medical/signing-key/v1|" + clinician_id.bytes + key_id.bytes


def public_b64(key: Ed25519PrivateKey) -> str:
    """The raw public key, base64url."""
    return b64(key.public_key().public_bytes(Encoding.Raw, PublicFormat.Raw))


def verify(public_key: str, message: bytes, signature: str) -> bool:
    """Whether `signature` is the key's Ed25519 signature of `message`."""
    try:
        Ed25519PublicKey.from_public_bytes(unb64(public_key)).verify(unb64(signature), message)
    except (InvalidSignature, ValueError):
        return False
    return True


@dataclass(frozen=True)
class NewKey:
    """A clinician's key created in this transaction (its public half must be published)."""

    key_id: UUID
    public_key: str


@dataclass(frozen=True)
class SigningKeys:
    """Clinicians' signing keys, wrapped by the KEK (which never leaves this object)."""

    kek: bytes = field(repr=False)

    async def signer(
        self, conn: Conn, clinician_id: UUID
    ) -> tuple[UUID, Ed25519PrivateKey, NewKey | None]:
        """The clinician's key (created if they have none): id, private key, new-key record."""
        row = await conn.fetchrow(
            "SELECT key_id, wrapped FROM signing_keys WHERE clinician_id = $1 FOR UPDATE",
            clinician_id,
        )
        if row is not None:
            key_id = UUID(str(row["key_id"]))
            blob = bytes(row["wrapped"])
            raw = AESGCM(self.kek).decrypt(blob[:_NONCE], blob[_NONCE:], _aad(clinician_id, key_id))
            return key_id, Ed25519PrivateKey.from_private_bytes(raw), None
        key, key_id, nonce = Ed25519PrivateKey.generate(), uuid4(), os.urandom(_NONCE)
        raw = key.private_bytes(Encoding.Raw, PrivateFormat.Raw, NoEncryption())
        wrapped = nonce + AESGCM(self.kek).encrypt(nonce, raw, _aad(clinician_id, key_id))
        await conn.execute(
            "INSERT INTO signing_keys (clinician_id, key_id, wrapped) VALUES ($1, $2, $3)",
            clinician_id,
            key_id,
            wrapped,
        )
        return key_id, key, NewKey(key_id, public_b64(key))
