"""Telemetry as an operator's collector sees it: OTLP export from the running services.

Identity, intake, psychosocial and reporting run as processes with the standard `OTEL_*`
variables pointing at a local OTLP receiver. One registration at intake must arrive there as
one trace — intake's HTTP request, the append, the relay's publication, and psychosocial's and
reporting's consumption — with the kernel's metrics beside it, and no survivor data in either.
"""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Callable
from pathlib import Path

import pytest
from otlp_receiver import Received, Span, otlp_receiver
from reporting_stack import created, registration, running_stack
from uponyaji_launcher.nats import EmbeddedNats

pytestmark = [pytest.mark.slow, pytest.mark.timeout(300)]

SERVER, PRODUCER, CONSUMER = 2, 4, 5  # OTLP span kinds
KERNEL_METRICS = {
    "uponyaji.command.duration": "intake",
    "uponyaji.audit.writes": "intake",
    "uponyaji.relay.lag": "intake",
    "uponyaji.consumer.lag": "reporting",
}


def otel_env(endpoint: str) -> dict[str, str]:
    """The standard variables an operator sets, with short export intervals for the test."""
    return {
        "OTEL_EXPORTER_OTLP_ENDPOINT": endpoint,
        "OTEL_EXPORTER_OTLP_PROTOCOL": "http/protobuf",
        "OTEL_BSP_SCHEDULE_DELAY": "200",
        "OTEL_METRIC_EXPORT_INTERVAL": "500",
        "OTEL_TRACES_SAMPLER": "always_on",
    }


def the_registration_trace(spans: list[Span]) -> list[Span]:
    """The spans of the trace whose root is intake's `POST /survivors` request."""
    roots = [
        s
        for s in spans
        if s.service == "uponyaji-intake" and s.kind == SERVER and s.name == "POST /survivors"
    ]
    if not roots:
        return []
    return [s for s in spans if s.trace_id == roots[0].trace_id]


def joined(trace: list[Span]) -> set[tuple[str, str, int]]:
    """The (service, span name, kind) steps of one trace, for the assertion."""
    return {(s.service, s.name, s.kind) for s in trace}


async def until(check: Callable[[], bool], seconds: float = 90.0) -> None:
    """Poll until `check()` holds (the exporters batch; consumers follow asynchronously)."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + seconds
    while loop.time() < deadline:
        if check():
            return
        await asyncio.sleep(0.2)


async def test_one_command_is_one_exported_trace_with_the_kernel_metrics(
    own_nats: EmbeddedNats, new_database_url: Callable[[], str], tmp_path: Path
) -> None:
    name = f"Fake Telemetry {uuid.uuid4().hex[:8]}"
    with (
        otlp_receiver() as (endpoint, received),
        running_stack(own_nats, new_database_url, tmp_path, otel_env(endpoint)) as stack,
    ):
        async with stack.client("intake", "intake_officer") as officer:
            body = registration(name, "047", "female", "25-34")
            survivor = created(await officer.post("/survivors", json=body))["survivor_id"]
            read = await officer.get(f"/survivors/{survivor}")  # an audited read
            assert read.status_code == 200, read.text

        expected = {
            ("uponyaji-intake", "POST /survivors", SERVER),
            ("uponyaji-intake", "events.append", PRODUCER),
            ("uponyaji-intake", "events.publish", PRODUCER),
            ("uponyaji-psychosocial", "events.consume", CONSUMER),
            ("uponyaji-reporting", "events.consume", CONSUMER),
        }

        def complete(got: Received = received) -> bool:
            spans, metrics = got.snapshot()
            steps = joined(the_registration_trace(spans))
            return expected <= steps and all(
                f"uponyaji-{service}" in metrics.get(metric, set())
                for metric, service in KERNEL_METRICS.items()
            )

        await until(complete)
        spans, metrics = received.snapshot()
        trace = the_registration_trace(spans)
        everything = sorted(joined(spans))[:40]
        assert expected <= joined(trace), f"trace: {sorted(joined(trace))}; all: {everything}"
        assert len({s.trace_id for s in trace}) == 1
        for metric, service in KERNEL_METRICS.items():
            assert f"uponyaji-{service}" in metrics.get(metric, set()), (metric, metrics)
        # The database calls are traced too (asyncpg instrumentation), inside the same trace.
        assert any(s.service == "uponyaji-intake" and s.kind == 3 for s in trace), (
            "no asyncpg client span in the registration's trace"
        )
        # Spans and metrics carry ids and routes, never what staff typed about a survivor.
        with received.lock:
            raw = b"".join(received.raw)
        assert name.encode() not in raw
