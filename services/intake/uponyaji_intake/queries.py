"""Read-side SQL: survivors, duplicates, search, consents, incidents, referrals, erasure."""

from __future__ import annotations

import contextlib
from collections.abc import Set
from typing import Any
from uuid import UUID

import asyncpg

from . import matching
from .blind_index import (
    BlindIndexer,
    IndexKind,
    InvalidPhone,
    name_tokens,
    normalise_id_number,
    normalise_phone,
)
from .case_number import looks_like_case_number, normalise_case_number

Pool = asyncpg.Pool
Entries = Set[tuple[IndexKind, bytes]]
_ID_KINDS = (IndexKind.NATIONAL_ID, IndexKind.PASSPORT, IndexKind.OTHER_ID)
SEARCH_LIMIT = 50


def search_entries(indexer: BlindIndexer, q: str) -> tuple[Entries, int]:
    """Blind-index entries for a search text (phone, any ID kind, name parts); name-part count."""
    entries: set[tuple[IndexKind, bytes]] = set()
    with contextlib.suppress(InvalidPhone):
        entries.add((IndexKind.PHONE, indexer.digest(IndexKind.PHONE, normalise_phone(q))))
    number = normalise_id_number(q)
    if any(ch.isdigit() for ch in number) and number.isalnum():
        entries |= {(kind, indexer.digest(kind, number)) for kind in _ID_KINDS}
    tokens = name_tokens(q)
    if all(t.isdigit() for t in tokens):
        tokens = []  # a phone or ID number, not a name (names may hold digits: "Alpha-017")
    entries |= {(IndexKind.NAME, indexer.digest(IndexKind.NAME, t)) for t in tokens}
    return entries, len(tokens)


async def search(
    pool: Pool, indexer: BlindIndexer, q: str, caseload: tuple[Set[str], str] | None
) -> list[dict[str, Any]]:
    """Survivors matching a case number, phone, ID number or every name part of `q`: the first
    page in case-number order. The matching, the caseload and the page are PostgreSQL's work, so
    a name part thousands of survivors share never brings thousands of rows into the service."""
    if looks_like_case_number(q):
        ids = await pool.fetch(
            "SELECT survivor_id FROM survivors WHERE case_number = $1", normalise_case_number(q)
        )
        reasons: dict[UUID, tuple[str, ...]] = {r["survivor_id"]: ("case_number",) for r in ids}
        rows = await survivors(pool, list(reasons), caseload, limit=SEARCH_LIMIT)
        return [{**row, "match": list(reasons[row["survivor_id"]])} for row in rows]
    entries, name_count = search_entries(indexer, q)
    if not entries:
        return []
    pairs = sorted(entries)
    teams, worker = caseload if caseload is not None else (set(), "")
    found = await pool.fetch(
        _MATCHED,
        [kind.value for kind, _ in pairs],
        [digest for _, digest in pairs],
        name_count,
        caseload is None,
        sorted(teams),
        worker,
        SEARCH_LIMIT,
    )
    out = []
    for record in found:
        row = dict(record)
        kinds = [IndexKind(kind) for kind in row.pop("matched_kinds") or ()]
        why = matching.search_reasons(kinds, row.pop("matched_names"), name_count)
        out.append({**row, "match": list(why)})
    return out


_SURVIVOR = (
    "SELECT s.survivor_id, s.case_number, s.registered_at, s.registered_on, s.county_code, "
    "s.gender, s.age_band, s.disabilities, s.preferred_language, s.birth_date_estimated, "
    "s.identity, s.status, "
    "s.closure_reason, s.closed_at, s.merged_into, s.erasure_status, s.version, s.updated_at, "
    "c.team AS team_id, c.lead_case_worker AS lead_case_worker_id "
    "FROM survivors s LEFT JOIN caseload c USING (survivor_id) "
)


# The survivors that hold any of the searched digests (kinds $1, digests $2), with the other
# kinds they matched and how many name parts, kept when they match an ID or phone or every one
# of the $3 name parts, narrowed to the caseload ($4: none; teams $5, case worker $6) and cut to
# a page ($7) in case-number order.
_MATCHED = """
WITH hits AS (
    SELECT b.survivor_id,
           array_agg(DISTINCT b.kind) FILTER (WHERE b.kind <> 'name') AS matched_kinds,
           count(*) FILTER (WHERE b.kind = 'name') AS matched_names
    FROM survivor_blind_index b
    WHERE (b.kind, b.digest) IN (SELECT * FROM unnest($1::text[], $2::bytea[]))
    GROUP BY b.survivor_id
    HAVING bool_or(b.kind <> 'name') OR ($3 > 0 AND count(*) FILTER (WHERE b.kind = 'name') >= $3)
)
SELECT s.survivor_id, s.case_number, s.registered_at, s.registered_on, s.county_code, s.gender,
       s.age_band, s.disabilities, s.preferred_language, s.birth_date_estimated, s.identity,
       s.status, s.closure_reason, s.closed_at, s.merged_into, s.erasure_status, s.version,
       s.updated_at, c.team AS team_id, c.lead_case_worker AS lead_case_worker_id,
       h.matched_kinds, h.matched_names
FROM hits h JOIN survivors s USING (survivor_id) LEFT JOIN caseload c USING (survivor_id)
WHERE ($4 OR c.team = ANY($5) OR c.lead_case_worker::text = $6)
ORDER BY s.case_number LIMIT $7
"""


