"""A service's read model: its own events → its read tables, in the command's transaction.

    READ_MODEL = ReadModel(
        tables=("goal_reviews", "care_plan_goals"),
        appliers={
            "psychosocial.CarePlanGoalAdded": Row("care_plan_goals", "goal_id survivor_id ...",
                                                  by="added_by", at="added_at"),
            "psychosocial.CarePlanGoalReviewed": _review,  # any async (conn, event) function
        },
    )

`READ_MODEL.apply_all` is what the unit of work projects each append with; `READ_MODEL.rebuild`
empties the tables and replays the store (what `uponyaji rebuild <service>` runs). A `Row` copies
payload fields into the columns of the same names; PostgreSQL converts each JSON value to its
column's type (`jsonb_populate_record`), so a row needs no per-column conversion code.
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


@dataclass(frozen=True)
class Row:
    """An INSERT of one row per event: the payload's fields named in `columns` (space-separated,
    `column=field` where the names differ) into the columns of those names, the event's actor,
    time and id into the columns `by`, `at` and `event_id` name, and the values given to `insert`.
    """

    table: str
    columns: str
    by: str | None = None
    at: str | None = None  # the column (or space-separated columns) of the event's time
    event_id: str | None = None
    conflict: str = ""  # e.g. "ON CONFLICT DO NOTHING"
    key: str | None = None  # the id column: a payload's `supersedes` marks that row superseded
    # column -> the payload field it is read from
    _fields: dict[str, str] = field(init=False, repr=False)

    def __post_init__(self) -> None:
        fields = {}
        for token in self.columns.split():
            column, _, name = token.partition("=")
            fields[column] = name or column
        _identifiers((self.table, *fields))
        object.__setattr__(self, "_fields", fields)

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
        """Insert the event's row: `columns` read from `fields` (else the payload), `values` for
        columns no field names alike (JSON values, UUIDs, dates and times)."""
        source = event.payload if fields is None else fields
        row = {column: source.get(name) for column, name in self._fields.items()}
        for column in (self.at or "").split():
            row[column] = event.recorded_at
        if self.by is not None:
            row[self.by] = event.actor.id
        if self.event_id is not None:
            row[self.event_id] = event.event_id
        row.update(values or {})
        columns = ", ".join(_identifiers(row))
        await conn.execute(
            f"INSERT INTO {self.table} ({columns}) SELECT {columns} "  # noqa: S608
            f"FROM jsonb_populate_record(NULL::{self.table}, $1::text::jsonb) {self.conflict}",
            orjson.dumps(row, default=str).decode(),  # ids of any UUID class, decimals: as text
        )
        if self.key is not None and source.get("supersedes"):
            await supersede(conn, self.table, self.key, source["supersedes"], row[self.key])


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
