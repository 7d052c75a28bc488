"""Case numbers: format, year in East Africa Time, recognising one in a search."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from uponyaji_intake.case_number import case_year, format_case_number, looks_like_case_number


def test_format() -> None:
    assert format_case_number("UPJ", 2026, 123) == "UPJ-2026-000123"
    with pytest.raises(ValueError, match="per year"):
        format_case_number("UPJ", 2026, 1_000_000)


def test_year_follows_nairobi_not_utc() -> None:
    assert case_year(datetime(2025, 12, 31, 21, 30, tzinfo=UTC)) == 2026
    assert case_year(datetime(2025, 12, 31, 20, 59, tzinfo=UTC)) == 2025


@pytest.mark.parametrize("bad", ["upj", "U", "TOOLONGPREFIX", "UP1", ""])
def test_bad_prefixes_are_refused(bad: str) -> None:
    with pytest.raises(ValueError, match="prefix"):
        format_case_number(bad, 2026, 1)


def test_search_text_recognised_as_case_number() -> None:
    assert looks_like_case_number(" upj-2026-000123 ")
    assert not looks_like_case_number("Zawadi")
    assert not looks_like_case_number("0712345678")
