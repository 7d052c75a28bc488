"""Validating item responses and scoring them exactly (fractions, never floats, until shown)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from fractions import Fraction

from .model import Instrument, Method, Subscale


class InvalidResponses(ValueError):
    """A response set that cannot be scored (wrong length, out of range, not whole numbers)."""


@dataclass(frozen=True, slots=True)
class Score:
    """A scored administration: totals, subscales, band and flags."""

    instrument: str
    responses: tuple[int, ...]
    total: Fraction  # the sum, or the mean for mean-scored instruments
    score: Fraction  # what bands, cut-offs and change use (WHO-5: the percentage)
    percentage: Fraction | None
    subscales: dict[str, Fraction]
    band: str
    flags: tuple[str, ...]
    risk: tuple[tuple[str, int, int], ...]  # (reason, item, response) of endorsed risk items
    case: bool


def check(instrument: Instrument, responses: Sequence[object]) -> tuple[int, ...]:
    """The responses as whole numbers, or InvalidResponses naming every problem."""
    code = instrument.code
    if len(responses) != instrument.items:
        raise InvalidResponses(
            f"{code} has {instrument.items} items: got {len(responses)} responses"
        )
    problems, values = [], []
    for number, value in enumerate(responses, start=1):
        if isinstance(value, bool) or not isinstance(value, int):
            problems.append(f"item {number} is not a whole number")
        elif not instrument.item_min <= value <= instrument.item_max:
            problems.append(f"item {number} is {value}")
        else:
            values.append(value)
    if problems:
        shown = "; ".join(problems[:5]) + ("; …" if len(problems) > 5 else "")
        raise InvalidResponses(
            f"{code} items take whole numbers {instrument.item_min}–{instrument.item_max}: {shown}"
        )
    return tuple(values)


def _combine(values: Sequence[int], method: Method) -> Fraction:
    total = Fraction(sum(values))
    return total / len(values) if method is Method.MEAN else total


def _subscale(subscale: Subscale, responses: tuple[int, ...]) -> Fraction:
    return _combine([responses[i - 1] for i in subscale.items], subscale.method)


def score(instrument: Instrument, responses: Sequence[object]) -> Score:
    """Score a response set in item order (InvalidResponses if it cannot be scored)."""
    values = check(instrument, responses)
    total = _combine(values, instrument.method)
    headline = instrument.headline(total)
    subscales = {s.name: _subscale(s, values) for s in instrument.subscales}
    flags: list[str] = []
    if instrument.is_case(headline):
        flags.append(instrument.caseness.flag)
    for cutoff in instrument.cutoffs:
        value = subscales[cutoff.subscale] if cutoff.subscale else headline
        if cutoff.op.holds(value, cutoff.threshold) and cutoff.flag not in flags:
            flags.append(cutoff.flag)
    rule = instrument.diagnostic
    if rule is not None:
        items = {s.name: s.items for s in instrument.subscales}
        endorsed = {
            name: sum(1 for i in items[name] if values[i - 1] >= rule.min_rating)
            for name, _ in rule.required
        }
        if all(endorsed[name] >= needed for name, needed in rule.required):
            flags.append(rule.flag)
    signals = [item for item in instrument.risk_items if item.endorsed(values[item.item - 1])]
    risk = tuple((item.reason, item.item, values[item.item - 1]) for item in signals)
    flags += [item.flag for item in signals if item.flag not in flags]
    return Score(
        instrument=instrument.code,
        responses=values,
        total=total,
        score=headline,
        percentage=headline if instrument.percent_factor else None,
        subscales=subscales,
        band=instrument.band(headline).label,
        flags=tuple(flags),
        risk=risk,
        case=instrument.is_case(headline),
    )


def shown(value: Fraction) -> int | float:
    """A score as JSON shows it: whole numbers as int, means to 4 decimals (k/16 and k/25 exact)."""
    if value.denominator == 1:
        return int(value)
    return round(float(value), 4)
