"""The authorisation matrix: every tagged route × role × survivor relation → the policy's status.

For each operation in a service's OpenAPI document that carries `x-uponyaji-action`, every role of
the policy file calls it with a token the service trusts, and the status must be the one the
policy's cell predicts (computed here from the cell, not from `Policy.decide`):

* denied role → 403 (whatever the survivor);
* allowed, survivor-level route, survivor off the caller's caseload or unknown → 404;
* allowed otherwise → the gate is passed: the handler answered (2xx, or its own 4xx such as 422
  for a body the matrix cannot know, or 404 for an account that does not exist).

Who answered is told by the body: the gate's refusals are `Unauthenticated`, `Forbidden` and
`SurvivorNotFound`; any 5xx is a deviation.

Targets:

* `testsvc`, the access library's test service (tests/libs/access/access_testapp.py), in-process,
  with every relation (on the caller's team, the caller as case worker, off caseload, unknown) and
  an audit check per cell: exactly one audit record for audited actions and refused attempts,
  none for allowed unaudited ones. It keeps the matrix non-empty before services exist.
* every service's app (`services/<name>/uponyaji_<name>/app.py`), started as a subprocess the
  way the launcher starts it, trusting the test key through `<NAME>_JWKS_FILE` (honoured only
  with UPONYAJI_ENV=test or development). Survivors there are unknown to the service, so the
  matrix checks the 403 column and the 404 column; the on-caseload column runs only if the test
  tree offers the hook `caseloads/<name>.py:seed_caseload(database_url, survivor_id, team,
  worker_id)` (docs/access.md).
  Every operation that is neither tagged nor public must answer 401 without a token.
"""

from __future__ import annotations

import importlib
import json
import sys
import uuid
from collections.abc import AsyncIterator, Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import pytest
from uponyaji_access import (
    SERVICE_ROLE,
    Access,
    AuditLog,
    DenyList,
    JwksCache,
    Policy,
    TokenVerifier,
    service_subject,
)
from uponyaji_events.store import EventStore
from uponyaji_launcher.nats import EmbeddedNats
from uponyaji_launcher.ports import free_port
from uponyaji_launcher.postgres import EmbeddedPostgres

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "tests" / "libs" / "access"))

from access_support import SigningKey, Staff, bearer  # noqa: E402
from access_testapp import World, create_app  # noqa: E402
from servicehost import app_target, discover_services, running_service, service_env  # noqa: E402

POLICY = Policy.load()
TEAM = "matrix-team"
# Open without a token: probes, identity's keys, and the sign-in steps that carry credentials
# in their body (password and TOTP code, a refresh token, or a service's client secret).
PUBLIC = {
    "/health",
    "/live",
    "/ready",
    "/.well-known/jwks.json",
    "/auth/login",
    "/auth/refresh",
    "/auth/mfa/enrol",
    "/auth/mfa/confirm",
    "/auth/service-token",
}
METHODS = {"get", "post", "put", "patch", "delete"}


@dataclass(frozen=True)
class Operation:
    """One OpenAPI operation and how the access library tagged it."""

    method: str
    path: str
    action: str | None
    authenticated: bool
    survivor: str | None


def operations(document: dict[str, Any]) -> list[Operation]:
    """The operations of an OpenAPI document with their access tags."""
    found = []
    for path, item in document.get("paths", {}).items():
        for method, op in item.items():
            if method in METHODS:
                found.append(
                    Operation(
                        method.upper(),
                        path,
                        op.get("x-uponyaji-action"),
                        op.get("x-uponyaji-auth") == "bearer",
                        op.get("x-uponyaji-survivor"),
                    )
                )
    return found


def predicted(role: str, op: Operation, relation: str) -> str:
    """The status class the policy's cell predicts: '403', '404' or 'pass'."""
    assert op.action is not None
    scope = POLICY.scope(role, op.action)
    if scope is None:
        return "403"
    survivor_level = op.survivor is not None
    if survivor_level and relation == "unknown":
        return "404"
    if survivor_level and scope == "caseload" and relation == "off":
        return "404"
    return "pass"


GATE = {"Unauthenticated": "401", "Forbidden": "403", "SurvivorNotFound": "404"}


def observed(response: httpx.Response) -> str:
    """Who answered: the access gate ('401', '403', '404') or the handler ('pass')."""
    if response.status_code >= 500:
        return f"unexpected {response.status_code}"
    if response.status_code < 400:
        return "pass"
    try:
        body = response.json()
    except ValueError:
        return "pass"
    error = body.get("error") if isinstance(body, dict) else None
    return GATE.get(error, "pass") if isinstance(error, str) else "pass"


