"""The dashboard's fixed reporting grains: a calendar month, quarter or year, nothing in between.

Arbitrary date ranges would let two overlapping ranges differ by a day and single out the
survivors registered on it; whole calendar periods of one grain never overlap, and a quarter or
a year is exactly the sum of its months.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, timedelta
from enum import StrEnum


class Grain(StrEnum):
    """How long a reporting period is."""

    MONTH = "month"
    QUARTER = "quarter"
    YEAR = "year"


FIRST_YEAR, LAST_YEAR = 2000, 2100
_FORMS = {
    Grain.MONTH: (re.compile(r"^(\d{4})-(\d{2})$"), "YYYY-MM, e.g. 2026-03"),
    Grain.QUARTER: (re.compile(r"^(\d{4})-Q([1-4])$"), "YYYY-Qn, e.g. 2026-Q1"),
    Grain.YEAR: (re.compile(r"^(\d{4})$"), "YYYY, e.g. 2026"),
}
_MONTHS = {Grain.MONTH: 1, Grain.QUARTER: 3, Grain.YEAR: 12}


@dataclass(frozen=True)
class Period:
    """One calendar period of a grain: its label, first and last day."""

    grain: Grain
    label: str
    first: date
    last: date

    @property
    def months(self) -> tuple[date, date]:
        """The first days of its first and last month (the summary cells' periods)."""
        return self.first, self.last.replace(day=1)


def _period(grain: Grain, year: int, first_month: int) -> Period:
    first = date(year, first_month, 1)
    end_month = first_month + _MONTHS[grain]
    after = date(year + 1, 1, 1) if end_month > 12 else date(year, end_month, 1)
    if grain is Grain.MONTH:
        label = f"{year}-{first_month:02d}"
    elif grain is Grain.QUARTER:
        label = f"{year}-Q{(first_month - 1) // 3 + 1}"
    else:
        label = str(year)
    return Period(grain, label, first, after - timedelta(days=1))


def parse(grain: Grain, text: str) -> Period:
    """The period a label names at a grain; ValueError naming the expected form otherwise."""
    pattern, form = _FORMS[grain]
    found = pattern.match(text)
    if not found:
        raise ValueError(f"a {grain} is written {form}")
    year = int(found.group(1))
    if not FIRST_YEAR <= year <= LAST_YEAR:
        raise ValueError(f"the year must be from {FIRST_YEAR} to {LAST_YEAR}")
    if grain is Grain.YEAR:
        return _period(grain, year, 1)
    number = int(found.group(2))
    if grain is Grain.MONTH and not 1 <= number <= 12:
        raise ValueError("the month must be from 01 to 12")
    return _period(grain, year, number if grain is Grain.MONTH else 3 * number - 2)


def containing(grain: Grain, day: date) -> Period:
    """The period of a grain that contains a day (the default: the current one)."""
    months = _MONTHS[grain]
    return _period(grain, day.year, (day.month - 1) // months * months + 1)
