"""Response shapes: journeys (full or de-identified) and the dashboard as CSV rows."""

from __future__ import annotations

import csv
import io
from datetime import datetime
from typing import Any

from uponyaji_events.eat import eat_date

from .journey import Journey, Point
from .milestones import Entry
from .spreadsheet import neutral

# Ids that could link a de-identified journey back to people or records.
LINKING = frozenset(
    {
        "case_number",
        "merged_case_number",
        "merged_survivor_id",
        "team_id",
        "lead_case_worker_id",
        "referral_id",
        "assessment_id",
        "supersedes",
        "flag_id",
        "goal_id",
        "session_id",
        "encounter_id",
        "finding_id",
        "report_id",
        "addendum_id",
        "document_id",
        "treatment_id",
        "specialist_referral_id",
        "plan_id",
        "grant_id",
        "disbursement_id",
        "budget_line_id",
        "course_id",
        "follow_up_id",
        "due_on",  # an absolute date
    }
)


def _day(journey: Journey, at: datetime) -> int | None:
    registered = journey.registered_at
    return (eat_date(at) - eat_date(registered)).days if registered else None


def _milestone(journey: Journey, e: Entry, deidentified: bool) -> dict[str, Any]:
    details = {k: v for k, v in e.data.items() if not (deidentified and k in LINKING)}
    return {
        "day": _day(journey, e.at),
        "at": None if deidentified else e.at.isoformat(),
        "source": e.source,
        "kind": e.kind,
        "details": details,
    }


def _point(journey: Journey, p: Point, deidentified: bool) -> dict[str, Any]:
    return {
        "day": _day(journey, p.at),
        "at": None if deidentified else p.at.isoformat(),
        "score": str(p.score),
        "band": p.band,
        "rc_from_previous": p.rc_from_previous,
        "change_from_previous": p.change_from_previous,
        "change_from_first": p.change_from_first,
    }


def journey(
    j: Journey, *, now: datetime, deidentified: bool, as_of: datetime | None
) -> dict[str, Any]:
    """A journey as JSON; de-identified: no ids, no case number, days since intake for dates."""
    return {
        "survivor_id": None if deidentified else str(j.survivor_id),
        "case_number": None if deidentified else j.case_number,
        "deidentified": deidentified,
        "as_of": as_of.isoformat() if as_of else None,
        "registered_at": None
        if deidentified or not j.registered_at
        else j.registered_at.isoformat(),
        "days_since_intake": j.days_since_intake(now),
        "days_since_last_contact": j.days_since_last_contact(now),
        "stages": j.stages,
        "open_risk_flags": j.open_risk_flags,
        "milestones": [_milestone(j, e, deidentified) for e in j.milestones],
        "trajectories": {
            name: [_point(j, p, deidentified) for p in points]
            for name, points in j.trajectories.items()
        },
    }


Value = str | int | float | None


def rows(board: dict[str, Any]) -> list[tuple[str, str, Value]]:
    """The dashboard flattened to (table, row, value) rows, values as published."""
    out: list[tuple[str, str, Value]] = []

    def walk(prefix: str, value: Any) -> None:
        if isinstance(value, dict):
            for key, inner in value.items():
                walk(f"{prefix}.{key}" if prefix else str(key), inner)
            return
        table, _, row = prefix.rpartition(".")
        if not table:
            table, row = prefix, "total"
        out.append((table, row, value))

    for key, value in board.items():
        if key != "lag":
            walk(key, value)
    return out


def csv_text(board: dict[str, Any]) -> str:
    """The dashboard as CSV with a header row; no cell can start a formula."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(("table", "row", "value"))
    writer.writerows(
        tuple(neutral("" if cell is None else str(cell)) for cell in row) for row in rows(board)
    )
    return buffer.getvalue()
