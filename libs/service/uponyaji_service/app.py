"""The service factory: a service declares its parts, `Service.create_app` wires them once.

    SERVICE = Service(
        name="intake", description="...", settings=Settings,
        routers=[router], migrations=MIGRATIONS, sealing=True,
        build=build,                          # Parts -> the command side (routes get it by type)
        caseload=lambda parts: TableCaseload(parts.pool),
        follows_from=follows,                 # settings -> the sources it follows
    )
    create_app = SERVICE.create_app           # (settings=None, *, feeds=None, clock=None)

(A rehabilitation stage that follows intake is declared with `uponyaji_service.stage`.)

The lifespan then: configures logging, loads the KEK (before touching anything), opens the pool,
migrates (kernel, then the service's own), starts the relay, builds the keys and the service's
resources, Access (tokens, policy, audit, caseload), the service token client, and one consumer
per followed source; the app gets the probes, the event feed, the error handlers, access errors,
correlation ids in the logs, and the service's routers.
"""

from __future__ import annotations

import inspect
import re
from collections.abc import AsyncIterator, Awaitable, Callable, Coroutine, Mapping, Sequence
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Generic, Protocol, TypeVar

import asyncpg
from fastapi import APIRouter, Depends, FastAPI, Request
from fastapi.routing import APIRoute
from starlette.types import ASGIApp
from uponyaji_access import Access, Caseload, ServiceTokens, authorize, install_access
from uponyaji_events import Consumer, ServiceRuntime, feed_router
from uponyaji_events.consumer import BatchHandler, Handler
from uponyaji_events.errors_http import install_error_handlers
from uponyaji_events.feed import FeedSource, StoreFeed
from uponyaji_events.notary import HeadsFile, Notary
from uponyaji_events.sealing import load_kek
from uponyaji_events.store import EventStore
from uponyaji_events.unit_of_work import Project, UnitOfWork, unit_of_work

from uponyaji_service.errors import Unavailable
from uponyaji_service.feeds import QuietFeed, feed_auth, http_feed
from uponyaji_service.health import probes_router
from uponyaji_service.heap import settle_heap
from uponyaji_service.keys import Keys
from uponyaji_service.logs import CorrelationMiddleware, bind_service, configure_logging
from uponyaji_service.notary import notary_router
from uponyaji_service.overload import ConcurrencyLimit
from uponyaji_service.production import ProductionRefused, database_problems, production_problems
from uponyaji_service.settings import ServiceSettings
from uponyaji_service.telemetry import FASTAPI_TELEMETRY, install_telemetry, instrument_app

S = TypeVar("S", bound=ServiceSettings)
R = TypeVar("R")
T = TypeVar("T")
Clock = Callable[[], datetime]
OnPage = Callable[[int], None]  # told how many events a rebuild just applied
_PARAM = re.compile(r"{[^}]*}")


def utc_now() -> datetime:
    """The real clock (timezone-aware UTC)."""
    return datetime.now(UTC)


class NotRunning(Unavailable):
    """The app's lifespan has not started (or has ended): it has no running parts (503)."""


@dataclass(frozen=True)
class Parts(Generic[S]):
    """What the factory built in the lifespan before the service's own resources."""

    service: str
    settings: S
    runtime: ServiceRuntime
    store: EventStore
    pool: asyncpg.Pool
    keys: Keys | None
    clock: Clock
    project: Project | None

    def unit_of_work(self) -> AbstractAsyncContextManager[UnitOfWork]:
        """A unit of work on the service's store that projects its appends into read tables."""
        return unit_of_work(self.store, project=self.project)

    def require_keys(self) -> Keys:
        """The sealing keys (a service declared with `sealing=True` has them)."""
        if self.keys is None:
            raise RuntimeError(f"{self.service} was not declared with sealing=True")
        return self.keys


