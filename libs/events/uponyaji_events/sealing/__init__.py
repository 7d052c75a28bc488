"""Sealed fields with per-subject data keys, and crypto-shredding (docs/sealing.md).

`load_kek` reads the key-encryption key; `KeyStore` keeps each subject's data key wrapped in
PostgreSQL (table `sealing_keys`); `Sealer` turns sensitive values into `Sealed` strings and back.
See docs/sealing.md.
"""

from uponyaji_events.sealing.errors import (
    InvalidSealError,
    KekError,
    KeyDestroyed,
    KeyNotFoundError,
    KeyUnwrapError,
    SealedFormatError,
    SealingError,
)
from uponyaji_events.sealing.kek import load_kek
from uponyaji_events.sealing.keystore import DataKey, KeyStore, Pool, SubjectId, subject_key
from uponyaji_events.sealing.sealed import Sealed
from uponyaji_events.sealing.sealer import ERASED, UNREADABLE, Sealer, associated_data

__all__ = [
    "ERASED",
    "UNREADABLE",
    "DataKey",
    "InvalidSealError",
    "KekError",
    "KeyDestroyed",
    "KeyNotFoundError",
    "KeyStore",
    "KeyUnwrapError",
    "Pool",
    "Sealed",
    "SealedFormatError",
    "Sealer",
    "SealingError",
    "SubjectId",
    "associated_data",
    "load_kek",
    "subject_key",
]
