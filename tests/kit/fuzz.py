"""The one API fuzz harness: schemathesis cases from a running service's own OpenAPI document,
sent for every operation, in passes (as whom, on which known ids).

Whatever a case holds, the service must not answer 5xx, and a request it refuses (4xx) must
write no event. The repository-wide test runs it over every service without a token; each
service's own test runs it with tokens of its roles and on ids of records that exist.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import psycopg
import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis.checks import not_a_server_error
from servicehost import app_target, running_service, service_env
from uponyaji_launcher.ports import free_port
from uponyaji_launcher.postgres import EmbeddedPostgres

from kit.tokens import SigningKey

# Integrity alarms are never counted: the shared test NATS carries other tests' signed events,
# which a service refuses in the background, whatever the request was.
NOT_AUDIT = "stream_type NOT IN ('audit', 'integrity')"


@dataclass
class Events:
    """How many events a service's database holds (those `where` selects), read on one
    connection kept open for the whole sweep (a psql process per count cost more than the
    requests it checked)."""

    postgres: EmbeddedPostgres
    database: str
    where: str = NOT_AUDIT
    _connection: psycopg.Connection[tuple[int]] | None = field(default=None, repr=False)

    def __call__(self) -> int:
        """The count now."""
        if self._connection is None:
            self._connection = psycopg.connect(
                self.postgres.plain_url(self.database),
                password=self.postgres.superuser_password(),
                autocommit=True,
            )
        sql = f"SELECT count(*) FROM events WHERE {self.where}"  # noqa: S608
        row = self._connection.execute(sql).fetchone()  # type: ignore[arg-type]
        assert row is not None
        return int(row[0])


@dataclass(frozen=True)
class Pass:
    """One sweep over every operation: with whose token (None: none) and on which known ids."""

    token: Callable[[], str] | None = None
    known: Mapping[str, str] = field(default_factory=dict)


def fuzz_api(url: str, passes: Sequence[Pass], written: Callable[[], int], examples: int) -> int:
    """Run `examples` cases per operation and pass; fails on a 5xx or a refusal that wrote.

    Returns how many requests were refused (so a caller can check the fuzzer reached them).
    """
    schema = schemathesis.openapi.from_url(f"{url}/openapi.json")
    operations = [result.ok() for result in schema.get_all_operations()]
    assert operations, f"{url} publishes no operations"
    refused = 0

    def sweep(operation: schemathesis.APIOperation, chosen: Pass) -> None:
        @settings(
            max_examples=examples,
            deadline=None,
            database=None,
            suppress_health_check=list(HealthCheck),
        )
        @given(case=operation.as_strategy())
        def exercise(case: schemathesis.Case) -> None:
            nonlocal refused
            for name in case.path_parameters or {}:
                if name in chosen.known:
                    case.path_parameters[name] = chosen.known[name]
            auth = {} if chosen.token is None else {"Authorization": f"Bearer {chosen.token()}"}
            before = written()
            response = case.call(headers=auth, timeout=30)
            case.validate_response(response, checks=[not_a_server_error])
            if response.status_code >= 400:
                refused += 1
                assert written() == before, (
                    f"{case.method} {case.path} answered {response.status_code} but wrote events"
                )

        exercise()

    for chosen in passes:
        for operation in operations:
            sweep(operation, chosen)
    return refused


@contextmanager
def service_trusting(
    name: str,
    key: SigningKey,
    *,
    postgres: EmbeddedPostgres,
    database: str,
    nats_url: str,
    folder: Path,
) -> Iterator[str]:
    """A service as a process, the way the launcher starts it, trusting `key` instead of
    identity (which is not running); yields its URL."""
    (folder / "jwks.json").write_text(json.dumps(key.jwks()))
    postgres.ensure_database(database)
    port = free_port()
    env = service_env(
        name,
        database_url=postgres.url(database),
        nats_url=nats_url,
        secrets=folder,
        port=port,
        jwks_file=str(folder / "jwks.json"),
        identity_url=f"http://127.0.0.1:{free_port()}",
    )
    env.pop("UPONYAJI_SERVICE_URLS", None)
    with running_service(
        app_target(name), port=port, env=env, log_path=folder / f"{name}.log"
    ) as url:
        yield url
