"""Fixtures of the access tests: a test signing key, the test service on a fresh store, tokens."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from typing import Any

import httpx
import pytest
from access_support import SERVICE, Mint, SigningKey, Staff
from access_testapp import World, create_app
from fastapi import FastAPI
from uponyaji_access import Access, AuditLog, DenyList, JwksCache, Policy, TokenVerifier
from uponyaji_events.store import EventStore


@pytest.fixture(scope="session")
def signing_key() -> SigningKey:
    """The key 'identity' signs test tokens with."""
    return SigningKey()


@pytest.fixture(scope="session")
def policy() -> Policy:
    """The platform's policy file."""
    return Policy.load()


@pytest.fixture
async def store(new_database: Callable[..., Any]) -> EventStore:
    """The test service's own event store on a fresh database."""
    return EventStore(await new_database(max_size=5))


@pytest.fixture
def world() -> World:
    """Synthetic survivors, flags and assignments of the test service."""
    return World()


@pytest.fixture
def access(store: EventStore, world: World, signing_key: SigningKey, policy: Policy) -> Access:
    """The test service's Access: static test JWKS, in-memory caseload, audit in its store."""
    return Access(
        service=SERVICE,
        policy=policy,
        verifier=TokenVerifier(SERVICE, JwksCache.static_keys(signing_key.jwks())),
        deny_list=DenyList(),
        audit=AuditLog(store, SERVICE),
        caseload=world.caseload,
    )


@pytest.fixture
def app(access: Access, world: World) -> FastAPI:
    """The test service app."""
    return create_app(access, world)


@pytest.fixture
async def client(app: FastAPI) -> AsyncIterator[httpx.AsyncClient]:
    """An HTTP client talking to the test service in-process."""
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://testsvc") as http:
        yield http


@pytest.fixture
def mint(signing_key: SigningKey) -> Mint:
    """Mint a valid token for a staff member (claims overridable)."""

    def make(staff: Staff, **overrides: Any) -> str:
        return signing_key.sign(staff.claims(**overrides))

    return make
