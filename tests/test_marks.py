"""apply_marks on hand-made results: which fill, which note, the Kendali row, the state."""

from __future__ import annotations

from pathlib import Path

import openpyxl
import xlsxwriter

from sopxl.core import spec
from sopxl.core.config import Settings
from sopxl.core.findings import Finding, ValidationResult
from sopxl.ooxml import WorkbookPackage
from sopxl.read.state import read_state, write_state
from sopxl.writeback.marks import ERROR_FILL, WARNING_FILL, apply_marks, note_text

SETTINGS = Settings(today="2026-04-20")


def book(path: Path, kendali: bool = False) -> Path:
    wb = xlsxwriter.Workbook(str(path))
    money = wb.add_format({"num_format": "#,##0", "bold": True, "border": 2, "locked": False})
    ws = wb.add_worksheet("Januari")
    ws.write_row("A1", ["Kode RO", "Nilai", "Lain"])
    ws.write("B2", 1500, money)
    ws.write("B3", 7)
    if kendali:
        ks = wb.add_worksheet(spec.SHEET_KENDALI)
        ks.write("A1", "Kendali")
        ks.write_row("A4", [" langkah ", "Pelaksana", "Tanggal", "Status", "Catatan"])
        for i in range(1, 7):
            ks.write_row(3 + i, 0, [i, "x"])
    wb.close()
    return path


def finding(cell: str, severity: str = "error", rule: str = "CAP-ANGKA", sheet: str = "Januari") -> Finding:
    return Finding(rule=rule, severity=severity, sheet=sheet, cell=cell, message=f"pesan {rule}", suggestion="perbaiki")


def result(*findings: Finding) -> ValidationResult:
    return ValidationResult(file="x", findings=list(findings))


def test_fill_only_and_error_wins(tmp_path: Path) -> None:
    path = book(tmp_path / "a.xlsx")
    outcome = apply_marks(
        path,
        result(finding("B2", "warning", "CAP-PERSEN-PECAHAN"), finding("B2"), finding("B3", "warning", "CAP-TERLAMBAT")),
        SETTINGS,
    )
    assert outcome.marked == 2 and outcome.notes == 2
    ws = openpyxl.load_workbook(path)["Januari"]
    b2 = ws["B2"]
    assert b2.fill.fgColor.rgb == ERROR_FILL
    assert b2.number_format == "#,##0" and b2.font.b and b2.border.left.style == "medium"
    assert b2.protection.locked is False
    assert ws["B3"].fill.fgColor.rgb == WARNING_FILL
    assert "CAP-PERSEN-PECAHAN" in b2.comment.text and "CAP-ANGKA" in b2.comment.text
    assert b2.comment.text.startswith("sopxl: 2 temuan")


def test_note_text() -> None:
    text = note_text([finding("B2")])
    assert text == "sopxl: Kesalahan (CAP-ANGKA): pesan CAP-ANGKA\nPerbaikan: perbaiki"


def test_missing_sheet_is_listed_not_linked(tmp_path: Path) -> None:
    path = book(tmp_path / "a.xlsx")
    apply_marks(path, result(finding("A1", rule="STR-SHEET", sheet="Rencana")), SETTINGS)
    ws = openpyxl.load_workbook(path)[spec.SHEET_CATATAN]
    row = next(r for r in ws.iter_rows() if r[5].value == "STR-SHEET")
    assert row[2].value == "Rencana" and row[3].hyperlink is None


def test_existing_kendali_row_updated(tmp_path: Path) -> None:
    path = book(tmp_path / "a.xlsx", kendali=True)
    apply_marks(path, result(finding("B2")), SETTINGS)
    wb = openpyxl.load_workbook(path)
    assert wb.sheetnames.count(spec.SHEET_KENDALI) == 1
    ks = wb[spec.SHEET_KENDALI]
    row = next(r for r in ks.iter_rows(min_row=5) if r[0].value == 3)
    assert row[2].value.date().isoformat() == "2026-04-20"
    assert row[2].number_format == "dd/mm/yyyy"
    assert row[3].value == "Tidak sesuai - dikembalikan untuk diperbaiki"
    assert row[4].value.startswith("1 kesalahan, 0 peringatan")
    apply_marks(path, result(), SETTINGS)
    ks = openpyxl.load_workbook(path)[spec.SHEET_KENDALI]
    row = next(r for r in ks.iter_rows(min_row=5) if r[0].value == 3)
    assert row[3].value == "Sesuai"
    assert "1 temuan selesai" in row[4].value


def test_restyled_cell_is_left_alone(tmp_path: Path) -> None:
    path = book(tmp_path / "a.xlsx")
    apply_marks(path, result(finding("B3")), SETTINGS)
    # someone gives B3 another format after the mark (style index 1 = the money format)
    pkg = WorkbookPackage.open(path)
    part = pkg.sheet_part("Januari")
    data = pkg.read(part)
    import re

    data = re.sub(rb'<c r="B3" s="\d+"', b'<c r="B3" s="1"', data)
    pkg.write(part, data)
    pkg.save(backup=False)
    apply_marks(path, result(), SETTINGS)
    ws = openpyxl.load_workbook(path)["Januari"]
    assert ws["B3"].number_format == "#,##0"  # their choice stays
    assert ws["B3"].comment is None  # sopxl's note is gone
    state = read_state(WorkbookPackage.open(path))
    assert state["tanda"] == {}
    assert len(state["riwayat"]) == 2 and state["riwayat"][-1]["selesai"] == 1


def test_state_lost_does_not_double_notes(tmp_path: Path) -> None:
    path = book(tmp_path / "a.xlsx")
    apply_marks(path, result(finding("B2")), SETTINGS)
    pkg = WorkbookPackage.open(path)
    write_state(pkg, {})  # the state was lost (e.g. the sheet deleted by hand)
    pkg.save(backup=False)
    apply_marks(path, result(finding("B2")), SETTINGS)
    pkg = WorkbookPackage.open(path)
    comments = [n for n in pkg.part_names() if n.startswith("xl/comments")]
    assert len(comments) == 1
    assert pkg.read(comments[0]).count(b"<comment ") == 1
