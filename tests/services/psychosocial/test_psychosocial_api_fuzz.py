"""Schemathesis over psychosocial's API *with* tokens (the repository-wide fuzz test has none).

psychosocial runs as a process, the way the launcher starts it, trusting a test key. Intake's
word about one survivor (registered, on the test team, consenting) is written straight into the
local tables the intake consumer keeps. For every operation, as a counsellor and as a clinician,
on random ids and on that survivor's (and a real risk flag's): no 5xx, and a refused request
writes no event but its audit record.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from psychosocial_support import NAIROBI, PHQ9_RISKY, SigningKey, Staff
from schemathesis.checks import not_a_server_error
from servicehost import running_service, service_env
from uponyaji_launcher.nats import EmbeddedNats
from uponyaji_launcher.ports import free_port
from uponyaji_launcher.postgres import EmbeddedPostgres


class Service:
    """A running psychosocial process and its database."""

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
    folder = tmp_path_factory.mktemp("psychosocial-fuzz")
    (folder / "jwks.json").write_text(json.dumps(signing_key.jwks()))
    database, port = "psychosocial_fuzz_authenticated", free_port()
    postgres.ensure_database(database)
    env = service_env(
        "psychosocial",
        database_url=postgres.url(database),
        nats_url=nats_server.url,
        secrets=folder,
        port=port,
        jwks_file=str(folder / "jwks.json"),
        identity_url=f"http://127.0.0.1:{free_port()}",
    )
    env.pop("UPONYAJI_SERVICE_URLS", None)
    with running_service(
        "uponyaji_psychosocial.app:create_app",
        port=port,
        env=env,
        log_path=folder / "psychosocial.log",
    ) as url:
        yield Service(url, postgres, database)


def known_survivor(service: Service) -> str:
    """A survivor intake told us about: on the test team, with psychosocial consent."""
    survivor = str(uuid.uuid4())
    sql = (
        "INSERT INTO survivors (survivor_id, case_number) VALUES ('{0}', 'UPJ-2026-000777'); "
        "INSERT INTO caseload (survivor_id, team, assigned_at) VALUES ('{0}', '{1}', now()); "
        "INSERT INTO consents VALUES ('{0}', 'psychosocial_support', true, now());"
    )
    service.postgres.psql(sql.format(survivor, NAIROBI), service.database)
    return survivor


def test_no_server_errors_and_refusals_write_nothing(
    service: Service, signing_key: SigningKey
) -> None:
    counsellor = Staff(("counsellor",), teams=(NAIROBI,))
    clinician = Staff(("clinician",), teams=(NAIROBI,))
    survivor = known_survivor(service)
    headers = {"Authorization": f"Bearer {signing_key.token(counsellor)}"}
    body = {"instrument": "PHQ-9", "responses": PHQ9_RISKY}
    scored = httpx.post(
        f"{service.url}/survivors/{survivor}/assessments", json=body, headers=headers
    )
    assert scored.status_code == 201, scored.text
    known = {
        "survivor_id": survivor,
        "flag_id": scored.json()["risk_flag_id"],
        "assessment_id": scored.json()["assessment_id"],
    }
    schema = schemathesis.openapi.from_url(f"{service.url}/openapi.json")
    operations = [result.ok() for result in schema.get_all_operations()]
    refused = 0

    def fuzz(operation: Any, staff: Staff, on_known: bool) -> None:
        @settings(
            max_examples=12, deadline=None, database=None, suppress_health_check=list(HealthCheck)
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

    for staff in (counsellor, clinician):
        for operation in operations:
            for on_known in (False, True):
                fuzz(operation, staff, on_known)
    assert refused > 0
