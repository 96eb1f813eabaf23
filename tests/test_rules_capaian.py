"""The monthly-sheet rules (CAP-*): each fires at the right cell, and stays silent on good data."""

from __future__ import annotations

import datetime as dt
import random
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given
from hypothesis import settings as hsettings
from hypothesis import strategies as st
from wbfactory import RO_DINAMIS, RO_STATIS, Book, Err, Formula, standard_book

from sopxl.core import spec
from sopxl.core.config import Settings
from sopxl.core.errors import InvalidInput
from sopxl.core.findings import Finding
from sopxl.read.workbook import CellError, WorkbookData, WorkbookReader, find_table, read_workbook
from sopxl.rules.base import CATALOGUE, run_rules
from sopxl.rules.validate import check

TODAY = Settings(today="2026-11-24")
CAP_RULES = [r for r in CATALOGUE if r.startswith("CAP-")]


def run(book: Book, tmp_path: Path, settings: Settings = TODAY, name: str = "b.xlsx") -> list[Finding]:
    path = book.write(tmp_path / name)
    return check(read_workbook(path), settings).findings


def only(findings: list[Finding], rule_id: str) -> list[Finding]:
    return [f for f in findings if f.rule == rule_id]


def one(findings: list[Finding], rule_id: str) -> Finding:
    found = only(findings, rule_id)
    assert len(found) == 1, [(f.rule, f.sheet, f.cell, f.message) for f in found]
    return found[0]


def cap(findings: list[Finding]) -> list[tuple[str, str, str]]:
    return [(f.rule, f.sheet, f.cell) for f in findings if f.rule.startswith("CAP-")]


# ---- catalogue and baseline ----------------------------------------------------------------


def test_every_cap_rule_is_registered_in_rules_md_order() -> None:
    assert CAP_RULES == [
        "CAP-RO-ASING", "CAP-RO-HILANG", "CAP-DUPLIKAT", "CAP-KOSONG", "CAP-ANGKA", "CAP-NEGATIF",
        "CAP-SATUAN", "CAP-TARGET", "CAP-PERSEN", "CAP-PERSEN-PECAHAN", "CAP-PROGRES-TURUN",
        "CAP-KUMULATIF", "CAP-MELEBIHI-TARGET", "CAP-PROGRES-VOLUME", "CAP-KENDALA", "CAP-TANGGAL",
        "CAP-TERLAMBAT", "CAP-PAGU", "CAP-DEVIASI-RPD", "CAP-MENDAHULUI", "CAP-DESIMAL",
        "CAP-PROGRES-ANGGARAN", "CAP-BELANJA-TANPA-PROGRES",
    ]  # fmt: skip
    assert CATALOGUE["CAP-TERLAMBAT"].severity == "warning"
    assert all(CATALOGUE[r].title for r in CAP_RULES)


@pytest.mark.parametrize(("months", "today"), [(1, "2026-11-24"), (3, "2026-11-24"), (12, "2027-03-01")])
def test_consistent_workbook_has_no_cap_findings(tmp_path: Path, months: int, today: str) -> None:
    assert cap(run(standard_book(months), tmp_path, Settings(today=today))) == []


def test_layout_knobs_title_rows_reordered_columns_renamed_sheet(tmp_path: Path) -> None:
    book = standard_book(3)
    book.titles["Februari"] = ["CAPAIAN OUTPUT BULAN FEBRUARI 2026", ""]
    book.columns["Februari"] = list(reversed(spec.MONTH_COLUMNS))
    book.sheet_names["Februari"] = "  februari "
    i = book.index_of(2, RO_STATIS)
    book.months[2][i][spec.COL_RVRO_KUM] = 7
    findings = run(book, tmp_path)
    f = one(findings, "CAP-KUMULATIF")
    assert (f.sheet, f.cell, f.ro) == ("  februari ", book.month_ref(2, i, spec.COL_RVRO_KUM), RO_STATIS)
    assert f.cell == "H4"  # reversed order: Kumulatif is the 8th column; header on row 3
    assert f.suggestion == "Realisasi Volume Kumulatif seharusnya 2"
    assert len(cap(findings)) == 1


# ---- CAP-RO-ASING ------------------------------------------------------------------------


def test_ro_asing_fires_on_unknown_code(tmp_path: Path) -> None:
    book = standard_book(3)
    book.months[2][1][spec.COL_KODE_RO] = "013.07.WA.4293.EBA.999"
    book.columns["Februari"] = [spec.COL_URAIAN_RO, *(c for c in spec.MONTH_COLUMNS if c != spec.COL_URAIAN_RO)]
    f = one(run(book, tmp_path), "CAP-RO-ASING")
    # a whole-row finding: the first cell of the row, although Kode RO is in column B here
    assert (f.sheet, f.cell, f.ro, f.value) == ("Februari", "A3", "013.07.WA.4293.EBA.999", "013.07.WA.4293.EBA.999")
    assert book.month_ref(2, 1, spec.COL_KODE_RO) == "B3"
    assert f.severity == "error"
    assert "Referensi RO" in (f.suggestion or "")


def test_ro_asing_suggests_the_code_meant_and_flags_blank_code(tmp_path: Path) -> None:
    book = standard_book(3)
    book.months[1][0][spec.COL_KODE_RO] = "013.07.wa.4293.eba.962 "
    book.months[3][1][spec.COL_KODE_RO] = None
    found = only(run(book, tmp_path), "CAP-RO-ASING")
    assert [(f.sheet, f.cell) for f in found] == [("Januari", "A2"), ("Maret", "A3")]
    assert found[0].suggestion == f"tulis Kode RO persis seperti di Referensi RO: {RO_STATIS}"
    assert found[1].ro is None and "kosong" in found[1].message


def test_ro_asing_silent_after_reporting_month_and_without_referensi(tmp_path: Path) -> None:
    book = standard_book(3)
    book.months[5][0][spec.COL_KODE_RO] = "013.07.WA.4293.EBA.999"
    assert only(run(book, tmp_path), "CAP-RO-ASING") == []
    book = standard_book(3)
    book.months[2][0][spec.COL_KODE_RO] = "013.07.WA.4293.EBA.999"
    book.drop.add(spec.SHEET_REFERENSI)
    assert only(run(book, tmp_path, name="noref.xlsx"), "CAP-RO-ASING") == []


# ---- CAP-RO-HILANG -----------------------------------------------------------------------


