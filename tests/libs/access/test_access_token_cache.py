"""A verified token is remembered for its lifetime only; expiry and a withdrawn key refuse it."""

from __future__ import annotations

import time
from typing import Any

import httpx
import pytest
from access_support import SERVICE, SigningKey, Staff
from uponyaji_access.errors import Unauthenticated
from uponyaji_access.jwks import JwksCache
from uponyaji_access.tokens import TokenVerifier


class Clock:
    """Wall time the test moves forward."""

    def __init__(self) -> None:
        self.now = time.time()

    def __call__(self) -> float:
        return self.now


class Identity:
    """identity's JWKS endpoint, publishing whichever keys the test says (over HTTP)."""

    def __init__(self, *keys: SigningKey) -> None:
        self.keys = list(keys)
        self.fetches = 0

    def handle(self, request: httpx.Request) -> httpx.Response:
        self.fetches += 1
        return httpx.Response(200, json={"keys": [key.jwk() for key in self.keys]})


def verifier(identity: Identity, clock: Clock, **options: Any) -> TokenVerifier:
    client = httpx.AsyncClient(transport=httpx.MockTransport(identity.handle))
    jwks = JwksCache("http://identity.test", client=client, max_age=60, clock=clock)
    return TokenVerifier(SERVICE, jwks, clock=clock, **options)


async def test_a_remembered_token_is_refused_once_expired() -> None:
    key, clock = SigningKey(), Clock()
    check = verifier(Identity(key), clock)
    staff = Staff(("counsellor",), teams=("team-a",))
    token = key.sign(staff.claims(lifetime=300))
    first, _ = await check.verify(token)
    again, claims = await check.verify(token)
    assert again == first
    assert again.staff_id == staff.staff_id
    clock.now = claims["exp"] + check.leeway + 1
    with pytest.raises(Unauthenticated, match="expired"):
        await check.verify(token)


async def test_a_remembered_token_is_refused_once_its_key_is_withdrawn() -> None:
    old, new, clock = SigningKey(), SigningKey(), Clock()
    identity = Identity(old)
    check = verifier(identity, clock)
    token = old.sign(Staff(("clinician",)).claims())
    await check.verify(token)
    identity.keys = [new]  # identity rotated and withdrew the old key
    clock.now += 61  # the JWKS is older than its max age: the next check refetches it
    with pytest.raises(Unauthenticated, match="unknown key"):
        await check.verify(token)


async def test_a_tampered_copy_of_a_remembered_token_is_refused() -> None:
    key, clock = SigningKey(), Clock()
    check = verifier(Identity(key), clock)
    token = key.sign(Staff(("counsellor",)).claims())
    await check.verify(token)
    header, payload, signature = token.split(".")
    flipped = signature[:-2] + ("A" if signature[-2] != "A" else "B") + signature[-1]
    with pytest.raises(Unauthenticated):
        await check.verify(".".join([header, payload, flipped]))


async def test_the_cache_is_bounded() -> None:
    key, clock = SigningKey(), Clock()
    check = verifier(Identity(key), clock, cache_size=2)
    tokens = [key.sign(Staff(("counsellor",)).claims()) for _ in range(5)]
    principals = [(await check.verify(token))[0] for token in tokens]
    assert len({p.staff_id for p in principals}) == 5
    assert len(check._verified) == 2


async def test_expired_tokens_are_forgotten_when_new_ones_are_remembered() -> None:
    key, clock = SigningKey(), Clock()
    check = verifier(Identity(key), clock)
    for _ in range(3):  # issued 14 minutes ago: a minute left
        await check.verify(key.sign(Staff(("counsellor",)).claims(issued_ago=14 * 60)))
    clock.now += 2 * 60  # every token above has expired
    await check.verify(key.sign(Staff(("counsellor",)).claims()))
    assert len(check._verified) == 1  # memory held by signed-out staff is given back
