"""Empowerment's app: a declaration of its parts; the service factory assembles them."""

from __future__ import annotations

from pathlib import Path

from uponyaji_service import Parts, Service
from uponyaji_service.stage import stage

from . import projections
from .api import router
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


EMPOWERMENT: Service[Settings, Empowerment] = stage(
    SERVICE,
    "Needs assessments, livelihood plans, grants and disbursements, trainings, follow-ups and "
    "outcomes",
    settings=Settings,
    build=build,
    routers=[router, subject_access],
    migrations=MIGRATIONS,
    read_model=projections.READ_MODEL,
    on_intake=on_intake_event,  # survivors, caseload, consent, closure, merges, referrals, erasure
)
# The app; settings from `EMPOWERMENT_*` (and `UPONYAJI_ENV`) unless given.
create_app = EMPOWERMENT.create_app
