"""Identity's app: a declaration of its parts; the service factory assembles them."""

from __future__ import annotations

import asyncio
import logging
import time

from fastapi import Depends
from uponyaji_access import Access, AuditLog, Policy, TokenVerifier, authorize
from uponyaji_service import Parts, Service, store_rebuild

from . import projections
from .api import accounts, approvals, auth, preferences, service_tokens
from .breaches import api as breaches
from .breaches import reminders
from .context import MIGRATIONS, Identity, build
from .security.keys import KeyRingJwks
from .settings import SERVICE, Settings

log = logging.getLogger("uponyaji.identity")
KEY_CHECK_SECONDS = 30.0
PRUNE_SECONDS = 3600.0


async def resources(parts: Parts[Settings]) -> Identity:
    """Load the KEK, open the key ring (rotating if due) and assemble the handlers' context."""
    return await build(parts.settings, parts.pool, parts.store, clock=parts.clock)


def own_access(parts: Parts[Settings], ctx: Identity) -> Access:
    """Identity verifies with its own key ring (no HTTP) and its own deny list, which logout
    fills at once and the maintenance loop keeps in step with other processes."""
    return Access(
        service=SERVICE,
        policy=Policy.load(),
        verifier=TokenVerifier(SERVICE, KeyRingJwks(ctx.keys)),
        deny_list=ctx.deny_list,
        audit=AuditLog(ctx.store, SERVICE),
        caseload=None,
    )


async def _maintain(ctx: Identity) -> None:
    """Keep the deny list and key ring in step with other identity processes; rotate when due."""
    keys_checked = prune_done = time.monotonic()
    while True:
        try:
            ctx.deny_list.revoke_all(await ctx.sessions.recently_revoked())
            ctx.deny_list.prune()
            now = time.monotonic()
            if now - keys_checked >= KEY_CHECK_SECONDS:
                keys_checked = now
                await ctx.keys.ensure_current()
            if now - prune_done >= PRUNE_SECONDS:
                prune_done = now
                await ctx.sessions.prune()
        except Exception as exc:  # keep going: the next round may succeed
            log.warning("identity maintenance round failed: %s", type(exc).__name__)
        await asyncio.sleep(ctx.settings.maintenance_interval)


IDENTITY: Service[Settings, Identity] = Service(
    name=SERVICE,
    description="Staff accounts, roles, teams, MFA, sessions and token signing keys.",
    settings=Settings,
    build=resources,
    routers=[
        auth.router,
        service_tokens.router,
        accounts.router,
        approvals.router,
        breaches.router,
        preferences.router,
    ],
    migrations=MIGRATIONS,
    access=own_access,
    background=lambda running: [_maintain(running.resources), reminders.run(running)],
    # The roster and MFA history are for other services (service tokens) only, under the policy.
    feed_dependencies=[Depends(authorize("identity.feed.read", survivor=None))],
    rebuild=store_rebuild(projections.rebuild),
)
# The app; settings from `IDENTITY_*` (and `UPONYAJI_ENV`) unless given.
create_app = IDENTITY.create_app
