"""Medical's programme figures as published: every count randomly rounded to the base.

Counted are the records of survivors who consented to de-identified reporting (the query sees
to it). A count is published as a multiple of the base decided by its records' keys
(uponyaji_disclosure); a breakdown lists only rows published above zero, so a row's presence
says nothing a zero would not; the median is shown only over a published count of at least twice
the base. docs/disclosure.md states what this guarantees.
"""

from __future__ import annotations

from statistics import median
from typing import Any

import asyncpg
from uponyaji_disclosure.rounding import Publisher

METHOD = "cell-key random rounding"


def _breakdown(rows: list[asyncpg.Record], key: str, publisher: Publisher) -> dict[str, int]:
    published = {r[key]: publisher.count(r["ids"]) for r in rows}
    return {name: n for name, n in published.items() if n > 0}


def aggregates(found: dict[str, list[asyncpg.Record]], publisher: Publisher) -> dict[str, Any]:
    """Examinations by kind, overall levels, reports signed and with addenda, median days."""
    reports = found["reports"]
    timed = [r for r in reports if r["days"] is not None]
    days_shown = publisher.enough(publisher.count(r["report_id"] for r in timed))
    return {
        "disclosure": {"method": METHOD, "rounding_base": publisher.base},
        "examinations": _breakdown(found["encounters"], "kind", publisher),
        "overall_levels": _breakdown(found["overall_levels"], "level", publisher),
        "reports_signed": publisher.count(r["report_id"] for r in reports),
        "reports_with_addenda": publisher.count(
            r["report_id"] for r in reports if r["with_addenda"]
        ),
        "median_days_intake_to_signed_report": (
            round(float(median(r["days"] for r in timed)), 1) if days_shown else None
        ),
    }
