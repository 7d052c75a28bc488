"""Credentials kept out of the event log: sealed password hashes and sealed TOTP secrets.

Both are sealed under the staff member's own data key (subject = staff id) with the kernel's
`Sealer`, so a copy of the database without the KEK holds neither a crackable hash nor a
usable TOTP secret. Events record only *that* a password or authenticator changed.
"""

from __future__ import annotations

from dataclasses import dataclass
from uuid import UUID

import asyncpg
from uponyaji_events.db import Conn
from uponyaji_events.sealing import Sealer

PASSWORD_CONTEXT = "identity.credentials/password_hash"  # noqa: S105 - a sealing context
TOTP_CONTEXT = "identity.mfa_credentials/secret"


@dataclass(frozen=True, slots=True)
class Credentials:
    """Reads and writes the credential tables, sealing and unsealing on the way."""

    pool: asyncpg.Pool
    sealer: Sealer

    async def seal_password_hash(self, staff_id: UUID, encoded: str) -> str:
        """The sealed form of an argon2id hash, ready for `set_password`."""
        return str(await self.sealer.seal(staff_id, PASSWORD_CONTEXT, encoded))

    async def set_password(self, conn: Conn, staff_id: UUID, sealed_hash: str) -> None:
        """Store (or replace) an account's sealed password hash, inside the caller's transaction."""
        await conn.execute(
            "INSERT INTO credentials (staff_id, password_hash, changed_at) VALUES ($1, $2, now()) "
            "ON CONFLICT (staff_id) DO UPDATE SET password_hash = $2, changed_at = now()",
            staff_id,
            sealed_hash,
        )

    async def password_hash(self, staff_id: UUID) -> str | None:
        """The account's argon2id hash, unsealed (None: no password stored)."""
        sealed = await self.pool.fetchval(
            "SELECT password_hash FROM credentials WHERE staff_id = $1", staff_id
        )
        if sealed is None:
            return None
        return await self.sealer.unseal(staff_id, PASSWORD_CONTEXT, sealed)

    async def seal_totp_secret(self, staff_id: UUID, secret: str) -> str:
        """The sealed form of a TOTP secret, ready for `add_authenticator`."""
        return str(await self.sealer.seal(staff_id, TOTP_CONTEXT, secret))

    async def add_authenticator(
        self, conn: Conn, staff_id: UUID, credential_id: UUID, sealed_secret: str
    ) -> None:
        """Store a new (unconfirmed) authenticator; any other unconfirmed one is revoked."""
        await conn.execute(
            "UPDATE mfa_credentials SET revoked_at = now() "
            "WHERE staff_id = $1 AND confirmed_at IS NULL AND revoked_at IS NULL",
            staff_id,
        )
        await conn.execute(
            "INSERT INTO mfa_credentials (credential_id, staff_id, secret, created_at) "
            "VALUES ($1, $2, $3, now())",
            credential_id,
            staff_id,
            sealed_secret,
        )

    async def confirm_authenticator(self, conn: Conn, staff_id: UUID, credential_id: UUID) -> None:
        """Make an authenticator the account's only usable one."""
        await conn.execute(
            "UPDATE mfa_credentials SET revoked_at = now() "
            "WHERE staff_id = $1 AND credential_id <> $2 AND revoked_at IS NULL",
            staff_id,
            credential_id,
        )
        await conn.execute(
            "UPDATE mfa_credentials SET confirmed_at = now() WHERE credential_id = $1",
            credential_id,
        )

    async def revoke_authenticators(self, conn: Conn, staff_id: UUID) -> None:
        """Revoke every authenticator of an account (MFA reset)."""
        await conn.execute(
            "UPDATE mfa_credentials SET revoked_at = now() "
            "WHERE staff_id = $1 AND revoked_at IS NULL",
            staff_id,
        )

    async def totp_secret(self, staff_id: UUID, credential_id: UUID) -> str | None:
        """The secret of a live authenticator of this account, unsealed (None: none such)."""
        sealed = await self.pool.fetchval(
            "SELECT secret FROM mfa_credentials "
            "WHERE credential_id = $1 AND staff_id = $2 AND revoked_at IS NULL",
            credential_id,
            staff_id,
        )
        if sealed is None:
            return None
        return await self.sealer.unseal(staff_id, TOTP_CONTEXT, sealed)

    async def use_step(self, credential_id: UUID, step: int) -> bool:
        """Accept a time step once: True only if it is later than any step accepted before."""
        used = await self.pool.fetchval(
            "UPDATE mfa_credentials SET last_step = $2 "
            "WHERE credential_id = $1 AND revoked_at IS NULL "
            "AND (last_step IS NULL OR last_step < $2) RETURNING 1",
            credential_id,
            step,
        )
        return used is not None