def test_ro_hilang_is_a_whole_sheet_finding_at_a1(tmp_path: Path) -> None:
    book = standard_book(3)
    del book.months[2][book.index_of(2, RO_DINAMIS)]
    book.titles["Maret"] = ["CAPAIAN OUTPUT", "BULAN MARET 2026"]
    del book.months[3][book.index_of(3, RO_STATIS)]
    found = only(run(book, tmp_path), "CAP-RO-HILANG")
    assert [(f.sheet, f.cell, f.ro) for f in found] == [("Februari", "A1", RO_DINAMIS), ("Maret", "A1", RO_STATIS)]
    assert RO_DINAMIS in found[0].message and RO_DINAMIS in (found[0].suggestion or "")


def test_ro_hilang_silent_for_months_after_reporting_month(tmp_path: Path) -> None:
    book = standard_book(3)
    book.months[4] = []
    assert only(run(book, tmp_path), "CAP-RO-HILANG") == []


# ---- CAP-DUPLIKAT ------------------------------------------------------------------------


def test_duplikat_names_first_cell_of_the_repeated_row(tmp_path: Path) -> None:
    book = standard_book(3)
    book.months[1].append(dict(book.months[1][0]))
    findings = run(book, tmp_path)
    f = one(findings, "CAP-DUPLIKAT")
    assert (f.sheet, f.cell, f.ro) == ("Januari", "A4", RO_STATIS)
    assert "baris 4" in f.message and "baris 2" in f.message
    # the repeated row is not counted twice in the running sums
    assert only(findings, "CAP-KUMULATIF") == []


def test_duplikat_silent_when_codes_differ(tmp_path: Path) -> None:
    assert only(run(standard_book(3), tmp_path), "CAP-DUPLIKAT") == []


# ---- CAP-KOSONG --------------------------------------------------------------------------


def test_kosong_fires_per_empty_required_cell(tmp_path: Path) -> None:
    book = standard_book(3)
    row = book.row_of(3, RO_STATIS)
    row[spec.COL_PROGRES] = None
    row[spec.COL_ANGGARAN] = None
    found = only(run(book, tmp_path), "CAP-KOSONG")
    assert [(f.sheet, f.cell, f.ro) for f in found] == [
        ("Maret", book.month_ref(3, 0, spec.COL_PROGRES), RO_STATIS),
        ("Maret", book.month_ref(3, 0, spec.COL_ANGGARAN), RO_STATIS),
    ]
    assert found[1].suggestion == "isi realisasi anggaran bulan Maret; tulis 0 bila tidak ada"


def test_kosong_silent_for_months_not_yet_reported(tmp_path: Path) -> None:
    book = standard_book(3)
    assert only(run(book, tmp_path), "CAP-KOSONG") == []  # April..Desember are empty
    book.identitas[spec.ID_BULAN] = "April"
    found = only(run(book, tmp_path, name="april.xlsx"), "CAP-KOSONG")
    # April is wholly empty: one finding at its first data cell, not four per RO
    assert [(f.sheet, f.cell, f.ro) for f in found] == [("April", book.month_ref(4, 0, spec.COL_RVRO), None)]
    assert "Lembar April belum diisi" in found[0].message and "2 RO" in found[0].message
    assert "bulan pelaporan adalah April" in found[0].message


# ---- CAP-ANGKA ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("column", "text", "suggestion"),
    [
        (spec.COL_RVRO, "1.234,5", "tulis 1234,5 sebagai angka"),
        (spec.COL_RVRO, "10 paket", "tulis 10 sebagai angka"),
        (spec.COL_ANGGARAN, "Rp 5.000.000", "tulis 5000000 sebagai angka"),
        (spec.COL_PROGRES, "45%", "tulis 45 sebagai angka"),
        (spec.COL_TARGET_VOLUME, "dua belas", "tulis Target Volume sebagai angka"),
    ],
)
def test_angka_suggests_the_number_meant(tmp_path: Path, column: str, text: str, suggestion: str) -> None:
    book = standard_book(3)
    book.months[2][0][column] = text
    findings = run(book, tmp_path)
    f = one(findings, "CAP-ANGKA")
    assert (f.sheet, f.cell, f.ro, f.value) == ("Februari", book.month_ref(2, 0, column), RO_STATIS, text)
    assert f.suggestion == suggestion
    # no cascade: arithmetic rules leave the text cell (and running sums through it) alone
    for other in ("CAP-KUMULATIF", "CAP-NEGATIF", "CAP-TARGET", "CAP-MELEBIHI-TARGET", "CAP-PAGU", "CAP-KOSONG"):
        assert only(findings, other) == [], other


def test_angka_flags_booleans_but_not_numbers_or_error_values(tmp_path: Path) -> None:
    book = standard_book(3)
    book.months[1][0][spec.COL_RVRO_KUM] = Formula("=E2", 1)
    book.months[1][1][spec.COL_ANGGARAN] = Err("#REF!", "=#REF!")
    book.months[3][1][spec.COL_RVRO] = True
    findings = run(book, tmp_path)
    f = one(findings, "CAP-ANGKA")
    assert (f.sheet, f.cell, f.value) == ("Maret", book.month_ref(3, 1, spec.COL_RVRO), True)
    assert "nilai logika" in f.message
    assert only(findings, "CAP-DEVIASI-RPD") == []  # the #REF! cell is not arithmetic material


# ---- CAP-NEGATIF -------------------------------------------------------------------------


def test_negatif_fires_on_negative_volume_and_amount(tmp_path: Path) -> None:
    book = standard_book(3)
    book.months[2][1][spec.COL_ANGGARAN] = -5_000_000
    book.months[3][0][spec.COL_RVRO] = -1
    found = only(run(book, tmp_path), "CAP-NEGATIF")
    assert [(f.sheet, f.cell, f.ro) for f in found] == [
        ("Februari", book.month_ref(2, 1, spec.COL_ANGGARAN), RO_DINAMIS),
        ("Maret", book.month_ref(3, 0, spec.COL_RVRO), RO_STATIS),
    ]
    assert "Rp -5.000.000" in found[0].message
    assert found[1].suggestion == "tulis 1 bila tanda minus salah ketik, atau 0"


def test_negatif_silent_on_zero(tmp_path: Path) -> None:
    book = standard_book(3)
    book.months[2][1][spec.COL_ANGGARAN] = 0
    assert only(run(book, tmp_path), "CAP-NEGATIF") == []


# ---- CAP-SATUAN --------------------------------------------------------------------------


def test_satuan_fires_on_other_unit(tmp_path: Path) -> None:
    book = standard_book(3)
    book.months[3][0][spec.COL_SATUAN] = "Paket"
    f = one(run(book, tmp_path), "CAP-SATUAN")
    assert (f.sheet, f.cell, f.ro, f.value) == ("Maret", book.month_ref(3, 0, spec.COL_SATUAN), RO_STATIS, "Paket")
    assert f.suggestion == 'tulis Satuan "Layanan"'


