"""Remembered stream states: a command folds only the events it has not seen, and never a state
that was not committed."""

from __future__ import annotations

import uuid

import asyncpg
import pytest
from uponyaji_events import ConcurrencyError, unit_of_work
from uponyaji_events.envelope import Actor, Event, NewEvent
from uponyaji_events.states import Folded, StreamStates
from uponyaji_events.store import EventStore

ACTOR = Actor(id="staff-test-1", role="counsellor")
Tally = tuple[int, ...]


class Folds:
    """A fold over `test.Counted` events that notes how many events each call was given."""

    def __init__(self) -> None:
        self.given: list[int] = []

    def __call__(self, events: list[Event], state: Tally | None) -> Tally:
        self.given.append(len(events))
        return (*(state or ()), *(int(e.payload["n"]) for e in events))


def counted(n: int) -> list[NewEvent]:
    return [NewEvent(type="test.Counted", payload={"n": n})]


async def command(
    store: EventStore, sid: uuid.UUID, fold: Folds, states: StreamStates[Tally]
) -> Tally:
    """One command: fold the stream, append the next number at the folded version."""
    async with unit_of_work(store) as uow:
        tally = await uow.fold(sid, fold, states)
        await uow.append("tally", sid, len(tally), counted(len(tally) + 1), actor=ACTOR)
    return tally


@pytest.fixture
def store(db: asyncpg.Pool) -> EventStore:
    return EventStore(db)


async def test_each_command_folds_only_the_events_after_the_remembered_state(
    store: EventStore,
) -> None:
    sid, fold, states = uuid.uuid4(), Folds(), StreamStates[Tally]()
    for _ in range(4):
        await command(store, sid, fold, states)
    # Another process (another memory) appends two events in between.
    await command(store, sid, Folds(), StreamStates())
    await command(store, sid, Folds(), StreamStates())

    tally = await command(store, sid, fold, states)

    assert tally == (1, 2, 3, 4, 5, 6)  # the same state a full fold gives
    # The first command folds all the stream has (nothing), then each command only what it
    # appended (remembered once committed) and what another process appended in between.
    assert fold.given == [0, 1, 1, 1, 1, 2, 1]
    assert [e.payload["n"] for e in await store.load(str(sid))] == [1, 2, 3, 4, 5, 6, 7]


async def test_a_rolled_back_command_leaves_only_committed_events_remembered(
    store: EventStore,
) -> None:
    sid, fold, states = uuid.uuid4(), Folds(), StreamStates[Tally]()
    await command(store, sid, fold, states)
    await command(store, sid, fold, states)

    async def failing() -> None:
        async with unit_of_work(store) as uow:
            tally = await uow.fold(sid, fold, states)
            await uow.append("tally", sid, len(tally), counted(99), actor=ACTOR)
            await uow.fold(sid, fold, states)  # sees its own append, which is not remembered
            raise RuntimeError("the command fails after appending")

    with pytest.raises(RuntimeError):
        await failing()

    assert await command(store, sid, fold, states) == (1, 2)
    remembered = states.get(str(sid))
    assert remembered is not None  # the committed command's own append, nothing rolled back
    assert (remembered.version, remembered.state) == (3, (1, 2, 3))


async def test_a_remembered_state_the_store_contradicts_conflicts_once_then_is_forgotten(
    store: EventStore,
) -> None:
    sid, fold, states = uuid.uuid4(), Folds(), StreamStates[Tally]()
    await command(store, sid, fold, states)
    # A state the store does not hold (e.g. the database was replaced under the process).
    states.put(str(sid), Folded(1, b"\x01" * 32, (42,)))

    with pytest.raises(ConcurrencyError):
        await command(store, sid, fold, states)
    assert states.get(str(sid)) is None
    assert await command(store, sid, fold, states) == (1,)
    assert [e.payload["n"] for e in await store.load(str(sid))] == [1, 2]


def test_the_memory_is_bounded_and_keeps_the_newest_state_of_a_stream() -> None:
    states = StreamStates[Tally](size=2)
    states.put("a", Folded(1, b"a", (1,)))
    states.put("b", Folded(1, b"b", (1,)))
    assert states.get("a") is not None  # "a" is now the most recently used
    states.put("c", Folded(1, b"c", (1,)))
    states.put("a", Folded(0, b"", ()))  # older than what is remembered: ignored

    assert states.get("b") is None
    assert len(states) == 2
    remembered = states.get("a")
    assert remembered is not None
    assert remembered.version == 1
    with pytest.raises(ValueError, match="at least one"):
        StreamStates[Tally](size=0)


def test_weighed_states_are_bounded_by_what_they_hold_together() -> None:
    """A survivor's state grows with each assessment: 4,096 streams of long histories must not
    grow without bound, so the oldest-used are forgotten once the states weigh too much."""
    states = StreamStates[Tally](size=100, weigh=len, max_weight=10)
    for n, name in enumerate("abcd"):
        states.put(name, Folded(1, name.encode(), tuple(range(3 + n))))  # weighs 3, 4, 5, 6
        assert states.weight <= 10
    assert [name for name in "abcd" if states.get(name) is not None] == ["d"]  # 6; 5 + 6 > 10
    states.put("e", Folded(1, b"e", (1, 2, 3, 4)))
    assert states.weight == 10  # d and e: 6 + 4
    states.put("d", Folded(2, b"d", tuple(range(8))))  # d grew: e, the oldest-used, goes
    assert states.get("e") is None
    assert states.weight == 8
    states.put("f", Folded(1, b"f", tuple(range(11))))  # heavier than the bound on its own
    assert states.get("f") is None
    assert states.weight <= 10
    with pytest.raises(ValueError, match="both weigh and max_weight"):
        StreamStates[Tally](weigh=len)
