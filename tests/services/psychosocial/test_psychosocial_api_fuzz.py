"""Schemathesis over psychosocial's API *with* tokens (the repository-wide fuzz test has none).

psychosocial runs as a process, the way the launcher starts it, trusting a test key. Intake's
word about one survivor (registered, on the test team, consenting) is written straight into the
local tables the intake consumer keeps. For every operation, as a counsellor and as a clinician,
on random ids and on that survivor's (and a real risk flag's): no 5xx, and a refused request
writes no event but its audit record.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from functools import partial

import httpx
import pytest
from kit.fuzz import Events, Pass, fuzz_api, service_trusting
from psychosocial_support import NAIROBI, PHQ9_RISKY, SigningKey, Staff
from uponyaji_launcher.nats import EmbeddedNats
from uponyaji_launcher.postgres import EmbeddedPostgres

DATABASE = "psychosocial_fuzz_authenticated"


@pytest.fixture(scope="module")
def service(
    postgres: EmbeddedPostgres,
    nats_server: EmbeddedNats,
    tmp_path_factory: pytest.TempPathFactory,
    signing_key: SigningKey,
) -> Iterator[str]:
    with service_trusting(
        "psychosocial",
        signing_key,
        postgres=postgres,
        database=DATABASE,
        nats_url=nats_server.url,
        folder=tmp_path_factory.mktemp("psychosocial-fuzz"),
    ) as url:
        yield url


def known_survivor(postgres: EmbeddedPostgres) -> str:
    """A survivor intake told us about: on the test team, with psychosocial consent."""
    survivor = str(uuid.uuid4())
    sql = (
        "INSERT INTO survivors (survivor_id, case_number) VALUES ('{0}', 'UPJ-2026-000777'); "
        "INSERT INTO caseload (survivor_id, team, assigned_at) VALUES ('{0}', '{1}', now()); "
        "INSERT INTO consents VALUES ('{0}', 'psychosocial_support', true, now());"
    )
    postgres.psql(sql.format(survivor, NAIROBI), DATABASE)
    return survivor


def test_no_server_errors_and_refusals_write_nothing(
    service: str, signing_key: SigningKey, postgres: EmbeddedPostgres
) -> None:
    counsellor = Staff(("counsellor",), teams=(NAIROBI,))
    clinician = Staff(("clinician",), teams=(NAIROBI,))
    survivor = known_survivor(postgres)
    headers = {"Authorization": f"Bearer {signing_key.token(counsellor)}"}
    body = {"instrument": "PHQ-9", "responses": PHQ9_RISKY}
    scored = httpx.post(f"{service}/survivors/{survivor}/assessments", json=body, headers=headers)
    assert scored.status_code == 201, scored.text
    known = {
        "survivor_id": survivor,
        "flag_id": scored.json()["risk_flag_id"],
        "assessment_id": scored.json()["assessment_id"],
    }
    passes = [
        Pass(partial(signing_key.token, staff), ids)
        for staff in (counsellor, clinician)
        for ids in ({}, known)
    ]
    refused = fuzz_api(service, passes, Events(postgres, DATABASE), examples=12)
    assert refused > 0