def test_satuan_ignores_case_and_spacing(tmp_path: Path) -> None:
    book = standard_book(3)
    book.months[3][1][spec.COL_SATUAN] = "  ORANG "
    assert only(run(book, tmp_path), "CAP-SATUAN") == []


# ---- CAP-TARGET --------------------------------------------------------------------------


def test_target_volume_and_progres_compared_with_referensi_and_rencana(tmp_path: Path) -> None:
    book = standard_book(3)
    book.months[1][0][spec.COL_TARGET_VOLUME] = 10
    book.months[2][1][spec.COL_TARGET_PROGRES] = 20
    found = only(run(book, tmp_path), "CAP-TARGET")
    assert [(f.sheet, f.cell, f.ro) for f in found] == [
        ("Januari", book.month_ref(1, 0, spec.COL_TARGET_VOLUME), RO_STATIS),
        ("Februari", book.month_ref(2, 1, spec.COL_TARGET_PROGRES), RO_DINAMIS),
    ]
    assert found[0].suggestion == "Target Volume seharusnya 12 (sesuai Referensi RO)"
    assert found[1].suggestion == "Target Progres seharusnya 16,67 (sesuai lembar Rencana)"


def test_target_accepts_formulas_and_leaves_fractions_to_pecahan(tmp_path: Path) -> None:
    book = standard_book(3)
    book.months[2][0][spec.COL_TARGET_PROGRES] = Formula("=Rencana!C3", 16.67)
    book.months[3][0][spec.COL_TARGET_PROGRES] = 0.25  # 25 % written as a fraction
    findings = run(book, tmp_path)
    assert only(findings, "CAP-TARGET") == []
    assert one(findings, "CAP-PERSEN-PECAHAN").cell == book.month_ref(3, 0, spec.COL_TARGET_PROGRES)


# ---- CAP-PERSEN / CAP-PERSEN-PECAHAN -----------------------------------------------------


def test_persen_fires_outside_0_100(tmp_path: Path) -> None:
    book = standard_book(3)
    book.months[3][0][spec.COL_PROGRES] = 120
    f = one(run(book, tmp_path), "CAP-PERSEN")
    assert (f.sheet, f.cell, f.ro, f.value) == ("Maret", book.month_ref(3, 0, spec.COL_PROGRES), RO_STATIS, 120)
    assert "120 %" in f.message


def test_persen_accepts_0_and_100(tmp_path: Path) -> None:
    book = standard_book(3)
    book.months[1][0][spec.COL_PROGRES] = 0
    book.months[3][1][spec.COL_PROGRES] = 100
    assert only(run(book, tmp_path), "CAP-PERSEN") == []


def test_pecahan_warns_and_gives_the_percent(tmp_path: Path) -> None:
    book = standard_book(3)
    book.months[3][1][spec.COL_PROGRES] = 0.45
    f = one(run(book, tmp_path), "CAP-PERSEN-PECAHAN")
    assert (f.severity, f.sheet, f.cell, f.ro) == ("warning", "Maret", book.month_ref(3, 1, spec.COL_PROGRES), RO_DINAMIS)
    assert f.suggestion == "bila maksudnya 45 %, tulis 45"


def test_pecahan_silent_on_whole_percents(tmp_path: Path) -> None:
    book = standard_book(3)
    book.months[3][1][spec.COL_PROGRES] = 1
    assert only(run(book, tmp_path), "CAP-PERSEN-PECAHAN") == []


# ---- CAP-PROGRES-TURUN -------------------------------------------------------------------


def test_progres_turun_fires_when_cumulative_progress_drops(tmp_path: Path) -> None:
    book = standard_book(3)
    book.months[2][0][spec.COL_PROGRES] = 5
    f = one(run(book, tmp_path), "CAP-PROGRES-TURUN")
    assert (f.sheet, f.cell, f.ro, f.value) == ("Februari", book.month_ref(2, 0, spec.COL_PROGRES), RO_STATIS, 5)
    assert f.suggestion == "tulis progres kumulatif paling sedikit 8,33"


def test_progres_turun_silent_on_equal_progress(tmp_path: Path) -> None:
    book = standard_book(3)
    book.months[2][0][spec.COL_PROGRES] = 8.33
    book.months[2][0][spec.COL_KENDALA] = "Pengadaan tertunda"
    book.months[2][0][spec.COL_TINDAK_LANJUT] = "Percepatan lelang"
    assert only(run(book, tmp_path), "CAP-PROGRES-TURUN") == []


# ---- CAP-KUMULATIF -----------------------------------------------------------------------


def test_kumulatif_fires_and_gives_the_running_sum(tmp_path: Path) -> None:
    book = standard_book(3)
    book.months[3][1][spec.COL_RVRO_KUM] = 25
    book.months[2][0][spec.COL_RVRO_KUM] = None  # emptied while the month's volume is there
    found = only(run(book, tmp_path), "CAP-KUMULATIF")
    assert [(f.sheet, f.cell, f.ro, f.suggestion) for f in found] == [
        ("Februari", book.month_ref(2, 0, spec.COL_RVRO_KUM), RO_STATIS, "Realisasi Volume Kumulatif seharusnya 2"),
        ("Maret", book.month_ref(3, 1, spec.COL_RVRO_KUM), RO_DINAMIS, "Realisasi Volume Kumulatif seharusnya 30"),
    ]


def test_kumulatif_accepts_formulas_and_skips_unknown_sums(tmp_path: Path) -> None:
    book = standard_book(3)
    book.months[3][0][spec.COL_RVRO_KUM] = Formula("=Februari!F2+E2", 3)
    book.months[1][1][spec.COL_RVRO] = "sepuluh"  # the running sum is unknown from Januari on
    book.months[3][1][spec.COL_RVRO_KUM] = 999
    assert only(run(book, tmp_path), "CAP-KUMULATIF") == []


# ---- CAP-MELEBIHI-TARGET -----------------------------------------------------------------


def test_melebihi_target_error_for_statis_once(tmp_path: Path) -> None:
    book = standard_book(3)
    book.months[2][0][spec.COL_RVRO] = 15  # 1 + 15 = 16 > 12
    findings = run(book, tmp_path)
    f = one(findings, "CAP-MELEBIHI-TARGET")  # Februari only, not again in Maret
    assert (f.severity, f.sheet, f.cell, f.ro) == ("error", "Februari", book.month_ref(2, 0, spec.COL_RVRO), RO_STATIS)
    assert f.suggestion is not None and f.suggestion.endswith("paling banyak 11")


def test_melebihi_target_warning_for_dinamis(tmp_path: Path) -> None:
    book = standard_book(3)
    book.months[3][1][spec.COL_RVRO] = 200
    f = one(run(book, tmp_path), "CAP-MELEBIHI-TARGET")
    assert (f.severity, f.sheet, f.cell, f.ro) == ("warning", "Maret", book.month_ref(3, 1, spec.COL_RVRO), RO_DINAMIS)


