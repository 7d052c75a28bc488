"""`create_app()`: psychosocial's FastAPI app; everything with state is built in the lifespan."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

from fastapi import Depends, FastAPI
from uponyaji_access import Access, ServiceTokens, authorize, install_access
from uponyaji_events import ServiceRuntime, feed_router, health_router
from uponyaji_events.errors_http import install_error_handlers
from uponyaji_events.sealing import load_kek

from . import consumers
from .api import router
from .caseload import LocalCaseload
from .handlers import Psychosocial
from .instruments import Instruments
from .keys import Keys
from .settings import SERVICE, Settings

MIGRATIONS = Path(__file__).parent / "migrations"


def create_app(settings: Settings | None = None) -> FastAPI:
    """Psychosocial's app; settings from `PSYCHOSOCIAL_*` (and `UPONYAJI_ENV`) unless given."""
    settings = settings or Settings()  # type: ignore[call-arg]  # required fields come from env
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
        table = Instruments(settings.pcl5_cutoff)
        load_kek(settings.kek_file, create=settings.development)  # fail before touching anything
        await runtime.start()
        store, pool = runtime.require_store(), runtime.pool
        assert pool is not None
        keys = Keys.open(pool, settings.kek_file)
        ps = Psychosocial(store, keys, table)
        app.state.psychosocial = ps
        access = Access.create(SERVICE, store=store, caseload=LocalCaseload(pool))
        access.attach(app)
        await access.start()
        tokens = ServiceTokens.for_service(SERVICE)  # reads intake's feed
        intake = consumers.build(ps, pool, settings, tokens)
        app.state.intake_consumer = intake
        if settings.follow_intake:
            runtime.add_consumer(intake)
        else:
            runtime.consumers.append(intake)  # reported in health, driven by tests
        try:
            yield
        finally:
            await access.stop()
            await runtime.stop()
            if isinstance(intake.feed, consumers.QuietFeed):
                await intake.feed.feed.client.aclose()
            if tokens is not None:
                await tokens.aclose()

    app = FastAPI(
        title="Uponyaji psychosocial",
        version="0.1.0",
        description="Counselling sessions, standardised assessments, risk flags and care plans",
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
