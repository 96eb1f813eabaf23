"""Every text sopxl writes fits Excel's limits: a cell 32,767 characters, a note MAX_NOTE_TEXT;
what is shortened says so ("… (dipotong)")."""

from __future__ import annotations

import zipfile
from collections.abc import Callable
from pathlib import Path

import openpyxl
import pytest
from click.testing import CliRunner
from lxml import etree
from wbfactory import standard_book

from sopxl.core import spec
from sopxl.frontends.cli import cli
from sopxl.ooxml.cells import CLIPPED, MAX_CELL_TEXT, clip_text, text_length
from sopxl.ooxml.notes import MAX_NOTE_TEXT

M = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"


def test_clip_text() -> None:
    assert clip_text("abc", 10) == "abc"
    clipped = clip_text("x" * 50, 20)
    assert len(clipped) == 20 and clipped.endswith(CLIPPED)
    astral = "😀" * 40  # two UTF-16 units each, as Excel counts them
    clipped = clip_text(astral, 30)
    assert text_length(clipped) <= 30 and clipped.endswith(CLIPPED)
    assert clip_text("é" * MAX_CELL_TEXT) == "é" * MAX_CELL_TEXT


def texts(path: Path) -> tuple[list[str], list[str]]:
    """(every cell text of every sheet, every note text), read from the XML."""
    cells: list[str] = []
    notes: list[str] = []
    with zipfile.ZipFile(path) as z:
        for name in z.namelist():
            if not name.endswith(".xml"):
                continue
            if name.startswith("xl/worksheets/") or name == "xl/sharedStrings.xml":
                root = etree.fromstring(z.read(name))
                for si in root.iter(f"{M}si", f"{M}is"):
                    cells.append("".join(si.itertext()))
            elif "comments" in name:
                root = etree.fromstring(z.read(name))
                notes.extend("".join(c.itertext()) for c in root.iter(f"{M}comment"))
    return cells, notes


@pytest.fixture
def long_book(tmp_path: Path) -> Path:
    book = standard_book(months=3)
    book.months[2][0][spec.COL_KODE_RO] = "x" * MAX_CELL_TEXT  # legal: Excel's longest cell
    book.months[2][1][spec.COL_RVRO] = "y" * MAX_CELL_TEXT
    return book.write(tmp_path / "long.xlsx")


def test_long_values_are_clipped_in_notes_and_catatan(long_book: Path, lo_convert: Callable[..., Path]) -> None:
    result = CliRunner().invoke(cli, ["validate", str(long_book)])
    assert result.exit_code == 1, result.output
    cells, notes = texts(long_book)
    assert max(map(text_length, cells)) <= MAX_CELL_TEXT
    assert notes and max(map(text_length, notes)) <= MAX_NOTE_TEXT
    assert any(n.endswith(CLIPPED) for n in notes)
    ws = openpyxl.load_workbook(long_book)[spec.SHEET_CATATAN]
    catatan = [c.value for row in ws.iter_rows() for c in row if isinstance(c.value, str)]
    assert any(v.endswith(CLIPPED) and len(v) == MAX_CELL_TEXT for v in catatan)
    # a second run (reading its own Catatan Koreksi and notes back) stays within the limits
    CliRunner().invoke(cli, ["validate", str(long_book)])
    cells, notes = texts(long_book)
    assert max(map(text_length, cells)) <= MAX_CELL_TEXT and max(map(text_length, notes)) <= MAX_NOTE_TEXT
    # LibreOffice opens it and finds the sheets and the notes
    converted = lo_convert(long_book, "xlsx", recalc=False)
    back = openpyxl.load_workbook(converted)
    assert spec.SHEET_CATATAN in back.sheetnames
    assert back["Februari"]["A2"].comment is not None
