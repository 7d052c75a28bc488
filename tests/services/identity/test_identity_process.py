"""Identity as the launcher runs it: uvicorn, `python -m uponyaji_identity.seed` and `.devtoken`.

Also the log canary: the service's own output and the test's captured logs during seeding,
sign-in, refresh and logout never contain a password, a token or a TOTP secret.
"""

from __future__ import annotations

import json
import logging
import os
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from uponyaji_identity.security.totp import code_at
from uponyaji_launcher.nats import EmbeddedNats
from uponyaji_launcher.ports import free_port

ROLES = {
    "admin",
    "clinical_supervisor",
    "intake_officer",
    "clinician",
    "counsellor",
    "empowerment_officer",
    "legal_officer",
    "programme_lead",
    "data_protection_officer",
}


class Service:
    """A running identity process and the environment it was started with."""

    def __init__(self, url: str, env: dict[str, str], log: Path) -> None:
        self.url, self.env, self.log = url, env, log

    def run(
        self, *args: str, env: dict[str, str] | None = None
    ) -> subprocess.CompletedProcess[str]:
        """Run `python -m <args>` with the service's environment (or another)."""
        return subprocess.run(
            [sys.executable, "-m", *args],
            env=env or self.env,
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )


@pytest.fixture
def service(
    new_database_url: Callable[[], str], nats_server: EmbeddedNats, tmp_path: Path
) -> Iterator[Service]:
    port = free_port()
    env = {
        **os.environ,
        "UPONYAJI_ENV": "development",
        "IDENTITY_DATABASE_URL": new_database_url(),
        "IDENTITY_NATS_URL": nats_server.url,
        "IDENTITY_KEK_FILE": str(tmp_path / "secrets" / "identity.kek"),
        "IDENTITY_PORT": str(port),
    }
    log = tmp_path / "identity.log"
    with log.open("wb") as out:
        process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "uvicorn",
                "--factory",
                "uponyaji_identity.app:create_app",
                "--host",
                "127.0.0.1",
                "--port",
                str(port),
                "--log-level",
                "debug",
            ],
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
        url = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                if httpx.get(f"{url}/health", timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            assert process.poll() is None, log.read_text()
            time.sleep(0.2)
        try:
            yield Service(url, env, log)
        finally:
            process.terminate()
            process.wait(30)


def test_seed_login_devtoken_and_no_secret_in_any_log(
    service: Service, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    seeded = service.run("uponyaji_identity.seed")
    assert seeded.returncode == 0, seeded.stderr
    logins = [json.loads(line) for line in seeded.stdout.splitlines() if line.startswith("{")]
    assert {login["role"] for login in logins} == ROLES
    assert all(login["login"].startswith("demo.") for login in logins)
    teams = {team for login in logins for team in login["teams"]}
    assert teams == {"Nairobi Field Office", "Mombasa Field Office"}
    again = service.run("uponyaji_identity.seed")
    assert again.returncode == 0
    assert not [line for line in again.stdout.splitlines() if line.startswith("{")]

    secrets: list[str] = []
    counsellor = next(login for login in logins if login["role"] == "counsellor")
    secrets += [counsellor["password"], counsellor["totp_secret"]]
    with httpx.Client(base_url=service.url, timeout=10) as http:
        body: dict[str, Any] = {
            "username": counsellor["login"],
            "password": counsellor["password"],
            "totp_code": code_at(counsellor["totp_secret"], time.time()),
        }
        wrong = http.post("/auth/login", json={**body, "password": "wrong-but-long-enough-1"})
        assert wrong.status_code == 401
        secrets.append("wrong-but-long-enough-1")
        response = http.post("/auth/login", json=body)
        assert response.status_code == 200, response.text
        tokens = response.json()
        refreshed = http.post("/auth/refresh", json={"refresh_token": tokens["refresh_token"]})
        assert refreshed.status_code == 200
        secrets += [tokens["access_token"], tokens["refresh_token"]]
        secrets += [refreshed.json()["access_token"], refreshed.json()["refresh_token"]]
        headers = {"Authorization": f"Bearer {refreshed.json()['access_token']}"}
        assert http.post("/auth/logout", headers=headers).status_code == 204

        token = service.run("uponyaji_identity.devtoken", "demo.admin")
        assert token.returncode == 0, token.stderr
        admin = {"Authorization": f"Bearer {token.stdout.strip()}"}
        secrets.append(token.stdout.strip())
        accounts = http.get("/accounts", headers=admin)
        assert accounts.status_code == 200
        assert len(accounts.json()["accounts"]) == len(ROLES)
        assert "(FAKE)" in accounts.json()["accounts"][0]["display_name"]

    output = service.log.read_text() + caplog.text + seeded.stderr + token.stderr
    assert "session started" in output  # the service's own log lines are in there
    for secret in secrets:
        assert secret not in output
    assert "$argon2id$" not in output


def test_dev_only_tools_refuse_outside_development(service: Service) -> None:
    for environment in ("production", "test"):
        env = {**service.env, "UPONYAJI_ENV": environment}
        token = service.run("uponyaji_identity.devtoken", "demo.admin", env=env)
        assert token.returncode != 0
        assert "UPONYAJI_ENV=development" in token.stderr
        assert not token.stdout
        seeded = service.run("uponyaji_identity.seed", env=env)
        assert seeded.returncode != 0
        assert "UPONYAJI_ENV=development" in seeded.stderr
    rotated = service.run("uponyaji_identity.rotate_keys")
    assert rotated.returncode == 0, rotated.stderr
    assert "new signing key" in rotated.stdout
    unknown = service.run("uponyaji_identity.devtoken", "test.nobody")
    assert unknown.returncode == 1
    assert "no active account" in unknown.stderr
