"""The report rules LAP-ANGKA, LAP-USANG, LAP-NARASI, LAP-PENGESAHAN (sopxl.rules.laporan)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

from test_consolidate import a1, fill_people_cells, report_grid, ro_table_cell
from test_figures import varied_book
from wbfactory import standard_book

from sopxl.calc.report_layout import TOTAL_LABEL, find_label, read_people_cells, signoff_values
from sopxl.core import spec
from sopxl.core.findings import Finding
from sopxl.ooxml import WorkbookPackage
from sopxl.read.state import read_state
from sopxl.report.consolidate import consolidate
from sopxl.rules.validate import validate_path

SHEET = spec.PERIODS["semester1"][0]


def lap(path: Path) -> list[Finding]:
    result, _, _ = validate_path(path)
    return [f for f in result.findings if f.rule.startswith("LAP-")]


def type_into(path: Path, sheet: str, values: dict[str, Any]) -> None:
    pkg = WorkbookPackage.open(path)
    pkg.set_cell_values(sheet, values)
    pkg.save(backup=False)


def test_no_report_sheet_no_findings(tmp_path: Path) -> None:
    path = standard_book(months=6).write(tmp_path / "wb.xlsx")
    assert lap(path) == []


def test_fresh_report_asks_for_narratives_and_signoffs_only(tmp_path: Path) -> None:
    path = varied_book(6).write(tmp_path / "wb.xlsx")
    consolidate(path, "semester1")
    found = lap(path)
    narasi = [f for f in found if f.rule == "LAP-NARASI"]
    assert len(narasi) == 3 and all(f.severity == "error" for f in narasi)
    grid = report_grid(path)
    for f, label in zip(narasi, spec.REPORT_NARRATIVES, strict=True):
        r, c = find_label(grid, label) or (0, 0)
        assert f.cell == spec.cell_ref(r + 1, c + 2)  # the text cell right of the label
        assert label in f.message
    pengesahan = [f for f in found if f.rule == "LAP-PENGESAHAN"]
    assert {f.severity for f in pengesahan} == {"warning"}
    # Diperiksa/Disetujui are prefilled from Identitas: only their dates are missing
    by_label = {next(lbl for lbl in spec.REPORT_SIGNOFFS if lbl in f.message): f for f in pengesahan}
    assert "Nama, NIP, Tanggal" in by_label["Disusun oleh"].message
    assert "Tanggal" in by_label["Diperiksa oleh"].message and "Nama" not in by_label["Diperiksa oleh"].message
    assert {f.rule for f in found} == {"LAP-NARASI", "LAP-PENGESAHAN"}


def test_filled_report_passes_and_partial_signoff_is_named(tmp_path: Path) -> None:
    path = varied_book(6).write(tmp_path / "wb.xlsx")
    consolidate(path, "semester1")
    fill_people_cells(path)
    assert lap(path) == []
    grid = report_grid(path)
    at = find_label(grid, "Disetujui oleh")
    assert at is not None
    nip_cell = a1(signoff_values(grid, at)["NIP"][1])
    type_into(path, SHEET, {nip_cell: None})
    found = lap(path)
    assert [(f.rule, f.cell) for f in found] == [("LAP-PENGESAHAN", nip_cell)]
    assert "NIP" in found[0].message


def test_lap_angka_on_totals_row_and_text_in_a_figure_cell(tmp_path: Path) -> None:
    path = varied_book(6).write(tmp_path / "wb.xlsx")
    result = consolidate(path, "semester1")
    fill_people_cells(path)
    grid = report_grid(path)
    total_row = next(r for r, row in enumerate(grid) if TOTAL_LABEL in row)
    header = find_label(grid, "Kode RO")
    assert header is not None
    pagu_col = next(c for c, v in enumerate(grid[header[0]]) if v == "Pagu (Rp)")
    total_cell = a1((total_row, pagu_col))
    ro = result.figures.ro[0]
    text_cell = a1(ro_table_cell(grid, ro.kode, "Target Volume"))
    type_into(path, SHEET, {total_cell: 1.0, text_cell: "12 layanan"})
    found = lap(path)
    assert sorted((f.rule, f.cell) for f in found) == sorted(
        [("LAP-ANGKA", total_cell), ("LAP-ANGKA", text_cell)]
    )
    total_finding = next(f for f in found if f.cell == total_cell)
    assert total_finding.ro is None and TOTAL_LABEL in total_finding.message
    assert "bukan angka" in next(f for f in found if f.cell == text_cell).message


def test_rounding_does_not_count_as_a_difference(tmp_path: Path) -> None:
    path = varied_book(6).write(tmp_path / "wb.xlsx")
    result = consolidate(path, "semester1")
    fill_people_cells(path)
    ro = result.figures.ro[2]
    grid = report_grid(path)
    cell = a1(ro_table_cell(grid, ro.kode, "Penyerapan (%)"))
    from sopxl.calc.scores import round_half_up

    type_into(path, SHEET, {cell: round_half_up(ro.penyerapan_persen)})  # what people see
    assert lap(path) == []


def test_lap_usang_names_the_changed_sheet(tmp_path: Path) -> None:
    book = varied_book(6)
    path = book.write(tmp_path / "wb.xlsx")
    consolidate(path, "semester1")
    fill_people_cells(path)
    # a month after the period does not make the semester report stale
    type_into(path, "Agustus", {book.month_ref(8, 0, spec.COL_KETERANGAN): "catatan"})
    assert lap(path) == []
    cell = book.ref(spec.SHEET_IDENTITAS, 1, spec.COL_ISI)  # Nama Satker
    type_into(path, spec.SHEET_IDENTITAS, {cell: "Balai Diklat Baru"})
    found = [f for f in lap(path) if f.rule == "LAP-USANG"]
    assert len(found) == 1 and found[0].sheet == SHEET and found[0].cell == "A1"
    assert "Identitas" in found[0].message and "Januari" not in found[0].message
    assert "--periode semester1" in (found[0].suggestion or "")


def test_report_made_by_hand_is_read_by_labels(tmp_path: Path) -> None:
    """A report typed by a person: labels anywhere, narrative text under its label."""
    rows: list[list[Any]] = [
        ["Laporan Semester I"],
        [],
        [None, "Analisis Capaian"],
        [None, "Capaian sesuai rencana."],
        [None, "Kendala Umum", None, None, "Tidak ada kendala berarti."],
        [None, "Rekomendasi"],
        [],
        [None, "Disusun oleh", None, "Diperiksa oleh", None, "Disetujui oleh"],
        [None, "Nama", "Ani", "Nama", "Siti", "Nama", "Budi"],
        [None, "NIP", "198001012005011001", "NIP", "198001012005011002", "NIP", None],
        [None, "Tanggal", dt.datetime(2026, 7, 10), "Tanggal", dt.datetime(2026, 7, 11), "Tanggal", None],
    ]
    book = standard_book(months=6)
    book.extra_sheets[SHEET] = rows
    path = book.write(tmp_path / "wb.xlsx")
    found = lap(path)
    assert [(f.rule, f.cell) for f in found] == [
        ("LAP-NARASI", "C6"),  # Rekomendasi: empty (the cell right of the label)
        ("LAP-PENGESAHAN", "G10"),  # Disetujui oleh: NIP and Tanggal missing
    ]
    assert "NIP, Tanggal" in found[1].message
    grid = report_grid(path)
    narratives, signoffs = read_people_cells(grid)
    assert narratives == {
        "Analisis Capaian": "Capaian sesuai rencana.",
        "Kendala Umum": "Tidak ada kendala berarti.",
    }
    assert signoffs["Diperiksa oleh"]["Nama"] == "Siti"
    assert signoffs["Disetujui oleh"] == {"Nama": "Budi"}


def test_validation_marks_on_a_report_do_not_leak_into_the_next_one(tmp_path: Path) -> None:
    from click.testing import CliRunner

    from sopxl.frontends.cli import cli
    from sopxl.ooxml import WorkbookPackage as Pkg

    path = varied_book(6).write(tmp_path / "wb.xlsx")
    result = consolidate(path, "semester1")
    fill_people_cells(path)
    ro = result.figures.ro[0]
    grid = report_grid(path)
    cell = a1(ro_table_cell(grid, ro.kode, "Pagu (Rp)"))
    type_into(path, SHEET, {cell: 1.0})
    res = CliRunner().invoke(cli, ["validate", str(path)])  # writes marks into the report
    assert res.exit_code == 1, res.output
    assert cell in read_state(Pkg.open(path)).get("tanda", {}).get(SHEET, {})

    consolidate(path, "semester1")
    assert SHEET not in (read_state(Pkg.open(path)).get("tanda") or {})
    res = CliRunner().invoke(cli, ["validate", str(path)])
    assert res.exit_code == 0, res.output
    grid = report_grid(path)
    r, c = ro_table_cell(grid, ro.kode, "Pagu (Rp)")
    assert grid[r][c] == ro.pagu
    assert lap(path) == []
