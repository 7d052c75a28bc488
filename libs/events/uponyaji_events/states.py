"""A bounded memory of folded stream states, so a command folds only the events it has not seen.

A command about a stream loads the stream and folds its events into the state its decider needs.
Events are immutable and a stream only grows, so a state folded from a stream's first `version`
committed events stays true: the next command about that stream reads only the events after
`version` and folds them onto it. The memory holds the state with the version and hash of the
last event folded into it (the append's guard); the oldest-used stream is forgotten first.

A state may grow with its stream (one entry per assessment a survivor ever had): with `weigh`
(a state's entries) and `max_weight`, the memory also forgets the oldest-used streams once the
states it holds weigh more than that together, so its size is bounded, not only its count.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass
from typing import Generic, TypeVar

S = TypeVar("S")

DEFAULT_STREAMS = 4096


@dataclass(frozen=True, slots=True)
class Folded(Generic[S]):
    """A stream's state after its events up to `version`, the last of which has `hash`."""

    version: int
    hash: bytes
    state: S


class StreamStates(Generic[S]):
    """The folded states of the `size` most recently used streams, in this process."""

    def __init__(
        self,
        size: int = DEFAULT_STREAMS,
        *,
        weigh: Callable[[S], int] | None = None,
        max_weight: int | None = None,
    ) -> None:
        if size < 1:
            raise ValueError("StreamStates needs room for at least one stream")
        if (weigh is None) != (max_weight is None) or (max_weight is not None and max_weight < 1):
            raise ValueError("StreamStates weighs states with both weigh and max_weight (>= 1)")
        self.size = size
        self.max_weight = max_weight
        self._weigh = weigh
        self._states: OrderedDict[str, Folded[S]] = OrderedDict()
        self._weights: dict[str, int] = {}
        self.weight = 0  # what the remembered states weigh together (0 when not weighed)

    def __len__(self) -> int:
        return len(self._states)

    def get(self, stream_id: str) -> Folded[S] | None:
        """The remembered state of a stream, if any (marks it as recently used)."""
        found = self._states.get(stream_id)
        if found is not None:
            self._states.move_to_end(stream_id)
        return found

    def put(self, stream_id: str, folded: Folded[S]) -> None:
        """Remember a stream's state (an older one than remembered is ignored)."""
        known = self._states.get(stream_id)
        if known is not None and known.version > folded.version:
            return
        self._states[stream_id] = folded
        self._states.move_to_end(stream_id)
        if self._weigh is not None:
            weight = self._weigh(folded.state)
            self.weight += weight - self._weights.get(stream_id, 0)
            self._weights[stream_id] = weight
        limit = self.max_weight or 0
        while len(self._states) > self.size or (limit and self.weight > limit):
            if len(self._states) == 1:  # one state heavier than the bound: not remembered
                self.forget(stream_id)
                break
            self.forget(next(iter(self._states)))

    def forget(self, stream_id: str) -> None:
        """Drop a stream's state (the next command folds it from its first event)."""
        self._states.pop(stream_id, None)
        self.weight -= self._weights.pop(stream_id, 0)
