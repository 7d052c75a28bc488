"""`python -m uponyaji_psychosocial.seed`: demo counselling journeys, development only, idempotent.

Run by the launcher after every service is healthy and after intake's seed, with psychosocial's
environment. The survivors come from intake's events, which the running service's consumer
keeps in the local tables: the seed first waits until that consumer has caught up with intake's
store (intake's `/health` names its head to psychosocial's service token), or, without intake,
until the tables stop changing. It seeds only consenting survivors with open cases and no
psychosocial record yet, so a second run adds nothing. Prints nothing on stdout (no demo
logins), a summary on stderr.
"""

from __future__ import annotations

import asyncio
import sys
import time
from datetime import date, datetime
from uuid import UUID, uuid5

from uponyaji_events import EventStore
from uponyaji_events.eat import eat_date
from uponyaji_events.envelope import Actor
from uponyaji_service import Keys
from uponyaji_service.seeding import stage_seeding

from . import demo
from .app import MIGRATIONS
from .handlers import Psychosocial, today
from .handlers.assessments import record_assessment
from .handlers.care import add_goal, respond_to_flag, review_goal
from .handlers.sessions import plan_session, record_session
from .instruments import Instruments
from .schemas import (
    AssessmentBody,
    GoalBody,
    PlanBody,
    ReviewBody,
    SafetyResponseBody,
    SessionBody,
)
from .settings import Settings

SEEDER = Actor.system("psychosocial-seed")
LIMIT = 60  # journeys per run: enough for dashboards, quick on a small machine
_LOCK = 0x7073_7365_6564  # "psseed": one seeder at a time
_ELIGIBLE = """
SELECT s.survivor_id, c.case_worker, k.changed_at AS consented_at FROM survivors s
JOIN consents k ON k.survivor_id = s.survivor_id AND k.scope = 'psychosocial_support'
LEFT JOIN caseload c ON c.survivor_id = s.survivor_id
WHERE k.granted AND s.status = 'open' AND s.merged_into IS NULL
  AND s.erasure_requested_at IS NULL
  AND NOT EXISTS (SELECT 1 FROM assessments a WHERE a.survivor_id = s.survivor_id)
  AND NOT EXISTS (SELECT 1 FROM session_participants p WHERE p.survivor_id = s.survivor_id)
ORDER BY s.case_number, s.survivor_id LIMIT $1
"""


def first_day(plan: demo.DemoJourney) -> date | None:
    """The earliest day a demo journey records work on (sessions and assessments), in Kenya."""
    days = [date.fromisoformat(s["held_on"]) for s in plan.sessions]
    days += [eat_date(datetime.fromisoformat(a["administered_at"])) for a in plan.assessments]
    return min(days, default=None)


async def seed_one(
    ps: Psychosocial, survivor_id: UUID, worker: str | None, plan: demo.DemoJourney
) -> int:
    """Record one survivor's demo journey; return how many risk flags it raised."""
    # Sessions first: entered in bulk, they predate the flags whose safety response is demo-open.
    for session in plan.sessions:
        await record_session(ps, survivor_id, SessionBody.model_validate(session), SEEDER)
    flags = 0
    for index, body in enumerate(plan.assessments):
        events = await record_assessment(
            ps, survivor_id, AssessmentBody.model_validate(body), SEEDER
        )
        raised = [e for e in events if e.type.endswith("RiskFlagRaised")]
        flags += len(raised)
        for event in raised if index in plan.answered_flags else []:
            response = SafetyResponseBody.model_validate(
                {
                    "actions": ["risk_assessed", "safety_plan", "supervisor_consulted"],
                    "referral": "community_mental_health",
                    "details": "Synthetic demo safety response (FAKE).",
                    "responded_at": body["administered_at"],
                }
            )
            responder = UUID(worker) if worker else uuid5(survivor_id, "demo-counsellor")
            await respond_to_flag(
                ps, survivor_id, UUID(event.payload["flag_id"]), response, SEEDER, responder
            )
    for goal, reviews in plan.goals:
        events = await add_goal(ps, survivor_id, GoalBody.model_validate(goal), SEEDER)
        goal_id = UUID(events[0].payload["goal_id"])
        for review in reviews:
            await review_goal(ps, survivor_id, goal_id, ReviewBody.model_validate(review), SEEDER)
    if plan.next_session is not None:
        await plan_session(ps, survivor_id, PlanBody(planned_on=plan.next_session), SEEDER)
    return flags


async def seed(settings: Settings, *, limit: int = LIMIT, wait: float = 120.0) -> tuple[int, int]:
    """Seed journeys for eligible survivors; return (survivors, risk flags)."""
    async with stage_seeding(settings, "psychosocial", MIGRATIONS, _LOCK, wait) as (pool, conn):
        keys = Keys.open(pool, settings.kek_file)
        ps = Psychosocial(EventStore(pool), keys, Instruments(settings.pcl5_cutoff))
        rows = await conn.fetch(_ELIGIBLE, limit)
        flags = made = 0
        now = today()
        for row in rows:
            plan = demo.journey(row["survivor_id"], now)
            started = first_day(plan)
            if started is not None and started < eat_date(row["consented_at"]):
                # Consent given after the months of work a demo journey invents (someone
                # registered by hand on a development stack): no invented history for them.
                continue
            flags += await seed_one(ps, row["survivor_id"], row["case_worker"], plan)
            made += 1
        return made, flags


def main() -> int:
    """Seed when UPONYAJI_ENV is development (or test); refuse anywhere else."""
    settings = Settings()  # required fields come from the environment
    if not settings.development:
        print("psychosocial.seed: demo data is for development only; nothing done", file=sys.stderr)
        return 2
    started = time.monotonic()
    made, flags = asyncio.run(seed(settings))
    took = time.monotonic() - started
    if made:
        print(
            f"psychosocial.seed: {made} synthetic journeys ({flags} risk flags) in {took:.1f}s",
            file=sys.stderr,
        )
    else:
        print(
            "psychosocial.seed: no consenting survivor without a record; nothing seeded",
            file=sys.stderr,
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
