"""Reading SAKTI/OMSPAN exports in several layouts (sopxl.read.ekspor): each one, imported
into a workbook whose March is empty, gives the same cell values as the standard workbook."""

from __future__ import annotations

import csv
import datetime as dt
from collections.abc import Callable
from pathlib import Path
from typing import Any

import openpyxl
import pytest
import xlsxwriter
from wbfactory import RO_DINAMIS, RO_STATIS, standard_book

from sopxl.core import spec
from sopxl.core.errors import InvalidInput, UnreadableWorkbook
from sopxl.read.ekspor import ExportSource, load_profile, month_of_title, read_export
from sopxl.read.workbook import read_workbook
from sopxl.writeback.impor import import_export

MARCH = 3
ENTRY = dt.date(2026, 4, 2)
# What the standard workbook holds in March, per RO: (month volume, cumulative volume,
# progress, month rupiah, cumulative rupiah, progress in February).
FIGURES: dict[str, tuple[float, float, float, float, float, float]] = {
    RO_STATIS: (1, 3, 25.0, 10_000_000, 30_000_000, 16.67),
    RO_DINAMIS: (10, 30, 25.0, 50_000_000, 150_000_000, 16.67),
}
INPUTS = (spec.COL_RVRO, spec.COL_PROGRES, spec.COL_ANGGARAN, spec.COL_TANGGAL)


def empty_march(tmp_path: Path, name: str = "capaian.xlsx") -> Path:
    """The standard workbook (Januari..Maret) with March's inputs left empty."""
    book = standard_book(months=MARCH)
    for row in book.months[MARCH]:
        for column in INPUTS:
            row[column] = None
    return book.write(tmp_path / name)


def march_values(path: Path) -> dict[str, dict[str, Any]]:
    table = read_workbook(path).months[MARCH]
    assert table is not None
    return {
        code: {c: table.column(c)[i] for c in INPUTS}
        for i, code in enumerate(table.codes)
        if code is not None
    }


def expected(tmp_path: Path, with_date: bool) -> dict[str, dict[str, Any]]:
    """March as the standard workbook holds it (Tanggal Entri empty when the export lacks it)."""
    values = march_values(standard_book(months=MARCH).write(tmp_path / "standard.xlsx"))
    assert values[RO_STATIS][spec.COL_TANGGAL] == ENTRY
    if not with_date:
        for row in values.values():
            row[spec.COL_TANGGAL] = None
    return values


# ---- the layouts ----------------------------------------------------------------------------


def one_header_xlsxwriter(path: Path) -> Path:
    """Title block (with a "Program" line), one header row, full codes, monthly figures, a
    date, a totals row."""
    wb = xlsxwriter.Workbook(str(path))
    ws = wb.add_worksheet("Capaian RO")
    date = wb.add_format({"num_format": "dd/mm/yyyy"})
    ws.write_row(0, 0, ["MONITORING CAPAIAN OUTPUT"])
    ws.write_row(1, 0, ["Satker 411724 - Balai Diklat Hukum dan HAM Contoh"])
    ws.write_row(2, 0, ["Bulan Maret 2026"])
    # title lines whose label is also a column header of the profile: not the header row
    ws.write_row(3, 0, ["Program", "013.07.WA Program Dukungan Manajemen"])
    ws.write_row(4, 0, ["No", "Kode RO", "Uraian RO", "Satuan Output", "RVRO", "PCRO", "Realisasi Anggaran RO",
                        "Tanggal Entri"])
    for n, (code, (vol, _, prog, rp, _, _)) in enumerate(FIGURES.items(), start=1):
        ws.write_row(4 + n, 0, [n, code, "Uraian", "Layanan", vol, prog, rp])
        ws.write_datetime(4 + n, 7, dt.datetime.combine(ENTRY, dt.time()), date)
    ws.write_row(7, 0, [None, "Jumlah", None, None, 11, None, 60_000_000])
    wb.close()
    return path


def grouped_openpyxl(path: Path) -> Path:
    """Two-row grouped header (merged group cells over Bulan ini / s.d. Bulan ini), split
    codes (kegiatan and KRO.RO), the month only in the title ("s.d. Maret")."""
    wb = openpyxl.Workbook()
    ws = wb.active
    assert ws is not None
    ws.append(["Laporan Capaian Output s.d. Maret 2026"])
    ws.append([])
    ws.append(["Kode Kegiatan", "Kode KRO/RO", "Uraian RO", "RVRO", None, "PCRO", None, "Realisasi Anggaran RO", None])
    ws.append([None, None, None, "Bulan ini", "s.d. Bulan ini", "Bulan ini", "s.d. Bulan ini", "Bulan ini",
               "s.d. Bulan ini"])
    for col in ("D3:E3", "F3:G3", "H3:I3", "A3:A4", "B3:B4", "C3:C4"):
        ws.merge_cells(col)
    for code, (vol, cum, prog, rp, rp_cum, prev) in FIGURES.items():
        segments = code.split(".")
        ws.append([segments[3], ".".join(segments[4:]), "Uraian", vol, cum, round(prog - prev, 2), prog, rp, rp_cum])
    ws.append(["Total", None, None, 11, 33, None, None, 60_000_000, 180_000_000])
    wb.save(path)
    return path


def cumulative_only(path: Path) -> Path:
    """Only "s.d. Bulan ini" figures, in one header row; no title (the month is given)."""
    wb = xlsxwriter.Workbook(str(path))
    ws = wb.add_worksheet()
    ws.write_row(0, 0, ["Kode RO", "RVRO s.d. Bulan ini", "PCRO s.d. Bulan ini", "Realisasi Anggaran RO s.d. Bulan ini"])
    for n, (code, (_, cum, prog, _, rp_cum, _)) in enumerate(FIGURES.items(), start=1):
        ws.write_row(n, 0, [code, cum, prog, rp_cum])
    wb.close()
    return path


