"""The CPU cost of event signatures: signing at sequencing and checking at the consumer."""

from __future__ import annotations

import hashlib
import time

from uponyaji_events.codec import event_hash
from uponyaji_events.consumer import Consumer
from uponyaji_events.envelope import Event
from uponyaji_events.feed import StoreFeed
from uponyaji_events.seals import seals_of
from uponyaji_events.signing import Signer, StaticKeys
from uponyaji_events.store import EventStore

from bench.probe import Probe
from bench.report import Figure, Results
from bench.servers import Servers
from bench.sizes import Sizes
from bench.workload import open_pool, preload

SOURCE = "benchsign"


async def run(servers: Servers, sizes: Sizes, probe: Probe) -> Results:
    """Ed25519 sign, SHA-256 re-hash, and the consumer's whole check, per event, in process."""
    count = sizes.consumer_events
    results = Results()
    signer = Signer.generate(SOURCE)
    pool = await open_pool(await servers.new_database("signing"), 2)
    try:
        store = EventStore(pool, signer=signer)
        await preload(store, count)
        events = await store.read_all(0, count)
        consumer = Consumer(
            pool,
            name="bench-check",
            source=SOURCE,
            handler=_ignore,
            nats_url=servers.nats_url,
            keys=StaticKeys(signer.public_keys()),
        )
        cpu: dict[str, float] = {}
        with probe.measure() as signing:
            started = time.process_time()
            for event in events:
                signer.sign(event.position or 0, event.hash)
            cpu["sign"] = time.process_time() - started
        with probe.measure() as hashing:
            started = time.process_time()
            for event in events:
                event_hash(event)
            cpu["hash"] = time.process_time() - started
        with probe.measure() as checking:
            started = time.process_time()
            for event in events:
                if await consumer.check(event) is not None:
                    raise RuntimeError("a genuine event failed its check")
            cpu["check"] = time.process_time() - started
        # A rebuild's pages (5,000 events, as reporting reads them) with their range statements:
        # one signature per block, every event re-hashed; uncovered events checked one by one.
        pages: list[list[Event]] = []
        feed, read = StoreFeed(store), 0
        while read < len(events):
            pages.append(await feed.read(read, 5000))
            read += len(pages[-1])
        with probe.measure() as paging:
            started = time.process_time()
            for page in pages:
                covered = await consumer.sealed(page, seals_of(page), "feed", None)
                for event in page:
                    if id(event) not in covered and await consumer.check(event) is not None:
                        raise RuntimeError("a genuine event failed its check")
            cpu["page"] = time.process_time() - started
        sealed = sum(s.last - s.first + 1 for p in pages for s in seals_of(p))
        results.notes.append(f"signing: {sealed:,} of {len(events):,} events under a statement")
        with probe.measure() as bare:
            for event in events:
                hashlib.sha256(event.hash).digest()
    finally:
        await pool.close()
    for key, case, measured in (
        ("sign", "Ed25519 sign (service, position, hash)", signing),
        ("hash", "SHA-256 re-hash of the canonical event", hashing),
        ("check", "Consumer.check: re-hash + key + Ed25519 verify", checking),
        ("page", "pages of 5,000 with range statements: re-hash + 1 verify/block", paging),
    ):
        figure = Figure("signing", case, len(events), measured)
        results.figures.append(figure)
        # CPU time is what a loaded machine cannot inflate the way it inflates wall time.
        results.notes.append(
            f"signing: {case}: {1e6 / figure.rate:.1f} µs wall, "
            f"{1e6 * cpu[key] / len(events):.1f} µs CPU per event"
        )
    results.notes.append(f"signing: loop overhead {1e6 * bare.seconds / len(events):.2f} µs")
    return results


async def _ignore(*_: object) -> None:
    return None
