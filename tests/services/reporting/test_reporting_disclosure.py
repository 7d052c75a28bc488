"""An attacker against the published dashboard: every table, every grain, every filter.

Generated populations with rare combinations (a child in a small county, one survivor of a
perpetrator outside Nairobi, …) are published as the API publishes them (`dashboard.aggregate`
is what the summary cells equal, test_reporting_cells.py) for every month, quarter and year,
every county, every team and every county-and-team pair. The attacker then

* takes linear differences: every published count, hence every sum or difference of them, is a
  multiple of the rounding base, so no count of 1 to 4 comes out of a difference; and
* solves the whole system by bounds: the finest cells (month × county × team × row) are the
  unknowns, each published figure is their sum within [p − 4, p + 4] (0 to 4 for a 0), and the
  bounds are tightened through every equation until nothing moves.

The test fails if any finest cell or published group whose true count is 1 to 4 is pinned to
one value, or if the attacker's bounds ever exclude the truth (an unsound attacker proves nothing).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator
from datetime import date
from itertools import product
from typing import Any
from uuid import UUID

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from uponyaji_reporting import counties, views
from uponyaji_reporting.dashboard import Facts, Filter, aggregate, contributions
from uponyaji_reporting.periods import Grain, Period, containing

BASE = 5
TODAY = date(2026, 6, 30)
MONTHS = [
    date(2025, 11, 1),
    date(2025, 12, 1),
    date(2026, 1, 1),
    date(2026, 2, 1),
    date(2026, 3, 1),
    date(2026, 4, 1),
]
COUNTIES = ["047", "005"]  # Nairobi and Lamu: a large and a small county
TEAMS = ["team-a", "team-b"]
PERIODS = sorted({containing(g, m) for g in Grain for m in MONTHS}, key=lambda p: p.label)
# Published tables the attacker solves, and the survivor key each row counts.
TABLES = {
    "registrations_per_month": "month",
    "by_county": "county",
    "by_gender": "gender",
    "by_age_band": "age_band",
    "by_perpetrator": "perpetrator",
    "by_torture_method": "torture_method",
    "services_received": "service",
}
DERIVED = ("_percent", "median_days", ".kes")  # not counts: shown only over enough survivors
COUNTY_CODE = {counties.name(c): c for c in counties.COUNTIES} | {counties.name(None): "unknown"}

Atom = tuple[date, str | None, str | None, str, str]  # month, county, team, dim, value


@st.composite
def survivor(draw: st.DrawFn) -> Facts:
    """A synthetic survivor drawn from few values, so that rare combinations come up."""
    month = draw(st.sampled_from(MONTHS))
    return Facts(
        draw(st.uuids(version=4)),
        team=draw(st.sampled_from([*TEAMS, None])),
        county=draw(st.sampled_from([*COUNTIES, None])),
        gender=draw(st.sampled_from(["female", "male", "intersex"])),
        age_band=draw(st.sampled_from(["0-17", "25-34"])),
        registered_on=month.replace(day=draw(st.integers(1, 28))),
        perpetrators=frozenset(
            draw(st.sets(st.sampled_from(["kenya_police_service", "kenya_defence_forces"])))
        ),
        methods=frozenset(draw(st.sets(st.sampled_from(["beating", "rape"]), max_size=1))),
        services=frozenset(draw(st.sets(st.sampled_from(["counselling"])))),
        open_risk_flags=draw(st.integers(0, 1)),
        reportable=draw(st.integers(0, 9)) > 0,  # one in ten refused or withdrew
    )


populations = st.lists(survivor(), min_size=1, max_size=24, unique_by=lambda f: f.survivor_id)


def selections() -> Iterator[tuple[Period, str | None, str | None]]:
    """Every period of every grain, by every county, team, both and neither."""
    yield from product(PERIODS, [None, *COUNTIES], [None, *TEAMS])


def publish_all(
    people: list[Facts], secret: bytes, base: int = BASE
) -> dict[tuple[Any, ...], dict[str, Any]]:
    """Every board the API would publish over this population."""
    return {
        (period, county, team): aggregate(
            people, Filter(period.first, period.last, county, team), TODAY, secret, base
        )
        for period, county, team in selections()
    }


def figures(board: dict[str, Any]) -> Iterator[tuple[tuple[str, str], int]]:
    """The published counts of the attacked tables as ((dim, value), count); absent rows are 0."""
    yield ("survivors", ""), board["survivors"]
    yield ("open_risk_flags", ""), board["open_risk_flags"]
    for table, dim in TABLES.items():
        for row, count in board[table].items():
            yield (dim, COUNTY_CODE[row] if dim == "county" else row), count


def atoms_of(people: list[Facts]) -> dict[Atom, int]:
    """The true finest cells: consenting survivors by month, county, team and key."""
    atoms: dict[Atom, int] = defaultdict(int)
    for f in people:
        assert f.registered_on is not None
        for dim, value in contributions(f):
            atoms[(f.registered_on.replace(day=1), f.county, f.team, dim, value)] += 1
    return atoms


def region(
    unknowns: list[Atom], of_key: list[int], period: Period, county: str | None, team: str | None
) -> list[int]:
    """The unknowns (among those of one key) that a figure under this selection sums."""
    return [
        i
        for i in of_key
        if period.first <= unknowns[i][0] <= period.last
        and (county is None or unknowns[i][1] == county)
        and (team is None or unknowns[i][2] == team)
    ]


def attack(
    boards: dict[tuple[Any, ...], dict[str, Any]], unknowns: list[Atom], base: int = BASE
) -> tuple[list[int], list[int], list[tuple[list[int], int, int]]]:
    """Bounds on every unknown and on every published group, tightened to a fixed point."""
    equations: list[tuple[list[int], int, int]] = []
    by_key: dict[tuple[str, str], list[int]] = defaultdict(list)
    for i, (*_, dim, value) in enumerate(unknowns):
        by_key[(dim, value)].append(i)
    for (period, county, team), board in boards.items():
        published = dict(figures(board))
        for key, of_key in by_key.items():
            members = region(unknowns, of_key, period, county, team)
            if not members:
                continue
            p = published.get(key, 0)
            low = 0 if p == 0 else max(1, p - (base - 1))
            equations.append((members, low, p + base - 1))
    lo = [0] * len(unknowns)
    hi = [10**6] * len(unknowns)
    changed = True
    while changed:
        changed = False
        for n, (members, g_lo, g_hi) in enumerate(equations):
            s_lo = sum(lo[i] for i in members)
            s_hi = sum(hi[i] for i in members)
            g_lo, g_hi = max(g_lo, s_lo), min(g_hi, s_hi)
            if (g_lo, g_hi) != equations[n][1:]:
                equations[n] = (members, g_lo, g_hi)
                changed = True
            for i in members:
                new_lo = max(lo[i], g_lo - (s_hi - hi[i]))
                new_hi = min(hi[i], g_hi - (s_lo - lo[i]))
                if (new_lo, new_hi) != (lo[i], hi[i]):
                    lo[i], hi[i], changed = new_lo, new_hi, True
    return lo, hi, equations


def possible(month: date, county: str | None, dim: str, value: str) -> bool:
    """Whether a finest cell can hold anyone: the attacker knows that a month's row counts only
    that month's survivors and a county's row only that county's."""
    if dim == "month":
        return value == month.strftime("%Y-%m")
    if dim == "county":
        return value == (county or "unknown")
    return True


