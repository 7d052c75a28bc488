"""The entry point on a busy host: workers slow to start are waited for, not killed in a loop.

Run in a real container engine on a loaded 2-core machine, the portal never became ready: each
new uvicorn worker took longer than uvicorn's 5 s health ping to start, the supervisor killed
it and started another, forever. Here a worker's start is made slow on purpose (a
`sitecustomize` that sleeps in spawned worker processes only) and the service must still serve.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import pytest
from uponyaji_launcher.nats import EmbeddedNats
from uponyaji_launcher.ports import free_port
from uponyaji_serve.cli import WORKER_PING_ENV, ServeError, serve_command

SLOW_WORKER_SECONDS = 8  # more than uvicorn's default 5 s ping timeout

SLOW_START = f"""
import sys, time
if "--multiprocessing-fork" in sys.argv:  # a spawned uvicorn worker, not the supervisor
    time.sleep({SLOW_WORKER_SECONDS})
"""


def test_workers_slower_to_start_than_five_seconds_still_serve(
    nats_server: EmbeddedNats, new_database_url: Callable[[], str], tmp_path: Path
) -> None:
    """Two intake workers that each take 8 s to start: intake becomes ready, none is killed."""
    site = tmp_path / "site"
    site.mkdir()
    (site / "sitecustomize.py").write_text(SLOW_START)
    port = free_port()
    env = {
        "PATH": str(Path(sys.executable).parent),
        "PYTHONPATH": str(site),
        "UPONYAJI_ENV": "test",
        "UPONYAJI_HOST": "127.0.0.1",
        "INTAKE_PORT": str(port),
        "INTAKE_DATABASE_URL": new_database_url(),
        "INTAKE_NATS_URL": nats_server.url,
        "INTAKE_KEK_FILE": str(tmp_path / "kek"),
        "UPONYAJI_WORKERS": "2",
    }
    serve = shutil.which("uponyaji-serve", path=env["PATH"])
    assert serve is not None
    log_path = tmp_path / "intake.log"
    with log_path.open("wb") as log:
        process = subprocess.Popen([serve, "intake"], env=env, stdout=log, stderr=subprocess.STDOUT)
    try:
        probe = [serve, "probe", "intake"]
        deadline = time.monotonic() + 90
        while subprocess.run(probe, env=env, capture_output=True, check=False).returncode != 0:
            assert process.poll() is None, log_path.read_text()[-3000:]
            if time.monotonic() > deadline:
                pytest.fail("intake never became ready: " + log_path.read_text()[-3000:])
            time.sleep(0.5)
        assert "died" not in log_path.read_text()  # no worker was killed for being slow
    finally:
        process.terminate()
        process.wait(30)


def test_the_worker_ping_timeout_is_set_and_checked() -> None:
    """The supervisor's ping timeout is 60 s unless set; a value out of 5..600 s is refused."""
    argv, _ = serve_command("intake", {"UPONYAJI_ENV": "test"})
    at = argv.index("--timeout-worker-healthcheck")
    assert argv[at + 1] == "60"
    argv, _ = serve_command("intake", {"UPONYAJI_ENV": "test", WORKER_PING_ENV: "120"})
    assert argv[argv.index("--timeout-worker-healthcheck") + 1] == "120"
    for bad in ("2", "ten", "601"):
        with pytest.raises(ServeError, match=WORKER_PING_ENV):
            serve_command("intake", {"UPONYAJI_ENV": "test", WORKER_PING_ENV: bad})
