"""Reliable-change parameters per instrument (Jacobson-Truax reliable change; docs/reporting.md).

Reporting may not import psychosocial's code, so it carries the few numbers it needs. They are the
values of psychosocial's instrument table (services/psychosocial/psychosocial/instruments/
definitions.py), whose sources are cited there: PHQ-9 and GAD-7 SDs reproduce the NHS Talking
Therapies criteria (6 and 4 points), PCL-5 gives 16.5 points (published 15-18), WHO-5 is in
percentage points. Change is reliable when |RC| > 1.96 (Jacobson & Truax 1991).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from enum import StrEnum

RELIABLE_Z = 1.96


class Change(StrEnum):
    """How a score moved between two administrations."""

    RELIABLE_RECOVERY = "reliable_recovery"
    RELIABLE_IMPROVEMENT = "reliable_improvement"
    NO_RELIABLE_CHANGE = "no_reliable_change"
    RELIABLE_DETERIORATION = "reliable_deterioration"


@dataclass(frozen=True)
class Parameters:
    """SD (pre-treatment), reliability r, and whether a higher score is better."""

    sd: float
    r: float
    higher_is_better: bool = False

    @property
    def se_diff(self) -> float:
        """Standard error of the difference: SD × √2 × √(1 − r)."""
        return self.sd * math.sqrt(2) * math.sqrt(1 - self.r)


PARAMETERS: dict[str, Parameters] = {
    "PHQ-9": Parameters(5.3, 0.84),
    "GAD-7": Parameters(3.3, 0.83),
    "PCL-5": Parameters(14, 0.82),
    "HSCL-25": Parameters(0.55, 0.90),
    "HTQ-IV": Parameters(0.55, 0.92),
    "WHO-5": Parameters(22, 0.83, higher_is_better=True),  # percentage points
    "K10": Parameters(7.5, 0.90),
}
OUTCOME_INSTRUMENTS = ("PHQ-9", "PCL-5", "WHO-5")


def is_case(instrument: str, score: float, cutoff: float) -> bool:
    """At or above the caseness cut-off (below it for WHO-5, where higher is better)."""
    if PARAMETERS[instrument].higher_is_better:
        return score < cutoff
    return score >= cutoff


# Each instrument's SE_diff, computed once (a rebuild takes several reliable changes per survivor).
_SE_DIFF: dict[str, float] = {name: p.se_diff for name, p in PARAMETERS.items()}


def rci(instrument: str, pre: float, post: float) -> float:
    """Reliable Change Index (post − pre) / SE_diff."""
    return (post - pre) / _SE_DIFF[instrument]


def classify(instrument: str, pre: float, post: float, cutoff: float | None) -> Change:
    """Reliable recovery, improvement, no reliable change or deterioration from pre to post."""
    value = rci(instrument, pre, post)
    if abs(value) <= RELIABLE_Z:
        return Change.NO_RELIABLE_CHANGE
    improved = (value > 0) == PARAMETERS[instrument].higher_is_better
    if not improved:
        return Change.RELIABLE_DETERIORATION
    was_case = cutoff is not None and is_case(instrument, pre, cutoff)
    if was_case and cutoff is not None and not is_case(instrument, post, cutoff):
        return Change.RELIABLE_RECOVERY
    return Change.RELIABLE_IMPROVEMENT
