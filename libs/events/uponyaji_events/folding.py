"""Pure helpers for folding a stream into a domain state, and for reading typed payload values.

A domain's `evolve(state, event)` reads an event's type and JSON payload; `Folder` runs it over a
stream. The `as_*` readers turn a payload value (JSON text, or a value a decider has just built)
into the Python type a state or a read table holds. Standard library only: a domain may import it.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, Generic, Protocol, TypeVar
from uuid import UUID

S = TypeVar("S")
E = TypeVar("E")  # the events folded: `EventLike` for most folds, stored `Event`s for some


class EventLike(Protocol):
    """What folding needs of an event: stored (`Event`) or just decided (`NewEvent`)."""

    @property
    def type(self) -> str:
        """The event type, e.g. `psychosocial.AssessmentRecorded`."""
        ...

    @property
    def payload(self) -> dict[str, Any]:
        """The payload in JSON form."""
        ...


@dataclass(frozen=True, slots=True)
class Folder(Generic[S, E]):
    """A stream's fold: `evolve` applied to each event, from `start()` or a state already folded."""

    start: Callable[[], S]
    evolve: Callable[[S, E], S]

    def __call__(self, events: Iterable[E], state: S | None = None) -> S:
        """The state after a run of events (from `state`, else from the stream's start)."""
        folded = self.start() if state is None else state
        for event in events:
            folded = self.evolve(folded, event)
        return folded


def event_name(event: EventLike) -> str:
    """An event's name without its service prefix (`medical.EncounterOpened`: `EncounterOpened`)."""
    return event.type.rsplit(".", 1)[-1]


def as_uuid(value: Any) -> UUID:
    """A payload's id as a UUID."""
    return value if isinstance(value, UUID) else UUID(str(value))


def as_uuid_or_none(value: Any) -> UUID | None:
    """An optional payload id as a UUID, None when absent."""
    return None if value is None else as_uuid(value)


def as_day(value: Any) -> date:
    """A payload's ISO date as a date."""
    return value if isinstance(value, date) else date.fromisoformat(str(value))


def as_time(value: Any) -> datetime:
    """A payload's ISO timestamp as a datetime."""
    return value if isinstance(value, datetime) else datetime.fromisoformat(str(value))
