"""REF-* and REN-* rules on workbooks built by tests/wbfactory.py."""

from __future__ import annotations

from pathlib import Path

import pytest
from wbfactory import RO_DINAMIS, RO_STATIS, Book, standard_book

from sopxl.core import spec
from sopxl.core.config import Settings
from sopxl.core.findings import Finding
from sopxl.read.workbook import read_workbook
from sopxl.rules.base import run_rules

MINE = ("REF-KODE", "REF-DUPLIKAT", "REF-NILAI", "REN-RO", "REN-TARGET", "REN-PAGU")
REF = spec.SHEET_REFERENSI
REN = spec.SHEET_RENCANA


def run(book: Book, tmp_path: Path, rule_id: str) -> list[Finding]:
    path = book.write(tmp_path / f"{rule_id}.xlsx")
    return list(run_rules(read_workbook(path), Settings(today="2026-06-15"), only=[rule_id]))


def plan_index(book: Book, ro: str, month: int) -> int:
    for i, row in enumerate(book.rencana):
        if row[spec.COL_KODE_RO] == ro and spec.month_number(row[spec.COL_BULAN]) == month:
            return i
    raise KeyError((ro, month))


@pytest.mark.parametrize("rule_id", MINE)
def test_standard_book_is_clean(tmp_path: Path, rule_id: str) -> None:
    assert run(standard_book(), tmp_path, rule_id) == []


# ---- REF-KODE -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("code", "suggested"),
    [
        ("013.07.wa.4293.eba.962", "013.07.WA.4293.EBA.962"),
        ("013.07.WA.4293.EBA 962", "013.07.WA.4293.EBA.962"),
        ("013,07,WA,4293,EBA,962", "013.07.WA.4293.EBA.962"),
        ("13.07.WA.4293.EBA.962", None),
        ("EBA.962", None),
    ],
)
def test_bad_codes(tmp_path: Path, code: str, suggested: str | None) -> None:
    book = standard_book()
    book.referensi[0][spec.COL_KODE_RO] = code
    found = run(book, tmp_path, "REF-KODE")
    assert [(f.sheet, f.cell, f.value) for f in found] == [(REF, "A2", code)]
    assert found[0].severity == "error"
    if suggested:
        assert found[0].suggestion == f"Tulis '{suggested}'."
    else:
        assert "000.00.XX.0000.XXX.000" in (found[0].suggestion or "")


def test_special_ro_and_padded_code_accepted(tmp_path: Path) -> None:
    book = standard_book()
    book.referensi[0][spec.COL_KODE_RO] = "013.07.WA.4293.EBA.ZZ1"
    book.referensi[1][spec.COL_KODE_RO] = "  013.07.WA.4293.SBA.001 "
    assert run(book, tmp_path, "REF-KODE") == []


def test_blank_code_in_a_data_row(tmp_path: Path) -> None:
    book = standard_book()
    book.referensi[1][spec.COL_KODE_RO] = None
    found = run(book, tmp_path, "REF-KODE")
    assert [(f.cell, f.ro) for f in found] == [("A3", None)]
    assert "kosong" in found[0].message


# ---- REF-DUPLIKAT -------------------------------------------------------------------------


def test_duplicate_code_reported_at_repeat(tmp_path: Path) -> None:
    book = standard_book()
    book.referensi.append(dict(book.referensi[0]))
    book.referensi.append({**book.referensi[1], spec.COL_KODE_RO: RO_DINAMIS.lower()})
    found = run(book, tmp_path, "REF-DUPLIKAT")
    assert [(f.cell, f.ro) for f in found] == [("A4", RO_STATIS), ("A5", RO_DINAMIS.lower())]
    assert "baris 2" in found[0].message
    assert found[0].suggestion == "Hapus baris 4 atau gabungkan isinya dengan baris 2."


# ---- REF-NILAI ----------------------------------------------------------------------------


