"""Where the local stack keeps its data, logs, secrets and bookkeeping (the .run directory)."""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

RUN_DIR_ENV = "UPONYAJI_RUN_DIR"


def _looks_like_repo(path: Path) -> bool:
    return (path / "deploy" / "launcher" / "pyproject.toml").is_file()


def repo_root(cwd: Path | None = None) -> Path:
    """The project checkout: found from this package's location (editable install), else cwd."""
    here = Path(__file__).resolve()
    for candidate in here.parents:
        if _looks_like_repo(candidate):
            return candidate
    start = (cwd or Path.cwd()).resolve()
    for candidate in (start, *start.parents):
        if _looks_like_repo(candidate):
            return candidate
    return start


@dataclass(frozen=True)
class RunPaths:
    """The layout of one run directory; every path the launcher writes is derived from it."""

    root: Path

    @classmethod
    def from_env(cls, environ: Mapping[str, str]) -> RunPaths:
        """The run directory named by UPONYAJI_RUN_DIR, else `<repo>/.run`."""
        configured = environ.get(RUN_DIR_ENV, "").strip()
        root = Path(configured).expanduser() if configured else repo_root() / ".run"
        return cls(root=root.resolve())

    @property
    def postgres_data(self) -> Path:
        """PostgreSQL data directory."""
        return self.root / "postgres"

    @property
    def nats_store(self) -> Path:
        """JetStream storage directory."""
        return self.root / "nats"

    @property
    def logs(self) -> Path:
        """Directory of every log file."""
        return self.root / "logs"

    @property
    def secrets(self) -> Path:
        """Directory of the development key-encryption keys and service client secrets."""
        return self.root / "secrets"

    @property
    def postgres_log(self) -> Path:
        """PostgreSQL server log."""
        return self.logs / "postgres.log"

    @property
    def nats_log(self) -> Path:
        """nats-server log."""
        return self.logs / "nats.log"

    @property
    def stack_log(self) -> Path:
        """Log of the background supervisor started by `uponyaji up`."""
        return self.root / "stack.log"

    @property
    def stack_pid(self) -> Path:
        """Process id of the launcher holding the stack (foreground or background)."""
        return self.root / "stack.pid"

    @property
    def state_file(self) -> Path:
        """What the running launcher started: processes, URLs, demo logins."""
        return self.root / "stack.json"

    @property
    def lock_file(self) -> Path:
        """Held (flock) by the one launcher that owns this run directory."""
        return self.root / "launcher.lock"

    @property
    def demo_logins(self) -> Path:
        """Demo accounts printed by the services' seeding, kept for later runs."""
        return self.root / "demo-logins.json"

    def service_log(self, name: str) -> Path:
        """Log of a service process."""
        return self.logs / f"{name}.log"

    def seed_log(self, name: str) -> Path:
        """Log (stderr) of a service's seeding run."""
        return self.logs / f"{name}.seed.log"

    def kek_file(self, name: str) -> Path:
        """Development key-encryption key of a service."""
        return self.secrets / f"{name}.kek"

    @property
    def audit_key(self) -> Path:
        """The deployment's audit key (keyed hashes of search texts and usernames), shared."""
        return self.secrets / "audit.key"

    def client_secret_file(self, name: str) -> Path:
        """A service's client secret for service tokens (new at every start)."""
        return self.secrets / f"{name}.client-secret"

    def signing_keys(self, name: str) -> Path:
        """A service's event-signing keys (active.key 0600, retired/*.pub)."""
        return self.secrets / "signing" / name

    def notary_heads(self, name: str) -> Path:
        """A service's notary heads file (append-only; the operator ships it elsewhere)."""
        return self.root / "notary" / f"{name}.heads.jsonl"

    def passfile(self, name: str) -> Path:
        """A service's PostgreSQL passfile: its owner and runtime roles (new at every start)."""
        return self.secrets / f"{name}.pgpass"

    @property
    def postgres_password(self) -> Path:
        """The embedded PostgreSQL superuser's password (the launcher's own)."""
        return self.secrets / "postgres.password"

    def nats_credentials_file(self, name: str) -> Path:
        """A service's NATS user and password (new at every start)."""
        return self.secrets / f"{name}.nats.json"

    @property
    def nats_config(self) -> Path:
        """nats-server's configuration: users, passwords and permissions (new at every start)."""
        return self.secrets / "nats.conf"

    @property
    def service_clients_file(self) -> Path:
        """identity's list of service clients: names and argon2 hashes of their secrets."""
        return self.secrets / "identity.service-clients"

    def prepare(self) -> None:
        """Create the directories private to the user (0700; files in them are made 0600).

        As root, PostgreSQL runs as its own system user and must traverse `.run` and `.run/logs`
        to reach its data directory and log file: those two get search (not read) permission.
        """
        self.root.mkdir(mode=0o700, parents=True, exist_ok=True)
        self.logs.mkdir(mode=0o700, exist_ok=True)
        self.secrets.mkdir(mode=0o700, exist_ok=True)
        traverse = 0o011 if os.geteuid() == 0 else 0
        for directory in (self.root, self.logs):
            directory.chmod(0o700 | traverse)
        self.secrets.chmod(0o700)


def open_log(path: Path) -> BinaryIO:
    """Open a log file for appending, readable by the owner only (made 0600 if it was not)."""
    path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
    os.fchmod(fd, 0o600)
    return os.fdopen(fd, "ab")
