"""Helpers of identity's tests: synthetic staff, TOTP codes never reused, bearer headers.

Identity checks TOTP codes against its clock. The tests give it a `ServerClock` (real time plus a
shift) so that a staff member who used up every code of the ±1-step window moves the server's
clock to the next step instead of waiting up to 30 seconds for it.
"""

from __future__ import annotations

import itertools
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
from uponyaji_events.envelope import Actor
from uponyaji_identity.context import Identity
from uponyaji_identity.handlers import accounts
from uponyaji_identity.security.totp import STEP_SECONDS, code_at

SYSTEM = Actor.system("identity-tests")
_numbers = itertools.count(1)


def strong_password() -> str:
    """A synthetic password that passes the strength rules (never a real one)."""
    return f"synthetic-{uuid.uuid4().hex[:16]}-Kx"


def bearer(token: str) -> dict[str, str]:
    """An Authorization header."""
    return {"Authorization": f"Bearer {token}"}


class ServerClock:
    """Identity's clock in tests: real time plus a shift that only moves forward."""

    def __init__(self) -> None:
        self.shift = timedelta()

    def __call__(self) -> datetime:
        return datetime.now(UTC) + self.shift

    def step(self) -> int:
        """The current TOTP time step on this clock."""
        return int(self().timestamp()) // STEP_SECONDS


def real_clock() -> datetime:
    """The real time (for a server not on a `ServerClock`)."""
    return datetime.now(UTC)


@dataclass
class Staff:
    """A synthetic staff member: credentials, authenticator and the last TOTP step used."""

    username: str
    password: str
    staff_id: uuid.UUID
    roles: tuple[str, ...]
    secret: str | None = None
    last_step: int = 0
    tokens: dict[str, Any] = field(default_factory=dict)
    clock: Callable[[], datetime] = real_clock  # the clock of the identity that checks the codes

    def now_step(self) -> int:
        """The server's current TOTP time step."""
        return int(self.clock().timestamp()) // STEP_SECONDS

    def next_code(self) -> str:
        """A code of a time step not used before, within the server's ±1-step window."""
        assert self.secret is not None
        step = max(self.last_step + 1, self.now_step())
        while step > self.now_step() + 1:  # all codes of the window are used up
            if isinstance(self.clock, ServerClock):
                self.clock.shift += timedelta(seconds=STEP_SECONDS)
            else:
                time.sleep(0.5)
        self.last_step = step
        return code_at(self.secret, step * STEP_SECONDS)

    def wrong_code(self) -> str:
        """A code that is not valid in the current window."""
        assert self.secret is not None
        now = self.now_step()
        valid = {code_at(self.secret, s * STEP_SECONDS) for s in range(now - 2, now + 3)}
        return next(c for c in (f"{n:06d}" for n in range(1000)) if c not in valid)

    def credentials(self) -> dict[str, str]:
        """Username and password."""
        return {"username": self.username, "password": self.password}

    def login_body(self) -> dict[str, str]:
        """A correct login request body (uses up a TOTP step)."""
        return {"username": self.username, "password": self.password, "totp_code": self.next_code()}

    @property
    def access(self) -> dict[str, str]:
        """Bearer header with the last access token."""
        return bearer(self.tokens["access_token"])


async def new_staff(
    ctx: Identity,
    *roles: str,
    teams: tuple[uuid.UUID, ...] = (),
    username: str | None = None,
    must_change_password: bool = False,
) -> Staff:
    """An account created straight through the handler (no authenticator yet).

    Made as if its first password were already changed, as the demo seed does, unless
    `must_change_password` (what an administrator's account creation does).
    """
    name = username or f"test.staff{next(_numbers)}.{uuid.uuid4().hex[:6]}"
    password = strong_password()
    staff_id = await accounts.create_account(
        ctx,
        username=name,
        display_name=f"Test Staff {name} (FAKE)",
        password=password,
        roles=frozenset(roles),
        teams=teams,
        actor=SYSTEM,
        must_change_password=must_change_password,
    )
    return Staff(name, password, staff_id, roles, clock=ctx.clock)


async def enrol(
    client: httpx.AsyncClient, staff: Staff, *, new_password: str | None = None
) -> Staff:
    """Enrol and confirm an authenticator through the API; keeps the first tokens.

    `new_password` replaces a first password an administrator set, at the confirmation.
    """
    response = await client.post(
        "/auth/mfa/enrol", json={"username": staff.username, "password": staff.password}
    )
    assert response.status_code == 200, response.text
    staff.secret = response.json()["secret"]
    response = await client.post(
        "/auth/mfa/confirm",
        json={
            "username": staff.username,
            "password": staff.password,
            "totp_code": staff.next_code(),
            **({} if new_password is None else {"new_password": new_password}),
        },
    )
    assert response.status_code == 200, response.text
    staff.tokens = response.json()
    staff.password = new_password or staff.password
    return staff


async def signed_in(
    ctx: Identity, client: httpx.AsyncClient, *roles: str, teams: tuple[uuid.UUID, ...] = ()
) -> Staff:
    """A staff member with a confirmed authenticator and a live session."""
    return await enrol(client, await new_staff(ctx, *roles, teams=teams))


async def event_count(ctx: Identity) -> int:
    """Events in identity's store."""
    return int(await ctx.pool.fetchval("SELECT count(*) FROM events"))
