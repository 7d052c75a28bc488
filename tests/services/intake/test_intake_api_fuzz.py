"""Schemathesis over intake's API *with* tokens (the repository-wide fuzz test has none).

intake runs as a process, the way the launcher starts it, trusting a test key. For every
operation, as an intake officer and as a data protection officer, on random and on a registered
survivor's ids: no 5xx, and a refused request writes no event but its audit record.
"""

from __future__ import annotations

from collections.abc import Iterator
from functools import partial

import httpx
import pytest
from intake_support import NAIROBI, SigningKey, Staff, registration
from kit.fuzz import Events, Pass, fuzz_api, service_trusting
from uponyaji_launcher.nats import EmbeddedNats
from uponyaji_launcher.postgres import EmbeddedPostgres

DATABASE = "intake_fuzz_authenticated"


@pytest.fixture(scope="module")
def intake(
    postgres: EmbeddedPostgres,
    nats_server: EmbeddedNats,
    tmp_path_factory: pytest.TempPathFactory,
    signing_key: SigningKey,
) -> Iterator[str]:
    with service_trusting(
        "intake",
        signing_key,
        postgres=postgres,
        database=DATABASE,
        nats_url=nats_server.url,
        folder=tmp_path_factory.mktemp("intake-fuzz"),
    ) as url:
        yield url


def test_no_server_errors_and_refusals_write_nothing(
    intake: str, signing_key: SigningKey, postgres: EmbeddedPostgres
) -> None:
    officer = Staff(("intake_officer",), teams=(NAIROBI,))
    dpo = Staff(("data_protection_officer",))
    headers = {"Authorization": f"Bearer {signing_key.token(officer)}"}
    known = httpx.post(f"{intake}/survivors", json=registration(), headers=headers)
    assert known.status_code == 201, known.text
    survivor = {"survivor_id": known.json()["survivor_id"]}
    passes = [
        Pass(partial(signing_key.token, staff), ids)
        for staff in (officer, dpo)
        for ids in ({}, survivor)
    ]
    refused = fuzz_api(intake, passes, Events(postgres, DATABASE), examples=15)
    assert refused > 0
