"""One kernel `Consumer` per source service, their lag, and a rebuild of every table from zero.

The sources' `/feed` needs `feed.read`: reporting reads them with its own short-lived service
token from identity (`ServiceTokens`, from `REPORTING_SERVICE_CLIENT_SECRET_FILE`), or with an
operator's `REPORTING_FEED_TOKEN`. A feed that refuses or is away reads as empty (logged once a
minute; lag then shows `head: null`) and NATS stays the path. Tests give the app a
`StoreFeed` on each source's store (`create_app(settings, feeds=...)`).
"""

from __future__ import annotations

import contextlib
import gc
from collections.abc import Callable, Iterator, Sequence
from typing import Any

import asyncpg
import httpx
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TaskID, TextColumn
from uponyaji_access import ServiceTokens
from uponyaji_events import Consumer
from uponyaji_events.consumer import lock_key
from uponyaji_events.contracts import default_upcasters
from uponyaji_events.feed import FeedSource, StoreFeed
from uponyaji_events.store import EventStore
from uponyaji_service import feed_auth, http_feed

from .projections import TABLES, facts_deferred, handler, refresh_all
from .settings import SERVICE, Settings

# Events read from a feed and applied per transaction during a rebuild (a feed over HTTP serves
# at most 1,000 a page). At 10,000 the rebuild needed about 1 µs less CPU per event than at 5,000
# (300,000-event harness, docs/benchmarks.md Run 10); a page is held twice (written, read ahead).
REBUILD_PAGE = 10_000
# Net new container objects between young-generation collections while a rebuild runs (Python's
# default is 700). A rebuild page allocates hundreds of thousands of short-lived objects (freed
# by reference counting), and at the default the cyclic collector took 35 % of a rebuild's CPU
# (measured: 0.77-0.81 s of 2.2 s over 50,000 events; 0.14 s at 20,000; none at 100,000).
# A catch-up holds the page being written and the next one, read and prepared: at 100,000 the
# young collections came back (0.35 µs per event); none at this threshold. Cyclic garbage is
# still collected: once this many uncollected objects have piled up.
REBUILD_GC_THRESHOLD = 250_000


@contextlib.contextmanager
def fewer_collections() -> Iterator[None]:
    """Run the cyclic garbage collector less often in this block (restored afterwards)."""
    young, middle, old = gc.get_threshold()
    gc.set_threshold(max(young, REBUILD_GC_THRESHOLD), middle, old)
    try:
        yield
    finally:
        gc.set_threshold(young, middle, old)


def build(
    pool: asyncpg.Pool,
    settings: Settings,
    feeds: dict[str, FeedSource] | None = None,
    own: EventStore | None = None,
    tokens: ServiceTokens | None = None,
) -> list[Consumer]:
    """Consumers of intake, psychosocial, medical and empowerment where deployed (their URL known
    or a feed given), and (given `own`) reporting's own audit records, for tools outside the app
    (the rebuild command, benchmarks): the app declares the same ones.

    `feeds` overrides the sources' HTTP feeds; `tokens` authenticates reporting to them.
    """
    built = []
    sources = settings.sources(feeds or {})
    if own is not None:
        feeds = {**(feeds or {}), SERVICE: StoreFeed(own)}
    for source in (*sources, SERVICE) if own is not None else sources:
        feed: FeedSource | None = (feeds or {}).get(source)
        url = settings.service_url(source)
        if feed is None and url:
            feed = http_feed(source, url, feed_auth(source, tokens, settings.feed_token))
        built.append(
            Consumer(
                pool,
                name=SERVICE,
                source=source,
                batch_handler=handler(source, own),
                nats_url=settings.nats_url,
                feed=feed,
                upcasters=default_upcasters(),
            )
        )
    return built


async def lag(consumers: Sequence[Consumer]) -> dict[str, dict[str, Any]]:
    """How far behind each source we are: our position, the source's head, the difference."""
    out: dict[str, dict[str, Any]] = {}
    for consumer in consumers:
        position = await consumer.position()
        head: int | None = None
        if consumer.feed is not None:
            try:
                head = await consumer.feed.head()
            except (httpx.HTTPError, ValueError, KeyError, OSError):
                head = None
        behind = max(head - position, 0) if head is not None else None
        out[consumer.source] = {"position": position, "head": head, "behind": behind}
    return out


async def rebuild(
    pool: asyncpg.Pool,
    consumers: Sequence[Consumer],
    *,
    progress: bool = True,
    on_page: Callable[[int], None] | None = None,
) -> int:
    """Empty reporting's tables and replay every source's feed from zero; live batches wait.

    Pages write journey entries only; each survivor's facts and the dashboard cells are then
    computed once from all their entries.

    Refuses (before touching anything) when a source has no feed or its feed cannot be read.
    """
    heads = {}
    for c in consumers:
        if c.feed is None:
            raise RuntimeError(f"cannot rebuild: no feed for {c.source}")
        heads[c.source] = await c.feed.head()
    async with pool.acquire() as conn:
        keys = sorted(lock_key(c.name, c.source) for c in consumers)
        for key in keys:
            await conn.execute("SELECT pg_advisory_lock($1)", key)
        # A page's entries and the consumer's position commit together, so a crash can only
        # lose the last pages' commits, which the rebuild (or the consumer) then applies
        # again from the position that did commit: its commits need not wait for the disk.
        await conn.execute("SET synchronous_commit = off")
        try:
            async with conn.transaction():
                await conn.execute(f"TRUNCATE {', '.join(TABLES)}")
                for c in consumers:
                    for table in ("consumer_failures", "dead_letters", "consumer_stream_heads"):
                        await conn.execute(
                            f"DELETE FROM {table} WHERE consumer = $1 AND source = $2",  # noqa: S608
                            c.name,
                            c.source,
                        )
                    # From position 0 again, remembering the source's store identity (epoch):
                    # forgotten, a source later restored from a backup would go unnoticed.
                    await conn.execute(
                        "UPDATE consumer_positions SET position = 0, updated_at = now() "
                        "WHERE consumer = $1 AND source = $2",
                        c.name,
                        c.source,
                    )
            total = 0
            with (
                facts_deferred(emptied=True),
                fewer_collections(),
                Progress(
                    TextColumn("rebuild {task.description}"),
                    BarColumn(),
                    MofNCompleteColumn(),
                    disable=not progress,
                ) as bar,
            ):
                for c in consumers:
                    task = bar.add_task(c.source, total=heads[c.source])

                    def advance(n: int, task: TaskID = task) -> None:
                        bar.advance(task, n)
                        if on_page is not None:
                            on_page(n)

                    total += await c.catch_up(page=REBUILD_PAGE, conn=conn, on_page=advance)
                facts = bar.add_task("facts", total=None)
                survivors = await refresh_all(conn)
                bar.update(facts, total=survivors, completed=survivors)
            return total
        finally:
            await conn.execute("RESET synchronous_commit")
            for key in reversed(keys):
                await conn.execute("SELECT pg_advisory_unlock($1)", key)