def test_melebihi_target_silent_when_target_reached_exactly(tmp_path: Path) -> None:
    book = standard_book(3)
    book.months[3][0][spec.COL_RVRO] = 10  # 1 + 1 + 10 = 12
    assert only(run(book, tmp_path), "CAP-MELEBIHI-TARGET") == []


# ---- CAP-PROGRES-VOLUME ------------------------------------------------------------------


def test_progres_volume_both_directions(tmp_path: Path) -> None:
    book = standard_book(3)
    book.months[2][1][spec.COL_PROGRES] = 100  # volume only 20 of 120
    book.months[3][0][spec.COL_RVRO] = 10  # volume 12 of 12, progres 25
    book.months[3][0][spec.COL_RVRO_KUM] = 12  # the volume is consistent: either cell may be wrong
    found = only(run(book, tmp_path), "CAP-PROGRES-VOLUME")
    assert [(f.severity, f.sheet, f.cell, f.ro) for f in found] == [
        ("warning", "Februari", book.month_ref(2, 1, spec.COL_PROGRES), RO_DINAMIS),
        ("warning", "Maret", book.month_ref(3, 0, spec.COL_PROGRES), RO_STATIS),
    ]
    assert "16,67 %" in (found[0].suggestion or "")
    # both readings, the progres not asserted wrong (tests/test_causes.py: a wrong volume)
    assert found[1].suggestion == (
        "periksa Progres Capaian atau Realisasi Volume: bila volume 12 benar, Progres Capaian 100; "
        "bila progres 25 % benar, realisasi volume kumulatif sekitar 3"
    )


def test_progres_volume_silent_when_consistent(tmp_path: Path) -> None:
    book = standard_book(3)
    row = book.row_of(3, RO_STATIS)
    row[spec.COL_RVRO] = 10
    row[spec.COL_RVRO_KUM] = 12
    row[spec.COL_PROGRES] = 100
    assert only(run(book, tmp_path), "CAP-PROGRES-VOLUME") == []


# ---- CAP-KENDALA -------------------------------------------------------------------------


def test_kendala_fires_when_behind_plan_without_explanation(tmp_path: Path) -> None:
    book = standard_book(3)
    book.months[3][0][spec.COL_PROGRES] = 20  # plan 25
    book.months[3][1][spec.COL_PROGRES] = 20
    book.months[3][1][spec.COL_KENDALA] = "Peserta belum lengkap"
    found = only(run(book, tmp_path), "CAP-KENDALA")
    assert [(f.sheet, f.cell, f.ro) for f in found] == [
        ("Maret", book.month_ref(3, 0, spec.COL_KENDALA), RO_STATIS),
        ("Maret", book.month_ref(3, 1, spec.COL_TINDAK_LANJUT), RO_DINAMIS),
    ]
    assert found[0].suggestion == "isi Kendala dan Tindak Lanjut karena progres 20 % di bawah target 25 %"
    assert found[1].suggestion == "isi Tindak Lanjut karena progres 20 % di bawah target 25 %"


def test_kendala_silent_when_explained_or_on_plan(tmp_path: Path) -> None:
    book = standard_book(3)
    row = book.row_of(3, RO_STATIS)
    row[spec.COL_PROGRES] = 20
    row[spec.COL_KENDALA] = "Pengadaan tertunda"
    row[spec.COL_TINDAK_LANJUT] = "Percepatan lelang"
    book.months[3][1][spec.COL_PROGRES] = 30  # ahead of plan
    assert only(run(book, tmp_path), "CAP-KENDALA") == []


# ---- CAP-TANGGAL -------------------------------------------------------------------------


def test_tanggal_text_future_and_early_dates(tmp_path: Path) -> None:
    book = standard_book(3)
    book.months[1][0][spec.COL_TANGGAL] = "5 Februari 2026"
    book.months[2][1][spec.COL_TANGGAL] = dt.date(2026, 12, 1)  # after "today"
    book.months[3][0][spec.COL_TANGGAL] = dt.date(2026, 3, 15)  # before Maret ended
    book.months[3][1][spec.COL_TANGGAL] = dt.date(2026, 2, 4)  # 4 Feb: 2 April typed month-first
    found = only(run(book, tmp_path), "CAP-TANGGAL")
    assert [(f.sheet, f.cell) for f in found] == [
        ("Januari", book.month_ref(1, 0, spec.COL_TANGGAL)),
        ("Februari", book.month_ref(2, 1, spec.COL_TANGGAL)),
        ("Maret", book.month_ref(3, 0, spec.COL_TANGGAL)),
        ("Maret", book.month_ref(3, 1, spec.COL_TANGGAL)),
    ]
    assert found[0].suggestion == "tanggal yang dimaksud kemungkinan 5 Februari 2026: tulis sebagai tanggal"
    assert found[0].value == "5 Februari 2026"
    assert "belum terjadi" in found[1].message and "24 November 2026" in found[1].message
    assert found[1].suggestion == "tulis tanggal capaian bulan Februari direkam di SAKTI, antara 28 Februari 2026 dan hari ini"
    assert "sebelum bulan Maret 2026 berakhir" in found[2].message
    assert found[3].suggestion == "tanggal yang dimaksud kemungkinan 2 April 2026 (hari dan bulan tertukar)"


def test_tanggal_suggests_the_year_meant(tmp_path: Path) -> None:
    book = standard_book(3)
    book.months[2][0][spec.COL_TANGGAL] = dt.date(2062, 3, 3)  # 2026 with two digits swapped
    f = one(run(book, tmp_path), "CAP-TANGGAL")
    assert (f.cell, f.ro) == (book.month_ref(2, 0, spec.COL_TANGGAL), RO_STATIS)
    assert f.suggestion == "tanggal yang dimaksud kemungkinan 3 Maret 2026 (tahun salah ketik)"


def test_tanggal_accepts_month_end_and_serial_numbers(tmp_path: Path) -> None:
    book = standard_book(3)
    book.months[3][0][spec.COL_TANGGAL] = dt.date(2026, 3, 31)
    serial = (dt.date(2026, 4, 2) - dt.date(1899, 12, 30)).days
    book.months[3][1][spec.COL_TANGGAL] = float(serial)  # a date that lost its format
    findings = run(book, tmp_path)
    assert only(findings, "CAP-TANGGAL") == []
    assert only(findings, "CAP-TERLAMBAT") == []


# ---- CAP-TERLAMBAT -----------------------------------------------------------------------


