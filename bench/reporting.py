"""Reporting: rebuild rate, dashboard and journey reads, lag through NATS and HTTP."""

from __future__ import annotations

import math
import os
import random
import statistics
import time
from collections import Counter
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, replace
from datetime import date
from functools import partial

import asyncpg
from uponyaji_events.feed import FeedSource, StoreFeed
from uponyaji_events.migrate import directory_migrations, kernel_migrations, migrate
from uponyaji_events.signing import Signer
from uponyaji_events.store import EventStore
from uponyaji_reporting import consumers, queries
from uponyaji_reporting.projections import MIGRATIONS
from uponyaji_reporting.settings import SERVICE, Settings

from bench import sizes as bench_sizes
from bench.probe import Measurement, Probe
from bench.replay import kernel_read_all
from bench.report import Check, Figure, Results
from bench.reporting_command_lag import measure_command_lag, measure_overload
from bench.reporting_events import load_sources
from bench.reporting_facts import Selection, selections, write_survivors
from bench.reporting_lag import measure_lag
from bench.servers import Servers
from bench.workload import open_pool

TODAY = date(2026, 11, 27)
REBUILD_TARGET = 40_000.0  # events/s over 1,000,000 events (about 2/3 of reading the feeds alone)
DASHBOARD_P99_MS = 100.0
JOURNEY_P99_MS = 20.0
LAG_P99_MS = 250.0
REFERENCE_RATE = 50.0  # commands/s the HTTP stack keeps up with on the benchmark machine


@dataclass(frozen=True)
class ReportingSizes:
    """How much the reporting benchmark does."""

    events: int  # source events rebuilt from zero
    facts: int  # survivors on the dashboard
    dashboard_calls: int
    journey_calls: int
    lag_rate: float  # appends (and commands) per second
    lag_seconds: float
    command_survivors: int = 200  # survivors the HTTP lag's commands are spread over
    command_seconds: float = 20.0


FULL = ReportingSizes(1_000_000, 100_000, 200, 1_000, 200.0, 20.0)
QUICK = ReportingSizes(5_000, 10_000, 20, 100, 200.0, 3.0, 40, 3.0)
COPIES = 10  # the journey read runs on the rebuilt entries copied under this many survivor ids


def sizes_for(sizes: bench_sizes.Sizes) -> ReportingSizes:
    """The quick or full sizes (UPONYAJI_BENCH_REPORTING_EVENTS overrides the event count)."""
    chosen = QUICK if sizes == bench_sizes.QUICK else FULL
    events = os.environ.get("UPONYAJI_BENCH_REPORTING_EVENTS")
    if events:
        chosen = replace(chosen, events=int(events))
    return chosen


def percentile(values: list[float], q: float) -> float:
    """The q-th percentile (0-100), nearest rank."""
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, math.ceil(q / 100 * len(ordered)) - 1))]


async def reporting_database(servers: Servers, label: str) -> str:
    """A fresh database with the kernel's and reporting's tables."""
    url = await servers.new_database(label)
    conn = await asyncpg.connect(url)
    try:
        await migrate(conn, [*kernel_migrations(), *directory_migrations(MIGRATIONS, SERVICE)])
    finally:
        await conn.close()
    return url


async def timed_calls(
    probe: Probe, calls: list[Callable[[], Awaitable[object]]]
) -> tuple[Measurement, list[float]]:
    """Run the calls one after another; the whole measurement and each call's ms."""
    each: list[float] = []
    with probe.measure() as measured:
        for call in calls:
            started = time.perf_counter()
            await call()
            each.append((time.perf_counter() - started) * 1000)
    return measured, each


def latency_figure(name: str, case: str, measured: Measurement, ms: list[float]) -> Figure:
    """A figure of calls/s whose case names p50 and p99."""
    p50, p99 = statistics.median(ms), percentile(ms, 99)
    return Figure("reporting", f"{case}: p50 {p50:.1f} ms, p99 {p99:.1f} ms", len(ms), measured)


def latency_check(what: str, ms: list[float], target: float) -> Check:
    """A p99 ≤ target check, as the target over the p99 (met at ≥ 1.00×)."""
    return Check(
        f"reporting: {what} p99 ≤ {target:.0f} ms (target ÷ p99)",
        target / percentile(ms, 99),
        1.0,
        "x",
    )


