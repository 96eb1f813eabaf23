"""`sopxl consolidate` end to end: CLI contract, refusal, write-back into the workbook,
people's cells surviving a re-run, the report rules after edits, standalone report, PDF."""

from __future__ import annotations

import datetime as dt
import json
import zipfile
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from test_figures import expected_json, varied_book
from wbfactory import standard_book

from sopxl.calc.report_layout import find_label, narrative_value, signoff_values
from sopxl.core import spec
from sopxl.core.errors import SopxlError
from sopxl.core.findings import Finding, ValidationResult
from sopxl.frontends.cli import cli
from sopxl.ooxml import WorkbookPackage
from sopxl.read.state import stored_report
from sopxl.read.workbook import read_workbook
from sopxl.report.consolidate import (
    MonthErrors,
    blocking_findings,
    blocking_rules,
    consolidate,
    consolidate_data,
)
from sopxl.rules.validate import validate_path

SHEET_S1 = spec.PERIODS["semester1"][0]


def run_cli(*args: str) -> Any:
    return CliRunner().invoke(cli, ["consolidate", *args], catch_exceptions=False)


def report_grid(path: Path, sheet: str = SHEET_S1) -> list[list[Any]]:
    data = read_workbook(path)
    actual = data.sheet(sheet)
    assert actual is not None, f"{sheet} missing"
    return data.grids[actual]


def ro_table_cell(grid: list[list[Any]], kode: str, header: str) -> tuple[int, int]:
    """0-based cell of `header`'s column in the report row of RO `kode`."""
    at = find_label(grid, "Kode RO")
    assert at is not None
    hr, kc = at
    col = next(c for c, v in enumerate(grid[hr]) if isinstance(v, str) and spec.norm(v) == spec.norm(header))
    row = next(r for r in range(hr + 1, len(grid)) if grid[r][kc] == kode)
    return row, col


def a1(cell: tuple[int, int]) -> str:
    return spec.cell_ref(cell[0] + 1, cell[1] + 1)


def rules_of(path: Path, prefix: str = "LAP-") -> list[tuple[str, str, str]]:
    result, _, _ = validate_path(path)
    return [(f.rule, f.sheet, f.cell) for f in result.findings if f.rule.startswith(prefix)]


# --- CLI contract -----------------------------------------------------------------------------------


def test_json_contract_and_no_write_leaves_file_untouched(tmp_path: Path) -> None:
    path = varied_book(12, seed=12).write(tmp_path / "wb.xlsx")
    before = path.read_bytes()
    res = run_cli(str(path), "--periode", "tahunan", "--no-write", "--format", "json")
    assert res.exit_code == 0, res.output
    got = json.loads(res.stdout)
    assert set(got) == {
        "file", "periode", "bulan_awal", "bulan_akhir", "ro", "ikpa_capaian_output", "nka", "nka_rencana", "regulasi",
    }
    assert set(got["regulasi"]) == {"tahun_tabel", "ikpa", "nka", "catatan"}
    assert set(got["ro"][0]) == {
        "kode", "target_volume", "realisasi_volume_kumulatif", "progres_capaian", "target_progres",
        "capaian_persen", "pagu", "realisasi_anggaran", "penyerapan_persen",
    }
    assert set(got["ikpa_capaian_output"]) == {"nilai", "tepat_waktu", "capaian", "bulanan"}
    assert set(got["nka"]) == {"nilai", "penyerapan", "konsistensi", "capaian_ro", "nilai_efisiensi"}
    want = expected_json(path, "tahunan")
    assert got["nka"]["nilai"] == pytest.approx(want["nka"]["nilai"])
    assert got["ikpa_capaian_output"]["nilai"] == pytest.approx(want["ikpa_capaian_output"]["nilai"])
    assert path.read_bytes() == before


def test_table_output_in_indonesian(tmp_path: Path) -> None:
    path = standard_book(months=6).write(tmp_path / "wb.xlsx")
    res = run_cli(str(path), "--periode", "semester1", "--no-write")
    assert res.exit_code == 0, res.output
    assert "IKPA Capaian Output" in res.stdout and "Nilai Kinerja Anggaran" in res.stdout
    assert "tidak diubah" in res.stdout


