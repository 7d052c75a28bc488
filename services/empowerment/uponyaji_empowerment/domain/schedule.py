"""Follow-up due dates: 3, 6 and 12 calendar months after the anchor day."""

from __future__ import annotations

import calendar
from dataclasses import dataclass
from datetime import date

from uponyaji_events.contracts.empowerment import Milestone

MONTHS = {Milestone.MONTH_3: 3, Milestone.MONTH_6: 6, Milestone.MONTH_12: 12}


def add_months(day: date, months: int) -> date:
    """The same day `months` later, clamped to the month's end (31 Jan + 1 → 28/29 Feb)."""
    index = day.month - 1 + months
    year, month = day.year + index // 12, index % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


@dataclass(frozen=True, slots=True)
class Due:
    """One follow-up of the schedule: when it falls due and whether it was held."""

    milestone: Milestone
    due_on: date
    held: bool

    def overdue(self, today: date) -> bool:
        """Due before today and not held."""
        return not self.held and self.due_on < today


def schedule(anchor: date, held: set[Milestone]) -> list[Due]:
    """The three follow-ups after `anchor`, marked held or not."""
    return [Due(m, add_months(anchor, n), m in held) for m, n in MONTHS.items()]
