"""Shaping read rows for answers: sealed values unsealed only where the field rules allow."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any
from uuid import UUID

import asyncpg
from uponyaji_events.contracts.empowerment import HungerCategory, Milestone
from uponyaji_events.sealing import ERASED, Sealer

from .domain import money
from .domain.outcomes import Point, outcomes
from .domain.schedule import MONTHS, add_months


class Reader:
    """Unseals one survivor's values; `[erased]` once their erasure was requested."""

    def __init__(self, sealer: Sealer, survivor_id: UUID, *, erased: bool, visible: bool) -> None:
        self.sealer, self.survivor_id = sealer, survivor_id
        self.erased, self.visible = erased, visible

    async def __call__(self, context: str, value: str | None, *, record: Any) -> str | None:
        """The plaintext of a sealed value; None if absent or not visible to the caller.

        `record` is the id the value is bound to: a value that does not authenticate there
        (altered, or moved from another record or survivor) reads as UNREADABLE.
        """
        if value is None or not self.visible:
            return None
        if self.erased:
            return ERASED
        return await self.sealer.reveal(self.survivor_id, context, value, record=str(record))


def kes(value: Any) -> str | None:
    """An amount as the API shows it: exact decimal text."""
    return None if value is None else money.text(Decimal(value))


def _iso(value: Any) -> str | None:
    return None if value is None else value.isoformat()


def _id(value: Any) -> str | None:
    return None if value is None else str(value)


async def needs(row: asyncpg.Record, read: Reader) -> dict[str, Any]:
    """One needs assessment."""
    kind = "NeedsAssessmentCorrected" if row["supersedes"] else "NeedsAssessed"
    return {
        "assessment_id": str(row["assessment_id"]),
        "assessed_on": _iso(row["assessed_on"]),
        "status": "superseded" if row["superseded_by"] else "current",
        "household_size": row["household_size"],
        "dependants": row["dependants"],
        "earners": row["earners"],
        "income_sources": list(row["income_sources"]),
        "monthly_income_kes": kes(row["monthly_income"]),
        "housing": row["housing"],
        "hunger_answers": list(row["hunger_answers"]),
        "hunger_score": row["hunger_score"],
        "hunger_category": row["hunger_category"],
        "school_age_children": row["school_age_children"],
        "children_out_of_school": row["children_out_of_school"],
        "debts_kes": kes(row["debts"]),
        "skills": list(row["skills"]),
        "barriers": list(row["barriers"]),
        "notes": await read(f"empowerment.{kind}/notes", row["notes"], record=row["assessment_id"]),
        "supersedes": _id(row["supersedes"]),
        "superseded_by": _id(row["superseded_by"]),
        "reason": await read(
            "empowerment.NeedsAssessmentCorrected/reason",
            row["reason"],
            record=row["assessment_id"],
        ),
        "recorded_by": row["recorded_by"],
        "recorded_at": _iso(row["recorded_at"]),
    }


def _contexts(goal_added: bool) -> tuple[str, str]:
    if goal_added:
        return (
            "empowerment.LivelihoodGoalAdded/goal.description",
            "empowerment.LivelihoodGoalAdded/goal.steps[].description",
        )
    return (
        "empowerment.LivelihoodPlanStarted/goals[].description",
        "empowerment.LivelihoodPlanStarted/goals[].steps[].description",
    )


async def plan(
    row: asyncpg.Record | None,
    goals: list[asyncpg.Record],
    reviews: list[asyncpg.Record],
    read: Reader,
) -> dict[str, Any] | None:
    """The livelihood plan with its goals, steps and reviews."""
    if row is None:
        return None
    shown = []
    for g in goals:
        goal_context, step_context = _contexts(g["added_by"] == "goal")
        steps = [
            {
                "step_id": s["step_id"],
                "done": s["done"],
                "description": await read(step_context, s["description"], record=s["step_id"]),
            }
            for s in _json(g["steps"])
        ]
        shown.append(
            {
                "goal_id": str(g["goal_id"]),
                "kind": g["kind"],
                "status": g["status"],
                "description": await read(goal_context, g["description"], record=g["goal_id"]),
                "target_date": _iso(g["target_date"]),
                "steps": steps,
            }
        )
    return {
        "plan_id": str(row["plan_id"]),
        "started_on": _iso(row["started_on"]),
        "goals": shown,
        "reviews": [
            {
                "reviewed_on": _iso(r["reviewed_on"]),
                "goals": _json(r["goals"]),
                "note": await read(
                    "empowerment.LivelihoodPlanReviewed/note", r["note"], record=row["plan_id"]
                ),
                "reviewed_by": r["reviewed_by"],
            }
            for r in reviews
        ],
    }


def _json(value: Any) -> Any:
    return value


