"""The key-encryption key (KEK): loaded from a secret file, it wraps every per-subject data key.

The KEK never enters the database, logs or error messages. The file holds 32 random bytes in
standard base64 (surrounding whitespace ignored).
"""

from __future__ import annotations

import base64
import binascii
import os
import struct
from pathlib import Path
from uuid import UUID

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from uponyaji_events.sealing.errors import KekError, KeyUnwrapError

KEY_BYTES = 32  # AES-256, for the KEK and for data keys alike
_NONCE_BYTES = 12
_WRAP_FORMAT = b"\x01"  # first byte of a stored wrapped key: AES-256-GCM wrap, version 1
_WRAP_LABEL = b"uponyaji/sealing/wrap/v1"


def load_kek(path: Path, *, create: bool = False) -> bytes:
    """Read the 32-byte KEK from its secret file; create=True makes one (mode 0600) if missing."""
    path = Path(path)
    if create and not path.exists():
        _create_kek_file(path)
    try:
        text = path.read_bytes()
    except FileNotFoundError:
        raise KekError(
            f"key-encryption key file {path} does not exist: provision a secret file holding "
            f"{KEY_BYTES} random bytes in base64 (development: load_kek(path, create=True))"
        ) from None
    except OSError as exc:
        raise KekError(f"key-encryption key file {path} cannot be read: {exc.strerror}") from None
    try:
        kek = base64.b64decode(text.strip(), validate=True)
    except (binascii.Error, ValueError):
        # `from None`: the decoder's message could quote part of the secret.
        raise KekError(f"key-encryption key file {path} is not valid base64") from None
    if len(kek) != KEY_BYTES:
        raise KekError(
            f"key-encryption key file {path} holds {len(kek)} bytes; expected {KEY_BYTES}"
        )
    return kek


def _create_kek_file(path: Path) -> None:
    """Write a fresh KEK atomically: a private temporary file hard-linked into place.

    Linking fails if the file appeared meanwhile, so two processes starting together both end up
    reading the one KEK that won, and no reader ever sees a half-written file.
    """
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.{os.urandom(4).hex()}.tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        os.fchmod(fd, 0o600)  # whatever the umask
        os.write(fd, base64.b64encode(os.urandom(KEY_BYTES)) + b"\n")
        os.fsync(fd)
    finally:
        os.close(fd)
    try:
        os.link(tmp, path)
    except FileExistsError:
        pass
    finally:
        tmp.unlink(missing_ok=True)


def _wrap_aad(subject: str, key_id: UUID) -> bytes:
    encoded = subject.encode("utf-8")
    return _WRAP_LABEL + struct.pack(">I", len(encoded)) + encoded + key_id.bytes


# Why AES-GCM with associated data rather than RFC 3394 key wrap: RFC 3394 authenticates the key
# but nothing else, so a wrapped key copied into another subject's row would unwrap there (and
# outlive the erasure of the subject it belongs to). Binding subject id and key id as associated
# data makes each wrapped key valid only in its own row, with the same primitive as the sealed
# fields. A random 96-bit nonce is safe here: one wrap per subject is far below the 2^32 limit.
def wrap_key(kek: bytes, subject: str, key_id: UUID, data_key: bytes) -> bytes:
    """Wrap a data key under the KEK, bound to its subject and key id."""
    nonce = os.urandom(_NONCE_BYTES)
    return _WRAP_FORMAT + nonce + AESGCM(kek).encrypt(nonce, data_key, _wrap_aad(subject, key_id))


def unwrap_key(kek: bytes, subject: str, key_id: UUID, wrapped: bytes) -> bytes:
    """Recover a data key; raise KeyUnwrapError on a wrong KEK or a tampered row."""
    if wrapped[:1] != _WRAP_FORMAT:
        raise KeyUnwrapError(f"data key of subject {subject} is in an unknown wrap format")
    nonce, body = wrapped[1 : 1 + _NONCE_BYTES], wrapped[1 + _NONCE_BYTES :]
    try:
        data_key = AESGCM(kek).decrypt(nonce, body, _wrap_aad(subject, key_id))
    except InvalidTag:
        raise KeyUnwrapError(
            f"data key of subject {subject} does not unwrap: wrong key-encryption key, "
            "or the key row was altered or moved"
        ) from None
    if len(data_key) != KEY_BYTES:
        raise KeyUnwrapError(f"data key of subject {subject} has the wrong length")
    return data_key
