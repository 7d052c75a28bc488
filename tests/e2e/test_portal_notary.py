"""The data protection officer's notary page in a real browser, over a real service's notary.

Identity (seeded), psychosocial with its notary on a short schedule, and the portal run as
processes, the way the launcher starts them; Debian's headless Chromium signs in as the demo
data protection officer. The page shows the head the notary wrote to its file outside the
database, refuses a malformed survivor id, exports proofs, and shows the alarm after a superuser
deletes an event.
"""

from __future__ import annotations

import json
import os
import time
from collections.abc import Iterator
from contextlib import ExitStack
from pathlib import Path

import pytest
from kit.browser import axe, browser, check_page, sign_in
from playwright.sync_api import Browser, Page
from portal_stack import PortalStack
from reporting_stack import seed_identity
from servicehost import app_target, running_service, service_env
from uponyaji_events.signing import ensure_signing_key
from uponyaji_launcher.clients import client_env, provision_clients
from uponyaji_launcher.nats import EmbeddedNats
from uponyaji_launcher.paths import RunPaths
from uponyaji_launcher.ports import free_port
from uponyaji_launcher.postgres import EmbeddedPostgres
from uponyaji_portal.settings import SERVICES as PORTAL_SERVICES

RUNNING = ("identity", "psychosocial")
__all__ = ["axe", "browser"]  # fixtures, shared by name


@pytest.fixture(scope="module")
def stack(
    nats_server: EmbeddedNats,
    postgres: EmbeddedPostgres,
    kernel_template: str,
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[tuple[PortalStack, Path, str]]:
    folder = tmp_path_factory.mktemp("notary-portal")
    ports = {name: free_port() for name in (*RUNNING, "portal")}
    urls = {name: f"http://127.0.0.1:{port}" for name, port in ports.items()}
    service_urls = json.dumps({name: urls[name] for name in RUNNING})
    logs = {name: folder / f"{name}.log" for name in ports}
    databases = {name: f"notary{os.getpid()}_{name}" for name in RUNNING}
    heads = folder / "notary" / "psychosocial.heads.jsonl"
    run = RunPaths(folder / "run")
    provision_clients(run, RUNNING)
    logins = {}
    with ExitStack() as started:
        for name in RUNNING:
            postgres.psql(f'CREATE DATABASE "{databases[name]}" TEMPLATE "{kernel_template}"')
            secrets = folder / "secrets" / name
            secrets.mkdir(parents=True, mode=0o700)
            ensure_signing_key(secrets / "signing")
            extra = {"signing_key_dir": str(secrets / "signing")}
            if name == "psychosocial":
                extra |= {
                    "notary_heads_file": str(heads),
                    "notary_interval": "0.5",
                    "notary_verify_interval": "1",
                }
            env = service_env(
                name,
                database_url=postgres.url(databases[name]),
                nats_url=nats_server.url,
                secrets=secrets,
                port=ports[name],
                **extra,
            )
            env["UPONYAJI_SERVICE_URLS"] = service_urls
            env.update(client_env(run, name))
            if name == "identity":
                env["UPONYAJI_ENV"] = "development"  # demo accounts are development-only
            started.enter_context(
                running_service(
                    app_target(name), port=ports[name], env=env, log_path=logs[name], seconds=120
                )
            )
            if name == "identity":
                logins = seed_identity(env)
                (folder / "demo-logins.json").write_text(
                    json.dumps({"identity": list(logins.values())})
                )
        env = {
            **os.environ,
            "UPONYAJI_ENV": "development",
            "UPONYAJI_SERVICE_URLS": service_urls,
            "PORTAL_PORT": str(ports["portal"]),
            "PORTAL_KEK_FILE": str(folder / "secrets" / "portal.kek"),
            "PORTAL_DEMO_LOGINS_FILE": str(folder / "demo-logins.json"),
        }
        for name in PORTAL_SERVICES:  # the services not started here answer nothing
            if name not in RUNNING:
                env[f"PORTAL_{name.upper()}_URL"] = "http://127.0.0.1:9"
        started.enter_context(
            running_service(
                "uponyaji_portal.app:create_app",
                port=ports["portal"],
                env=env,
                log_path=logs["portal"],
                seconds=60,
            )
        )
        portal = PortalStack(urls, urls["portal"], logs, logins, folder / "secrets" / "portal.kek")
        yield portal, heads, databases["psychosocial"]


def wait_for(page: Page, text: str, seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while text not in page.content() and time.monotonic() < deadline:
        time.sleep(0.5)
        page.reload()
    assert text in page.content(), page.inner_text("main")


def test_the_dpo_sees_heads_exports_proofs_and_the_alarm(
    stack: tuple[PortalStack, Path, str], browser: Browser, axe: str, postgres: EmbeddedPostgres
) -> None:
    portal, heads_file, database = stack
    page = sign_in(browser, portal, "data_protection_officer", "en", axe)
    assert page.is_visible("nav a[href='/notary']")

    # A malformed survivor id is refused on the page, naming the field.
    response = page.goto(f"{portal.portal}/notary/proofs?survivor_id=not-an-id")
    assert response is not None
    assert response.status == 422
    assert page.is_visible("#survivor_id-error")
    check_page(page, axe, response)

    # Exporting proofs is audited by each service: psychosocial's log grows, its notary signs.
    page.goto(f"{portal.portal}/notary")
    page.fill("#survivor_id", "0190c3d2-7e41-7b3a-9f2e-3a1c5d7e9b10")
    with page.expect_download() as download:
        page.click("form[action='/notary/proofs'] button[type=submit]")
    bundle = json.loads(Path(download.value.path()).read_text())
    assert bundle["survivor_id"] == "0190c3d2-7e41-7b3a-9f2e-3a1c5d7e9b10"
    assert bundle["services"]["psychosocial"]["error"] == "SurvivorNotFound"

    page.goto(f"{portal.portal}/notary")
    wait_for(page, 'class="hash"')  # the head signed after the export was audited
    row = page.locator("tr[data-service='psychosocial']")
    shown = row.locator("code.hash").inner_text()
    written = [json.loads(line)["root_hash"] for line in heads_file.read_text().splitlines()]
    assert shown in written  # the root on the page is one the notary wrote outside the database
    assert "Consistent" in row.inner_text()
    assert "did not answer" in page.locator("tr[data-service='medical']").inner_text()
    check_page(page, axe)

    # A superuser deletes the last event the notary has signed: its scheduled check raises the
    # alarm. (An event after the latest head is not yet in the log; on the shared test NATS such
    # events keep arriving, as alarms about other tests' events.)
    signed = int(json.loads(heads_file.read_text().splitlines()[-1])["tree_size"])
    delete = f"DELETE FROM events WHERE position = {signed}"  # noqa: S608 (an int)
    postgres.psql(
        f"BEGIN; SET LOCAL session_replication_role = replica; {delete}; COMMIT;", database
    )
    wait_for(page, "Tampering detected")
    alarm = row.inner_text()  # in words that depend on whether later events exist
    assert any(w in alarm for w in ("events deleted at the end", "removed", "is missing")), alarm
    check_page(page, axe)
    page.context.close()
