"""Empowerment's app: a declaration of its parts; the service factory assembles them."""

from __future__ import annotations

from collections.abc import Mapping
from functools import partial
from pathlib import Path

from fastapi import FastAPI
from uponyaji_events.consumer import Handler
from uponyaji_events.feed import FeedSource
from uponyaji_service import Clock, Follow, Parts, Running, Service

from . import projections
from .api import router
from .caseload import LocalCaseload
from .consumers import on_intake_event
from .handlers import Empowerment
from .references import References
from .settings import SERVICE, Settings
from .subject_access import router as subject_access

MIGRATIONS = Path(__file__).parent / "migrations"


def build(parts: Parts[Settings]) -> Empowerment:
    """The command side: the store, the sealing keys, the reference digest and the clock."""
    keys = parts.require_keys()
    return Empowerment(parts.store, keys, References.from_kek(keys.kek), parts.clock)


def follow_intake(running: Running[Settings, Empowerment]) -> Handler:
    """Intake's events → survivors, caseload, consent, closure, merges, referrals and erasure."""
    return partial(on_intake_event, running.resources)


EMPOWERMENT: Service[Settings, Empowerment] = Service(
    name=SERVICE,
    title="Uponyaji empowerment",
    description="Needs assessments, livelihood plans, grants and disbursements, trainings, "
    "follow-ups and outcomes",
    build=build,
    routers=[router, subject_access],
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
    """Empowerment's app; settings from `EMPOWERMENT_*` (and `UPONYAJI_ENV`) unless given."""
    return EMPOWERMENT.create_app(settings or Settings(), feeds=feeds, clock=clock)