@dataclass
class Running(Generic[S, R]):
    """A running service: the factory's parts, the service's resources, Access and consumers."""

    parts: Parts[S]
    resources: R
    access: Access
    tokens: ServiceTokens | None
    consumers: dict[str, Consumer] = field(default_factory=dict)
    notary: Notary | None = None

    def consumer(self, source: str) -> Consumer:
        """The consumer of one followed source (KeyError names the sources there are)."""
        try:
            return self.consumers[source]
        except KeyError:
            raise KeyError(f"no consumer of {source!r}; follows {sorted(self.consumers)}") from None


@dataclass(frozen=True)
class Follow(Generic[S, R]):
    """A source service whose events this service applies to its own tables (a Consumer).

    Give `handler` (one event at a time) or `batch_handler` (a contiguous page), each built
    from the running service. `name` is the consumer's durable name (default: the service).
    `upcast`: hand the handler events upcast to the current schemas. `own`: the source is this
    service itself (its feed is its own store), as reporting projects its own audit records.
    `optional`: followed only where the source is deployed (its URL is known or a feed given).
    """

    source: str
    handler: Callable[[Running[S, R]], Handler] | None = None
    batch_handler: Callable[[Running[S, R]], BatchHandler] | None = None
    name: str | None = None
    upcast: bool = False
    own: bool = False
    optional: bool = False


