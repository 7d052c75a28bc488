"""Schemathesis over empowerment's API *with* tokens (the repository-wide fuzz test has none).

Empowerment runs as a process, the way the launcher starts it, trusting a test key. One survivor
is put on the test team with empowerment consent, a proposed grant and a pending referral (the
authorisation matrix's `caseloads/empowerment.py`). For every operation, as an empowerment
officer and as a programme lead, on random ids and on that survivor's: no 5xx, and a refused
request writes no event but its audit record.
"""

from __future__ import annotations

import sys
import uuid
from collections.abc import Iterator
from functools import partial
from pathlib import Path

import pytest
from empowerment_support import NAIROBI, SigningKey, Staff
from kit.fuzz import Events, Pass, fuzz_api, service_trusting
from uponyaji_launcher.nats import EmbeddedNats
from uponyaji_launcher.postgres import EmbeddedPostgres

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "security"))
from caseloads.empowerment import seed_caseload

DATABASE = "empowerment_fuzz_authenticated"


@pytest.fixture(scope="module")
def service(
    postgres: EmbeddedPostgres,
    nats_server: EmbeddedNats,
    tmp_path_factory: pytest.TempPathFactory,
    signing_key: SigningKey,
) -> Iterator[str]:
    with service_trusting(
        "empowerment",
        signing_key,
        postgres=postgres,
        database=DATABASE,
        nats_url=nats_server.url,
        folder=tmp_path_factory.mktemp("empowerment-fuzz"),
    ) as url:
        yield url


async def test_no_server_errors_and_refusals_write_nothing(
    service: str, signing_key: SigningKey, postgres: EmbeddedPostgres
) -> None:
    officer = Staff(("empowerment_officer",), teams=(NAIROBI,))
    lead = Staff(("programme_lead",))
    survivor = uuid.uuid4()
    known = {"survivor_id": str(survivor)}
    known |= await seed_caseload(
        postgres.url(DATABASE), survivor, str(NAIROBI), str(officer.staff_id)
    )
    passes = [
        Pass(partial(signing_key.token, officer)),
        Pass(partial(signing_key.token, officer), known),
        Pass(partial(signing_key.token, lead), known),
    ]
    refused = fuzz_api(service, passes, Events(postgres, DATABASE), examples=8)
    assert refused > 0
