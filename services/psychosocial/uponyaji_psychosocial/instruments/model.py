"""The shape of an instrument definition: items, scoring, bands, cut-offs and change parameters."""

from __future__ import annotations

import math
from dataclasses import dataclass
from enum import StrEnum
from fractions import Fraction

# |RC| above this is reliable change at p < .05 (Jacobson & Truax 1991).
RELIABLE_Z = 1.96


class Direction(StrEnum):
    """Whether a higher score means more symptoms or more well-being."""

    HIGHER_IS_WORSE = "higher_is_worse"
    HIGHER_IS_BETTER = "higher_is_better"


class Method(StrEnum):
    """How item responses combine into a score."""

    SUM = "sum"
    MEAN = "mean"


class Op(StrEnum):
    """How a score is compared with a cut-off."""

    AT_LEAST = ">="
    BELOW = "<"
    AT_MOST = "<="

    def holds(self, value: Fraction, threshold: Fraction) -> bool:
        """Whether `value op threshold`."""
        if self is Op.AT_LEAST:
            return value >= threshold
        if self is Op.BELOW:
            return value < threshold
        return value <= threshold


@dataclass(frozen=True, slots=True)
class Band:
    """A band from `low` (inclusive) up to the next band's `low` (the last: up to the maximum)."""

    label: str
    low: Fraction


@dataclass(frozen=True, slots=True)
class Subscale:
    """Part of an instrument: its items (1-based) and how they combine."""

    name: str
    items: tuple[int, ...]
    method: Method


@dataclass(frozen=True, slots=True)
class Cutoff:
    """A flag raised when the score (or a subscale) compares with a threshold; with its source."""

    flag: str
    op: Op
    threshold: Fraction
    source: str
    subscale: str | None = None


@dataclass(frozen=True, slots=True)
class DiagnosticRule:
    """A symptom-count rule: items rated at least `min_rating` in each subscale, at least n each."""

    flag: str
    min_rating: int
    required: tuple[tuple[str, int], ...]
    source: str


@dataclass(frozen=True, slots=True)
class RiskItem:
    """An item whose response above `above` raises a risk flag, whatever the total.

    `above` is data, per instrument: PHQ-9 item 9 runs 0–3 and any answer above 0 is a signal;
    HSCL-25 runs 1 ("not at all") to 4, so only answers above 1 ("a little" or more) are.
    """

    item: int
    flag: str
    reason: str
    above: int = 0

    def endorsed(self, response: int) -> bool:
        """Whether this response to the item is a risk signal."""
        return response > self.above


@dataclass(frozen=True, slots=True)
class ReliableChange:
    """Jacobson & Truax parameters: SD of pre-treatment scores and reliability r, with sources."""

    sd: Fraction
    r: Fraction
    source: str

    @property
    def se_diff(self) -> float:
        """Standard error of the difference: SD × √2 × √(1 − r)."""
        return float(self.sd) * math.sqrt(2) * math.sqrt(1 - float(self.r))

    @property
    def threshold(self) -> float:
        """The smallest change (in score units) that is reliable: 1.96 × SE_diff."""
        return RELIABLE_Z * self.se_diff


@dataclass(frozen=True, slots=True)
class Instrument:
    """One standardised instrument: everything needed to validate, score, band and compare."""

    code: str
    title: str
    items: int
    item_min: int
    item_max: int
    method: Method
    direction: Direction
    bands: tuple[Band, ...]
    caseness: Cutoff
    reliable_change: ReliableChange
    cutoffs: tuple[Cutoff, ...] = ()
    subscales: tuple[Subscale, ...] = ()
    diagnostic: DiagnosticRule | None = None
    risk_items: tuple[RiskItem, ...] = ()
    # The score bands, cut-offs and change use: the total, or the total times this (WHO-5: %).
    percent_factor: int | None = None
    # A change in common clinical use as meaningful (in score units), with its source.
    meaningful_change: Fraction | None = None
    meaningful_source: str = ""

    @property
    def min_total(self) -> Fraction:
        """The lowest possible total (sum or mean)."""
        return Fraction(self.item_min * (self.items if self.method is Method.SUM else 1))

    @property
    def max_total(self) -> Fraction:
        """The highest possible total (sum or mean)."""
        return Fraction(self.item_max * (self.items if self.method is Method.SUM else 1))

    def headline(self, total: Fraction) -> Fraction:
        """The score that bands, cut-offs and change are about (WHO-5: the percentage)."""
        return total * self.percent_factor if self.percent_factor else total

    @property
    def min_score(self) -> Fraction:
        """The lowest possible headline score."""
        return self.headline(self.min_total)

    @property
    def max_score(self) -> Fraction:
        """The highest possible headline score."""
        return self.headline(self.max_total)

    def band(self, score: Fraction) -> Band:
        """The band a headline score falls in (ValueError outside the instrument's range)."""
        if not self.min_score <= score <= self.max_score:
            raise ValueError(
                f"{self.code} score {score} is outside {self.min_score}–{self.max_score}"
            )
        found = self.bands[0]
        for band in self.bands:
            if score >= band.low:
                found = band
        return found

    def is_case(self, score: Fraction) -> bool:
        """Whether a headline score is at the caseness cut-off or on its worse side."""
        return self.caseness.op.holds(score, self.caseness.threshold)

    def better_by(self, before: Fraction, after: Fraction) -> Fraction:
        """How much better `after` is than `before` (negative: worse), in score units."""
        change = after - before
        return -change if self.direction is Direction.HIGHER_IS_WORSE else change
