"""PostgreSQL least privilege: scram-sha-256 passwords, and a runtime role that can only append."""

from __future__ import annotations

import os
from collections.abc import AsyncIterator
from pathlib import Path
from urllib.parse import quote

import asyncpg
import pytest
from support import ACTOR, signed_store
from uponyaji_events.db import create_pool
from uponyaji_events.envelope import NewEvent
from uponyaji_events.migrate import kernel_migrations, migrate
from uponyaji_launcher.pgroles import ServiceDatabase, ensure_service_database
from uponyaji_launcher.postgres import EmbeddedPostgres

_made: dict[str, ServiceDatabase] = {}


def _url(server: EmbeddedPostgres, database: str, role: str, password: str) -> str:
    return f"postgresql://{role}:{quote(password, safe='')}@127.0.0.1:{server.port}/{database}"


def _service(server: EmbeddedPostgres, name: str) -> ServiceDatabase:
    if name not in _made:
        _made[name] = ensure_service_database(server, name)
    return _made[name]


@pytest.fixture(scope="module")
async def runtime(postgres: EmbeddedPostgres) -> AsyncIterator[asyncpg.Pool]:
    """Service `roles_a` migrated by its owner; a pool as its runtime role, with events stored."""
    db = _service(postgres, "roles_a")
    _service(postgres, "roles_b")
    owner = await asyncpg.connect(_url(postgres, "roles_a", db.owner, db.owner_password))
    try:
        await migrate(owner, kernel_migrations())
    finally:
        await owner.close()
    pool = await create_pool(
        _url(postgres, "roles_a", db.runtime, db.runtime_password), min_size=1, max_size=2
    )
    store = signed_store(pool, "roles_a")
    await store.append("case", "case-1", 0, [NewEvent("roles_a.Opened", {"n": 1})], actor=ACTOR)
    assert await store.sequence() == 1  # the runtime role sets position and signature
    yield pool
    await pool.close()


@pytest.mark.parametrize(
    "statement",
    [
        "UPDATE events SET payload = '{\"n\": 2}'::jsonb",
        "UPDATE events SET position = 99",
        "DELETE FROM events",
        "TRUNCATE events",
        "ALTER TABLE events DISABLE TRIGGER events_append_only",
        "ALTER TABLE event_seals DISABLE TRIGGER event_seals_append_only",
        "CREATE TABLE mine (x int)",
        "SELECT pg_read_file('postgresql.conf')",
        "SELECT pg_ls_dir('.')",
    ],
    ids=[
        "payload",
        "position",
        "delete",
        "truncate",
        "trigger",
        "seals",
        "create",
        "read-file",
        "ls",
    ],
)
async def test_the_runtime_role_cannot(runtime: asyncpg.Pool, statement: str) -> None:
    with pytest.raises(asyncpg.InsufficientPrivilegeError):
        await runtime.execute(statement)
    row = await runtime.fetchrow("SELECT payload, position FROM events")
    assert (row["payload"], row["position"]) == ({"n": 1}, 1)


async def test_the_runtime_role_is_no_superuser(runtime: asyncpg.Pool) -> None:
    assert (
        await runtime.fetchval("SELECT rolsuper FROM pg_roles WHERE rolname = current_user")
        is False
    )


async def test_a_service_cannot_open_another_services_database(
    postgres: EmbeddedPostgres, runtime: asyncpg.Pool
) -> None:
    db = _service(postgres, "roles_a")
    with pytest.raises(asyncpg.InsufficientPrivilegeError, match="roles_b"):
        await asyncpg.connect(_url(postgres, "roles_b", db.runtime, db.runtime_password))


@pytest.mark.parametrize("role", ["postgres", "roles_a_app", "roles_a_owner"])
async def test_a_connection_without_a_password_is_refused(
    postgres: EmbeddedPostgres,
    runtime: asyncpg.Pool,
    role: str,
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
) -> None:
    monkeypatch.setenv("PGPASSFILE", str(tmp_path / "none"))
    monkeypatch.delenv("PGPASSWORD", raising=False)
    assert "PGPASSWORD" not in os.environ
    with pytest.raises(
        (asyncpg.InvalidPasswordError, asyncpg.InvalidAuthorizationSpecificationError)
    ):
        await asyncpg.connect(f"postgresql://{role}@127.0.0.1:{postgres.port}/roles_a")
    with pytest.raises(asyncpg.InvalidPasswordError):
        await asyncpg.connect(_url(postgres, "roles_a", role, "not-the-password"))


def test_the_server_trusts_no_one(postgres: EmbeddedPostgres) -> None:
    rules = postgres.psql("SELECT DISTINCT auth_method FROM pg_hba_file_rules").split()
    assert rules == ["scram-sha-256"]
