"""Uponyaji event kernel: envelope, store, relay, consumers, feeds, projections and sealing.

See docs/kernel.md for the API and a short example.
"""

from uponyaji_events.consumer import Consumer
from uponyaji_events.envelope import Actor, Event, NewEvent, new_event_id
from uponyaji_events.errors import ConcurrencyError, UponyajiError
from uponyaji_events.feed import HttpFeed, StoreFeed, feed_router
from uponyaji_events.health import health_router
from uponyaji_events.integrity import verify
from uponyaji_events.projection import Projection, ProjectionRunner
from uponyaji_events.relay import OutboxRelay
from uponyaji_events.runtime import ServiceRuntime
from uponyaji_events.store import EventStore
from uponyaji_events.unit_of_work import UnitOfWork, unit_of_work

__all__ = [
    "Actor",
    "ConcurrencyError",
    "Consumer",
    "Event",
    "EventStore",
    "HttpFeed",
    "NewEvent",
    "OutboxRelay",
    "Projection",
    "ProjectionRunner",
    "ServiceRuntime",
    "StoreFeed",
    "UnitOfWork",
    "UponyajiError",
    "feed_router",
    "health_router",
    "new_event_id",
    "unit_of_work",
    "verify",
]
