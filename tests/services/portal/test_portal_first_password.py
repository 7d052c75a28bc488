"""A first password an administrator set is replaced at the portal's sign-in: the new-password
step, against a real identity (launcher-style process, its own database)."""

from __future__ import annotations

import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import httpx
from fastapi.testclient import TestClient
from servicehost import app_target, running_service, service_env
from uponyaji_identity.security.totp import STEP_SECONDS, code_at
from uponyaji_launcher.nats import EmbeddedNats
from uponyaji_launcher.ports import free_port
from uponyaji_portal.app import create_app
from uponyaji_portal.session import load_key
from uponyaji_portal.settings import Settings

USERNAME = "test.first.admin"


def _csrf(page: str) -> str:
    return page.split('name="csrf_token" value="')[1].split('"')[0]


def test_a_new_admin_signs_in_at_the_portal_by_choosing_a_password_of_their_own(
    new_database_url: Callable[[], str], nats_server: EmbeddedNats, tmp_path: Path
) -> None:
    secrets = tmp_path / "secrets"
    secrets.mkdir()
    port = free_port()
    env = service_env(
        "identity",
        database_url=new_database_url(),
        nats_url=nats_server.url,
        secrets=secrets,
        port=port,
    )
    with running_service(
        app_target("identity"), port=port, env=env, log_path=tmp_path / "identity.log"
    ) as identity:
        made = subprocess.run(
            [sys.executable, "-m", "uponyaji_identity.bootstrap", USERNAME, "Test Admin (FAKE)"],
            env=env,
            capture_output=True,
            text=True,
            timeout=120,
            check=True,
        )
        first = made.stdout.strip().rsplit(": ", 1)[1]
        login = {"username": USERNAME, "password": first}
        enrolled = httpx.post(f"{identity}/auth/mfa/enrol", json=login, trust_env=False)
        assert enrolled.status_code == 200, enrolled.text
        secret = enrolled.json()["secret"]
        if STEP_SECONDS - time.time() % STEP_SECONDS < 10:
            time.sleep(STEP_SECONDS - time.time() % STEP_SECONDS)  # three steps ahead of us
        step = int(time.time()) // STEP_SECONDS
        confirm = {**login, "totp_code": code_at(secret, (step - 1) * STEP_SECONDS)}
        confirmed = httpx.post(f"{identity}/auth/mfa/confirm", json=confirm, trust_env=False)
        assert confirmed.status_code == 403, confirmed.text
        assert confirmed.json()["error"] == "PasswordChangeRequired"  # no token for it

        key = tmp_path / "portal.kek"
        load_key(key, "test")
        settings = Settings(
            UPONYAJI_ENV="test", kek_file=key, UPONYAJI_SERVICE_URLS={"identity": identity}
        )
        with TestClient(create_app(settings), follow_redirects=False) as portal:
            csrf = _csrf(portal.get("/sign-in").text)
            asked = portal.post(
                "/sign-in",
                data={
                    "csrf_token": csrf,
                    **login,
                    "totp_code": code_at(secret, step * STEP_SECONDS),
                },
            )
            assert asked.status_code == 403, asked.text
            assert "An administrator set this password" in asked.text
            assert 'id="new_password"' in asked.text
            assert 'id="new_password_again"' in asked.text
            assert first not in asked.text

            own = "Own-synthetic-passphrase-Kx7"
            signed = portal.post(
                "/sign-in",
                data={
                    "csrf_token": _csrf(asked.text),
                    **login,
                    "new_password": own,
                    "new_password_again": own,
                    "totp_code": code_at(secret, (step + 1) * STEP_SECONDS),
                },
            )
            assert signed.status_code == 303, signed.text
            assert signed.headers["location"] == "/"
            home = portal.get("/")
            assert home.status_code == 200
            assert "/sign-out" in home.text
        log = (tmp_path / "identity.log").read_text(encoding="utf-8", errors="replace")
        assert first not in log
        assert own not in log
