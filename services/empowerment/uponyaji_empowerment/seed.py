"""`python -m uponyaji_empowerment.seed`: demo empowerment records, development only, idempotent.

Run by the launcher after every service is healthy and after intake's seed, with empowerment's
environment. The survivors come from intake's events, which the running service's consumer keeps
in the local tables: the seed first waits until that consumer has caught up with intake's store
(intake's public `/health` names its head), or, without intake, until the tables stop changing.
It opens one budget line per quarter (approvals stay within them), three courses, and seeds only
consenting survivors with open cases and no empowerment record yet, so a second run adds nothing.
Prints nothing on stdout (no demo logins), a summary on stderr.
"""

from __future__ import annotations

import asyncio
import contextlib
import random
import sys
import time
from datetime import date, timedelta
from uuid import UUID, uuid5

import asyncpg
from uponyaji_events import EventStore
from uponyaji_events.envelope import Actor
from uponyaji_service import Keys
from uponyaji_service.seeding import stage_seeding

from . import demo
from .app import MIGRATIONS
from .errors import DuplicateCode, EmpowermentError
from .handlers import Empowerment, records, today
from .handlers.money import decide_grant, disburse, open_budget_line, propose_grant
from .handlers.trainings import answer_referral, complete_training, hold_session, open_course
from .references import References
from .schemas import (
    BudgetLineBody,
    CompletionBody,
    CourseBody,
    DecisionBody,
    DisbursementBody,
    FollowUpBody,
    GrantBody,
    NeedsBody,
    PlanBody,
    ReferralAnswerBody,
    SessionBody,
)
from .settings import Settings

OFFICER = Actor.system("empowerment-seed")
LEAD = Actor(id=str(uuid5(UUID(int=0), "demo-programme-lead")), role="programme_lead")
LEAD_ID = UUID(LEAD.id)
LIMIT = 60
_LOCK = 0x656D_7365_6564  # "emseed": one seeder at a time
QUARTER_KES = "900000.00"
_ELIGIBLE = """
SELECT s.survivor_id, c.case_worker FROM survivors s
JOIN consents k ON k.survivor_id = s.survivor_id AND k.scope = 'empowerment'
LEFT JOIN caseload c ON c.survivor_id = s.survivor_id
WHERE k.granted AND s.status = 'open' AND s.merged_into IS NULL
  AND s.erasure_requested_at IS NULL
  AND NOT EXISTS (SELECT 1 FROM needs_assessments n WHERE n.survivor_id = s.survivor_id)
ORDER BY s.case_number, s.survivor_id LIMIT $1
"""
COURSES = (
    ("Tailoring for beginners (demo)", "tailoring"),
    ("Poultry keeping and marketing (demo)", "livestock"),
    ("Bookkeeping for small traders (demo)", "bookkeeping"),
)


