"""Schemathesis over empowerment's API *with* tokens (the repository-wide fuzz test has none).

Empowerment runs as a process, the way the launcher starts it, trusting a test key. One survivor
is put on the test team with empowerment consent, a proposed grant and a pending referral (the
authorisation matrix's `caseloads/empowerment.py`). For every operation, as an empowerment
officer and as a programme lead, on random ids and on that survivor's: no 5xx, and a refused
request writes no event but its audit record.
"""

from __future__ import annotations

import json
import sys
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import schemathesis
from empowerment_support import NAIROBI, SigningKey, Staff
from hypothesis import HealthCheck, given, settings
from schemathesis.checks import not_a_server_error
from servicehost import running_service, service_env
from uponyaji_launcher.nats import EmbeddedNats
from uponyaji_launcher.ports import free_port
from uponyaji_launcher.postgres import EmbeddedPostgres

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "security"))
from caseloads.empowerment import seed_caseload


class Service:
    """A running empowerment process and its database."""

    def __init__(self, url: str, postgres: EmbeddedPostgres, database: str) -> None:
        self.url, self.postgres, self.database = url, postgres, database

    def written(self) -> int:
        """Events other than audit records."""
        # Integrity alarms are left out too: the shared test NATS carries other tests' signed
        # events, which this service refuses in the background, whatever the request was.
        sql = "SELECT count(*) FROM events WHERE stream_type NOT IN ('audit', 'integrity')"
        return int(self.postgres.psql(sql, self.database).strip())


@pytest.fixture(scope="module")
def service(
    postgres: EmbeddedPostgres,
    nats_server: EmbeddedNats,
    tmp_path_factory: pytest.TempPathFactory,
    signing_key: SigningKey,
) -> Iterator[Service]:
    folder = tmp_path_factory.mktemp("empowerment-fuzz")
    (folder / "jwks.json").write_text(json.dumps(signing_key.jwks()))
    database, port = "empowerment_fuzz_authenticated", free_port()
    postgres.ensure_database(database)
    env = service_env(
        "empowerment",
        database_url=postgres.url(database),
        nats_url=nats_server.url,
        secrets=folder,
        port=port,
        jwks_file=str(folder / "jwks.json"),
        identity_url=f"http://127.0.0.1:{free_port()}",
    )
    env.pop("UPONYAJI_SERVICE_URLS", None)
    with running_service(
        "uponyaji_empowerment.app:create_app",
        port=port,
        env=env,
        log_path=folder / "empowerment.log",
    ) as url:
        yield Service(url, postgres, database)


async def test_no_server_errors_and_refusals_write_nothing(
    service: Service, signing_key: SigningKey
) -> None:
    officer = Staff(("empowerment_officer",), teams=(NAIROBI,))
    lead = Staff(("programme_lead",))
    survivor = uuid.uuid4()
    known = {"survivor_id": str(survivor)}
    known |= await seed_caseload(
        service.postgres.url(service.database), survivor, str(NAIROBI), str(officer.staff_id)
    )
    schema = schemathesis.openapi.from_url(f"{service.url}/openapi.json")
    operations = [result.ok() for result in schema.get_all_operations()]
    refused = 0

    def fuzz(operation: Any, staff: Staff, on_known: bool) -> None:
        @settings(
            max_examples=8, deadline=None, database=None, suppress_health_check=list(HealthCheck)
        )
        @given(case=operation.as_strategy())
        def exercise(case: schemathesis.Case) -> None:
            nonlocal refused
            if on_known and case.path_parameters:
                for name in case.path_parameters:
                    if name in known:
                        case.path_parameters[name] = known[name]
            auth = {"Authorization": f"Bearer {signing_key.token(staff)}"}
            before = service.written()
            response = case.call(headers=auth, timeout=30)
            case.validate_response(response, checks=[not_a_server_error])
            if response.status_code >= 400:
                refused += 1
                assert service.written() == before, (
                    f"{case.method} {case.path} answered {response.status_code} but wrote events"
                )

        exercise()

    for operation in operations:
        fuzz(operation, officer, False)
        fuzz(operation, officer, True)
        fuzz(operation, lead, True)
    assert refused > 0
