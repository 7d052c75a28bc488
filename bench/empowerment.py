"""Empowerment: 32 concurrent grant approvals against one budget line; record reads at 10,000.

The service runs in-process (its FastAPI app behind httpx's ASGI transport, lifespan entered:
migrated, relay and access started, every read authorised and audited), on a fresh database of
the benchmark's PostgreSQL. Tokens come from the benchmark's own signing key
(`EMPOWERMENT_JWKS_FILE` with `UPONYAJI_ENV=test`).

Approvals: each round opens a budget line, proposes 32 grants of varied amounts for 32 survivors,
then sends the 32 decisions at once, each from a different programme lead. The check: approvals
never add up past the line, the line's `committed` equals what was approved, and every refused
grant (409 BudgetExceeded) is larger than what remained at the end (so none that fitted was
refused). Reads: a few hundred survivors get whole records through the API (needs, plan, grant
approved and paid, follow-up), then their read-table rows are copied under new survivor ids until
10,000 survivors have records; reads of the API-made records are timed one after another.
"""

from __future__ import annotations

import asyncio
import json
import os
import random
import statistics
import tempfile
import time
import uuid
from decimal import Decimal
from pathlib import Path
from typing import Any

import httpx
from uponyaji_empowerment.app import create_app
from uponyaji_empowerment.settings import Settings
from uponyaji_service import running

from bench import sizes as bench_sizes
from bench.probe import Measurement, Probe
from bench.report import Check, Figure, Results
from bench.reporting import percentile
from bench.reporting_command_lag import TEAM, Signer
from bench.servers import Servers

READ_P99_MS = 50.0
CONCURRENT = 32
SURVIVORS = 10_000
NEEDS = {
    "household_size": 5,
    "dependants": 3,
    "earners": 1,
    "income_sources": ["casual_labour"],
    "monthly_income_kes": "4500.00",
    "housing": "rented",
    "hunger_answers": [2, 1, 0],
    "school_age_children": 2,
    "children_out_of_school": 1,
    "debts_kes": "8000",
    "skills": ["tailoring"],
    "barriers": ["injury"],
    "notes": "Synthetic bench note (FAKE)",
}
PLAN = {
    "started_on": "2026-01-10",
    "goals": [
        {
            "kind": "business_restore",
            "description": "Synthetic bench goal (FAKE)",
            "target_date": "2026-12-31",
            "steps": [{"description": "Synthetic step"}],
        }
    ],
}
CLONED = {  # table → (primary key, other id columns remapped with it)
    "needs_assessments": ("assessment_id", ("supersedes", "superseded_by")),
    "plans": ("plan_id", ()),
    "plan_goals": ("goal_id", ("plan_id",)),
    "grants": ("grant_id", ()),
    "disbursements": ("disbursement_id", ("grant_id", "reference_digest")),
    "follow_ups": ("follow_up_id", ("supersedes", "superseded_by")),
}


def _remap(column: str) -> str:
    """A fresh id per (original id, clone): md5 of both, as a uuid (or hex for a digest)."""
    cast = "" if column == "reference_digest" else "::uuid"
    return (
        f"'{column}', CASE WHEN n.{column} IS NULL THEN NULL ELSE "
        f"md5(n.{column}::text || c.dst::text){cast} END"
    )


async def _survivors(pool: Any, count: int) -> list[uuid.UUID]:
    """Survivors on the benchmark's team with empowerment consent, as intake's events would put."""
    ids = [uuid.uuid4() for _ in range(count)]
    rows = [(s, f"UPJ-2026-{n:06d}", f"{n % 47 + 1:03d}") for n, s in enumerate(ids, 1)]
    async with pool.acquire() as conn, conn.transaction():
        await conn.copy_records_to_table(
            "survivors", records=rows, columns=["survivor_id", "case_number", "county_code"]
        )
        await conn.execute(
            "INSERT INTO caseload (survivor_id, team, assigned_at) "
            "SELECT survivor_id, $1, now() FROM survivors",
            TEAM,
        )
        await conn.execute(
            "INSERT INTO consents (survivor_id, scope, granted, changed_at) "
            "SELECT survivor_id, 'empowerment', true, now() FROM survivors"
        )
    return ids


