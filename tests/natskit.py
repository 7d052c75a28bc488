"""Test kit for NATS with users: authenticated servers and each service's own credentials."""

from __future__ import annotations

from pathlib import Path

from uponyaji_events.natsauth import NatsCredentials
from uponyaji_launcher.nats import EmbeddedNats
from uponyaji_launcher.ports import free_port


def authenticated_nats(store_dir: Path, port: int | None = None) -> EmbeddedNats:
    """A nats-server requiring users; its `url` carries the test kit's broad user."""
    return EmbeddedNats.with_test_kit(store_dir, port or free_port())


def nats_credentials(server: EmbeddedNats, service: str) -> NatsCredentials:
    """A service's own NATS credentials on a test server (least privilege, as in the stack)."""
    user = server.auth.user(service)
    return NatsCredentials(user=user.name, password=user.password)