async def rebuild(servers: Servers, count: int, probe: Probe, results: Results) -> asyncpg.Pool:
    """Source stores of about `count` events, then reporting rebuilt from zero; its pool."""
    # Signed as the services sign (consumers refuse unsigned events); the feeds carry the keys.
    intake = EventStore(
        await open_pool(await servers.new_database("intake"), 4), signer=Signer.generate("intake")
    )
    psychosocial = EventStore(
        await open_pool(await servers.new_database("psychosocial"), 4),
        signer=Signer.generate("psychosocial"),
    )
    started = time.perf_counter()
    total = await load_sources(intake, psychosocial, count)
    results.notes.append(
        f"reporting: {total:,} source events generated in {time.perf_counter() - started:.0f} s"
    )
    with probe.measure() as measured:
        read = sum([await kernel_read_all(s, 0, await s.head()) for s in (intake, psychosocial)])
    results.figures.append(
        Figure("reporting", "StoreFeed source: read_all alone", read, measured, reference=True)
    )
    url = await reporting_database(servers, "reporting")
    pool = await open_pool(url, 4)
    feeds: dict[str, FeedSource] = {
        "intake": StoreFeed(intake),
        "psychosocial": StoreFeed(psychosocial),
    }
    built = consumers.build(pool, Settings(database_url=url, nats_url=servers.nats_url), feeds)
    try:
        with probe.measure() as measured:
            applied = await consumers.rebuild(pool, built, progress=False)
    finally:
        await intake.pool.close()
        await psychosocial.pool.close()
    if applied != total:
        raise RuntimeError(f"the rebuild applied {applied} of {total} events")
    figure = Figure(
        "reporting",
        "rebuild from zero (Consumer.catch_up, StoreFeed)",
        applied,
        measured,
        ceiling=results.figures[-1].rate,
        ceiling_what="reading the same feeds without applying",
    )
    results.figures.append(figure)
    results.checks.append(
        Check("reporting: rebuild events/s", figure.rate, REBUILD_TARGET, "events/s")
    )
    return pool


async def journeys(pool: asyncpg.Pool, calls: int, probe: Probe, results: Results) -> None:
    """queries.journey for random survivors of the rebuilt entries, copied COPIES times."""
    await pool.execute(
        "INSERT INTO journey_entries SELECT md5(survivor_id::text || k)::uuid, source, position, "
        "kind, at, occurred_at, recorded_at, data FROM journey_entries, generate_series(2, $1) k",
        COPIES,
    )
    await pool.execute("ANALYZE journey_entries")
    rows = await pool.fetch("SELECT survivor_id, count(*) AS n FROM journey_entries GROUP BY 1")
    rng = random.Random(400)
    picked = [rng.choice(rows)["survivor_id"] for _ in range(calls)]
    mean = statistics.mean(int(r["n"]) for r in rows)
    await queries.journey(pool, picked[0], None)  # untimed: warm the connection's statements
    measured, ms = await timed_calls(
        probe, [partial(queries.journey, pool, sid, None) for sid in picked]
    )
    case = f"journey of {len(rows):,} survivors, {mean:.0f} entries each"
    results.figures.append(latency_figure("journey", case, measured, ms))
    results.checks.append(latency_check("journey read", ms, JOURNEY_P99_MS))


async def read_dashboard(pool: asyncpg.Pool, chosen: Selection) -> object:
    """One published dashboard (rounding base 5, county names in English)."""
    period, county, team = chosen
    return await queries.dashboard(pool, period, county, team, base=5, language="en")


async def dashboard(servers: Servers, size: ReportingSizes, probe: Probe, results: Results) -> None:
    """queries.dashboard, published (rounded), for varied selections over `facts` survivors."""
    url = await reporting_database(servers, "dashboard")
    conn = await asyncpg.connect(url)
    try:
        await write_survivors(conn, size.facts)
    finally:
        await conn.close()
    pool = await open_pool(url, 2)
    try:
        chosen = selections(size.dashboard_calls)
        await read_dashboard(pool, chosen[0])  # untimed warm-up
        measured, ms = await timed_calls(probe, [partial(read_dashboard, pool, s) for s in chosen])
    finally:
        await pool.close()
    unfiltered = statistics.median(ms[0::10])
    results.notes.append(
        f"reporting: dashboard of a whole year without a filter: median {unfiltered:.0f} ms"
    )
    case = f"dashboard over {size.facts:,} survivors, varied filters"
    results.figures.append(latency_figure("dashboard", case, measured, ms))
    results.checks.append(latency_check("dashboard", ms, DASHBOARD_P99_MS))


async def lag(servers: Servers, size: ReportingSizes, probe: Probe, results: Results) -> None:
    """Append → relay → NATS → reporting consumer → journey entry, at lag_rate appends/s."""
    store = EventStore(await open_pool(await servers.new_database("intake_lag"), 4))
    url = await reporting_database(servers, "reporting_lag")
    pool = await open_pool(url, 4)
    try:
        with probe.measure() as measured:
            ms = await measure_lag(
                store, pool, url, servers.nats_url, size.lag_rate, size.lag_seconds
            )
    finally:
        await pool.close()
        await store.pool.close()
    case = f"append → journey entry via relay + NATS, {size.lag_rate:.0f}/s"
    results.figures.append(latency_figure("lag", case, measured, ms))
    results.checks.append(latency_check("append → journey lag", ms, LAG_P99_MS))


