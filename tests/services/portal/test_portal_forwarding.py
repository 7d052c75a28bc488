"""Sign-ins through the portal reach identity with the staff member's address, not the portal's:
identity keeps locks and audit records per address (a stand-in identity records what it got)."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx
import pytest
import uvicorn
from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse
from uponyaji_launcher.ports import free_port
from uponyaji_portal.app import create_app
from uponyaji_portal.settings import Settings


@pytest.fixture(scope="module")
def identity() -> Iterator[tuple[str, list[str | None]]]:
    """A stand-in identity refusing every sign-in and noting the forwarded address it was given."""
    seen: list[str | None] = []
    app = FastAPI()

    @app.post("/auth/login")
    async def login(request: Request) -> JSONResponse:
        seen.append(request.headers.get("x-forwarded-for"))
        return JSONResponse({"error": "InvalidCredentials", "detail": "no"}, status_code=401)

    with serving(app) as url:
        yield url, seen


def portal_settings(identity_url: str, folder: Path) -> Settings:
    """A test portal whose identity is the stand-in."""
    urls = {"identity": identity_url}
    return Settings(UPONYAJI_ENV="test", kek_file=folder / "portal.kek", UPONYAJI_SERVICE_URLS=urls)


@contextmanager
def serving(app: FastAPI) -> Iterator[str]:
    """Serve an app on a free local port (a real HTTP server in a thread); its base URL."""
    port = free_port()
    # As the launcher and the image serve: uvicorn leaves X-Forwarded-For to the application.
    config = uvicorn.Config(app, port=port, log_level="warning", proxy_headers=False)
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not server.started and time.monotonic() < deadline:
        time.sleep(0.05)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(5)


def sign_in(portal: str, headers: dict[str, str] | None = None) -> int:
    """Post a (wrong) sign-in through the portal's form; the portal's answer status."""
    with httpx.Client(base_url=portal, trust_env=False, follow_redirects=False) as browser:
        page = browser.get("/sign-in")
        token = page.text.split('name="csrf_token" value="')[1].split('"')[0]
        body = {"username": "demo.counsellor", "password": "wrong", "totp_code": "000000"}
        form = {**body, "csrf_token": token}
        return browser.post("/sign-in", data=form, headers=headers or {}).status_code


def test_identity_hears_the_browsers_address_and_never_one_the_browser_chose(
    identity: tuple[str, list[str | None]], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    url, seen = identity
    monkeypatch.delenv("UPONYAJI_TRUSTED_PROXIES", raising=False)
    with serving(create_app(portal_settings(url, tmp_path))) as portal:
        assert sign_in(portal) == 401
        # A header the browser sends itself is not believed: the portal trusts no proxy.
        assert sign_in(portal, {"X-Forwarded-For": "198.51.100.99"}) == 401
    assert seen[-2:] == ["127.0.0.1", "127.0.0.1"]  # the browser's own address (this host)


def test_behind_a_trusted_proxy_the_portal_forwards_the_address_the_proxy_reports(
    identity: tuple[str, list[str | None]], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    url, seen = identity
    monkeypatch.setenv("UPONYAJI_TRUSTED_PROXIES", "127.0.0.1")  # the proxy runs on this host
    with serving(create_app(portal_settings(url, tmp_path))) as portal:
        assert sign_in(portal, {"X-Forwarded-For": "203.0.113.7"}) == 401
    assert seen[-1] == "203.0.113.7"
