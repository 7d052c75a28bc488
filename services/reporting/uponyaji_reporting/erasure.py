"""Erasure in reporting's projections: the case number is unlinked from an erased survivor.

Reporting keeps no sealed value and no data key, but its journey entries carry the case number
(from the registration, and as `merged_case_number` on the record a duplicate was merged into)
next to health data (scores, bands, risk flags, examinations). Once intake records an erasure
request, every entry of that survivor loses its case number, and so does any entry naming the
survivor as a merged duplicate; the survivor's facts, recomputed from the entries, then carry no
case number either. The journey itself stays (pseudonymous, by survivor id) so that programme
counts do not change. The same step runs in a rebuild, so live tables still equal a rebuild.
"""

from __future__ import annotations

from collections.abc import Iterable
from uuid import UUID

from uponyaji_events.db import Conn

ERASED_KIND = "erasure_requested"
LINKING_FIELDS = ("case_number", "merged_case_number")


async def erased_among(conn: Conn, survivors: Iterable[UUID]) -> list[UUID]:
    """The survivors (of those given) whose journey holds an erasure request."""
    # The kind (ERASED_KIND) is written into the statement, not passed: PostgreSQL uses the
    # partial index journey_entries_erased (migration 100) only when it sees the same condition.
    rows = await conn.fetch(
        "SELECT DISTINCT survivor_id FROM journey_entries "
        "WHERE survivor_id = ANY($1::uuid[]) AND kind = 'erasure_requested'",
        list(survivors),
    )
    return [r["survivor_id"] for r in rows]


async def unlink_case_numbers(conn: Conn, survivors: Iterable[UUID]) -> list[UUID]:
    """Strip the case number from every entry of erased survivors (and merges naming them)."""
    erased = await erased_among(conn, survivors)
    if not erased:
        return []
    await conn.execute(
        "UPDATE journey_entries SET data = data - 'case_number' - 'merged_case_number' "
        "WHERE survivor_id = ANY($1::uuid[]) AND (data ? 'case_number' OR data ? "
        "'merged_case_number')",
        erased,
    )
    await conn.execute(
        "UPDATE journey_entries SET data = data - 'merged_case_number' "
        "WHERE data ->> 'merged_survivor_id' = ANY($1::text[]) AND data ? 'merged_case_number'",
        [str(s) for s in erased],
    )
    await conn.execute(
        "UPDATE survivor_facts SET case_number = NULL WHERE survivor_id = ANY($1::uuid[])", erased
    )
    return erased
