"""Medical's figures: 10 MB evidence upload, signed report PDF, record read at 10,000 records.

Medical runs in-process (its FastAPI app over an ASGI transport: routing, token check, policy,
audit record, handler, PostgreSQL with fsync on) on fresh servers. The store holds 10,000
survivors' records: the measured survivors' records are made through the API; the others are
bulk-loaded into the same read tables (an encounter and four entries each), which is what
a record read touches. Run with `python -m bench --only medical`.
"""

from __future__ import annotations

import io
import os
import statistics
import tempfile
import time
import uuid
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from pathlib import Path

import asyncpg
from PIL import Image
from uponyaji_events import StoreFeed
from uponyaji_events.db import create_pool
from uponyaji_events.signing import Signer
from uponyaji_events.store import EventStore

from bench import sizes as bench_sizes
from bench.probe import Measurement, Probe
from bench.report import Check, Figure, Results
from bench.reporting import percentile
from bench.servers import Servers

RECORDS = 10_000
UPLOAD_TARGET_MS, PDF_TARGET_MS, READ_TARGET_MS = 1000.0, 2000.0, 50.0


def _sizes(sizes: bench_sizes.Sizes) -> tuple[int, int, int]:
    """(uploads, pdf renders, record reads): fewer on a quick run."""
    quick = sizes.rounds == 1
    return (5, 10, 50) if quick else (30, 40, 300)


def big_png(megabytes: float) -> bytes:
    """A PNG of noise of about the given size (noise does not compress)."""
    side = int((megabytes * 1024 * 1024 / 3) ** 0.5)
    image = Image.frombytes("RGB", (side, side), os.urandom(side * side * 3))
    out = io.BytesIO()
    image.save(out, format="PNG", compress_level=1)
    return out.getvalue()


async def timed(
    calls: list[Callable[[], Awaitable[None]]], probe: Probe
) -> tuple[Measurement, list[float]]:
    """Run the calls one after another; the whole measurement and each call's ms."""
    each: list[float] = []
    with probe.measure() as measured:
        for call in calls:
            started = time.perf_counter()
            await call()
            each.append((time.perf_counter() - started) * 1000)
    return measured, each


def figure(case: str, measured: Measurement, ms: list[float]) -> Figure:
    """A figure of calls/s whose case names p50 and p99."""
    p50, p99 = statistics.median(ms), percentile(ms, 99)
    return Figure("medical", f"{case}: p50 {p50:.1f} ms, p99 {p99:.1f} ms", len(ms), measured)


def check(what: str, ms: list[float], target: float) -> Check:
    """A p99 ≤ target check, as the target over the p99 (met at ≥ 1.00×)."""
    return Check(
        f"medical: {what} p99 ≤ {target:.0f} ms (target ÷ p99)",
        target / percentile(ms, 99),
        1.0,
        "x",
    )


async def bulk_records(pool: asyncpg.Pool, count: int) -> None:
    """`count` survivors with an encounter and four entries each, straight into the read tables."""
    team = "bench-team"
    survivors, encounters, entries = [], [], []
    at = datetime.now(UTC)
    for n in range(count):
        sid, eid = uuid.uuid4(), uuid.uuid4()
        survivors.append((sid, f"UPJ-2025-{n:06d}", "open", at, at))
        encounters.append(
            (
                eid,
                sid,
                "initial_assessment",
                at,
                "047",
                {"encounter_id": str(eid), "kind": "initial_assessment"},
                "bench",
                at,
            )
        )
        for kind in (
            "HistoryRecorded",
            "FindingDocumented",
            "DiagnosisRecorded",
            "TreatmentRecorded",
        ):
            entries.append((uuid.uuid4(), sid, eid, kind, {"code": "6B40"}, "bench", at))
    async with pool.acquire() as conn:
        await conn.copy_records_to_table(
            "survivors",
            records=survivors,
            columns=["survivor_id", "case_number", "status", "registered_at", "updated_at"],
        )
        await conn.copy_records_to_table(
            "caseload",
            records=[(s[0], team, at) for s in survivors],
            columns=["survivor_id", "team", "assigned_at"],
        )
        # jsonb has no binary COPY encoder here: the JSON rows go in as prepared inserts.
        await conn.executemany(
            "INSERT INTO encounters (encounter_id, survivor_id, kind, occurred_at, county_code, "
            "payload, recorded_by, recorded_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
            encounters,
        )
        await conn.executemany(
            "INSERT INTO record_entries (entry_id, survivor_id, encounter_id, kind, payload, "
            "recorded_by, recorded_at) VALUES ($1, $2, $3, $4, $5, $6, $7)",
            entries,
        )
        await conn.execute("ANALYZE")


async def run(servers: Servers, sizes: bench_sizes.Sizes, probe: Probe) -> Results:
    """Upload, PDF and record-read latencies, each beside its target."""
    # Imported here: the other benchmarks need none of medical's dependencies.
    from bench.medical_clinic import Clinic

    uploads, renders, reads = _sizes(sizes)
    results = Results()
    with tempfile.TemporaryDirectory() as tmp:
        clinic = Clinic(Path(tmp))
        intake_url = await servers.new_database("medical_intake")
        # Intake's events are signed, as the real intake's are: medical refuses unsigned ones.
        intake_pool = await create_pool(intake_url, max_size=4)
        intake = EventStore(intake_pool, signer=Signer.generate("intake"))
        async with clinic.running(
            await servers.new_database("medical"), servers.nats_url, StoreFeed(intake)
        ) as (http, pool):
            survivors = await clinic.survivors(intake, http, max(renders, 10))
            await bulk_records(pool, RECORDS - len(survivors))
            reports = [await clinic.signed_report(http, sid) for sid in survivors[:2]]
            results.notes.append(
                f"medical: {RECORDS} survivors' records ({len(survivors)} through the API, the "
                "rest bulk-loaded into the read tables)"
            )

            data = big_png(10)
            calls = [
                clinic.upload(http, survivors[n % len(survivors)], data) for n in range(uploads)
            ]
            measured, ms = await timed(calls, probe)
            results.figures.append(
                figure(
                    f"10 MB upload ({len(data) / 1e6:.1f} MB PNG: hash, seal, store, event)",
                    measured,
                    ms,
                )
            )
            results.checks.append(check("10 MB upload", ms, UPLOAD_TARGET_MS))

            calls = [clinic.report_pdf(http, *reports[n % len(reports)]) for n in range(renders)]
            measured, ms = await timed(calls, probe)
            results.figures.append(figure("signed report PDF (render, hash check)", measured, ms))
            results.checks.append(check("signed report PDF", ms, PDF_TARGET_MS))

            calls = [clinic.read_record(http, survivors[n % len(survivors)]) for n in range(reads)]
            measured, ms = await timed(calls, probe)
            results.figures.append(
                figure(f"record read at {RECORDS} records (audited)", measured, ms)
            )
            results.checks.append(check("record read", ms, READ_TARGET_MS))
    return results
