"""The PostgreSQL event store: atomic append, stream load, gap-free read-all, hash chains."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import Any
from uuid import UUID

import asyncpg
import orjson
from opentelemetry.trace import SpanKind

from uponyaji_events.codec import event_hash
from uponyaji_events.db import Conn
from uponyaji_events.envelope import (
    GENESIS_HASH,
    Actor,
    Event,
    NewEvent,
    event_of,
    new_event_id,
    utc_now,
)
from uponyaji_events.errors import ConcurrencyError
from uponyaji_events.groupcommit import GroupCommit
from uponyaji_events.seals import SEAL_BLOCK, Seal, completed_blocks, range_digest
from uponyaji_events.signing import Signer, verify_signature
from uponyaji_events.tails import Head, Tails, genesis
from uponyaji_events.tracing import current_carrier, tracer, untraced
from uponyaji_events.upcasting import UpcasterRegistry

_ANY_RETRIES = 20

EVENT_COLUMNS = (
    "position, event_id, stream_type, stream_id, version, type, schema_version, occurred_at, "
    "recorded_at, actor_id, actor_role, correlation_id, causation_id, trace, payload, "
    "prev_hash, hash, signature, key_id"
)
_TRACE, _PAYLOAD = 13, 14  # their places in the column list (and in PAGE_COLUMNS)

_INTO = """
INSERT INTO events (event_id, stream_type, stream_id, version, type, schema_version, occurred_at,
                    recorded_at, actor_id, actor_role, correlation_id, causation_id, trace, payload,
                    prev_hash, hash)
"""
# Many events: one statement over arrays. One event (the common case): plain parameters, which
# asyncpg encodes several times faster than sixteen one-element arrays.
_MANY = """
SELECT * FROM unnest($1::uuid[], $2::text[], $3::text[], $4::int[], $5::text[], $6::int[],
                     $7::timestamptz[], $8::timestamptz[], $9::text[], $10::text[], $11::uuid[],
                     $12::uuid[], $13::jsonb[], $14::jsonb[], $15::bytea[], $16::bytea[])
"""
_ONE = """
SELECT $1::uuid, $2::text, $3::text, $4::int, $5::text, $6::int, $7::timestamptz,
       $8::timestamptz, $9::text, $10::text, $11::uuid, $12::uuid, $13::jsonb, $14::jsonb,
       $15::bytea, $16::bytea
"""
# The guard of an append whose caller knows the head: the stream's event at $17 has hash $18
# and type $19 (or, for $17 = 0, the caller expects a new stream from the genesis hash).
_GUARD = """
WHERE CASE WHEN $17::int = 0 THEN $18::bytea = decode(repeat('00', 32), 'hex')
           ELSE EXISTS (SELECT 1 FROM events WHERE stream_id = {stream}
                        AND version = $17 AND hash = $18 AND stream_type = $19) END
"""
_INSERT_MANY = _INTO + _MANY
_INSERT_ONE = _INTO + _ONE
_GUARDED_MANY = _INSERT_MANY + _GUARD.format(stream="($3::text[])[1]")
_GUARDED_ONE = _INSERT_ONE + _GUARD.format(stream="$3::text")

_SEQUENCE = """
WITH batch AS (
    SELECT id, row_number() OVER (ORDER BY id) AS n
    FROM events WHERE position IS NULL ORDER BY id LIMIT $2
), assigned AS (
    UPDATE events e SET position = $1 + batch.n FROM batch WHERE e.id = batch.id RETURNING 1
)
SELECT count(*) FROM assigned
"""
# With a signer: the batch is read, signed in Python, and written back in one statement.
_UNSEQUENCED = "SELECT id, hash FROM events WHERE position IS NULL ORDER BY id LIMIT $1"
_ASSIGN_SIGNED = """
WITH assigned AS (
    UPDATE events e SET position = u.position, signature = u.signature, key_id = $4
    FROM unnest($1::bigint[], $2::bigint[], $3::bytea[]) AS u(id, position, signature)
    WHERE e.id = u.id
)
UPDATE event_sequencer SET last_position = $5 WHERE singleton
"""
# Whether the sequencer has work, and the head, in one statement.
_PENDING = """
SELECT last_position, EXISTS (SELECT 1 FROM events WHERE position IS NULL) AS unsequenced,
       false AS unsigned