@dataclass(frozen=True)
class Service(Generic[S, R]):
    """A service's declaration: what it is made of; `create_app` assembles it."""

    name: str
    description: str
    build: Callable[[Parts[S]], R | Awaitable[R]]
    settings: Callable[[], S] | None = None  # the Settings class: read from the environment
    title: str = ""  # default: "Uponyaji <name>"
    routers: Sequence[APIRouter] = ()
    migrations: Path | None = None
    sealing: bool = False
    caseload: Callable[[Parts[S]], Caseload] | None = None
    project: Project | None = None
    follows: Sequence[Follow[S, R]] = ()
    feed: bool = True
    close: Callable[[R], Awaitable[None]] | None = None
    version: str = "0.1.0"
    follows_from: Callable[[S], Sequence[Follow[S, R]]] | None = None
    middleware: Sequence[Callable[[ASGIApp], ASGIApp]] = ()
    access: Callable[[Parts[S], R], Access] | None = None
    background: Callable[[Running[S, R]], Sequence[Coroutine[Any, Any, None]]] | None = None
    feed_dependencies: Sequence[Any] | None = None
    rebuild: Callable[[Running[S, R], OnPage], Awaitable[int]] | None = None

    def create_app(
        self,
        settings: S | None = None,
        *,
        feeds: Mapping[str, FeedSource] | None = None,
        clock: Clock | None = None,
    ) -> FastAPI:
        """The service's FastAPI app; everything with state is built in its lifespan.

        `settings` default: the declared `settings` read from the environment. `feeds` hands
        the consumers to the caller: a source given a feed here is read from it, the others
        from their usual feed, and no consumer runs by itself (no NATS subscription, no
        background task); whoever passed `feeds` drives them with
        `running(app).consumer(source).catch_up()` or `.apply(events)`. `clock` is the
        service's time source.
        """
        if settings is None:
            if self.settings is None:
                raise TypeError(f"{self.name} declares no settings: pass them to create_app")
            settings = self.settings()
        problems = production_problems(self.name, settings, sealing=self.sealing)
        if problems:
            raise ProductionRefused(self.name, problems)
        install_telemetry(self.name)  # once per process, when an OTLP endpoint is configured
        runtime = ServiceRuntime(
            service=self.name,
            database_url=settings.database_url,
            nats_url=settings.nats_url,
            nats_credentials_file=settings.nats_credentials_file,
            signing_key_dir=settings.signing_key_dir,
            migration_database_url=settings.migration_database_url,
            migrations=self.migrations,
        )
        given = dict(feeds or {})
        driven = feeds is not None
        holder: dict[str, Access] = {}
        follows = [*self.follows, *(self.follows_from(settings) if self.follows_from else ())]

        @asynccontextmanager
        async def lifespan(app: FastAPI) -> AsyncIterator[None]:
            configure_logging(production=not settings.development, level=settings.log_level)
            bind_service(self.name)
            kek_file = self._kek_file(settings)
            if kek_file is not None:
                load_kek(kek_file, create=settings.development)  # fail before touching anything
            refused = await database_problems(self.name, settings)
            if refused:
                raise ProductionRefused(self.name, refused)
            await runtime.start()
            store, pool = runtime.require_store(), runtime.pool
            assert pool is not None
            keys = Keys.open(pool, kek_file) if kek_file is not None else None
            parts = Parts(
                self.name, settings, runtime, store, pool, keys, clock or utc_now, self.project
            )
            built = self.build(parts)
            resources: R = await built if inspect.isawaitable(built) else built
            if self.access is not None:
                access = self.access(parts, resources)
            else:
                caseload = self.caseload(parts) if self.caseload is not None else None
                access = Access.create(self.name, store=store, caseload=caseload)
            access.attach(app)
            await access.start()
            holder["access"] = access
            tokens = ServiceTokens.for_service(self.name) if follows else None
            running = Running(parts, resources, access, tokens)
            quiet: list[QuietFeed] = []
            for follow in follows:
                if follow.optional and not self._deployed(follow.source, settings, given):
                    continue
                consumer = self._consumer(follow, running, given, quiet)
                running.consumers[follow.source] = consumer
                if driven:
                    runtime.consumers.append(consumer)  # in health; driven by whoever gave feeds
                else:
                    runtime.add_consumer(consumer)
            running.notary = self._notary(parts, driven)
            app.state.uponyaji = running
            for number, work in enumerate(self.background(running) if self.background else ()):
                runtime.run_in_background(work, name=f"{self.name}-background-{number}")
            settle_heap()  # once per process: the collector skips what start-up built
            try:
                yield
            finally:
                app.state.uponyaji = None
                holder.clear()
                await access.stop()
                await runtime.stop()
                for feed in quiet:
                    await feed.aclose()
                if tokens is not None:
                    await tokens.aclose()
                if self.close is not None:
                    await self.close(resources)

        title = self.title or f"Uponyaji {self.name}"
        app = FastAPI(
            title=title,
            version=self.version,
            description=self.description,
            lifespan=lifespan,
            telemetry=FASTAPI_TELEMETRY,  # the instrumentor's span only (see telemetry.py)
        )
        install_error_handlers(app)
        install_access(app)
        app.add_middleware(CorrelationMiddleware, service=self.name)
        for middleware in self.middleware:
            app.add_middleware(middleware)
        app.add_middleware(  # outermost: an overloaded service refuses before doing any work
            ConcurrencyLimit,
            limit=settings.max_concurrent_requests,
            queue=settings.max_queued_requests,
            wait=settings.queue_wait,
        )
        # The service's routes are matched first (requests are matched against routes in the
        # order they were included): its commands and reads are the busy paths. The kernel's
        # routes come after; `_check_unshadowed` refuses a service path that would hide one.
        for router in self.routers:
            app.include_router(router)
        kernel = [probes_router(runtime, lambda: holder.get("access"))]
        if self.feed:
            guard = self.feed_dependencies
            if guard is None:
                guard = [Depends(authorize("feed.read", survivor=None))]
            kernel.append(feed_router(runtime.require_store, dependencies=list(guard)))
        kernel.append(notary_router(survivors=self.caseload is not None))
        _check_unshadowed(self.routers, kernel)
        for router in kernel:
            app.include_router(router)
        instrument_app(app)
        return app

    def _notary(self, parts: Parts[S], driven: bool) -> Notary | None:
        """The service's notary when its heads file is set; it runs by itself unless driven."""
        settings = parts.settings
        if settings.notary_heads_file is None or parts.store.signer is None:
            return None
        notary = Notary(
            parts.pool, parts.store.signer, HeadsFile(settings.notary_heads_file), clock=parts.clock
        )
        if not driven:
            parts.runtime.run_in_background(
                notary.run(settings.notary_interval, settings.notary_verify_interval),
                name=f"{self.name}-notary",
            )
        return notary

    @staticmethod
    def _deployed(source: str, settings: S, given: Mapping[str, FeedSource]) -> bool:
        return source in given or settings.service_url(source) is not None

    def _kek_file(self, settings: S) -> Path | None:
        if not self.sealing:
            return None
        if settings.kek_file is None:
            raise ValueError(f"{self.name} seals survivor data: set {self.name.upper()}_KEK_FILE")
        return settings.kek_file

    def _consumer(
        self,
        follow: Follow[S, R],
        running: Running[S, R],
        given: Mapping[str, FeedSource],
        quiet: list[QuietFeed],
    ) -> Consumer:
        settings = running.parts.settings
        feed: FeedSource | None = given.get(follow.source)
        if feed is None and follow.own:
            feed = StoreFeed(running.parts.store)
        elif feed is None:
            url = settings.service_url(follow.source)
            if url is not None:
                auth = feed_auth(follow.source, running.tokens, settings.feed_token)
                feed = http_feed(follow.source, url, auth)
                quiet.append(feed)
        return Consumer(
            running.parts.pool,
            name=follow.name or self.name,
            source=follow.source,
            handler=follow.handler(running) if follow.handler is not None else None,
            batch_handler=(
                follow.batch_handler(running) if follow.batch_handler is not None else None
            ),
            nats_url=settings.nats_url,
            feed=feed,
            upcasters=running.parts.runtime.upcasters if follow.upcast else None,
        )