def _client(http: httpx.AsyncClient, signer: Signer, role: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {signer.token(role, 'empowerment')}"}


async def _post(http: httpx.AsyncClient, headers: dict[str, str], url: str, body: Any) -> Any:
    answer = await http.post(url, json=body, headers=headers)
    if answer.status_code != 201:
        raise RuntimeError(f"POST {url}: {answer.status_code} {answer.text[:200]}")
    return answer.json()


async def approvals(
    http: httpx.AsyncClient,
    signer: Signer,
    survivors: list[uuid.UUID],
    rounds: int,
    probe: Probe,
    results: Results,
) -> None:
    """Rounds of 32 concurrent approvals against one budget line each."""
    rng = random.Random(7)
    officer = _client(http, signer, "empowerment_officer")
    lead = _client(http, signer, "programme_lead")
    ms: list[float] = []
    exact = True
    approved_total = refused_total = 0
    measures = []
    for n in range(rounds):
        line = (
            await _post(
                http,
                lead,
                "/budget-lines",
                {
                    "code": f"BENCH-RACE-{n}",
                    "period_start": "2020-01-01",
                    "period_end": "2099-12-31",
                    "amount_kes": "400000.00",
                },
            )
        )["budget_line_id"]
        amounts = {}
        for survivor in survivors[n * CONCURRENT : (n + 1) * CONCURRENT]:
            amount = Decimal(rng.randrange(5_000, 40_000, 50))
            grant = (
                await _post(
                    http,
                    officer,
                    f"/survivors/{survivor}/grants",
                    {
                        "purpose": "stock",
                        "amount_kes": str(amount),
                        "budget_line_id": line,
                    },
                )
            )["grant_id"]
            amounts[grant] = amount

        async def decide(grant: str) -> tuple[str, int, float]:
            headers = _client(http, signer, "programme_lead")  # a different lead each time
            started = time.perf_counter()
            answer = await http.post(
                f"/grants/{grant}/decision", json={"decision": "approve"}, headers=headers
            )
            return grant, answer.status_code, (time.perf_counter() - started) * 1000

        with probe.measure() as measured:
            answers = await asyncio.gather(*[decide(g) for g in amounts])
        measures.append(measured)
        approved = [amounts[g] for g, code, _ in answers if code == 201]
        refused = [amounts[g] for g, code, _ in answers if code == 409]
        remaining = Decimal(400_000) - sum(approved, Decimal(0))
        exact &= len(approved) + len(refused) == CONCURRENT
        exact &= remaining >= 0 and all(a > remaining for a in refused)
        ms += [t for _, _, t in answers]
        approved_total += len(approved)
        refused_total += len(refused)
    lines = (await http.get("/budget-lines", headers=lead)).json()["budget_lines"]
    for line_row in lines:
        exact &= Decimal(line_row["committed_kes"]) <= Decimal(line_row["amount_kes"])
    whole = Measurement.combined(measures)
    p50, p99 = statistics.median(ms), percentile(ms, 99)
    results.figures.append(
        Figure(
            "empowerment",
            f"{CONCURRENT} concurrent approvals × {rounds} lines: {approved_total} "
            f"approved, {refused_total} refused 409; p50 {p50:.1f} ms, p99 {p99:.1f} ms",
            len(ms),
            whole,
        )
    )
    results.checks.append(
        Check(
            "empowerment: approvals never pass a line and refuse only grants that no longer fit",
            1.0 if exact else 0.0,
            1.0,
            "x",
        )
    )


async def make_record(
    http: httpx.AsyncClient,
    officer: dict[str, str],
    lead: dict[str, str],
    survivor: uuid.UUID,
    line: str,
    n: int,
) -> None:
    """One survivor's record through the API: needs, plan, grant approved and paid, follow-up."""
    base = f"/survivors/{survivor}"
    await _post(http, officer, base + "/needs-assessments", {**NEEDS, "assessed_on": "2026-01-05"})
    await _post(http, officer, base + "/plan", PLAN)
    grant = (
        await _post(
            http,
            officer,
            base + "/grants",
            {
                "purpose": "stock",
                "amount_kes": "20000",
                "budget_line_id": line,
                "proposed_on": "2026-01-12",
                "justification": "Synthetic (FAKE)",
            },
        )
    )["grant_id"]
    await _post(
        http, lead, f"/grants/{grant}/decision", {"decision": "approve", "decided_on": "2026-01-15"}
    )
    await _post(
        http,
        officer,
        f"/grants/{grant}/disbursements",
        {
            "amount_kes": "20000",
            "channel": "mpesa",
            "reference": f"BNCH{n:06d}",
            "disbursed_on": "2026-01-20",
        },
    )
    await _post(
        http,
        officer,
        base + "/follow-ups",
        {
            "milestone": "month_3",
            "held_on": "2026-04-22",
            "monthly_income_kes": "7000",
            "business_operating": True,
            "employment_status": "self_employed",
            "hunger_answers": [1, 0, 0],
            "notes": "Synthetic follow-up (FAKE)",
        },
    )


async def reads(
    http: httpx.AsyncClient,
    signer: Signer,
    pool: Any,
    survivors: list[uuid.UUID],
    made: int,
    calls: int,
    probe: Probe,
    results: Results,
) -> None:
    """Record reads at 10,000 survivors with records."""
    officer = _client(http, signer, "empowerment_officer")
    lead = _client(http, signer, "programme_lead")
    line = (
        await _post(
            http,
            lead,
            "/budget-lines",
            {
                "code": "BENCH-READS",
                "period_start": "2026-01-01",
                "period_end": "2026-03-31",
                "amount_kes": "100000000.00",
            },
        )
    )["budget_line_id"]
    real = survivors[-made:]
    started = time.perf_counter()
    for n, survivor in enumerate(real):
        await make_record(http, officer, lead, survivor, line, n)
    built = time.perf_counter() - started
    clones = [s for s in survivors if s not in set(real)]
    async with pool.acquire() as conn, conn.transaction():
        await conn.execute("CREATE TEMP TABLE clone (src uuid, dst uuid) ON COMMIT DROP")
        await conn.copy_records_to_table(
            "clone", records=[(real[i % len(real)], s) for i, s in enumerate(clones)]
        )
        for table, (key, others) in CLONED.items():
            remapped = ", ".join(_remap(c) for c in (key, *others))
            await conn.execute(
                f"INSERT INTO {table} SELECT (jsonb_populate_record(NULL::{table}, to_jsonb(n) "  # noqa: S608
                f"|| jsonb_build_object('survivor_id', c.dst, {remapped}))).* "
                f"FROM {table} n JOIN clone c ON n.survivor_id = c.src"
            )
        await conn.execute("ANALYZE")
    with_records = await pool.fetchval("SELECT count(DISTINCT survivor_id) FROM plans")
    rng = random.Random(11)
    ms: list[float] = []
    with probe.measure() as measured:
        for _ in range(calls):
            survivor = rng.choice(real)
            t = time.perf_counter()
            answer = await http.get(f"/survivors/{survivor}/empowerment", headers=officer)
            ms.append((time.perf_counter() - t) * 1000)
            if answer.status_code != 200 or not answer.json()["grants"]:
                raise RuntimeError(f"read: {answer.status_code} {answer.text[:200]}")
    p50, p99 = statistics.median(ms), percentile(ms, 99)
    results.figures.append(
        Figure(
            "empowerment",
            f"record read at {with_records:,} survivors with records: p50 {p50:.1f} "
            f"ms, p99 {p99:.1f} ms",
            len(ms),
            measured,
        )
    )
    results.checks.append(
        Check(
            f"empowerment: record read p99 ≤ {READ_P99_MS:.0f} ms (target ÷ p99)",
            READ_P99_MS / p99,
            1.0,
            "x",
        )
    )
    results.notes.append(
        f"empowerment: {made} records made through the API in {built:.1f} s "
        f"({made / built:.1f} survivors/s, 6 commands each)"
    )


async def run(servers: Servers, sizes: bench_sizes.Sizes, probe: Probe) -> Results:
    """Both empowerment figures on a fresh database."""
    quick = sizes == bench_sizes.QUICK
    results = Results()
    signer = Signer()
    folder = Path(tempfile.mkdtemp(prefix="bench-empowerment-"))
    (folder / "jwks.json").write_text(json.dumps(signer.jwks()))
    os.environ.update(
        {
            "UPONYAJI_ENV": "test",
            "EMPOWERMENT_JWKS_FILE": str(folder / "jwks.json"),
            "EMPOWERMENT_IDENTITY_URL": "http://127.0.0.1:9",
        }
    )
    settings = Settings(
        database_url=await servers.new_database("empowerment"),
        nats_url=servers.nats_url,
        kek_file=folder / "kek",
    )
    app = create_app(settings)
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(
            transport=transport, base_url="http://bench", timeout=60
        ) as http:
            pool = running(app).parts.pool
            survivors = await _survivors(pool, SURVIVORS)
            rounds = 2 if quick else 5
            await approvals(http, signer, survivors, rounds, probe, results)
            made = 50 if quick else 300
            await reads(http, signer, pool, survivors, made, 200 if quick else 1000, probe, results)
    return results
