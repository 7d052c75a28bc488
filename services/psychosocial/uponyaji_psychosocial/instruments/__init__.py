"""Standardised instruments: the definition table, exact scoring, and reliable change.

Pure code (no I/O). Facts and worked examples: docs/psychosocial.md and each instrument's
published scoring.
"""

from .change import Change, Classification, compare
from .definitions import (
    CODES,
    PCL5_CUTOFF_DEFAULT,
    PCL5_CUTOFF_RANGE,
    Instruments,
    UnknownInstrument,
)
from .model import (
    RELIABLE_Z,
    Band,
    Cutoff,
    DiagnosticRule,
    Direction,
    Instrument,
    Method,
    Op,
    ReliableChange,
    RiskItem,
    Subscale,
)
from .scoring import InvalidResponses, Score, check, score, shown

__all__ = [
    "CODES",
    "PCL5_CUTOFF_DEFAULT",
    "PCL5_CUTOFF_RANGE",
    "RELIABLE_Z",
    "Band",
    "Change",
    "Classification",
    "Cutoff",
    "DiagnosticRule",
    "Direction",
    "Instrument",
    "Instruments",
    "InvalidResponses",
    "Method",
    "Op",
    "ReliableChange",
    "RiskItem",
    "Score",
    "Subscale",
    "UnknownInstrument",
    "check",
    "compare",
    "score",
    "shown",
]
