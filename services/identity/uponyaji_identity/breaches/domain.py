"""Pure rules of the breach register: the deadline, reminders, and what each step requires.

Where a breach carries a real risk of harm, the Data Commissioner must be notified within 72
hours of the organisation becoming aware of it (s.43), and a later notification must give the
reasons for the delay. People affected are told, in writing, unless their identity cannot be
established; the register records which, and why. A breach assessed as carrying no real risk of
harm may be closed without notifying the Commissioner, with the reason recorded.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

DEADLINE = timedelta(hours=72)
# Reminders to the data protection officer, by hours since awareness, until the Commissioner
# has been notified: one each at 24 h, 48 h and 66 h, then "overdue" at 72 h.
REMINDERS: tuple[tuple[str, timedelta], ...] = (
    ("breach_due_48h", timedelta(hours=24)),
    ("breach_due_24h", timedelta(hours=48)),
    ("breach_due_6h", timedelta(hours=66)),
    ("breach_overdue", timedelta(hours=72)),
)


class Status(StrEnum):
    """Where a breach stands in the register."""

    RECORDED = "recorded"
    ASSESSED = "assessed"
    NOTIFIED = "notified"  # the Commissioner has been told
    CLOSED = "closed"


class Risk(StrEnum):
    """The assessed risk to the people whose data it is."""

    LOW = "low"
    MEDIUM = "medium"
    HIGH = "high"


class BreachRuleBroken(ValueError):
    """A step asked of the register breaks one of its rules (answered 409)."""


@dataclass(frozen=True, slots=True)
class Clock:
    """The facts a deadline needs: when the organisation became aware, and now."""

    aware_at: datetime
    now: datetime

    @property
    def deadline(self) -> datetime:
        """When the Commissioner must have been notified by."""
        return self.aware_at + DEADLINE

    @property
    def hours_left(self) -> float:
        """Hours until the deadline (negative once it has passed)."""
        return (self.deadline - self.now).total_seconds() / 3600


def reminders_due(aware_at: datetime, now: datetime, status: Status) -> list[str]:
    """The reminder kinds whose time has come (none once the Commissioner was told, or closed)."""
    if status in (Status.NOTIFIED, Status.CLOSED):
        return []
    return [kind for kind, after in REMINDERS if now >= aware_at + after]


def check_recorded(detected_at: datetime, aware_at: datetime, now: datetime) -> None:
    """A breach is detected no later than the organisation is aware of it, and not in future."""
    if aware_at < detected_at:
        raise BreachRuleBroken("aware_at is before detected_at: awareness follows detection")
    if aware_at > now + timedelta(minutes=5):
        raise BreachRuleBroken("aware_at is in the future")


def check_commissioner(
    status: Status, aware_at: datetime, notified_at: datetime, delay_reason: str | None
) -> None:
    """The Commissioner is told once, after the assessment; late only with the delay's reasons."""
    if status is Status.CLOSED:
        raise BreachRuleBroken("the breach is closed")
    if status is Status.RECORDED:
        raise BreachRuleBroken("assess the breach before notifying the Data Commissioner")
    if status is Status.NOTIFIED:
        raise BreachRuleBroken("the Data Commissioner has already been notified of this breach")
    if notified_at < aware_at:
        raise BreachRuleBroken("notified_at is before the organisation became aware")
    if notified_at > aware_at + DEADLINE and not delay_reason:
        raise BreachRuleBroken(
            "the notification is later than 72 hours after awareness: give delay_reason"
        )


def check_subjects(status: Status, told: bool, reason: str | None, count: int | None) -> None:
    """People affected are told (how many), or the reason they are not is recorded."""
    if status is Status.CLOSED:
        raise BreachRuleBroken("the breach is closed")
    if status is Status.RECORDED:
        raise BreachRuleBroken("assess the breach before deciding on telling the people affected")
    if told and not count:
        raise BreachRuleBroken("say how many people were told (people_count)")
    if not told and not reason:
        raise BreachRuleBroken("give not_told_reason when the people affected are not told")


def check_closure(status: Status, subjects_decided: bool, not_notified_reason: str | None) -> None:
    """A breach is closed once the Commissioner was notified (or why not is recorded) and the
    people affected were decided on."""
    if status is Status.CLOSED:
        raise BreachRuleBroken("the breach is already closed")
    if status is Status.RECORDED:
        raise BreachRuleBroken("assess the breach before closing it")
    if status is Status.ASSESSED and not not_notified_reason:
        raise BreachRuleBroken(
            "notify the Data Commissioner before closing, or give not_notified_reason"
        )
    if status is Status.NOTIFIED and not subjects_decided:
        raise BreachRuleBroken("record whether the people affected were told before closing")
