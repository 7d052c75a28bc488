"""`create_app()`: identity's FastAPI app, built in its lifespan (nothing at import time)."""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import Depends, FastAPI, Request
from fastapi.responses import JSONResponse
from uponyaji_access import (
    Access,
    AuditLog,
    Policy,
    TokenVerifier,
    authorize,
    install_access,
)
from uponyaji_events.errors_http import install_error_handlers
from uponyaji_events.feed import feed_router
from uponyaji_events.health import health_router
from uponyaji_events.runtime import ServiceRuntime

from identity.api import accounts, auth, service_tokens
from identity.context import MIGRATIONS, Identity, build
from identity.errors import IdentityError
from identity.security.keys import KeyRingJwks
from identity.settings import SERVICE, Settings

log = logging.getLogger("uponyaji.identity")
KEY_CHECK_SECONDS = 30.0
PRUNE_SECONDS = 3600.0


def create_app(settings: Settings | None = None) -> FastAPI:
    """Identity's app; settings from `IDENTITY_*` and `UPONYAJI_ENV` when not given."""
    settings = settings or Settings()
    _log_to_stderr()
    runtime = ServiceRuntime(
        service=SERVICE,
        database_url=settings.database_url,
        nats_url=settings.nats_url,
        nats_credentials_file=settings.nats_credentials_file,
        signing_key_dir=settings.signing_key_dir,
        migration_database_url=settings.migration_database_url,
        migrations=MIGRATIONS,
    )

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        await runtime.start()
        try:
            assert runtime.pool is not None
            ctx = await build(settings, runtime.pool, runtime.require_store())
            access = Access(
                service=SERVICE,
                policy=Policy.load(),
                # Identity verifies with its own key ring (no HTTP) and its own deny list, which
                # logout fills at once and the maintenance loop keeps in step with other processes.
                verifier=TokenVerifier(SERVICE, KeyRingJwks(ctx.keys)),
                deny_list=ctx.deny_list,
                audit=AuditLog(ctx.store, SERVICE),
                caseload=None,
            )
            access.attach(app)
            app.state.identity = ctx
            runtime.run_in_background(_maintain(ctx), name="identity-maintenance")
            yield
        finally:
            app.state.identity = None
            await runtime.stop()

    app = FastAPI(
        title="Uponyaji identity",
        description="Staff accounts, roles, teams, MFA, sessions and token signing keys.",
        lifespan=lifespan,
    )
    install_error_handlers(app)
    install_access(app)

    @app.exception_handler(IdentityError)
    async def identity_error(_: Request, exc: IdentityError) -> JSONResponse:
        return JSONResponse(
            {"error": type(exc).__name__, "detail": str(exc)},
            status_code=exc.status_code,
            headers=exc.headers,
        )

    app.include_router(health_router(runtime))
    app.include_router(auth.router)
    app.include_router(service_tokens.router)
    app.include_router(accounts.router)
    # The roster and MFA history are for other services (service tokens) only, under the policy.
    feed = Depends(authorize("identity.feed.read", survivor=None))
    app.include_router(feed_router(runtime.require_store, dependencies=[feed]))
    return app


def _log_to_stderr() -> None:
    """Show the platform's INFO logs when nothing else configured logging (uvicorn only sets
    up its own loggers). Log lines name accounts and sessions by id, never a secret."""
    platform = logging.getLogger("uponyaji")
    if not platform.handlers and not logging.getLogger().handlers:
        handler = logging.StreamHandler()
        handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
        platform.addHandler(handler)
        platform.setLevel(logging.INFO)


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