async def survivors(
    pool: Pool,
    ids: list[UUID],
    caseload: tuple[Set[str], str] | None,
    *,
    limit: int | None = None,
) -> list[dict[str, Any]]:
    """Survivors by id, in case-number order, narrowed to a caseload (teams, staff id) if given;
    the first `limit` of them (a common name may match thousands: only a page is read)."""
    if not ids:
        return []
    teams, worker = caseload if caseload is not None else (set(), "")
    rows = await pool.fetch(
        _SURVIVOR + "WHERE s.survivor_id = ANY($1::uuid[]) AND ($2 OR c.team = ANY($3) "
        "OR c.lead_case_worker::text = $4) ORDER BY s.case_number LIMIT $5",
        ids,
        caseload is None,
        sorted(teams),
        worker,
        limit,
    )
    return [dict(row) for row in rows]


async def survivor(pool: Pool, survivor_id: UUID) -> dict[str, Any] | None:
    """One survivor's read-table row with assignment, or None."""
    row = await pool.fetchrow(_SURVIVOR + "WHERE s.survivor_id = $1", survivor_id)
    return None if row is None else dict(row)


async def merged_records(pool: Pool, survivor_id: UUID) -> list[dict[str, Any]]:
    """Records merged into this one (ids and case numbers)."""
    rows = await pool.fetch(
        "SELECT survivor_id, case_number FROM survivors WHERE merged_into = $1 "
        "ORDER BY case_number",
        survivor_id,
    )
    return [dict(row) for row in rows]


async def teams_and_workers(pool: Pool, survivor_id: UUID) -> tuple[set[str], set[str]] | None:
    """The survivor's team and lead case worker, as strings (None for an unknown survivor)."""
    row = await pool.fetchrow(
        "SELECT c.team, c.lead_case_worker FROM survivors s LEFT JOIN caseload c "
        "USING (survivor_id) WHERE s.survivor_id = $1",
        survivor_id,
    )
    if row is None:
        return None
    teams = {str(row["team"])} if row["team"] else set()
    workers = {str(row["lead_case_worker"])} if row["lead_case_worker"] else set()
    return teams, workers


async def consents(pool: Pool, survivor_id: UUID) -> list[dict[str, Any]]:
    """Current consent per scope that was ever asked."""
    rows = await pool.fetch(
        "SELECT scope, status, method, given_by AS party, language, changed_at "
        "FROM consents WHERE survivor_id = $1 ORDER BY scope",
        survivor_id,
    )
    return [dict(row) for row in rows]


async def consent_history(pool: Pool, survivor_id: UUID) -> list[dict[str, Any]]:
    """Every grant and withdrawal, oldest first (witness and reason still sealed)."""
    rows = await pool.fetch(
        "SELECT event_id, scope, granted, method, given_by AS party, language, witness, reason, "
        "at, recorded_at, recorded_by, recorded_role FROM consent_history "
        "WHERE survivor_id = $1 ORDER BY recorded_at, event_id",
        survivor_id,
    )
    return [dict(row) for row in rows]


async def incidents(pool: Pool, survivor_ids: list[UUID]) -> list[dict[str, Any]]:
    """Incidents of survivors (a record and those merged into it), oldest first."""
    rows = await pool.fetch(
        "SELECT incident_id, survivor_id, documented_at, documented_by, details, context_event "
        "FROM incidents WHERE survivor_id = ANY($1::uuid[]) ORDER BY documented_at",
        survivor_ids,
    )
    return [dict(row) for row in rows]


async def incident_ids(pool: Pool, survivor_ids: list[UUID]) -> frozenset[UUID]:
    """The ids of survivors' incidents."""
    rows = await pool.fetch(
        "SELECT incident_id FROM incidents WHERE survivor_id = ANY($1::uuid[])", survivor_ids
    )
    return frozenset(row["incident_id"] for row in rows)


async def referrals(pool: Pool, survivor_ids: list[UUID]) -> list[dict[str, Any]]:
    """Referrals of survivors, oldest first."""
    rows = await pool.fetch(
        "SELECT referral_id, survivor_id, target, urgency, status, details, status_note, "
        "made_at, made_by, updated_at FROM referrals WHERE survivor_id = ANY($1::uuid[]) "
        "ORDER BY made_at",
        survivor_ids,
    )
    return [dict(row) for row in rows]


async def erasure_requests(pool: Pool, survivor_id: UUID) -> list[dict[str, Any]]:
    """A survivor's erasure requests with the services that confirmed so far."""
    rows = await pool.fetch(
        "SELECT r.request_id, r.received_on, r.requested_at, r.participants, r.completed_at, "
        "coalesce(array_agg(c.service ORDER BY c.service) FILTER (WHERE c.service IS NOT NULL), "
        "'{}') AS confirmed FROM erasure_requests r LEFT JOIN erasure_confirmations c "
        "USING (request_id) WHERE r.survivor_id = $1 GROUP BY r.request_id "
        "ORDER BY r.requested_at",
        survivor_id,
    )
    return [dict(row) for row in rows]


async def team_by_name(pool: Pool, name: str) -> UUID | None:
    """A team's id from identity's announcements, by name (case-insensitive)."""
    value = await pool.fetchval(
        "SELECT team_id FROM teams WHERE lower(name) = lower($1) ORDER BY team_id LIMIT 1", name
    )
    return None if value is None else UUID(str(value))
