"""`create_app()`: reporting's FastAPI app; everything with state is built in the lifespan."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from typing import Any

from fastapi import Depends, FastAPI
from uponyaji_access import Access, authorize, install_access
from uponyaji_events import ServiceRuntime, feed_router, health_router
from uponyaji_events.errors_http import install_error_handlers

from . import consumers
from .api import router
from .caseload import FactsCaseload
from .projections import MIGRATIONS
from .settings import SERVICE, Settings


async def _until_done(tasks: list[asyncio.Task[None]], retry: Callable[[], list[Any]]) -> None:
    """Wait for tasks, cancelling `retry()`'s tasks again every second (3.11's wait_for can
    swallow a cancellation, so one cancel can leave the relay or a consumer running)."""
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
    """Stop our consumers, then the runtime (relay and pool), robustly."""
    for task in tasks:
        task.cancel()
    await _until_done(tasks, lambda: [t for t in tasks if not t.done()])
    relay = f"{SERVICE}-relay"
    stopping = asyncio.ensure_future(runtime.stop())
    await _until_done([stopping], lambda: [t for t in asyncio.all_tasks() if t.get_name() == relay])


def create_app(settings: Settings | None = None) -> FastAPI:
    """Reporting's app; settings from `REPORTING_*` (and `UPONYAJI_ENV`) unless given."""
    settings = settings or Settings()  # type: ignore[call-arg]  # required fields come from env
    runtime = ServiceRuntime(
        service=SERVICE,
        database_url=settings.database_url,
        nats_url=settings.nats_url,
        migrations=MIGRATIONS,
    )

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        await runtime.start()
        store, pool = runtime.require_store(), runtime.pool
        assert pool is not None
        app.state.pool = pool
        running = consumers.build(pool, settings, getattr(app.state, "feeds", None), own=store)
        app.state.consumers = running
        runtime.consumers.extend(running)
        access = Access.create(SERVICE, store=store, caseload=FactsCaseload(pool))
        access.attach(app)
        await access.start()
        tasks = []
        if settings.follow:
            tasks = [asyncio.create_task(c.run(), name=f"reporting-{c.source}") for c in running]
        try:
            yield
        finally:
            await access.stop()
            await _stop(runtime, tasks)

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
