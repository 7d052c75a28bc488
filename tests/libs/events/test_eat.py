"""Kenyan calendar days from UTC instants (East Africa Time, UTC+3 all year)."""

from __future__ import annotations

from datetime import UTC, date, datetime

from uponyaji_events.eat import EAT, eat_date, today


def test_the_kenyan_day_starts_at_21_00_utc() -> None:
    assert eat_date(datetime(2026, 3, 1, 20, 59, tzinfo=UTC)) == date(2026, 3, 1)
    assert eat_date(datetime(2026, 3, 1, 21, 0, tzinfo=UTC)) == date(2026, 3, 2)
    assert eat_date(datetime(2026, 12, 31, 21, 30, tzinfo=UTC)) == date(2027, 1, 1)


def test_no_daylight_saving_the_offset_is_the_same_all_year() -> None:
    for month in (1, 4, 7, 10):
        assert datetime(2026, month, 15, tzinfo=EAT).utcoffset() == EAT.utcoffset(None)
        assert datetime(2026, month, 15, 12, tzinfo=EAT).isoformat().endswith("+03:00")


def test_today_is_read_from_the_given_clock() -> None:
    late_evening_utc = datetime(2026, 6, 30, 22, 15, tzinfo=UTC)
    assert today(lambda: late_evening_utc) == date(2026, 7, 1)
