"""The Household Hunger Scale (FANTA): three frequency answers scored 0/1/2, summed, banded."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from uponyaji_events.contracts.empowerment import HungerAnswer, HungerCategory

ITEMS = ("no_food_in_house", "slept_hungry", "day_and_night_without_food")
POINTS = {
    HungerAnswer.NEVER: 0,
    HungerAnswer.RARELY_OR_SOMETIMES: 1,
    HungerAnswer.OFTEN: 2,
}
BY_POINTS = {points: answer for answer, points in POINTS.items()}


class InvalidAnswers(ValueError):
    """Hunger-scale answers of the wrong number or outside their range (names the item)."""


@dataclass(frozen=True, slots=True)
class HungerResult:
    """The answers as labels, the score 0–6 and its category."""

    answers: tuple[HungerAnswer, ...]
    score: int
    category: HungerCategory


def category(score: int) -> HungerCategory:
    """FANTA's categories: 0–1 little or none, 2–3 moderate, 4–6 severe."""
    if not 0 <= score <= 6:
        raise InvalidAnswers(f"a hunger score is 0–6, not {score}")
    if score <= 1:
        return HungerCategory.LITTLE_OR_NONE
    if score <= 3:
        return HungerCategory.MODERATE
    return HungerCategory.SEVERE


def _answer(index: int, value: object) -> HungerAnswer:
    if isinstance(value, bool):  # True would otherwise pass as 1
        raise InvalidAnswers(f"hunger_answers[{index}]: {value!r} is not an answer")
    if isinstance(value, int):
        if value in BY_POINTS:
            return BY_POINTS[value]
        raise InvalidAnswers(f"hunger_answers[{index}]: {value} is outside 0–2")
    if isinstance(value, str):
        try:
            return HungerAnswer(value)
        except ValueError:
            pass
    raise InvalidAnswers(
        f"hunger_answers[{index}]: answer never (0), rarely_or_sometimes (1) or often (2)"
    )


def score(answers: Sequence[object]) -> HungerResult:
    """Score three answers (labels or 0/1/2); InvalidAnswers names the bad one."""
    if isinstance(answers, str | bytes) or len(answers) != len(ITEMS):
        raise InvalidAnswers(f"hunger_answers: exactly {len(ITEMS)} answers ({', '.join(ITEMS)})")
    labels = tuple(_answer(i, value) for i, value in enumerate(answers))
    total = sum(POINTS[label] for label in labels)
    return HungerResult(labels, total, category(total))


RANK = {HungerCategory.LITTLE_OR_NONE: 0, HungerCategory.MODERATE: 1, HungerCategory.SEVERE: 2}


def change(before: HungerCategory, after: HungerCategory) -> str:
    """`improved`, `same` or `worsened` between two categories."""
    delta = RANK[after] - RANK[before]
    return "improved" if delta < 0 else "worsened" if delta > 0 else "same"