@dataclass
class Matrix:
    """Cells checked and deviations found."""

    cells: int = 0
    deviations: list[str] = field(default_factory=list)

    def check(self, role: str, op: Operation, relation: str, response: httpx.Response) -> None:
        self.cells += 1
        want, got = predicted(role, op, relation), observed(response)
        if want != got:
            self.deviations.append(
                f"{op.method} {op.path} as {role} ({relation}): policy says {want}, "
                f"got {response.status_code} {response.text[:120]}"
            )

    def report(self) -> str:
        return f"{len(self.deviations)} deviations in {self.cells} cells:\n" + "\n".join(
            self.deviations
        )


def caller(role: str) -> Staff:
    """A token holder of one role: staff on the matrix's team, or a service (no team)."""
    if role == SERVICE_ROLE:  # the verifier takes the service role only in a service's shape
        return Staff((role,), staff_id=service_subject("matrix"), username="service:matrix")
    return Staff((role,), teams=(TEAM,))


def fill(path: str, survivor_param: str | None, survivor: str, others: dict[str, str]) -> str:
    """The path with the survivor's id and other parameters filled in."""
    for name in [part[1:-1] for part in path.split("/") if part.startswith("{")]:
        value = survivor if name == survivor_param else others.get(name, str(uuid.uuid4()))
        path = path.replace("{" + name + "}", value)
    return path


# ------------------------------------------------------------------------------------------------
# the access library's test service, in-process, every relation, audit per cell


@pytest.fixture
async def testsvc(
    new_database: Callable[..., Any],
) -> AsyncIterator[tuple[httpx.AsyncClient, World, EventStore, SigningKey]]:
    key = SigningKey()
    store = EventStore(await new_database(max_size=4))
    world = World()
    access = Access(
        service="testsvc",
        policy=POLICY,
        verifier=TokenVerifier("testsvc", JwksCache.static_keys(key.jwks())),
        deny_list=DenyList(),
        audit=AuditLog(store, "testsvc"),
        caseload=world.caseload,
    )
    transport = httpx.ASGITransport(app=create_app(access, world))
    async with httpx.AsyncClient(transport=transport, base_url="http://testsvc") as client:
        yield client, world, store, key


async def audit_count(store: EventStore) -> int:
    return int(await store.pool.fetchval("SELECT count(*) FROM events WHERE stream_type = 'audit'"))


async def test_matrix_over_the_access_test_service(
    testsvc: tuple[httpx.AsyncClient, World, EventStore, SigningKey],
) -> None:
    client, world, store, key = testsvc
    ops = [op for op in operations((await client.get("/openapi.json")).json()) if op.action]
    assert len(ops) >= 10
    matrix = Matrix()
    audit_misses: list[str] = []
    for role in POLICY.roles:
        staff = caller(role)
        token = key.sign(staff.claims(aud=["testsvc"]))
        survivors = {
            "team": world.add_survivor(teams=(TEAM,)),
            "worker": world.add_survivor(teams=("other-team",), workers=(staff.staff_id,)),
            "off": world.add_survivor(teams=("other-team",)),
            "unknown": uuid.uuid4(),
        }
        for relation, survivor in survivors.items():
            flag = world.add_flag(survivor) if relation != "unknown" else uuid.uuid4()
            for op in ops:
                if op.survivor is None and relation != "team":
                    continue  # not about one survivor: one cell per role is enough
                path = fill(op.path, op.survivor, str(survivor), {"flag_id": str(flag)})
                before = await audit_count(store)
                response = await client.request(op.method, path, headers=bearer(token))
                matrix.check(role, op, relation, response)
                assert op.action is not None
                refused = response.status_code in (403, 404)
                audited = POLICY.rule(op.action).audited or (refused and POLICY.audit_denied)
                written = await audit_count(store) - before
                if written != int(audited):
                    audit_misses.append(f"{op.method} {path} as {role}: {written} records")
    assert not matrix.deviations, matrix.report()
    assert not audit_misses, "\n".join(audit_misses)
    assert matrix.cells >= len(POLICY.roles) * len(ops)


# ------------------------------------------------------------------------------------------------
# every service that exists, as a process


@dataclass
class Service:
    """A service process under test, trusting the matrix's signing key."""

    name: str
    url: str
    database_url: str
    key: SigningKey


