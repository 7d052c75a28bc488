"""East Africa Time: the calendar days staff and survivors live by are Kenyan days.

Kenya keeps UTC+3 all year (no daylight saving), so one fixed offset is exact. Events carry
UTC instants; "which day" (a session day, a consent day, today for a date check) is the day in
Kenya. Pure: no I/O; the clock is passed in.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime, timedelta, timezone

from uponyaji_events.envelope import utc_now

EAT = timezone(timedelta(hours=3), "EAT")


def eat_date(moment: datetime) -> date:
    """The calendar day in Kenya of an (aware) instant."""
    return moment.astimezone(EAT).date()


def today(clock: Callable[[], datetime] = utc_now) -> date:
    """Today's date in Kenya, by `clock` (default: the real clock)."""
    return eat_date(clock())
