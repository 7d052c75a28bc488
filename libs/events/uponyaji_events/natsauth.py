"""NATS client credentials: a per-service user, its password file and optional TLS trust."""

from __future__ import annotations

import json
import ssl
from dataclasses import dataclass
from pathlib import Path
from typing import Any


class CredentialsError(ValueError):
    """A NATS credentials file is missing, unreadable or malformed."""


@dataclass(frozen=True)
class NatsCredentials:
    """Who a process is on NATS: user, password, and the CA (and client pair) for TLS."""

    user: str
    password: str
    ca_file: Path | None = None
    cert_file: Path | None = None
    key_file: Path | None = None

    @classmethod
    def load(cls, path: Path) -> NatsCredentials:
        """Read a JSON credentials file (`user`, `password`, optional TLS paths); must be 0600."""
        try:
            mode = path.stat().st_mode & 0o777
            data = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError) as exc:
            raise CredentialsError(f"NATS credentials file {path}: {exc}") from exc
        if mode & 0o077:
            raise CredentialsError(
                f"NATS credentials file {path} is readable by others (mode {mode:o}); chmod 600"
            )
        if not isinstance(data, dict) or not data.get("user") or not data.get("password"):
            raise CredentialsError(f"NATS credentials file {path} needs `user` and `password`")

        def optional(key: str) -> Path | None:
            value = data.get(key)
            return Path(value) if value else None

        return cls(
            user=str(data["user"]),
            password=str(data["password"]),
            ca_file=optional("ca_file"),
            cert_file=optional("cert_file"),
            key_file=optional("key_file"),
        )

    def tls_context(self) -> ssl.SSLContext | None:
        """A TLS context trusting `ca_file` (with the client pair when given); None without TLS."""
        if self.ca_file is None:
            return None
        context = ssl.create_default_context(cafile=str(self.ca_file))
        context.minimum_version = ssl.TLSVersion.TLSv1_2
        if self.cert_file is not None and self.key_file is not None:
            context.load_cert_chain(str(self.cert_file), str(self.key_file))
        return context

    def connect_options(self) -> dict[str, Any]:
        """Keyword arguments for `nats.connect` (user, password, tls, a private inbox prefix)."""
        options: dict[str, Any] = {
            "user": self.user,
            "password": self.password,
            # Replies come to `_INBOX_<user>.>`, which only this user may subscribe to.
            "inbox_prefix": inbox_prefix(self.user).encode(),
        }
        context = self.tls_context()
        if context is not None:
            options["tls"] = context
        return options


def inbox_prefix(user: str) -> str:
    """The reply-subject prefix reserved for one NATS user."""
    return f"_INBOX_{user}"
