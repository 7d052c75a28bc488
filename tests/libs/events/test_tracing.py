"""One trace from the command through the store, the relay and NATS to the consumer."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

import asyncpg
import pytest
from opentelemetry import trace
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter
from support import ACTOR, Sink, keys_of, running, service_name, signed_store
from uponyaji_events.consumer import Consumer
from uponyaji_events.envelope import NewEvent
from uponyaji_events.relay import OutboxRelay
from uponyaji_launcher.nats import EmbeddedNats

NewDatabase = Callable[..., Awaitable[asyncpg.Pool]]
WaitUntil = Callable[..., Awaitable[None]]


@pytest.mark.parametrize("batched", [False, True], ids=["handler", "batch_handler"])
async def test_command_append_publish_and_consume_share_one_trace(
    batched: bool,
    new_database: NewDatabase,
    nats_server: EmbeddedNats,
    wait_until: WaitUntil,
    span_exporter: InMemorySpanExporter,
) -> None:
    source, target = await new_database(), await new_database()
    service = service_name()
    store, sink = signed_store(source, service), Sink(target)
    await sink.create()
    relay = OutboxRelay(store, service=service, nats_url=nats_server.url)
    handlers: dict[str, Any] = (
        {"batch_handler": sink.handle_batch} if batched else {"handler": sink.handle}
    )
    consumer = Consumer(
        target,
        name="sink",
        source=service,
        nats_url=nats_server.url,
        keys=keys_of(store),
        **handlers,
    )
    span_exporter.clear()

    async with running(relay.run(), consumer.run()):
        with trace.get_tracer("test").start_as_current_span("POST /survivors") as command:
            [stored] = await store.append(
                "case", "case-trace-1", 0, [NewEvent("src.Registered", {"n": 1})], actor=ACTOR
            )
        trace_id = command.get_span_context().trace_id

        async def consumed() -> bool:
            return await sink.count() == 1

        await wait_until(consumed, what="the event at the consumer")

    assert stored.trace["traceparent"].split("-")[1] == f"{trace_id:032x}"
    spans = {
        s.name: s
        for s in span_exporter.get_finished_spans()
        if s.context is not None and s.context.trace_id == trace_id
    }
    assert {"POST /survivors", "events.append", "events.publish", "events.consume"} <= set(spans)
    consume, publish = spans["events.consume"], spans["events.publish"]
    assert consume.parent is not None
    assert publish.context is not None
    assert consume.parent.span_id == publish.context.span_id  # continued from the NATS headers
