"""OpenTelemetry glue: one trace from a command through the relay and NATS to every consumer."""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager

from opentelemetry import context, propagate, trace
from opentelemetry.trace import Span, SpanKind

TRACER_NAME = "uponyaji.events"


def tracer() -> trace.Tracer:
    """The kernel's tracer (a no-op until the application installs a TracerProvider)."""
    return trace.get_tracer(TRACER_NAME)


def untraced() -> bool:
    """True when nothing would be traced: no TracerProvider is installed (every span a no-op)
    and no trace context is current (none to carry on), so span and carrier can be skipped."""
    return (
        isinstance(trace.get_tracer_provider(), trace.ProxyTracerProvider)
        and not trace.get_current_span().get_span_context().is_valid
    )


def current_carrier() -> dict[str, str]:
    """The active trace context as W3C headers (`traceparent`, `tracestate`)."""
    carrier: dict[str, str] = {}
    propagate.inject(carrier)
    return carrier


@contextmanager
def span_from(
    name: str,
    carrier: Mapping[str, str] | None,
    kind: SpanKind = SpanKind.INTERNAL,
    links: Sequence[Mapping[str, str] | None] = (),
) -> Iterator[Span]:
    """Start a span whose parent is the trace context in `carrier` (if any), linked to others."""
    parent = propagate.extract(dict(carrier)) if carrier else context.get_current()
    linked = []
    for other in links:
        if other:
            span_context = trace.get_current_span(propagate.extract(dict(other))).get_span_context()
            if span_context.is_valid:
                linked.append(trace.Link(span_context))
    with tracer().start_as_current_span(name, context=parent, kind=kind, links=linked) as span:
        yield span
