"""The notary's costs: folding a store into the Merkle log, a full verification, one proof."""

from __future__ import annotations

import tempfile
import time
from pathlib import Path

from uponyaji_events.notary import HeadsFile, Notary, verify_store
from uponyaji_events.signing import Signer
from uponyaji_events.store import EventStore

from bench.probe import Probe
from bench.report import Figure, Results
from bench.servers import Servers
from bench.sizes import Sizes
from bench.workload import open_pool, preload

SERVICE = "benchnotary"


async def run(servers: Servers, sizes: Sizes, probe: Probe) -> Results:
    """Build the log from a store and sign a head; verify the whole store; export proofs."""
    count = sizes.consumer_events
    results = Results()
    signer = Signer.generate(SERVICE)
    pool = await open_pool(await servers.new_database("notary"), 4)
    with tempfile.TemporaryDirectory() as folder:
        heads = HeadsFile(Path(folder) / "heads.jsonl")
        try:
            store = EventStore(pool, signer=signer)
            await preload(store, count)
            notary = Notary(pool, signer, heads)
            cpu: dict[str, float] = {}
            with probe.measure() as folding:
                started = time.process_time()
                head = await notary.tick()  # reads every (position, hash), hashes, signs
            cpu["fold"] = time.process_time() - started
            if head is None or head.tree_size != count:
                raise RuntimeError("the notary did not fold the whole store")
            with probe.measure() as verifying:
                started = time.process_time()
                report = await verify_store(pool, SERVICE, signer.public_keys(), heads.read())
            cpu["verify"] = time.process_time() - started
            if not report.ok:
                raise RuntimeError(f"a genuine store failed verification: {report.problems[:3]}")
            events = await store.read_all(0, 200)
            started = time.perf_counter()
            for event in events:
                await notary.proofs(event_id=event.event_id)
            proof_ms = 1e3 * (time.perf_counter() - started) / len(events)
        finally:
            await pool.close()
    results.figures.append(
        Figure("notary", "fold the store into the log + sign a head", count, folding)
    )
    results.figures.append(
        Figure("notary", "verify: chains, positions, signatures, heads", count, verifying)
    )
    for key, what in (("fold", "folding"), ("verify", "verification")):
        # CPU time is what a loaded machine cannot inflate the way it inflates wall time.
        results.notes.append(f"notary: {what}: {1e6 * cpu[key] / count:.1f} µs CPU per event")
    results.notes.append(f"notary: one event's inclusion proof (HTTP-less) {proof_ms:.2f} ms")
    return results
