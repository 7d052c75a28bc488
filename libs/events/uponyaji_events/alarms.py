"""Rate limiting integrity alarms: a flood of forged events must not flood operators or storage.

A consumer refuses every event that fails its checks, whatever the limiter says; the limiter
only decides how each refusal is *recorded*. Alarms are grouped per path (nats, feed, chain) and
kind of reason (a bounded set, so an attacker cannot make new groups). In each group the first
`burst` alarms of a window of `window` seconds are recorded in full at once (row, audit event,
log line); further alarms in that window are only counted, and when the window ends they are
recorded as one summary alarm naming how many there were, with the last of them as its sample.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from enum import StrEnum

from uponyaji_events.envelope import Event


class Kind(StrEnum):
    """Why a consumer refused an event: a fixed vocabulary (the groups and the metric labels).

    Kinds, not reasons, key the groups: a reason can carry forger-chosen text (a key id, a
    stream id), which must not make a group of its own. The kind is named where the reason is
    made, never read back out of its text.
    """

    NO_POSITION = "no position"
    NOT_SIGNED = "not signed"
    NO_PUBLIC_KEYS = "no public keys"
    HASH_MISMATCH = "hash mismatch"
    UNKNOWN_KEY = "unknown signing key"
    BAD_SIGNATURE = "bad signature"
    CHAIN_VERSION = "chain version"
    CHAIN_HASH = "chain hash"
    STORE_IDENTITY = "store identity"
    RANGE_STATEMENT = "range statement"


@dataclass(frozen=True)
class Refusal:
    """Why one event was refused: its kind, its reason, whether it replaced an applied event."""

    kind: Kind
    reason: str
    replaced: bool = False

    @property
    def label(self) -> str:
        """The alarm's group and metric label: the kind, prefixed when it replaced an event."""
        return f"replaced: {self.kind}" if self.replaced else str(self.kind)

    def at_applied_position(self, position: int) -> Refusal:
        """The same refusal for an event at a position this consumer had already applied."""
        reason = f"a different event at already-applied position {position}: {self.reason}"
        return Refusal(self.kind, reason, replaced=True)


@dataclass(frozen=True)
class AlarmSummary:
    """Alarms of one group that were counted but not recorded one by one in a window."""

    path: str
    kind: str
    count: int
    window: float
    sample: Event  # the last suppressed event: what the summary is recorded with

    @property
    def reason(self) -> str:
        """The summary alarm's reason text."""
        return (
            f"summary: {self.count} further alarm(s) of kind '{self.kind}' on the {self.path} "
            f"path within {self.window:g} s were refused and counted, not recorded one by one "
            "(this event is the last of them)"
        )


@dataclass
class _Group:
    started: float
    admitted: int = 0
    suppressed: int = 0
    sample: Event | None = None


@dataclass
class AlarmLimiter:
    """Decides which alarms are recorded in full and which are summarised (per path and kind)."""

    window: float = 60.0
    burst: int = 5
    clock: Callable[[], float] = time.monotonic
    _groups: dict[tuple[str, str], _Group] = field(default_factory=dict)

    def admit(self, path: str, kind: str, event: Event) -> bool:
        """True: record this alarm in full now; False: it was counted for the window's summary.

        `kind` is the refusal's label (`Refusal.label`), never its reason text.
        """
        now = self.clock()
        key = (path, kind)
        group = self._groups.get(key)
        if group is None or now - group.started >= self.window:
            if group is not None and group.suppressed:
                # The summary was not collected yet: keep counting in the old window.
                group.suppressed += 1
                group.sample = event
                return False
            group = self._groups[key] = _Group(started=now)
        if group.admitted < self.burst:
            group.admitted += 1
            return True
        group.suppressed += 1
        group.sample = event
        return False

    def due(self, *, everything: bool = False) -> list[AlarmSummary]:
        """Summaries of the windows that ended (all pending ones with `everything`); each once."""
        now = self.clock()
        found = []
        for (path, kind), group in list(self._groups.items()):
            ended = now - group.started >= self.window
            if group.suppressed and group.sample is not None and (ended or everything):
                found.append(AlarmSummary(path, kind, group.suppressed, self.window, group.sample))
                del self._groups[(path, kind)]
            elif ended and not group.suppressed:
                del self._groups[(path, kind)]
        return found

    def next_due(self) -> float | None:
        """Seconds until the earliest pending summary is due (None: nothing pending)."""
        now = self.clock()
        waits = [g.started + self.window - now for g in self._groups.values() if g.suppressed]
        return max(0.0, min(waits)) if waits else None

    @property
    def pending(self) -> int:
        """How many alarms are counted but not yet recorded in a summary."""
        return sum(g.suppressed for g in self._groups.values())
