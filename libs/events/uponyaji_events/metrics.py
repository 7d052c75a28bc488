"""The kernel's OpenTelemetry metrics: command latency, relay and consumer lag, dead letters, audit.

The instruments come from the global meter, so they cost next to nothing until the application
installs a MeterProvider (see `uponyaji_service.telemetry`); from then on they are exported.
"""

from __future__ import annotations

from datetime import UTC, datetime

from opentelemetry import metrics

METER_NAME = "uponyaji.events"

_meter = metrics.get_meter(METER_NAME)

command_duration = _meter.create_histogram(
    "uponyaji.command.duration",
    unit="s",
    description="Time a unit of work held its transaction: load, decide, append, project, commit.",
)
relay_lag = _meter.create_histogram(
    "uponyaji.relay.lag",
    unit="s",
    description="Time from an event's commit to NATS acknowledging its publication.",
)
consumer_lag = _meter.create_histogram(
    "uponyaji.consumer.lag",
    unit="s",
    description="Time from an event's commit at its source to a consumer applying it.",
)
dead_letters = _meter.create_counter(
    "uponyaji.consumer.dead_letters",
    unit="{event}",
    description="Events a consumer could not apply and set aside.",
)
integrity_alarms = _meter.create_counter(
    "uponyaji.consumer.integrity_alarms",
    unit="{event}",
    description="Events a consumer refused (signature, hash, chain or position failed), by kind; "
    "counted whether recorded one by one or in a summary.",
)
sealed_unreadable = _meter.create_counter(
    "uponyaji.sealing.unreadable",
    unit="{value}",
    description="Sealed values refused on reading: altered, or moved from another survivor, field "
    "or record (shown as unreadable, never as text).",
)
audit_writes = _meter.create_counter(
    "uponyaji.audit.writes",
    unit="{record}",
    description="Access records written to the audit trail (and refusals when it was unavailable).",
)


def seconds_since(moment: datetime) -> float:
    """Seconds from `moment` until now (never negative: clocks of two hosts may differ)."""
    return max(0.0, (datetime.now(UTC) - moment).total_seconds())
