"""Errors raised by sealing; all derive from SealingError, itself rooted in the kernel's."""

from __future__ import annotations

from uponyaji_events.errors import UponyajiError


class SealingError(UponyajiError):
    """Base of every sealing failure (never carries plaintext or key material)."""

    status_code = 500


class KekError(SealingError):
    """The key-encryption key file is missing, unreadable or malformed."""


# The name reads as the fact it reports (and is what callers catch), hence no "Error" suffix.
class KeyDestroyed(SealingError):
    """The subject's data key was crypto-shredded: nothing can be sealed or unsealed for it."""

    # Sealing for an erased survivor breaks a domain rule (HTTP 409 at the edge).
    status_code = 409


class KeyNotFoundError(SealingError):
    """No data key exists for the subject, so nothing sealed for it can be read here."""


class KeyUnwrapError(SealingError):
    """A stored data key does not unwrap: wrong key-encryption key or a tampered key row."""


class SealedFormatError(SealingError, ValueError):
    """A string is not a well-formed sealed value (ValueError so pydantic reports it as 422)."""

    status_code = 422


class InvalidSealError(SealingError):
    """A sealed value does not authenticate for this subject, context and record."""

    # Stored data that does not authenticate where it is read (altered, or moved from another
    # survivor, field or record) is refused as a conflict with a clear message, never a 500.
    status_code = 409
