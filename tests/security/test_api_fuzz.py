"""Schemathesis over every service's OpenAPI: no 5xx, and a rejected request writes nothing.

The harness is tests/kit/fuzz.py (each service's own fuzz test runs it again with tokens).

The targets grow as services arrive: every package under services/ with an `app.create_app`
factory is started the way the launcher starts it, beside the kernel's reference app.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from kit.fuzz import Events, Pass, fuzz_api
from servicehost import app_target, discover_services, running_service, service_env
from uponyaji_launcher.nats import EmbeddedNats
from uponyaji_launcher.ports import free_port
from uponyaji_launcher.postgres import EmbeddedPostgres

HERE = Path(__file__).resolve().parent


def targets() -> list[str]:
    """The kernel's reference app and every service package that exists."""
    return ["refapp", *discover_services()]


class Target:
    """One service process under test, with its own database."""

    def __init__(self, name: str, url: str, database: str) -> None:
        self.name, self.url, self.database = name, url, database


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
    secrets = tmp_path_factory.mktemp(f"fuzz-{name}")
    env = service_env(
        name,
        database_url=postgres.url(database),
        nats_url=nats_server.url,
        secrets=secrets,
        port=port,
    )
    env["PYTHONPATH"] = os.pathsep.join([str(HERE), *sys.path])
    app = "refapp:create_app" if name == "refapp" else app_target(name)
    with running_service(app, port=port, env=env, log_path=secrets / "service.log") as url:
        yield Target(name, url, database)


def test_no_server_errors_and_rejections_write_nothing(
    target: Target, postgres: EmbeddedPostgres
) -> None:
    # Left out: integrity alarms (the shared test NATS carries other tests' signed events, which
    # the service refuses in the background, whatever the request was) and identity's record of
    # a failed sign-in (a refused sign-in is audited by design).
    written = Events(
        postgres,
        target.database,
        where="stream_type <> 'integrity' AND type <> 'identity.AuthenticationAudited'",
    )
    rejected = fuzz_api(target.url, [Pass()], written, examples=40)
    assert rejected > 0  # the fuzzer did reach the validation paths
