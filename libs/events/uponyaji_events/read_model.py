"""A service's read model: its own events → its read tables, in the command's transaction.

    READ_MODEL = ReadModel(
        tables=("goal_reviews", "care_plan_goals"),
        appliers={
            "psychosocial.CarePlanGoalAdded": Row(
                "care_plan_goals", "goal_id survivor_id domain added_by=@actor added_at=@at"
            ),
            "psychosocial.CarePlanGoalReviewed": _review,  # any async (conn, event) function
        },
    )

`READ_MODEL.apply_all` is what the unit of work projects each append with; `READ_MODEL.rebuild`
empties the tables and replays the store (what `uponyaji rebuild <service>` runs). A `Row`
(INSERT) or `Change` (UPDATE) names each column once with where its value comes from: the
payload's field of the same name, another field, or the event itself. PostgreSQL converts each
JSON value to its column's type (`jsonb_populate_record`), so a row needs no conversion code.
"""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

import orjson

from uponyaji_events.db import Conn
from uponyaji_events.envelope import Event
from uponyaji_events.folding import as_uuid
from uponyaji_events.projection import replay
from uponyaji_events.store import EventStore

# Applies one event of a service's own to its read tables, on the given connection.
Apply = Callable[[Conn, Event], Awaitable[None]]
_NAME = re.compile(r"^[a-z_][a-z0-9_]*$")


def _identifiers(names: Iterable[str]) -> tuple[str, ...]:
    found = tuple(names)
    for name in found:
        if not _NAME.match(name):
            raise ValueError(f"{name!r} is not a plain SQL identifier")
    return found


# What a column may read from the event itself rather than its payload (`recorded_by=@actor`).
_FROM_EVENT: dict[str, Callable[[Event], Any]] = {
    "@actor": lambda event: event.actor.id,
    "@role": lambda event: event.actor.role,
    "@at": lambda event: event.recorded_at,
    "@id": lambda event: event.event_id,
    "@type": lambda event: event.type,
    "@version": lambda event: event.version,
    "@payload": lambda event: event.payload,
}


def _columns(spec: str) -> dict[str, str]:
    """`a b=c d=@at` → {"a": "a", "b": "c", "d": "@at"}: each column and where it is read from."""
    found = {}
    for token in spec.split():
        column, _, source = token.partition("=")
        if source.startswith("@") and source not in _FROM_EVENT:
            raise ValueError(f"{token!r}: the event gives only {', '.join(_FROM_EVENT)}")
        found[column] = source or column
    _identifiers(found)
    return found


@dataclass(frozen=True)
class _Mapped:
    """Column values read from an event: `columns` is a space-separated list of the table's
    columns, each read from the payload's field of the same name, from another field
    (`column=field`), or from the event itself (`column=@actor`, `@role`, `@at` (its recorded
    time), `@id`, `@type`, `@version`, `@payload`)."""

    table: str
    columns: str = ""
    _sources: dict[str, str] = field(init=False, repr=False)

    def __post_init__(self) -> None:
        _identifiers((self.table,))
        object.__setattr__(self, "_sources", _columns(self.columns))

    def row(
        self, event: Event, values: Mapping[str, Any] | None, fields: Mapping[str, Any] | None
    ) -> dict[str, Any]:
        """The event's column values: payload fields read from `fields` (else the payload), and
        `values` for columns the spec does not name."""
        payload = event.payload if fields is None else fields
        row = {
            column: _FROM_EVENT[source](event) if source in _FROM_EVENT else payload.get(source)
            for column, source in self._sources.items()
        }
        if values:  # the spec's own columns were checked when it was built
            row.update(zip(_identifiers(values), values.values(), strict=True))
        return row


def _record(row: Mapping[str, Any]) -> str:
    """A row as the JSON text `jsonb_populate_record` reads (ids of any UUID class, decimals
    and times as text: PostgreSQL converts each to its column's type)."""
    return orjson.dumps(row, default=str).decode()


