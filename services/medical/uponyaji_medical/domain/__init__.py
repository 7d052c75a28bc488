"""The pure domain of medical: record state, commands, deciders, reports and custody. No I/O."""

from .commands import (
    CarePayload,
    EntryPayload,
    Grade,
    GradePayload,
    OpenEncounter,
    RecordCare,
    RecordCommand,
    RecordEntry,
)
from .custody import CustodyState, fold_custody, may_hand_over
from .decide import (
    EXAMINATION,
    PHOTO_STORAGE,
    IntakeFacts,
    admissible,
    contracts,
    decide,
    new_event,
)
from .report import SECTIONS, ReportInput, assemble, canonical, missing, sha256, statement
from .reports import ReportState, fold_report, may_add, may_sign
from .state import ENTRY_IDS, Encounter, Entry, RecordState, evolve, fold

__all__ = [
    "ENTRY_IDS",
    "EXAMINATION",
    "PHOTO_STORAGE",
    "SECTIONS",
    "CarePayload",
    "CustodyState",
    "Encounter",
    "Entry",
    "EntryPayload",
    "Grade",
    "GradePayload",
    "IntakeFacts",
    "OpenEncounter",
    "RecordCare",
    "RecordCommand",
    "RecordEntry",
    "RecordState",
    "ReportInput",
    "ReportState",
    "admissible",
    "assemble",
    "canonical",
    "contracts",
    "decide",
    "evolve",
    "fold",
    "fold_custody",
    "fold_report",
    "may_add",
    "may_hand_over",
    "may_sign",
    "missing",
    "new_event",
    "sha256",
    "statement",
]
