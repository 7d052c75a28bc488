"""Medical's app: a declaration of its parts; the service factory assembles them."""

from __future__ import annotations

from collections.abc import Mapping
from functools import partial
from pathlib import Path

from fastapi import FastAPI
from uponyaji_events.consumer import Handler
from uponyaji_events.feed import FeedSource
from uponyaji_service import Clock, Follow, Parts, Running, Service

from . import projections
from .api import routers
from .caseload import LocalCaseload
from .consumers import on_intake_event
from .handlers import Medical
from .settings import SERVICE, Settings
from .signing import SigningKeys
from .subject_access import router as subject_access

MIGRATIONS = Path(__file__).parent / "migrations"


def build(parts: Parts[Settings]) -> Medical:
    """The command side: the store, sealing keys, clinicians' signing keys, evidence store."""
    keys = parts.require_keys()
    return Medical(
        store=parts.store,
        keys=keys,
        signing=SigningKeys(keys.kek),
        clock=parts.clock,
        max_upload_bytes=parts.settings.max_upload_bytes,
        step_up_seconds=parts.settings.step_up_seconds,
    )


def follow_intake(running: Running[Settings, Medical]) -> Handler:
    """Intake's events → survivors, caseload, consent, closure, merges, referrals, erasure."""
    return partial(on_intake_event, running.resources)


MEDICAL: Service[Settings, Medical] = Service(
    name=SERVICE,
    title="Uponyaji medical",
    description="Clinical records, Istanbul Protocol evaluations, signed medico-legal reports, "
    "evidence with chain of custody",
    build=build,
    routers=[*routers, subject_access],
    migrations=MIGRATIONS,
    sealing=True,
    caseload=lambda parts: LocalCaseload(parts.pool),
    project=projections.apply_all,
    rebuild=lambda running, on_page: projections.rebuild(running.parts.store, on_page=on_page),
    follows=[Follow("intake", handler=follow_intake)],
)


def create_app(
    settings: Settings | None = None,
    *,
    feeds: Mapping[str, FeedSource] | None = None,
    clock: Clock | None = None,
) -> FastAPI:
    """Medical's app; settings from `MEDICAL_*` (and `UPONYAJI_ENV`) unless given."""
    return MEDICAL.create_app(settings or Settings(), feeds=feeds, clock=clock)
