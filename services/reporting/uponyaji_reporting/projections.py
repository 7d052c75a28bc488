"""Events of intake and psychosocial → journey entries, survivor facts, dashboard cells, access.

Each batch of a source's events is applied inside its consumer's transaction, a page at a time:
entries and access records are written with one statement each, then the facts of every survivor
the batch touched are recomputed from all their entries (and the dashboard cells moved by the
difference), so the live tables always equal a rebuild from zero. A rebuild defers the facts:
it writes every entry first and computes each survivor's facts once at the end (`refresh_all`).
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import zlib
from collections import Counter
from collections.abc import Iterable, Iterator, Sequence
from contextvars import ContextVar
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from functools import partial
from operator import itemgetter
from pathlib import Path
from typing import Any
from uuid import UUID

import asyncpg
import orjson
from uponyaji_events.consumer import StagedBatchHandler
from uponyaji_events.contracts import intake as i
from uponyaji_events.contracts import kernel
from uponyaji_events.db import Conn
from uponyaji_events.envelope import Actor, Event, NewEvent
from uponyaji_events.store import EventStore

from . import cells as c
from .dashboard import Facts, facts
from .disclosure import record_key
from .erasure import unlink_case_numbers
from .journey import fold
from .milestones import DATA, KIND, SURVIVOR, Entry, Row, entry_rows
from .settings import SERVICE

MIGRATIONS = Path(__file__).parent / "migrations"
TABLES = ("journey_entries", "survivor_facts", "access_records", "merges", "dashboard_cells")
AUDITED = "SurvivorDataAccessed"
LISTED = "SurvivorsListed"  # a list's or search's answer: the survivors it returned
ERASURE_ACTOR = Actor.system("reporting-erasure")
# Serialises the facts-and-cells step of concurrent consumers (intake and psychosocial events of
# one survivor): each recomputes from entries committed before it, so the last one sees them all.
FACTS_LOCK = zlib.crc32(b"reporting:survivor_facts")
SEPARATOR = "\x1f"  # joins a facts row's code lists for one unnest() statement
CHUNK = 5000  # rows per statement when writing facts and cells in bulk
# Journey entries a live refresh holds at once: the touched survivors are folded in groups of
# at most this many entries (a survivor with more alone), so a batch touching many survivors
# with long journeys does not load them all together (each entry is about 1-2 KB as objects).
REFRESH_ENTRIES = 2000

_deferred: ContextVar[bool] = ContextVar("reporting_facts_deferred", default=False)
_emptied: ContextVar[bool] = ContextVar("reporting_tables_emptied", default=False)


@contextlib.contextmanager
def facts_deferred(*, emptied: bool = False) -> Iterator[None]:
    """In this block (this task only), batches write entries and leave facts to `refresh_all`.

    `emptied`: the tables were emptied and each source is applied from position 1 in this
    block (a rebuild), so no entry written here can be there already: entries are inserted
    without asking PostgreSQL to look for one first (ON CONFLICT cost it 1-1.5 µs per entry).
    """
    token = _deferred.set(True)
    fresh = _emptied.set(emptied)
    try:
        yield
    finally:
        _emptied.reset(fresh)
        _deferred.reset(token)


ENTRY_COLUMNS = "survivor_id, source, position, kind, at, occurred_at, recorded_at, data"


def _entry(r: asyncpg.Record) -> Entry:
    """A `journey_entries` row selected with ENTRY_COLUMNS (unpacked by position)."""
    survivor_id, source, position, kind, at, occurred_at, recorded_at, data = r
    if type(data) is not dict:
        data = json_object(data)
    return Entry(survivor_id, source, position, kind, at, occurred_at, recorded_at, data)


# The rebuild's read-back: each survivor's entries as one JSON array (instants as microseconds
# since the epoch, exact), one orjson call per survivor instead of a decoded row per entry. In
# the primary key's order, as the rows were read before.
_SURVIVOR_ENTRIES = """
SELECT survivor_id, json_agg(json_build_array(source, position, kind,
        (extract(epoch FROM at) * 1000000)::bigint,
        (extract(epoch FROM occurred_at) * 1000000)::bigint,
        (extract(epoch FROM recorded_at) * 1000000)::bigint,
        data) ORDER BY source, position)::text
