"""Change between two administrations: Reliable Change Index and its classification."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from fractions import Fraction

from .model import RELIABLE_Z, Instrument


class Classification(StrEnum):
    """What a change from baseline to latest amounts to (Jacobson & Truax 1991)."""

    RELIABLE_RECOVERY = "reliable_recovery"
    RELIABLE_IMPROVEMENT = "reliable_improvement"
    NO_RELIABLE_CHANGE = "no_reliable_change"
    DETERIORATION = "deterioration"


@dataclass(frozen=True, slots=True)
class Change:
    """Baseline to latest: the raw change, the RCI and what it means."""

    change: Fraction  # latest − baseline, in score units (WHO-5: percentage points)
    improvement: Fraction  # the same, signed so that positive is better whatever the direction
    rci: float  # (latest − baseline) / SE_diff
    reliable: bool  # |RCI| > 1.96
    threshold: float  # 1.96 × SE_diff: the smallest reliable change
    classification: Classification
    meaningful_improvement: bool | None  # None when no practical threshold is in common use


def compare(instrument: Instrument, baseline: Fraction, latest: Fraction) -> Change:
    """Compare a latest headline score with the baseline one of the same instrument."""
    parameters = instrument.reliable_change
    change = latest - baseline
    rci = float(change) / parameters.se_diff
    reliable = abs(rci) > RELIABLE_Z
    improvement = instrument.better_by(baseline, latest)
    if not reliable or improvement == 0:
        classification = Classification.NO_RELIABLE_CHANGE
    elif improvement < 0:
        classification = Classification.DETERIORATION
    elif instrument.is_case(baseline) and not instrument.is_case(latest):
        classification = Classification.RELIABLE_RECOVERY
    else:
        classification = Classification.RELIABLE_IMPROVEMENT
    threshold = instrument.meaningful_change
    return Change(
        change=change,
        improvement=improvement,
        rci=rci,
        reliable=reliable,
        threshold=parameters.threshold,
        classification=classification,
        meaningful_improvement=None if threshold is None else improvement >= threshold,
    )
