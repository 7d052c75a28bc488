"""Ordered SQL migrations: the kernel's own and each service's `migrations/` directory."""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from pathlib import Path

from uponyaji_events.db import Conn

_LOCK_KEY = 0x7570_6F6E_6D69_67  # "uponmig": one migrator at a time per database

_LEDGER = """
CREATE TABLE IF NOT EXISTS schema_migrations (
    name        text PRIMARY KEY,
    checksum    text NOT NULL,
    applied_at  timestamptz NOT NULL DEFAULT now()
)
"""


class MigrationError(RuntimeError):
    """A migration changed after it was applied, or failed to apply."""


def kernel_migrations() -> list[tuple[str, str]]:
    """The kernel's migrations (event store, relay, consumers, sealing) as (name, sql)."""
    return directory_migrations(Path(__file__).parent / "migrations", "kernel")


def directory_migrations(folder: Path, prefix: str) -> list[tuple[str, str]]:
    """A service's migrations from a folder of `NNN_name.sql` files, in name order."""
    return [(f"{prefix}/{path.name}", path.read_text()) for path in sorted(folder.glob("*.sql"))]


async def migrate(conn: Conn, migrations: Iterable[tuple[str, str]]) -> list[str]:
    """Apply every migration not yet applied, each in its own transaction; return their names."""
    applied: list[str] = []
    await conn.execute("SELECT pg_advisory_lock($1)", _LOCK_KEY)
    try:
        # A runtime role may not create tables: it only checks a ledger its owner made.
        if await conn.fetchval("SELECT to_regclass('schema_migrations') IS NULL"):
            await conn.execute(_LEDGER)
        done = {
            r["name"]: r["checksum"]
            for r in await conn.fetch("SELECT name, checksum FROM schema_migrations")
        }
        for name, sql in migrations:
            checksum = hashlib.sha256(sql.encode()).hexdigest()
            if name in done:
                if done[name] != checksum:
                    raise MigrationError(f"migration {name} was changed after it was applied")
                continue
            async with conn.transaction():
                await conn.execute(sql)
                await conn.execute(
                    "INSERT INTO schema_migrations (name, checksum) VALUES ($1, $2)", name, checksum
                )
            applied.append(name)
    finally:
        await release_lock(conn, _LOCK_KEY)
    return applied


async def release_lock(conn: Conn, key: int) -> None:
    """Release a session advisory lock, or drop the connection so the lock cannot leak."""
    try:
        await conn.execute("SELECT pg_advisory_unlock($1)", key)
    except BaseException:
        conn.terminate()
        raise