FROM journey_entries GROUP BY survivor_id ORDER BY survivor_id
"""
SURVIVORS_PER_FETCH = 200  # survivors (each a JSON array of their entries) per fetch
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_new_tuple = tuple.__new__  # a named tuple made straight from its columns (as its __new__ does)


def _survivor_entries(survivor_id: UUID, text: str, instants: dict[int, datetime]) -> list[Entry]:
    """A survivor's entries from their row of _SURVIVOR_ENTRIES (`instants`: a cache)."""
    out = []
    for source, position, kind, at, occurred_at, recorded_at, data in orjson.loads(text):
        if (at_time := instants.get(at)) is None:
            at_time = instants[at] = _EPOCH + timedelta(microseconds=at)
        if (occurred := instants.get(occurred_at)) is None:
            occurred = instants[occurred_at] = _EPOCH + timedelta(microseconds=occurred_at)
        if (recorded := instants.get(recorded_at)) is None:
            recorded = instants[recorded_at] = _EPOCH + timedelta(microseconds=recorded_at)
        if type(data) is not dict:  # older rows held the JSON text as a jsonb string
            data = json_object(data)
        out.append(
            _new_tuple(
                Entry, (survivor_id, source, position, kind, at_time, occurred, recorded, data)
            )
        )
    return out


async def load_entries(conn: Conn, survivor_id: UUID, as_of: datetime | None = None) -> list[Entry]:
    """A survivor's entries (and those of records merged into theirs) as recorded at `as_of`."""
    # = ANY over the survivor and its merged records keeps to the primary-key index; an
    # `= $1 OR IN (subquery)` filter made PostgreSQL scan the whole table (bench: 14 ms at 87k
    # rows for 30 entries, and a rebuild that slowed down with every event).
    rows = await conn.fetch(
        f"SELECT {ENTRY_COLUMNS} FROM journey_entries WHERE survivor_id = ANY("  # noqa: S608
        "  ARRAY(SELECT $1::uuid UNION ALL SELECT merged_id FROM merges WHERE kept_id = $1)) "
        "AND ($2::timestamptz IS NULL OR recorded_at <= $2)",
        survivor_id,
        as_of,
    )
    return [_entry(r) for r in rows]


def json_object(value: Any) -> dict[str, Any]:
    """A jsonb column as a dict (older rows held the JSON text as a jsonb string)."""
    loaded = json.loads(value) if isinstance(value, str) else value
    return dict(loaded)


def json_list(value: Any) -> list[Any]:
    """A jsonb array column as a list (None when the column is absent: an empty list)."""
    loaded = json.loads(value) if isinstance(value, str) else value
    return list(loaded or [])


def facts_from_row(r: asyncpg.Record) -> Facts:
    """A `survivor_facts` row as the dashboard's `Facts`."""
    return Facts(
        r["survivor_id"],
        r["team"],
        r["county"],
        r["gender"],
        r["age_band"],
        r["registered_on"],
        r["closed_on"],
        r["erased"],
        frozenset(r["perpetrators"]),
        frozenset(r["methods"]),
        frozenset(r["services"]),
        r["first_service_on"],
        json_object(r["outcomes"]),
        r["open_risk_flags"],
        r["case_number"],
        r["lead_worker"],
        tuple((str(d), str(v)) for d, v in json_list(r["programme"])),
        r["reportable"],
    )


