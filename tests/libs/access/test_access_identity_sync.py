"""Keys and revocations from identity: JWKS fetch, rotation, bounded refetch, deny-list sync."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest
from access_fake_identity import FakeIdentity
from access_support import SERVICE, SigningKey, Staff, WaitUntil, bearer
from access_testapp import World, create_app
from uponyaji_access import (
    Access,
    AccessSettings,
    AuditLog,
    DenyList,
    JwksCache,
    KeysUnavailable,
    Policy,
    TokenVerifier,
    Unauthenticated,
)
from uponyaji_events.store import EventStore

IDENTITY = "http://identity.test"


@pytest.fixture
def identity() -> FakeIdentity:
    return FakeIdentity()


@pytest.fixture
def identity_client(identity: FakeIdentity) -> httpx.AsyncClient:
    return httpx.AsyncClient(transport=httpx.ASGITransport(app=identity.app()))


@pytest.fixture
async def service(
    identity_client: httpx.AsyncClient, store: EventStore
) -> AsyncIterator[tuple[Access, httpx.AsyncClient, World]]:
    """The test service trusting the fake identity through the production code path."""
    world = World()
    settings = AccessSettings(
        identity_url=IDENTITY,
        jwks_refetch_interval=0.2,
        _env_prefix="TESTSVC_",
    )
    access = Access.create(
        SERVICE, store=store, caseload=world.caseload, settings=settings, client=identity_client
    )
    transport = httpx.ASGITransport(app=create_app(access, world))
    async with httpx.AsyncClient(transport=transport, base_url="http://testsvc") as http:
        yield access, http, world
    await access.stop()


async def test_keys_are_fetched_once_and_cached(
    identity: FakeIdentity, identity_client: httpx.AsyncClient
) -> None:
    cache = JwksCache(IDENTITY, client=identity_client)
    key = identity.keys[0]
    for _ in range(5):
        await cache.key(key.kid)
    assert identity.hits["jwks"] == 1


async def test_a_rotated_key_is_picked_up_and_old_tokens_keep_working(
    identity: FakeIdentity, service: tuple[Access, httpx.AsyncClient, World]
) -> None:
    _, client, _ = service
    staff = Staff(("counsellor",), teams=("team-a",))
    old = identity.keys[0]
    assert (
        await client.get("/whoami", headers=bearer(old.sign(staff.claims())))
    ).status_code == 200
    new = SigningKey()
    identity.keys.append(new)  # rotation: the new key is published beside the old one
    await asyncio.sleep(0.25)  # past the refetch interval that guards identity from floods
    assert (
        await client.get("/whoami", headers=bearer(new.sign(staff.claims())))
    ).status_code == 200
    assert (
        await client.get("/whoami", headers=bearer(old.sign(staff.claims())))
    ).status_code == 200
    assert identity.hits["jwks"] == 2


async def test_unknown_kids_cannot_make_the_service_hammer_identity(
    identity: FakeIdentity, identity_client: httpx.AsyncClient
) -> None:
    cache = JwksCache(IDENTITY, client=identity_client, refresh_cooldown=60)
    await cache.key(identity.keys[0].kid)
    for n in range(20):
        with pytest.raises(Unauthenticated, match="unknown key"):
            await cache.key(f"made-up-{n}")
    assert identity.hits["jwks"] == 1  # no refetch within the cooldown of the first fetch


async def test_identity_down_at_start_is_503_and_later_keeps_cached_keys(
    identity: FakeIdentity, identity_client: httpx.AsyncClient
) -> None:
    identity.down = True
    cache = JwksCache(IDENTITY, client=identity_client, refresh_cooldown=0)
    with pytest.raises(KeysUnavailable):
        await cache.key(identity.keys[0].kid)
    identity.down = False
    await cache.key(identity.keys[0].kid)
    identity.down = True
    assert await cache.refresh(force=True) is False
    assert await cache.key(identity.keys[0].kid)  # still trusted while identity is away


async def test_a_key_identity_withdraws_is_no_longer_trusted(
    identity: FakeIdentity, identity_client: httpx.AsyncClient
) -> None:
    cache = JwksCache(IDENTITY, client=identity_client, refresh_cooldown=0, max_age=0)
    withdrawn = identity.keys[0]
    await cache.key(withdrawn.kid)
    identity.keys = [SigningKey()]
    with pytest.raises(Unauthenticated, match="unknown key"):
        await cache.key(withdrawn.kid)


async def test_logout_elsewhere_is_refused_on_the_first_request(
    identity: FakeIdentity, service: tuple[Access, httpx.AsyncClient, World]
) -> None:
    """No poller running yet: a stale deny list makes the request sync before deciding."""
    _, client, _ = service
    staff = Staff(("counsellor",))
    token = identity.keys[0].sign(staff.claims())
    identity.revoked.add(staff.sid)
    response = await client.get("/whoami", headers=bearer(token))
    assert response.status_code == 401
    assert "revoked" in response.json()["detail"]


async def test_the_poller_spreads_revocations_within_seconds(
    identity: FakeIdentity,
    service: tuple[Access, httpx.AsyncClient, World],
    wait_until: WaitUntil,
) -> None:
    access, client, _ = service
    await access.start()
    watcher, leaver = Staff(("clinician",)), Staff(("counsellor",))
    leaver_token = identity.keys[0].sign(leaver.claims())
    watcher_token = identity.keys[0].sign(watcher.claims())
    assert (await client.get("/whoami", headers=bearer(watcher_token))).status_code == 200
    assert (await client.get("/whoami", headers=bearer(leaver_token))).status_code == 200
    identity.revoked.add(leaver.sid)

    async def refused() -> bool:
        return access.deny_list.is_revoked(leaver.sid)

    await wait_until(refused, seconds=5, what="the revocation to reach the deny list")
    assert (await client.get("/whoami", headers=bearer(leaver_token))).status_code == 401
    assert (await client.get("/whoami", headers=bearer(watcher_token))).status_code == 200


def test_deny_list_entries_expire_after_the_token_lifetime() -> None:
    now = [1000.0]
    deny = DenyList(ttl=900, clock=lambda: now[0])
    deny.revoke("sess-1")
    now[0] += 899
    assert deny.is_revoked("sess-1")
    deny.revoke_all(["sess-1"])  # identity still lists it: the entry lives on
    now[0] += 899
    assert deny.is_revoked("sess-1")
    now[0] += 2
    assert not deny.is_revoked("sess-1")
    assert len(deny) == 0


def test_a_key_file_is_trusted_only_in_test_and_development(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    key_file = tmp_path / "jwks.json"
    key_file.write_text("{}")
    monkeypatch.setenv("INTAKE_JWKS_FILE", str(key_file))
    monkeypatch.setenv("UPONYAJI_ENV", "production")
    with pytest.raises(ValueError, match="only when UPONYAJI_ENV"):
        AccessSettings.for_service("intake")
    monkeypatch.setenv("UPONYAJI_ENV", "test")
    assert AccessSettings.for_service("intake").jwks_file == key_file


def test_identity_url_comes_from_the_launcher_or_the_service_prefix(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.delenv("INTAKE_IDENTITY_URL", raising=False)
    monkeypatch.setenv("UPONYAJI_SERVICE_URLS", '{"identity": "http://127.0.0.1:18001"}')
    assert AccessSettings.for_service("intake").identity_url == "http://127.0.0.1:18001"
    monkeypatch.setenv("INTAKE_IDENTITY_URL", "http://identity.internal:8001")
    assert AccessSettings.for_service("intake").identity_url == "http://identity.internal:8001"


async def test_attach_trusts_the_test_key_file_whatever_the_key_source(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, store: EventStore
) -> None:
    """Identity verifies with its own key ring; a test's key file must still be trusted there."""
    test_key = SigningKey()
    key_file = tmp_path / "jwks.json"
    key_file.write_text(json.dumps(test_key.jwks()))
    monkeypatch.setenv("TESTSVC_JWKS_FILE", str(key_file))
    world = World()

    def build() -> Access:
        return Access(
            service=SERVICE,
            policy=Policy.load(),
            verifier=TokenVerifier(SERVICE, JwksCache.static_keys(SigningKey().jwks())),
            deny_list=DenyList(),
            audit=AuditLog(store, SERVICE),
            caseload=world.caseload,
        )

    monkeypatch.setenv("UPONYAJI_ENV", "production")
    with pytest.raises(ValueError, match="only when UPONYAJI_ENV"):
        create_app(build(), world)
    monkeypatch.setenv("UPONYAJI_ENV", "test")
    transport = httpx.ASGITransport(app=create_app(build(), world))
    async with httpx.AsyncClient(transport=transport, base_url="http://testsvc") as client:
        token = test_key.sign(Staff(("counsellor",)).claims())
        assert (await client.get("/whoami", headers=bearer(token))).status_code == 200