def test_bad_reference_values_each_at_their_cell(tmp_path: Path) -> None:
    book = standard_book()
    book.referensi[0].update(
        {spec.COL_SATUAN: None, spec.COL_JENIS_RO: "Tetap", spec.COL_TARGET_VOLUME: 0}
    )
    book.referensi[1].update({spec.COL_TARGET_VOLUME: "120 orang", spec.COL_PAGU: -5})
    found = run(book, tmp_path, "REF-NILAI")
    got = {(f.cell, f.ro) for f in found}
    ref0 = lambda col: book.ref(REF, 0, col)  # noqa: E731
    ref1 = lambda col: book.ref(REF, 1, col)  # noqa: E731
    assert got == {
        (ref0(spec.COL_SATUAN), RO_STATIS),
        (ref0(spec.COL_JENIS_RO), RO_STATIS),
        (ref0(spec.COL_TARGET_VOLUME), RO_STATIS),
        (ref1(spec.COL_TARGET_VOLUME), RO_DINAMIS),
        (ref1(spec.COL_PAGU), RO_DINAMIS),
    }
    by_cell = {f.cell: f for f in found}
    assert by_cell[ref1(spec.COL_TARGET_VOLUME)].suggestion == "Tulis 120 sebagai angka (tanpa satuan atau teks)."
    assert "negatif" in by_cell[ref1(spec.COL_PAGU)].message


@pytest.mark.parametrize("jenis", ["statis", " DINAMIS ", "Dinamis"])
def test_jenis_case_and_space_variants_accepted(tmp_path: Path, jenis: str) -> None:
    book = standard_book()
    book.referensi[0][spec.COL_JENIS_RO] = jenis
    assert run(book, tmp_path, "REF-NILAI") == []


def test_jenis_typo_gets_suggestion(tmp_path: Path) -> None:
    book = standard_book()
    book.referensi[0][spec.COL_JENIS_RO] = "Dinamik"
    (f,) = run(book, tmp_path, "REF-NILAI")
    assert f.suggestion == "Tulis 'Dinamis'."


def test_pagu_as_text(tmp_path: Path) -> None:
    book = standard_book()
    book.referensi[0][spec.COL_PAGU] = "Rp 120.000.000"
    (f,) = run(book, tmp_path, "REF-NILAI")
    assert f.cell == book.ref(REF, 0, spec.COL_PAGU)
    assert f.suggestion is not None and f.suggestion.startswith("Tulis 120000000 sebagai angka")


def test_pagu_zero_is_allowed_empty_is_not(tmp_path: Path) -> None:
    book = standard_book()
    book.referensi[0][spec.COL_PAGU] = 0
    assert run(book, tmp_path, "REF-NILAI") == []
    book.referensi[0][spec.COL_PAGU] = None
    (f,) = run(book, tmp_path, "REF-NILAI")
    assert f.message == "Pagu kosong."


# ---- REN-RO -------------------------------------------------------------------------------


def test_plan_row_for_unknown_ro(tmp_path: Path) -> None:
    book = standard_book()
    book.rencana.append(
        {spec.COL_KODE_RO: "013.07.WA.4293.XYZ.999", spec.COL_BULAN: "Januari",
         spec.COL_TARGET_PROGRES: 10, spec.COL_RPD: 0}
    )
    found = run(book, tmp_path, "REN-RO")
    assert [(f.sheet, f.cell, f.ro) for f in found] == [
        (REN, book.ref(REN, len(book.rencana) - 1, spec.COL_KODE_RO), "013.07.WA.4293.XYZ.999")
    ]
    assert "tidak ada di lembar Referensi RO" in found[0].message


def test_missing_plan_months_listed_at_reference_cell(tmp_path: Path) -> None:
    book = standard_book()
    for month in (3, 11):
        del book.rencana[plan_index(book, RO_DINAMIS, month)]
    found = run(book, tmp_path, "REN-RO")
    assert [(f.sheet, f.cell, f.ro) for f in found] == [(REF, "A3", RO_DINAMIS)]
    assert "Maret, November" in found[0].message


def test_ro_without_any_plan(tmp_path: Path) -> None:
    book = standard_book()
    book.rencana = [r for r in book.rencana if r[spec.COL_KODE_RO] != RO_STATIS]
    (f,) = run(book, tmp_path, "REN-RO")
    assert f.cell == "A2" and "sama sekali tidak ada" in f.message


