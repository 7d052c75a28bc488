"""Service tokens in the access library: the verifier's shape rule and the renewing client."""

from __future__ import annotations

import json
import uuid
from pathlib import Path
from typing import Any

import httpx
import pytest
from access_support import SigningKey, Staff
from uponyaji_access import (
    AccessSettings,
    JwksCache,
    ServiceTokens,
    TokenVerifier,
    Unauthenticated,
    service_subject,
)
from uponyaji_access.service_tokens import TokenUnavailable


def service_staff(name: str = "psychosocial") -> Staff:
    """A token holder shaped like identity's service tokens."""
    return Staff(("service",), staff_id=service_subject(name), username=f"service:{name}")


@pytest.fixture
def verifier(signing_key: SigningKey) -> TokenVerifier:
    """testsvc's verifier trusting the session's test key."""
    return TokenVerifier("testsvc", JwksCache.static_keys(signing_key.jwks()))


async def test_a_service_shaped_token_is_accepted_as_the_service(
    verifier: TokenVerifier, signing_key: SigningKey
) -> None:
    token = signing_key.sign(service_staff().claims(lifetime=300))
    principal, _ = await verifier.verify(token)
    assert principal.roles == {"service"}
    assert principal.username == "service:psychosocial"


@pytest.mark.parametrize(
    "staff",
    [
        Staff(("service",)),  # a staff-shaped subject and username
        Staff(("service", "admin"), staff_id=service_subject("x"), username="service:x"),
        Staff(("service",), ("team",), staff_id=service_subject("x"), username="service:x"),
        Staff(("service",), staff_id=service_subject("x"), username="service:y"),
        Staff(("service",), staff_id=uuid.uuid4(), username="service:x"),
        Staff(("service",), staff_id=service_subject(""), username="service:"),
    ],
)
async def test_the_service_role_in_any_other_shape_is_refused(
    verifier: TokenVerifier, signing_key: SigningKey, staff: Staff
) -> None:
    with pytest.raises(Unauthenticated, match="malformed"):
        await verifier.verify(signing_key.sign(staff.claims()))


async def test_an_expired_service_token_is_refused(
    verifier: TokenVerifier, signing_key: SigningKey
) -> None:
    token = signing_key.sign(service_staff().claims(lifetime=300, issued_ago=400))
    with pytest.raises(Unauthenticated, match="expired"):
        await verifier.verify(token)


class Issuer:
    """A stand-in for identity's token endpoint: counts requests, issues opaque tokens."""

    def __init__(self, lifetime: int = 300) -> None:
        self.lifetime = lifetime
        self.requests: list[dict[str, Any]] = []

    def handle(self, request: httpx.Request) -> httpx.Response:
        body = json.loads(request.content)
        self.requests.append(body)
        if request.url.path != "/auth/service-token" or body["client_secret"] != "s3cret-synthetic":
            return httpx.Response(401, json={"error": "InvalidClient"})
        token = f"token-{len(self.requests)}-{'.'.join(body['audience'])}"
        return httpx.Response(
            200, json={"access_token": token, "expires_in": self.lifetime, "token_type": "Bearer"}
        )


async def test_the_client_caches_per_audience_and_renews_before_expiry() -> None:
    issuer, now = Issuer(), [1000.0]
    client = httpx.AsyncClient(transport=httpx.MockTransport(issuer.handle))
    tokens = ServiceTokens(
        "reporting", "s3cret-synthetic", "http://identity/", client=client, clock=lambda: now[0]
    )
    auth = tokens.auth("intake")
    assert await auth() == {"Authorization": "Bearer token-1-intake"}
    now[0] += 200
    assert await auth() == {"Authorization": "Bearer token-1-intake"}
    assert await tokens.token("psychosocial", "intake") == "token-2-intake.psychosocial"
    now[0] += 41  # 59 s left of 300: inside the renewal margin (60 s)
    assert await auth() == {"Authorization": "Bearer token-3-intake"}
    assert issuer.requests[0] == {
        "grant_type": "client_credentials",
        "client_id": "reporting",
        "client_secret": "s3cret-synthetic",
        "audience": ["intake"],
    }
    await tokens.aclose()


async def test_a_refused_secret_raises_and_identity_is_left_alone_for_a_while() -> None:
    issuer, now = Issuer(), [1000.0]
    client = httpx.AsyncClient(transport=httpx.MockTransport(issuer.handle))
    tokens = ServiceTokens(
        "reporting", "wrong", "http://identity", client=client, clock=lambda: now[0]
    )
    with pytest.raises(httpx.HTTPStatusError):
        await tokens.headers("intake")
    for _ in range(3):
        with pytest.raises(TokenUnavailable):  # an httpx.HTTPError: feeds read as "away"
            await tokens.headers("intake")
    assert len(issuer.requests) == 1
    now[0] += 5
    with pytest.raises(httpx.HTTPStatusError):
        await tokens.headers("intake")
    assert len(issuer.requests) == 2
    await tokens.aclose()


async def test_settings_give_the_client_or_none(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("PSYCHOSOCIAL_SERVICE_CLIENT_SECRET_FILE", raising=False)
    assert ServiceTokens.for_service("psychosocial") is None
    secret = tmp_path / "psychosocial.client-secret"
    secret.write_text("s3cret-synthetic\n")
    monkeypatch.setenv("PSYCHOSOCIAL_SERVICE_CLIENT_SECRET_FILE", str(secret))
    monkeypatch.setenv("PSYCHOSOCIAL_IDENTITY_URL", "http://127.0.0.1:9")
    tokens = ServiceTokens.for_service("psychosocial")
    assert tokens is not None
    assert tokens.client_id == "psychosocial"
    await tokens.aclose()
    secret.write_text("  \n")
    with pytest.raises(ValueError, match="empty"):
        ServiceTokens.for_service("psychosocial", AccessSettings.for_service("psychosocial"))
