"""The shared disclosure method: counts of records published as multiples of the base, close to
the truth and right on average, the same records always getting the same figure."""

from __future__ import annotations

import random
from uuid import UUID

from hypothesis import given
from hypothesis import strategies as st
from uponyaji_disclosure.rounding import DEFAULT_BASE, Publisher, group_of, publish, record_key

SECRET = b"synthetic test secret (FAKE)"


def ids(count: int, seed: int) -> list[UUID]:
    """`count` record ids drawn from a seeded generator (the same ids on every run)."""
    draw = random.Random(seed)
    return [UUID(int=draw.getrandbits(128), version=4) for _ in range(count)]


@given(st.integers(min_value=0, max_value=60), st.integers(min_value=0, max_value=10_000))
def test_every_published_count_is_a_multiple_of_the_base_within_base_minus_one(
    n: int, seed: int
) -> None:
    published = Publisher(SECRET).count(ids(n, seed))
    assert published % DEFAULT_BASE == 0
    assert abs(published - n) < DEFAULT_BASE
    assert (published == 0) if n == 0 else published >= 0


def test_a_single_record_is_published_as_nought_or_five_so_neither_proves_anything() -> None:
    """One record alone: 0 about four times in five, 5 about once (over different records)."""
    outcomes = [Publisher(SECRET).count(ids(1, seed)) for seed in range(2000)]
    assert set(outcomes) == {0, 5}
    assert 0.15 < outcomes.count(5) / len(outcomes) < 0.25


def test_published_counts_are_right_on_average() -> None:
    """Unbiased: over many groups of the same true size the mean published count is the size."""
    for n in (1, 3, 7, 12):
        published = [Publisher(SECRET).count(ids(n, 10_000 + seed)) for seed in range(2000)]
        assert abs(sum(published) / len(published) - n) < 0.25, n


def test_the_same_records_get_the_same_figure_whatever_their_order_or_route() -> None:
    """A group's key is the sum of its records' keys: order and the way it is put together do
    not matter, so asking again or another way gives no fresh draw to average away."""
    records = ids(9, 7)
    publisher = Publisher(SECRET)
    first = publisher.count(records)
    assert publisher.count(reversed(records)) == first
    combined = publisher.group(records[:4]) + publisher.group(records[4:])
    assert publish(combined) == first
    assert publish(group_of(SECRET, records)) == first


def test_a_different_secret_draws_differently() -> None:
    """The keys come from the database's secret: outsiders cannot compute the draws."""
    record = ids(1, 3)[0]
    assert record_key(SECRET, record) != record_key(b"another secret (FAKE)", record)
    counts = {Publisher(bytes([s])).count(ids(3, 5)) for s in range(64)}
    assert counts == {0, 5}