def csv_semicolon(path: Path) -> Path:
    """`;` CSV, numbers as Indonesian text ("10.000.000", "25,00"), a totals row."""
    with path.open("w", encoding="utf-8-sig", newline="") as fh:
        w = csv.writer(fh, delimiter=";")
        w.writerow(["Laporan Capaian RO Bulan Maret 2026"])
        w.writerow(["Kode KRO/RO", "Uraian RO", "Realisasi Volume RO", "Progres Capaian RO",
                    "Realisasi Anggaran RO", "Tanggal Entri"])
        for code, (vol, _, prog, rp, _, _) in FIGURES.items():
            w.writerow([code, "Uraian", str(vol), f"{prog:.2f}".replace(".", ","), f"{rp:,.0f}".replace(",", "."),
                        ENTRY.strftime("%d/%m/%Y")])
        w.writerow(["Jumlah", "", "11", "", "60.000.000", ""])
    return path


CUSTOM_PROFILE = """
nama = "Unduhan kantor"
[kolom]
kode_ro = ["KODE_OUTPUT_LENGKAP"]
volume = ["VOL_REALISASI_KUM"]
progres = ["PERSEN"]
anggaran = ["RUPIAH_REALISASI"]
[tanpa_kualifikasi]
volume = "sd_bulan_ini"
"""


def custom_layout(path: Path) -> Path:
    """Headers the default profile does not know; cumulative volume without a qualifier."""
    wb = xlsxwriter.Workbook(str(path))
    ws = wb.add_worksheet()
    ws.write_row(0, 0, ["KODE_OUTPUT_LENGKAP", "VOL_REALISASI_KUM", "PERSEN", "RUPIAH_REALISASI"])
    for n, (code, (_, cum, prog, rp, _, _)) in enumerate(FIGURES.items(), start=1):
        ws.write_row(n, 0, [code, cum, prog, rp])
    wb.close()
    return path


Layout = tuple[str, Callable[[Path], Path], str, int | None, bool]
LAYOUTS: list[Layout] = [
    ("satu-baris-judul", one_header_xlsxwriter, "xlsx", None, True),
    ("judul-dua-baris", grouped_openpyxl, "xlsx", None, False),
    ("kumulatif-saja", cumulative_only, "xlsx", MARCH, False),
    ("csv-titik-koma", csv_semicolon, "csv", None, True),
]


@pytest.mark.parametrize("layout", LAYOUTS, ids=lambda layout: layout[0])
def test_each_layout_imports_to_the_same_values(layout: Layout, tmp_path: Path) -> None:
    _name, write, ext, month, with_date = layout
    export = write(tmp_path / f"ekspor.{ext}")
    book = empty_march(tmp_path)
    outcome = import_export(book, ExportSource(export, month))
    assert outcome.bulan == MARCH
    assert outcome.berbeda == [] and outcome.ro_tidak_ada_di_buku_kerja == [] and outcome.ro_tidak_ada_di_ekspor == []
    assert outcome.diisi == len(FIGURES) * (4 if with_date else 3)
    assert march_values(book) == expected(tmp_path, with_date)


def test_a_profile_reads_a_layout_the_default_cannot(tmp_path: Path) -> None:
    export = custom_layout(tmp_path / "kantor.xlsx")
    profile = tmp_path / "profil.toml"
    profile.write_text(CUSTOM_PROFILE, encoding="utf-8")
    with pytest.raises(InvalidInput, match="baris judul tabel tidak ditemukan"):
        read_export(export, month=MARCH)
    book = empty_march(tmp_path)
    import_export(book, ExportSource(export, MARCH, profile))
    assert march_values(book) == expected(tmp_path, False)


def test_the_shipped_sample_profile_is_complete() -> None:
    sample = Path(__file__).parent.parent / "samples" / "profil-ekspor-contoh.toml"
    profile = load_profile(sample)
    assert profile.fields["kode_ro"] and profile.fields["volume"] and profile.totals


def test_month_from_title_or_refused(tmp_path: Path) -> None:
    assert month_of_title([["Laporan Capaian Output Bulan Juni 2026"]]) == 6
    assert month_of_title([[None, "Periode s.d. Juni"]]) == 6
    assert month_of_title([["Capaian Output RO"]]) is None
    export = cumulative_only(tmp_path / "tanpa-judul.xlsx")
    with pytest.raises(InvalidInput, match="--bulan"):
        read_export(export)
    assert read_export(export, month=4).month == 4


def test_totals_rows_and_codes(tmp_path: Path) -> None:
    export = read_export(grouped_openpyxl(tmp_path / "g.xlsx"))
    assert [row.code for row in export.rows] == ["4293.EBA.962", "4293.SBA.001"]
    program = tmp_path / "program.toml"
    program.write_text('[kode]\nprogram = "013.07.WA"\n', encoding="utf-8")
    export = read_export(tmp_path / "g.xlsx", load_profile(program))
    assert [row.code for row in export.rows] == [RO_STATIS, RO_DINAMIS]


def test_old_excel_export_is_refused(tmp_path: Path) -> None:
    xls = tmp_path / "ekspor.xls"
    xls.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 600)
    with pytest.raises((InvalidInput, UnreadableWorkbook)):
        read_export(xls, month=MARCH)