def test_terlambat_counts_good_friday_as_holiday(tmp_path: Path) -> None:
    from sopxl.core.calendar import national_holidays

    # 2026: Good Friday 3 April; Idul Fitri per `holidays` 21-22 March (a weekend).
    assert dt.date(2026, 4, 3) in national_holidays(2026)
    book = standard_book(3)
    book.months[3][0][spec.COL_TANGGAL] = dt.date(2026, 4, 8)  # 5th working day: on time
    book.months[3][1][spec.COL_TANGGAL] = dt.date(2026, 4, 9)
    f = one(run(book, tmp_path), "CAP-TERLAMBAT")
    assert (f.severity, f.sheet, f.cell, f.ro) == ("warning", "Maret", book.month_ref(3, 1, spec.COL_TANGGAL), RO_DINAMIS)
    assert f.suggestion == "tenggat 8 April 2026 (hari kerja ke-5 bulan berikutnya); terlambat 1 hari"
    assert "9 April 2026" in f.message


def test_terlambat_pancasila_day_moves_junes_deadline(tmp_path: Path) -> None:
    book = standard_book(5)
    book.months[5][0][spec.COL_TANGGAL] = dt.date(2026, 6, 8)  # 1 June is Hari Lahir Pancasila
    book.months[5][1][spec.COL_TANGGAL] = dt.date(2026, 6, 12)
    f = one(run(book, tmp_path), "CAP-TERLAMBAT")
    assert (f.sheet, f.cell) == ("Mei", book.month_ref(5, 1, spec.COL_TANGGAL))
    assert f.suggestion == "tenggat 8 Juni 2026 (hari kerja ke-5 bulan berikutnya); terlambat 4 hari"


def test_terlambat_calendar_days_and_severity_override(tmp_path: Path) -> None:
    book = standard_book(3)
    book.months[3][0][spec.COL_TANGGAL] = dt.date(2026, 4, 8)
    settings = Settings(today="2026-11-24", deadline_days="calendar", severity={"CAP-TERLAMBAT": "error"})
    f = one(run(book, tmp_path, settings), "CAP-TERLAMBAT")
    assert (f.severity, f.cell, f.ro) == ("error", book.month_ref(3, 0, spec.COL_TANGGAL), RO_STATIS)
    assert f.suggestion == "tenggat 5 April 2026 (tanggal 5 bulan berikutnya); terlambat 3 hari"
    # the same date is on time under the default rule
    assert only(run(book, tmp_path, name="w.xlsx"), "CAP-TERLAMBAT") == []


def test_terlambat_leaves_future_dates_to_tanggal(tmp_path: Path) -> None:
    book = standard_book(3)
    book.months[3][0][spec.COL_TANGGAL] = dt.date(2026, 12, 20)
    findings = run(book, tmp_path)
    assert only(findings, "CAP-TERLAMBAT") == []
    assert len(only(findings, "CAP-TANGGAL")) == 1


# ---- CAP-PAGU ----------------------------------------------------------------------------


def test_pagu_fires_once_where_the_sum_first_exceeds(tmp_path: Path) -> None:
    book = standard_book(3)
    book.months[2][0][spec.COL_ANGGARAN] = 115_000_000  # 10 + 115 = 125 > 120 juta
    f = one(run(book, tmp_path), "CAP-PAGU")
    assert (f.sheet, f.cell, f.ro) == ("Februari", book.month_ref(2, 0, spec.COL_ANGGARAN), RO_STATIS)
    assert "Rp 125.000.000" in f.message and "Rp 120.000.000" in f.message
    assert f.suggestion == "Realisasi Anggaran bulan Februari paling banyak Rp 110.000.000 agar tidak melebihi Pagu"


def test_pagu_silent_at_exactly_the_pagu(tmp_path: Path) -> None:
    book = standard_book(3)
    book.months[3][0][spec.COL_ANGGARAN] = 100_000_000
    assert only(run(book, tmp_path), "CAP-PAGU") == []


# ---- CAP-DEVIASI-RPD ---------------------------------------------------------------------


def test_deviasi_rpd_fires_without_keterangan(tmp_path: Path) -> None:
    book = standard_book(3)
    book.months[1][0][spec.COL_ANGGARAN] = 11_000_000  # RPD 10 juta: 10 %
    for row in book.rencana:
        if row[spec.COL_KODE_RO] == RO_DINAMIS and row[spec.COL_BULAN] == "Februari":
            row[spec.COL_RPD] = 0
    found = only(run(book, tmp_path), "CAP-DEVIASI-RPD")
    assert [(f.severity, f.sheet, f.cell, f.ro) for f in found] == [
        ("warning", "Januari", book.month_ref(1, 0, spec.COL_ANGGARAN), RO_STATIS),
        ("warning", "Februari", book.month_ref(2, 1, spec.COL_ANGGARAN), RO_DINAMIS),
    ]
    assert "10 %" in found[0].message
    assert found[0].suggestion is not None and found[0].suggestion.startswith("isi Keterangan")


def test_deviasi_rpd_silent_within_threshold_or_explained(tmp_path: Path) -> None:
    book = standard_book(3)
    book.months[1][0][spec.COL_ANGGARAN] = 10_400_000  # 4 %
    book.months[2][0][spec.COL_ANGGARAN] = 20_000_000
    book.months[2][0][spec.COL_KETERANGAN] = "Pembayaran dua bulan sekaligus"
    assert only(run(book, tmp_path), "CAP-DEVIASI-RPD") == []
    book.months[3][1][spec.COL_ANGGARAN] = 55_000_000  # 10 %, allowed with a 15 % threshold
    wide = Settings(today="2026-11-24", rpd_deviation_pct=15)
    assert only(run(book, tmp_path, wide, name="w.xlsx"), "CAP-DEVIASI-RPD") == []


# ---- CAP-MENDAHULUI ----------------------------------------------------------------------


def test_mendahului_fires_on_entries_after_the_reporting_month(tmp_path: Path) -> None:
    book = standard_book(3)  # Bulan Pelaporan: Maret
    book.months[5][1][spec.COL_RVRO] = 3
    f = one(run(book, tmp_path), "CAP-MENDAHULUI")
    assert (f.severity, f.sheet, f.cell, f.ro, f.value) == (
        "warning", "Mei", book.month_ref(5, 1, spec.COL_RVRO), RO_DINAMIS, 3)
    assert "Maret" in f.message


def test_mendahului_silent_without_entries_after_the_reporting_month(tmp_path: Path) -> None:
    book = standard_book(4)
    book.identitas[spec.ID_BULAN] = None  # reporting month = last reported month
    assert only(run(book, tmp_path), "CAP-MENDAHULUI") == []


# ---- CAP-DESIMAL -------------------------------------------------------------------------


