"""Service tokens across real services: identity issues them, intake's `GET /feed` takes them.

identity and intake run as processes the way the launcher starts them, with client secrets the
launcher's own provisioning wrote. Staff tokens are minted with a test key intake also trusts
(`INTAKE_JWKS_FILE`). Psychosocial runs in-process and repairs from intake's feed with its own
service token, as its consumer does in a running stack.
"""

from __future__ import annotations

import json
import re
import sys
import uuid
from collections.abc import AsyncIterator, Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest
from uponyaji_access import SERVICE_ROLE, Policy, ServiceTokens, service_subject
from uponyaji_launcher.clients import client_env, provision_clients
from uponyaji_launcher.nats import EmbeddedNats
from uponyaji_launcher.paths import RunPaths
from uponyaji_launcher.ports import free_port
from uponyaji_launcher.postgres import EmbeddedPostgres
from uponyaji_psychosocial.app import create_app as create_psychosocial
from uponyaji_psychosocial.settings import Settings as PsychosocialSettings
from uponyaji_reporting import consumers as reporting_consumers
from uponyaji_reporting.app import create_app as create_reporting
from uponyaji_reporting.settings import Settings as ReportingSettings
from uponyaji_service import running

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "tests" / "libs" / "access"))

from access_support import SigningKey, Staff, WaitUntil, bearer  # noqa: E402
from servicehost import running_service, service_env  # noqa: E402

TEAM = str(uuid.uuid4())


@dataclass
class Stack:
    """identity and intake processes, the run directory's secrets and the staff test key."""

    identity: str
    intake: str
    paths: RunPaths
    key: SigningKey

    def secret(self, service: str) -> str:
        """A service's client secret as the launcher wrote it."""
        return self.paths.client_secret_file(service).read_text()

    def tokens(self, service: str, secret: str | None = None) -> ServiceTokens:
        """A service-token client for one service, talking to the real identity."""
        return ServiceTokens(service, secret or self.secret(service), self.identity)

    def staff_token(self, role: str) -> str:
        """A staff token of one role for intake (signed with the test key intake trusts)."""
        return self.key.sign(Staff((role,), teams=(TEAM,)).claims(aud=["intake"]))


