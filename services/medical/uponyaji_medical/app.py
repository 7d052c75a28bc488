"""Medical's app: a declaration of its parts; the service factory assembles them."""

from __future__ import annotations

from pathlib import Path

from uponyaji_service import Parts, Service
from uponyaji_service.stage import stage

from . import projections
from .api import routers
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


MEDICAL: Service[Settings, Medical] = stage(
    SERVICE,
    "Clinical records, Istanbul Protocol evaluations, signed medico-legal reports, evidence "
    "with chain of custody",
    settings=Settings,
    build=build,
    routers=[*routers, subject_access],
    migrations=MIGRATIONS,
    read_model=projections.READ_MODEL,
    on_intake=on_intake_event,  # survivors, caseload, consent, closure, merges, referrals, erasure
)
# The app; settings from `MEDICAL_*` (and `UPONYAJI_ENV`) unless given.
create_app = MEDICAL.create_app