def test_desimal_fires_on_a_fraction_of_a_countable_unit_once(tmp_path: Path) -> None:
    book = standard_book(3)  # RO_DINAMIS: 120 Orang, 10 a month
    i = book.index_of(2, RO_DINAMIS)
    book.months[2][i][spec.COL_RVRO] = 10.5
    book.months[2][i][spec.COL_RVRO_KUM] = 20.5
    book.months[3][i][spec.COL_RVRO_KUM] = 30.5  # the entry's fraction carried on: not again
    findings = run(book, tmp_path)
    f = one(findings, "CAP-DESIMAL")
    assert (f.severity, f.sheet, f.cell, f.ro, f.value) == (
        "warning", "Februari", book.month_ref(2, i, spec.COL_RVRO), RO_DINAMIS, 10.5)
    assert "Orang" in f.message and "10,5" in f.message
    assert f.suggestion == "tulis bilangan bulat Orang: 10 atau 11, sesuai jumlah yang benar-benar tercapai"
    assert [r for r, _, _ in cap(findings)] == ["CAP-DESIMAL"]


def test_desimal_on_target_volume_and_a_cumulative_that_does_not_add_up(tmp_path: Path) -> None:
    book = standard_book(3)
    i = book.index_of(1, RO_STATIS)  # 12 Layanan
    book.months[1][i][spec.COL_TARGET_VOLUME] = 12.5
    j = book.index_of(3, RO_DINAMIS)
    book.months[3][j][spec.COL_RVRO_KUM] = 30.25  # the entries are whole: the cumulative is reported
    found = only(run(book, tmp_path), "CAP-DESIMAL")
    assert [(f.sheet, f.cell) for f in found] == [
        ("Januari", book.month_ref(1, i, spec.COL_TARGET_VOLUME)),
        ("Maret", book.month_ref(3, j, spec.COL_RVRO_KUM)),
    ]


def test_desimal_silent_on_whole_numbers_and_other_units(tmp_path: Path) -> None:
    refs = [dict(r) for r in wbfactory_default_referensi()]
    refs[1][spec.COL_SATUAN] = "Orang Jam Pelajaran"  # a whole-name match only
    refs[0][spec.COL_SATUAN] = "LAYANAN"  # any case is the countable Layanan
    book = standard_book(3, referensi=refs)
    for m in (1, 2, 3):
        i = book.index_of(m, RO_DINAMIS)
        book.months[m][i][spec.COL_RVRO] = 10.5
        book.months[m][i][spec.COL_RVRO_KUM] = 10.5 * m
    book.months[2][book.index_of(2, RO_STATIS)][spec.COL_RVRO] = 1.0000000001  # within the tolerance
    assert only(run(book, tmp_path), "CAP-DESIMAL") == []
    book.months[2][book.index_of(2, RO_STATIS)][spec.COL_RVRO] = 1.5
    assert len(only(run(book, tmp_path, name="c.xlsx"), "CAP-DESIMAL")) == 1


def test_desimal_units_are_a_setting(tmp_path: Path) -> None:
    book = standard_book(3)
    i = book.index_of(2, RO_DINAMIS)
    book.months[2][i][spec.COL_RVRO] = 10.5
    book.months[2][i][spec.COL_RVRO_KUM] = 20.5
    book.months[3][i][spec.COL_RVRO_KUM] = 30.5
    path = book.write(tmp_path / "b.xlsx")
    from sopxl.rules.validate import validate_path

    run_set = {"today": "2026-11-24", "satuan_bulat": "Dokumen, Paket"}  # as `--set` gives it
    result, _data, settings = validate_path(path, None, run_set)
    assert settings.satuan_bulat == ["Dokumen", "Paket"]
    assert only(result.findings, "CAP-DESIMAL") == []
    result, _data, settings = validate_path(path, None, {"today": "2026-11-24", "satuan_bulat": "orang"})
    assert settings.satuan_bulat == ["orang"] and len(only(result.findings, "CAP-DESIMAL")) == 1


def test_new_settings_defaults_and_overrides() -> None:
    s = Settings()
    assert s.satuan_bulat == ["Orang", "Dokumen", "Laporan", "Layanan", "Unit", "Paket", "Kegiatan",
                              "Rekomendasi", "Sarana", "Peserta"]
    assert (s.selisih_progres_anggaran, s.selisih_progres_anggaran_pn) == (20, 5)
    changed = s.with_overrides({"satuan_bulat": "", "selisih_progres_anggaran": "12.5",
                                "selisih_progres_anggaran_pn": "3"})
    assert (changed.satuan_bulat, changed.selisih_progres_anggaran, changed.selisih_progres_anggaran_pn) == (
        [], 12.5, 3)
    with pytest.raises(InvalidInput):
        s.with_overrides({"selisih_progres_anggaran": "-1"})


def wbfactory_default_referensi() -> list[dict[str, Any]]:
    from wbfactory import DEFAULT_REFERENSI

    return [dict(r) for r in DEFAULT_REFERENSI]


# ---- CAP-PROGRES-ANGGARAN ----------------------------------------------------------------


def _ahead_of_budget(progres: float, prioritas: Any = "absent") -> Book:
    """RO_STATIS in Maret: 30 of 120 juta spent (25 %) while Progres Capaian is `progres`."""
    refs = wbfactory_default_referensi()
    if prioritas != "absent":
        refs[0][spec.COL_PRIORITAS_NASIONAL] = prioritas
        refs[1][spec.COL_PRIORITAS_NASIONAL] = None
    book = standard_book(3, referensi=refs)
    book.months[3][book.index_of(3, RO_STATIS)][spec.COL_PROGRES] = progres
    return book


def test_progres_anggaran_fires_beyond_20_points_without_keterangan(tmp_path: Path) -> None:
    book = _ahead_of_budget(50)
    findings = run(book, tmp_path)
    f = one(findings, "CAP-PROGRES-ANGGARAN")
    i = book.index_of(3, RO_STATIS)
    assert (f.severity, f.sheet, f.cell, f.ro, f.value) == (
        "warning", "Maret", book.month_ref(3, i, spec.COL_PROGRES), RO_STATIS, 50)
    assert f.message == (
        f"Progres Capaian RO {RO_STATIS} bulan Maret (50 %) berselisih 25 poin dengan penyerapan "
        "anggarannya (25 %: realisasi kumulatif Rp 30.000.000 dari Pagu Rp 120.000.000); batas 20 poin, "
        "Keterangan kosong."
    )
    assert f.suggestion == (
        "periksa Progres Capaian dan Realisasi Anggaran; bila keduanya benar, isi Keterangan dengan "
        "alasan progres 50 % sedangkan penyerapan 25 %"
    )
    assert [r for r, _, _ in cap(findings)] == ["CAP-PROGRES-ANGGARAN"]


