"""NATS JetStream conventions: connections, one stream per service, subjects per event."""

from __future__ import annotations

import logging
import os
from collections.abc import Awaitable, Callable, Mapping

import nats
from nats.aio.client import Client as NatsClient
from nats.js import JetStreamContext
from nats.js.api import StorageType, StreamConfig
from nats.js.errors import BadRequestError, NotFoundError

from uponyaji_events.envelope import Event
from uponyaji_events.natsauth import NatsCredentials

log = logging.getLogger("uponyaji.events.nats")

DUPLICATE_WINDOW_S = 120.0
# How many NATS servers keep a copy of each stream: 1 on one server, 3 on a production cluster.
REPLICAS_ENV = "UPONYAJI_NATS_STREAM_REPLICAS"
MAX_REPLICAS = 5  # JetStream's limit
# How long NATS keeps an event (JetStream `max_age`). NATS is the fast path, never the record:
# PostgreSQL keeps every event and consumers repair any gap from the source's feed, so a stream
# needs only as much history as a consumer may fall behind by (docs/data-protection.md).
MAX_AGE_ENV = "UPONYAJI_NATS_MAX_AGE_DAYS"
DEFAULT_MAX_AGE_DAYS = 30
MAX_AGE_DAYS_LIMIT = 3650

# The NATS header naming the epoch (store identity) of the store an event was published from.
EPOCH_HEADER = "Uponyaji-Store-Epoch"


def stream_replicas(environ: Mapping[str, str] = os.environ) -> int:
    """The configured stream replicas (`UPONYAJI_NATS_STREAM_REPLICAS`, default 1)."""
    raw = environ.get(REPLICAS_ENV, "").strip() or "1"
    if not raw.isdigit() or not 1 <= int(raw) <= MAX_REPLICAS:
        raise ValueError(f"{REPLICAS_ENV}={raw!r} is not a replica count (1..{MAX_REPLICAS})")
    return int(raw)


def stream_max_age(environ: Mapping[str, str] = os.environ) -> float:
    """The configured stream retention in seconds (`UPONYAJI_NATS_MAX_AGE_DAYS`, default 30)."""
    raw = environ.get(MAX_AGE_ENV, "").strip() or str(DEFAULT_MAX_AGE_DAYS)
    if not raw.isdigit() or not 1 <= int(raw) <= MAX_AGE_DAYS_LIMIT:
        raise ValueError(
            f"{MAX_AGE_ENV}={raw!r} is not a number of days (1..{MAX_AGE_DAYS_LIMIT}): every "
            "stream must expire its events"
        )
    return float(int(raw) * 86400)


def server_urls(url: str) -> list[str]:
    """The servers of a NATS URL that may list several, comma-separated (a cluster's seeds)."""
    return [part.strip() for part in url.split(",") if part.strip()]


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
        servers=server_urls(url),
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


async def ensure_stream(
    js: JetStreamContext, service: str, replicas: int | None = None, max_age: float | None = None
) -> None:
    """Create the service's stream when missing (file storage, deduplication window, replicas
    from `replicas` or `UPONYAJI_NATS_STREAM_REPLICAS`, retention from `max_age` seconds or
    `UPONYAJI_NATS_MAX_AGE_DAYS`); an existing stream is brought to the configured retention."""
    wanted = stream_replicas() if replicas is None else replicas
    keep = stream_max_age() if max_age is None else max_age
    config = StreamConfig(
        name=stream_name(service),
        subjects=[f"{service}.>"],
        storage=StorageType.FILE,
        duplicate_window=min(DUPLICATE_WINDOW_S, keep),
        num_replicas=wanted,
        max_age=keep,
    )
    try:
        info = await js.stream_info(config.name or "")
        if (info.config.num_replicas or 1) < wanted:
            log.warning(
                "stream %s has %s replica(s), %s configured: raise it with `nats stream edit`",
                config.name,
                info.config.num_replicas,
                wanted,
            )
        if not info.config.max_age or abs(info.config.max_age - keep) > 1e-3:
            info.config.max_age = keep
            if (info.config.duplicate_window or 0) > keep:
                info.config.duplicate_window = keep
            try:
                await js.update_stream(info.config)
            except nats.errors.Error as exc:  # e.g. a server config from before retention
                log.warning(
                    "stream %s: could not apply max_age of %.0f days (%s)",
                    config.name,
                    keep / 86400,
                    exc,
                )
            else:
                log.info("stream %s now keeps events for %.0f days", config.name, keep / 86400)
    except NotFoundError:
        try:
            await js.add_stream(config)
        except BadRequestError:
            # Another process created it between the two calls.
            await js.stream_info(config.name or "")
