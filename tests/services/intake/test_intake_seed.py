"""Demo data: `python -m uponyaji_intake.seed` seeds synthetic survivors once, development only."""

from __future__ import annotations

import os
import subprocess
import sys

import asyncpg
from uponyaji_intake.settings import Settings


def run_seed(settings: Settings, environment: str) -> subprocess.CompletedProcess[str]:
    env = {
        **os.environ,
        "UPONYAJI_ENV": environment,
        "INTAKE_DATABASE_URL": settings.database_url,
        "INTAKE_NATS_URL": settings.nats_url,
        "INTAKE_KEK_FILE": str(settings.kek_file),
    }
    env.pop("UPONYAJI_SERVICE_URLS", None)
    return subprocess.run(
        [sys.executable, "-m", "uponyaji_intake.seed"],
        env=env,
        capture_output=True,
        text=True,
        timeout=280,
    )


async def test_seed_once_in_development_and_never_elsewhere(intake_settings: Settings) -> None:
    settings = intake_settings
    settings.kek_file.parent.mkdir(parents=True, exist_ok=True)
    settings.kek_file.write_text("MDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3ODlhYmNkZWY=")  # 32 bytes

    refused = run_seed(settings, "production")
    assert refused.returncode == 2
    assert "development only" in refused.stderr

    first = run_seed(settings, "development")
    assert first.returncode == 0, first.stderr
    assert first.stdout == ""  # no demo logins, and nothing else on stdout
    assert "200 synthetic survivors" in first.stderr

    conn = await asyncpg.connect(settings.database_url)
    try:
        assert await conn.fetchval("SELECT count(*) FROM survivors") == 200
        assert await conn.fetchval("SELECT count(DISTINCT county_code) FROM survivors") > 20
        assert await conn.fetchval("SELECT count(DISTINCT team) FROM caseload") == 2
        assert await conn.fetchval("SELECT count(*) FROM incidents") > 150
        assert await conn.fetchval("SELECT count(*) FROM referrals") > 100
        assert await conn.fetchval("SELECT count(*) FROM consents WHERE status = 'granted'") > 500
        assert await conn.fetchval("SELECT count(*) FROM survivors WHERE status = 'closed'") > 0
        names = await conn.fetchval("SELECT count(*) FROM events WHERE payload::text LIKE '%FAKE%'")
        assert names == 0  # even the fake names are sealed
    finally:
        await conn.close()

    again = run_seed(settings, "development")
    assert again.returncode == 0
    assert "nothing seeded" in again.stderr
