"""Schemathesis over every service's OpenAPI: no 5xx, and a rejected request writes nothing.

The targets grow as services arrive: every package under services/ with an `app.create_app`
factory is started the way the launcher starts it, beside the kernel's reference app.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import httpx
import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis.checks import not_a_server_error
from uponyaji_launcher.nats import EmbeddedNats
from uponyaji_launcher.ports import free_port
from uponyaji_launcher.postgres import EmbeddedPostgres

ROOT = Path(__file__).resolve().parents[2]
HERE = Path(__file__).resolve().parent


def targets() -> list[str]:
    """The kernel's reference app and every service package that exists."""
    found = ["refapp"]
    for folder in sorted((ROOT / "services").glob("*/")):
        if (folder / folder.name / "app.py").exists():
            found.append(folder.name)
    return found


class Target:
    """One service process under test, with its own database."""

    def __init__(self, name: str, url: str, database: str, process: subprocess.Popen[bytes]):
        self.name, self.url, self.database, self.process = name, url, database, process


@pytest.fixture(scope="module", params=targets())
def target(
    request: pytest.FixtureRequest,
    postgres: EmbeddedPostgres,
    nats_server: EmbeddedNats,
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[Target]:
    name: str = request.param
    database = f"fuzz_{name}"
    postgres.ensure_database(database)
    port = free_port()
    prefix = name.upper()
    secrets = tmp_path_factory.mktemp(f"secrets-{name}")
    env = {
        **os.environ,
        "UPONYAJI_ENV": "test",
        f"{prefix}_DATABASE_URL": postgres.url(database),
        f"{prefix}_NATS_URL": nats_server.url,
        f"{prefix}_KEK_FILE": str(secrets / "kek"),
        f"{prefix}_PORT": str(port),
        "PYTHONPATH": os.pathsep.join([str(HERE), *sys.path]),
    }
    log = (tmp_path_factory.mktemp(f"log-{name}") / "service.log").open("wb")
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "uvicorn",
            "--factory",
            f"{name}.app:create_app" if name != "refapp" else "refapp:create_app",
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
        ],
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"{url}/health", timeout=1).status_code == 200:
                break
        except httpx.HTTPError:
            pass
        if process.poll() is not None:
            pytest.fail(f"{name} exited at start; see {log.name}")
        time.sleep(0.2)
    else:
        process.kill()
        pytest.fail(f"{name} never became healthy; see {log.name}")
    yield Target(name, url, database, process)
    process.terminate()
    process.wait(15)
    log.close()


@pytest.fixture(scope="module")
def count_events(postgres: EmbeddedPostgres, target: Target) -> Callable[[], int]:
    def count() -> int:
        return int(postgres.psql("SELECT count(*) FROM events", target.database).strip())

    return count


def test_no_server_errors_and_rejections_write_nothing(
    target: Target, count_events: Callable[[], int]
) -> None:
    schema = schemathesis.openapi.from_url(f"{target.url}/openapi.json")
    operations = [result.ok() for result in schema.get_all_operations()]
    assert operations, f"{target.name} publishes no operations"
    rejected = 0

    for operation in operations:

        @settings(
            max_examples=60, deadline=None, database=None, suppress_health_check=list(HealthCheck)
        )
        @given(case=operation.as_strategy())
        def exercise(case: schemathesis.Case) -> None:
            nonlocal rejected
            before = count_events()
            response = case.call(timeout=30)
            case.validate_response(response, checks=[not_a_server_error])
            if response.status_code >= 400:
                rejected += 1
                assert count_events() == before, (
                    f"{case.method} {case.path} answered {response.status_code} but wrote events"
                )

        exercise()

    assert rejected > 0  # the fuzzer did reach the validation paths