FROM event_sequencer WHERE singleton
"""
_PENDING_SIGNED = """
SELECT last_position, EXISTS (SELECT 1 FROM events WHERE position IS NULL) AS unsequenced,
       EXISTS (SELECT 1 FROM events WHERE position IS NOT NULL AND signature IS NULL) AS unsigned
FROM event_sequencer WHERE singleton
"""
# The sequencer's lock, its last position and (with a signer) whether events wait for a signature.
_LOCK = "SELECT last_position, false AS unsigned FROM event_sequencer WHERE singleton FOR UPDATE"
_LOCK_SIGNED = """
SELECT last_position,
       EXISTS (SELECT 1 FROM events WHERE position IS NOT NULL AND signature IS NULL) AS unsigned
FROM event_sequencer WHERE singleton FOR UPDATE
"""
_UNSIGNED = (
    "SELECT id, position, hash FROM events WHERE position IS NOT NULL AND signature IS NULL "
    "ORDER BY position LIMIT $1"
)
_SIGN = """
UPDATE events e SET signature = u.signature, key_id = $3
FROM unnest($1::bigint[], $2::bytea[]) AS u(id, signature) WHERE e.id = u.id
"""

_INSERT_SEALS = """
INSERT INTO event_seals (first_position, last_position, signature, key_id)
SELECT *, $4 FROM unnest($1::bigint[], $2::bigint[], $3::bytea[]) ON CONFLICT DO NOTHING
"""
# Complete blocks (numbered from 1) after block $1 without a statement, at most $2 of them.
_MISSING_SEALS = """
SELECT b AS block, (b - 1) * $3 + 1 AS first, b * $3 AS last
FROM generate_series($1::bigint + 1,
                     (SELECT last_position FROM event_sequencer WHERE singleton) / $3) AS b