def test_month_numbers_and_case_accepted_bad_month_reported(tmp_path: Path) -> None:
    book = standard_book()
    for i, row in enumerate(book.rencana):
        if row[spec.COL_KODE_RO] == RO_STATIS:
            row[spec.COL_BULAN] = spec.month_number(row[spec.COL_BULAN])  # 1..12 as numbers
        elif i % 2:
            row[spec.COL_BULAN] = f"  {row[spec.COL_BULAN].upper()} "
    assert run(book, tmp_path, "REN-RO") == []
    may = plan_index(book, RO_STATIS, 5)
    book.rencana[may][spec.COL_BULAN] = "Mai"
    found = run(book, tmp_path, "REN-RO")
    cells = {f.cell for f in found}
    assert book.ref(REN, may, spec.COL_BULAN) in cells
    assert any("Mei" in f.message and f.sheet == REF for f in found)


def test_duplicate_plan_month(tmp_path: Path) -> None:
    book = standard_book()
    book.rencana.append(dict(book.rencana[0]))
    (f,) = run(book, tmp_path, "REN-RO")
    assert f.cell == book.ref(REN, len(book.rencana) - 1, spec.COL_KODE_RO)
    assert "ganda" in f.message


# ---- REN-TARGET ---------------------------------------------------------------------------


def test_target_out_of_range_decreasing_and_december(tmp_path: Path) -> None:
    book = standard_book()
    book.rencana[plan_index(book, RO_STATIS, 2)][spec.COL_TARGET_PROGRES] = 120
    book.rencana[plan_index(book, RO_STATIS, 6)][spec.COL_TARGET_PROGRES] = 30  # May is 41.67
    book.rencana[plan_index(book, RO_DINAMIS, 12)][spec.COL_TARGET_PROGRES] = 95
    found = run(book, tmp_path, "REN-TARGET")
    cell = lambda ro, m: book.ref(REN, plan_index(book, ro, m), spec.COL_TARGET_PROGRES)  # noqa: E731
    assert [f.cell for f in found] == [
        cell(RO_STATIS, 2), cell(RO_STATIS, 6), cell(RO_DINAMIS, 12)
    ]
    assert "di luar 0–100" in found[0].message
    assert "turun dari 41,67 (Mei) menjadi 30 (Juni)" in found[1].message
    assert found[1].suggestion == "Isi paling sedikit 41,67 (target kumulatif tidak boleh turun)."
    assert "Desember 95, bukan 100" in found[2].message


def test_target_as_text(tmp_path: Path) -> None:
    book = standard_book()
    book.rencana[plan_index(book, RO_STATIS, 3)][spec.COL_TARGET_PROGRES] = "25%"
    (f,) = run(book, tmp_path, "REN-TARGET")
    assert f.suggestion == "Tulis 25 sebagai angka."


def test_fraction_plan_flags_december(tmp_path: Path) -> None:
    book = standard_book()
    for row in book.rencana:
        if row[spec.COL_KODE_RO] == RO_STATIS:
            row[spec.COL_TARGET_PROGRES] = row[spec.COL_TARGET_PROGRES] / 100
    (f,) = run(book, tmp_path, "REN-TARGET")
    assert f.cell == book.ref(REN, plan_index(book, RO_STATIS, 12), spec.COL_TARGET_PROGRES)
    assert "pecahan" in (f.suggestion or "")


# ---- REN-PAGU -----------------------------------------------------------------------------


def test_rpd_sum_differs_from_pagu(tmp_path: Path) -> None:
    book = standard_book()
    book.rencana[plan_index(book, RO_DINAMIS, 4)][spec.COL_RPD] = 50_000_000 + 1_250_000
    found = run(book, tmp_path, "REN-PAGU")
    assert [(f.sheet, f.cell, f.ro, f.severity) for f in found] == [
        (REF, book.ref(REF, 1, spec.COL_PAGU), RO_DINAMIS, "warning")
    ]
    s = found[0].suggestion or ""
    assert "Jumlah RPD Rp 601.250.000" in s
    assert "pagu Rp 600.000.000" in s
    assert "RPD lebih Rp 1.250.000" in s


def test_rpd_rounding_below_half_rupiah_ignored(tmp_path: Path) -> None:
    book = standard_book()
    book.rencana[plan_index(book, RO_STATIS, 4)][spec.COL_RPD] = 10_000_000.3
    assert run(book, tmp_path, "REN-PAGU") == []
