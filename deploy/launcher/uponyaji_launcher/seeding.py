"""Demo data: run `python -m <name>.seed` and collect the demo accounts it prints."""

from __future__ import annotations

import json
import subprocess
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from uponyaji_launcher.failures import Interrupted
from uponyaji_launcher.paths import open_log

SEED_TIMEOUT = 300.0


class SeedError(RuntimeError):
    """A service's seeding exited non-zero or ran too long."""


def parse_logins(output: str) -> tuple[list[dict[str, str]], list[str]]:
    """Split seed output into demo accounts (JSON objects with a `login`) and other lines."""
    logins: list[dict[str, str]] = []
    other: list[str] = []
    for line in output.splitlines():
        stripped = line.strip()
        if not stripped:
            continue
        try:
            data = json.loads(stripped)
        except ValueError:
            data = None
        if isinstance(data, dict) and "login" in data:
            logins.append({str(k): "" if v is None else str(v) for k, v in data.items()})
        else:
            other.append(line)
    return logins, other


def run_seed(
    name: str,
    python: str,
    env: dict[str, str],
    log: Path,
    stop_requested: Callable[[], bool],
    timeout: float = SEED_TIMEOUT,
    *,
    package: str | None = None,
) -> list[dict[str, str]]:
    """Run `python -m <package>.seed` with the service's environment; return the demo accounts."""
    log.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryFile() as out, open_log(log) as err:
        err.write(f"\n--- {time.strftime('%Y-%m-%d %H:%M:%S')} seeding {name}\n".encode())
        err.flush()
        process = subprocess.Popen(
            [python, "-m", f"{package or name}.seed"],
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=out,
            stderr=err,
            start_new_session=True,
        )
        deadline = time.monotonic() + timeout
        try:
            while process.poll() is None:
                if stop_requested():
                    raise Interrupted(f"stopped while seeding {name}")
                if time.monotonic() > deadline:
                    raise SeedError(f"seeding {name} did not finish within {timeout:.0f}s")
                time.sleep(0.1)
        finally:
            if process.poll() is None:
                process.kill()
                process.wait()
        out.seek(0)
        logins, other = parse_logins(out.read().decode("utf-8", errors="replace"))
        if other:
            err.write(("\n".join(other) + "\n").encode())
        if process.returncode != 0:
            raise SeedError(f"seeding {name} exited with code {process.returncode}")
    return logins