async def test_survivor_data_fails_closed_when_revocations_cannot_be_refreshed(
    identity: FakeIdentity, identity_client: httpx.AsyncClient, store: EventStore
) -> None:
    """Past the bound without a refresh, survivor reads are 503; other requests still answer."""
    world = World()
    settings = AccessSettings(
        identity_url=IDENTITY,
        revocation_interval=0.1,
        revocation_max_staleness=0.1,
        revocation_fail_closed_after=0.5,
        _env_prefix="TESTSVC_",
    )
    access = Access.create(
        SERVICE, store=store, caseload=world.caseload, settings=settings, client=identity_client
    )
    transport = httpx.ASGITransport(app=create_app(access, world))
    staff = Staff(("counsellor",), teams=("team-nairobi",))
    survivor = world.add_survivor(teams=("team-nairobi",))
    headers = bearer(identity.keys[0].sign(staff.claims()))
    try:
        async with httpx.AsyncClient(transport=transport, base_url="http://testsvc") as client:
            assert (await client.get(f"/survivors/{survivor}", headers=headers)).status_code == 200
            identity.down = True
            await asyncio.sleep(0.7)
            refused = await client.get(f"/survivors/{survivor}", headers=headers)
            assert refused.status_code == 503, refused.text
            assert refused.json()["error"] == "RevocationsUnavailable"
            assert refused.headers["Retry-After"]
            assert (await client.get("/whoami", headers=headers)).status_code == 200
            identity.down = False
            await asyncio.sleep(0.2)  # the request itself refreshes the stale deny list
            again = await client.get(f"/survivors/{survivor}", headers=headers)
            assert again.status_code == 200, again.text
    finally:
        await access.stop()


def test_the_fail_closed_bound_is_60_s_unless_a_test_key_file_stands_in_for_identity(
    tmp_path: Path,
) -> None:
    assert AccessSettings(_env_prefix="TESTSVC_").revocation_fail_closed_after == 60.0
    key_file = tmp_path / "jwks.json"
    key_file.write_text("{}")
    with_file = AccessSettings(jwks_file=key_file, UPONYAJI_ENV="test", _env_prefix="TESTSVC_")
    assert with_file.revocation_fail_closed_after is None
