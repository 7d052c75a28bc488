"""Login sessions and their rotating refresh tokens (only hashes stored), and revocation.

A session is one login: its id is the `sid` claim of every access token issued for it, and its
refresh tokens form one family. Rotation marks the presented token used; presenting a used one
again revokes the whole session (someone holds a copy). Sessions end at an absolute limit
(8 h after login) or after an idle period without refresh.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from typing import Literal
from uuid import UUID, uuid4

import asyncpg
from uponyaji_events.db import Conn

from .security.tokens import ACCESS_TOKEN_SECONDS, new_refresh_token, refresh_token_hash

# How long a revoked session is listed by /auth/revocations: its last access token may live an
# access-token lifetime after the revocation; a minute more covers clock skew and leeway.
REVOCATION_LISTED = timedelta(seconds=ACCESS_TOKEN_SECONDS + 60)

RefreshOutcome = Literal["rotated", "unknown", "reused", "revoked", "expired", "inactive"]


@dataclass(frozen=True, slots=True)
class Rotation:
    """What came of presenting a refresh token."""

    outcome: RefreshOutcome
    sid: UUID | None = None
    staff_id: UUID | None = None
    refresh_token: str | None = None


@dataclass(frozen=True, slots=True)
class Sessions:
    """Session and refresh-token rows (SQL only here)."""

    pool: asyncpg.Pool
    lifetime: timedelta
    idle: timedelta

    async def start(self, staff_id: UUID, *, with_refresh: bool = True) -> tuple[UUID, str | None]:
        """Open a session if the account is active: (sid, refresh token); LookupError if not.

        The account row is share-locked, so a deactivation committing meanwhile either waits for
        this session (and then revokes it) or is seen here (and no session is opened).
        """
        sid = uuid4()
        token = new_refresh_token() if with_refresh else None
        async with self.pool.acquire() as conn, conn.transaction():
            active = await conn.fetchval(
                "SELECT active FROM accounts WHERE staff_id = $1 FOR SHARE", staff_id
            )
            if not active:
                raise LookupError("no active account")
            await conn.execute(
                "INSERT INTO sessions (sid, staff_id, started_at, last_used_at, expires_at) "
                "VALUES ($1, $2, now(), now(), now() + $3::interval)",
                sid,
                staff_id,
                self.lifetime,
            )
            if token is not None:
                await self._issue(conn, sid, token)
        return sid, token

    async def rotate(self, token: str) -> Rotation:
        """Exchange a refresh token for a new one of the same session, or say why not."""
        digest = refresh_token_hash(token)
        async with self.pool.acquire() as conn, conn.transaction():
            row = await conn.fetchrow(
                "SELECT r.sid, r.used_at, s.staff_id, s.revoked_at, "
                "s.expires_at <= now() AS expired, s.last_used_at <= now() - $2::interval AS idle "
                "FROM refresh_tokens r JOIN sessions s USING (sid) "
                "WHERE r.token_hash = $1 FOR UPDATE OF r, s",
                digest,
                self.idle,
            )
            if row is None:
                return Rotation("unknown")
            sid, staff_id = row["sid"], row["staff_id"]
            if row["used_at"] is not None:
                if row["revoked_at"] is None:
                    await self._revoke(conn, "sid = $1", sid, reason="refresh_token_reused")
                return Rotation("reused", sid, staff_id)
            if row["revoked_at"] is not None:
                return Rotation("revoked", sid, staff_id)
            if row["expired"] or row["idle"]:
                return Rotation("expired", sid, staff_id)
            active = await conn.fetchval(
                "SELECT active FROM accounts WHERE staff_id = $1 FOR SHARE", staff_id
            )
            if not active:
                return Rotation("inactive", sid, staff_id)
            await conn.execute(
                "UPDATE refresh_tokens SET used_at = now() WHERE token_hash = $1", digest
            )
            await conn.execute("UPDATE sessions SET last_used_at = now() WHERE sid = $1", sid)
            fresh = new_refresh_token()
            await self._issue(conn, sid, fresh)
        return Rotation("rotated", sid, staff_id, fresh)

    async def revoke(self, sid: UUID, reason: str) -> bool:
        """Revoke one session; True if it was live."""
        async with self.pool.acquire() as conn:
            return bool(await self._revoke(conn, "sid = $1", sid, reason=reason))

    async def revoke_account(
        self, conn: Conn, staff_id: UUID, reason: str, *, keep: UUID | None = None
    ) -> list[UUID]:
        """Revoke every live session of an account (but `keep`), inside the caller's transaction."""
        return await self._revoke(
            conn, "staff_id = $1 AND sid IS DISTINCT FROM $3", staff_id, keep, reason=reason
        )

    async def is_live(self, sid: UUID) -> bool:
        """Whether a session exists, is not revoked and has not reached its absolute limit."""
        return bool(
            await self.pool.fetchval(
                "SELECT EXISTS (SELECT 1 FROM sessions WHERE sid = $1 AND revoked_at IS NULL "
                "AND expires_at > now())",
                sid,
            )
        )

    async def recently_revoked(self) -> list[str]:
        """Sessions revoked recently enough that one of their access tokens may still be valid."""
        rows = await self.pool.fetch(
            "SELECT sid FROM sessions WHERE revoked_at > now() - $1::interval ORDER BY revoked_at",
            REVOCATION_LISTED,
        )
        return [str(row["sid"]) for row in rows]

    async def prune(self) -> None:
        """Forget refresh tokens of sessions that ended more than a day ago."""
        await self.pool.execute(
            "DELETE FROM refresh_tokens r USING sessions s WHERE r.sid = s.sid "
            "AND LEAST(s.expires_at, COALESCE(s.revoked_at, s.expires_at)) "
            "< now() - interval '1 day'"
        )

    async def _issue(self, conn: Conn, sid: UUID, token: str) -> None:
        await conn.execute(
            "INSERT INTO refresh_tokens (token_hash, sid, issued_at) VALUES ($1, $2, now())",
            refresh_token_hash(token),
            sid,
        )

    async def _revoke(self, conn: Conn, where: str, *args: object, reason: str) -> list[UUID]:
        rows = await conn.fetch(
            f"UPDATE sessions SET revoked_at = now(), revoked_reason = $2 "  # noqa: S608
            f"WHERE {where} AND revoked_at IS NULL RETURNING sid",
            args[0],
            reason,
            *args[1:],
        )
        return [row["sid"] for row in rows]
