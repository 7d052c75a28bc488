"""`create_app()`: intake's FastAPI app; everything with state is built in the lifespan."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

from fastapi import Depends, FastAPI, Request
from fastapi.responses import JSONResponse
from uponyaji_access import Access, ServiceTokens, authorize, install_access
from uponyaji_events import ServiceRuntime, feed_router, health_router
from uponyaji_events.errors_http import install_error_handlers
from uponyaji_events.sealing import load_kek

from . import consumers
from .api import router
from .caseload import TableCaseload
from .errors import PossibleDuplicates
from .handlers import Intake
from .keys import Keys
from .redaction import RedactSearchTerms
from .settings import SERVICE, Settings

MIGRATIONS = Path(__file__).parent / "migrations"


def create_app(settings: Settings | None = None) -> FastAPI:
    """Intake's app; settings from `INTAKE_*` (and `UPONYAJI_ENV`) unless given."""
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
        load_kek(settings.kek_file, create=settings.development)  # fail before touching anything
        await runtime.start()
        store, pool = runtime.require_store(), runtime.pool
        assert pool is not None
        keys = Keys.open(pool, settings.kek_file)
        intake = Intake(store, keys, settings.case_number_prefix, tuple(settings.participants()))
        app.state.intake = intake
        access = Access.create(SERVICE, store=store, caseload=TableCaseload(pool))
        access.attach(app)
        await access.start()
        tokens = ServiceTokens.for_service(SERVICE)  # reads other services' feeds
        app.state.consumers = consumers.build(intake, pool, settings, tokens)
        for consumer in app.state.consumers:
            runtime.add_consumer(consumer)
        try:
            yield
        finally:
            await access.stop()
            await runtime.stop()
            if tokens is not None:
                await tokens.aclose()

    app = FastAPI(
        title="Uponyaji intake",
        version="0.1.0",
        description="Survivors (sealed identity), consent, incidents, referrals, caseload, erasure",
        lifespan=lifespan,
    )
    install_error_handlers(app)
    install_access(app)
    app.add_middleware(RedactSearchTerms)

    @app.exception_handler(PossibleDuplicates)
    async def duplicates(_: Request, exc: PossibleDuplicates) -> JSONResponse:
        return JSONResponse(
            {
                "error": type(exc).__name__,
                "detail": str(exc),
                "candidates": [c.as_dict() for c in exc.candidates],
            },
            status_code=exc.status_code,
        )

    app.include_router(health_router(runtime))
    app.include_router(
        feed_router(
            runtime.require_store,
            dependencies=[Depends(authorize("feed.read", survivor=None))],
        )
    )
    app.include_router(router)
    return app
