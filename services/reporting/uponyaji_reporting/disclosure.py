"""Reporting's disclosure control: the shared method of `uponyaji_disclosure.rounding`."""

from uponyaji_disclosure.rounding import (
    DEFAULT_BASE,
    EMPTY,
    KES_BASE,
    MODULUS,
    Group,
    enough,
    publish,
    publish_amount,
    record_key,
)

__all__ = [
    "DEFAULT_BASE",
    "EMPTY",
    "KES_BASE",
    "MODULUS",
    "Group",
    "enough",
    "publish",
    "publish_amount",
    "record_key",
]
