"""Human case numbers: `<PREFIX>-<year>-<6 digits>`, numbered per prefix and year (EAT)."""

from __future__ import annotations

import re
from datetime import UTC, datetime

from uponyaji_events.eat import EAT

__all__ = [
    "CASE_NUMBER",
    "EAT",
    "case_year",
    "format_case_number",
    "looks_like_case_number",
    "normalise_case_number",
]

PREFIX_PATTERN = r"[A-Z]{2,8}"  # as the contracts' CaseNumber
CASE_NUMBER = re.compile(rf"^({PREFIX_PATTERN})-(\d{{4}})-(\d{{6}})$")
MAX_PER_YEAR = 999_999


def case_year(at: datetime | None = None) -> int:
    """The year a case number is counted in: the calendar year in East Africa Time."""
    moment = at or datetime.now(UTC)
    return moment.astimezone(EAT).year


def format_case_number(prefix: str, year: int, number: int) -> str:
    """`UPJ-2026-000123` from its parts."""
    if not re.fullmatch(PREFIX_PATTERN, prefix):
        raise ValueError("a case number prefix is 2 to 8 upper-case letters")
    if not 1 <= number <= MAX_PER_YEAR:
        raise ValueError(f"case numbers run from 1 to {MAX_PER_YEAR} per year")
    return f"{prefix}-{year:04d}-{number:06d}"


def looks_like_case_number(text: str) -> bool:
    """Whether a search text is a case number (any prefix), case-insensitively."""
    return CASE_NUMBER.match(text.strip().upper()) is not None


def normalise_case_number(text: str) -> str:
    """A case number as stored (upper case, trimmed)."""
    return text.strip().upper()
