"""The service clients identity issues service tokens to: a file of names and argon2 hashes.

`IDENTITY_SERVICE_CLIENTS_FILE` holds one client a line, `<service name>:<argon2id hash of its
secret>` (`#` comments and blank lines ignored). The launcher writes it at every start; in
production ops do (`python -m uponyaji_identity.service_client`). identity never sees a secret at
rest: only the hash is read, and the file is read again when it changes, so a client is added,
rotated or removed without a restart. No file: no client, every request is refused.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass, field
from pathlib import Path

from .security.passwords import Passwords

log = logging.getLogger("uponyaji.identity.service_clients")
CLIENT_ID = re.compile(r"^[a-z][a-z0-9_]{0,63}$")


def parse_clients(text: str) -> dict[str, str]:
    """Client name → argon2 hash from the file's text; ValueError naming the bad line."""
    clients: dict[str, str] = {}
    for number, raw in enumerate(text.splitlines(), start=1):
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        name, _, encoded = line.partition(":")
        if not CLIENT_ID.match(name) or not encoded.startswith("$argon2"):
            raise ValueError(f"line {number} is not `<service name>:<argon2 hash>`")
        if name in clients:
            raise ValueError(f"line {number} names client {name!r} again")
        clients[name] = encoded
    return clients


def client_line(client_id: str, encoded: str) -> str:
    """One line of the clients file."""
    if not CLIENT_ID.match(client_id):
        raise ValueError("a client id is a service name: lowercase letters, digits, underscores")
    return f"{client_id}:{encoded}"


@dataclass
class ServiceClients:
    """Checks a client id and secret against the clients file (re-read when it changes)."""

    path: Path | None
    passwords: Passwords
    _clients: dict[str, str] = field(default_factory=dict)
    _stamp: tuple[int, int] | None = None

    def load(self) -> None:
        """Read the file if it changed; a bad file at start raises, later it keeps the last one."""
        if self.path is None:
            return
        try:
            stat = self.path.stat()
            stamp = (stat.st_mtime_ns, stat.st_size)
            if stamp == self._stamp:
                return
            clients = parse_clients(self.path.read_text("utf-8"))
        except (OSError, ValueError) as exc:
            if self._stamp is None:
                raise ValueError(f"IDENTITY_SERVICE_CLIENTS_FILE {self.path}: {exc}") from exc
            log.warning("service clients file unreadable, keeping the last one: %s", exc)
            return
        self._clients, self._stamp = clients, stamp
        log.info("service clients loaded: %s", ", ".join(sorted(clients)) or "none")

    def names(self) -> frozenset[str]:
        """The clients known right now."""
        return frozenset(self._clients)

    async def verify(self, client_id: str, secret: str) -> bool:
        """Whether the secret is the client's; unknown clients cost the same argon2 work."""
        self.load()
        encoded = self._clients.get(client_id)
        if encoded is None:
            await self.passwords.waste_time(secret)
            return False
        return await self.passwords.verify(encoded, secret)
