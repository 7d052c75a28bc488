"""Upcasting a batch: events of types with a step are upcast, the others pass through as-is."""

from __future__ import annotations

from datetime import UTC, datetime
from uuid import uuid4

from uponyaji_events.envelope import GENESIS_HASH, Actor, Event
from uponyaji_events.upcasting import UpcasterRegistry


def _event(type_: str, payload: dict[str, object], version: int = 1) -> Event:
    now = datetime.now(UTC)
    return Event(
        uuid4(), "case", "case-1", 1, type_, version, now, now, Actor("a", "r"), uuid4(), None,
        payload, GENESIS_HASH, bytes(32), 1,
    )  # fmt: skip


def test_upcast_all_upcasts_only_the_types_with_steps() -> None:
    upcasters = UpcasterRegistry()
    upcasters.register("src.Old", 1, lambda p: {**p, "added": True})
    old, current, other = (
        _event("src.Old", {"n": 1}),
        _event("src.Old", {"n": 2}, version=2),
        _event("src.Other", {"n": 3}),
    )

    out = upcasters.upcast_all([old, current, other])

    assert [(e.payload, e.schema_version) for e in out] == [
        ({"n": 1, "added": True}, 2),
        ({"n": 2}, 2),
        ({"n": 3}, 1),
    ]
    assert out[1] is current  # passed through, not copied
    assert out[2] is other
    assert UpcasterRegistry().upcast_all([old]) == [old]
