"""An evidence item's custody, folded from its stream: who holds it, where, its captured hash."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from uuid import UUID

from uponyaji_events.folding import EventLike

from ..errors import InvalidCommand, NotHolder


@dataclass(frozen=True, slots=True)
class CustodyState:
    """The item's holder and location now, and the hash taken at capture."""

    version: int = 0
    holder_id: UUID | None = None
    location: str | None = None
    sha256: str | None = None
    kind: str | None = None


def fold_custody(events: Iterable[EventLike]) -> CustodyState:
    """The custody state from the item's stream."""
    state = CustodyState()
    for event in events:
        p, name = event.payload, event.type.rsplit(".", 1)[-1]
        version = state.version + 1
        if name == "EvidenceCaptured":
            state = CustodyState(
                version, UUID(str(p["holder_id"])), p["location"], p.get("sha256"), p["kind"]
            )
        elif name == "EvidenceHandedOver":
            state = CustodyState(
                version, UUID(str(p["to_holder_id"])), p["to_location"], state.sha256, state.kind
            )
        else:
            state = CustodyState(version, state.holder_id, state.location, state.sha256, state.kind)
    return state


def may_hand_over(state: CustodyState, giver: UUID, receiver: UUID, from_location: str) -> None:
    """A hand-over needs the giver to hold the item where they say it is (409 otherwise)."""
    if state.holder_id != giver:
        raise NotHolder("from_holder_id: the giver does not hold this evidence item")
    if state.location != from_location:
        raise NotHolder(f"from_location: the item is at {state.location}, not {from_location}")
    if receiver == giver:
        raise InvalidCommand("to_holder_id: the item cannot be handed to its own holder")