@pytest.fixture(scope="module")
def stack(
    postgres: EmbeddedPostgres,
    nats_server: EmbeddedNats,
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[Stack]:
    root = tmp_path_factory.mktemp("service-feeds")
    paths = RunPaths(root)
    provision_clients(paths, ["identity", "intake", "psychosocial", "reporting"])
    key = SigningKey()
    jwks = root / "jwks.json"
    jwks.write_text(json.dumps(key.jwks()))
    for name in ("identity", "intake"):
        postgres.ensure_database(f"feeds_{name}")
    identity_port, intake_port = free_port(), free_port()
    identity_url = f"http://127.0.0.1:{identity_port}"
    identity_env = service_env(
        "identity",
        database_url=postgres.url("feeds_identity"),
        nats_url=nats_server.url,
        secrets=root / "identity",
        port=identity_port,
    )
    identity_env.update(client_env(paths, "identity"))
    intake_env = service_env(
        "intake",
        database_url=postgres.url("feeds_intake"),
        nats_url=nats_server.url,
        secrets=root / "intake",
        port=intake_port,
        identity_url=identity_url,
        jwks_file=str(jwks),
    )
    intake_env.update(client_env(paths, "intake"))
    for env in (identity_env, intake_env):
        env.pop("UPONYAJI_SERVICE_URLS", None)
    with (
        running_service(
            "uponyaji_identity.app:create_app",
            port=identity_port,
            env=identity_env,
            log_path=root / "identity.log",
        ) as identity,
        running_service(
            "uponyaji_intake.app:create_app",
            port=intake_port,
            env=intake_env,
            log_path=root / "intake.log",
        ) as intake,
    ):
        yield Stack(identity, intake, paths, key)


@pytest.fixture
async def intake(stack: Stack) -> AsyncIterator[httpx.AsyncClient]:
    """An HTTP client for the intake process."""
    async with httpx.AsyncClient(base_url=stack.intake, timeout=30) as client:
        yield client


async def register(stack: Stack, intake: httpx.AsyncClient) -> uuid.UUID:
    """Register a fake survivor at the intake process as an intake officer; their id."""
    registration = {
        "full_name": f"Fake {uuid.uuid4().hex[:8]} {uuid.uuid4().hex[:8]}",
        "county_code": "047",
        "gender": "female",
        "preferred_language": "sw",
        "estimated_birth_year": 1990,
    }
    officer = bearer(stack.staff_token("intake_officer"))
    registered = await intake.post("/survivors", json=registration, headers=officer)
    assert registered.status_code == 201, registered.text
    return uuid.UUID(registered.json()["survivor_id"])


async def test_a_service_token_reads_intakes_feed_and_no_staff_role_does_not_even_admin(
    stack: Stack, intake: httpx.AsyncClient
) -> None:
    tokens = stack.tokens("psychosocial")
    try:
        served = await intake.get("/feed", headers=await tokens.headers("intake"))
        assert served.status_code == 200, served.text
        assert "events" in served.json()
        elsewhere = await intake.get("/feed", headers=await tokens.headers("psychosocial"))
        assert elsewhere.status_code == 401  # a token for another audience
    finally:
        await tokens.aclose()
    for role in Policy.load().roles:
        if role == SERVICE_ROLE:
            continue
        response = await intake.get("/feed", headers=bearer(stack.staff_token(role)))
        assert response.status_code == 403, (role, response.text)


async def test_a_wrong_secret_gets_no_token(stack: Stack) -> None:
    tokens = stack.tokens("psychosocial", secret=stack.secret("intake"))  # another's secret
    try:
        with pytest.raises(httpx.HTTPStatusError) as refused:
            await tokens.token("intake")
        assert refused.value.response.status_code == 401
        assert refused.value.response.json()["error"] == "InvalidClient"
    finally:
        await tokens.aclose()


async def test_an_expired_service_token_is_refused(stack: Stack, intake: httpx.AsyncClient) -> None:
    holder = Staff(
        (SERVICE_ROLE,), staff_id=service_subject("psychosocial"), username="service:psychosocial"
    )
    live = stack.key.sign(holder.claims(aud=["intake"], lifetime=300))
    expired = stack.key.sign(holder.claims(aud=["intake"], lifetime=300, issued_ago=400))
    assert (await intake.get("/feed", headers=bearer(live))).status_code == 200
    response = await intake.get("/feed", headers=bearer(expired))
    assert response.status_code == 401
    assert "expired" in response.json()["detail"]


async def test_a_service_token_may_do_nothing_else_at_intake(
    stack: Stack, intake: httpx.AsyncClient
) -> None:
    tokens = stack.tokens("psychosocial")
    try:
        headers = await tokens.headers("intake")
    finally:
        await tokens.aclose()
    document = (await intake.get("/openapi.json")).json()
    checked = []
    for template, item in document["paths"].items():
        for method, operation in item.items():
            action = operation.get("x-uponyaji-action") if isinstance(operation, dict) else None
            if action is None or action == "feed.read":
                continue
            path = re.sub(r"\{[^}]+\}", str(uuid.uuid4()), template)
            response = await intake.request(method.upper(), path, headers=headers, json={})
            assert response.status_code == 403, (method, template, response.text)
            checked.append(action)
    assert len(checked) >= 10


async def test_psychosocial_repairs_from_intakes_feed_with_its_service_token(
    stack: Stack,
    intake: httpx.AsyncClient,
    new_database_url: Callable[[], str],
    nats_server: EmbeddedNats,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    wait_until: WaitUntil,
) -> None:
    survivor = await register(stack, intake)

    monkeypatch.setenv("UPONYAJI_ENV", "test")
    monkeypatch.delenv("UPONYAJI_SERVICE_URLS", raising=False)
    monkeypatch.setenv("PSYCHOSOCIAL_IDENTITY_URL", stack.identity)
    for name, value in client_env(stack.paths, "psychosocial").items():
        monkeypatch.setenv(name, value)
    settings = PsychosocialSettings(
        database_url=new_database_url(),
        nats_url=f"nats://127.0.0.1:{free_port()}",  # nobody: only the feed can bring the events
        kek_file=tmp_path / "psychosocial.kek",
        intake_url=stack.intake,
    )
    app = create_psychosocial(settings)
    async with app.router.lifespan_context(app):
        consumer = running(app).consumer("intake")
        pool = running(app).parts.pool

        async def known() -> bool:
            await consumer.catch_up()
            found = await pool.fetchval(
                "SELECT count(*) FROM survivors WHERE survivor_id = $1", survivor
            )
            return bool(found)

        await wait_until(known, 30, "psychosocial to learn the survivor from intake's feed")


async def test_reporting_catches_up_from_intakes_feed_with_its_service_token(
    stack: Stack,
    intake: httpx.AsyncClient,
    new_database_url: Callable[[], str],
    nats_server: EmbeddedNats,
    monkeypatch: pytest.MonkeyPatch,
    wait_until: WaitUntil,
) -> None:
    survivor = await register(stack, intake)

    monkeypatch.setenv("UPONYAJI_ENV", "test")
    monkeypatch.delenv("UPONYAJI_SERVICE_URLS", raising=False)
    monkeypatch.setenv("REPORTING_IDENTITY_URL", stack.identity)
    for name, value in client_env(stack.paths, "reporting").items():
        monkeypatch.setenv(name, value)
    settings = ReportingSettings(
        database_url=new_database_url(),
        nats_url=f"nats://127.0.0.1:{free_port()}",  # nobody: only the feed can bring the events
        intake_url=stack.intake,
    )
    app = create_reporting(settings)
    async with app.router.lifespan_context(app):
        intake_consumer = running(app).consumer("intake")
        pool = running(app).parts.pool

        async def journey_started() -> bool:
            await intake_consumer.catch_up()
            kinds = await pool.fetch(
                "SELECT kind FROM journey_entries WHERE survivor_id = $1", survivor
            )
            return "registered" in {r["kind"] for r in kinds}

        await wait_until(journey_started, 30, "reporting to read the registration from the feed")
        lag = await reporting_consumers.lag([intake_consumer])

    assert lag["intake"]["head"] is not None  # the feed answered reporting's own token
    assert lag["intake"]["behind"] == 0
