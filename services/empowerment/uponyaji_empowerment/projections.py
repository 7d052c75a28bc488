"""Our own events → our read tables; applied in the command's transaction, rebuildable from zero.

Sealed values are copied as ciphertext: a read table never holds a note in clear.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Iterable
from datetime import date
from decimal import Decimal
from typing import Any
from uuid import UUID

from uponyaji_events.db import Conn
from uponyaji_events.envelope import Event
from uponyaji_events.projection import replay
from uponyaji_events.store import EventStore

READ_TABLES = (
    "follow_ups",
    "training_completions",
    "course_attendance",
    "courses",
    "disbursements",
    "grants",
    "budget_lines",
    "plan_reviews",
    "plan_goals",
    "plans",
    "needs_assessments",
)


def _day(value: Any) -> date:
    return date.fromisoformat(str(value))


def _uuid(value: Any) -> UUID | None:
    return None if value is None else UUID(str(value))


async def _needs(conn: Conn, e: Event) -> None:
    p = e.payload
    await conn.execute(
        "INSERT INTO needs_assessments (assessment_id, survivor_id, assessed_on, household_size, "
        "dependants, earners, income_sources, monthly_income, housing, hunger_answers, "
        "hunger_score, hunger_category, school_age_children, children_out_of_school, debts, "
        "skills, barriers, notes, supersedes, reason, recorded_by, recorded_at) VALUES ($1, $2, "
        "$3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20, $21, "
        "$22)",
        UUID(p["assessment_id"]),
        UUID(p["survivor_id"]),
        _day(p["assessed_on"]),
        p["household_size"],
        p["dependants"],
        p["earners"],
        p["income_sources"],
        Decimal(p["monthly_income_kes"]),
        p["housing"],
        p["hunger_answers"],
        p["hunger_score"],
        p["hunger_category"],
        p["school_age_children"],
        p["children_out_of_school"],
        Decimal(p["debts_kes"]),
        p["skills"],
        p["barriers"],
        p.get("notes"),
        _uuid(p.get("supersedes")),
        p.get("reason"),
        e.actor.id,
        e.recorded_at,
    )
    if p.get("supersedes"):
        await conn.execute(
            "UPDATE needs_assessments SET superseded_by = $2 WHERE assessment_id = $1",
            UUID(p["supersedes"]),
            UUID(p["assessment_id"]),
        )


async def _goal(conn: Conn, e: Event, plan_id: str, survivor_id: str, g: dict[str, Any]) -> None:
    steps = [{**s, "done": False} for s in g.get("steps", [])]
    source = "goal" if e.type.endswith("GoalAdded") else "plan"
    await conn.execute(
        "INSERT INTO plan_goals (goal_id, plan_id, survivor_id, kind, description, target_date, "
        "steps, added_by, added_at, updated_at) "
        "VALUES ($1, $2, $3, $4, $5, $6, $7::jsonb, $8, $9, $9)",
        UUID(g["goal_id"]),
        UUID(plan_id),
        UUID(survivor_id),
        g["kind"],
        g["description"],
        _day(g["target_date"]),
        steps,
        source,
        e.recorded_at,
    )


async def _plan(conn: Conn, e: Event) -> None:
    p = e.payload
    await conn.execute(
        "INSERT INTO plans (plan_id, survivor_id, started_on, recorded_by, recorded_at) "
        "VALUES ($1, $2, $3, $4, $5)",
        UUID(p["plan_id"]),
        UUID(p["survivor_id"]),
        _day(p["started_on"]),
        e.actor.id,
        e.recorded_at,
    )
    for g in p["goals"]:
        await _goal(conn, e, p["plan_id"], p["survivor_id"], g)


async def _goal_added(conn: Conn, e: Event) -> None:
    p = e.payload
    await _goal(conn, e, p["plan_id"], p["survivor_id"], p["goal"])


async def _review(conn: Conn, e: Event) -> None:
    p = e.payload
    await conn.execute(
        "INSERT INTO plan_reviews (event_id, plan_id, survivor_id, reviewed_on, goals, note, "
        "reviewed_by, recorded_at) VALUES ($1, $2, $3, $4, $5::jsonb, $6, $7, $8)",
        e.event_id,
        UUID(p["plan_id"]),
        UUID(p["survivor_id"]),
        _day(p["reviewed_on"]),
        p["goals"],
        p.get("note"),
        e.actor.id,
        e.recorded_at,
    )
    for g in p["goals"]:
        await conn.execute(
            "UPDATE plan_goals SET status = $2, updated_at = $4, steps = (SELECT "
            "coalesce(jsonb_agg(s || jsonb_build_object('done', (s->>'done')::boolean "
            "OR s->>'step_id' = ANY($3::text[]))), '[]'::jsonb) FROM jsonb_array_elements(steps) s)"
            " WHERE goal_id = $1",
            UUID(g["goal_id"]),
            g["status"],
            g.get("steps_done", []),
            e.recorded_at,
        )


async def _budget_line(conn: Conn, e: Event) -> None:
    p = e.payload
    await conn.execute(
        "INSERT INTO budget_lines (budget_line_id, code, period_start, period_end, amount, "
        "opened_by, opened_at) VALUES ($1, $2, $3, $4, $5, $6, $7)",
        UUID(p["budget_line_id"]),
        p["code"],
        _day(p["period_start"]),
        _day(p["period_end"]),
        Decimal(p["amount_kes"]),
        e.actor.id,
        e.recorded_at,
    )


async def _proposed(conn: Conn, e: Event) -> None:
    p = e.payload
    await conn.execute(
        "INSERT INTO grants (grant_id, survivor_id, purpose, amount, budget_line_id, proposed_by, "
        "proposed_at, justification) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
        UUID(p["grant_id"]),
        UUID(p["survivor_id"]),
        p["purpose"],
        Decimal(p["amount_kes"]),
        UUID(p["budget_line_id"]),
        UUID(p["proposed_by"]),
        e.recorded_at,
        p.get("justification"),
    )


async def _approved(conn: Conn, e: Event) -> None:
    p = e.payload
    await conn.execute(
        "UPDATE grants SET status = 'approved', decided_by = $2, decided_on = $3, amount = $4 "
        "WHERE grant_id = $1",
        UUID(p["grant_id"]),
        UUID(p["approved_by"]),
        _day(p["approved_on"]),
        Decimal(p["amount_kes"]),
    )
    await conn.execute(
        "UPDATE budget_lines SET committed = committed + $2 WHERE budget_line_id = $1",
        UUID(p["budget_line_id"]),
        Decimal(p["amount_kes"]),
    )


async def _declined(conn: Conn, e: Event) -> None:
    p = e.payload
    await conn.execute(
        "UPDATE grants SET status = 'declined', decided_by = $2, decided_on = $3, reason = $4 "
        "WHERE grant_id = $1",
        UUID(p["grant_id"]),
        UUID(p["declined_by"]),
        _day(p["declined_on"]),
        p.get("reason"),
    )


async def _disbursed(conn: Conn, e: Event) -> None:
    p = e.payload
    amount = Decimal(p["amount_kes"])
    await conn.execute(
        "INSERT INTO disbursements (disbursement_id, grant_id, survivor_id, amount, channel, "
        "reference, reference_digest, items, disbursed_on, recorded_by, recorded_at) "
        "VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)",
        UUID(p["disbursement_id"]),
        UUID(p["grant_id"]),
        UUID(p["survivor_id"]),
        amount,
        p["channel"],
        p.get("reference"),
        p.get("reference_digest"),
        p.get("items"),
        _day(p["disbursed_on"]),
        e.actor.id,
        e.recorded_at,
    )
    line = await conn.fetchval(
        "UPDATE grants SET disbursed = disbursed + $2 WHERE grant_id = $1 RETURNING budget_line_id",
        UUID(p["grant_id"]),
        amount,
    )
    await conn.execute(
        "UPDATE budget_lines SET disbursed = disbursed + $2 WHERE budget_line_id = $1", line, amount
    )


async def _course(conn: Conn, e: Event) -> None:
    p = e.payload
    await conn.execute(
        "INSERT INTO courses (course_id, title, skill, starts_on, sessions_planned, opened_by, "
        "opened_at) VALUES ($1, $2, $3, $4, $5, $6, $7)",
        UUID(p["course_id"]),
        p["title"],
        p["skill"],
        _day(p["starts_on"]),
        p["sessions_planned"],
        e.actor.id,
        e.recorded_at,
    )


async def _session(conn: Conn, e: Event) -> None:
    p = e.payload
    await conn.executemany(
        "INSERT INTO course_attendance (session_id, survivor_id, course_id, held_on, present) "
        "VALUES ($1, $2, $3, $4, $5)",
        [
            (
                UUID(p["session_id"]),
                UUID(a["survivor_id"]),
                UUID(p["course_id"]),
                _day(p["held_on"]),
                a["present"],
            )
            for a in p["attendance"]
        ],
    )
    await conn.execute(
        "UPDATE courses SET sessions_held = sessions_held + 1 WHERE course_id = $1",
        UUID(p["course_id"]),
    )


async def _completed(conn: Conn, e: Event) -> None:
    p = e.payload
    await conn.execute(
        "INSERT INTO training_completions (course_id, survivor_id, completed_on, "
        "sessions_attended) VALUES ($1, $2, $3, $4)",
        UUID(p["course_id"]),
        UUID(p["survivor_id"]),
        _day(p["completed_on"]),
        p["sessions_attended"],
    )


async def _follow_up(conn: Conn, e: Event) -> None:
    p = e.payload
    await conn.execute(
        "INSERT INTO follow_ups (follow_up_id, survivor_id, milestone, due_on, held_on, "
        "monthly_income, business_operating, employment_status, hunger_answers, hunger_score, "
        "hunger_category, notes, supersedes, reason, recorded_by, recorded_at) VALUES ($1, $2, "
        "$3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16)",
        UUID(p["follow_up_id"]),
        UUID(p["survivor_id"]),
        p["milestone"],
        _day(p["due_on"]),
        _day(p["held_on"]),
        Decimal(p["monthly_income_kes"]),
        p.get("business_operating"),
        p["employment_status"],
        p["hunger_answers"],
        p["hunger_score"],
        p["hunger_category"],
        p.get("notes"),
        _uuid(p.get("supersedes")),
        p.get("reason"),
        e.actor.id,
        e.recorded_at,
    )
    if p.get("supersedes"):
        await conn.execute(
            "UPDATE follow_ups SET superseded_by = $2 WHERE follow_up_id = $1",
            UUID(p["supersedes"]),
            UUID(p["follow_up_id"]),
        )


async def _referral(conn: Conn, e: Event) -> None:
    p = e.payload
    await conn.execute(
        "UPDATE referrals SET status = $2, answered_on = $3, answered_by = $4 "
        "WHERE referral_id = $1",
        UUID(p["referral_id"]),
        p["decision"],
        _day(p["answered_on"]),
        str(p["answered_by"]),
    )


APPLY: dict[str, Callable[[Conn, Event], Awaitable[None]]] = {
    "empowerment.NeedsAssessed": _needs,
    "empowerment.NeedsAssessmentCorrected": _needs,
    "empowerment.LivelihoodPlanStarted": _plan,
    "empowerment.LivelihoodGoalAdded": _goal_added,
    "empowerment.LivelihoodPlanReviewed": _review,
    "empowerment.BudgetLineOpened": _budget_line,
    "empowerment.GrantProposed": _proposed,
    "empowerment.GrantApproved": _approved,
    "empowerment.GrantDeclined": _declined,
    "empowerment.GrantDisbursed": _disbursed,
    "empowerment.CourseOpened": _course,
    "empowerment.CourseSessionHeld": _session,
    "empowerment.TrainingCompleted": _completed,
    "empowerment.FollowUpRecorded": _follow_up,
    "empowerment.FollowUpCorrected": _follow_up,
    "empowerment.ReferralAnswered": _referral,
}


async def apply_all(conn: Conn, events: Iterable[Event]) -> None:
    """Apply our events to the read tables (audit and erasure events change none)."""
    for event in events:
        project = APPLY.get(event.type)
        if project is not None:
            await project(conn, event)


async def _pending_again(conn: Conn) -> None:
    await conn.execute(
        "UPDATE referrals SET status = 'pending', answered_on = NULL, answered_by = NULL "
        "WHERE status IN ('accepted', 'declined')"
    )


async def rebuild(
    store: EventStore, *, page: int = 1000, on_page: Callable[[int], None] | None = None
) -> int:
    """Empty the read tables and replay every event in commit order; return how many.

    Referral answers are replayed onto intake's referral rows, which are reset to pending first.
    """
    return await replay(
        store, READ_TABLES, apply_all, page=page, on_page=on_page, reset=_pending_again
    )
