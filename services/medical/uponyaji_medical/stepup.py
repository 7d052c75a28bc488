"""The fresh-TOTP step-up proof that releases a clinician's signing key.

TOTP secrets live in identity. Identity's `POST /auth/step-up` checks a current code of the
caller's authenticator and returns a short-lived EdDSA JWT (audience `step-up:medical`, claims
`sub` = the staff id, `auth_time` = when the code was checked, `amr` = ["otp"], a `jti`). Medical
verifies it with identity's JWKS (the same keys as access tokens), requires it to name the
caller, to be at most `step_up_seconds` old, and uses each proof once.
"""

from __future__ import annotations

import time
from uuid import UUID

import jwt
from jwt.exceptions import InvalidTokenError
from uponyaji_access import AccessError, TokenVerifier
from uponyaji_events.db import Conn

from .errors import StepUpRequired

AUDIENCE = "step-up:medical"
ISSUER = "uponyaji-identity"
REQUIRED = ["iss", "sub", "aud", "exp", "iat", "jti", "auth_time", "amr"]


async def check(
    conn: Conn, verifier: TokenVerifier, proof: str | None, staff_id: UUID, max_age: int
) -> None:
    """Accept a fresh, unused step-up proof for `staff_id` (recorded as used), else 401."""
    if not proof or len(proof) > 4096:
        raise StepUpRequired("step_up: a fresh TOTP step-up proof from identity is required")
    try:
        kid = jwt.get_unverified_header(proof).get("kid")
        if not isinstance(kid, str):
            raise StepUpRequired("step_up: the proof has no key id")
        claims = jwt.decode(
            proof,
            key=await verifier.key(kid),
            algorithms=["EdDSA"],
            audience=AUDIENCE,
            issuer=ISSUER,
            leeway=10,
            options={"require": REQUIRED},
        )
    except (InvalidTokenError, LookupError, ValueError):
        raise StepUpRequired(
            "step_up: the proof is not valid (expired, altered or not identity's)"
        ) from None
    except AccessError as exc:  # an unknown key id, or identity's keys cannot be fetched
        raise StepUpRequired(
            f"step_up: the proof cannot be checked now ({type(exc).__name__})"
        ) from None
    if str(claims["sub"]) != str(staff_id):
        raise StepUpRequired("step_up: the proof was issued to someone else")
    if "otp" not in claims.get("amr", []) or time.time() - float(claims["auth_time"]) > max_age:
        raise StepUpRequired(f"step_up: the TOTP check is older than {max_age} s: step up again")
    used = await conn.fetchval(
        "INSERT INTO step_up_used (jti) VALUES ($1) ON CONFLICT DO NOTHING RETURNING jti",
        str(claims["jti"]),
    )
    if used is None:
        raise StepUpRequired("step_up: this proof was already used: step up again")
