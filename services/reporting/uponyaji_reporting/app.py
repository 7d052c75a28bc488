"""Reporting's app: a declaration of its parts; the service factory assembles them."""

from __future__ import annotations

from dataclasses import dataclass

import asyncpg
from uponyaji_events.consumer import BatchHandler
from uponyaji_events.store import EventStore
from uponyaji_service import Follow, Parts, Running, Service

from . import consumers
from .api import router
from .caseload import FactsCaseload
from .projections import MIGRATIONS, handler
from .retention import run_forever
from .settings import OPTIONAL, SERVICE, SOURCES, Settings
from .subject_access import router as subject_access


@dataclass(frozen=True)
class Reporting:
    """Reporting's resources: its store (erasure confirmations) and pool (the read side)."""

    store: EventStore
    pool: asyncpg.Pool


def build(parts: Parts[Settings]) -> Reporting:
    """Reporting has no command side: its tables are projections of the sources' events."""
    return Reporting(parts.store, parts.pool)


def project(source: str) -> Follow[Settings, Reporting]:
    """One source's events, a page at a time, upcast, into journeys, facts and cells.

    Medical and empowerment are followed where deployed (a URL known or a feed given).
    """

    def batch(running: Running[Settings, Reporting]) -> BatchHandler:
        return handler(source, running.resources.store)

    return Follow(
        source, batch_handler=batch, upcast=True, own=source == SERVICE, optional=source in OPTIONAL
    )


REPORTING: Service[Settings, Reporting] = Service(
    name=SERVICE,
    description="Healing journeys, programme dashboards and audit review (projections only)",
    settings=Settings,
    build=build,
    routers=[router, subject_access],
    migrations=MIGRATIONS,
    caseload=lambda parts: FactsCaseload(parts.pool),
    follows=[project(source) for source in (*SOURCES, *OPTIONAL, SERVICE)],
    background=lambda running: [
        run_forever(
            running.parts.pool, running.parts.clock, running.parts.settings.audit_retention_days
        )
    ],
    rebuild=lambda running, on_page: consumers.rebuild(
        running.parts.pool, list(running.consumers.values()), progress=False, on_page=on_page
    ),
)

# The app; settings from `REPORTING_*` (and `UPONYAJI_ENV`) unless given.
create_app = REPORTING.create_app
