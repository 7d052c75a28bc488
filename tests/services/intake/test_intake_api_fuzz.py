"""Schemathesis over intake's API *with* tokens (the repository-wide fuzz test has none).

intake runs as a process, the way the launcher starts it, trusting a test key. For every
operation, as an intake officer and as a data protection officer, on random and on a registered
survivor's ids: no 5xx, and a refused request writes no event but its audit record.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from intake_support import NAIROBI, SigningKey, Staff, registration
from schemathesis.checks import not_a_server_error
from servicehost import running_service, service_env
from uponyaji_launcher.nats import EmbeddedNats
from uponyaji_launcher.ports import free_port
from uponyaji_launcher.postgres import EmbeddedPostgres


class Intake:
    """A running intake process and its database."""

    def __init__(self, url: str, postgres: EmbeddedPostgres, database: str) -> None:
        self.url, self.postgres, self.database = url, postgres, database

    def written(self) -> int:
        """Events other than audit records."""
        # Integrity alarms are left out too: the shared test NATS carries other tests' signed
        # events, which this service refuses in the background, whatever the request was.
        sql = "SELECT count(*) FROM events WHERE stream_type NOT IN ('audit', 'integrity')"
        return int(self.postgres.psql(sql, self.database).strip())


@pytest.fixture(scope="module")
def intake(
    postgres: EmbeddedPostgres,
    nats_server: EmbeddedNats,
    tmp_path_factory: pytest.TempPathFactory,
    signing_key: SigningKey,
) -> Iterator[Intake]:
    folder = tmp_path_factory.mktemp("intake-fuzz")
    (folder / "jwks.json").write_text(json.dumps(signing_key.jwks()))
    database, port = "intake_fuzz_authenticated", free_port()
    postgres.ensure_database(database)
    env = service_env(
        "intake",
        database_url=postgres.url(database),
        nats_url=nats_server.url,
        secrets=folder,
        port=port,
        jwks_file=str(folder / "jwks.json"),
        identity_url=f"http://127.0.0.1:{free_port()}",
    )
    env.pop("UPONYAJI_SERVICE_URLS", None)
    with running_service(
        "uponyaji_intake.app:create_app", port=port, env=env, log_path=folder / "intake.log"
    ) as url:
        yield Intake(url, postgres, database)


def test_no_server_errors_and_refusals_write_nothing(
    intake: Intake, signing_key: SigningKey
) -> None:
    officer = Staff(("intake_officer",), teams=(NAIROBI,))
    dpo = Staff(("data_protection_officer",))
    headers = {"Authorization": f"Bearer {signing_key.token(officer)}"}
    known = httpx.post(f"{intake.url}/survivors", json=registration(), headers=headers)
    assert known.status_code == 201, known.text
    survivor = known.json()["survivor_id"]
    schema = schemathesis.openapi.from_url(f"{intake.url}/openapi.json")
    operations = [result.ok() for result in schema.get_all_operations()]
    refused = 0

    def fuzz(operation: Any, staff: Staff, on_known: bool) -> None:
        @settings(
            max_examples=15, deadline=None, database=None, suppress_health_check=list(HealthCheck)
        )
        @given(case=operation.as_strategy())
        def exercise(case: schemathesis.Case) -> None:
            nonlocal refused
            if on_known and case.path_parameters and "survivor_id" in case.path_parameters:
                case.path_parameters["survivor_id"] = survivor
            auth = {"Authorization": f"Bearer {signing_key.token(staff)}"}
            before = intake.written()
            response = case.call(headers=auth, timeout=30)
            case.validate_response(response, checks=[not_a_server_error])
            if response.status_code >= 400:
                refused += 1
                assert intake.written() == before, (
                    f"{case.method} {case.path} answered {response.status_code} but wrote events"
                )

        exercise()

    for staff in (officer, dpo):
        for operation in operations:
            for on_known in (False, True):
                fuzz(operation, staff, on_known)
    assert refused > 0
