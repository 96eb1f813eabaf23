"""STR-* and ID-* rules on workbooks built by tests/wbfactory.py."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from wbfactory import RO_STATIS, Book, Err, Formula, standard_book

from sopxl.core import spec
from sopxl.core.config import Settings
from sopxl.core.findings import Finding
from sopxl.read.workbook import read_workbook
from sopxl.rules import CATALOGUE
from sopxl.rules.base import run_rules

MINE = (
    "STR-SHEET",
    "STR-COLUMN",
    "STR-FORMULA-ERROR",
    "ID-SATKER",
    "ID-TAHUN",
    "ID-NIP",
    "ID-EMAIL",
)


def run(book: Book, tmp_path: Path, rule_id: str) -> list[Finding]:
    path = book.write(tmp_path / f"{rule_id}.xlsx")
    data = read_workbook(path)
    return list(run_rules(data, Settings(today="2026-06-15"), only=[rule_id]))


def test_rules_registered_in_catalogue_order() -> None:
    ids = list(CATALOGUE)
    positions = [ids.index(r) for r in MINE]
    assert positions == sorted(positions)
    for rule_id in MINE:
        assert CATALOGUE[rule_id].title  # Indonesian title
    assert CATALOGUE["STR-SHEET"].severity == "error"
    assert CATALOGUE["ID-NIP"].severity == "warning"
    assert CATALOGUE["ID-EMAIL"].severity == "warning"


@pytest.mark.parametrize("rule_id", MINE)
def test_standard_book_is_clean(tmp_path: Path, rule_id: str) -> None:
    assert run(standard_book(), tmp_path, rule_id) == []


# ---- STR-SHEET ----------------------------------------------------------------------------


def test_missing_sheets_each_reported(tmp_path: Path) -> None:
    book = standard_book()
    book.drop = {spec.SHEET_RENCANA, "Juli"}
    found = run(book, tmp_path, "STR-SHEET")
    assert [(f.sheet, f.cell) for f in found] == [(spec.SHEET_RENCANA, "A1"), ("Juli", "A1")]
    assert all(f.severity == "error" for f in found)
    assert "Lembar 'Rencana' tidak ada" in found[0].message
    assert found[0].suggestion


def test_missing_sheet_suggests_rename_of_close_name(tmp_path: Path) -> None:
    book = standard_book()
    book.sheet_names = {"Februari": "Febuari"}
    found = run(book, tmp_path, "STR-SHEET")
    assert len(found) == 1
    assert found[0].sheet == "Februari"
    assert found[0].suggestion == "Ganti nama lembar 'Febuari' menjadi 'Februari'."


def test_sheet_names_match_case_and_space_insensitively(tmp_path: Path) -> None:
    book = standard_book()
    book.sheet_names = {"Maret": " maret ", spec.SHEET_REFERENSI: "REFERENSI  RO"}
    assert run(book, tmp_path, "STR-SHEET") == []


# ---- STR-COLUMN ---------------------------------------------------------------------------


def test_missing_column_lists_expected_and_found(tmp_path: Path) -> None:
    book = standard_book()
    book.columns = {"Januari": [c for c in spec.MONTH_COLUMNS if c != spec.COL_KENDALA]}
    book.titles = {"Januari": ["CAPAIAN OUTPUT BULAN JANUARI 2026", ""]}
    found = run(book, tmp_path, "STR-COLUMN")
    assert len(found) == 1
    f = found[0]
    assert (f.sheet, f.cell, f.severity) == ("Januari", "A3", "error")
    assert "'Kendala'" in f.message
    assert "diharapkan" in f.message and "ditemukan (baris 3)" in f.message
    assert "'Tindak Lanjut'" in f.message  # a found header is listed
    assert f.value == "Kendala"


def test_optional_month_columns_may_be_missing(tmp_path: Path) -> None:
    book = standard_book()
    book.columns = {
        "Februari": [c for c in spec.MONTH_COLUMNS if c not in spec.MONTH_OPTIONAL] + ["Catatan Lain"]
    }
    assert run(book, tmp_path, "STR-COLUMN") == []


def test_no_header_row_names_a1(tmp_path: Path) -> None:
    book = standard_book()
    book.columns = {spec.SHEET_REFERENSI: ["Kode", *spec.REFERENSI_COLUMNS[1:]]}
    found = run(book, tmp_path, "STR-COLUMN")
    assert [(f.sheet, f.cell) for f in found] == [(spec.SHEET_REFERENSI, "A1")]
    assert "Baris judul kolom tidak ditemukan" in found[0].message
    assert "'Kode RO'" in found[0].message


# ---- STR-FORMULA-ERROR --------------------------------------------------------------------


def test_error_values_reported_at_their_cells(tmp_path: Path) -> None:
    book = standard_book()
    book.months[2][0][spec.COL_RVRO_KUM] = Err("#DIV/0!")
    book.months[2][1][spec.COL_PROGRES] = Err("#REF!", "=#REF!*2")
    book.referensi[1][spec.COL_PAGU] = Err("#N/A", "=VLOOKUP(1,A1:A2,2,FALSE)")
    book.months[1][0][spec.COL_RVRO] = Formula("=1+1", 2)  # a good formula is no finding
    found = run(book, tmp_path, "STR-FORMULA-ERROR")
    got = {(f.sheet, f.cell, f.value) for f in found}
    assert got == {
        ("Februari", book.month_ref(2, 0, spec.COL_RVRO_KUM), "#DIV/0!"),
        ("Februari", book.month_ref(2, 1, spec.COL_PROGRES), "#REF!"),
        (spec.SHEET_REFERENSI, book.ref(spec.SHEET_REFERENSI, 1, spec.COL_PAGU), "#N/A"),
    }
    div = next(f for f in found if f.value == "#DIV/0!")
    assert div.ro == RO_STATIS
    assert "Realisasi Volume Kumulatif" in div.message
    assert div.suggestion and "IFERROR" in div.suggestion


def test_error_outside_the_table_is_reported_too(tmp_path: Path) -> None:
    book = standard_book()
    book.cells = {"Maret": {"Z40": Err("#VALUE!", '="a"+1')}}
    found = run(book, tmp_path, "STR-FORMULA-ERROR")
    assert [(f.sheet, f.cell, f.value, f.ro) for f in found] == [("Maret", "Z40", "#VALUE!", None)]


# ---- Identitas ----------------------------------------------------------------------------


def _id_ref(book: Book, item: str) -> str:
    index = list(book.identitas).index(item)
    return book.ref(spec.SHEET_IDENTITAS, index, spec.COL_ISI)


@pytest.mark.parametrize(
    ("value", "ok"),
    [
        ("411724", True),
        (" 411724 ", True),
        (411724, True),
        ("41172", False),
        ("4117245", False),
        ("41172A", False),
        ("411.724", False),
        (11724, False),
        (None, False),
    ],
)
def test_kode_satker(tmp_path: Path, value: object, ok: bool) -> None:
    book = standard_book()
    book.identitas[spec.ID_KODE_SATKER] = value
    found = run(book, tmp_path, "ID-SATKER")
    if ok:
        assert found == []
        return
    assert len(found) == 1
    assert found[0].cell == _id_ref(book, spec.ID_KODE_SATKER)
    assert found[0].severity == "error"
    assert found[0].suggestion


def test_kode_satker_suggestions(tmp_path: Path) -> None:
    book = standard_book()
    book.identitas[spec.ID_KODE_SATKER] = 11724
    (f,) = run(book, tmp_path, "ID-SATKER")
    assert "'011724" in (f.suggestion or "")
    book.identitas[spec.ID_KODE_SATKER] = "411.724"
    (f,) = run(book, tmp_path, "ID-SATKER")
    assert f.suggestion == "Tulis '411724' (6 digit tanpa spasi, titik atau huruf)."


def test_missing_identity_row_names_header_cell(tmp_path: Path) -> None:
    book = standard_book()
    del book.identitas[spec.ID_KODE_SATKER]
    book.titles = {spec.SHEET_IDENTITAS: ["IDENTITAS SATKER"]}
    (f,) = run(book, tmp_path, "ID-SATKER")
    assert (f.sheet, f.cell) == (spec.SHEET_IDENTITAS, "A2")
    assert "Baris 'Kode Satker' tidak ada" in f.message


@pytest.mark.parametrize(
    ("value", "ok"),
    [(2026, True), ("2026", True), (2000, True), (2100, True), (1999, False), (2101, False),
     ("TA 2026", False), (2026.5, False), (None, False), (dt.date(2026, 1, 1), False)],
)
def test_tahun(tmp_path: Path, value: object, ok: bool) -> None:
    book = standard_book()
    book.identitas[spec.ID_TAHUN] = value
    found = run(book, tmp_path, "ID-TAHUN")
    assert (found == []) is ok
    if not ok:
        assert found[0].cell == _id_ref(book, spec.ID_TAHUN)


def test_tahun_suggestion_takes_year_from_text(tmp_path: Path) -> None:
    book = standard_book()
    book.identitas[spec.ID_TAHUN] = "TA 2026"
    (f,) = run(book, tmp_path, "ID-TAHUN")
    assert f.suggestion == "Tulis tahunnya saja sebagai angka: 2026."


def test_nip_both_checked(tmp_path: Path) -> None:
    book = standard_book()
    book.identitas[spec.ID_NIP_KEPALA] = "19700101200003100"  # 17 digits
    book.identitas[spec.ID_NIP_KASI] = 198005052005012002  # a number: precision lost
    found = run(book, tmp_path, "ID-NIP")
    assert [f.cell for f in found] == [
        _id_ref(book, spec.ID_NIP_KEPALA),
        _id_ref(book, spec.ID_NIP_KASI),
    ]
    assert all(f.severity == "warning" for f in found)
    assert "17 digit" in (found[0].suggestion or "")
    assert "15 digit" in found[1].message


def test_nip_with_group_spaces_is_accepted(tmp_path: Path) -> None:
    book = standard_book()
    book.identitas[spec.ID_NIP_KEPALA] = "19700101 200003 1 001"
    book.identitas[spec.ID_NIP_KASI] = "1980.0505.2005.0120.02"
    found = run(book, tmp_path, "ID-NIP")
    assert [f.cell for f in found] == [_id_ref(book, spec.ID_NIP_KASI)]
    assert found[0].suggestion == "Tulis NIP hanya dengan angka: '198005052005012002."


def test_email_each_address_checked(tmp_path: Path) -> None:
    book = standard_book()
    book.identitas[spec.ID_EMAIL] = "kepala@contoh.go.id, bukan-email, program@contoh.go.id,, x@y"
    found = run(book, tmp_path, "ID-EMAIL")
    cell = _id_ref(book, spec.ID_EMAIL)
    assert {f.cell for f in found} == {cell}
    assert [f.value for f in found if f.value != book.identitas[spec.ID_EMAIL]] == ["bukan-email", "x@y"]
    assert any("alamat kosong" in f.message for f in found)
    assert len(found) == 3


def test_email_empty_and_trailing_comma(tmp_path: Path) -> None:
    book = standard_book()
    book.identitas[spec.ID_EMAIL] = None
    (f,) = run(book, tmp_path, "ID-EMAIL")
    assert "kosong" in f.message and f.severity == "warning"
    book.identitas[spec.ID_EMAIL] = "a@contoh.go.id; b@contoh.go.id,"
    assert run(book, tmp_path, "ID-EMAIL") == []


def test_email_suggestion_extracts_address(tmp_path: Path) -> None:
    book = standard_book()
    book.identitas[spec.ID_EMAIL] = "Kepala <kepala@contoh.go.id>"
    (f,) = run(book, tmp_path, "ID-EMAIL")
    assert f.suggestion == "Tulis alamatnya saja: kepala@contoh.go.id."


def test_identity_rules_silent_without_identitas_sheet(tmp_path: Path) -> None:
    book = standard_book()
    book.drop = {spec.SHEET_IDENTITAS}
    path = book.write(tmp_path / "noid.xlsx")
    data = read_workbook(path)
    found = list(run_rules(data, Settings(today="2026-06-15"), only=MINE))
    assert [f.rule for f in found] == ["STR-SHEET"]
