"""Our own events → our read tables; applied in the command's transaction, rebuildable from zero.

Sealed values are copied as ciphertext: a read table never holds a note in clear.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from uponyaji_events.db import Conn
from uponyaji_events.envelope import Event
from uponyaji_events.folding import as_day, as_uuid
from uponyaji_events.read_model import Change, ReadModel, Row

_NEEDS = Row(
    "needs_assessments",
    "assessment_id survivor_id assessed_on household_size dependants earners "
    "income_sources monthly_income=monthly_income_kes housing hunger_answers "
    "hunger_score hunger_category school_age_children children_out_of_school "
    "debts=debts_kes skills barriers notes supersedes reason "
    "recorded_by=@actor recorded_at=@at",
    key="assessment_id",
)
_FOLLOW_UP = Row(
    "follow_ups",
    "follow_up_id survivor_id milestone due_on held_on "
    "monthly_income=monthly_income_kes business_operating employment_status "
    "hunger_answers hunger_score hunger_category notes supersedes reason "
    "recorded_by=@actor recorded_at=@at",
    key="follow_up_id",
)
_PLAN = Row("plans", "plan_id survivor_id started_on recorded_by=@actor recorded_at=@at")
_GOAL = Row(
    "plan_goals",
    "goal_id plan_id survivor_id kind description target_date added_at=@at updated_at=@at",
)
_REVIEW = Row(
    "plan_reviews",
    "event_id=@id plan_id survivor_id reviewed_on goals note reviewed_by=@actor recorded_at=@at",
)
_APPROVED = Change(
    "grants",
    "decided_by=approved_by decided_on=approved_on amount=amount_kes",
    key="grant_id",
    also="status = 'approved'",
)
_HELD = Change("courses", key="course_id", also="sessions_held = courses.sessions_held + 1")
_DISBURSEMENT = Row(
    "disbursements",
    "disbursement_id grant_id survivor_id amount=amount_kes channel reference "
    "reference_digest items disbursed_on recorded_by=@actor recorded_at=@at",
)


async def _goal(conn: Conn, e: Event, plan_id: str, survivor_id: str, g: dict[str, Any]) -> None:
    steps = [{**s, "done": False} for s in g.get("steps", [])]
    source = "goal" if e.type.endswith("GoalAdded") else "plan"
    fields = {**g, "plan_id": plan_id, "survivor_id": survivor_id}
    await _GOAL.insert(conn, e, {"steps": steps, "added_by": source}, fields=fields)


async def _plan(conn: Conn, e: Event) -> None:
    p = e.payload
    await _PLAN(conn, e)
    for g in p["goals"]:
        await _goal(conn, e, p["plan_id"], p["survivor_id"], g)


async def _goal_added(conn: Conn, e: Event) -> None:
    p = e.payload
    await _goal(conn, e, p["plan_id"], p["survivor_id"], p["goal"])


async def _review(conn: Conn, e: Event) -> None:
    await _REVIEW(conn, e)
    for g in e.payload["goals"]:
        await conn.execute(
            "UPDATE plan_goals SET status = $2, updated_at = $4, steps = (SELECT "
            "coalesce(jsonb_agg(s || jsonb_build_object('done', (s->>'done')::boolean "
            "OR s->>'step_id' = ANY($3::text[]))), '[]'::jsonb) FROM jsonb_array_elements(steps) s)"
            " WHERE goal_id = $1",
            as_uuid(g["goal_id"]),
            g["status"],
            g.get("steps_done", []),
            e.recorded_at,
        )


async def _approved(conn: Conn, e: Event) -> None:
    await _APPROVED(conn, e)
    await conn.execute(
        "UPDATE budget_lines SET committed = committed + $2 WHERE budget_line_id = $1",
        as_uuid(e.payload["budget_line_id"]),
        Decimal(e.payload["amount_kes"]),
    )


async def _disbursed(conn: Conn, e: Event) -> None:
    p = e.payload
    amount = Decimal(p["amount_kes"])
    await _DISBURSEMENT(conn, e)
    line = await conn.fetchval(
        "UPDATE grants SET disbursed = disbursed + $2 WHERE grant_id = $1 RETURNING budget_line_id",
        as_uuid(p["grant_id"]),
        amount,
    )
    await conn.execute(
        "UPDATE budget_lines SET disbursed = disbursed + $2 WHERE budget_line_id = $1", line, amount
    )


async def _session(conn: Conn, e: Event) -> None:
    p = e.payload
    await conn.executemany(
        "INSERT INTO course_attendance (session_id, survivor_id, course_id, held_on, present) "
        "VALUES ($1, $2, $3, $4, $5)",
        [
            (
                as_uuid(p["session_id"]),
                as_uuid(a["survivor_id"]),
                as_uuid(p["course_id"]),
                as_day(p["held_on"]),
                a["present"],
            )
            for a in p["attendance"]
        ],
    )
    await _HELD(conn, e)


async def _pending_again(conn: Conn) -> None:
    """Referral answers are replayed onto intake's referral rows: reset them to pending first."""
    await conn.execute(
        "UPDATE referrals SET status = 'pending', answered_on = NULL, answered_by = NULL "
        "WHERE status IN ('accepted', 'declined')"
    )


READ_MODEL = ReadModel(
    tables=(
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
    ),
    appliers={
        "empowerment.NeedsAssessed": _NEEDS,
        "empowerment.NeedsAssessmentCorrected": _NEEDS,
        "empowerment.LivelihoodPlanStarted": _plan,
        "empowerment.LivelihoodGoalAdded": _goal_added,
        "empowerment.LivelihoodPlanReviewed": _review,
        "empowerment.BudgetLineOpened": Row(
            "budget_lines",
            "budget_line_id code period_start period_end amount=amount_kes "
            "opened_by=@actor opened_at=@at",
        ),
        "empowerment.GrantProposed": Row(
            "grants",
            "grant_id survivor_id purpose amount=amount_kes budget_line_id "
            "proposed_by justification proposed_at=@at",
        ),
        "empowerment.GrantApproved": _approved,
        "empowerment.GrantDeclined": Change(
            "grants",
            "decided_by=declined_by decided_on=declined_on reason",
            key="grant_id",
            also="status = 'declined'",
        ),
        "empowerment.GrantDisbursed": _disbursed,
        "empowerment.CourseOpened": Row(
            "courses",
            "course_id title skill starts_on sessions_planned opened_by=@actor opened_at=@at",
        ),
        "empowerment.CourseSessionHeld": _session,
        "empowerment.TrainingCompleted": Row(
            "training_completions", "course_id survivor_id completed_on sessions_attended"
        ),
        "empowerment.FollowUpRecorded": _FOLLOW_UP,
        "empowerment.FollowUpCorrected": _FOLLOW_UP,
        "empowerment.ReferralAnswered": Change(
            "referrals", "status=decision answered_on answered_by", key="referral_id"
        ),
    },
    reset=_pending_again,
)
READ_TABLES = READ_MODEL.tables
apply_all = READ_MODEL.apply_all
rebuild = READ_MODEL.rebuild
