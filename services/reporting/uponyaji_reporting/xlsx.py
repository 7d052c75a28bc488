"""The dashboard as an XLSX workbook (openpyxl): a `dashboard` sheet and an `about` sheet.

Text stays text (a county code "047" is not the number 47), numbers are numbers, and no text
cell can become a formula: text starting like a formula gets a leading apostrophe
(spreadsheet.py) and is stored as a string cell, and characters XML cannot carry (control
characters) are replaced. The `about` sheet says what was selected and how counts are rounded.
"""

from __future__ import annotations

import io
import re
from collections.abc import Mapping, Sequence
from typing import Any

from openpyxl import Workbook
from openpyxl.worksheet.worksheet import Worksheet

from .spreadsheet import neutral

Value = str | int | float | None
_NOT_XML = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
ABOUT = (
    "Every count in this workbook is rounded to a multiple of the rounding base: the base just "
    "below or just above the true count, chosen at random with a chance proportional to how "
    "close it is, the draw fixed by the survivors counted. A true zero is shown as 0; a count "
    "from 1 to base - 1 is shown as 0 or as the base. The same group of survivors always gets "
    "the same figure, on the dashboard, in the CSV, here and on the charts, for every grain and "
    "filter; rows need not add up to their totals. Medians, percentages and money totals are "
    "shown only where the published count is at least twice the base; money totals are rounded "
    "to whole thousands of KES. Survivors who did not grant consent to de-identified reporting, "
    "or withdrew it, are not counted."
)


def _text(value: str) -> str:
    return _NOT_XML.sub("\ufffd", neutral(value))


def _put(sheet: Worksheet, row: int, column: int, value: Value) -> None:
    cell = sheet.cell(row=row, column=column)
    if isinstance(value, bool) or value is None:
        cell.value = None if value is None else str(value).lower()
    elif isinstance(value, int | float):
        cell.value = value
    else:
        cell.value = _text(value)
        cell.data_type = "s"  # never a formula, whatever the text


def workbook(rows: Sequence[tuple[str, str, Value]], selection: Mapping[str, Any]) -> bytes:
    """An .xlsx file: the (table, row, value) rows, and a sheet explaining the rounding."""
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = "dashboard"
    for column, title in enumerate(("table", "row", "value"), start=1):
        _put(sheet, 1, column, title)
    for r, row in enumerate(rows, start=2):
        for column, value in enumerate(row, start=1):
            _put(sheet, r, column, value)
    about = book.create_sheet("about")
    _put(about, 1, 1, "disclosure control")
    _put(about, 1, 2, ABOUT)
    for r, (name, value) in enumerate(selection.items(), start=2):
        _put(about, r, 1, name)
        _put(about, r, 2, value)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()
