"""Unusual access, per staff member and Kenyan day, over the access records (the DPO's audit view).

Reads one by one and the survivors that lists and searches returned are both in
`access_records` (a list's answer is a row with `item` 0, each survivor it named a row with
`item` 1..n). Reasons, each with its threshold:

* `many_survivors_in_a_day`: distinct survivors read one by one;
* `many_survivors_outside_caseload_in_a_day`: distinct survivors read *or returned by a list or
  search* while the record says they were not on the reader's caseload (de-identified reads under
  scope `aggregate` are off everyone's caseload by nature and do not count);
* `repeated_refusals_off_caseload`: distinct survivors refused (off caseload, unknown, forbidden);
* `many_searches_in_a_day`: searches (answers with a keyed query hash);
* `many_survivors_listed_in_a_day`: distinct survivors named by lists and searches.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

import asyncpg

MANY_SURVIVORS_A_DAY = 25  # distinct survivors read by one person in one day
OUTSIDE_CASELOAD_A_DAY = 10  # distinct survivors read or listed off the reader's caseload, a day
REFUSED_A_DAY = 3  # distinct survivors refused (off caseload, unknown, forbidden) in one day
MANY_SEARCHES_A_DAY = 60  # searches by one person in one day
MANY_LISTED_A_DAY = 150  # distinct survivors named by one person's lists and searches in a day

_DAILY = """
SELECT * FROM (
    SELECT staff_id, (at AT TIME ZONE INTERVAL '+03:00')::date AS day,
        count(DISTINCT survivor_id) FILTER (WHERE outcome = 'allowed' AND item = 0) AS read,
        -- on_caseload is false only when the record says so: null (unknown) never counts.
        count(DISTINCT survivor_id) FILTER (
            WHERE outcome = 'allowed' AND NOT on_caseload AND scope IS DISTINCT FROM 'aggregate'
        ) AS outside,
        count(DISTINCT survivor_id) FILTER (WHERE outcome <> 'allowed') AS refused,
        count(*) FILTER (WHERE item = 0 AND query_hash IS NOT NULL) AS searches,
        count(DISTINCT survivor_id) FILTER (WHERE item > 0) AS listed
    FROM access_records
    WHERE ($1::timestamptz IS NULL OR at >= $1) AND ($2::timestamptz IS NULL OR at <= $2)
    GROUP BY 1, 2
) AS daily
WHERE read >= $3 OR outside >= $4 OR refused >= $5 OR searches >= $6 OR listed >= $7
ORDER BY day DESC, staff_id
"""


def reasons(row: asyncpg.Record | dict[str, Any]) -> list[str]:
    """The alert's reasons for one staff member's day of counts."""
    found = []
    if row["read"] >= MANY_SURVIVORS_A_DAY:
        found.append("many_survivors_in_a_day")
    if row["outside"] >= OUTSIDE_CASELOAD_A_DAY:
        found.append("many_survivors_outside_caseload_in_a_day")
    if row["refused"] >= REFUSED_A_DAY:
        found.append("repeated_refusals_off_caseload")
    if row["searches"] >= MANY_SEARCHES_A_DAY:
        found.append("many_searches_in_a_day")
    if row["listed"] >= MANY_LISTED_A_DAY:
        found.append("many_survivors_listed_in_a_day")
    return found


async def access_alerts(
    pool: asyncpg.Pool, *, start: datetime | None, end: datetime | None
) -> list[dict[str, Any]]:
    """Unusual access per staff member and Kenyan day, newest day first (reasons above)."""
    rows = await pool.fetch(
        _DAILY,
        start,
        end,
        MANY_SURVIVORS_A_DAY,
        OUTSIDE_CASELOAD_A_DAY,
        REFUSED_A_DAY,
        MANY_SEARCHES_A_DAY,
        MANY_LISTED_A_DAY,
    )
    return [
        {
            "staff_id": r["staff_id"],
            "day": r["day"].isoformat(),
            "survivors_read": r["read"],
            "survivors_outside_caseload": r["outside"],
            "survivors_refused": r["refused"],
            "searches": r["searches"],
            "survivors_listed": r["listed"],
            "reasons": reasons(r),
        }
        for r in rows
    ]