async def _owned_entries(conn: Conn, survivors: list[UUID]) -> dict[UUID, list[Entry]]:
    """Each survivor's entries, with those of the records merged into theirs."""
    holders: dict[UUID, list[UUID]] = {s: [s] for s in survivors}
    for r in await conn.fetch(
        "SELECT merged_id, kept_id FROM merges WHERE kept_id = ANY($1::uuid[])", survivors
    ):
        holders.setdefault(r["merged_id"], []).append(r["kept_id"])
    owned: dict[UUID, list[Entry]] = {s: [] for s in survivors}
    for r in await conn.fetch(
        f"SELECT {ENTRY_COLUMNS} FROM journey_entries "  # noqa: S608
        "WHERE survivor_id = ANY($1::uuid[])",
        list(holders),
    ):
        entry = _entry(r)
        for owner in holders[entry.survivor_id]:
            owned[owner].append(entry)
    return owned


def columns(rows: Iterable[Sequence[Any]], width: int) -> list[list[Any]]:
    """Rows turned into `width` column lists (the arrays of one `unnest(…)` statement)."""
    out: list[list[Any]] = [[] for _ in range(width)]
    for row in rows:
        for column, value in zip(out, row, strict=True):
            column.append(value)
    return out


async def write_facts(conn: Conn, rows: Sequence[tuple[Facts, UUID | None]]) -> None:
    """Upsert facts rows (each with the record it was merged into), a chunk per statement."""
    for at in range(0, len(rows), CHUNK):
        chunk = rows[at : at + CHUNK]
        arrays = columns(
            (
                (
                    f.survivor_id,
                    f.case_number,
                    f.team,
                    f.lead_worker,
                    f.county,
                    f.gender,
                    f.age_band,
                    f.registered_on,
                    f.closed_on,
                    f.erased,
                    SEPARATOR.join(sorted(f.perpetrators)),
                    SEPARATOR.join(sorted(f.methods)),
                    SEPARATOR.join(sorted(f.services)),
                    f.first_service_on,
                    json.dumps(f.outcomes),
                    f.open_risk_flags,
                    merged_into,
                    json.dumps([list(k) for k in f.programme]),
                    f.reportable,
                )
                for f, merged_into in chunk
            ),
            19,
        )
        await conn.execute(
            """INSERT INTO survivor_facts (survivor_id, case_number, team, lead_worker, county,
                   gender, age_band, registered_on, closed_on, erased, perpetrators, methods,
                   services, first_service_on, outcomes, open_risk_flags, merged_into,
                   programme, reportable)
               SELECT id, cn, team, lw, county, gender, age, reg, closed, erased,
                   string_to_array(perp, $20), string_to_array(meth, $20),
                   string_to_array(serv, $20), first, outcomes::jsonb, flags, merged,
                   programme::jsonb, reportable
               FROM unnest($1::uuid[], $2::text[], $3::text[], $4::text[], $5::text[],
                   $6::text[], $7::text[], $8::date[], $9::date[], $10::bool[], $11::text[],
                   $12::text[], $13::text[], $14::date[], $15::text[], $16::int[], $17::uuid[],
                   $18::text[], $19::bool[])
                 AS u(id, cn, team, lw, county, gender, age, reg, closed, erased, perp, meth,
                      serv, first, outcomes, flags, merged, programme, reportable)
               ON CONFLICT (survivor_id) DO UPDATE SET case_number = EXCLUDED.case_number,
                   team = EXCLUDED.team, lead_worker = EXCLUDED.lead_worker,
                   county = EXCLUDED.county, gender = EXCLUDED.gender,
                   age_band = EXCLUDED.age_band, registered_on = EXCLUDED.registered_on,
                   closed_on = EXCLUDED.closed_on, erased = EXCLUDED.erased,
                   perpetrators = EXCLUDED.perpetrators, methods = EXCLUDED.methods,
                   services = EXCLUDED.services, first_service_on = EXCLUDED.first_service_on,
                   outcomes = EXCLUDED.outcomes, open_risk_flags = EXCLUDED.open_risk_flags,
                   merged_into = EXCLUDED.merged_into, programme = EXCLUDED.programme,
                   reportable = EXCLUDED.reportable""",
            *arrays,
            SEPARATOR,
        )