def test_progres_anggaran_silent_within_the_gap_or_explained(tmp_path: Path) -> None:
    assert only(run(_ahead_of_budget(45), tmp_path), "CAP-PROGRES-ANGGARAN") == []  # 20 points
    book = _ahead_of_budget(50)
    book.months[3][book.index_of(3, RO_STATIS)][spec.COL_KETERANGAN] = "Honor dibayar bulan depan"
    assert only(run(book, tmp_path, name="k.xlsx"), "CAP-PROGRES-ANGGARAN") == []
    wide = Settings(today="2026-11-24", selisih_progres_anggaran=30)
    assert only(run(_ahead_of_budget(50), tmp_path, wide, name="w.xlsx"), "CAP-PROGRES-ANGGARAN") == []


def test_progres_anggaran_is_stricter_for_prioritas_nasional(tmp_path: Path) -> None:
    f = one(run(_ahead_of_budget(31, "Ya"), tmp_path), "CAP-PROGRES-ANGGARAN")
    assert "batas 5 poin untuk RO Prioritas Nasional" in f.message and f.ro == RO_STATIS
    assert one(run(_ahead_of_budget(31, " ya "), tmp_path, name="y.xlsx"), "CAP-PROGRES-ANGGARAN")
    for n, value in enumerate(("Tidak", None, "absent")):
        assert only(run(_ahead_of_budget(31, value), tmp_path, name=f"t{n}.xlsx"), "CAP-PROGRES-ANGGARAN") == []
    loose = Settings(today="2026-11-24", selisih_progres_anggaran_pn=10)
    assert only(run(_ahead_of_budget(31, "Ya"), tmp_path, loose, name="l.xlsx"), "CAP-PROGRES-ANGGARAN") == []


def test_progres_anggaran_settings_from_the_pengaturan_sheet(tmp_path: Path) -> None:
    book = _ahead_of_budget(31, "Ya")
    book.extra_sheets[spec.SHEET_PENGATURAN] = [["Kunci", "Nilai"], ["selisih_progres_anggaran_pn", 10]]
    assert one(run(book, tmp_path), "CAP-PROGRES-ANGGARAN")  # check() alone: the defaults
    from sopxl.rules.validate import validate_path

    result, _data, settings = validate_path(book.write(tmp_path / "p.xlsx"), None, {"today": "2026-11-24"})
    assert settings.selisih_progres_anggaran_pn == 10
    assert only(result.findings, "CAP-PROGRES-ANGGARAN") == []


# ---- CAP-BELANJA-TANPA-PROGRES -----------------------------------------------------------


def _spent_without_progress(progres: Any, keterangan: Any = None) -> Book:
    """RO_STATIS in Januari: 10 juta spent while Progres Capaian is `progres`."""
    book = standard_book(1)
    row = book.months[1][book.index_of(1, RO_STATIS)]
    row[spec.COL_PROGRES] = progres
    row[spec.COL_KENDALA] = "Kegiatan belum dimulai"
    row[spec.COL_TINDAK_LANJUT] = "Menjadwalkan kegiatan bulan Februari"
    row[spec.COL_KETERANGAN] = keterangan
    return book


def test_belanja_tanpa_progres_fires_on_zero_or_empty_progres(tmp_path: Path) -> None:
    book = _spent_without_progress(0)
    findings = run(book, tmp_path)
    f = one(findings, "CAP-BELANJA-TANPA-PROGRES")
    cell = book.month_ref(1, book.index_of(1, RO_STATIS), spec.COL_PROGRES)
    assert (f.severity, f.sheet, f.cell, f.ro, f.value) == ("warning", "Januari", cell, RO_STATIS, 0)
    assert f.message == (
        f"Realisasi Anggaran kumulatif RO {RO_STATIS} sampai bulan Januari sudah Rp 10.000.000 tetapi "
        "Progres Capaian 0 %; Keterangan kosong."
    )
    assert f.suggestion is not None and "isi Keterangan dengan alasan belanja Rp 10.000.000" in f.suggestion
    assert [r for r, _, _ in cap(findings)] == ["CAP-BELANJA-TANPA-PROGRES"]
    empty = one(run(_spent_without_progress(None), tmp_path, name="e.xlsx"), "CAP-BELANJA-TANPA-PROGRES")
    assert empty.cell == cell and "Progres Capaian kosong" in empty.message


def test_belanja_tanpa_progres_silent_when_explained_unspent_or_not_a_number(tmp_path: Path) -> None:
    explained = _spent_without_progress(0, "Belanja persiapan pelatihan; angkatan pertama bulan Februari")
    assert only(run(explained, tmp_path), "CAP-BELANJA-TANPA-PROGRES") == []
    unspent = _spent_without_progress(0)
    unspent.months[1][unspent.index_of(1, RO_STATIS)][spec.COL_ANGGARAN] = 0
    assert only(run(unspent, tmp_path, name="u.xlsx"), "CAP-BELANJA-TANPA-PROGRES") == []
    text = run(_spent_without_progress("0 %"), tmp_path, name="t.xlsx")
    assert only(text, "CAP-BELANJA-TANPA-PROGRES") == [] and only(text, "CAP-ANGKA")


def test_belanja_tanpa_progres_alone_when_progres_0_is_far_from_the_absorption(tmp_path: Path) -> None:
    book = _spent_without_progress(0, None)
    book.months[1][book.index_of(1, RO_STATIS)][spec.COL_ANGGARAN] = 36_000_000  # 30 % absorbed
    findings = run(book, tmp_path)
    assert one(findings, "CAP-BELANJA-TANPA-PROGRES") and only(findings, "CAP-PROGRES-ANGGARAN") == []


# ---- robustness and speed ----------------------------------------------------------------

_JUNK: list[Any] = [
    None, 0, -1.5, 1e300, 46000.0, True, False, "", "x" * 5000, "1.234,5", "Rp 5.000.000", "45%",
    "5 Februari 2026", "31/02/2026", "#N/A", dt.date(2026, 2, 5), dt.datetime(2026, 2, 5, 10, 0),
    dt.time(10, 30), dt.timedelta(days=2), dt.date(1, 1, 1), dt.date(9999, 12, 31), dt.datetime(2026, 4, 2), CellError("#DIV/0!"), RO_STATIS, "  ", float("nan"),
]


