"""One service process: uvicorn serving `<package>.app:create_app`, logging to .run/logs/."""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import time
from dataclasses import dataclass, field
from pathlib import Path

import httpx

from uponyaji_launcher.paths import open_log

# How long a service keeps an idle HTTP connection open (uvicorn's default is 5 s). Longer than
# any client or proxy in front keeps one idle (the portal: 2 s; common load balancers: 60 s), so
# the client always gives up first: a server closing a connection just as a client reuses it
# drops that request.
KEEP_ALIVE_SECONDS = 75


def app_command(python: str, package: str, port: int, workers: int = 1) -> list[str]:
    """The command line that serves a service's package (the contract in docs/running.md).

    With `workers` > 1, uvicorn runs that many worker processes on the port; one of them
    relays the service's events at a time (the relay's advisory lock).
    """
    return [
        python,
        "-m",
        "uvicorn",
        "--factory",
        f"{package}.app:create_app",
        "--host",
        "127.0.0.1",
        "--port",
        str(port),
        "--no-proxy-headers",  # the client address is the application's to judge (trusted proxies)
        "--timeout-keep-alive",
        str(KEEP_ALIVE_SECONDS),
        *(["--workers", str(workers)] if workers > 1 else []),
    ]


def _signal_group(pid: int, signum: int) -> None:
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(pid, signum)


@dataclass
class ServiceProcess:
    """A service started in its own session, so a Ctrl-C reaches the launcher only."""

    name: str
    port: int
    argv: list[str]
    env: dict[str, str]
    log: Path
    process: subprocess.Popen[bytes] | None = field(default=None, repr=False)
    _terminating: bool = field(default=False, repr=False)

    @property
    def base_url(self) -> str:
        """Base URL of the service."""
        return f"http://127.0.0.1:{self.port}"

    @property
    def pid(self) -> int | None:
        """Process id, once started."""
        return self.process.pid if self.process is not None else None

    def start(self) -> None:
        """Start the process, appending its output to its log file."""
        self.log.parent.mkdir(parents=True, exist_ok=True)
        with open_log(self.log) as log:
            log.write(f"\n--- {time.strftime('%Y-%m-%d %H:%M:%S')} starting {self.name}\n".encode())
            log.flush()
            self._terminating = False
            self.process = subprocess.Popen(
                self.argv,
                env=self.env,
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )

    def exit_code(self) -> int | None:
        """The exit code when the process has ended, else None."""
        return self.process.poll() if self.process is not None else None

    def alive(self) -> bool:
        """True while the process runs."""
        return self.process is not None and self.process.poll() is None

    def healthy(self, client: httpx.Client) -> bool:
        """True when `GET /health` answers 200."""
        try:
            return client.get(f"{self.base_url}/health").status_code == 200
        except httpx.HTTPError:
            return False

    def request_stop(self) -> None:
        """SIGTERM the process group: uvicorn shuts down gracefully (lifespan shutdown runs)."""
        # Once only: a second SIGTERM makes uvicorn skip its graceful shutdown.
        if self.process is not None and self.process.poll() is None and not self._terminating:
            self._terminating = True
            _signal_group(self.process.pid, signal.SIGTERM)

    def stop(self, timeout: float = 15) -> None:
        """Stop gracefully, SIGKILL whatever of the process group outlives timeout."""
        if self.process is None:
            return
        pid = self.process.pid
        self.request_stop()
        try:
            self.process.wait(max(timeout, 0.1))
        except subprocess.TimeoutExpired:
            _signal_group(pid, signal.SIGKILL)
            self.process.wait(10)
        # Anything the service forked into its group goes with it.
        _signal_group(pid, signal.SIGKILL)
        self.process = None
        self._terminating = False