async def secret(conn: Conn) -> bytes:
    """The database's own secret that survivors' record keys derive from (migration 080)."""
    value: bytes = await conn.fetchval("SELECT secret FROM disclosure_secret")
    return value


async def write_cells(conn: Conn, change: dict[c.Cell, tuple[int, int]]) -> None:
    """Add each cell's change (count, key sum) to it (in key order), a chunk per statement."""
    ordered = sorted(change.items())
    for at in range(0, len(ordered), CHUNK):
        chunk = ordered[at : at + CHUNK]
        arrays = columns(((*cell, n, k) for cell, (n, k) in chunk), 8)
        await conn.execute(
            "INSERT INTO dashboard_cells AS x (county, team, grain, period, dim, value, n, k) "
            "SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::date[], $5::text[], "
            "$6::text[], $7::int[], $8::bigint[]) "
            "ON CONFLICT (county, team, grain, period, dim, value) "
            "DO UPDATE SET n = x.n + EXCLUDED.n, k = x.k + EXCLUDED.k",
            *arrays,
        )
        if any(n < 0 for n in arrays[6]):  # a count may have dropped to zero: forget the cell
            await conn.execute(
                "DELETE FROM dashboard_cells WHERE n = 0 AND (county, team, grain, period, dim, "
                "value) IN (SELECT * FROM unnest($1::text[], $2::text[], $3::text[], "
                "$4::date[], $5::text[], $6::text[]))",
                *arrays[:6],
            )


async def _entry_counts(conn: Conn, ids: list[UUID]) -> list[tuple[UUID, int]]:
    """Each survivor's number of journey entries (their own), in `ids` order; one survivor is
    not counted (a group of one whatever its size)."""
    if len(ids) < 2:
        return [(s, 0) for s in ids]
    counted = {
        r["survivor_id"]: r["n"]
        for r in await conn.fetch(
            "SELECT survivor_id, count(*) AS n FROM journey_entries "
            "WHERE survivor_id = ANY($1::uuid[]) GROUP BY survivor_id",
            ids,
        )
    }
    return [(s, counted.get(s, 0)) for s in ids]


def groups(counts: Iterable[tuple[UUID, int]], budget: int) -> Iterator[list[UUID]]:
    """Survivors in consecutive groups of at most `budget` entries in all (a survivor with
    more than `budget` is a group of its own), in the order given."""
    group: list[UUID] = []
    held = 0
    for survivor, n in counts:
        if group and held + n > budget:
            yield group
            group, held = [], 0
        group.append(survivor)
        held += n
    if group:
        yield group


async def refresh(conn: Conn, survivors: Sequence[UUID]) -> list[Facts]:
    """Recompute and store the facts of these survivors from their entries; move the cells."""
    if not survivors:
        return []
    await conn.execute("SELECT pg_advisory_xact_lock($1)", FACTS_LOCK)
    ids = sorted(set(survivors))
    merged_into: dict[UUID, UUID] = {
        r["merged_id"]: r["kept_id"]
        for r in await conn.fetch(
            "SELECT merged_id, kept_id FROM merges WHERE merged_id = ANY($1::uuid[])", ids
        )
    }
    before = {
        r["survivor_id"]: r
        for r in await conn.fetch(
            "SELECT * FROM survivor_facts WHERE survivor_id = ANY($1::uuid[])", ids
        )
    }
    change: Counter[c.Cell] = Counter()
    keys: Counter[c.Cell] = Counter()
    key_secret = await secret(conn)
    rows: list[tuple[Facts, UUID | None]] = []
    for group in groups(await _entry_counts(conn, ids), REFRESH_ENTRIES):
        owned = await _owned_entries(conn, group)
        for survivor in group:
            new = facts(fold(survivor, owned.pop(survivor)))
            old = before.get(survivor)
            old_cells = (
                c.cells(facts_from_row(old), merged=old["merged_into"] is not None) if old else []
            )
            moved = c.delta(old_cells, c.cells(new, merged=survivor in merged_into))
            key = record_key(key_secret, survivor)
            change.update(moved)
            keys.update({cell: n * key for cell, n in moved.items()})
            rows.append((new, merged_into.get(survivor)))
    await write_facts(conn, rows)
    # Two survivors swapping a cell leave its count as it was but change its key sum.
    moved_cells = {cell: (change[cell], keys[cell]) for cell in change.keys() | keys.keys()}
    await write_cells(conn, {cell: nk for cell, nk in moved_cells.items() if nk != (0, 0)})
    return [f for f, _ in rows]


