"""Log lines: JSON in production, each carrying service, correlation id and trace id."""

from __future__ import annotations

import json
import logging

import structlog
from opentelemetry import trace
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter
from uponyaji_service.logs import formatter


def record(message: str, *args: object) -> logging.LogRecord:
    return logging.LogRecord("uponyaji.test", logging.WARNING, __file__, 1, message, args, None)


def test_a_production_line_is_json_with_service_correlation_and_trace(
    span_exporter: InMemorySpanExporter,
) -> None:
    structlog.contextvars.bind_contextvars(service="tally", correlation_id="req-42")
    try:
        with trace.get_tracer("test").start_as_current_span("command") as span:
            line = formatter(production=True).format(record("feed of %s unavailable", "intake"))
            trace_id = format(span.get_span_context().trace_id, "032x")
    finally:
        structlog.contextvars.clear_contextvars()

    parsed = json.loads(line)
    assert parsed["event"] == "feed of intake unavailable"
    assert parsed["level"] == "warning"
    assert parsed["service"] == "tally"
    assert parsed["correlation_id"] == "req-42"
    assert parsed["trace_id"] == trace_id
    assert parsed["logger"] == "uponyaji.test"


def test_a_development_line_is_readable_text() -> None:
    structlog.contextvars.bind_contextvars(service="tally")
    try:
        line = formatter(production=False).format(record("relay started"))
    finally:
        structlog.contextvars.clear_contextvars()
    assert "relay started" in line
    assert "service=tally" in line
    assert not line.startswith("{")