def _check_unshadowed(service: Sequence[APIRouter], kernel: Sequence[APIRouter]) -> None:
    """Refuse a service route whose path would also match a kernel route's (probes, feed,
    notary): matched first, it would hide the kernel's."""
    for router in kernel:
        for route in router.routes:
            if not isinstance(route, APIRoute):
                continue
            sample = _PARAM.sub("x", route.path)  # e.g. /notary/proofs/events/x
            for own in (r for s in service for r in s.routes if isinstance(r, APIRoute)):
                if own.path_regex.match(sample):
                    raise ValueError(f"the service's route {own.path} hides {route.path}")


def running(app: FastAPI) -> Running[Any, Any]:
    """The running parts of an app made by `Service.create_app` (inside its lifespan)."""
    found = getattr(app.state, "uponyaji", None)
    if not isinstance(found, Running):
        raise NotRunning("the service's lifespan is not running")
    return found


def resource(kind: type[T]) -> Callable[[Request], Awaitable[T]]:
    """A route dependency giving the service's resources, checked to be a `kind`.

    It is a coroutine function (`await get(request)` when called directly): FastAPI runs a
    plain function dependency in a worker thread, a hand-off that cost a tenth of a command's
    CPU.
    """

    async def get(request: Request) -> T:
        found = running(request.app).resources
        if not isinstance(found, kind):
            raise NotRunning(f"the service's resources are not a {kind.__name__}")
        return found

    get.__name__ = f"get_{kind.__name__.lower()}"
    return get


class StoreRebuild(Protocol):
    """A service's `projections.rebuild`: empty its read tables, replay its own store."""

    def __call__(self, store: EventStore, *, on_page: OnPage | None = ...) -> Awaitable[int]:
        """Replay `store` into the read tables, telling `on_page` of each page; how many."""
        ...


def store_rebuild(rebuild: StoreRebuild) -> Callable[[Running[Any, Any], OnPage], Awaitable[int]]:
    """A declared `rebuild` of read tables built from the service's own events alone."""

    def from_store(running: Running[Any, Any], on_page: OnPage) -> Awaitable[int]:
        return rebuild(running.parts.store, on_page=on_page)

    return from_store
