"""The CPU cost of event signatures: signing at sequencing and checking at the consumer."""

from __future__ import annotations

import hashlib
import time

from uponyaji_events.codec import event_hash
from uponyaji_events.consumer import Consumer
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
        with probe.measure() as bare:
            for event in events:
                hashlib.sha256(event.hash).digest()
    finally:
        await pool.close()
    for key, case, measured in (
        ("sign", "Ed25519 sign (service, position, hash)", signing),
        ("hash", "SHA-256 re-hash of the canonical event", hashing),
        ("check", "Consumer.check: re-hash + key + Ed25519 verify", checking),
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
