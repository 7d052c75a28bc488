"""Login throttling: a lock after repeated failures per (username, client address), growing with
each lock in a row, and a rate limit per client.

The lock is kept per SHA-256 of the normalised username and the client's address (behind trusted
proxies, the address they report), whether or not such an account exists, so locking (HTTP 423)
reveals nothing about which usernames exist, and one address guessing at many usernames cannot
lock their owners out from anywhere else. Each attempt is counted *before* the password is
checked, in one statement, so parallel guesses cannot slip past the threshold; a success resets
the count; a failure that reaches the threshold sets the lock, for `lock` × 2^(locks of this pair
in a row), at most `max_lock`.
"""

from __future__ import annotations

import hashlib
import math
import time
from collections import OrderedDict, deque
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta

import asyncpg

from .errors import AccountLocked, TooManyRequests

MAX_DOUBLINGS = 16  # 2^16 × the base lock: far beyond any sensible cap

_ATTEMPT = """
INSERT INTO login_throttle AS t (subject, failures, locked_until, updated_at)
VALUES ($1, 1, NULL, now())
ON CONFLICT (subject) DO UPDATE SET
    failures = CASE
        WHEN t.locked_until > now() THEN t.failures
        WHEN t.updated_at < now() - $2::interval THEN 1      -- old failures are forgotten
        ELSE t.failures + 1 END,
    lockouts = CASE
        WHEN t.locked_until > now() THEN t.lockouts
        WHEN t.updated_at < now() - $3::interval THEN 0      -- and locks after a quiet spell
        ELSE t.lockouts END,
    locked_until = CASE WHEN t.locked_until > now() THEN t.locked_until END,
    updated_at = CASE WHEN t.locked_until > now() THEN t.updated_at ELSE now() END
RETURNING failures, locked_until, EXTRACT(EPOCH FROM (locked_until - now()))::float8 AS left
"""

# The n-th lock in a row (n = lockouts + 1) lasts base × 2^(n-1), at most $4.
_LOCK = """
UPDATE login_throttle SET
    failures = 0,
    lockouts = lockouts + 1,
    locked_until = now() + least($2::interval * power(2, least(lockouts, $5)), $4::interval),
    updated_at = now()
WHERE subject = $1 AND failures >= $3 AND (locked_until IS NULL OR locked_until <= now())
RETURNING EXTRACT(EPOCH FROM (locked_until - now()))::float8 AS left
"""


def subject(username: str, source: str) -> bytes:
    """The throttle key of a username as typed and a client address (neither is stored)."""
    name = username.strip().lower().encode("utf-8")
    return hashlib.sha256(b"identity/login/" + name + b"\x00" + source.encode()).digest()


@dataclass(frozen=True, slots=True)
class LoginThrottle:
    """Failed-attempt counting and locking in PostgreSQL (shared by every identity process)."""

    pool: asyncpg.Pool
    threshold: int
    lock: timedelta
    max_lock: timedelta = timedelta(hours=24)

    async def begin(self, username: str, source: str) -> None:
        """Count an attempt; AccountLocked (423) if locked or too many are already in flight."""
        key = subject(username, source)
        row = await self.pool.fetchrow(_ATTEMPT, key, self.lock, self.max_lock)
        assert row is not None
        if row["locked_until"] is not None:
            raise self._locked(row["left"])
        if row["failures"] > self.threshold:
            # More parallel attempts than allowed failures: lock now rather than check them.
            left = await self._lock(key)
            raise self._locked(left if left is not None else self.lock.total_seconds())

    async def failed(self, username: str, source: str) -> float | None:
        """The attempt failed: lock the pair if this was the threshold-th failure.

        Returns the seconds of the lock this failure set, None when it set none.
        """
        return await self._lock(subject(username, source))

    async def succeeded(self, username: str, source: str) -> None:
        """The attempt succeeded: forget earlier failures and locks of this pair."""
        await self.pool.execute(
            "UPDATE login_throttle SET failures = 0, lockouts = 0 WHERE subject = $1",
            subject(username, source),
        )

    async def _lock(self, key: bytes) -> float | None:
        left = await self.pool.fetchval(
            _LOCK, key, self.lock, self.threshold, self.max_lock, MAX_DOUBLINGS
        )
        return None if left is None else float(left)

    def _locked(self, seconds_left: float | None) -> AccountLocked:
        left = max(1, math.ceil(seconds_left or self.lock.total_seconds()))
        minutes = max(1, math.ceil(left / 60))
        return AccountLocked(
            f"too many failed sign-in attempts: try again in {minutes} minute(s)", left
        )


class RateLimiter:
    """At most `limit` requests per client per `window` seconds (sliding), in this process.

    In memory: with N identity processes behind a balancer a client gets up to N × limit. The
    per-username lock above is the defence that holds across processes.
    """

    def __init__(
        self,
        limit: int,
        window: float = 60.0,
        *,
        max_clients: int = 50_000,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.limit = limit
        self.window = window
        self.max_clients = max_clients
        self._clock = clock
        self._hits: OrderedDict[str, deque[float]] = OrderedDict()

    def hit(self, client: str) -> None:
        """Count one request from a client; TooManyRequests (429) once it is over the limit."""
        now = self._clock()
        hits = self._hits.get(client)
        if hits is None:
            hits = self._hits[client] = deque()
            while len(self._hits) > self.max_clients:
                self._hits.popitem(last=False)
        self._hits.move_to_end(client)
        while hits and hits[0] <= now - self.window:
            hits.popleft()
        if len(hits) >= self.limit:
            retry = math.ceil(hits[0] + self.window - now)
            raise TooManyRequests("too many authentication requests: slow down", retry)
        hits.append(now)
