"""NATS identities for the local stack: one user per service, permissions by subject, no anonymous.

Each service may publish only its own events (`<service>.>`) and the JetStream API calls for its
own stream and for durable consumers on its own stream and the streams it consumes; it may
subscribe only to its own reply inbox (`_INBOX_<service>.>`). The server config and the
credentials files are written 0600 with fresh passwords at every start.
"""

from __future__ import annotations

import json
import secrets
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from uponyaji_launcher.clients import write_private

PASSWORD_BYTES = 32


def stream_of(service: str) -> str:
    """The JetStream stream name of a service (as the event kernel names it)."""
    return service.upper().replace("-", "_")


@dataclass(frozen=True)
class NatsUser:
    """One NATS user: a name, its password and the subjects it may publish and subscribe to."""

    name: str
    password: str
    publish: tuple[str, ...]
    subscribe: tuple[str, ...]

    def config(self) -> dict[str, Any]:
        """This user as an entry of nats-server's `authorization.users`."""
        return {
            "user": self.name,
            "password": self.password,
            "permissions": {
                "publish": {"allow": list(self.publish)},
                "subscribe": {"allow": list(self.subscribe)},
            },
        }


def new_password() -> str:
    """A fresh random password."""
    return secrets.token_urlsafe(PASSWORD_BYTES)


def service_user(service: str, consumes: Iterable[str], password: str | None = None) -> NatsUser:
    """The least-privilege user of a service that publishes its stream and consumes `consumes`."""
    own = stream_of(service)
    publish = [
        f"{service}.>",
        "$JS.API.INFO",
        f"$JS.API.STREAM.INFO.{own}",
        f"$JS.API.STREAM.CREATE.{own}",
        f"$JS.API.STREAM.UPDATE.{own}",  # to apply the configured retention (max_age)
    ]
    # Its own stream too: a service may follow its own events (reporting its audit records).
    for source in sorted({*consumes, service}):
        stream = stream_of(source)
        publish += [
            *([] if source == service else [f"$JS.API.STREAM.INFO.{stream}"]),
            f"$JS.API.CONSUMER.CREATE.{stream}.>",
            f"$JS.API.CONSUMER.DURABLE.CREATE.{stream}.>",
            f"$JS.API.CONSUMER.INFO.{stream}.>",
            f"$JS.API.CONSUMER.MSG.NEXT.{stream}.>",
            f"$JS.ACK.{stream}.>",
        ]
    return NatsUser(
        name=service,
        password=password or new_password(),
        publish=tuple(publish),
        subscribe=(f"_INBOX_{service}.>",),
    )


def admin_user(name: str = "testkit", password: str | None = None) -> NatsUser:
    """A user allowed everything: only for tests and benchmarks, never started by the launcher."""
    return NatsUser(
        name=name, password=password or new_password(), publish=(">",), subscribe=(">",)
    )


@dataclass(frozen=True)
class NatsTls:
    """Server TLS files: certificate, key, and the CA that signed clients' certificates."""

    cert_file: Path
    key_file: Path
    ca_file: Path
    verify_clients: bool = False


@dataclass(frozen=True)
class NatsAuthConfig:
    """The users (and TLS) a nats-server is started with."""

    users: Sequence[NatsUser]
    tls: NatsTls | None = None
    extra: Mapping[str, Any] = field(default_factory=dict)

    def user(self, name: str) -> NatsUser:
        """The user called `name` (KeyError when there is none)."""
        for user in self.users:
            if user.name == name:
                return user
        raise KeyError(name)

    def render(self, host: str, port: int, store_dir: Path) -> str:
        """nats-server configuration (JSON is valid nats-server config syntax)."""
        config: dict[str, Any] = {
            "host": host,
            "port": port,
            "jetstream": {"store_dir": str(store_dir)},
            "authorization": {"users": [user.config() for user in self.users]},
            **self.extra,
        }
        if self.tls is not None:
            config["tls"] = {
                "cert_file": str(self.tls.cert_file),
                "key_file": str(self.tls.key_file),
                "ca_file": str(self.tls.ca_file),
                "verify": self.tls.verify_clients,
                "timeout": 2,
            }
        return json.dumps(config, indent=2)


def write_credentials(path: Path, user: NatsUser, ca_file: Path | None = None) -> None:
    """Write a service's credentials file (JSON, 0600) for the event kernel's NatsCredentials."""
    data: dict[str, str] = {"user": user.name, "password": user.password}
    if ca_file is not None:
        data["ca_file"] = str(ca_file)
    write_private(path, json.dumps(data) + "\n")


def stack_auth(
    specs: Iterable[tuple[str, Iterable[str]]], *, admin: bool = False
) -> NatsAuthConfig:
    """Users for services given as (name, consumed sources); `admin` adds the test kit's user."""
    users = [service_user(name, consumes) for name, consumes in specs]
    if admin:
        users.append(admin_user())
    return NatsAuthConfig(users=users)
