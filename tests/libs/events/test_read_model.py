"""A declared read model: payload values land typed in their columns, corrections supersede,
updates touch only the row the payload names, and the rebuild gives back the live rows."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import date
from decimal import Decimal
from uuid import UUID, uuid4

import asyncpg
import pytest
from support import ACTOR, service_name, signed_store
from uponyaji_events.envelope import NewEvent
from uponyaji_events.read_model import Change, ReadModel, Row
from uponyaji_events.unit_of_work import unit_of_work

NewDatabase = Callable[..., Awaitable[asyncpg.Pool]]

TABLES = """
CREATE TABLE grants (
    grant_id uuid PRIMARY KEY, survivor_id uuid NOT NULL, amount numeric(12, 2) NOT NULL,
    proposed_on date NOT NULL, purposes text[] NOT NULL, details jsonb, status text NOT NULL
    DEFAULT 'proposed', decided_by text, proposed_by text NOT NULL,
    proposed_at timestamptz NOT NULL, event_type text NOT NULL, supersedes uuid,
    superseded_by uuid
);
"""
GRANTS = Row(
    "grants",
    "grant_id survivor_id amount=amount_kes proposed_on purposes details supersedes "
    "proposed_by=@actor proposed_at=@at event_type=@type",
    key="grant_id",
)
APPROVED = Change("grants", "decided_by=approver", key="grant_id", also="status = 'approved'")
MODEL = ReadModel(("grants",), {"test.GrantProposed": GRANTS, "test.GrantApproved": APPROVED})


def proposed(grant_id: UUID, survivor_id: UUID, supersedes: UUID | None = None) -> NewEvent:
    """A proposal with a decimal amount, a date, a list and a nested object."""
    payload = {
        "grant_id": str(grant_id),
        "survivor_id": str(survivor_id),
        "amount_kes": "12500.50",
        "proposed_on": "2026-03-01",
        "purposes": ["tools", "stock"],
        "details": {"note": "Synthetic note", "items": 2},
        "supersedes": None if supersedes is None else str(supersedes),
    }
    return NewEvent("test.GrantProposed", payload)


async def test_rows_are_typed_corrections_supersede_and_changes_touch_one_row(
    new_database: NewDatabase,
) -> None:
    pool = await new_database()
    await pool.execute(TABLES)
    store = signed_store(pool, service_name())
    survivor, first, second, other = uuid4(), uuid4(), uuid4(), uuid4()
    async with unit_of_work(store, project=MODEL.apply_all) as uow:
        await uow.append("survivor", survivor, 0, [proposed(first, survivor)], actor=ACTOR)
        await uow.append("survivor", uuid4(), 0, [proposed(other, uuid4())], actor=ACTOR)
        corrected = proposed(second, survivor, supersedes=first)
        approved = NewEvent("test.GrantApproved", {"grant_id": str(second), "approver": "lead-1"})
        await uow.append("survivor", survivor, 1, [corrected, approved], actor=ACTOR)

    rows = {r["grant_id"]: r for r in await pool.fetch("SELECT * FROM grants")}
    row = rows[second]
    assert (row["amount"], row["proposed_on"]) == (Decimal("12500.50"), date(2026, 3, 1))
    assert row["purposes"] == ["tools", "stock"]
    assert row["details"] == {"note": "Synthetic note", "items": 2}
    assert (row["proposed_by"], row["event_type"]) == (ACTOR.id, "test.GrantProposed")
    assert (row["status"], row["decided_by"], row["supersedes"]) == ("approved", "lead-1", first)
    assert rows[first]["superseded_by"] == second
    assert (rows[first]["status"], rows[other]["status"]) == ("proposed", "proposed")

    live = sorted(map(tuple, await pool.fetch("SELECT * FROM grants")))
    assert await MODEL.rebuild(store) == 4  # events replayed
    assert sorted(map(tuple, await pool.fetch("SELECT * FROM grants"))) == live


def test_a_spec_naming_what_the_event_does_not_give_is_refused() -> None:
    with pytest.raises(ValueError, match="@actor"):
        Row("grants", "grant_id decided_by=@signer")
    with pytest.raises(ValueError, match="identifier"):
        Row("grants; DROP TABLE grants", "grant_id")
    with pytest.raises(ValueError, match="one key column"):
        Change("grants", "status")
