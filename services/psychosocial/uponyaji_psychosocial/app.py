"""Psychosocial's app: a declaration of its parts; the service factory assembles them."""

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
from .handlers import Psychosocial
from .instruments import Instruments
from .settings import SERVICE, Settings

MIGRATIONS = Path(__file__).parent / "migrations"


def build(parts: Parts[Settings]) -> Psychosocial:
    """The command side: the store, the sealing keys and the instrument table."""
    table = Instruments(parts.settings.pcl5_cutoff)
    return Psychosocial(parts.store, parts.require_keys(), table, parts.clock)


def follow_intake(running: Running[Settings, Psychosocial]) -> Handler:
    """Intake's events → survivors, caseload, consent, closure, merges and erasure."""
    return partial(on_intake_event, running.resources)


PSYCHOSOCIAL: Service[Settings, Psychosocial] = Service(
    name=SERVICE,
    title="Uponyaji psychosocial",
    description="Counselling sessions, standardised assessments, risk flags and care plans",
    build=build,
    routers=[router],
    migrations=MIGRATIONS,
    sealing=True,
    caseload=lambda parts: LocalCaseload(parts.pool),
    project=projections.apply_all,
    follows=[Follow("intake", handler=follow_intake)],
)


def create_app(
    settings: Settings | None = None,
    *,
    feeds: Mapping[str, FeedSource] | None = None,
    clock: Clock | None = None,
) -> FastAPI:
    """Psychosocial's app; settings from `PSYCHOSOCIAL_*` (and `UPONYAJI_ENV`) unless given."""
    return PSYCHOSOCIAL.create_app(settings or Settings(), feeds=feeds, clock=clock)
