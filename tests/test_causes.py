"""Findings point at the cause: one missing source sheet is one finding, not a cascade; an
earlier mistake neither hides nor misdirects later ones (the rule dependencies declared
with `sopxl.rules.base.follows_from`); an empty workbook is never "sesuai"."""

from __future__ import annotations

import zipfile
from pathlib import Path

import pytest
from wbfactory import RO_DINAMIS, RO_STATIS, Book, Formula, standard_book

from sopxl.core import spec
from sopxl.core.config import Settings
from sopxl.core.findings import Finding
from sopxl.read.formulas import moved
from sopxl.read.workbook import read_workbook
from sopxl.report.consolidate import consolidate
from sopxl.rules.base import CATALOGUE, DEPENDENCIES, Context, run_rule
from sopxl.rules.capaian.facts import facts
from sopxl.rules.validate import check
from sopxl.writeback.catatan import kendali_step3

TODAY = Settings(today="2026-11-24")


def run(book: Book, tmp_path: Path, settings: Settings = TODAY, name: str = "b.xlsx") -> list[Finding]:
    return check(read_workbook(book.write(tmp_path / name)), settings).findings


def at(findings: list[Finding], sheet: str, cell: str) -> list[str]:
    """The rules of the findings on one cell, in output order."""
    return [f.rule for f in findings if (f.sheet, f.cell) == (sheet, cell)]


def of_ro(findings: list[Finding], sheet: str, ro: str) -> list[Finding]:
    return [f for f in findings if f.sheet == sheet and f.ro == ro]


def rename_sheet(src: Path, old: str, new: str, out: Path) -> Path:
    """A copy of `src` with sheet `old` renamed to `new` in the workbook part only (every cached
    value stays, as when a user renames a sheet in Excel)."""
    with zipfile.ZipFile(src) as zi, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zo:
        for item in zi.infolist():
            data = zi.read(item.filename)
            if item.filename == "xl/workbook.xml":
                data = data.replace(f'name="{old}"'.encode(), f'name="{new}"'.encode())
            zo.writestr(item, data)
    return out


# ---- 3. one missing source sheet of a report: one finding -------------------------------------


@pytest.mark.parametrize(("old", "new"), [("Juni", "Jun"), (spec.SHEET_REFERENSI, "Ref RO")])
def test_renamed_source_sheet_is_one_finding_not_a_cascade(tmp_path: Path, old: str, new: str) -> None:
    path = standard_book(6).write(tmp_path / "b.xlsx")
    consolidate(path, "semester1", run_overrides={"today": "2026-07-20"})
    renamed = rename_sheet(path, old, new, tmp_path / "renamed.xlsx")
    findings = check(read_workbook(renamed), Settings(today="2026-07-20")).findings
    lap = [f for f in findings if f.rule.startswith("LAP-") and f.rule in ("LAP-ANGKA", "LAP-USANG")]
    assert [(f.rule, f.sheet, f.cell) for f in lap] == [("LAP-ANGKA", "Laporan Semester I", "A1")]
    assert f"'{old}'" in lap[0].message and "tidak dapat diperiksa" in lap[0].message
    assert "tulis" not in (lap[0].suggestion or "")
    # STR-SHEET as before, naming the sheet to rename
    missing = [f for f in findings if f.rule == "STR-SHEET"]
    assert [(f.sheet, f.cell, f.suggestion) for f in missing] == [(old, "A1", f"Ganti nama lembar '{new}' menjadi '{old}'.")]
    # and no running-sum cascade in the months after a missing month
    assert [f for f in findings if f.rule in ("CAP-KUMULATIF", "CAP-PROGRES-VOLUME", "CAP-PAGU")] == []


def test_report_checked_as_before_when_every_source_is_there(tmp_path: Path) -> None:
    path = standard_book(6).write(tmp_path / "b.xlsx")
    consolidate(path, "semester1", run_overrides={"today": "2026-07-20"})
    findings = check(read_workbook(path), Settings(today="2026-07-20")).findings
    assert [f for f in findings if f.rule in ("LAP-ANGKA", "LAP-USANG")] == []


# ---- 4. the rule dependencies are declared, and the engine applies them ------------------------


def test_dependencies_are_declared_in_the_catalogue() -> None:
    order = list(CATALOGUE)
    assert {"CAP-KENDALA", "CAP-PROGRES-VOLUME", "CAP-KUMULATIF", "CAP-MELEBIHI-TARGET"} <= set(DEPENDENCIES)
    assert "CAP-PERSEN-PECAHAN" in DEPENDENCIES["CAP-KENDALA"].causes
    assert {"CAP-KUMULATIF", "CAP-MELEBIHI-TARGET"} <= DEPENDENCIES["CAP-PROGRES-VOLUME"].causes
    for dependency in DEPENDENCIES.values():
        assert all(order.index(c) < order.index(dependency.rule) for c in dependency.causes)


