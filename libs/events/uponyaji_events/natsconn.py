"""NATS JetStream conventions: connections, one stream per service, subjects per event."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable

import nats
from nats.aio.client import Client as NatsClient
from nats.js import JetStreamContext
from nats.js.api import StorageType, StreamConfig
from nats.js.errors import BadRequestError, NotFoundError

from uponyaji_events.envelope import Event
from uponyaji_events.natsauth import NatsCredentials

log = logging.getLogger("uponyaji.events.nats")

DUPLICATE_WINDOW_S = 120.0


def stream_name(service: str) -> str:
    """The JetStream stream holding one service's events (e.g. INTAKE)."""
    return service.upper().replace("-", "_")


def subject_for(service: str, event: Event) -> str:
    """The NATS subject of an event: `<service>.<stream_type>.<EventType>`."""
    return f"{service}.{event.stream_type}.{event.type.rsplit('.', 1)[-1]}"


async def connect(
    url: str,
    name: str,
    *,
    on_reconnect: Callable[[], Awaitable[None]] | None = None,
    connect_timeout: float = 2.0,
    credentials: NatsCredentials | None = None,
) -> NatsClient:
    """Connect with unlimited reconnects; raises when the server is not reachable right now.

    Without `credentials` the URL's own user info (if any) is used: tests' broad test-kit user.
    """

    async def _error(exc: Exception) -> None:
        log.warning("nats error: %s", exc)

    async def _reconnected() -> None:
        log.info("nats reconnected")
        if on_reconnect is not None:
            await on_reconnect()

    async def _disconnected() -> None:
        log.warning("nats disconnected")

    return await nats.connect(
        servers=[url],
        name=name,
        connect_timeout=connect_timeout,
        allow_reconnect=True,
        max_reconnect_attempts=-1,
        reconnect_time_wait=0.25,
        error_cb=_error,
        reconnected_cb=_reconnected,
        disconnected_cb=_disconnected,
        **(credentials.connect_options() if credentials is not None else {}),
    )


async def ensure_stream(js: JetStreamContext, service: str) -> None:
    """Create the service's stream when missing (file storage, deduplication window)."""
    config = StreamConfig(
        name=stream_name(service),
        subjects=[f"{service}.>"],
        storage=StorageType.FILE,
        duplicate_window=DUPLICATE_WINDOW_S,
    )
    try:
        await js.stream_info(config.name or "")
    except NotFoundError:
        try:
            await js.add_stream(config)
        except BadRequestError:
            # Another process created it between the two calls.
            await js.stream_info(config.name or "")