async def refresh_all(conn: Conn) -> int:
    """Recompute every survivor's facts and the dashboard cells from all entries (a rebuild)."""
    async with conn.transaction():
        await conn.execute("SELECT pg_advisory_xact_lock($1)", FACTS_LOCK)
        await conn.execute("TRUNCATE survivor_facts, dashboard_cells")
        merges = {r["merged_id"]: r["kept_id"] for r in await conn.fetch("SELECT * FROM merges")}
        involved = set(merges) | set(merges.values())
        held: dict[UUID, list[Entry]] = {s: [] for s in involved}
        rows: list[tuple[Facts, UUID | None]] = []
        counts: Counter[c.Cell] = Counter()
        keys: Counter[c.Cell] = Counter()
        key_secret = await secret(conn)
        survivors = 0

        async def flush() -> None:
            await write_facts(conn, rows)
            rows.clear()

        def done(survivor: UUID, own: list[Entry]) -> None:
            nonlocal survivors
            survivors += 1
            f = facts(fold(survivor, own))
            mine = c.cells(f, merged=survivor in merges)
            if mine:
                counts.update(mine)
                key = record_key(key_secret, survivor)
                keys.update(dict.fromkeys(mine, key))
            rows.append((f, merges.get(survivor)))

        instants: dict[int, datetime] = {}
        cursor = await conn.cursor(_SURVIVOR_ENTRIES)
        # Chunks of survivors, each asked for before the one before it is folded: PostgreSQL
        # reads the next while Python works (one connection: facts are written between chunks).
        pending = asyncio.ensure_future(cursor.fetch(SURVIVORS_PER_FETCH))
        while chunk := await pending:
            if len(rows) >= CHUNK:
                await flush()
            pending = asyncio.ensure_future(cursor.fetch(SURVIVORS_PER_FETCH))
            await asyncio.sleep(0)  # let the fetch go out before folding this chunk
            if len(instants) > CHUNK * 10:
                instants.clear()
            for survivor, text in chunk:
                own = _survivor_entries(survivor, text, instants)
                if survivor in involved:
                    held[survivor] = own
                else:
                    done(survivor, own)
        for survivor in sorted(involved):
            merged = [e for m, k in merges.items() if k == survivor for e in held[m]]
            done(survivor, held[survivor] + merged)
        await flush()
        await conn.copy_records_to_table(  # the table was emptied above: COPY, no upsert
            "dashboard_cells",
            records=[(*cell, n, keys[cell]) for cell, n in counts.items() if n],
            columns=("county", "team", "grain", "period", "dim", "value", "n", "k"),
        )
        return survivors


