"""Intake's app: a declaration of its parts; the service factory assembles them."""

from __future__ import annotations

from collections.abc import Coroutine
from functools import partial
from pathlib import Path
from typing import Any

from uponyaji_events.consumer import Handler
from uponyaji_service import Follow, OnPage, Parts, Running, Service

from . import consumers, projections
from .api import router
from .blind_index import BlindIndexer
from .caseload import TableCaseload
from .handlers import Intake
from .projections import Projector
from .redaction import RedactSearchTerms
from .retention import run_forever
from .settings import SERVICE, Settings
from .subject_access import router as subject_access

MIGRATIONS = Path(__file__).parent / "migrations"


def build(parts: Parts[Settings]) -> Intake:
    """The command side: the store, the sealing and blind-index keys, case numbering."""
    keys = parts.require_keys()
    settings = parts.settings
    return Intake(
        parts.store,
        keys,
        BlindIndexer.from_kek(keys.kek),
        settings.case_number_prefix,
        tuple(settings.participants()),
    )


def key_destroyed(running: Running[Settings, Intake]) -> Handler:
    """Another service's DataKeyDestroyed → the erasure request's confirmations; its answers to
    referrals → the referral's status."""
    return partial(consumers.on_participant_event, running.resources)


def follows(settings: Settings) -> list[Follow[Settings, Intake]]:
    """Every erasure participant's confirmations, and identity's teams when it was started."""
    return [
        Follow(
            source,
            handler=(lambda _: consumers.on_identity_event)
            if source == "identity"
            else key_destroyed,
        )
        for source in consumers.sources(settings)
    ]


async def rebuild(running: Running[Settings, Intake], on_page: OnPage) -> int:
    """Intake's read tables (the blind index included) from its own events."""
    intake = running.resources
    projector = Projector(intake.indexer, intake.keys.sealer)
    return await projections.rebuild(intake.store, projector, on_page=on_page)


def retain(running: Running[Settings, Intake]) -> Coroutine[Any, Any, None]:
    """Closed-case retention, in the background (retention.py)."""
    settings = running.parts.settings
    return run_forever(
        running.resources,
        running.parts.clock,
        settings.closed_case_retention_days,
        settings.retention_check_hours,
    )


INTAKE: Service[Settings, Intake] = Service(
    name=SERVICE,
    description="Survivors (sealed identity), consent, incidents, referrals, caseload, erasure",
    settings=Settings,
    build=build,
    routers=[router, subject_access],
    migrations=MIGRATIONS,
    sealing=True,
    caseload=lambda parts: TableCaseload(parts.pool),
    follows_from=follows,
    middleware=[RedactSearchTerms],
    rebuild=rebuild,
    background=lambda running: [retain(running)],
)
# The app; settings from `INTAKE_*` (and `UPONYAJI_ENV`) unless given.
create_app = INTAKE.create_app
