"""OpenTelemetry glue: one trace from a command through the relay and NATS to every consumer."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from contextlib import contextmanager

from opentelemetry import context, propagate, trace
from opentelemetry.trace import Span, SpanKind

TRACER_NAME = "uponyaji.events"


def tracer() -> trace.Tracer:
    """The kernel's tracer (a no-op until the application installs a TracerProvider)."""
    return trace.get_tracer(TRACER_NAME)


def current_carrier() -> dict[str, str]:
    """The active trace context as W3C headers (`traceparent`, `tracestate`)."""
    carrier: dict[str, str] = {}
    propagate.inject(carrier)
    return carrier


@contextmanager
def span_from(
    name: str, carrier: Mapping[str, str] | None, kind: SpanKind = SpanKind.INTERNAL
) -> Iterator[Span]:
    """Start a span whose parent is the trace context in `carrier` (if any)."""
    parent = propagate.extract(dict(carrier)) if carrier else context.get_current()
    with tracer().start_as_current_span(name, context=parent, kind=kind) as span:
        yield span
