"""Start a service the way the launcher does (uvicorn subprocess, launcher env), for tests."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx
import pytest

ROOT = Path(__file__).resolve().parents[1]


# Web pages, not an API: no OpenAPI document, no event store. Its browser tests cover it.
NOT_API_SERVICES = frozenset({"portal"})


def discover_services() -> list[str]:
    """Every service with an app in the repository (they grow as services arrive)."""
    return sorted(
        folder.name
        for folder in (ROOT / "services").glob("*/")
        if folder.name not in NOT_API_SERVICES
        and (
            (folder / f"uponyaji_{folder.name}" / "app.py").exists()
            or (folder / folder.name / "app.py").exists()
        )
    )


def service_package(name: str) -> str:
    """A service's import package: `uponyaji_<name>`, or `<name>` for one not yet renamed."""
    renamed = ROOT / "services" / name / f"uponyaji_{name}"
    return renamed.name if renamed.is_dir() else name


def app_target(name: str) -> str:
    """What uvicorn serves for a service: `<package>.app:create_app`."""
    return f"{service_package(name)}.app:create_app"


def service_env(
    name: str, *, database_url: str, nats_url: str, secrets: Path, port: int, **extra: str
) -> dict[str, str]:
    """The launcher's environment contract for one service, in test mode."""
    prefix = name.upper()
    env = {
        **os.environ,
        "UPONYAJI_ENV": "test",
        f"{prefix}_DATABASE_URL": database_url,
        f"{prefix}_NATS_URL": nats_url,
        f"{prefix}_KEK_FILE": str(secrets / "kek"),
        f"{prefix}_PORT": str(port),
    }
    env.update({f"{prefix}_{key.upper()}": value for key, value in extra.items()})
    return env


@contextmanager
def running_service(
    app: str,
    *,
    port: int,
    env: dict[str, str],
    log_path: Path,
    seconds: float = 60,
    workers: int = 1,
) -> Iterator[str]:
    """Run `uvicorn --factory <app>` (with `workers` worker processes) until the block ends;
    yield its base URL once healthy."""
    with log_path.open("wb") as log:
        process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "uvicorn",
                "--factory",
                app,
                "--host",
                "127.0.0.1",
                "--port",
                str(port),
                "--no-proxy-headers",  # as the launcher: trusted proxies are the app's to judge
                *(["--workers", str(workers)] if workers > 1 else []),
            ],
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + seconds
        while True:
            try:
                if httpx.get(f"{url}/health", timeout=1, trust_env=False).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            if process.poll() is not None:
                pytest.fail(f"{app} exited at start; see {log_path}")
            if time.monotonic() > deadline:
                pytest.fail(f"{app} never became healthy; see {log_path}")
            time.sleep(0.2)
        yield url
    finally:
        process.terminate()
        try:
            process.wait(15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(5)