async def grant(row: asyncpg.Record, paid: list[asyncpg.Record], read: Reader) -> dict[str, Any]:
    """A grant with its disbursements (references per the notes rule)."""
    return {
        "grant_id": str(row["grant_id"]),
        "purpose": row["purpose"],
        "amount_kes": kes(row["amount"]),
        "status": row["status"],
        "budget_line_id": str(row["budget_line_id"]),
        "budget_code": row["budget_code"],
        "proposed_by": str(row["proposed_by"]),
        "proposed_at": _iso(row["proposed_at"]),
        "justification": await read(
            "empowerment.GrantProposed/justification", row["justification"], record=row["grant_id"]
        ),
        "decided_by": _id(row["decided_by"]),
        "decided_on": _iso(row["decided_on"]),
        "decline_reason": await read(
            "empowerment.GrantDeclined/reason", row["reason"], record=row["grant_id"]
        ),
        "disbursed_kes": kes(row["disbursed"]),
        "remainder_kes": kes(row["amount"] - row["disbursed"])
        if row["status"] == "approved"
        else None,
        "disbursements": [
            {
                "disbursement_id": str(d["disbursement_id"]),
                "amount_kes": kes(d["amount"]),
                "channel": d["channel"],
                "disbursed_on": _iso(d["disbursed_on"]),
                "reference": await read(
                    "empowerment.GrantDisbursed/reference",
                    d["reference"],
                    record=d["disbursement_id"],
                ),
                "items": await read(
                    "empowerment.GrantDisbursed/items", d["items"], record=d["disbursement_id"]
                ),
            }
            for d in paid
            if d["grant_id"] == row["grant_id"]
        ],
    }


async def follow_up(row: asyncpg.Record, read: Reader) -> dict[str, Any]:
    """One follow-up."""
    kind = "FollowUpCorrected" if row["supersedes"] else "FollowUpRecorded"
    return {
        "follow_up_id": str(row["follow_up_id"]),
        "milestone": row["milestone"],
        "status": "superseded" if row["superseded_by"] else "current",
        "due_on": _iso(row["due_on"]),
        "held_on": _iso(row["held_on"]),
        "monthly_income_kes": kes(row["monthly_income"]),
        "business_operating": row["business_operating"],
        "employment_status": row["employment_status"],
        "hunger_answers": list(row["hunger_answers"]),
        "hunger_score": row["hunger_score"],
        "hunger_category": row["hunger_category"],
        "notes": await read(f"empowerment.{kind}/notes", row["notes"], record=row["follow_up_id"]),
        "supersedes": _id(row["supersedes"]),
        "reason": await read(
            "empowerment.FollowUpCorrected/reason", row["reason"], record=row["follow_up_id"]
        ),
    }


def schedule(found: dict[str, Any], today: date) -> list[dict[str, Any]]:
    """The three follow-ups: due day, held or not, overdue or not."""
    plan_row = found["plan"]
    if plan_row is None:
        return []
    paid = [d["disbursed_on"] for d in found["disbursements"]]
    anchor = min(paid) if paid else plan_row["started_on"]
    held = {f["milestone"] for f in found["follow_ups"] if f["superseded_by"] is None}
    out = []
    for milestone, months in MONTHS.items():
        due = add_months(anchor, months)
        out.append(
            {
                "milestone": milestone.value,
                "due_on": due.isoformat(),
                "held": milestone.value in held,
                "overdue": milestone.value not in held and due < today,
            }
        )
    return out


def points(found: dict[str, Any]) -> list[Point]:
    """Current needs assessments and follow-ups, for the survivor's outcomes."""
    out = [
        Point(r["assessed_on"], Decimal(r["monthly_income"]), HungerCategory(r["hunger_category"]))
        for r in found["needs"]
        if r["superseded_by"] is None
    ]
    out += [
        Point(
            r["held_on"],
            Decimal(r["monthly_income"]),
            HungerCategory(r["hunger_category"]),
            Milestone(r["milestone"]).value,
            r["business_operating"],
        )
        for r in found["follow_ups"]
        if r["superseded_by"] is None
    ]
    return out


async def record(
    survivor_id: UUID, found: dict[str, Any], read: Reader, today: date
) -> dict[str, Any]:
    """A survivor's whole empowerment record."""
    survivor = found["survivor"]
    return {
        "survivor_id": str(survivor_id),
        "case_number": survivor["case_number"] if survivor else None,
        "notes_visible": read.visible,
        "needs_assessments": [await needs(r, read) for r in found["needs"]],
        "plan": await plan(found["plan"], found["goals"], found["reviews"], read),
        "grants": [await grant(r, found["disbursements"], read) for r in found["grants"]],
        "trainings": [
            {
                "course_id": str(t["course_id"]),
                "title": t["title"],
                "skill": t["skill"],
                "starts_on": _iso(t["starts_on"]),
                "sessions_planned": t["sessions_planned"],
                "sessions_attended": t["attended"],
                "completed_on": _iso(t["completed_on"]),
            }
            for t in found["trainings"]
        ],
        "follow_ups": [await follow_up(r, read) for r in found["follow_ups"]],
        "follow_up_schedule": schedule(found, today),
        "outcomes": outcomes(points(found)),
    }