def _access_rows(source: str, event: Event) -> Iterator[tuple[Any, ...]]:
    """An audit event's rows: one for a read; for a list, the answer and each survivor in it."""
    p: dict[str, Any] = dict(event.payload)
    position, at = int(event.position or 0), datetime.fromisoformat(str(p["at"]))
    common = (source, position, str(p["staff_id"]), p.get("role"), p["action"])
    if not event.type.endswith(f".{LISTED}"):
        survivor = p.get("survivor_id")
        yield (
            *common,
            UUID(str(survivor)) if survivor else None,
            p.get("purpose"),
            p.get("outcome"),
            p.get("route"),
            at,
            p.get("on_caseload"),
            p.get("scope"),
            0,
            None,
            None,
        )
        return
    listed = p.get("results") or []
    yield (
        *common,
        None,
        p.get("purpose"),
        "allowed",
        p.get("route"),
        at,
        None,
        p.get("scope"),
        0,
        p.get("query_hash"),
        len(listed),
    )
    for n, result in enumerate(listed, start=1):
        yield (
            *common,
            UUID(str(result["survivor_id"])),
            p.get("purpose"),
            "allowed",
            p.get("route"),
            at,
            result.get("on_caseload"),
            p.get("scope"),
            n,
            None,
            None,
        )


async def _access(conn: Conn, rows: Sequence[tuple[Any, ...]]) -> None:
    """Record the rows of a batch's audit events (one statement)."""
    await conn.execute(
        "INSERT INTO access_records (source, position, staff_id, role, action, survivor_id, "
        "purpose, outcome, route, at, on_caseload, scope, item, query_hash, results) "
        "SELECT * FROM unnest($1::text[], $2::bigint[], $3::text[], $4::text[], $5::text[], "
        "$6::uuid[], $7::text[], $8::text[], $9::text[], $10::timestamptz[], $11::bool[], "
        "$12::text[], $13::int[], $14::text[], $15::int[]) ON CONFLICT DO NOTHING",
        *columns(rows, 15),
    )


async def confirm_erasure(store: EventStore, conn: Conn, event: Event) -> None:
    """Answer intake's erasure saga: reporting holds no data key and no sealed value, so it
    confirms at once with `reporting.DataKeyDestroyed` (key_id null), once per request."""
    request = i.ErasureRequested.model_validate(event.payload)
    if SERVICE not in request.services:
        return
    stream = str(request.request_id)
    if await conn.fetchval("SELECT count(*) FROM events WHERE stream_id = $1", stream):
        return  # already confirmed (a redelivery or a rebuild)
    confirmation = kernel.DataKeyDestroyed(
        request_id=request.request_id,
        survivor_id=request.survivor_id,
        key_id=None,
        destroyed_at=datetime.now(UTC),
    )
    new = NewEvent(f"{SERVICE}.DataKeyDestroyed", confirmation.model_dump(mode="json"))
    await store.append("erasure", stream, 0, [new], actor=ERASURE_ACTOR, conn=conn)


@dataclass(frozen=True)
class Batch:
    """What a run of one source's events writes, prepared without the database."""

    access: list[tuple[Any, ...]]  # access_records rows of the audit events
    erasures: list[Event]  # intake erasure requests, answered in the write step
    survivors: set[UUID]  # the survivors the entries are about
    entries_json: str  # the journey entries as the JSON array `_write_entries` sends
    merges: list[tuple[UUID, UUID]]  # (merged, kept) pairs of records_merged entries


def prepare(source: str, events: Sequence[Event]) -> Batch:
    """A run of `source`'s events as rows (pure: no I/O)."""
    audited, listed = f"{source}.{AUDITED}", f"{source}.{LISTED}"
    access: list[tuple[Any, ...]] = []
    erasures: list[Event] = []
    made: list[Row] = []
    merged = False
    # One pass over the run, entries as plain tuples (a rebuild prepares every event once: each
    # extra pass over a page, or object made per entry, cost more than the work it did).
    for event in events:
        type_ = event.type
        if type_ in (audited, listed):
            access += _access_rows(source, event)
            continue
        if type_ == "intake.ErasureRequested":
            erasures.append(event)
        elif type_ == "intake.SurvivorsMerged":
            merged = True
        made_here = entry_rows(source, event)
        if len(made_here) == 1:
            made.append(made_here[0])
        elif made_here:
            made += _once_each(made_here)
    merges = (
        [
            (UUID(str(r[DATA]["merged_survivor_id"])), r[SURVIVOR])
            for r in made
            if r[KIND] == "records_merged"
        ]
        if merged
        else []
    )
    # The whole batch as one JSON array of rows (orjson writes tuples natively; UUIDs and
    # timestamps in ISO form, anything else as its text).
    text = orjson.dumps(made, default=str).decode() if made else ""
    return Batch(access, erasures, set(map(_first, made)), text, merges)