def quarters(until: date, count: int = 6) -> list[tuple[date, date]]:
    """The last `count` calendar quarters up to the one holding `until`."""
    start = date(until.year, 3 * ((until.month - 1) // 3) + 1, 1)
    out = []
    for _ in range(count):
        end = date(start.year + (start.month + 2) // 12, (start.month + 2) % 12 + 1, 1) - timedelta(
            days=1
        )
        out.append((start, end))
        start = date(start.year - (start.month == 1), (start.month - 4) % 12 + 1, 1)
    return out


Lines = list[tuple[date, date, UUID]]


async def budget_lines(em: Empowerment, pool: asyncpg.Pool, now: date) -> Lines:
    """One grants line per quarter (created once): (start, end, line id)."""
    for start, end in quarters(now):
        code = f"EMP-GRANTS-{start.year}-Q{(start.month - 1) // 3 + 1}"
        fields = {"code": code, "period_start": start, "period_end": end, "amount_kes": QUARTER_KES}
        body = BudgetLineBody.model_validate(fields)
        with contextlib.suppress(DuplicateCode):
            await open_budget_line(em, body, LEAD)
    rows = await pool.fetch("SELECT budget_line_id, period_start, period_end FROM budget_lines")
    return [(r["period_start"], r["period_end"], r["budget_line_id"]) for r in rows]


async def seed_one(em: Empowerment, survivor_id: UUID, lines: Lines) -> int:
    """Record one survivor's demo record; return how many grants were approved."""
    plan = demo.record(survivor_id, today())
    await records.assess_needs(em, survivor_id, NeedsBody.model_validate(plan.needs), OFFICER)
    await records.start_plan(em, survivor_id, PlanBody.model_validate(plan.plan), OFFICER)
    approved = 0
    decided = date.fromisoformat(plan.decision["decided_on"]) if plan.decision else None
    line = next((i for start, end, i in lines if decided and start <= decided <= end), None)
    if plan.grant is not None and plan.decision is not None and line is not None:
        body = GrantBody.model_validate({**plan.grant, "budget_line_id": str(line)})
        proposer = uuid5(survivor_id, "demo-empowerment-officer")
        events = await propose_grant(em, survivor_id, body, OFFICER, proposer)
        grant_id = UUID(events[0].payload["grant_id"])
        decision = DecisionBody.model_validate(plan.decision)
        try:
            await decide_grant(em, survivor_id, grant_id, decision, LEAD, LEAD_ID)
        except EmpowermentError:
            pass  # the quarter's line is spent: the grant stays proposed
        else:
            approved = int(decision.decision == "approve")
        for paid in plan.disbursements if approved else []:
            body_paid = DisbursementBody.model_validate(paid)
            await disburse(em, survivor_id, grant_id, body_paid, OFFICER)
    for follow_up in plan.follow_ups:
        # A follow-up whose day moved with money that never came is left for later (overdue).
        with contextlib.suppress(EmpowermentError):
            body_follow = FollowUpBody.model_validate(follow_up)
            await records.record_follow_up(em, survivor_id, body_follow, OFFICER)
    return approved


async def trainings(em: Empowerment, trainees: list[UUID], now: date) -> None:
    """Three courses with weekly sessions attended by the trainees; most complete them."""
    rng = random.Random(len(trainees))
    for index, (title, skill) in enumerate(COURSES):
        group = trainees[index :: len(COURSES)]
        if not group:
            continue
        starts = now - timedelta(days=120 - 30 * index)
        body = CourseBody.model_validate(
            {"title": title, "skill": skill, "starts_on": starts, "sessions_planned": 6}
        )
        course_id = UUID((await open_course(em, body, OFFICER))[0].stream_id)
        held = 0
        for week in range(6):
            day = starts + timedelta(days=7 * week)
            if day > now:
                break
            attendance = [{"survivor_id": str(s), "present": rng.random() < 0.85} for s in group]
            await hold_session(
                em,
                course_id,
                SessionBody.model_validate({"held_on": day.isoformat(), "attendance": attendance}),
                OFFICER,
            )
            held = week + 1
        if held == 6:
            for survivor in group:
                if rng.random() < 0.8:
                    done = CompletionBody(completed_on=starts + timedelta(days=35))
                    await complete_training(em, survivor, course_id, done, OFFICER)


async def referrals(em: Empowerment, pool: asyncpg.Pool) -> int:
    """Accept most pending referrals of seeded survivors (some stay pending for the demo)."""
    rows = await pool.fetch(
        "SELECT r.referral_id, r.survivor_id FROM referrals r WHERE r.status = 'pending' AND "
        "EXISTS (SELECT 1 FROM needs_assessments n WHERE n.survivor_id = r.survivor_id)"
    )
    done = 0
    for row in rows[: max(0, len(rows) - 5)]:
        body = ReferralAnswerBody.model_validate({"decision": "accepted"})
        await answer_referral(
            em,
            row["survivor_id"],
            row["referral_id"],
            body,
            OFFICER,
            uuid5(row["survivor_id"], "demo-empowerment-officer"),
        )
        done += 1
    return done


async def seed(settings: Settings, *, limit: int = LIMIT, wait: float = 120.0) -> tuple[int, int]:
    """Seed records for eligible survivors; return (survivors, grants approved)."""
    async with stage_seeding(settings, "empowerment", MIGRATIONS, _LOCK, wait) as (pool, conn):
        keys = Keys.open(pool, settings.kek_file)
        em = Empowerment(EventStore(pool), keys, References.from_kek(keys.kek))
        rows = await conn.fetch(_ELIGIBLE, limit)
        if not rows:
            return 0, 0
        now = today()
        lines = await budget_lines(em, pool, now)
        approved = 0
        trainees = []
        for row in rows:
            approved += await seed_one(em, row["survivor_id"], lines)
            if demo.record(row["survivor_id"], now).trains:
                trainees.append(row["survivor_id"])
        await trainings(em, trainees, now)
        await referrals(em, pool)
        return len(rows), approved


def main() -> int:
    """Seed when UPONYAJI_ENV is development (or test); refuse anywhere else."""
    settings = Settings()
    if not settings.development:
        print("empowerment.seed: demo data is for development only; nothing done", file=sys.stderr)
        return 2
    started = time.monotonic()
    made, approved = asyncio.run(seed(settings))
    took = time.monotonic() - started
    if made:
        print(
            f"empowerment.seed: {made} synthetic records ({approved} grants approved) in "
            f"{took:.1f}s",
            file=sys.stderr,
        )
    else:
        print(
            "empowerment.seed: no consenting survivor without a record; nothing seeded",
            file=sys.stderr,
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