async def command_lag(
    servers: Servers, size: ReportingSizes, probe: Probe, results: Results
) -> None:
    """Psychosocial command's 2xx → journey entry, the stack running: at REFERENCE_RATE (which
    the stack sustains here) for reference, then at lag_rate commands/s against the target."""
    rates = [(REFERENCE_RATE, size.command_seconds), (size.lag_rate, size.command_seconds)]
    runs = await measure_command_lag(servers, probe, size.command_survivors, rates)
    for (rate, _), (run, measured) in zip(rates, runs, strict=True):
        if run.refused:  # overload answers (503 + Retry-After) are counted, not fatal
            kinds = Counter(answer.split(" ", 1)[0] for answer in run.refused)
            results.notes.append(
                f"reporting: command path at {rate:.0f}/s: {len(run.refused):,} of {run.sent:,} "
                f"commands not answered 2xx ({', '.join(f'{k} × {n}' for k, n in kinds.items())})"
                f", e.g. {run.refused[0][:160]}"
            )
        if not run.lags:
            raise RuntimeError(f"no command answered 2xx at {rate:.0f}/s")
        case = (
            f"PHQ-9 command 2xx → journey entry, HTTP stack, {rate:.0f}/s open-loop "
            f"({len(run.lags) / run.seconds:.0f}/s answered, {len(run.refused):,} refused)"
        )
        figure = latency_figure("command lag", case, measured, run.lags)
        results.figures.append(replace(figure, reference=rate != size.lag_rate))
        cores = ", ".join(f"{name} {value:.2f}" for name, value in run.cpu.items())
        results.notes.append(
            f"reporting: command path at {rate:.0f}/s: {run.sent:,} PHQ-9s over "
            f"{size.command_survivors} survivors in {run.seconds:.1f} s; due → 2xx "
            f"p50 {statistics.median(run.latencies):.1f} ms, "
            f"p99 {percentile(run.latencies, 99):.1f} ms; service cores: {cores}"
        )
    results.checks.append(latency_check("command 2xx → journey lag", runs[-1][0].lags, LAG_P99_MS))
    await overload(servers, size, probe, results)


OVERLOAD_LIMITS = {"MAX_CONCURRENT_REQUESTS": "8", "MAX_QUEUED_REQUESTS": "8", "QUEUE_WAIT": "0.1"}
OVERLOAD_SENDERS = 128


async def overload(servers: Servers, size: ReportingSizes, probe: Probe, results: Results) -> None:
    """Twice the target rate from 128 senders at a psychosocial limited to 8 requests at once and
    8 waiting (0.1 s): the refused get 503 at once, the served stay fast."""
    rate, seconds = 2 * size.lag_rate, size.command_seconds / 2
    run, measured = await measure_overload(
        servers, probe, size.command_survivors, rate, seconds, OVERLOAD_SENDERS, OVERLOAD_LIMITS
    )
    if not run.refusals:
        raise RuntimeError(f"nothing was refused at {rate:.0f}/s: the limit never engaged")
    limits = ", ".join(f"{k.lower()} {v}" for k, v in OVERLOAD_LIMITS.items())
    case = (
        f"overload: PHQ-9s due at {rate:.0f}/s from {OVERLOAD_SENDERS} senders, psychosocial "
        f"limited ({limits}): sent → 503 ({len(run.refusals):,} of {run.sent:,} refused)"
    )
    results.figures.append(
        replace(latency_figure("overload", case, measured, run.refusals), reference=True)
    )
    served = run.latencies
    others = len(run.refused) - len(run.refusals)
    results.notes.append(
        f"reporting: overload at {rate:.0f}/s: {len(served):,} answered 2xx "
        f"({len(served) / run.seconds:.0f}/s; due → 2xx p50 "
        f"{statistics.median(served) if served else 0:.0f} ms, p99 "
        f"{percentile(served, 99) if served else 0:.0f} ms), {len(run.refusals):,} refused with "
        f"503 (sent → 503 p50 {statistics.median(run.refusals):.1f} ms, p99 "
        f"{percentile(run.refusals, 99):.1f} ms), {others} other failures; psychosocial "
        f"{run.cpu.get('psychosocial', 0):.2f} cores"
    )


async def run(servers: Servers, sizes: bench_sizes.Sizes, probe: Probe) -> Results:
    """The reporting figures, each beside its target."""
    size = sizes_for(sizes)
    results = Results()
    try:
        pool = await rebuild(servers, size.events, probe, results)
    except Exception as exc:  # each case fails alone: the others' figures still count
        results.failed("reporting: rebuild (and the journey read on its table)", exc)
    else:
        try:
            await journeys(pool, size.journey_calls, probe, results)
        except Exception as exc:
            results.failed("reporting: journey", exc)
        finally:
            await pool.close()
    for name, case in (("dashboard", dashboard), ("lag", lag), ("command lag", command_lag)):
        try:
            await case(servers, size, probe, results)
        except Exception as exc:
            results.failed(f"reporting: {name}", exc)
    return results


async def run_commands(servers: Servers, sizes: bench_sizes.Sizes, probe: Probe) -> Results:
    """Only the command path's lag (`--only reporting-commands`): a few minutes less."""
    results = Results()
    await command_lag(servers, sizes_for(sizes), probe, results)
    return results


async def run_projection(servers: Servers, sizes: bench_sizes.Sizes, probe: Probe) -> Results:
    """Only the rebuild and the dashboard (`--only reporting-projection`): what disclosure
    control changes, without the journey and lag runs."""
    size = sizes_for(sizes)
    results = Results()
    pool = await rebuild(servers, size.events, probe, results)
    await pool.close()
    await dashboard(servers, size, probe, results)
    return results
