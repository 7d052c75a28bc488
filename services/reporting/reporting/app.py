"""`create_app()`: reporting's FastAPI app; everything with state is built in the lifespan."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import Depends, FastAPI
from uponyaji_access import Access, ServiceTokens, authorize, install_access
from uponyaji_events import ServiceRuntime, feed_router, health_router
from uponyaji_events.errors_http import install_error_handlers

from . import consumers
from .api import router
from .caseload import FactsCaseload
from .projections import MIGRATIONS
from .settings import SERVICE, Settings


def create_app(settings: Settings | None = None) -> FastAPI:
    """Reporting's app; settings from `REPORTING_*` (and `UPONYAJI_ENV`) unless given."""
    settings = settings or Settings()  # required fields come from the environment
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
        store, pool = runtime.require_store(), runtime.pool
        assert pool is not None
        app.state.pool = pool
        tokens = ServiceTokens.for_service(SERVICE)  # None without a client secret file
        feeds = getattr(app.state, "feeds", None)
        running = consumers.build(pool, settings, feeds, own=store, tokens=tokens)
        app.state.consumers = running
        for consumer in running:
            if settings.follow:
                runtime.add_consumer(consumer)  # stop() ends it
            else:
                runtime.consumers.append(consumer)  # tests drive it by hand (still in /health)
        access = Access.create(SERVICE, store=store, caseload=FactsCaseload(pool))
        access.attach(app)
        await access.start()
        try:
            yield
        finally:
            await access.stop()
            await runtime.stop()
            if tokens is not None:
                await tokens.aclose()

    app = FastAPI(
        title="Uponyaji reporting",
        version="0.1.0",
        description="Healing journeys, programme dashboards and audit review (projections only)",
        lifespan=lifespan,
    )
    install_error_handlers(app)
    install_access(app)
    app.include_router(health_router(runtime))
    app.include_router(
        feed_router(
            runtime.require_store,
            dependencies=[Depends(authorize("feed.read", survivor=None))],
        )
    )
    app.include_router(router)
    return app