@dataclass(frozen=True)
class Row(_Mapped):
    """An INSERT of one row per event (`_Mapped` says which value goes in which column)."""

    conflict: str = ""  # e.g. "ON CONFLICT DO NOTHING"
    key: str | None = None  # the id column: a payload's `supersedes` marks that row superseded

    async def __call__(self, conn: Conn, event: Event) -> None:
        """Insert the event's row."""
        await self.insert(conn, event)

    async def insert(
        self,
        conn: Conn,
        event: Event,
        values: Mapping[str, Any] | None = None,
        *,
        fields: Mapping[str, Any] | None = None,
    ) -> None:
        """Insert the event's row, with `values` for columns no payload field names alike."""
        row = self.row(event, values, fields)
        columns = ", ".join(row)
        await conn.execute(
            f"INSERT INTO {self.table} ({columns}) SELECT {columns} "  # noqa: S608
            f"FROM jsonb_populate_record(NULL::{self.table}, $1::text::jsonb) {self.conflict}",
            _record(row),
        )
        source = event.payload if fields is None else fields
        if self.key is not None and source.get("supersedes"):
            await supersede(conn, self.table, self.key, source["supersedes"], row[self.key])


@dataclass(frozen=True)
class Change(_Mapped):
    """An UPDATE of the row whose `key` column (`column=field` where the names differ) holds the
    payload's id: its mapped columns set (see `_Mapped`), and the SQL assignments in `also`."""

    key: str = ""
    # More assignments, e.g. "status = 'resolved'"; qualify the table's own columns
    # ("n = courses.n + 1"): the payload's row is in scope as `r`.
    also: str = ""
    _key: tuple[str, str] = field(init=False, repr=False)  # (column, payload field)

    def __post_init__(self) -> None:
        super().__post_init__()
        keys = _columns(self.key)
        if len(keys) != 1:
            raise ValueError(f"a Change names one key column, not {self.key!r}")
        object.__setattr__(self, "_key", next(iter(keys.items())))

    async def __call__(self, conn: Conn, event: Event) -> None:
        """Update the event's row."""
        await self.update(conn, event)

    async def update(
        self, conn: Conn, event: Event, values: Mapping[str, Any] | None = None
    ) -> None:
        """Update the event's row, with `values` for columns no payload field names alike."""
        key, name = self._key
        row = {**self.row(event, values, None), key: event.payload.get(name)}
        sets = [f"{column} = r.{column}" for column in row if column != key]
        sets += [self.also] if self.also else []
        await conn.execute(
            f"UPDATE {self.table} SET {', '.join(sets)} "  # noqa: S608
            f"FROM jsonb_populate_record(NULL::{self.table}, $1::text::jsonb) r "
            f"WHERE {self.table}.{key} = r.{key}",
            _record(row),
        )


async def supersede(conn: Conn, table: str, key: str, old: Any, new: Any) -> None:
    """Mark the row `old` of `table` (by its `key` column) as superseded by the row `new`."""
    table, key = _identifiers((table, key))
    await conn.execute(
        f"UPDATE {table} SET superseded_by = $2 WHERE {key} = $1",  # noqa: S608
        as_uuid(old),
        as_uuid(new),
    )


@dataclass(frozen=True)
class ReadModel:
    """The read tables of a service's own events: an applier per event type, a rebuild."""

    tables: tuple[str, ...]
    appliers: Mapping[str, Apply]
    # Runs at the start of a rebuild, for rows the events change but do not create.
    reset: Callable[[Conn], Awaitable[None]] | None = None
    upcast: bool = False  # replay upcast events (the live path appends current versions)

    async def apply_all(self, conn: Conn, events: Iterable[Event]) -> None:
        """Apply events in order (event types with no applier, e.g. audit records, change none)."""
        for event in events:
            apply = self.appliers.get(event.type)
            if apply is not None:
                await apply(conn, event)

    async def rebuild(
        self, store: EventStore, *, page: int = 1000, on_page: Callable[[int], None] | None = None
    ) -> int:
        """Empty the read tables and replay every event in commit order; return how many."""
        return await replay(
            store,
            self.tables,
            self.apply_all,
            page=page,
            upcast=self.upcast,
            on_page=on_page,
            reset=self.reset,
        )
