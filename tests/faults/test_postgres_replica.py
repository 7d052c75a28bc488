"""A service database with a streaming replica (pg_basebackup), its primary restarted, then lost.

The replica is made the way docs/deploy.md describes for servers without an operator: a base
backup with `pg_basebackup -R` from the embedded PostgreSQL 18's own binaries, named as the
primary's synchronous standby, so a commit is acknowledged only once the standby has it. Events
appended through the event kernel are readable on the replica while the primary restarts, and
after the primary is lost for good, the promoted replica holds every acknowledged event and takes
new ones: the failover drill, run for real.
"""

from __future__ import annotations

import asyncio
import os
import pwd
import secrets
import shutil
import subprocess
import time
from collections.abc import AsyncIterator
from pathlib import Path

import asyncpg
import pytest
from support import append_many
from uponyaji_events.db import create_pool
from uponyaji_events.migrate import kernel_migrations, migrate
from uponyaji_events.store import EventStore
from uponyaji_launcher.ports import free_port
from uponyaji_launcher.postgres import SYSTEM_USER, EmbeddedPostgres, _bin_dir

pytestmark = [pytest.mark.slow, pytest.mark.timeout(180)]

STANDBY = "replica1"


def as_postgres_user() -> dict[str, object]:
    """Run a PostgreSQL tool as its system user when the tests run as root (it refuses root)."""
    return {"user": SYSTEM_USER} if os.geteuid() == 0 else {}


def base_backup(primary: EmbeddedPostgres, password: str, target: Path) -> None:
    """pg_basebackup -R: a copy of the primary that starts as its streaming standby."""
    target.parent.mkdir(parents=True, exist_ok=True)
    if os.geteuid() == 0:
        entry = pwd.getpwnam(SYSTEM_USER)
        os.chown(target.parent, entry.pw_uid, entry.pw_gid)
    conninfo = (
        f"host=127.0.0.1 port={primary.port} user=replicator password={password} "
        f"application_name={STANDBY}"
    )
    done = subprocess.run(
        [
            str(_bin_dir() / "pg_basebackup"),
            "-D",
            str(target),
            "-R",
            "-X",
            "stream",
            "-c",
            "fast",
            "-d",
            conninfo,
        ],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
        **as_postgres_user(),  # type: ignore[call-overload]
    )
    assert done.returncode == 0, done.stderr


def promote(replica: EmbeddedPostgres) -> None:
    """`pg_ctl promote`: the standby ends recovery and becomes a primary."""
    done = subprocess.run(
        [str(_bin_dir() / "pg_ctl"), "-D", str(replica.data_dir), "-w", "promote"],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
        **as_postgres_user(),  # type: ignore[call-overload]
    )
    assert done.returncode == 0, done.stderr


async def count(url: str) -> int:
    """Events stored in the database at `url` (a fresh connection: the server may have moved)."""
    conn = await asyncpg.connect(url)
    try:
        return int(await conn.fetchval("SELECT count(*) FROM events"))
    finally:
        await conn.close()


async def settle(url: str, expected: int, seconds: float = 30) -> int:
    """The event count at `url` once it reaches `expected` (or the last seen on timeout)."""
    deadline = time.monotonic() + seconds
    while True:
        try:
            seen = await count(url)
        except (OSError, asyncpg.PostgresError):
            seen = -1
        if seen == expected or time.monotonic() > deadline:
            return seen
        await asyncio.sleep(0.2)


@pytest.fixture
async def pair(tmp_path: Path) -> AsyncIterator[tuple[EmbeddedPostgres, EmbeddedPostgres]]:
    """A primary with one service database and its synchronous streaming replica."""
    primary = EmbeddedPostgres(data_dir=tmp_path / "pg" / "primary", port=free_port())
    primary.start()
    replica = EmbeddedPostgres(
        data_dir=tmp_path / "pg" / "replica",
        port=free_port(),
        password_file=primary.superuser_password_file,  # the same cluster, the same superuser
    )
    try:
        password = secrets.token_urlsafe(16)
        primary.psql(f"CREATE ROLE replicator REPLICATION LOGIN PASSWORD '{password}'")
        primary.psql("CREATE DATABASE intake")
        conn = await asyncpg.connect(primary.url("intake"))
        try:
            await migrate(conn, kernel_migrations())
        finally:
            await conn.close()
        base_backup(primary, password, replica.data_dir)
        replica.start()
        primary.psql(f"ALTER SYSTEM SET synchronous_standby_names = '{STANDBY}'")
        primary.psql("SELECT pg_reload_conf()")
        deadline = time.monotonic() + 30
        while "sync" not in primary.psql("SELECT sync_state FROM pg_stat_replication"):
            assert time.monotonic() < deadline, "the replica never became the synchronous standby"
            await asyncio.sleep(0.2)
        yield primary, replica
    finally:
        replica.stop()
        primary.stop()


async def test_replica_keeps_every_acknowledged_event_through_restart_and_failover(
    pair: tuple[EmbeddedPostgres, EmbeddedPostgres],
) -> None:
    primary, replica = pair
    on_primary, on_replica = primary.url("intake"), replica.url("intake")
    pool = await create_pool(on_primary, max_size=4)
    try:
        acknowledged = await append_many(EventStore(pool), streams=10, per_stream=5)
    finally:
        await pool.close()
    assert acknowledged == 50
    assert await settle(on_replica, 50) == 50

    # The primary restarts: reads go on at the replica meanwhile, then streaming resumes.
    primary.stop()
    assert await count(on_replica) == 50
    conn = await asyncpg.connect(on_replica)
    try:
        with pytest.raises(asyncpg.ReadOnlySQLTransactionError):
            await conn.execute("CREATE TABLE written_on_a_standby (id int)")
    finally:
        await conn.close()
    primary.start()
    pool = await create_pool(on_primary, max_size=4)
    try:
        await append_many(EventStore(pool), streams=10, per_stream=5, start=50)
    finally:
        await pool.close()
    assert await settle(on_replica, 100) == 100

    # The primary is lost for good: promote the replica (the documented failover), write to it.
    primary.stop()
    await asyncio.to_thread(promote, replica)
    conn = await asyncpg.connect(on_replica)
    try:
        # The promoted server no longer waits for a standby that is gone.
        await conn.execute("ALTER SYSTEM SET synchronous_standby_names = ''")
        await conn.execute("SELECT pg_reload_conf()")
    finally:
        await conn.close()
    pool = await create_pool(on_replica, max_size=4)
    try:
        await append_many(EventStore(pool), streams=2, per_stream=5, start=100)
    finally:
        await pool.close()
    assert await count(on_replica) == 110
    shutil.rmtree(primary.data_dir)  # the old primary must never come back as a second primary
