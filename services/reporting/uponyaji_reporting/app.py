"""Reporting's app: a declaration of its parts; the service factory assembles them."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace

import asyncpg
from fastapi import FastAPI
from uponyaji_events.consumer import BatchHandler
from uponyaji_events.feed import FeedSource
from uponyaji_events.store import EventStore
from uponyaji_service import Clock, Follow, Parts, Running, Service

from . import consumers
from .api import router
from .caseload import FactsCaseload
from .projections import MIGRATIONS, handler
from .retention import run_forever
from .settings import SERVICE, Settings
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
    """One source's events, a page at a time, upcast, into journeys, facts and cells."""

    def batch(running: Running[Settings, Reporting]) -> BatchHandler:
        return handler(source, running.resources.store)

    return Follow(source, batch_handler=batch, upcast=True, own=source == SERVICE)


REPORTING: Service[Settings, Reporting] = Service(
    name=SERVICE,
    title="Uponyaji reporting",
    description="Healing journeys, programme dashboards and audit review (projections only)",
    build=build,
    routers=[router, subject_access],
    migrations=MIGRATIONS,
    caseload=lambda parts: FactsCaseload(parts.pool),
    follows_from=lambda settings: [project(s) for s in (*settings.sources(), SERVICE)],
    background=lambda running: [
        run_forever(
            running.parts.pool, running.parts.clock, running.parts.settings.audit_retention_days
        )
    ],
    rebuild=lambda running, on_page: consumers.rebuild(
        running.parts.pool, list(running.consumers.values()), progress=False, on_page=on_page
    ),
)


def create_app(
    settings: Settings | None = None,
    *,
    feeds: Mapping[str, FeedSource] | None = None,
    clock: Clock | None = None,
) -> FastAPI:
    """Reporting's app; settings from `REPORTING_*` (and `UPONYAJI_ENV`) unless given.

    Medical and empowerment are followed when their URL is known or a feed is given for them.
    """
    service = REPORTING
    if feeds:
        given = list(feeds)
        service = replace(
            REPORTING,
            follows_from=lambda s: [project(x) for x in (*s.sources(given), SERVICE)],
        )
    return service.create_app(settings or Settings(), feeds=feeds, clock=clock)
