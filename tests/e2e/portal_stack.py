"""The portal in front of identity, intake, psychosocial, reporting, medical and empowerment, all
as processes, for the browser tests (tests/kit/browser.py drives Debian's headless Chromium).

The services start the way the launcher starts them (reporting_stack.py); the portal runs in
development mode with the demo logins file the launcher writes, so the tests read each account's
current TOTP code from the sign-in page, as a newcomer would.
"""

from __future__ import annotations

import json
import os
import time
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from reporting_stack import seed_identity
from servicehost import app_target, running_service, service_env
from uponyaji_identity.security.totp import code_at
from uponyaji_launcher.clients import client_env, provision_clients
from uponyaji_launcher.nats import EmbeddedNats
from uponyaji_launcher.paths import RunPaths
from uponyaji_launcher.ports import free_port

SERVICES = ("identity", "intake", "psychosocial", "reporting", "medical", "empowerment")


@dataclass
class PortalStack:
    """The running services and portal, their logs, and the demo accounts by role."""

    urls: dict[str, str]
    portal: str
    logs: dict[str, Path]
    logins: dict[str, dict[str, Any]]
    key_file: Path
    used_steps: dict[str, int] = field(default_factory=dict)

    def tails(self, lines: int = 30) -> str:
        """The last lines of every log (for failure messages)."""
        out = []
        for name, path in self.logs.items():
            text = path.read_text(errors="replace").splitlines() if path.exists() else []
            out.append(f"--- {name}\n" + "\n".join(text[-lines:]))
        return "\n".join(out)

    def totp(self, key: str, secret: str) -> str:
        """A TOTP code of a 30-s step this account (`key`: role or username) has not used yet.

        Identity accepts each step once, only later than the last one accepted, and within one
        step either side of its own. So up to three codes are free at once (the previous step
        only while at least 10 s of the current one remain); beyond that this waits for the
        next step.
        """
        while True:
            now = time.time()
            current = int(now) // 30
            earliest = current - 1 if 30 - now % 30 > 10 else current
            step = max(self.used_steps.get(key, -1) + 1, earliest)
            if step <= current + 1:
                self.used_steps[key] = step
                return code_at(secret, step * 30)
            time.sleep(0.5)


@contextmanager
def running_portal_stack(
    nats: EmbeddedNats, postgres_url: Any, folder: Path, services: tuple[str, ...] = SERVICES
) -> Iterator[PortalStack]:
    """Identity (seeded), intake, psychosocial, reporting, medical, empowerment (or only
    `services`) and the portal (development mode)."""
    ports = {name: free_port() for name in (*services, "portal")}
    urls = {name: f"http://127.0.0.1:{port}" for name, port in ports.items()}
    service_urls = json.dumps({name: urls[name] for name in services})
    logs = {name: folder / f"{name}.log" for name in ports}
    demo_file = folder / "demo-logins.json"
    logins: dict[str, dict[str, Any]] = {}
    # Service clients, as the launcher provisions them: consumers read their sources' feeds and
    # public signing keys with service tokens.
    run = RunPaths(folder / "run")
    provision_clients(run, services)
    with ExitStack() as stack:
        for name in services:
            secrets = folder / "secrets" / name
            secrets.mkdir(parents=True)
            env = service_env(
                name,
                database_url=postgres_url(),
                nats_url=nats.url,
                secrets=secrets,
                port=ports[name],
            )
            env["UPONYAJI_SERVICE_URLS"] = service_urls
            env.update(client_env(run, name))
            if name == "identity":
                env["UPONYAJI_ENV"] = "development"  # demo accounts are development-only
                # Every story signs in from one address, which identity allows 20 sign-ins a
                # minute (its own tests check that limit); the stories sign in faster than that.
                env["IDENTITY_AUTH_RATE_PER_MINUTE"] = "1000"
            stack.enter_context(
                running_service(
                    app_target(name),
                    port=ports[name],
                    env=env,
                    log_path=logs[name],
                    seconds=120,
                )
            )
            if name == "identity":
                logins = seed_identity(env)
                demo_file.write_text(json.dumps({"identity": list(logins.values())}))
        env = {
            **os.environ,
            "UPONYAJI_ENV": "development",
            "UPONYAJI_SERVICE_URLS": service_urls,
            "PORTAL_PORT": str(ports["portal"]),
            "PORTAL_KEK_FILE": str(folder / "secrets" / "portal.kek"),
            "PORTAL_DEMO_LOGINS_FILE": str(demo_file),
        }
        stack.enter_context(
            running_service(
                "uponyaji_portal.app:create_app",
                port=ports["portal"],
                env=env,
                log_path=logs["portal"],
                seconds=60,
            )
        )
        yield PortalStack(urls, urls["portal"], logs, logins, folder / "secrets" / "portal.kek")