def test_text_volume_counts_as_its_number_and_the_overrun_is_found_now(tmp_path: Path) -> None:
    """4a: "6 layanan" in Maret is counted as 6: the Statis overrun in Juni is found in this
    round, and its message says the sum used the text's number."""
    book = standard_book(6)
    book.row_of(3, RO_STATIS)[spec.COL_RVRO] = "6 layanan"  # 1 + 1 + 6 + 1 + 1 = 10 by Mei
    book.row_of(6, RO_STATIS)[spec.COL_RVRO] = 3  # 13 > 12 in Juni
    findings = run(book, tmp_path)
    assert at(findings, "Maret", book.month_ref(3, 0, spec.COL_RVRO)) == ["CAP-ANGKA"]
    juni = of_ro(findings, "Juni", RO_STATIS)
    assert juni[0].rule == "CAP-MELEBIHI-TARGET" and juni[0].cell == book.month_ref(6, 0, spec.COL_RVRO)
    assert juni[0].severity == "error"
    assert 'jumlah ini memakai 6 yang dibaca dari teks "6 layanan" di Maret' in juni[0].message
    # Kumulatif (a formula counts the text as 0) waits for the text to be retyped
    assert [f for f in findings if f.rule == "CAP-KUMULATIF"] == []


def test_text_volume_over_the_target_at_its_own_cell_is_cap_angka_alone(tmp_path: Path) -> None:
    book = standard_book(3)
    book.row_of(2, RO_STATIS)[spec.COL_RVRO] = "60 layanan"
    findings = run(book, tmp_path)
    assert at(findings, "Februari", book.month_ref(2, 0, spec.COL_RVRO)) == ["CAP-ANGKA"]
    assert [f for f in findings if f.rule == "CAP-MELEBIHI-TARGET"] == []


def test_fraction_progres_is_persen_pecahan_not_kendala(tmp_path: Path) -> None:
    """4b: Progres 0,25 for 25 % (plan 25) is a fraction, not an RO behind its plan."""
    book = standard_book(3)
    book.row_of(3, RO_STATIS)[spec.COL_PROGRES] = 0.25
    findings = run(book, tmp_path)
    maret = of_ro(findings, "Maret", RO_STATIS)
    assert maret[0].rule == "CAP-PERSEN-PECAHAN" and maret[0].cell == book.month_ref(3, 0, spec.COL_PROGRES)
    assert maret[0].suggestion == "bila maksudnya 25 %, tulis 25"
    assert [f for f in findings if f.rule == "CAP-KENDALA"] == []
    assert run_rule("CAP-KENDALA", read_workbook(tmp_path / "b.xlsx"), TODAY) == []  # alone too


def test_kendala_still_found_for_a_real_shortfall(tmp_path: Path) -> None:
    book = standard_book(3)
    book.row_of(3, RO_STATIS)[spec.COL_PROGRES] = 20
    findings = run(book, tmp_path)
    assert [(f.rule, f.cell) for f in of_ro(findings, "Maret", RO_STATIS)] == [
        ("CAP-KENDALA", book.month_ref(3, 0, spec.COL_KENDALA))
    ]


def test_mistyped_volume_does_not_say_the_progres_is_wrong(tmp_path: Path) -> None:
    """4c: Realisasi Volume Maret 10 instead of 1 reaches the target on paper; the volume's own
    findings come first and CAP-PROGRES-VOLUME does not claim Progres should be 100."""
    book = standard_book(3)
    book.row_of(3, RO_STATIS)[spec.COL_RVRO] = 10  # Kumulatif still 3: the volume is the odd one
    findings = run(book, tmp_path)
    maret = of_ro(findings, "Maret", RO_STATIS)
    assert maret[0].rule == "CAP-KUMULATIF" and maret[0].cell == book.month_ref(3, 0, spec.COL_RVRO_KUM)
    assert [f for f in findings if f.rule == "CAP-PROGRES-VOLUME"] == []
    book.row_of(3, RO_STATIS)[spec.COL_RVRO] = 11  # over the Statis target: CAP-MELEBIHI-TARGET too
    findings = run(book, tmp_path, name="c.xlsx")
    assert [(f.rule, f.cell) for f in of_ro(findings, "Maret", RO_STATIS)] == [
        ("CAP-MELEBIHI-TARGET", book.month_ref(3, 0, spec.COL_RVRO)),
        ("CAP-KUMULATIF", book.month_ref(3, 0, spec.COL_RVRO_KUM)),
    ]


def test_progres_volume_names_both_readings_when_both_are_plausible(tmp_path: Path) -> None:
    book = standard_book(3)
    row = book.row_of(3, RO_STATIS)
    row[spec.COL_RVRO], row[spec.COL_RVRO_KUM] = 10, 12
    f = next(f for f in run(book, tmp_path) if f.rule == "CAP-PROGRES-VOLUME")
    assert "seharusnya" not in (f.suggestion or "")
    assert "bila volume 12 benar, Progres Capaian 100" in (f.suggestion or "")
    assert "bila progres 25 % benar" in (f.suggestion or "")


