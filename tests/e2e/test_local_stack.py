"""`make up` as a newcomer runs it: every installed service healthy, demo data, a working login."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, TypeVar

import httpx
import pytest
from uponyaji_launcher.ports import free_port

pytestmark = pytest.mark.slow
T = TypeVar("T")

SERVICES = ("portal", "identity", "intake", "medical", "psychosocial", "empowerment", "reporting")


def uponyaji(
    *args: str, env: dict[str, str], timeout: float = 300
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "uponyaji_launcher.cli", *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )


@pytest.fixture(scope="module")
def stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, str]]:
    run_dir = tmp_path_factory.mktemp("stack-run")
    run_dir.chmod(0o755)
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.endswith(("_DATABASE_URL", "_NATS_URL")) and key != "UPONYAJI_ENV"
    }
    env.update(
        {
            "UPONYAJI_RUN_DIR": str(run_dir),
            "UPONYAJI_PG_PORT": str(free_port()),
            "UPONYAJI_NATS_PORT": str(free_port()),
        }
    )
    for name in SERVICES:
        env[f"{name.upper()}_PORT"] = str(free_port())
    started = uponyaji("up", env=env)
    log = Path(run_dir, "stack.log")
    assert started.returncode == 0, (
        f"uponyaji up failed:\n{started.stdout}\n{started.stderr}\n"
        f"{log.read_text() if log.exists() else ''}"
    )
    env["UP_OUTPUT"] = started.stdout
    yield env
    stopped = uponyaji("down", env=env)
    assert stopped.returncode == 0, stopped.stderr


def eventually(read: Callable[[], T], done: Callable[[T], bool], seconds: float = 90) -> T:
    """What `read` gives once `done` holds (the stack's consumers may still be catching up)."""
    deadline = time.monotonic() + seconds
    while True:
        value = read()
        if done(value) or time.monotonic() > deadline:
            return value
        time.sleep(1)


def installed(env: dict[str, str]) -> list[str]:
    state = json.loads(Path(env["UPONYAJI_RUN_DIR"], "stack.json").read_text())
    return [service["name"] for service in state["summary"]["services"]]


def test_every_installed_service_is_healthy(stack: dict[str, str]) -> None:
    names = installed(stack)
    assert "identity" in names
    for name in names:
        response = httpx.get(
            f"http://127.0.0.1:{stack[name.upper() + '_PORT']}/health", timeout=5, trust_env=False
        )
        assert response.status_code == 200, f"{name}: {response.text}"


def test_a_demo_intake_officer_finds_a_seeded_survivor(stack: dict[str, str]) -> None:
    if "intake" not in installed(stack):
        pytest.skip("intake is not installed")
    first_case = f"UPJ-{datetime.now(UTC).year}-000001"
    token = uponyaji("dev", "token", "demo.intake_officer", env=stack, timeout=60)
    assert token.returncode == 0, token.stderr

    def search() -> dict[str, Any]:
        response = httpx.get(
            f"http://127.0.0.1:{stack['INTAKE_PORT']}/survivors",
            params={"q": first_case},
            headers={"Authorization": f"Bearer {token.stdout.strip()}"},
            timeout=10,
            trust_env=False,
        )
        assert response.status_code == 200, response.text
        [found] = response.json()["results"]
        return dict(found)

    # The name shows once identity's teams reached intake (the officer's team holds the case);
    # on a busy machine that can be seconds after `up` returned.
    found = eventually(search, lambda hit: hit["full_name"] is not None)
    assert found["case_number"] == first_case
    assert found["full_name"] is not None, "the officer never got to see the name"
    assert "(FAKE)" in found["full_name"]  # demo data is obviously synthetic


def test_demo_empowerment_records_reach_officers_and_leads(stack: dict[str, str]) -> None:
    if "empowerment" not in installed(stack):
        pytest.skip("empowerment is not installed")
    url = f"http://127.0.0.1:{stack['EMPOWERMENT_PORT']}"

    def get(login: str, path: str) -> httpx.Response:
        token = uponyaji("dev", "token", login, env=stack, timeout=60)
        assert token.returncode == 0, token.stderr
        headers = {"Authorization": f"Bearer {token.stdout.strip()}"}
        return httpx.get(url + path, headers=headers, timeout=10, trust_env=False)

    def follow_ups() -> list[dict[str, Any]]:
        due = get("demo.empowerment_officer", "/follow-ups/due?within_days=366")
        assert due.status_code == 200, due.text
        return list(due.json()["follow_ups"])

    # Due follow-ups are on the officer's caseload, which intake's assignments build.
    [first, *_] = eventually(follow_ups, bool)
    record = get("demo.empowerment_officer", f"/survivors/{first['survivor_id']}/empowerment")
    assert record.status_code == 200, record.text
    assert "(FAKE)" in record.json()["needs_assessments"][0]["notes"]
    lines = get("demo.programme_lead", "/budget-lines").json()["budget_lines"]
    assert any(line["committed_kes"] != "0.00" for line in lines)


def test_the_portal_url_comes_first_and_its_sign_in_offers_demo_codes(
    stack: dict[str, str],
) -> None:
    if "portal" not in installed(stack):
        pytest.skip("the portal is not installed")
    portal = f"http://127.0.0.1:{stack['PORTAL_PORT']}"
    output = stack["UP_OUTPUT"]
    assert portal in output
    assert output.index(portal) < output.index(f"http://127.0.0.1:{stack['IDENTITY_PORT']}")
    page = httpx.get(f"{portal}/sign-in", timeout=10, trust_env=False).text
    assert "demo.intake_officer" in page
    assert re.search(r"<code>\d{6}</code>", page), "no current TOTP code on the sign-in page"
