"""Identity, intake, psychosocial and reporting as processes on one NATS, and HTTP as their users.

Started the way the launcher starts them (uvicorn, the launcher's environment contract, one
database each, `UPONYAJI_SERVICE_URLS`), with identity's demo accounts
(`python -m uponyaji_identity.seed`) signing in with password and TOTP. Nothing is stubbed:
tokens come from identity and are verified against its JWKS, and intake's events reach
psychosocial and reporting only through the outbox relay and NATS (the sources' `/feed`
refuses services without credentials, docs/access.md).
"""

from __future__ import annotations

import asyncio
import json
import subprocess
import sys
import time
from collections.abc import Awaitable, Callable, Iterator, Mapping
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import jwt
import pytest
from servicehost import app_target, running_service, service_env
from uponyaji_identity.security.totp import code_at
from uponyaji_launcher.clients import client_env, provision_clients
from uponyaji_launcher.nats import EmbeddedNats
from uponyaji_launcher.paths import RunPaths
from uponyaji_launcher.ports import free_port

SERVICES = ("identity", "intake", "psychosocial", "reporting")
ROLES = ("intake_officer", "counsellor", "programme_lead")
RETRIED = {404: "SurvivorNotFound", 409: "ConsentRequired"}


@dataclass
class Stack:
    """The running services, their logs, and signed-in demo staff by role."""

    urls: dict[str, str]
    logs: dict[str, Path]
    tokens: dict[str, str]
    nats: EmbeddedNats

    @property
    def team(self) -> str:
        """The intake officer's (and counsellor's) team id: "Nairobi Field Office"."""
        teams: list[str] = jwt.decode(
            self.tokens["intake_officer"], options={"verify_signature": False}
        )["teams"]
        return teams[0]

    def staff_id(self, role: str) -> str:
        """The signed-in demo account's staff id (the token's subject)."""
        claims = jwt.decode(self.tokens[role], options={"verify_signature": False})
        return str(claims["sub"])

    def client(self, service: str, role: str) -> httpx.AsyncClient:
        """An HTTP client to one service, acting as the demo account of `role`."""
        return httpx.AsyncClient(
            base_url=self.urls[service],
            headers={"Authorization": f"Bearer {self.tokens[role]}"},
            timeout=30,
            trust_env=False,
        )

    def tails(self, lines: int = 30) -> str:
        """The last lines of every service's log (for failure messages)."""
        out = []
        for name, path in self.logs.items():
            text = path.read_text(errors="replace").splitlines() if path.exists() else []
            out.append(f"--- {name} ({path})\n" + "\n".join(text[-lines:]))
        return "\n".join(out)