WHERE NOT EXISTS (SELECT 1 FROM event_seals WHERE first_position = (b - 1) * $3 + 1)
ORDER BY b LIMIT $2
"""


def _event(
    row: asyncpg.Record | tuple[Any, ...],
    trace: Any,
    payload: Any,
    actors: dict[tuple[str, str], Actor] | None = None,
) -> Event:
    """An Event from a row in EVENT_COLUMNS' order, its trace and payload already decoded
    (`actors`: a page's actors so far, shared between its events: an Actor is immutable)."""
    # Unpacked by position: a feed page or a rebuild builds one per event, and nineteen lookups
    # by name cost more than the Event itself. bytea arrives as bytes.
    (
        position,
        event_id,
        stream_type,
        stream_id,
        version,
        type_,
        schema_version,
        occurred_at,
        recorded_at,
        actor_id,
        actor_role,
        correlation_id,
        causation_id,
        _,
        _,
        prev_hash,
        hash_,
        signature,
        key_id,
    ) = row
    known = actors.get((actor_id, actor_role)) if actors is not None else None
    if known is not None:
        actor = known
    else:
        actor = Actor(actor_id, actor_role)
        if actors is not None:
            actors[actor_id, actor_role] = actor
    return event_of(
        (
            event_id,
            stream_type,
            stream_id,
            version,
            type_,
            schema_version,
            occurred_at,
            recorded_at,
            actor,
            correlation_id,
            causation_id,
            payload,
            bytes(prev_hash),
            bytes(hash_),
            position,
            trace,
            None if signature is None else bytes(signature),
            key_id,
        )
    )


def row_to_event(row: asyncpg.Record) -> Event:
    """Build an Event from a row selected with the store's column list."""
    return _event(row, row[_TRACE], row[_PAYLOAD])


# read_all's columns: trace and payload come as JSON text and are parsed by `page_to_events`
# with orjson directly; asyncpg's jsonb codec calls back into Python once per value, which was
# half the client CPU of decoding a feed page (bench: 8.7 against 4.9 µs per row).
PAGE_COLUMNS = EVENT_COLUMNS.replace("trace, payload", "trace::text, payload::text")

# The relay's sequencing: the same work, returning the events it numbered (with the columns
# read_all gives), and the relay's checkpoint from its previous batch written in the same
# statement ($2 NULL: none to write).
_SAVE_CHECKPOINT = """
saved AS (
    INSERT INTO relay_checkpoints (relay, position) SELECT $2::text, $3::bigint
    WHERE $2::text IS NOT NULL
    ON CONFLICT (relay) DO UPDATE SET position = EXCLUDED.position, updated_at = now()
)"""
_UNSEQUENCED_EVENTS = f"""
WITH {_SAVE_CHECKPOINT}
SELECT id, {PAGE_COLUMNS} FROM events WHERE position IS NULL ORDER BY id LIMIT $1
"""  # noqa: S608
_SEQUENCE_EVENTS = f"""
WITH {_SAVE_CHECKPOINT}, batch AS (
    SELECT id, row_number() OVER (ORDER BY id) AS n
    FROM events WHERE position IS NULL ORDER BY id LIMIT $1
), assigned AS (
    UPDATE events e SET position = $4 + batch.n FROM batch WHERE e.id = batch.id RETURNING e.*
), moved AS (
    UPDATE event_sequencer SET last_position = $4 + (SELECT count(*) FROM batch)
    WHERE singleton AND EXISTS (SELECT 1 FROM batch)
)
SELECT {PAGE_COLUMNS} FROM assigned ORDER BY position
"""  # noqa: S608


def _numbered(row: asyncpg.Record, position: int, signature: bytes, key_id: str) -> Event:
    """An Event from a row of `_UNSEQUENCED_EVENTS` (`id`, then PAGE_COLUMNS) with the position
    and signature just given to it."""
    values = tuple(row)  # id, position (NULL), event_id .. hash, signature (NULL), key_id (NULL)
    columns = (position, *values[2:18], signature, key_id)
    return _event(columns, orjson.loads(values[1 + _TRACE]), orjson.loads(values[1 + _PAYLOAD]))


@dataclass(frozen=True)
class Sequenced:
    """What the relay's sequencing did: the events it numbered (positions after the old head,
    in order), the head after it, and whether the relay's checkpoint was written with it."""

    events: list[Event]
    head: int
    saved: bool


def page_to_events(rows: Sequence[asyncpg.Record]) -> list[Event]:
    """Events from rows selected with PAGE_COLUMNS (the same events as `row_to_event` gives)."""
    loads = orjson.loads
    actors: dict[tuple[str, str], Actor] = {}
    return [_event(row, loads(row[_TRACE]), loads(row[_PAYLOAD]), actors) for row in rows]


class EventStore:
    """One service's event store (its events table is also its outbox)."""

    def __init__(
        self,
        pool: asyncpg.Pool,
        *,
        upcasters: UpcasterRegistry | None = None,
        signer: Signer | None = None,
        group_commit: bool = True,
    ) -> None:
        self.pool = pool
        self.upcasters = upcasters or UpcasterRegistry()
        self.signer = signer
        # Hashes this store signed in the block of positions not yet complete (see `_seal`).
        self._open_block: dict[int, bytes] = {}
        self._listeners: list[Callable[[], None]] = []
        self._tails = Tails(
            acquire=pool.acquire,
            write=self._write_at,
            read_head=self._read_head,
            on_commit=self.notify_committed,
            retries=_ANY_RETRIES,
        )
        # Concurrent one-event appends outside transactions: one statement for the lot.
        self._group = (
            GroupCommit(
                acquire=pool.acquire,
                alone=self._append_alone,
                on_commit=self.notify_committed,
                columns=_columns,
            )
            if group_commit
            else None
        )

    def on_commit(self, listener: Callable[[], None]) -> None:
        """Call `listener` after every append this process commits (wakes the relay)."""
        self._listeners.append(listener)

    def notify_committed(self) -> None:
        """Tell listeners that events were committed (for appends inside caller transactions)."""
        for listener in self._listeners:
            listener()

    @asynccontextmanager
    async def transaction(self) -> AsyncIterator[Conn]:
        """A transaction for appends together with the caller's own writes; wakes on commit."""
        async with self.pool.acquire() as conn, conn.transaction():
            yield conn
        self.notify_committed()

    async def append(
        self,
        stream_type: str,
        stream_id: str,
        expected_version: int | None,
        events: Sequence[NewEvent],
        *,
        actor: Actor,
        correlation_id: UUID | None = None,
        causation_id: UUID | None = None,
        prev_hash: bytes | None = None,
        conn: Conn | None = None,
    ) -> list[Event]:
        """Append events atomically after `expected_version` (None: at the end); 409 on conflict.

        A caller that has just loaded the stream passes the last event's hash as `prev_hash`
        (with `expected_version`): the append is then one statement, with no read first.
        """
        if not events:
            raise ValueError("append needs at least one event")
        if prev_hash is not None and expected_version is None:
            raise ValueError("prev_hash needs an expected_version")
        if untraced():  # no span to record and no trace to carry: skip the tracing's cost
            draft = _Draft(stream_type, stream_id, events, actor, correlation_id, causation_id, {})
            return await self._store(draft, expected_version, prev_hash, conn)
        with tracer().start_as_current_span("events.append", kind=SpanKind.PRODUCER) as span:
            span.set_attribute("uponyaji.stream_type", stream_type)
            span.set_attribute("uponyaji.event_count", len(events))
            draft = _Draft(
                stream_type,
                stream_id,
                events,
                actor,
                correlation_id,
                causation_id,
                current_carrier(),
            )
            return await self._store(draft, expected_version, prev_hash, conn)

    async def _store(
        self,
        draft: _Draft,
        expected_version: int | None,
        prev_hash: bytes | None,
        conn: Conn | None,
    ) -> list[Event]:
        """Write a draft: on the caller's connection, at a stream's end, grouped, or alone."""
        if conn is not None:
            return await self._append(conn, draft, expected_version, prev_hash)
        if expected_version is None:  # at the end: coalesced with this stream's other appends
            return await self._tails.append(draft)
        if self._group is not None and len(draft.events) == 1:
            return await self._group.append(draft, expected_version, prev_hash)
        # One INSERT is atomic on its own; (stream_id, version) is unique, so a concurrent
        # writer of the same stream fails instead of forking the chain.
        async with self.pool.acquire() as own:
            stored = await self._append(own, draft, expected_version, prev_hash)
        self.notify_committed()
        return stored

    async def _append_alone(
        self, draft: _Draft, expected_version: int, prev_hash: bytes | None
    ) -> list[Event]:
        async with self.pool.acquire() as own:
            stored = await self._append(own, draft, expected_version, prev_hash)
        self.notify_committed()
        return stored

    async def _append(
        self, conn: Conn, draft: _Draft, expected_version: int | None, prev_hash: bytes | None
    ) -> list[Event]:
        if prev_hash is not None and expected_version is not None:
            stored = draft.build(expected_version, prev_hash)
            guard = (expected_version, prev_hash, draft.stream_type)
        else:
            last = await conn.fetchrow(
                "SELECT version, hash, stream_type FROM events WHERE stream_id = $1 "
                "ORDER BY version DESC LIMIT 1",
                draft.stream_id,
            )
            current = last["version"] if last else 0
            if last is not None and last["stream_type"] != draft.stream_type:
                raise ValueError(
                    f"stream {draft.stream_id} is a {last['stream_type']}, "
                    f"not a {draft.stream_type}"
                )
            if expected_version is not None and current != expected_version:
                raise ConcurrencyError(
                    f"stream {draft.stream_id} is at version {current}, expected {expected_version}"
                )
            stored = draft.build(current, bytes(last["hash"]) if last else GENESIS_HASH)
            guard = None
        single = len(stored) == 1
        values: list[Any] = _values(stored[0]) if single else _columns(stored)
        try:
            if guard is None:
                await conn.execute(_INSERT_ONE if single else _INSERT_MANY, *values)
            else:
                sql = _GUARDED_ONE if single else _GUARDED_MANY
                inserted = await conn.execute(sql, *values, *guard)
                if inserted.endswith(" 0"):
                    raise ConcurrencyError(
                        f"stream {draft.stream_id} is not at version {expected_version} with "
                        "the given prev_hash"
                    )
        except asyncpg.UniqueViolationError as exc:
            raise ConcurrencyError(f"stream {draft.stream_id} was written concurrently") from exc
        return stored

    @staticmethod
    async def _read_head(conn: Conn, stream_id: str) -> Head | None:
        last = await conn.fetchrow(
            "SELECT version, hash, stream_type FROM events WHERE stream_id = $1 "
            "ORDER BY version DESC LIMIT 1",
            stream_id,
        )
        return (
            None
            if last is None
            else Head(last["version"], bytes(last["hash"]), last["stream_type"])
        )

    @staticmethod
    async def _write_at(
        conn: Conn, drafts: Sequence[_Draft], head: Head | None
    ) -> list[list[Event]]:
        """Write several callers' drafts of one stream after `head`, chained, in one statement."""
        start = head or genesis(drafts[0].stream_type)
        current, prev = start.version, start.hash
        stored: list[list[Event]] = []
        for draft in drafts:
            if draft.stream_type != start.stream_type:
                raise ValueError(
                    f"stream {draft.stream_id} is a {start.stream_type}, not a {draft.stream_type}"
                )
            events = draft.build(current, prev)
            stored.append(events)
            current, prev = events[-1].version, events[-1].hash
        flat = [event for events in stored for event in events]
        single = len(flat) == 1
        values: list[Any] = _values(flat[0]) if single else _columns(flat)
        guard = (start.version, start.hash, start.stream_type)
        try:
            inserted = await conn.execute(
                _GUARDED_ONE if single else _GUARDED_MANY, *values, *guard
            )
        except asyncpg.UniqueViolationError as exc:
            raise ConcurrencyError(
                f"stream {drafts[0].stream_id} was written concurrently"
            ) from exc
        if inserted.endswith(" 0"):
            raise ConcurrencyError(
                f"stream {drafts[0].stream_id} moved past version {start.version}"
            )
        return stored

    async def load(
        self, stream_id: str, *, after_version: int = 0, conn: Conn | None = None
    ) -> list[Event]:
        """Every event of a stream after a version, in version order, upcast to current schemas.

        With `conn`, the read happens on that connection (inside the caller's transaction).
        """
        rows = await (conn or self.pool).fetch(
            f"SELECT {EVENT_COLUMNS} FROM events WHERE stream_id = $1 AND version > $2 "  # noqa: S608
            "ORDER BY version",
            stream_id,
            after_version,
        )
        return [self.upcasters.upcast(row_to_event(row)) for row in rows]

    async def stream_version(self, stream_id: str) -> int:
        """The stream's current version (0 when it does not exist)."""
        version = await self.pool.fetchval(
            "SELECT max(version) FROM events WHERE stream_id = $1", stream_id
        )
        return int(version or 0)

    async def sequence(self, limit: int = 10_000) -> int:
        """Give committed, unsequenced events their positions in commit order; return how many."""
        if await self._idle_head(self.pool) is not None:
            return 0
        async with self.pool.acquire() as conn, conn.transaction():
            # Serialise sequencers on one row. The next statement takes a fresh snapshot (READ
            # COMMITTED), so it sees every event the previous sequencer numbered.
            locked = await conn.fetchrow(_LOCK if self.signer is None else _LOCK_SIGNED)
            assert locked is not None
            last = locked["last_position"]
            if self.signer is None:
                count = int(await conn.fetchval(_SEQUENCE, last, limit))
            else:
                if locked["unsigned"]:
                    await self._sign(conn, self.signer, limit)
                count, open_block = await self._sequence_signed(conn, self.signer, last, limit)
            if count and self.signer is None:
                await conn.execute(
                    "UPDATE event_sequencer SET last_position = $1 WHERE singleton", last + count
                )
        if self.signer is not None and count:
            self._open_block = open_block  # committed: these hashes are the ones signed
        return count

    async def _idle_head(self, conn: Conn | asyncpg.Pool) -> int | None:
        """The last position when there is nothing to sequence (or sign), else None: one
        statement, so an idle sequencer opens no transaction."""
        # With a signer, events another process sequenced unsigned are signed here as well.
        state = await conn.fetchrow(_PENDING if self.signer is None else _PENDING_SIGNED)
        assert state is not None
        if state["unsequenced"] or state["unsigned"]:
            return None
        return int(state["last_position"])

    async def sequence_for_relay(
        self,
        limit: int,
        *,
        check: bool = True,
        checkpoint: tuple[str, int] | None = None,
        conn: Conn | None = None,
    ) -> Sequenced:
        """Sequence as `sequence` does (at most `limit` events) for the outbox relay:
        return the events numbered, as `read_all` would read them, and the head after it.

        `checkpoint` (relay name, position) is written in the sequencing transaction (the
        relay's previous batch, acknowledged since): no statement of its own. It is not written
        when `check` finds nothing to do (`Sequenced.saved` says which). With `conn` (the
        relay's own connection, outside any transaction) no pool connection is taken."""
        if check and (head := await self._idle_head(conn or self.pool)) is not None:
            return Sequenced([], head, saved=False)
        if conn is None:
            async with self.pool.acquire() as own:
                return await self.sequence_for_relay(
                    limit, check=False, checkpoint=checkpoint, conn=own
                )
        relay, position = checkpoint if checkpoint is not None else (None, None)
        async with conn.transaction():
            locked = await conn.fetchrow(_LOCK if self.signer is None else _LOCK_SIGNED)
            assert locked is not None
            last = int(locked["last_position"])
            if self.signer is None:
                rows = await conn.fetch(_SEQUENCE_EVENTS, limit, relay, position, last)
                events = page_to_events(rows)
            else:
                if locked["unsigned"]:
                    await self._sign(conn, self.signer, limit)
                rows = await conn.fetch(_UNSEQUENCED_EVENTS, limit, relay, position)
                signed, open_block = await self._assign_signed(conn, self.signer, last, rows)
                events = [_numbered(row, p, sig, self.signer.key_id) for row, (p, sig) in signed]
        if self.signer is not None and events:
            self._open_block = open_block  # committed: these hashes are the ones signed
        return Sequenced(events, last + len(events), saved=True)

    async def _sequence_signed(
        self, conn: Conn, signer: Signer, last: int, limit: int
    ) -> tuple[int, dict[int, bytes]]:
        rows = await conn.fetch(_UNSEQUENCED, limit)
        signed, open_block = await self._assign_signed(conn, signer, last, rows)
        return len(signed), open_block

    async def _assign_signed(
        self, conn: Conn, signer: Signer, last: int, rows: Sequence[asyncpg.Record]
    ) -> tuple[list[tuple[asyncpg.Record, tuple[int, bytes]]], dict[int, bytes]]:
        """Number and sign unsequenced rows (with `id` and `hash`) after `last`; each row with
        its position and signature, and the hashes signed in the block still open."""
        if not rows:
            return [], self._open_block
        ids = [row["id"] for row in rows]
        positions = list(range(last + 1, last + 1 + len(rows)))
        signatures = [
            signer.sign(position, bytes(row["hash"]))
            for position, row in zip(positions, rows, strict=True)
        ]
        # The positions and signatures, and the sequencer's new last position, in one statement.
        await conn.execute(_ASSIGN_SIGNED, ids, positions, signatures, signer.key_id, positions[-1])
        open_block = await self._seal(conn, signer, last, [bytes(row["hash"]) for row in rows])
        return list(zip(rows, zip(positions, signatures, strict=True), strict=True)), open_block

    async def _seal(
        self, conn: Conn, signer: Signer, last: int, hashes: list[bytes]
    ) -> dict[int, bytes]:
        """Sign a statement over each block of positions this sequencing completed; return the
        hashes signed so far in the block still open.

        `hashes` are those of positions last+1.. just assigned. A block's earlier positions come
        from what this store signed before (kept in memory) or are read back, and a read-back
        event is sealed only if its own signature verifies: a statement never vouches for
        anything its events' signatures do not already vouch for (a superuser's edit between
        two sequencings stays detectable)."""
        new_last = last + len(hashes)
        known = {**self._open_block, **{last + 1 + i: h for i, h in enumerate(hashes)}}
        open_from = new_last - new_last % SEAL_BLOCK + 1
        blocks = completed_blocks(last, new_last)
        if not blocks:
            return {p: h for p, h in known.items() if p >= open_from}
        start = blocks[0][0]
        if start <= last and any(p not in known for p in range(start, last + 1)):
            rows = await conn.fetch(
                "SELECT position, hash, signature, key_id FROM events "
                "WHERE position BETWEEN $1 AND $2 AND signature IS NOT NULL ORDER BY position",
                start,
                last,
            )
            public = signer.verifying_keys()
            for r in rows:
                position, digest = int(r["position"]), bytes(r["hash"])
                key = public.get(r["key_id"])
                signature = bytes(r["signature"])
                if (
                    position not in known
                    and key is not None
                    and verify_signature(key, signer.service, position, digest, signature)
                ):
                    known[position] = digest
        firsts, lasts, signatures = [], [], []
        for first, end in blocks:
            try:
                block = [known[p] for p in range(first, end + 1)]
            except KeyError:
                continue  # an earlier position is unsigned: its block stays per-event
            firsts.append(first)
            lasts.append(end)
            signatures.append(signer.sign_range(first, end, range_digest(block)))
        await conn.execute(
            _INSERT_SEALS,
            firsts,
            lasts,
            signatures,
            signer.key_id,
        )
        return {p: h for p, h in known.items() if p >= open_from}

    @staticmethod
    async def _sign(conn: Conn, signer: Signer, limit: int) -> int:
        rows = await conn.fetch(_UNSIGNED, limit)
        if rows:
            signatures = [signer.sign(r["position"], bytes(r["hash"])) for r in rows]
            await conn.execute(_SIGN, [r["id"] for r in rows], signatures, signer.key_id)
        return len(rows)

    async def sign_unsigned(self, batch: int = 5000) -> int:
        """Sign events sequenced before this store had a signer (an upgrade); return how many."""
        if self.signer is None:
            return 0
        total = 0
        while True:
            async with self.pool.acquire() as conn, conn.transaction():
                count = await self._sign(conn, self.signer, batch)
            if not count:
                return total
            total += count

    async def seal_history(self, batch: int = 40) -> int:
        """Sign the range statements of complete blocks that have none (events sequenced before
        statements existed, or by a process without the key); return how many were signed."""
        if self.signer is None:
            return 0
        total, after = 0, 0
        public = self.signer.verifying_keys()
        while True:
            blocks = await self.pool.fetch(_MISSING_SEALS, after, batch, SEAL_BLOCK)
            if not blocks:
                return total
            after = int(blocks[-1]["block"])
            firsts, lasts, signatures = [], [], []
            for row in blocks:
                first, last = int(row["first"]), int(row["last"])
                rows = await self.pool.fetch(
                    "SELECT position, hash, signature, key_id FROM events "
                    "WHERE position BETWEEN $1 AND $2 AND signature IS NOT NULL ORDER BY position",
                    first,
                    last,
                )
                # Only what each event's own signature vouches for is sealed.
                held = [
                    bytes(r["hash"])
                    for r in rows
                    if (key := public.get(r["key_id"])) is not None
                    and verify_signature(
                        key, self.signer.service, r["position"], bytes(r["hash"]), r["signature"]
                    )
                ]
                if len(held) != last - first + 1:
                    continue  # unsigned or failing events: checked one by one by consumers
                digest = range_digest(held)
                firsts.append(first)
                lasts.append(last)
                signatures.append(self.signer.sign_range(first, last, digest))
            await self.pool.execute(_INSERT_SEALS, firsts, lasts, signatures, self.signer.key_id)
            total += len(firsts)

    async def head(self) -> int:
        """The highest sequenced position (what read_all can reach right now)."""
        return int(
            await self.pool.fetchval("SELECT last_position FROM event_sequencer WHERE singleton")
        )

    async def epoch(self) -> str:
        """The store's identity: a new one whenever the database was restored or recovered.

        See the kernel migration `040_store_epoch.sql`: the epoch is keyed by the fingerprint
        of the physical database, so a backup restored elsewhere (or recovered to a point in
        time) starts a new epoch, and consumers that applied positions of the old one notice.
        """
        return str(await self.pool.fetchval(_EPOCH))

    async def unsequenced(self) -> int:
        """How many committed events still wait for a position."""
        return int(await self.pool.fetchval("SELECT count(*) FROM events WHERE position IS NULL"))

    async def read_all(self, after: int, limit: int = 1000) -> list[Event]:
        """Sequenced events with position > after, in position order, as stored (not upcast)."""
        rows = await self.pool.fetch(
            f"SELECT {PAGE_COLUMNS} FROM events WHERE position > $1 "  # noqa: S608
            "ORDER BY position LIMIT $2",
            after,
            limit,
        )
        return page_to_events(rows)

    async def read_seals(self, after: int, last: int) -> list[Seal]:
        """The range statements lying wholly within positions after+1..last."""
        if last - after < SEAL_BLOCK:
            return []
        rows = await self.pool.fetch(
            "SELECT first_position, last_position, signature, key_id FROM event_seals "
            "WHERE first_position > $1 AND first_position <= $2 AND last_position <= $2 "
            "ORDER BY first_position",
            after,
            last,
        )
        return [
            Seal(
                int(r["first_position"]),
                int(r["last_position"]),
                bytes(r["signature"]),
                r["key_id"],
            )
            for r in rows
        ]


_EPOCH = """
WITH here AS (
    SELECT concat_ws('/', s.system_identifier, c.timeline_id, d.oid) AS fingerprint
    FROM pg_control_system() s, pg_control_checkpoint() c, pg_database d
    WHERE d.datname = current_database()
), made AS (
    INSERT INTO store_epochs (fingerprint) SELECT fingerprint FROM here
    ON CONFLICT (fingerprint) DO NOTHING RETURNING epoch
)
SELECT epoch FROM made
UNION ALL SELECT e.epoch FROM store_epochs e JOIN here USING (fingerprint)
LIMIT 1
"""


@dataclass(frozen=True)
class _Draft:
    """What a caller asked to append, before versions and hashes are known."""

    stream_type: str
    stream_id: str
    events: Sequence[NewEvent]
    actor: Actor
    correlation_id: UUID | None
    causation_id: UUID | None
    carrier: dict[str, str]

    def build(self, current: int, prev: bytes) -> list[Event]:
        """Number the events after `current` and chain their hashes from `prev`."""
        now = utc_now()
        correlation = self.correlation_id or new_event_id()
        stored: list[Event] = []
        for offset, new in enumerate(self.events, start=1):
            fields = (
                new.event_id or new_event_id(),
                self.stream_type,
                self.stream_id,
                current + offset,
                new.type,
                new.schema_version,
                new.occurred_at or now,
                now,
                self.actor,
                correlation,
                self.causation_id,
                new.payload,
                prev,
            )
            # Hashed as a draft, then built once with its hash (dataclasses.replace costs more).
            digest = event_hash(Event(*fields, b""))
            stored.append(Event(*fields, digest, None, self.carrier))
            prev = digest
        return stored


def _values(e: Event) -> list[Any]:
    return [
        e.event_id,
        e.stream_type,
        e.stream_id,
        e.version,
        e.type,
        e.schema_version,
        e.occurred_at,
        e.recorded_at,
        e.actor.id,
        e.actor.role,
        e.correlation_id,
        e.causation_id,
        e.trace,
        e.payload,
        e.prev_hash,
        e.hash,
    ]


def _columns(events: Sequence[Event]) -> list[Any]:
    return [
        [e.event_id for e in events],
        [e.stream_type for e in events],
        [e.stream_id for e in events],
        [e.version for e in events],
        [e.type for e in events],
        [e.schema_version for e in events],
        [e.occurred_at for e in events],
        [e.recorded_at for e in events],
        [e.actor.id for e in events],
        [e.actor.role for e in events],
        [e.correlation_id for e in events],
        [e.causation_id for e in events],
        [e.trace for e in events],
        [e.payload for e in events],
        [e.prev_hash for e in events],
        [e.hash for e in events],
    ]
