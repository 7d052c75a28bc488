"""The dashboard's summary cells: what each survivor adds to the counts, rolled up for fast reads.

A survivor contributes a handful of `(dim, value)` keys (`dashboard.contributions`: one survivor,
their county, gender, perpetrator categories, outcome changes, …). Each key is counted in cells:
by registration day and by registration month over every county and team (`*`), and by month for
the survivor's county and for their team. A dashboard over `[from, to]` sums the month cells of
the whole months inside the period and the day cells of the days at its edges, so it reads a few
thousand rows however many survivors there are. A filter by county *and* team, and the edge days
of a filter by county or team, are counted from the survivors' facts (few survivors). Counting
the same keys over the facts directly (`dashboard.aggregate`) gives the same dashboard.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta

from .dashboard import Facts, contributions

ALL = "*"  # every county / every team
DAY, MONTH = "d", "m"

# (county, team, grain, period, dim, value)
Cell = tuple[str, str, str, date, str, str]


def cells(f: Facts, *, merged: bool = False) -> list[Cell]:
    """The cells each of a survivor's keys is counted in (none when they add no keys)."""
    keys = contributions(f, merged=merged)
    if not keys or f.registered_on is None:
        return []
    month = f.registered_on.replace(day=1)
    places = [(ALL, ALL, DAY, f.registered_on), (ALL, ALL, MONTH, month)]
    if f.county:
        places.append((f.county, ALL, MONTH, month))
    if f.team:
        places.append((ALL, f.team, MONTH, month))
    return [(*place, dim, value) for place in places for dim, value in keys]


def delta(before: Iterable[Cell], after: Iterable[Cell]) -> dict[Cell, int]:
    """How the cells change when a survivor's cells go from `before` to `after` (zeros dropped)."""
    change: Counter[Cell] = Counter(after)
    change.subtract(before)
    return {cell: n for cell, n in change.items() if n}


@dataclass(frozen=True)
class Ranges:
    """The month cells and the day cells that cover a period exactly."""

    months: tuple[date, date] | None  # first days of the first and last whole month
    days: tuple[tuple[date, date], ...]  # inclusive day ranges at the edges


def _month(d: date) -> int:
    return d.year * 12 + d.month - 1


def _month_start(index: int) -> date:
    return date(index // 12, index % 12 + 1, 1)


def _month_end(index: int) -> date:
    return date.max if index == _month(date.max) else _month_start(index + 1) - timedelta(days=1)


def ranges(start: date | None, end: date | None) -> Ranges:
    """Split `[start, end]` (open ends allowed) into whole months and the days at its edges."""
    first = date.min if start is None else start
    last = date.max if end is None else end
    if first > last:
        return Ranges(None, ())
    a = _month(first) if first.day == 1 else _month(first) + 1  # first whole month
    b = _month(last) if last == _month_end(_month(last)) else _month(last) - 1  # last whole month
    if a > b:
        return Ranges(None, ((first, last),))
    edges = []
    if first < _month_start(a):
        edges.append((first, _month_start(a) - timedelta(days=1)))
    if _month_end(b) < last:
        edges.append((_month_end(b) + timedelta(days=1), last))
    return Ranges((_month_start(a), _month_start(b)), tuple(edges))
