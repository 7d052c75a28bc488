"""Disclosure control: every published count is randomly rounded to a multiple of the base.

Cell-key rounding. Each survivor has a secret record key (32 bits, HMAC of their id with the
database's own secret). A group of survivors — the survivors of a cell, of a whole table row, of a
period under a filter — has a key: the sum of its members' record keys (mod 2³²), which adds up
through the summary cells like the counts do. A count n is published as the multiple of the base
just below or just above it, rounded up with probability (n mod base) / base, the draw being the
group's key. So every published figure is a multiple of the base (any sum or difference of them
too: no count of 1 to base − 1 can be computed from them); each is within base − 1 of the truth
and right on average; the same group of survivors always gets the same figure, by whatever
filter, grain or export it is reached; and a zero is published only as zero, while counts from 1
to base − 1 are published as 0 or as the base. docs/disclosure.md states the guarantee and its
limits.
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import ROUND_FLOOR, Decimal
from uuid import UUID

MODULUS = 2**32  # record keys and group keys are taken modulo this
DEFAULT_BASE = 5
KES_BASE = 1000  # money totals are rounded to whole thousands of shillings


@dataclass(frozen=True, slots=True)
class Group:
    """A group of survivors as counted: how many (`n`) and the sum of their record keys (`k`)."""

    n: int = 0
    k: int = 0

    def __add__(self, other: Group) -> Group:
        return Group(self.n + other.n, self.k + other.k)

    def __sub__(self, other: Group) -> Group:
        return Group(self.n - other.n, self.k - other.k)


EMPTY = Group()


def record_key(secret: bytes, survivor_id: UUID) -> int:
    """A survivor's secret record key: 32 bits of HMAC-SHA256(secret, survivor id)."""
    digest = hmac.new(secret, survivor_id.bytes, hashlib.sha256).digest()
    return int.from_bytes(digest[:4], "big")


def _up(group: Group, remainder: int, base: int) -> bool:
    """Whether the group's draw rounds up: P(up) = remainder / base over uniform keys."""
    return (group.k % MODULUS) * base < remainder * MODULUS


def publish(group: Group, base: int = DEFAULT_BASE) -> int:
    """A group's count as published: a multiple of `base`, rounded up or down by its key."""
    if group.n <= 0:
        return 0
    remainder = group.n % base
    low = group.n - remainder
    return low + base if remainder and _up(group, remainder, base) else low


def publish_amount(total: Decimal, group: Group) -> int:
    """A money total (KES) randomly rounded to whole thousands by the group's key."""
    thousands = (total / KES_BASE).to_integral_value(rounding=ROUND_FLOOR)
    rest = total - thousands * KES_BASE
    # The fraction of a thousand decides the chance of rounding up, as for counts.
    up = Decimal(group.k % MODULUS) / MODULUS < rest / KES_BASE
    return int(thousands + (1 if up else 0)) * KES_BASE


def enough(published: int, base: int = DEFAULT_BASE) -> bool:
    """Whether a published count is large enough to show a median, percentage or money total."""
    return published >= 2 * base


def group_of(secret: bytes, ids: Iterable[UUID]) -> Group:
    """The group of the records with these ids: how many, and the sum of their record keys."""
    n = k = 0
    for record in ids:
        n += 1
        k += record_key(secret, record)
    return Group(n, k % MODULUS)


@dataclass(frozen=True)
class Publisher:
    """Publishes counts of records named by id, under one database's secret and base."""

    secret: bytes
    base: int = DEFAULT_BASE

    def group(self, ids: Iterable[UUID]) -> Group:
        """The group of these records (each id counted once per occurrence)."""
        return group_of(self.secret, ids)

    def count(self, ids: Iterable[UUID]) -> int:
        """The published count of these records: a multiple of the base."""
        return publish(self.group(ids), self.base)

    def enough(self, published: int) -> bool:
        """Whether a published count may carry a median, rate or money total."""
        return enough(published, self.base)
