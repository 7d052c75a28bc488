"""`create_app()`: psychosocial's FastAPI app; everything with state is built in the lifespan."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

from fastapi import Depends, FastAPI
from uponyaji_access import Access, authorize, install_access
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


async def _until_done(tasks: list[asyncio.Task[None]], retry: Callable[[], list[Any]]) -> None:
    """Wait for tasks, cancelling `retry()`'s tasks again every second while any is pending.

    In Python 3.11 `asyncio.wait_for` can swallow a cancellation that races with its inner
    awaitable finishing (fixed in 3.12). The kernel's relay and consumers sleep that way, so one
    cancel can leave them running and shutdown waiting for ever.
    """
    for _ in range(30):
        if not tasks:
            return
        _, pending = await asyncio.wait(tasks, timeout=1.0)
        if not pending:
            break
        for task in retry():
            task.cancel()
    for task in tasks:
        if task.done() and not task.cancelled():
            with contextlib.suppress(Exception):
                task.result()


async def _stop(runtime: ServiceRuntime, tasks: list[asyncio.Task[None]]) -> None:
    """Stop our consumer, then the runtime (relay and pool), robustly."""
    for task in tasks:
        task.cancel()
    await _until_done(tasks, lambda: [t for t in tasks if not t.done()])
    relay = f"{SERVICE}-relay"
    stopping = asyncio.ensure_future(runtime.stop())
    await _until_done([stopping], lambda: [t for t in asyncio.all_tasks() if t.get_name() == relay])


def create_app(settings: Settings | None = None) -> FastAPI:
    """Psychosocial's app; settings from `PSYCHOSOCIAL_*` (and `UPONYAJI_ENV`) unless given."""
    settings = settings or Settings()  # type: ignore[call-arg]  # required fields come from env
    runtime = ServiceRuntime(
        service=SERVICE,
        database_url=settings.database_url,
        nats_url=settings.nats_url,
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
        intake = consumers.build(ps, pool, settings)
        runtime.consumers.append(intake)
        app.state.intake_consumer = intake
        tasks = []
        if settings.follow_intake:
            tasks.append(asyncio.create_task(intake.run(), name="psychosocial-intake"))
        try:
            yield
        finally:
            await access.stop()
            await _stop(runtime, tasks)
            if isinstance(intake.feed, consumers.QuietFeed):
                await intake.feed.feed.client.aclose()

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
