"""Structured logging, configured once per process: JSON in production, readable in development.

Every line carries `service`, `correlation_id` (the request's `X-Correlation-ID`, or a new one)
and `trace_id` (the current OpenTelemetry trace) when known. The platform's `logging` loggers go
through the same processors. Log ids and counts, never survivor data: names, notes and other
sealed fields must not reach a log line.
"""

from __future__ import annotations

import logging
import os
import sys
from typing import Any

import structlog
from opentelemetry import trace
from starlette.types import ASGIApp, Message, Receive, Scope, Send
from structlog.typing import EventDict, Processor, WrappedLogger

CORRELATION_HEADER = "x-correlation-id"
_CORRELATION_KEY = CORRELATION_HEADER.encode()
_HANDLER_NAME = "uponyaji"
QUIET_LIBRARIES = ("httpx", "httpcore")


def _trace_id(_: WrappedLogger, __: str, event: EventDict) -> EventDict:
    context = trace.get_current_span().get_span_context()
    if context.is_valid:
        event.setdefault("trace_id", format(context.trace_id, "032x"))
    return event


def shared_processors() -> list[Processor]:
    """What every line gets before rendering (structlog and standard-library lines alike)."""
    return [
        structlog.contextvars.merge_contextvars,
        structlog.stdlib.add_log_level,
        structlog.stdlib.add_logger_name,
        structlog.processors.TimeStamper(fmt="iso", utc=True),
        _trace_id,
    ]


def formatter(*, production: bool) -> logging.Formatter:
    """The line format: one JSON object in production, a readable line in development."""
    renderer: Processor = (
        structlog.processors.JSONRenderer()
        if production
        else structlog.dev.ConsoleRenderer(colors=False)
    )
    return structlog.stdlib.ProcessorFormatter(
        foreign_pre_chain=shared_processors(),
        processors=[structlog.stdlib.ProcessorFormatter.remove_processors_meta, renderer],
    )


def configure_logging(*, production: bool, level: str = "INFO") -> None:
    """Install the platform's log handler on the root logger (once; later calls set the level)."""
    root = logging.getLogger()
    root.setLevel(level.upper())
    for chatty in QUIET_LIBRARIES:  # one line per HTTP request or connection is noise
        logging.getLogger(chatty).setLevel(max(logging.WARNING, root.level))
    if any(h.get_name() == _HANDLER_NAME for h in root.handlers):
        return
    # No line shows the source file, thread or process of its call (they are one service's
    # process and its event loop): the standard library's documented switches skip finding
    # them for every record, a stack walk and three look-ups per request's access line.
    logging._srcfile = None
    logging.logThreads = False
    logging.logProcesses = False
    logging.logMultiprocessing = False
    handler = logging.StreamHandler(sys.stderr)
    handler.set_name(_HANDLER_NAME)
    handler.setFormatter(formatter(production=production))
    root.addHandler(handler)
    structlog.configure(
        processors=[*shared_processors(), structlog.stdlib.ProcessorFormatter.wrap_for_formatter],
        logger_factory=structlog.stdlib.LoggerFactory(),
        wrapper_class=structlog.stdlib.BoundLogger,
        cache_logger_on_first_use=True,
    )


def get_logger(name: str) -> Any:
    """A structlog logger (`log.info("event", key=value)`); lines carry the bound context."""
    return structlog.stdlib.get_logger(name)


def bind_service(service: str) -> None:
    """Name the service on every line logged from this context (and tasks started from it)."""
    structlog.contextvars.bind_contextvars(service=service)


class CorrelationMiddleware:
    """Bind the service and a correlation id to each request's log lines; echo the id back."""

    def __init__(self, app: ASGIApp, *, service: str) -> None:
        self.app = app
        self.service = service

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Handle one ASGI call with the request's context bound."""
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        given = None
        for name, value in scope.get("headers") or ():
            if name == _CORRELATION_KEY:
                given = value  # the last one, if sent twice
        # 32 random hex digits, as uuid4().hex gave, without building a UUID on every request
        correlation = _valid(given) or os.urandom(16).hex()
        token = structlog.contextvars.bind_contextvars(
            service=self.service, correlation_id=correlation
        )
        echoed = (_CORRELATION_KEY, correlation.encode())

        async def send_with_id(message: Message) -> None:
            if message["type"] == "http.response.start":
                message["headers"] = [*message.get("headers", ()), echoed]
            await send(message)

        try:
            await self.app(scope, receive, send_with_id)
        finally:
            structlog.contextvars.reset_contextvars(**token)


def _valid(value: bytes | None) -> str | None:
    """A caller's correlation id if it is a short token of safe characters, else None."""
    if not value or len(value) > 64:
        return None
    text = value.decode("latin-1")
    return text if all(c.isalnum() or c in "-_." for c in text) else None