def test_refuses_month_errors_unless_forced(tmp_path: Path) -> None:
    book = standard_book(months=6)
    book.months[2][0][spec.COL_RVRO] = "1 layanan"  # CAP-ANGKA (and a broken running sum)
    path = book.write(tmp_path / "wb.xlsx")
    before = path.read_bytes()
    res = run_cli(str(path), "--periode", "semester1")
    assert res.exit_code == 1
    assert "ditolak:" in res.stderr and "Ditolak:" not in res.stderr and "kesalahan" in res.stderr and "--paksa" in res.stderr
    assert path.read_bytes() == before

    res = run_cli(str(path), "--periode", "semester1", "--paksa")
    assert res.exit_code == 0, res.output
    grid = report_grid(path)
    warning = [v for row in grid for v in row if isinstance(v, str) and v.startswith("PERHATIAN")]
    assert warning and "kesalahan terbuka" in warning[0]


def test_errors_after_the_period_do_not_block(tmp_path: Path) -> None:
    book = standard_book(months=8)
    book.months[8][0][spec.COL_RVRO] = "1 layanan"
    path = book.write(tmp_path / "wb.xlsx")
    assert run_cli(str(path), "--periode", "semester1", "--no-write").exit_code == 0
    assert run_cli(str(path), "--periode", "tahunan", "--no-write").exit_code == 1


def test_period_without_data_exits_2(tmp_path: Path) -> None:
    path = standard_book(months=4).write(tmp_path / "wb.xlsx")
    res = run_cli(str(path), "--periode", "semester2")
    assert res.exit_code == 2
    assert "Belum ada data" in res.stderr


def test_unreadable_file_exits_2(tmp_path: Path) -> None:
    bad = tmp_path / "rusak.xlsx"
    bad.write_bytes(b"bukan zip")
    res = run_cli(str(bad), "--periode", "semester1")
    assert res.exit_code == 2 and "Galat" in res.stderr


# --- write-back and the report rules ----------------------------------------------------------------


def test_consolidation_writes_report_and_state(tmp_path: Path) -> None:
    path = varied_book(6).write(tmp_path / "wb.xlsx")
    result = consolidate(path, "semester1")
    data = read_workbook(path)
    assert data.sheet(SHEET_S1) is not None
    assert data.sheet_states[SHEET_S1] == "visible"
    stored = stored_report(data, "semester1")
    assert stored is not None and stored["hash"] == result.figures.data_hash
    # figure cells hold the computed values
    grid = data.grids[SHEET_S1]
    for ro in result.figures.ro:
        r, c = ro_table_cell(grid, ro.kode, "Realisasi Anggaran (Rp)")
        assert grid[r][c] == pytest.approx(ro.realisasi_anggaran)
    # only the people's cells are left for the Kasi: no stale or wrong figures
    found = {rule for rule, _, _ in rules_of(path)}
    assert "LAP-USANG" not in found and "LAP-ANGKA" not in found
    assert "LAP-NARASI" in found
    # the month sheets were not touched: the original data still reads the same
    assert expected_json(path, "semester1")["ro"][0]["pagu"] == result.figures.ro[0].pagu


def fill_people_cells(path: Path, sheet: str = SHEET_S1) -> dict[str, Any]:
    """Type narratives and sign-offs into the report through the package editor."""
    grid = report_grid(path, sheet)
    values: dict[str, Any] = {}
    typed: dict[str, Any] = {}
    for label in spec.REPORT_NARRATIVES:
        at = find_label(grid, label)
        assert at is not None
        _, cell = narrative_value(grid, at)
        values[a1(cell)] = typed[label] = f"{label}: teks yang diketik staf, baris 1\nbaris 2"
    for i, label in enumerate(spec.REPORT_SIGNOFFS):
        at = find_label(grid, label)
        assert at is not None
        cells = signoff_values(grid, at)
        values[a1(cells["Nama"][1])] = typed[f"{label}/Nama"] = f"Pegawai {i}"
        values[a1(cells["NIP"][1])] = typed[f"{label}/NIP"] = f"19800101200501100{i}"
        values[a1(cells["Tanggal"][1])] = dt.date(2026, 7, 10 + i)
        typed[f"{label}/Tanggal"] = dt.date(2026, 7, 10 + i)
    pkg = WorkbookPackage.open(path)
    pkg.set_cell_values(sheet, values)
    pkg.save(backup=False)
    return typed


