"""The operator commands on psychosocial's store: rebuild the read tables, verify the chains."""

from __future__ import annotations

import io
from pathlib import Path

import asyncpg
import pytest
from fastapi import FastAPI
from psychosocial_support import PHQ9_RISKY, As, FakeIntake
from rich.console import Console
from uponyaji_events.signing import ensure_signing_key
from uponyaji_psychosocial.settings import Settings
from uponyaji_service import tools

PACKAGE = "uponyaji_psychosocial"


@pytest.fixture
def settings(settings: Settings, tmp_path: Path) -> Settings:
    """The service's settings with a signing key on disk, which the tools' own app loads too
    (verify checks every event's signature against the service's key)."""
    keys = tmp_path / "psychosocial-signing"
    ensure_signing_key(keys)
    return settings.model_copy(update={"signing_key_dir": keys})


@pytest.fixture
def environment(settings: Settings, monkeypatch: pytest.MonkeyPatch) -> None:
    """The environment the launcher gives psychosocial, for the tools' own app."""
    monkeypatch.setenv("PSYCHOSOCIAL_DATABASE_URL", settings.database_url)
    monkeypatch.setenv("PSYCHOSOCIAL_NATS_URL", settings.nats_url)
    monkeypatch.setenv("PSYCHOSOCIAL_KEK_FILE", str(settings.kek_file))
    # verify checks each event's signature against the service's own key, as the launcher says
    monkeypatch.setenv("PSYCHOSOCIAL_SIGNING_KEY_DIR", str(settings.signing_key_dir))


def console() -> tuple[Console, io.StringIO]:
    out = io.StringIO()
    return Console(file=out, width=120), out


async def test_rebuild_restores_read_tables_a_broken_projection_lost(
    app: FastAPI, intake: FakeIntake, counsellor: As, pool: asyncpg.Pool, environment: None
) -> None:
    sid = await intake.register()
    await intake.deliver(app)
    body = {"instrument": "PHQ-9", "responses": PHQ9_RISKY}
    assert (await counsellor.post(f"/survivors/{sid}/assessments", body)).status_code == 201
    live = await pool.fetch("SELECT * FROM assessments ORDER BY assessment_id")
    await pool.execute("DELETE FROM assessments")

    out, text = console()
    applied = await tools.rebuild(PACKAGE, out)

    assert applied >= 2  # the assessment and its risk flag, at least
    assert await pool.fetch("SELECT * FROM assessments ORDER BY assessment_id") == live
    assert f"rebuilt psychosocial: {applied} events applied" in text.getvalue()


async def test_verify_finds_an_altered_event_and_says_which(
    app: FastAPI, intake: FakeIntake, counsellor: As, pool: asyncpg.Pool, environment: None
) -> None:
    sid = await intake.register()
    await intake.deliver(app)
    body = {"instrument": "PHQ-9", "responses": PHQ9_RISKY}
    assert (await counsellor.post(f"/survivors/{sid}/assessments", body)).status_code == 201
    out, text = console()
    assert (await tools.check(PACKAGE, out)).ok

    async with pool.acquire() as conn, conn.transaction():
        # Only a superuser past the append-only trigger can change a stored event.
        await conn.execute("SET LOCAL session_replication_role = replica")
        await conn.execute(
            "UPDATE events SET payload = jsonb_set(payload, '{total}', '0') "
            "WHERE type = 'psychosocial.AssessmentRecorded'"
        )
    out, text = console()
    report = await tools.check(PACKAGE, out)

    assert not report.ok
    assert f"{len(report.problems)} problems found" in text.getvalue()
    assert str(sid) in text.getvalue()  # the altered stream is named


def test_the_command_refuses_what_it_does_not_know() -> None:
    assert tools.main(["rebuild"]) == 2
    assert tools.main(["shred", PACKAGE]) == 2
    assert tools.main(["verify", "uponyaji_nothing_here"]) == 2