def _formula_book() -> Book:
    """Maret's Realisasi Volume Kumulatif as formulas (the previous month's Kumulatif plus this
    month's entry, as a user writes it), with their cached values."""
    book = standard_book(3)
    for index, row in enumerate(book.months[3]):
        r = book.header_row("Maret") + 1 + index
        row[spec.COL_RVRO_KUM] = Formula(f"=Februari!F{r}+E{r}", row[spec.COL_RVRO_KUM])
    return book


def test_number_typed_over_the_kumulatif_formula_asks_for_the_formula(tmp_path: Path) -> None:
    """4d: the lost formula is named and given back, moved to the row, not another number."""
    book = _formula_book()
    book.row_of(3, RO_DINAMIS)[spec.COL_RVRO_KUM] = 16
    findings = run(book, tmp_path)
    cell = book.month_ref(3, 1, spec.COL_RVRO_KUM)
    f = next(f for f in findings if f.rule == "CAP-KUMULATIF")
    assert (f.sheet, f.cell, f.ro) == ("Maret", cell, RO_DINAMIS)
    r = spec.parse_ref(cell)[0]
    assert f.suggestion == f"kembalikan rumus kolom ini: =Februari!F{r}+E{r} (hasilnya 30); jangan mengetik angka di atas rumus"
    assert "berisi angka yang diketik" in f.message


def test_kumulatif_without_formulas_keeps_its_number_suggestion(tmp_path: Path) -> None:
    book = standard_book(3)
    book.row_of(3, RO_DINAMIS)[spec.COL_RVRO_KUM] = 16
    f = next(f for f in run(book, tmp_path) if f.rule == "CAP-KUMULATIF")
    assert f.suggestion == "Realisasi Volume Kumulatif seharusnya 30"


def test_moved_formula() -> None:
    assert moved("IF(OR($A6=\"\",$E6=\"\"),\"\",SUMIF('Januari'!$A:$A,$A6,'Januari'!$F:$F)+N($E6))", 3) == (
        "IF(OR($A9=\"\",$E9=\"\"),\"\",SUMIF(Januari!$A:$A,$A9,Januari!$F:$F)+N($E9))"
    )
    assert moved("'Referensi RO'!D2+'A1'!B2", 1) == "'Referensi RO'!D3+'A1'!B3"
    assert moved("SUM($B$2:B5)+'Sheet 1'!C3+LOG10(D2)", -1) == "SUM($B$2:B4)+'Sheet 1'!C2+LOG10(D1)"


# ---- 5. nothing reported is never "sesuai" -----------------------------------------------------


def _empty_book() -> Book:
    return standard_book(0, bulan_pelaporan=None)


def test_empty_workbook_in_december_reports_the_months_due(tmp_path: Path) -> None:
    book = _empty_book()
    data = read_workbook(book.write(tmp_path / "b.xlsx"))
    settings = Settings(today="2026-12-20")
    result = check(data, settings)
    kosong = [f for f in result.findings if f.rule == "CAP-KOSONG"]
    # November's deadline (5th working day of December) has passed, December's has not
    assert [(f.sheet, f.cell) for f in kosong] == [(m, book.ref(m, 0, spec.COL_RVRO)) for m in spec.MONTHS[:11]]
    assert "belum ada bulan yang diisi dan batas entri bulan November" in kosong[-1].message
    assert result.errors == 11
    step3 = kendali_step3(Context(data, settings).today, result.errors, result.warnings, 0)
    assert not step3["Status"].startswith("Sesuai")


def test_empty_workbook_before_any_deadline_is_not_sesuai(tmp_path: Path) -> None:
    book = _empty_book()
    data = read_workbook(book.write(tmp_path / "b.xlsx"))
    ctx = Context(data, Settings(today="2026-01-05"))
    assert (ctx.due_month, ctx.reporting_month, ctx.last_checked_month) == (0, 0, 1)
    kosong = [f for f in check(data, Settings(today="2026-01-05")).findings if f.rule == "CAP-KOSONG"]
    assert [(f.sheet, f.cell) for f in kosong] == [("Januari", book.ref("Januari", 0, spec.COL_RVRO))]
    assert "belum ada bulan yang diisi sama sekali" in kosong[0].message


def test_past_year_empty_workbook_is_due_in_every_month(tmp_path: Path) -> None:
    data = read_workbook(standard_book(0, year=2025, bulan_pelaporan=None).write(tmp_path / "b.xlsx"))
    assert Context(data, Settings(today="2026-12-20")).last_checked_month == 12


def test_reported_months_keep_the_last_reported_month(tmp_path: Path) -> None:
    data = read_workbook(standard_book(3, bulan_pelaporan=None).write(tmp_path / "b.xlsx"))
    ctx = Context(data, Settings(today="2026-12-20"))
    assert ctx.reporting_month == ctx.last_checked_month == 3 and not ctx.nothing_reported
    assert facts(ctx).month(3) is not None
