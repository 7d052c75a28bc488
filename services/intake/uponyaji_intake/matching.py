"""Finding survivors through the blind index: duplicate candidates and search matches.

Rules, on keyed digests only (never plaintext):

* a phone or ID number digest in common is a candidate (reason `phone`, `id_number`);
* names: a duplicate needs at least two shared *informative* name parts, and at least 60% of the
  shorter name's informative parts. A part is not informative when it is common in the register
  (held by more than max(20, 5%) of survivors: "Mary", or "Test Survivor" in demo data), so
  common words alone never make a candidate;
* a search needs every name part it gives (common or not).
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Set
from dataclasses import dataclass, field
from uuid import UUID

import asyncpg
from uponyaji_events.db import Conn

from .blind_index import IndexKind
from .errors import DuplicateCandidate

Entries = Set[tuple[IndexKind, bytes]]
Db = asyncpg.Pool | Conn  # a pool, or a transaction's connection (to see its own writes)
COMMON_MIN = 20
COMMON_SHARE = 0.05
_REASON = {
    IndexKind.PHONE: "phone",
    IndexKind.NATIONAL_ID: "id_number",
    IndexKind.PASSPORT: "id_number",
    IndexKind.OTHER_ID: "id_number",
}


@dataclass
class Match:
    """A survivor found through the blind index: which other kinds and name parts matched."""

    survivor_id: UUID
    case_number: str
    kinds: set[IndexKind] = field(default_factory=set)
    names: set[bytes] = field(default_factory=set)


async def matches(pool: Db, entries: Iterable[tuple[IndexKind, bytes]]) -> list[Match]:
    """Survivors holding any of the entries, with what they matched."""
    pairs = list(entries)
    if not pairs:
        return []
    rows = await pool.fetch(
        "SELECT b.survivor_id, s.case_number, b.kind, b.digest "
        "FROM survivor_blind_index b JOIN survivors s USING (survivor_id) "
        "WHERE (b.kind, b.digest) IN (SELECT * FROM unnest($1::text[], $2::bytea[]))",
        [kind.value for kind, _ in pairs],
        [digest for _, digest in pairs],
    )
    found: dict[UUID, Match] = {}
    for row in rows:
        match = found.setdefault(row["survivor_id"], Match(row["survivor_id"], row["case_number"]))
        kind = IndexKind(row["kind"])
        if kind is IndexKind.NAME:
            match.names.add(bytes(row["digest"]))
        else:
            match.kinds.add(kind)
    return list(found.values())


async def duplicate_candidates(
    pool: Db, entries: Entries, *, common_names: Set[bytes] | None = None
) -> tuple[DuplicateCandidate, ...]:
    """Registered survivors who may be the person these identity values describe.

    `common_names`: which of these name parts to treat as common (what `claim` judged), instead
    of judging them again now. Common parts are not looked up: they never make a candidate, and
    one may be shared by thousands of survivors.
    """
    names = {digest for kind, digest in entries if kind is IndexKind.NAME}
    ours_common = set(await _common(pool, names) if common_names is None else common_names)
    distinctive = {(k, d) for k, d in entries if not (k is IndexKind.NAME and d in ours_common)}
    found = await matches(pool, distinctive)
    if not found:
        return ()
    theirs = await _name_parts(pool, [m.survivor_id for m in found])
    their_parts = {d for parts in theirs.values() for d in parts} - names
    common = ours_common | await _common(pool, their_parts)
    ours = names - common
    candidates = []
    for match in found:
        reasons = sorted({_REASON[kind] for kind in match.kinds})
        shared = len(match.names & ours)
        shorter = min(len(ours), len(theirs.get(match.survivor_id, set()) - common))
        if shorter and shared >= max(min(2, shorter), math.ceil(0.6 * shorter)):
            reasons.append(f"name ({shared} of {len(ours)} distinctive parts)")
        if reasons:
            candidate = DuplicateCandidate(match.survivor_id, match.case_number, tuple(reasons))
            candidates.append(candidate)
    return tuple(sorted(candidates, key=lambda c: c.case_number))


def search_reasons(kinds: Iterable[IndexKind], names: int, name_count: int) -> tuple[str, ...]:
    """Why a survivor answers a search: the phone or ID number `kinds` it matched, or all the
    `name_count` name parts given (`names` of them matched)."""
    reasons = sorted({_REASON[kind] for kind in kinds})
    if name_count and names >= name_count:
        reasons.append("name")
    return tuple(reasons)


async def _name_parts(pool: Db, survivors: list[UUID]) -> dict[UUID, set[bytes]]:
    rows = await pool.fetch(
        "SELECT survivor_id, digest FROM survivor_blind_index "
        "WHERE kind = 'name' AND survivor_id = ANY($1::uuid[])",
        survivors,
    )
    parts: dict[UUID, set[bytes]] = {}
    for row in rows:
        parts.setdefault(row["survivor_id"], set()).add(bytes(row["digest"]))
    return parts


async def _common(pool: Db, digests: set[bytes]) -> set[bytes]:
    """The name parts held by more than max(COMMON_MIN, COMMON_SHARE × register) survivors."""
    if not digests:
        return set()
    total = await pool.fetchval("SELECT count(*) FROM survivors WHERE status <> 'merged'")
    threshold = max(COMMON_MIN, COMMON_SHARE * int(total))
    rows = await pool.fetch(
        "SELECT digest FROM survivor_blind_index WHERE kind = 'name' AND digest = ANY($1) "
        "GROUP BY digest HAVING count(*) > $2",
        list(digests),
        threshold,
    )
    return {bytes(row["digest"]) for row in rows}


def _claim_key(kind: IndexKind, digest: bytes) -> int:
    head = int.from_bytes(digest[:8], "big", signed=True)
    return head ^ hash_kind(kind)


def hash_kind(kind: IndexKind) -> int:
    """A fixed per-kind salt for claim keys (stable across processes, unlike hash())."""
    return int.from_bytes(kind.value.encode().ljust(8, b"_")[:8], "big", signed=True)


async def claim(conn: Conn, entries: Entries) -> frozenset[bytes]:
    """Claim a registration's blind-index values until its transaction ends; return the name
    parts judged common (the duplicate check inside the claim must judge them the same way).

    Two registrations sharing a phone, an ID number, or a name part that either of them finds
    distinctive take conflicting claims: the second waits for the first to commit, then its
    duplicate check sees the first. A name part common in the register never makes a candidate,
    so it is claimed in shared mode: registrations that share only common parts ("Mary", or
    "Test Survivor" in demo data) do not queue behind one another. Claims are taken in key
    order, so two registrations cannot deadlock.
    """
    common = await _common(conn, {digest for kind, digest in entries if kind is IndexKind.NAME})
    exclusive: dict[int, bool] = {}
    for kind, digest in entries:
        key = _claim_key(kind, digest)
        exclusive[key] = exclusive.get(key, False) or not (
            kind is IndexKind.NAME and digest in common
        )
    for key in sorted(exclusive):
        if exclusive[key]:
            await conn.execute("SELECT pg_advisory_xact_lock($1)", key)
        else:
            await conn.execute("SELECT pg_advisory_xact_lock_shared($1)", key)
    return frozenset(common)