@pytest.fixture(
    scope="module",
    params=discover_services()
    or [pytest.param(None, marks=pytest.mark.skip(reason="no services/<name>/<name>/app.py yet"))],
)
def service(
    request: pytest.FixtureRequest,
    postgres: EmbeddedPostgres,
    nats_server: EmbeddedNats,
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[Service]:
    name: str = request.param
    key = SigningKey()
    secrets = tmp_path_factory.mktemp(f"matrix-{name}")
    jwks_file = secrets / "jwks.json"
    jwks_file.write_text(json.dumps(key.jwks()))
    database = f"matrix_{name}"
    postgres.ensure_database(database)
    port = free_port()
    env = service_env(
        name,
        database_url=postgres.url(database),
        nats_url=nats_server.url,
        secrets=secrets,
        port=port,
        jwks_file=str(jwks_file),
        identity_url=f"http://127.0.0.1:{free_port()}",  # nobody: keys come from the file
    )
    with running_service(
        app_target(name), port=port, env=env, log_path=secrets / "service.log"
    ) as url:
        yield Service(name, url, postgres.url(database), key)


def seed_hook(name: str) -> Callable[..., Any] | None:
    """The service's optional `caseloads.<name>.seed_caseload` hook (or `<name>.testing`'s)."""
    try:
        module = importlib.import_module(f"caseloads.{name}")
    except ImportError:
        try:
            module = importlib.import_module(f"{name}.testing")
        except ImportError:
            return None
    hook = getattr(module, "seed_caseload", None)
    return hook if callable(hook) else None


async def test_matrix_over_every_service(service: Service) -> None:
    async with httpx.AsyncClient(base_url=service.url, timeout=30) as client:
        document = (await client.get("/openapi.json")).json()
        ops = operations(document)
        unprotected = []
        for op in ops:
            if op.path in PUBLIC:
                continue
            response = await client.request(op.method, fill(op.path, None, "", {}), json={})
            if response.status_code != 401:
                unprotected.append(f"{op.method} {op.path}: {response.status_code} without token")
        assert not unprotected, "routes open without a token:\n" + "\n".join(unprotected)

        tagged = [op for op in ops if op.action]
        probe = Staff(("admin",))
        token = service.key.sign(probe.claims(aud=[service.name, "identity"]))
        trusted = [
            (
                await client.request(
                    op.method, fill(op.path, None, "", {}), headers=bearer(token), json={}
                )
            ).status_code
            != 401
            for op in ops
            if op.authenticated
        ]
        if not any(trusted):
            pytest.skip(
                f"{service.name} does not trust {service.name.upper()}_JWKS_FILE under "
                "UPONYAJI_ENV=test (docs/access.md, 'Test keys'): only the 401 column was checked"
            )
        seed = seed_hook(service.name)
        matrix = Matrix()
        for role in POLICY.roles:
            staff = caller(role)
            token = service.key.sign(staff.claims(aud=[service.name, "identity"]))
            relations = {"unknown": str(uuid.uuid4())}
            records: dict[str, dict[str, str]] = {"unknown": {}}
            if seed is not None:
                on = uuid.uuid4()
                # The hook may return ids of the survivor's other records (e.g. a risk flag)
                # for routes that locate the survivor through them.
                records["team"] = await seed(service.database_url, on, TEAM, staff.staff_id) or {}
                relations["team"] = str(on)
            for relation, survivor in relations.items():
                for op in tagged:
                    if op.survivor is None and relation != "unknown":
                        continue
                    path = fill(op.path, op.survivor, survivor, records[relation])
                    body = {} if op.method in {"POST", "PUT", "PATCH"} else None
                    response = await client.request(
                        op.method, path, headers=bearer(token), json=body
                    )
                    matrix.check(role, op, relation, response)
        assert not matrix.deviations, matrix.report()


# ------------------------------------------------------------------------------------------------
# rows pinned by hand: lists bound to the caller's caseload, whose cells must not widen unnoticed

PINNED = {
    # A counsellor's caseload and the sessions they logged on a day (psychosocial).
    ("psychosocial", "GET", "/caseload"): {"counsellor", "clinical_supervisor"},
    ("psychosocial", "GET", "/sessions"): {"counsellor", "clinical_supervisor"},
}


@pytest.mark.parametrize(("service_name", "method", "path"), sorted(PINNED))
def test_pinned_rows_of_the_matrix(service_name: str, method: str, path: str) -> None:
    document = json.loads((ROOT / "docs" / "openapi" / f"{service_name}.json").read_text())
    [op] = [o for o in operations(document) if (o.method, o.path) == (method, path)]
    assert op.action is not None, f"{method} {path} is not tagged: the matrix would skip it"
    assert op.survivor is None  # a list: no survivor in the path
    allowed = {role for role in POLICY.roles if predicted(role, op, "team") == "pass"}
    assert allowed == PINNED[(service_name, method, path)]
    # Allowed only as a caseload: the rows come from the caller's teams and case work.
    assert {POLICY.scope(role, op.action) for role in allowed} == {"caseload"}
    assert POLICY.rule(op.action).audited