def read_people(path: Path, sheet: str = SHEET_S1) -> dict[str, Any]:
    grid = report_grid(path, sheet)
    out: dict[str, Any] = {}
    for label in spec.REPORT_NARRATIVES:
        at = find_label(grid, label)
        assert at is not None
        out[label] = narrative_value(grid, at)[0]
    for label in spec.REPORT_SIGNOFFS:
        at = find_label(grid, label)
        assert at is not None
        for name, (value, _) in signoff_values(grid, at).items():
            out[f"{label}/{name}"] = value.date() if isinstance(value, dt.datetime) else value
    return out


def test_people_cells_survive_a_rerun_and_figures_update(tmp_path: Path) -> None:
    book = varied_book(6)
    path = book.write(tmp_path / "wb.xlsx")
    consolidate(path, "semester1")
    typed = fill_people_cells(path)
    assert not [r for r in rules_of(path) if r[0] in ("LAP-NARASI", "LAP-PENGESAHAN")]

    # a month changes: Februari's realisation of the first RO
    kode = book.referensi[0][spec.COL_KODE_RO]
    new_value = 77_000_000
    cell = book.month_ref(2, book.index_of(2, kode), spec.COL_ANGGARAN)
    pkg = WorkbookPackage.open(path)
    pkg.set_cell_values("Februari", {cell: new_value})
    pkg.save(backup=False)
    usang = [r for r in rules_of(path) if r[0] == "LAP-USANG"]
    assert usang and usang[0][1] == SHEET_S1
    result, _, _ = validate_path(path)
    assert "Februari" in next(f.message for f in result.findings if f.rule == "LAP-USANG")

    again = consolidate(path, "semester1")
    assert read_people(path) == typed
    grid = report_grid(path)
    r, c = ro_table_cell(grid, kode, "Realisasi Anggaran (Rp)")
    expected = sum(
        (new_value if m == 2 else book.row_of(m, kode)[spec.COL_ANGGARAN]) for m in range(1, 7)
    )
    assert grid[r][c] == pytest.approx(expected)
    assert again.figures.ro[0].realisasi_anggaran == pytest.approx(expected)
    assert rules_of(path) == []


def test_typing_over_a_figure_gives_lap_angka_at_that_cell(tmp_path: Path) -> None:
    path = varied_book(6).write(tmp_path / "wb.xlsx")
    result = consolidate(path, "semester1")
    ro = result.figures.ro[1]
    grid = report_grid(path)
    cell = a1(ro_table_cell(grid, ro.kode, "Capaian (%)"))
    pkg = WorkbookPackage.open(path)
    pkg.set_cell_values(SHEET_S1, {cell: ro.capaian_persen + 5})
    pkg.save(backup=False)
    check, _, _ = validate_path(path)
    angka = [f for f in check.findings if f.rule == "LAP-ANGKA"]
    assert [(f.sheet, f.cell, f.ro) for f in angka] == [(SHEET_S1, cell, ro.kode)]
    from sopxl.calc.scores import round_half_up
    from sopxl.core.parse import format_number

    assert format_number(round_half_up(ro.capaian_persen), max_decimals=2) in (angka[0].suggestion or "")
    assert not [f for f in check.findings if f.rule == "LAP-USANG"]


def test_each_period_gets_its_own_sheet_and_state(tmp_path: Path) -> None:
    path = varied_book(12).write(tmp_path / "wb.xlsx")
    consolidate(path, "tahunan")
    consolidate(path, "semester1")
    consolidate(path, "semester2")
    data = read_workbook(path)
    # report sheets sit after Desember, in period order, whatever order they were made in
    at = data.sheet_names.index("Desember")
    assert data.sheet_names[at + 1 : at + 4] == list(spec.REPORT_SHEETS)
    for periode, (sheet, _a, _b) in spec.PERIODS.items():
        assert data.sheet(sheet) is not None
        assert stored_report(data, periode) is not None
    assert not [r for r in rules_of(path) if r[0] in ("LAP-USANG", "LAP-ANGKA")]


# --- standalone report, LibreOffice ------------------------------------------------------------------


def chart_parts(path: Path) -> list[str]:
    with zipfile.ZipFile(path) as zf:
        return sorted(n for n in zf.namelist() if n.startswith("xl/charts/chart"))


