"""When an unanswered risk flag is escalated, and to whom: pure rules over time, no I/O.

A flag without a safety response goes to the clinical supervisors of the survivor's team after
`first` (24 hours by default) and to the programme lead after `second` (72 hours). Each level is
recorded once, as a `RiskFlagEscalated` event; a flag answered before a deadline never reaches it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from uuid import UUID

from uponyaji_events.contracts import psychosocial as c
from uponyaji_events.envelope import NewEvent

from .decide import new_event
from .state import FlagState


@dataclass(frozen=True, slots=True)
class EscalationPolicy:
    """How long a flag may stay without a safety response before each escalation level."""

    first: timedelta = timedelta(hours=24)
    second: timedelta = timedelta(hours=72)

    def __post_init__(self) -> None:
        if not timedelta(hours=1) <= self.first < self.second:
            raise ValueError("escalation times need 1 h ≤ first < second")

    def levels(self) -> tuple[tuple[int, timedelta, c.EscalationRole], ...]:
        """Each level with its delay and the role it goes to, in order."""
        return (
            (1, self.first, c.EscalationRole.CLINICAL_SUPERVISOR),
            (2, self.second, c.EscalationRole.PROGRAMME_LEAD),
        )


def _hours(delay: timedelta) -> int:
    return max(1, int(delay.total_seconds() // 3600))


def escalate(
    flag_id: UUID, survivor_id: UUID, flag: FlagState, now: datetime, policy: EscalationPolicy
) -> list[NewEvent]:
    """The escalations now due for an open flag (none once it is answered or fully escalated)."""
    if flag.resolved:
        return []
    events = []
    for level, delay, role in policy.levels():
        if flag.escalation < level and now >= flag.raised_at + delay:
            events.append(
                new_event(
                    c.RiskFlagEscalated(
                        flag_id=flag_id,
                        survivor_id=survivor_id,
                        level=level,
                        to_role=role,
                        after_hours=_hours(delay),
                        escalated_at=now,
                    )
                )
            )
    return events
