"""Schemathesis over intake's API *with* tokens (the repository-wide fuzz test has none).

intake runs as a process, the way the launcher starts it, trusting a test key. For every
operation, as an intake officer and as a data protection officer, on random and on a registered
survivor's ids: no 5xx, and a refused request writes no event but its audit record.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from intake_support import NAIROBI, SigningKey, Staff, registration
from schemathesis.checks import not_a_server_error
from uponyaji_launcher.nats import EmbeddedNats
from uponyaji_launcher.ports import free_port
from uponyaji_launcher.postgres import EmbeddedPostgres


class Intake:
    """A running intake process and its database."""

    def __init__(self, url: str, postgres: EmbeddedPostgres, database: str) -> None:
        self.url, self.postgres, self.database = url, postgres, database

    def written(self) -> int:
        """Events other than audit records."""
        sql = "SELECT count(*) FROM events WHERE stream_type <> 'audit'"
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
    env = {
        **os.environ, "UPONYAJI_ENV": "test", "INTAKE_DATABASE_URL": postgres.url(database),
        "INTAKE_NATS_URL": nats_server.url, "INTAKE_KEK_FILE": str(folder / "kek"),
        "INTAKE_PORT": str(port), "INTAKE_JWKS_FILE": str(folder / "jwks.json"),
        "INTAKE_IDENTITY_URL": f"http://127.0.0.1:{free_port()}",
    }  # fmt: skip
    env.pop("UPONYAJI_SERVICE_URLS", None)
    log = (folder / "intake.log").open("wb")
    command = [sys.executable, "-m", "uvicorn", "--factory", "intake.app:create_app",
               "--host", "127.0.0.1", "--port", str(port)]  # fmt: skip
    process = subprocess.Popen(command, env=env, stdout=log, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and process.poll() is None:
        try:
            if httpx.get(f"{url}/health", timeout=1).status_code == 200:
                break
        except httpx.HTTPError:
            time.sleep(0.2)
    else:
        process.kill()
        pytest.fail(f"intake did not start; see {log.name}")
    yield Intake(url, postgres, database)
    process.terminate()
    process.wait(30)
    log.close()


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
