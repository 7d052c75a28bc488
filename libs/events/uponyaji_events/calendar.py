"""Kenyan calendar days: staff work, consent and session days are counted in East Africa Time.

Kenya keeps UTC+3 all year (no daylight saving). Standard library only: a domain may import it.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime, timedelta, timezone

from uponyaji_events.envelope import utc_now

EAT = timezone(timedelta(hours=3))


def kenyan_day(at: datetime) -> date:
    """The calendar day in Kenya of an aware time."""
    return at.astimezone(EAT).date()


def today(clock: Callable[[], datetime] = utc_now) -> date:
    """Today's date in Kenya (by `clock`)."""
    return kenyan_day(clock())