def seed_identity(env: dict[str, str]) -> dict[str, dict[str, Any]]:
    """Run `python -m uponyaji_identity.seed` as the launcher does; the demo logins by role."""
    done = subprocess.run(
        [sys.executable, "-m", "uponyaji_identity.seed"],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    logins = [json.loads(line) for line in done.stdout.splitlines() if line.startswith("{")]
    return {login["role"]: login for login in logins}


def sign_in(identity: str, login: dict[str, Any]) -> str:
    """Password and current TOTP code at identity's /auth/login; the access token."""
    body = {
        "username": login["login"],
        "password": login["password"],
        "totp_code": code_at(login["totp_secret"], time.time()),
    }
    response = httpx.post(f"{identity}/auth/login", json=body, timeout=30, trust_env=False)
    assert response.status_code == 200, response.text
    return str(response.json()["access_token"])


@contextmanager
def running_stack(
    nats: EmbeddedNats,
    new_database_url: Callable[[], str],
    folder: Path,
    extra_env: Mapping[str, str] | None = None,
) -> Iterator[Stack]:
    """Identity (seeded, demo staff signed in), intake, psychosocial and reporting on `nats`.

    `extra_env` is added to every service's environment (e.g. the `OTEL_*` variables).
    """
    ports = {name: free_port() for name in SERVICES}
    urls = {name: f"http://127.0.0.1:{port}" for name, port in ports.items()}
    logs = {name: folder / f"{name}.log" for name in SERVICES}
    secrets = {name: folder / "secrets" / name for name in SERVICES}
    # Service clients, as the launcher provisions them: consumers read their sources' feeds and
    # public signing keys with service tokens (no token, no keys: nothing would be applied).
    run = RunPaths(folder / "run")
    provision_clients(run, SERVICES)
    with ExitStack() as stack:
        for name in SERVICES:
            secrets[name].mkdir(parents=True)
            env = service_env(
                name,
                database_url=new_database_url(),
                nats_url=nats.url,
                secrets=secrets[name],
                port=ports[name],
            )
            env["UPONYAJI_SERVICE_URLS"] = json.dumps(urls)
            env.update(client_env(run, name))
            env.update(extra_env or {})
            if name == "identity":
                env["UPONYAJI_ENV"] = "development"  # demo accounts are development-only
            app = app_target(name)
            stack.enter_context(
                running_service(app, port=ports[name], env=env, log_path=logs[name], seconds=120)
            )
            if name == "identity":
                logins = seed_identity(env)
                tokens = {role: sign_in(urls["identity"], logins[role]) for role in ROLES}
        yield Stack(urls, logs, tokens, nats)


async def until_accepted(
    send: Callable[[], Awaitable[httpx.Response]], seconds: float = 120.0
) -> httpx.Response:
    """Repeat a psychosocial command while psychosocial has not yet heard of the survivor or of
    their consent from intake (404, 409 ConsentRequired); its first other answer."""
    deadline = time.monotonic() + seconds
    while True:
        response = await send()
        waiting = RETRIED.get(response.status_code)
        if waiting is None or response.json().get("error") != waiting:
            return response
        if time.monotonic() > deadline:
            pytest.fail(f"still {response.status_code} after {seconds}s: {response.text}")
        await asyncio.sleep(0.1)


def created(response: httpx.Response) -> dict[str, Any]:
    """The body of a 201/202, failing the test with the answer otherwise."""
    assert response.status_code in (200, 201, 202), response.text
    body: dict[str, Any] = response.json()
    return body


def phq9(total: int, item9: int = 0) -> list[int]:
    """PHQ-9 responses (items 0-3) with this total and item 9 ("thoughts of self-harm")."""
    rest, items = total - item9, []
    for _ in range(8):
        items.append(min(3, rest))
        rest -= items[-1]
    assert rest == 0, (total, item9)
    assert 0 <= item9 <= 3, item9
    return [*items, item9]


def spread(total: int, items: int, top: int) -> list[int]:
    """Responses of `items` items scored 0..top, adding up to `total`."""
    out: list[int] = []
    for _ in range(items):
        out.append(min(top, total - sum(out)))
    assert sum(out) == total, (total, items, top)
    return out


def registration(name: str, county: str, gender: str, age_band: str) -> dict[str, Any]:
    """A registration body for a synthetic survivor (assigned to the officer's team)."""
    return {
        "full_name": name,
        "county_code": county,
        "gender": gender,
        "age_band": age_band,
        "preferred_language": "sw",
    }


def consent(scope: str) -> dict[str, Any]:
    """A verbal consent grant by the survivor."""
    return {"scope": scope, "decision": "grant", "method": "verbal", "language": "sw"}


def incident(perpetrators: list[str], methods: list[str]) -> dict[str, Any]:
    """An incident body with these perpetrator and method codes."""
    return {
        "occurred_from": "2025-11-03",
        "place_type": "police_station",
        "perpetrators": perpetrators,
        "methods": methods,
        "narrative": "Synthetic narrative of a fake incident (test data).",
    }


def session(held_on: str, attendance: str = "attended") -> dict[str, Any]:
    """An individual counselling session."""
    return {
        "held_on": held_on,
        "duration_minutes": 50,
        "approach": "trauma_focused_cbt",
        "attendance": attendance,
    }
