"""The Excel button records its report in sopxl's state through the one state codec
(sopxl.read.state), as `sopxl consolidate` does on disk."""

from __future__ import annotations

from types import SimpleNamespace

from test_excel_entry import FakeBook

import sopxl.frontends.excel as excel
from sopxl.core import spec
from sopxl.read.state import CHUNK, REPORTS_KEY, decode_grid, encode_rows

REPORT = spec.PERIODS["semester1"][0]


def _figures() -> SimpleNamespace:
    return SimpleNamespace(data_hash="abc", part_hashes={"Januari": "j"}, summary=lambda: {"nka": 90.0})


def test_record_report_keeps_the_other_keys_and_forgets_marks_on_the_old_report() -> None:
    book = FakeBook("capaian.xlsm", ["Identitas", "Januari", REPORT])
    state_sheet = book.sheets.add(spec.SHEET_STATE, after=list(book.sheets)[-1])
    long_text = "x" * (CHUNK + 10)  # spans two rows of the state sheet
    before = {
        "tanda": {"Januari": {"C5": [None, 3]}, REPORT: {"B9": [None, 4]}},
        "riwayat": [long_text],
    }
    state_sheet.range("A1").value = [list(row) for row in encode_rows(before)]

    excel.record_report(book, "semester1", REPORT, _figures())

    after = decode_grid(book.sheets[spec.SHEET_STATE].used_range.value)
    assert after["riwayat"] == [long_text]
    assert after["tanda"] == {"Januari": {"C5": [None, 3]}}
    record = after[REPORTS_KEY]["semester1"]
    assert record["hash"] == "abc" and record["lembar"] == REPORT
    assert record["hash_bagian"] == {"Januari": "j"} and record["angka"] == {"nka": 90.0}


def test_record_report_creates_the_state_sheet() -> None:
    book = FakeBook("capaian.xlsm", ["Identitas", "Januari"])
    excel.record_report(book, "tahunan", spec.PERIODS["tahunan"][0], _figures())
    state = decode_grid(book.sheets[spec.SHEET_STATE].used_range.value)
    assert set(state) == {REPORTS_KEY}
    assert state[REPORTS_KEY]["tahunan"]["hash"] == "abc"


def test_decode_grid_reads_what_encode_rows_writes() -> None:
    state = {"a": {"b": [1, "dua", None]}, "c": "y" * (2 * CHUNK + 1)}
    grid = [list(row) for row in encode_rows(state)]
    assert decode_grid(grid) == state
    # short and empty rows, as a sheet's used range can hold them
    assert decode_grid([[], ["k"], ["kunci", "nilai"], ["d", "[1]", "extra"]]) == {"d": [1]}
