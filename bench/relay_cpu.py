"""The outbox relay's CPU per committed command, kernel only (no HTTP, no service).

    .venv/bin/python -m bench.relay_cpu --rate 40   # commits/s open loop (0: closed loop)

Fresh embedded PostgreSQL and NATS. Commands are stood in for by transactions that append one
signed-store event each (one stream per survivor, 100 of them), sent open loop at `--rate` per
second for `--seconds`. The same load runs without a relay and with one, twice each, taking turns;
the relay's CPU per commit is this process's CPU per commit with it minus without it (user +
system time; everything runs in this one process). It prints the relay's cycles (published
batches) per commit beside it. To compare another checkout's kernel, put its `libs/events` first
on `PYTHONPATH`.
"""

from __future__ import annotations

import argparse
import asyncio
import time
import uuid

import uvloop
from uponyaji_events.db import create_pool
from uponyaji_events.envelope import Actor, NewEvent
from uponyaji_events.relay import OutboxRelay
from uponyaji_events.signing import Signer
from uponyaji_events.store import EventStore
from uponyaji_events.tasks import stop_tasks

from bench.servers import started_servers

ACTOR = Actor("bench", "counsellor")
PAYLOAD = {"note": "x" * 300, "n": 1}
STREAMS = 100
WRITERS = 16


async def commits(store: EventStore, rate: float, seconds: float) -> int:
    """Append-and-commit transactions, open loop at `rate`/s (0: WRITERS closed-loop writers)."""
    streams = [f"survivor-{uuid.uuid4()}" for _ in range(STREAMS)]
    versions = dict.fromkeys(streams, 0)
    done = 0

    async def one(stream: str) -> None:
        nonlocal done
        async with store.transaction() as conn:
            version = versions[stream]
            versions[stream] = version + 1
            await store.append(
                "survivor",
                stream,
                version,
                [NewEvent("bench.Noted", PAYLOAD)],
                actor=ACTOR,
                conn=conn,
            )
        done += 1

    if rate <= 0:
        deadline = time.perf_counter() + seconds

        async def writer(n: int) -> None:
            while time.perf_counter() < deadline:
                await one(streams[n % STREAMS])
                n += WRITERS

        await asyncio.gather(*(writer(n) for n in range(WRITERS)))
        return done
    start, sent = time.perf_counter(), []
    for n in range(int(rate * seconds)):
        await asyncio.sleep(max(0.0, start + n / rate - time.perf_counter()))
        sent.append(asyncio.create_task(one(streams[n % STREAMS])))
    await asyncio.gather(*sent)
    return done


def _cycles(relay: OutboxRelay) -> int:
    """The relay's publications so far (-1 for a kernel from before the count existed)."""
    return int(getattr(relay.stats, "batches_total", -1))


async def measure(database: str, nats_url: str, rate: float, seconds: float) -> None:
    """Without and with a relay, twice each; print CPU per commit and relay cycles."""
    pool = await create_pool(database, max_size=WRITERS + 4)
    cpu: dict[bool, list[float]] = {False: [], True: []}
    try:
        for with_relay in (False, True, False, True):
            store = EventStore(pool, signer=Signer.generate("benchrelay"))
            relay = OutboxRelay(store, service=f"r{uuid.uuid4().hex[:8]}", nats_url=nats_url)
            task = asyncio.create_task(relay.run()) if with_relay else None
            await asyncio.sleep(1.0)  # untimed: the relay connects and creates its stream
            await commits(store, rate, 1.0)  # warm-up
            batches, started = _cycles(relay), time.process_time()
            done = await commits(store, rate, seconds)
            used = time.process_time() - started
            cycles = _cycles(relay) - batches if with_relay and batches >= 0 else -1
            if task is not None:
                await stop_tasks([task])
            else:
                await store.sequence()  # the next turn starts from a sequenced store
            cpu[with_relay].append(used / done)
            print(
                f"relay {'on ' if with_relay else 'off'}: {done} commits, "
                f"{used / done * 1e6:.0f} µs CPU per commit"
                + (f", {cycles / done:.2f} relay cycles per commit" if cycles >= 0 else ""),
                flush=True,
            )
    finally:
        await pool.close()
    on, off = sum(cpu[True]) / 2, sum(cpu[False]) / 2
    print(f"relay CPU per commit: {(on - off) * 1e6:.0f} µs (mean of the turns with minus without)")


def main(argv: list[str] | None = None) -> None:
    """Parse the command line and run."""
    parser = argparse.ArgumentParser(prog="python -m bench.relay_cpu", description=__doc__)
    parser.add_argument("--rate", type=float, default=40.0, help="commits/s (0: closed loop)")
    parser.add_argument("--seconds", type=float, default=6.0)
    args = parser.parse_args(argv)
    with started_servers() as servers:

        async def run() -> None:
            database = await servers.new_database("relaycpu")
            await measure(database, servers.nats_url, args.rate, args.seconds)

        uvloop.run(run())


if __name__ == "__main__":
    main()
