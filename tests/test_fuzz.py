"""Random values in the data cells of a standard workbook: the whole validation never raises,
and every finding points at a cell that exists."""

from __future__ import annotations

import datetime as dt
import json
import tempfile
from pathlib import Path
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from wbfactory import Book, Err, standard_book

from sopxl.core import spec
from sopxl.core.config import Settings
from sopxl.read.workbook import WorkbookReader, read_workbook
from sopxl.rules.validate import check

TEXT = st.text(st.characters(blacklist_categories=("Cs",)), max_size=40)
NUMBERY = st.sampled_from(
    ["1.234,5", "10 paket", "Rp 5.000.000", "45%", "0,5", "-3", "1e309", "", "  ", "5 Februari 2026",
     "31/02/2026", "Januari", "013.07.WA.4293.EBA.962", "statis", "=1+1", "#DIV/0!", "TRUE"]
)
VALUES: st.SearchStrategy[Any] = st.one_of(
    st.none(),
    TEXT,
    NUMBERY,
    st.integers(min_value=-(10**15), max_value=10**15),
    st.floats(allow_nan=False, allow_infinity=False, min_value=-1e300, max_value=1e300),
    st.dates(min_value=dt.date(1900, 3, 1), max_value=dt.date(2200, 12, 31)),
    st.booleans(),
    st.sampled_from(sorted(spec.EXCEL_ERRORS - {"#GETTING_DATA", "#SPILL!", "#CALC!"})).map(Err),
    st.integers(min_value=1000, max_value=32767).map(lambda n: "x" * n),
)

SHEETS = [spec.SHEET_IDENTITAS, spec.SHEET_REFERENSI, spec.SHEET_RENCANA, *spec.MONTHS]


def _target(book: Book, sheet: str) -> list[dict[str, Any]]:
    if sheet == spec.SHEET_REFERENSI:
        return book.referensi
    if sheet == spec.SHEET_RENCANA:
        return book.rencana
    return book.months[spec.MONTHS.index(sheet) + 1]


EDITS = st.lists(
    st.tuples(st.sampled_from(SHEETS), st.integers(0, 30), st.integers(0, 20), VALUES),
    min_size=1,
    max_size=25,
)


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    edits=EDITS,
    months=st.integers(0, 12),
    drop_column=st.one_of(st.none(), st.tuples(st.sampled_from(SHEETS), st.integers(0, 12))),
    extra_rows=st.integers(0, 3),
)
def test_random_cells_never_break_validation(
    edits: list[tuple[str, int, int, Any]],
    months: int,
    drop_column: tuple[str, int] | None,
    extra_rows: int,
) -> None:
    book = standard_book(months=max(months, 1))
    if months == 0:
        book.identitas[spec.ID_BULAN] = None
    for _ in range(extra_rows):  # rows that exist only partly
        book.referensi.append({spec.COL_KODE_RO: None, spec.COL_SATUAN: "Orang"})
    for sheet, row_index, col_index, value in edits:
        if sheet == spec.SHEET_IDENTITAS:
            items = list(book.identitas)
            book.identitas[items[row_index % len(items)]] = value
            continue
        rows = _target(book, sheet)
        header = book.header(sheet)
        if row_index >= len(rows):
            rows.append({})
            row_index = len(rows) - 1
        rows[row_index][header[col_index % len(header)]] = value
    if drop_column is not None and drop_column[0] != spec.SHEET_IDENTITAS:
        header = book.header(drop_column[0])
        del header[drop_column[1] % len(header)]
        book.columns[drop_column[0]] = header

    with tempfile.TemporaryDirectory() as tmp:
        path = book.write(Path(tmp) / "fuzz.xlsx")
        data = read_workbook(path)
        result = check(data, Settings(today="2026-07-20"))
        with WorkbookReader(path) as reader:
            grids = {name: reader.grid(name) for name in reader.sheet_names}

    json.dumps(result.to_json_dict(), ensure_ascii=False)  # the JSON contract always holds
    for f in result.findings:
        assert f.severity in ("error", "warning")
        assert f.message.strip()
        row, col = spec.parse_ref(f.cell)  # a valid A1 reference
        if f.rule == "STR-SHEET":
            assert f.sheet in spec.REQUIRED_SHEETS and f.cell == "A1"
            continue
        assert f.sheet in data.sheet_names, (f.rule, f.sheet)
        if f.cell == "A1":
            continue
        grid = grids[f.sheet]
        width = max((len(r) for r in grid), default=0)
        assert 1 <= row <= len(grid) and 1 <= col <= width, (f.rule, f.sheet, f.cell, len(grid), width)
