"""The portal's own safety rules, in process (no service needed): the sealed session cookie, the
idle and absolute limits, CSRF refusals, security headers, and production refusing shortcuts."""

from __future__ import annotations

import time
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from pydantic import ValidationError
from uponyaji_portal.app import create_app
from uponyaji_portal.session import COOKIE, Session, SessionCodec, load_key
from uponyaji_portal.settings import Settings

KEY = bytes(range(32))


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    key = tmp_path / "portal.kek"
    load_key(key, "test")  # created (0600) outside production
    return Settings(
        UPONYAJI_ENV="test",
        kek_file=key,
        UPONYAJI_SERVICE_URLS={"identity": "http://127.0.0.1:9"},  # nobody there
    )


@pytest.fixture
def client(settings: Settings) -> TestClient:
    return TestClient(create_app(settings), follow_redirects=False)


def test_the_cookie_is_sealed_and_tampering_is_refused() -> None:
    codec = SessionCodec(KEY)
    sealed = codec.seal(Session(access_token="secret-token", username="demo.counsellor"))
    assert "secret-token" not in sealed
    assert "demo.counsellor" not in sealed
    opened = codec.open(sealed)
    assert opened is not None
    assert opened.access_token == "secret-token"
    tampered = sealed[:-6] + ("A" if sealed[-6] != "A" else "B") + sealed[-5:]
    assert codec.open(tampered) is None
    assert SessionCodec(bytes(32)).open(sealed) is None  # another portal's key


def test_idle_and_absolute_limits() -> None:
    now = time.time()
    fresh = Session(access_token="t", started=now - 60, seen=now - 60)
    assert not fresh.expired(now, idle_seconds=1800, absolute_seconds=8 * 3600)
    idle = Session(access_token="t", started=now - 3600, seen=now - 1801)
    assert idle.expired(now, idle_seconds=1800, absolute_seconds=8 * 3600)
    old = Session(access_token="t", started=now - 8 * 3600 - 1, seen=now - 5)
    assert old.expired(now, idle_seconds=1800, absolute_seconds=8 * 3600)


def test_an_idle_session_ends_and_the_user_is_asked_to_sign_in(
    client: TestClient, settings: Settings
) -> None:
    assert settings.kek_file is not None
    codec = SessionCodec(load_key(settings.kek_file, "test"))
    now = time.time()
    stale = Session(access_token="t", access_expires=now + 600, started=now - 3600, seen=now - 1900)
    client.cookies.set(COOKIE, codec.seal(stale))
    response = client.get("/risk-flags")
    assert response.status_code == 303
    assert response.headers["location"] == "/sign-in"
    page = client.get("/sign-in")
    assert "Your session ended" in page.text


def test_posts_without_the_csrf_token_or_from_another_origin_are_refused(
    client: TestClient,
) -> None:
    page = client.get("/sign-in")
    assert page.status_code == 200
    token = page.text.split('name="csrf_token" value="')[1].split('"')[0]
    body = {"username": "demo.x", "password": "y" * 12, "totp_code": "123456"}
    assert client.post("/sign-in", data=body).status_code == 403
    assert client.post("/sign-in", data={**body, "csrf_token": "forged"}).status_code == 403
    foreign = client.post(
        "/sign-in", data={**body, "csrf_token": token}, headers={"origin": "https://evil.example"}
    )
    assert foreign.status_code == 403
    # With the token, the post goes on to identity (unreachable here: a clear message, no 500).
    answered = client.post("/sign-in", data={**body, "csrf_token": token})
    assert answered.status_code == 503
    assert "not available" in answered.text


def test_every_page_carries_the_security_headers_and_no_store(client: TestClient) -> None:
    response = client.get("/sign-in")
    csp = response.headers["content-security-policy"]
    assert "script-src 'self'" in csp
    assert "unsafe-inline" not in csp
    assert "frame-ancestors 'none'" in csp
    assert response.headers["cache-control"] == "no-store"
    assert response.headers["x-content-type-options"] == "nosniff"
    cookie = response.headers["set-cookie"].lower()
    assert "httponly" in cookie
    assert "samesite=strict" in cookie
    assert "<script>" not in response.text  # no inline script: only /static/portal.js


def test_the_language_switch_is_remembered(client: TestClient) -> None:
    page = client.get("/sign-in")
    token = page.text.split('name="csrf_token" value="')[1].split('"')[0]
    switched = client.post(
        "/language", data={"lang": "sw", "next": "/sign-in", "csrf_token": token}
    )
    assert switched.status_code == 303
    assert 'lang="sw"' in client.get("/sign-in").text
    client.cookies.delete(COOKIE)  # a new session on this browser still speaks Kiswahili
    assert 'lang="sw"' in client.get("/sign-in").text


def test_pages_need_a_signed_in_user(client: TestClient) -> None:
    for path in ("/", "/survivors/search", "/risk-flags", "/dashboard", "/audit"):
        response = client.get(path)
        assert response.status_code == 303, path
        assert response.headers["location"] == "/sign-in"


def test_production_refuses_the_development_shortcuts(tmp_path: Path) -> None:
    key = tmp_path / "k"
    load_key(key, "test")
    with pytest.raises(ValidationError, match="development only"):
        Settings(UPONYAJI_ENV="production", kek_file=key, demo_logins_file=tmp_path / "demo.json")
    with pytest.raises(ValidationError, match="PORTAL_KEK_FILE"):
        Settings(UPONYAJI_ENV="production")
    with pytest.raises(ValidationError, match="SECURE_COOKIES"):
        Settings(UPONYAJI_ENV="production", kek_file=key, secure_cookies=False)
    assert Settings(UPONYAJI_ENV="production", kek_file=key).cookies_secure


def test_static_files_are_versioned_and_cached_for_a_year(client: TestClient) -> None:
    page = client.get("/sign-in").text
    stylesheet = page.split('rel="stylesheet" href="')[1].split('"')[0]
    assert stylesheet.startswith("/static/portal.css?v=")
    response = client.get(stylesheet)
    assert response.status_code == 200
    assert "max-age=31536000" in response.headers["cache-control"]