_first = itemgetter(SURVIVOR)


def _once_each(made: list[Row]) -> list[Row]:
    """An event's entries with each survivor once (the first), as an INSERT … ON CONFLICT DO
    NOTHING keeps them (a session may list a participant twice)."""
    if len(made) < 2 or len(set(map(_first, made))) == len(made):
        return made
    seen: set[UUID] = set()
    kept = []
    for entry in made:
        if entry[SURVIVOR] not in seen:
            seen.add(entry[SURVIVOR])
            kept.append(entry)
    return kept


_INSERT_ENTRIES = (
    "INSERT INTO journey_entries (survivor_id, source, position, kind, at, occurred_at, "
    "recorded_at, data) SELECT (e->>0)::uuid, e->>1, (e->>2)::bigint, e->>3, "
    "(e->>4)::timestamptz, (e->>5)::timestamptz, (e->>6)::timestamptz, e->7 "
    "FROM jsonb_array_elements($1::text::jsonb) AS e"
)


async def _write_entries(conn: Conn, entries_json: str) -> None:
    """Insert journey entries given as one JSON array of rows (one statement; an entry already
    there is left as it is, except in emptied tables, where none can be): PostgreSQL takes the
    array apart, one C call on our side instead of eight arrays built and encoded value by
    value."""
    conflict = "" if _emptied.get() else " ON CONFLICT DO NOTHING"
    await conn.execute(_INSERT_ENTRIES + conflict, entries_json)


async def write(
    conn: Conn, events: Sequence[Event], batch: Batch, store: EventStore | None = None
) -> None:
    """Write a prepared run of events to reporting's tables (and answer erasure requests)."""
    if batch.access:
        await _access(conn, batch.access)
    if store is not None:
        for event in batch.erasures:
            await confirm_erasure(store, conn, event)
    if not batch.entries_json:
        return
    await _write_entries(conn, batch.entries_json)
    touched = set(batch.survivors)
    await unlink_case_numbers(conn, touched)  # an erased survivor's entries keep no case number
    if batch.merges:
        await conn.executemany(
            "INSERT INTO merges (merged_id, kept_id) VALUES ($1, $2) ON CONFLICT DO NOTHING",
            batch.merges,
        )
        touched |= {merged for merged, _ in batch.merges}
    if _deferred.get():
        return
    # A merged record's later events change the journey of the record kept.
    kept = await conn.fetch(
        "SELECT kept_id FROM merges WHERE merged_id = ANY($1::uuid[])", list(touched)
    )
    touched |= {r["kept_id"] for r in kept}
    await refresh(conn, sorted(touched))


async def apply(
    source: str, conn: Conn, events: Sequence[Event], store: EventStore | None = None
) -> None:
    """Apply a run of `source`'s events to reporting's tables (and answer erasure requests)."""
    await write(conn, events, prepare(source, events), store)


def handler(source: str, store: EventStore | None = None) -> StagedBatchHandler[Batch]:
    """The consumer's batch handler of one source (prepared apart from its writes, so that a
    catch-up prepares a page while the one before it is written); with reporting's store, it
    answers erasures."""

    async def write_batch(conn: Conn, events: Sequence[Event], batch: Batch) -> None:
        await write(conn, events, batch, store)

    return StagedBatchHandler(partial(prepare, source), write_batch)
