"""TOTP (RFC 6238) second factor with pyotp: secrets, `otpauth://` URIs and step matching.

Replay is stopped by the caller: each authenticator remembers the last time step it accepted and
only a later step is accepted again (RFC 6238 §5.2), so a code works once at most.
"""

from __future__ import annotations

import hmac
import re

import pyotp

STEP_SECONDS = 30
DIGITS = 6
ISSUER = "Uponyaji"
_CODE = re.compile(r"^[0-9]{6}$")


def new_secret() -> str:
    """A fresh base32 TOTP secret (160 bits)."""
    return pyotp.random_base32(length=32)


def provisioning_uri(secret: str, username: str) -> str:
    """The `otpauth://totp/...` URI an authenticator app scans."""
    return pyotp.TOTP(secret, digits=DIGITS, interval=STEP_SECONDS).provisioning_uri(
        name=username, issuer_name=ISSUER
    )


def matching_step(secret: str, code: str, now: float, *, window: int = 1) -> int | None:
    """The time step whose code this is (now ± `window` steps), or None if it matches none."""
    if not _CODE.fullmatch(code):
        return None
    totp = pyotp.TOTP(secret, digits=DIGITS, interval=STEP_SECONDS)
    current = int(now) // STEP_SECONDS
    found: int | None = None
    for step in range(current - window, current + window + 1):
        # Compare every candidate, so the time taken does not tell which step matched.
        if hmac.compare_digest(totp.at(step * STEP_SECONDS), code) and found is None:
            found = step
    return found


def code_at(secret: str, at: float) -> str:
    """The code for a moment (demo tooling and tests)."""
    return pyotp.TOTP(secret, digits=DIGITS, interval=STEP_SECONDS).at(int(at))
