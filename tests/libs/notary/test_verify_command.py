"""`python -m uponyaji_service.tools verify <package>`: the operator's check of a real service."""

from __future__ import annotations

import asyncio
import os
import shutil
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

from support import append_many
from uponyaji_events.db import create_pool
from uponyaji_events.notary import HeadsFile, Notary
from uponyaji_events.signing import Signer, ensure_signing_key
from uponyaji_events.store import EventStore
from uponyaji_launcher.nats import EmbeddedNats

SERVICE = "psychosocial"


def verify(env: dict[str, str], *extra: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "uponyaji_service.tools", "verify", f"uponyaji_{SERVICE}", *extra],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


async def test_verify_checks_the_store_against_the_heads_file_and_a_shipped_copy(
    tmp_path: Path, new_database_url: Callable[[], str], nats_server: EmbeddedNats
) -> None:
    os.chmod(tmp_path, 0o700)
    url = new_database_url()
    keys, heads_file = tmp_path / "keys", tmp_path / "notary" / "psychosocial.heads.jsonl"
    ensure_signing_key(keys)
    env = {
        **os.environ,
        "UPONYAJI_ENV": "test",
        "PSYCHOSOCIAL_DATABASE_URL": url,
        "PSYCHOSOCIAL_NATS_URL": nats_server.url,
        "PSYCHOSOCIAL_KEK_FILE": str(tmp_path / "kek"),
        "PSYCHOSOCIAL_SIGNING_KEY_DIR": str(keys),
        "PSYCHOSOCIAL_NOTARY_HEADS_FILE": str(heads_file),
        "PSYCHOSOCIAL_IDENTITY_URL": "http://127.0.0.1:9",
    }
    pool = await create_pool(url, min_size=1, max_size=2)
    try:
        signer = Signer.load(keys, SERVICE)
        store = EventStore(pool, signer=signer)
        await append_many(store, streams=3, per_stream=3)
        await store.sequence()
        assert await Notary(pool, signer, HeadsFile(heads_file)).tick() is not None
        shipped = tmp_path / "shipped.heads.jsonl"  # the operator's copy, kept elsewhere
        shutil.copy(heads_file, shipped)

        clean = await asyncio.to_thread(verify, env)
        assert clean.returncode == 0, clean.stdout + clean.stderr
        assert "1 tree heads" in clean.stdout
        assert "0 problems found" in clean.stdout

        # A superuser deletes the last events and the local heads file is emptied too.
        async with pool.acquire() as conn, conn.transaction():
            await conn.execute("SET LOCAL session_replication_role = replica")
            await conn.execute("DELETE FROM events WHERE position > 7")
        heads_file.write_text("")
        local = await asyncio.to_thread(verify, env)
        against_copy = await asyncio.to_thread(verify, env, "--heads", str(shipped))
    finally:
        await pool.close()

    assert local.returncode == 0  # the host's own evidence was destroyed with the events...
    assert against_copy.returncode == 1  # ...the shipped copy still tells
    assert "events deleted at the end" in against_copy.stdout
