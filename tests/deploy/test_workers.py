"""A service with two worker processes: both serve, one relays, each event reaches NATS once.

intake runs as the launcher runs it with `INTAKE_WORKERS=2` (uvicorn `--workers 2`) on the test
PostgreSQL and NATS; staff tokens are signed with a test key it trusts (`INTAKE_JWKS_FILE`).
"""

from __future__ import annotations

import asyncio
import json
import sys
import uuid
import zlib
from collections.abc import Iterator
from pathlib import Path

import asyncpg
import httpx
import nats
import psutil
import pytest
from uponyaji_events.natsconn import stream_name
from uponyaji_launcher.config import ConfigError, StackConfig
from uponyaji_launcher.nats import EmbeddedNats
from uponyaji_launcher.ports import free_port
from uponyaji_launcher.postgres import EmbeddedPostgres
from uponyaji_launcher.processes import app_command

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "tests" / "libs" / "access"))

from access_support import SigningKey, Staff, WaitUntil, bearer  # noqa: E402
from servicehost import running_service, service_env  # noqa: E402

TEAM = str(uuid.uuid4())
REGISTRATIONS = 24


def test_the_launcher_takes_the_worker_count_from_the_environment(tmp_path: Path) -> None:
    base = {"UPONYAJI_RUN_DIR": str(tmp_path)}
    config = StackConfig.from_env({**base, "UPONYAJI_WORKERS": "3", "INTAKE_WORKERS": "2"})
    workers = {spec.name: config.workers(spec) for spec in config.services}
    assert workers["intake"] == 2
    assert {n for name, n in workers.items() if name != "intake"} == {3}
    assert StackConfig.from_env(base).workers(config.services[0]) == 1
    argv = app_command("python", "uponyaji_intake", 8002, 2)
    assert argv[-2:] == ["--workers", "2"]
    assert "--workers" not in app_command("python", "uponyaji_intake", 8002)
    with pytest.raises(ConfigError, match="UPONYAJI_WORKERS"):
        StackConfig.from_env({**base, "UPONYAJI_WORKERS": "0"}).workers(config.services[0])


@pytest.fixture(scope="module")
def intake(
    postgres: EmbeddedPostgres, nats_server: EmbeddedNats, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[tuple[str, str, SigningKey, psutil.Process]]:
    root = tmp_path_factory.mktemp("workers")
    key = SigningKey()
    (root / "jwks.json").write_text(json.dumps(key.jwks()))
    database = f"workers_intake_{uuid.uuid4().hex[:8]}"
    postgres.ensure_database(database)
    port = free_port()
    env = service_env(
        "intake",
        database_url=postgres.url(database),
        nats_url=nats_server.url,
        secrets=root / "intake",
        port=port,
        identity_url="http://127.0.0.1:9",
        jwks_file=str(root / "jwks.json"),
    )
    env.pop("UPONYAJI_SERVICE_URLS", None)
    with running_service(
        "uponyaji_intake.app:create_app",
        port=port,
        env=env,
        log_path=root / "intake.log",
        workers=2,
    ) as url:
        supervisor = next(
            p for p in psutil.Process().children() if str(port) in " ".join(p.cmdline())
        )
        yield url, postgres.url(database), key, supervisor


async def test_two_workers_serve_one_relays_and_every_event_reaches_nats_once(
    intake: tuple[str, str, SigningKey, psutil.Process],
    nats_server: EmbeddedNats,
    wait_until: WaitUntil,
) -> None:
    url, database_url, key, supervisor = intake
    officer = bearer(key.sign(Staff(("intake_officer",), teams=(TEAM,)).claims(aud=["intake"])))
    db = await asyncpg.connect(database_url)
    try:
        # uvicorn's worker processes (not multiprocessing's resource tracker)
        workers = [p for p in supervisor.children() if "spawn_main" in " ".join(p.cmdline())]
        assert len(workers) == 2

        async def both_started() -> bool:  # each worker opened its own pool on the database
            ports = {
                row["client_port"]
                for row in await db.fetch(
                    "SELECT client_port FROM pg_stat_activity WHERE datname = current_database()"
                )
            }
            return all(
                any(c.laddr.port in ports for c in w.net_connections("tcp")) for w in workers
            )

        await wait_until(both_started, 60, "both workers to connect")

        async with httpx.AsyncClient(base_url=url, timeout=30, trust_env=False) as client:

            async def register(n: int) -> httpx.Response:
                body = {
                    "full_name": f"Fake {uuid.uuid4().hex[:8]} {uuid.uuid4().hex[:8]}",
                    "county_code": "047",
                    "gender": "female" if n % 2 else "male",
                    "preferred_language": "sw",
                }
                return await client.post("/survivors", json=body, headers=officer)

            answers = await asyncio.gather(*(register(n) for n in range(REGISTRATIONS)))
        assert [a.status_code for a in answers] == [201] * REGISTRATIONS, answers[0].text

        lock = zlib.crc32(b"relay:intake")
        holders = await db.fetchval(
            "SELECT count(*) FROM pg_locks l JOIN pg_database d ON d.oid = l.database "
            "WHERE l.locktype = 'advisory' AND l.objid = $1 AND l.objsubid = 1 AND l.granted "
            "AND d.datname = current_database()",
            lock,
        )
        assert holders == 1  # exactly one worker holds the relay's leader lock

        ours = {
            str(row["event_id"])
            for row in await db.fetch("SELECT event_id FROM events WHERE stream_type = 'survivor'")
        }
        assert len(ours) >= REGISTRATIONS

        async def all_relayed() -> bool:
            head = await db.fetchval("SELECT last_position FROM event_sequencer")
            checkpoint = await db.fetchval("SELECT max(position) FROM relay_checkpoints")
            return bool(checkpoint) and checkpoint >= head

        await wait_until(all_relayed, 60, "the relay to publish every event")
    finally:
        await db.close()

    seen: dict[str, int] = {}
    client = await nats.connect(nats_server.url)
    try:
        js = client.jetstream()
        sub = await js.subscribe("intake.>", ordered_consumer=True, stream=stream_name("intake"))
        while True:
            try:
                message = await sub.next_msg(timeout=2)
            except nats.errors.TimeoutError:
                break
            msg_id = (message.headers or {}).get("Nats-Msg-Id")
            if msg_id in ours:
                seen[msg_id] = seen.get(msg_id, 0) + 1
    finally:
        await client.close()
    assert set(seen) == ours  # every survivor event reached NATS ...
    assert set(seen.values()) == {1}  # ... exactly once
