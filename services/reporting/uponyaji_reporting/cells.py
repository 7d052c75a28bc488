"""The dashboard's summary cells: what each survivor adds to the counts, rolled up for fast reads.

A survivor contributes a handful of `(dim, value)` keys (`dashboard.contributions`: one survivor,
their county, gender, perpetrator categories, outcome changes, …). Each key is counted in the
cells of their registration month: over every county and team (`*`), for their county, for
their team, and for their county and team together. A cell holds how many survivors have the key
(`n`) and the sum of their record keys (`k`, disclosure.py), so a month, quarter or year under
any filter the dashboard offers is the sum of at most twelve cells per key, and its published
figure is the same as counting the survivors' facts directly (`dashboard.aggregate`).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from datetime import date

from .dashboard import Facts, contributions

ALL = "*"  # every county / every team
MONTH = "m"

# (county, team, grain, period, dim, value)
Cell = tuple[str, str, str, date, str, str]


def cells(f: Facts, *, merged: bool = False) -> list[Cell]:
    """The cells each of a survivor's keys is counted in (none when they add no keys)."""
    keys = contributions(f, merged=merged)
    if not keys or f.registered_on is None:
        return []
    month = f.registered_on.replace(day=1)
    places = [(ALL, ALL)]
    if f.county:
        places.append((f.county, ALL))
    if f.team:
        places.append((ALL, f.team))
    if f.county and f.team:
        places.append((f.county, f.team))
    return [
        (county, team, MONTH, month, dim, value) for county, team in places for dim, value in keys
    ]


def delta(before: Iterable[Cell], after: Iterable[Cell]) -> dict[Cell, int]:
    """How the cells change when a survivor's cells go from `before` to `after` (zeros dropped)."""
    change: Counter[Cell] = Counter(after)
    change.subtract(before)
    return {cell: n for cell, n in change.items() if n}
