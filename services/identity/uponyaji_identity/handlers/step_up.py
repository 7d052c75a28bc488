"""Step-up: a fresh TOTP check for one sensitive act, proven to another service by a short JWT.

The caller is already signed in; they type a current code of their authenticator. Identity
checks it (the same replay memory as sign-in: a code's time step is used once) and returns an
EdDSA JWT signed with its current key: audience `step-up:<service>`, `sub` = the staff id,
`auth_time` = when the code was checked, `amr` = ["otp"], a `jti`, two minutes of life. The
receiving service verifies it with identity's JWKS. Medical uses it to release a clinician's
report-signing key. No event is recorded (like sign-in, only failures count towards lock-out).
"""

from __future__ import annotations

import time
from uuid import UUID, uuid4

from ..context import Identity
from ..errors import InvalidCredentials
from ..security.tokens import ISSUER, sign
from .auth import check_code
from .streams import load_account

STEP_UP_SECONDS = 120
STEP_UP_SERVICES = frozenset({"medical"})


async def step_up(ctx: Identity, staff_id: UUID, code: str, audience: str, client: str) -> str:
    """A step-up proof for `audience` after checking a current TOTP code of the caller."""
    ctx.limiter.hit(client)
    account = await load_account(ctx, staff_id)
    if account is None or not account.active or account.mfa is None:
        raise InvalidCredentials("the code is not right")
    if not await check_code(ctx, account, account.mfa, code):
        raise InvalidCredentials("the code is not right (or was already used: wait for the next)")
    now = int(time.time())
    claims = {
        "iss": ISSUER,
        "sub": str(staff_id),
        "aud": f"step-up:{audience}",
        "iat": now,
        "nbf": now,
        "exp": now + STEP_UP_SECONDS,
        "auth_time": now,
        "amr": ["otp"],
        "jti": str(uuid4()),
    }
    return sign(claims, ctx.keys.current)