def test_output_writes_the_report_alone(tmp_path: Path) -> None:
    path = varied_book(6).write(tmp_path / "wb.xlsx")
    out = tmp_path / "laporan" / "lap.xlsx"
    res = run_cli(str(path), "--periode", "semester1", "--no-write", "--output", str(out))
    assert res.exit_code == 0, res.output
    data = read_workbook(out)
    assert data.sheet_names == [SHEET_S1]
    assert len(chart_parts(out)) == 2
    with zipfile.ZipFile(out) as zf:
        sheet_xml = zf.read("xl/worksheets/sheet1.xml").decode()
        workbook_xml = zf.read("xl/workbook.xml").decode()
    assert 'orientation="landscape"' in sheet_xml and 'paperSize="9"' in sheet_xml
    # printed at 100 % (a fit-to-page scale makes Excel ignore manual page breaks), pages
    # ending at manual breaks, the per-RO header written again on each page the table goes
    # on to (print titles would repeat it over every page: charts and sign-offs too)
    assert ' scale="' not in sheet_xml  # the default scale, 100 %
    assert "fitToPage" not in sheet_xml and 'man="1"' in sheet_xml
    assert "_xlnm.Print_Titles" not in workbook_xml and "_xlnm.Print_Area" in workbook_xml


def _ppm_pixels(path: Path) -> tuple[int, int, bytes]:
    raw = path.read_bytes()
    parts = raw.split(maxsplit=4)
    assert parts[0] == b"P6"
    width, height = int(parts[1]), int(parts[2])
    return width, height, parts[4][: width * height * 3]


def _count_color(pixels: bytes, rgb: tuple[int, int, int], tol: int = 40) -> int:
    n = 0
    r0, g0, b0 = rgb
    for i in range(0, len(pixels), 3):
        if abs(pixels[i] - r0) < tol and abs(pixels[i + 1] - g0) < tol and abs(pixels[i + 2] - b0) < tol:
            n += 1
    return n


@pytest.mark.libreoffice
def test_libreoffice_renders_report_with_both_charts(
    tmp_path: Path, lo_convert: Callable[..., Path]
) -> None:
    import subprocess

    path = varied_book(12).write(tmp_path / "wb.xlsx")
    out = tmp_path / "lap.xlsx"
    consolidate(path, "tahunan", output=out)
    # LibreOffice opens the consolidated workbook: the grafted report keeps its charts
    whole = lo_convert(path, "pdf", tmp_path / "lo-wb")
    subprocess.run(["pdftoppm", "-r", "30", str(whole), str(tmp_path / "wb")], check=True)
    counts = [0, 0]
    for page in tmp_path.glob("wb*.ppm"):
        pixels = _ppm_pixels(page)[2]
        counts[0] += _count_color(pixels, (0x2E, 0x75, 0xB6))
        counts[1] += _count_color(pixels, (0x54, 0x82, 0x35))
    assert counts[0] > 30 and counts[1] > 5, counts
    # ... and the standalone report
    pdf = lo_convert(out, "pdf")
    stem = tmp_path / "page"
    subprocess.run(["pdftoppm", "-r", "40", str(pdf), str(stem)], check=True)
    pages = [_ppm_pixels(p) for p in sorted(tmp_path.glob("page*.ppm"))]
    assert len(pages) >= 2  # the charts have a printed page of their own
    width, height, first = pages[0]
    non_white = sum(1 for i in range(0, len(first), 3) if first[i] + first[i + 1] + first[i + 2] < 700)
    assert non_white > width * height * 0.02  # not blank

    def on_pages(color: tuple[int, int, int]) -> int:
        return sum(_count_color(px, color) for _w, _h, px in pages)

    assert on_pages((0x2E, 0x75, 0xB6)) > 50  # the bars of the achievement chart
    assert on_pages((0xC0, 0x00, 0x00)) > 20  # the cumulative realisation line
    assert on_pages((0x54, 0x82, 0x35)) > 10  # the cumulative RPD line


@pytest.mark.libreoffice
def test_pdf_option_writes_pdf_next_to_output(tmp_path: Path, soffice: str) -> None:
    path = standard_book(months=6).write(tmp_path / "wb.xlsx")
    out = tmp_path / "lap.xlsx"
    res = run_cli(str(path), "--periode", "semester1", "--output", str(out), "--pdf")
    assert res.exit_code == 0, res.output
    pdf = tmp_path / "lap.pdf"
    assert pdf.read_bytes().startswith(b"%PDF")
    assert "PDF:" in res.stdout


