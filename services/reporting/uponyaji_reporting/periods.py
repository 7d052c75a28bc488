"""Reporting's fixed grains: the shared calendar periods of `uponyaji_disclosure.periods`."""

from uponyaji_disclosure.periods import (
    FIRST_YEAR,
    LAST_YEAR,
    Grain,
    Period,
    containing,
    parse,
)

__all__ = ["FIRST_YEAR", "LAST_YEAR", "Grain", "Period", "containing", "parse"]