def _data_from_grids(months: dict[int, list[list[Any]]], referensi: list[list[Any]], rencana: list[list[Any]],
                     bulan: Any = None, tahun: Any = 2026) -> WorkbookData:
    data = WorkbookData(path=Path("mem.xlsx"), sheet_names=[], sheet_states={}, grids={}, error_cells={})
    data.referensi = find_table(spec.SHEET_REFERENSI, referensi, spec.COL_KODE_RO, spec.REFERENSI_COLUMNS)
    data.rencana = find_table(spec.SHEET_RENCANA, rencana, spec.COL_KODE_RO, spec.RENCANA_COLUMNS)
    for m in range(1, 13):
        grid = months.get(m)
        data.months[m] = None if grid is None else find_table(
            spec.MONTHS[m - 1], grid, spec.COL_KODE_RO, spec.MONTH_COLUMNS, spec.MONTH_OPTIONAL)
    if bulan is not None:
        from sopxl.read.workbook import IdentityItem

        data.identity[spec.ID_BULAN] = IdentityItem(bulan, "B11")
        data.identity[spec.ID_TAHUN] = IdentityItem(tahun, "B4")
    return data


_REF_GRID: list[list[Any]] = [
    list(spec.REFERENSI_COLUMNS),
    [RO_STATIS, "Layanan", "Layanan", "Statis", 12, 120_000_000],
    [RO_DINAMIS, "Pelatihan", "Orang", "Dinamis", 120, 600_000_000],
]
_PLAN_GRID: list[list[Any]] = [list(spec.RENCANA_COLUMNS)] + [
    [ro, spec.MONTHS[m - 1], round(100 * m / 12, 2), 1_000_000] for ro in (RO_STATIS, RO_DINAMIS) for m in range(1, 13)
]


@hsettings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    cells=st.lists(st.lists(st.sampled_from(_JUNK), min_size=13, max_size=13), min_size=0, max_size=4),
    bulan=st.sampled_from([None, "Februari", 3, "xx", 12]),
    tahun=st.sampled_from([None, 2026, "TA 2026", "x"]),
)
def test_rules_never_raise_on_junk(cells: list[list[Any]], bulan: Any, tahun: Any) -> None:
    months = {m: [list(spec.MONTH_COLUMNS), *cells] for m in (1, 2, 3, 5, 12)}
    data = _data_from_grids(months, _REF_GRID, _PLAN_GRID, bulan, tahun)
    findings = list(run_rules(data, TODAY, only=CAP_RULES))
    assert all(f.rule.startswith("CAP-") and f.sheet in spec.MONTHS for f in findings)


def test_twelve_months_of_20000_ros_are_fast() -> None:
    rng = random.Random(7)
    n = 20_000
    codes = [f"013.07.WA.{4000 + i // 1000:04d}.EBA.{i % 1000:03d}" for i in range(n)]
    ref = [list(spec.REFERENSI_COLUMNS)] + [[c, "RO", "Paket", "Statis", 12.0, 1_200_000.0] for c in codes]
    plan = [list(spec.RENCANA_COLUMNS)] + [
        [c, spec.MONTHS[m - 1], round(100 * m / 12, 2), 100_000.0] for c in codes for m in range(1, 13)
    ]
    months = {}
    for m in range(1, 13):
        grid: list[list[Any]] = [list(spec.MONTH_COLUMNS)]
        for c in codes:
            grid.append([c, "RO", "Paket", 12.0, 1.0, float(m), round(100 * m / 12, 2), round(100 * m / 12, 2),
                         100_000.0, None, None, dt.date(2026 + m // 12, m % 12 + 1, 2), None])
        months[m] = grid
    months[6][5][4] = "1.234,5"  # a few problems so that findings are made
    months[7][rng.randrange(1, n)][6] = 5.0
    data = _data_from_grids(months, ref, plan, "Desember")
    # Their speed is measured by benchmarks/bench_validate.py (b), not here.
    findings = list(run_rules(data, Settings(today="2027-03-01"), only=CAP_RULES))
    assert {f.rule for f in findings} >= {"CAP-ANGKA", "CAP-PROGRES-TURUN"}


# ---- agreement with the sample generator's planted mistakes --------------------------------


def test_every_planted_cap_mistake_is_found_at_its_cell(tmp_path: Path) -> None:
    from sopxl.build.samples import SAMPLE_TODAY, build_sample

    path = tmp_path / "sample.xlsx"
    planted = build_sample(path, months=6, plant=CAP_RULES, today=SAMPLE_TODAY)
    assert {p.rule for p in planted} == set(CAP_RULES)
    findings = check(read_workbook(path), Settings(today=SAMPLE_TODAY.isoformat())).findings
    assert sorted(cap(findings)) == sorted((p.rule, p.sheet, p.cell) for p in planted)


@pytest.mark.parametrize("tahun", ["TA 2026", None])
def test_date_rules_survive_a_bad_tahun_anggaran(tmp_path: Path, tahun: Any) -> None:
    book = standard_book(12)
    book.identitas[spec.ID_TAHUN] = tahun
    book.months[12][0][spec.COL_TANGGAL] = dt.date(2027, 1, 20)  # Desember data, late
    book.months[3][1][spec.COL_TANGGAL] = dt.date(2026, 3, 20)  # before Maret ended
    findings = run(book, tmp_path, Settings(today="2027-03-01"))
    assert [(f.sheet, f.cell) for f in only(findings, "CAP-TANGGAL")] == [
        ("Maret", book.month_ref(3, 1, spec.COL_TANGGAL))]
    late = one(findings, "CAP-TERLAMBAT")
    assert (late.sheet, late.cell) == ("Desember", book.month_ref(12, 0, spec.COL_TANGGAL))
    assert late.suggestion is not None and late.suggestion.startswith("tenggat 11 Januari 2027")


def test_wbfactory_knobs_reach_the_workbook(tmp_path: Path) -> None:
    book = standard_book(2)
    book.cells["Januari"] = {"N2": "catatan lepas", "A10": "Jumlah"}
    book.months[1][1][spec.COL_ANGGARAN] = Err("#N/A", "=NA()")
    book.extra_sheets["Lain"] = [["x", 1]]
    book.drop.add("Desember")
    data = read_workbook(book.write(tmp_path / "k.xlsx"))
    assert "Desember" not in data.sheet_names and "Lain" in data.sheet_names
    assert data.months[12] is None
    with WorkbookReader(data.path) as reader:
        grid = reader.grid("Januari")
    assert grid[1][13] == "catatan lepas" and grid[9][0] == "Jumlah"
    table = data.months[1]
    assert table is not None
    assert table.rows[1].values[spec.COL_ANGGARAN] == CellError("#N/A")
    assert table.rows[0].values[spec.COL_TANGGAL] == dt.date(2026, 2, 2)
    # the stray "Jumlah" row is a row of an unknown RO, and nothing more
    assert [(f.rule, f.cell) for f in check(data, TODAY).findings if f.rule.startswith("CAP-")] == [
        ("CAP-RO-ASING", "A10")]