def test_pdf_without_libreoffice_says_so(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import sopxl.report.libreoffice

    monkeypatch.setattr(sopxl.report.libreoffice, "find_soffice", lambda: None)
    path = standard_book(months=6).write(tmp_path / "wb.xlsx")
    with pytest.raises(SopxlError, match="LibreOffice tidak terpasang"):
        consolidate(path, "semester1", write=False, pdf=True)
    res = run_cli(str(path), "--periode", "semester1", "--no-write", "--pdf")
    assert res.exit_code == 2 and "LibreOffice tidak terpasang" in res.stderr


def test_sample_workbook_through_the_cli(tmp_path: Path) -> None:
    from sopxl.build.samples import build_sample

    path = tmp_path / "sample.xlsx"
    build_sample(path, months=12, today=dt.date(2027, 3, 1))
    res = run_cli(str(path), "--periode", "tahunan", "--format", "json", "--set", "today=2027-03-01")
    assert res.exit_code == 0, res.output
    got = json.loads(res.stdout)
    want = expected_json(path, "tahunan")
    assert got["nka"]["nilai"] == pytest.approx(want["nka"]["nilai"])
    assert [r["kode"] for r in got["ro"]] == [r["kode"] for r in want["ro"]]
    result, _, _ = validate_path(path, run_overrides={"today": "2027-03-01"})
    assert not [f for f in result.findings if f.rule in ("LAP-USANG", "LAP-ANGKA")]


def test_report_cells_hold_half_up_rounded_scores(tmp_path: Path) -> None:
    """The worked example's 95.555 is 95.5549999... in binary: Excel would show 95.55."""
    from dataclasses import replace

    from sopxl.calc import scores
    from sopxl.calc.figures import compute_figures
    from sopxl.core.config import Settings
    from sopxl.report.sheet import ReportInputs, build_report_workbook

    path = standard_book(months=6).write(tmp_path / "wb.xlsx")
    fig = compute_figures(read_workbook(path), "semester1")
    month = scores.ikpa_month(6, [100, 100, 100], [100, 100, 80.95])
    assert f"{month.nilai:.2f}" == "95.55"  # what a plain display would show
    fig = replace(fig, ikpa=scores.ikpa_period([month]))
    out = tmp_path / "lap.xlsx"
    build_report_workbook(out, ReportInputs(fig, Settings()))
    grid = report_grid(out)
    r, c = find_label(grid, "Nilai IKPA Capaian Output") or (0, 0)
    value = next(v for v in grid[r][c + 1 :] if v is not None)
    assert value == 95.56


def test_achievement_chart_is_capped_for_many_ros(tmp_path: Path) -> None:
    import re

    from test_figures import REFS

    from sopxl.report.sheet import MAX_CHART_ROS

    refs = []
    for i in range(MAX_CHART_ROS + 30):
        ref = dict(REFS[0])
        ref[spec.COL_KODE_RO] = f"013.07.WA.4293.EBA.{i:03d}"
        refs.append(ref)
    path = standard_book(months=3, referensi=refs).write(tmp_path / "wb.xlsx")
    out = tmp_path / "lap.xlsx"
    result = consolidate(path, "semester1", write=False, output=out)
    assert len(result.figures.ro) == MAX_CHART_ROS + 30
    with zipfile.ZipFile(out) as zf:
        charts = [zf.read(name).decode() for name in chart_parts(out)]
    bar = next(x for x in charts if "barChart" in x)
    # the categories: the Kode RO cells of the first MAX_CHART_ROS ROs, in one or more blocks
    # (the header written again where the table goes on to a new page is left out)
    categories = re.findall(r"<c:cat>.*?<c:f>(.*?)</c:f>", bar, re.S)[0]
    spans = re.findall(r"'[^']+'!\$B\$(\d+):\$B\$(\d+)", categories)
    assert spans and sum(int(last) - int(first) + 1 for first, last in spans) == MAX_CHART_ROS
    assert "RO pertama dari" in bar


# --- which findings block the report ----------------------------------------------------------------


@pytest.fixture
def register() -> Iterator[Callable[..., None]]:
    """Register a throwaway rule erring on one cell of one sheet; unregistered afterwards."""
    import sopxl.rules  # noqa: F401  (the real catalogue first: the new rule runs last)
    from sopxl.rules.base import CATALOGUE, Context, rule

    added: list[str] = []

    def add(rule_id: str, sheet: str, **options: Any) -> None:
        def check(ctx: Context) -> Iterator[Finding]:
            yield ctx.finding(sheet, "B5", "kesalahan uji")

        rule(rule_id, "error", "aturan uji", **options)(check)
        added.append(rule_id)

    yield add
    for rule_id in added:
        CATALOGUE.pop(rule_id, None)


def test_rule_with_blocks_report_false_never_blocks(
    tmp_path: Path, register: Callable[..., None]
) -> None:
    from sopxl.rules.base import CATALOGUE

    # a CAP-looking id on a month inside the period: only the attribute decides
    register("CAP-UJI-LAPORAN", "Maret", blocks_report=False)
    assert CATALOGUE["CAP-UJI-LAPORAN"].blocks_report is False
    path = standard_book(months=6).write(tmp_path / "wb.xlsx")
    assert run_cli(str(path), "--periode", "semester1", "--no-write").exit_code == 0
    result, data, settings = validate_path(path)
    assert [f.rule for f in result.findings if f.rule == "CAP-UJI-LAPORAN"] == ["CAP-UJI-LAPORAN"]
    assert not blocking_findings(result, "semester1")
    consolidate_data(data, "semester1", settings, validation=result, write=False)


def test_rule_blocks_by_default_whatever_its_id(tmp_path: Path, register: Callable[..., None]) -> None:
    register("UJI-BLOK", "Identitas")
    path = standard_book(months=6).write(tmp_path / "wb.xlsx")
    res = run_cli(str(path), "--periode", "semester1", "--no-write")
    assert res.exit_code == 1 and "1 kesalahan (Identitas 1)" in res.stderr
    with pytest.raises(MonthErrors) as refused:
        consolidate(path, "semester1", write=False)
    assert [f.rule for f in refused.value.findings] == ["UJI-BLOK"]


def test_report_rules_do_not_block() -> None:
    from sopxl.rules.base import CATALOGUE

    lap = {rid for rid in CATALOGUE if rid.startswith("LAP-")}
    assert lap and all(not CATALOGUE[rid].blocks_report for rid in lap)
    assert all(CATALOGUE[rid].blocks_report for rid in CATALOGUE if rid not in lap)
    assert set(blocking_rules()) == set(CATALOGUE) - lap


def _error(rule: str, sheet: str, cell: str = "C5") -> Finding:
    return Finding(rule=rule, severity="error", sheet=sheet, cell=cell, message="uji")


def test_cap_errors_block_only_in_months_up_to_the_period_end() -> None:
    inside, later = _error("CAP-ANGKA", "Maret"), _error("CAP-ANGKA", "Agustus")
    result = ValidationResult(file="wb.xlsx", findings=[inside, later])
    assert blocking_findings(result, "semester1") == [inside]
    assert blocking_findings(result, "tahunan") == [inside, later]
    # the month scoping is the CAP rules' alone; warnings and the report rules never block
    other = [
        _error("REF-KODE", "Agustus"),
        Finding(rule="CAP-ANGKA", severity="warning", sheet="Maret", cell="C6", message="uji"),
        _error("LAP-ANGKA", SHEET_S1),
    ]
    assert blocking_findings(ValidationResult(file="wb.xlsx", findings=other), "semester1") == other[:1]


def test_blocking_findings_come_in_catalogue_order() -> None:
    # a full validation sorts by workbook position; the refusal reads as the rules found them
    cap, ident = _error("CAP-ANGKA", "Januari"), _error("ID-NIP", "Identitas")
    result = ValidationResult(file="wb.xlsx", findings=[cap, ident])
    assert blocking_findings(result, "semester1") == [ident, cap]


def test_report_volumes_in_their_precision_and_capaian_explained(tmp_path: Path) -> None:
    import openpyxl

    from sopxl.report.sheet import capaian_notes, volume_decimals

    assert volume_decimals(240.0, 120.0) == 0 and volume_decimals(4.5, 2.0) == 1 and volume_decimals(0.25) == 2
    path = varied_book(6).write(tmp_path / "wb.xlsx")
    out = tmp_path / "lap.xlsx"
    result = consolidate(path, "semester1", write=False, output=out)
    ws = openpyxl.load_workbook(out)[SHEET_S1]
    grid = report_grid(out)
    for ro in result.figures.ro:
        r, c = ro_table_cell(grid, ro.kode, "Target Volume")
        fmt = ws.cell(r + 1, c + 1).number_format
        places = volume_decimals(ro.target_volume, ro.realisasi_volume_kumulatif)
        assert fmt == ("#,##0" if places == 0 else "#,##0." + "0" * places), (ro.kode, fmt)
    texts = [v for row in grid for v in row if isinstance(v, str)]
    for note in capaian_notes(result.figures.ro):
        assert note in texts