def unknowns_of(truth: dict[Atom, int]) -> list[Atom]:
    """Every finest cell of the keys that occur (the attacker knows the vocabularies)."""
    keys = sorted({(dim, value) for *_, dim, value in truth})
    return [
        (m, c, t, dim, value)
        for m, c, t, (dim, value) in product(MONTHS, [None, *COUNTIES], [None, *TEAMS], keys)
        if possible(m, c, dim, value)
    ]


def lamu_child() -> list[Facts]:
    """Nine Nairobi survivors and one child in Lamu, the only one of her perpetrator and method."""

    def one(n: int, **extra: Any) -> Facts:
        base = dict(
            team="team-a",
            county="047",
            gender="female",
            age_band="25-34",
            registered_on=date(2026, 2, 10),
            perpetrators=frozenset(["kenya_police_service"]),
            methods=frozenset(["beating"]),
            reportable=True,
        )
        return Facts(UUID(int=n), **(base | extra))

    child = one(
        99,
        county="005",
        age_band="0-17",
        registered_on=date(2026, 2, 11),
        perpetrators=frozenset(["kenya_defence_forces"]),
        methods=frozenset(["rape"]),
    )
    return [*(one(n) for n in range(9)), child]


def test_the_attacker_solves_unrounded_tables() -> None:
    """The same attacker pins the Lamu child's cells when counts are published as they are."""
    people = lamu_child()
    truth = atoms_of(people)
    unknowns = unknowns_of(truth)
    lo, hi, _ = attack(publish_all(people, b"k" * 16, base=1), unknowns, base=1)
    solved = {a for i, a in enumerate(unknowns) if lo[i] == hi[i] and truth.get(a, 0) == 1}
    assert (date(2026, 2, 1), "005", "team-a", "torture_method", "rape") in solved
    assert (date(2026, 2, 1), "005", "team-a", "age_band", "0-17") in solved
    lo, hi, _ = attack(publish_all(people, b"k" * 16), unknowns)
    assert not any(lo[i] == hi[i] and 1 <= truth.get(a, 0) <= 4 for i, a in enumerate(unknowns))


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(populations, st.binary(min_size=16, max_size=16))
def test_no_count_of_one_to_four_can_be_solved_for(people: list[Facts], secret: bytes) -> None:
    boards = publish_all(people, secret)

    # Linear differences: every published count is a multiple of the base.
    for board in boards.values():
        for table, row, value in views.rows(board):
            name = f"{table}.{row}"
            if isinstance(value, int) and not any(d in name for d in DERIVED):
                assert value % BASE == 0, (name, value)

    # Bounds: solve the whole system; nothing of 1 to 4 may be pinned, nor the truth excluded.
    truth = atoms_of(people)
    unknowns = unknowns_of(truth)
    lo, hi, equations = attack(boards, unknowns)
    for i, atom in enumerate(unknowns):
        n = truth.get(atom, 0)
        assert lo[i] <= n <= hi[i], ("unsound attacker", atom)
        assert not (lo[i] == hi[i] and 1 <= n <= 4), ("cell solved", atom, n)
    for members, g_lo, g_hi in equations:
        n = sum(truth.get(unknowns[i], 0) for i in members)
        assert g_lo <= n <= g_hi, "unsound attacker"
        assert not (g_lo == g_hi and 1 <= n <= 4), ("group solved", n)


@settings(max_examples=25, deadline=None)
@given(populations, survivor(), st.binary(min_size=16, max_size=16))
def test_a_survivor_without_reporting_consent_changes_no_published_figure(
    people: list[Facts], extra: Facts, secret: bytes
) -> None:
    refused = Facts(
        UUID(int=extra.survivor_id.int ^ 1),
        **{k: v for k, v in vars(extra).items() if k not in ("survivor_id", "reportable")},
        reportable=False,
    )
    assert publish_all([*people, refused], secret) == publish_all(people, secret)
