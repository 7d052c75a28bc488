"""Spreadsheet cells that cannot become formulas (CSV and XLSX exports).

A text cell starting with `=`, `+`, `-`, `@`, a tab or a carriage return is read as a formula
by spreadsheet programs (CSV injection: `=HYPERLINK(...)` can leak data when clicked). Such a
cell gets a leading apostrophe, which spreadsheets show as text. Plain numbers, negative ones
included, are left as they are: a number is never a formula.
"""

from __future__ import annotations

import re

_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
_NUMBER = re.compile(r"^-?\d+(\.\d+)?$")


def neutral(value: str) -> str:
    """The value, prefixed with an apostrophe when a spreadsheet would run it as a formula."""
    if value.startswith(_FORMULA_START) and not _NUMBER.match(value):
        return "'" + value
    return value
