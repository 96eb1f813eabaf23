"""Reader compatibility: workbooks written by hand from workbook.md, by XlsxWriter and by
openpyxl, in several layouts, and re-saved by LibreOffice, all read as the same tables."""

from __future__ import annotations

import datetime as dt
import re
import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import openpyxl
import pytest
import xlsxwriter

from sopxl.core import spec
from sopxl.read.workbook import CellError, Table, WorkbookData, find_table, read_workbook

RO_A = "013.07.WA.4293.EBA.962"
RO_B = "013.07.WA.4293.SBA.001"

IDENTITAS: list[tuple[str, Any]] = [
    ("Kode Satker", "411724"),
    ("Nama Satker", "Balai Diklat Hukum dan HAM Contoh"),
    ("Tahun Anggaran", 2026),
    ("Kepala Satker", "Dr. Budi Santoso"),
    ("NIP Kepala Satker", "197001012000031001"),
    ("Kasi Program dan Evaluasi", "Siti Rahmawati"),
    ("NIP Kasi Program dan Evaluasi", "198005052005012002"),
    ("Bendahara", "Andi Wijaya"),
    ("Email Penerima Laporan", "kepala@contoh.go.id"),
    ("Bulan Pelaporan", "Februari"),
]
REFERENSI: list[dict[str, Any]] = [
    {"Kode RO": RO_A, "Uraian RO": "Layanan Dukungan Manajemen", "Satuan": "Layanan",
     "Jenis RO": "Statis", "Target Volume": 12, "Pagu (Rp)": 120_000_000},
    {"Kode RO": RO_B, "Uraian RO": "Pelatihan Teknis", "Satuan": "Orang",
     "Jenis RO": "Dinamis", "Target Volume": 120, "Pagu (Rp)": 600_000_000},
]
RENCANA: list[dict[str, Any]] = [
    {"Kode RO": ro, "Bulan": spec.MONTHS[m - 1], "Target Progres (%)": round(100 * m / 12, 2),
     "Rencana Penarikan Dana (Rp)": pagu // 12}
    for ro, pagu in ((RO_A, 120_000_000), (RO_B, 600_000_000))
    for m in range(1, 13)
]


@dataclass(frozen=True)
class F:
    """A formula: `text` may name '{RVRO}' (this row's Realisasi Volume Bulan Ini cell)."""

    text: str
    cached: Any


def month_rows(month: int) -> list[dict[str, Any]]:
    rows = []
    for ro, satuan, target, pagu in ((RO_A, "Layanan", 12, 120_000_000), (RO_B, "Orang", 120, 600_000_000)):
        row: dict[str, Any] = {
            "Kode RO": ro, "Uraian RO": "RO " + ro[-3:], "Satuan": satuan, "Target Volume": target,
            "Target Progres (%)": F(f"=ROUND(100*{month}/12,2)", round(100 * month / 12, 2)),
        }
        if month <= 2:
            per = target / 12
            prev = per * (month - 1)
            row.update({
                "Realisasi Volume Bulan Ini": per,
                "Realisasi Volume Kumulatif": F(f"={prev}+{{RVRO}}", prev + per),
                "Progres Capaian (%)": round(100 * month / 12, 2),
                "Realisasi Anggaran Bulan Ini (Rp)": pagu // 12,
                "Kendala": "-" if month == 1 else "Cuaca",
                "Tindak Lanjut": "-",
                "Tanggal Entri SAKTI": dt.date(2026, month + 1, 3),
                "Keterangan": None,
            })
        rows.append(row)
    return rows


@dataclass
class Layout:
    """How a hand-made workbook deviates from the plain one."""

    order: Callable[[list[str]], list[str]] = lambda cols: cols
    extra: tuple[str, ...] = ()  # extra columns (filled with text)
    title_rows: int = 0
    header_text: Callable[[str], str] = lambda h: h
    sheet_text: Callable[[str], str] = lambda s: s
    empty_row_inside: bool = False


PLAIN = Layout()
ODD = Layout(
    order=lambda cols: list(reversed(cols)),
    extra=("No", "Catatan Pimpinan"),
    title_rows=3,
    header_text=lambda h: "  " + h.upper().replace(" ", "   ") + " ",
    sheet_text=lambda s: f" {s.lower()} ",
    empty_row_inside=True,
)


class Sink:
    """Where a hand-made workbook is written: XlsxWriter or openpyxl."""

    def sheet(self, name: str) -> None: ...
    def put(self, r: int, c: int, value: Any, rvro_ref: str | None = None) -> None: ...
    def save(self) -> None: ...


class XlsxWriterSink(Sink):
    def __init__(self, path: Path) -> None:
        self.wb = xlsxwriter.Workbook(str(path))
        self.date = self.wb.add_format({"num_format": "dd/mm/yyyy"})
        self.ws: Any = None

    def sheet(self, name: str) -> None:
        self.ws = self.wb.add_worksheet(name)

    def put(self, r: int, c: int, value: Any, rvro_ref: str | None = None) -> None:
        if value is None:
            return
        if isinstance(value, F):
            self.ws.write_formula(r - 1, c - 1, value.text.replace("{RVRO}", rvro_ref or "0"), None, value.cached)
        elif isinstance(value, dt.date):
            self.ws.write_datetime(r - 1, c - 1, dt.datetime(value.year, value.month, value.day), self.date)
        elif isinstance(value, str):
            self.ws.write_string(r - 1, c - 1, value)
        else:
            self.ws.write(r - 1, c - 1, value)

    def save(self) -> None:
        self.wb.close()


class OpenpyxlSink(Sink):
    def __init__(self, path: Path) -> None:
        self.path = path
        self.wb = openpyxl.Workbook()
        self.wb.remove(self.wb.active)
        self.ws: Any = None

    def sheet(self, name: str) -> None:
        self.ws = self.wb.create_sheet(name)

    def put(self, r: int, c: int, value: Any, rvro_ref: str | None = None) -> None:
        if value is None:
            return
        if isinstance(value, F):  # openpyxl writes the formula only: no cached value
            value = value.text.replace("{RVRO}", rvro_ref or "0")
        cell = self.ws.cell(row=r, column=c, value=value)
        if isinstance(value, dt.date):
            cell.number_format = "dd/mm/yyyy"

    def save(self) -> None:
        self.wb.save(self.path)


def write_table(sink: Sink, name: str, columns: list[str], rows: list[dict[str, Any]], layout: Layout) -> None:
    sink.sheet(layout.sheet_text(name))
    cols = layout.order(list(columns)) + list(layout.extra)
    r = 1
    for i in range(layout.title_rows):
        sink.put(r, 1, f"JUDUL {name.upper()} BARIS {i + 1}" if i == 0 else None)
        r += 1
    for c, col in enumerate(cols, start=1):
        sink.put(r, c, layout.header_text(col))
    for index, row in enumerate(rows):
        r += 1
        if layout.empty_row_inside and index == 1:
            r += 1  # a wholly empty row inside the table
        rvro = spec.cell_ref(r, cols.index(spec.COL_RVRO) + 1) if spec.COL_RVRO in cols else None
        for c, col in enumerate(cols, start=1):
            value = row.get(col) if col not in layout.extra else f"ekstra {col} {index}"
            sink.put(r, c, value, rvro)


def hand_made(path: Path, sink_cls: type[Sink], layout: Layout) -> Path:
    sink = sink_cls(path)  # type: ignore[call-arg]
    identitas = [{"Uraian": k, "Isi": v} for k, v in IDENTITAS]
    write_table(sink, "Identitas", ["Uraian", "Isi"], identitas, layout)
    write_table(sink, "Referensi RO", list(spec.REFERENSI_COLUMNS), REFERENSI, layout)
    write_table(sink, "Rencana", list(spec.RENCANA_COLUMNS), RENCANA, layout)
    for m, name in enumerate(spec.MONTHS, start=1):
        write_table(sink, name, list(spec.MONTH_COLUMNS), month_rows(m), layout)
    sink.save()
    return path


def norm_value(v: Any) -> Any:
    if isinstance(v, bool) or v is None or isinstance(v, str | CellError):
        return v
    if isinstance(v, int | float):
        return round(float(v), 6)
    if isinstance(v, dt.datetime):
        return v.date()
    return v


def snapshot(data: WorkbookData) -> dict[str, Any]:
    """Every table as plain row values, independent of layout and writer."""

    def rows(table: Table | None) -> list[dict[str, Any]] | None:
        if table is None:
            return None
        return [{k: norm_value(v) for k, v in sorted(row.values.items())} for row in table.rows]

    snap: dict[str, Any] = {
        "identity": {k: norm_value(v.value) for k, v in data.identity.items()},
        "Referensi RO": rows(data.referensi),
        "Rencana": rows(data.rencana),
    }
    for m, table in data.months.items():
        snap[spec.MONTHS[m - 1]] = rows(table)
        assert table is not None and table.missing == [], (m, table.missing if table else None)
    return snap


def expected_snapshot() -> dict[str, Any]:
    snap: dict[str, Any] = {
        "identity": {k: norm_value(v) for k, v in IDENTITAS},
        "Referensi RO": [{k: norm_value(v) for k, v in sorted(r.items())} for r in REFERENSI],
        "Rencana": [{k: norm_value(v) for k, v in sorted(r.items())} for r in RENCANA],
    }
    for m, name in enumerate(spec.MONTHS, start=1):
        rows = []
        for row in month_rows(m):
            full = {c: None for c in spec.MONTH_COLUMNS}
            full.update({k: (v.cached if isinstance(v, F) else v) for k, v in row.items()})
            rows.append({k: norm_value(v) for k, v in sorted(full.items())})
        snap[name] = rows
    return snap


EXPECTED = expected_snapshot()


@pytest.mark.parametrize("layout", [PLAIN, ODD], ids=["plain", "odd"])
def test_xlsxwriter_hand_made(tmp_path: Path, layout: Layout) -> None:
    path = hand_made(tmp_path / "xw.xlsx", XlsxWriterSink, layout)
    data = read_workbook(path)
    assert snapshot(data) == EXPECTED


def test_odd_layout_positions(tmp_path: Path) -> None:
    path = hand_made(tmp_path / "odd.xlsx", XlsxWriterSink, ODD)
    data = read_workbook(path)
    assert data.sheet("Januari") == " januari "
    jan = data.months[1]
    assert jan is not None
    assert jan.header_row == 4  # after a 3-row title block
    cols = list(reversed(spec.MONTH_COLUMNS))
    assert jan.columns[spec.COL_KODE_RO] == cols.index(spec.COL_KODE_RO) + 1
    assert [row.r for row in jan.rows] == [5, 7]  # the empty row 6 is skipped
    assert jan.rows[1].ref(spec.COL_TANGGAL) == spec.cell_ref(7, cols.index(spec.COL_TANGGAL) + 1)
    assert {spec.norm(h) for h in jan.found} >= {"no", "catatan pimpinan"}
    # Isi is column A when reversed; rows 5, (6 empty), 7, 8
    assert data.identity["Tahun Anggaran"].cell == "A8"


def _formula_columns() -> set[str]:
    return {spec.COL_RVRO_KUM, spec.COL_TARGET_PROGRES}


def test_openpyxl_hand_made_formulas_have_no_cached_values(tmp_path: Path) -> None:
    path = hand_made(tmp_path / "opx.xlsx", OpenpyxlSink, ODD)
    snap = snapshot(read_workbook(path))
    expected = expected_snapshot()
    for name in spec.MONTHS:
        for row in expected[name]:
            for col in _formula_columns():
                if row[col] is not None:
                    row[col] = None  # what every value reader sees until a recalculation
    assert snap == expected
    with zipfile.ZipFile(path) as zf:
        sheet = zf.read("xl/worksheets/sheet4.xml")
    assert b"<f>" in sheet
    assert re.search(rb"</f><v>[^<]+</v>", sheet) is None  # no cached result anywhere


@pytest.mark.libreoffice
@pytest.mark.parametrize(
    ("sink", "layout"),
    [(XlsxWriterSink, ODD), (OpenpyxlSink, ODD), (OpenpyxlSink, PLAIN)],
    ids=["xlsxwriter-odd", "openpyxl-odd", "openpyxl-plain"],
)
def test_libreoffice_resave_reads_the_same(
    tmp_path: Path, lo_convert: Callable[..., Path], sink: type[Sink], layout: Layout
) -> None:
    """xlsx -> LibreOffice -> xlsx: same tables; openpyxl's formulas get their values."""
    src = hand_made(tmp_path / "src.xlsx", sink, layout)
    resaved = lo_convert(src, "xlsx")
    assert resaved != src and resaved.exists()
    data = read_workbook(resaved)
    assert snapshot(data) == EXPECTED
    assert data.sheet("Februari") is not None


def test_error_values_read_as_cell_errors(tmp_path: Path) -> None:
    path = tmp_path / "err.xlsx"
    wb = xlsxwriter.Workbook(str(path))
    ws = wb.add_worksheet("Januari")
    ws.write_row(0, 0, ["Kode RO", "Progres Capaian (%)", "Satuan"])
    ws.write_string(1, 0, RO_A)
    ws.write_formula(1, 1, "=1/0", None, "#DIV/0!")
    ws.write_formula(1, 2, "=NA()", None, "#N/A")
    ws.write_formula(2, 5, "=1/0", None, "#DIV/0!")  # outside the table
    wb.close()
    data = read_workbook(path)
    table = data.months[1]
    assert table is not None
    assert table.rows[0].get(spec.COL_PROGRES) == CellError("#DIV/0!")
    assert table.rows[0].get(spec.COL_SATUAN) == CellError("#N/A")
    assert data.error_cells["Januari"] == {(2, 2): "#DIV/0!", (2, 3): "#N/A", (3, 6): "#DIV/0!"}


def test_find_table_header_scan_limit() -> None:
    grid: list[list[Any]] = [[None] for _ in range(spec.HEADER_SCAN_ROWS)] + [["Kode RO"], ["x"]]
    table = find_table("S", grid, spec.COL_KODE_RO, [spec.COL_KODE_RO])
    assert table.header_row is None and table.missing == [spec.COL_KODE_RO]
    grid = [[None] for _ in range(spec.HEADER_SCAN_ROWS - 1)] + [[" kode   ro "], ["x"], [None], ["  "], ["y"]]
    table = find_table("S", grid, spec.COL_KODE_RO, [spec.COL_KODE_RO])
    assert table.header_row == spec.HEADER_SCAN_ROWS
    assert [(row.r, row.kode) for row in table.rows] == [(21, "x"), (24, "y")]


def test_duplicate_header_first_wins_and_missing_listed() -> None:
    grid: list[list[Any]] = [["Kode RO", "Satuan", "satuan", "Lain"], ["A", "Orang", "Paket", 1]]
    table = find_table("S", grid, spec.COL_KODE_RO, [spec.COL_KODE_RO, spec.COL_SATUAN, spec.COL_BULAN])
    assert table.columns == {spec.COL_KODE_RO: 1, spec.COL_SATUAN: 2}
    assert table.missing == [spec.COL_BULAN]
    assert table.found == ["Kode RO", "Satuan", "satuan", "Lain"]
    assert table.rows[0].get(spec.COL_SATUAN) == "Orang"


def test_rows_without_r_attribute_still_counted(tmp_path: Path) -> None:
    """The size guard counts <row> elements even when they carry no r= attribute."""
    from sopxl.core.config import Settings
    from sopxl.core.errors import UnreadableWorkbook

    path = hand_made(tmp_path / "p.xlsx", XlsxWriterSink, PLAIN)
    with zipfile.ZipFile(path) as zf:
        parts = {i.filename: zf.read(i.filename) for i in zf.infolist()}
    rows = b"".join(b"<row><c><v>1</v></c></row>" for _ in range(500))
    parts["xl/worksheets/sheet4.xml"] = (
        b'<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="http://schemas.openxmlformats.org'
        b'/spreadsheetml/2006/main"><sheetData>' + rows + b"</sheetData></worksheet>"
    )
    out = tmp_path / "q.xlsx"
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, data in parts.items():
            zf.writestr(name, data)
    assert read_workbook(out).months[1] is not None
    with pytest.raises(UnreadableWorkbook, match="'Januari' memiliki 500 baris"):
        read_workbook(out, Settings(max_rows_per_sheet=400))


@pytest.mark.parametrize("constant_memory", [False, True], ids=["shared-strings", "inline-strings"])
def test_white_space_text_counts_as_empty(tmp_path: Path, constant_memory: bool) -> None:
    """Text of only blanks is an empty cell, whether stored as a shared or an inline string."""
    path = tmp_path / "spasi.xlsx"
    wb = xlsxwriter.Workbook(str(path), {"constant_memory": constant_memory})
    ws = wb.add_worksheet("Januari")
    ws.write_row(0, 0, ["Kode RO", "Kendala", "Satuan", "Tindak Lanjut"])
    ws.write_row(1, 0, [RO_A, "   ", "Orang"])
    ws.write_formula(1, 3, '=" "', None, " ")  # a formula whose text result is a blank
    ws.write_row(2, 0, ["  ", "\t", " "])  # a row of blanks only: skipped
    ws.write_row(3, 0, [RO_B, "Hujan", "Paket", "Lapor"])
    wb.close()
    table = read_workbook(path).months[1]
    assert table is not None
    assert [row.r for row in table.rows] == [2, 4]
    assert table.rows[0].values == {
        "Kode RO": RO_A, "Kendala": None, "Satuan": "Orang", "Tindak Lanjut": None
    }


def test_find_table_cleans_columns_and_skips_empty_rows() -> None:
    """A raw calamine grid ("" for empty cells): "" and blank text become None, error cells
    become CellError (and keep their row), rows empty in every table column are skipped,
    ragged rows are padded, and the columns and the Row view agree."""
    grid: list[list[object]] = [
        ["Judul", "", "", ""],
        ["Kode RO", "Satuan", "lain", "Kendala"],
        [RO_A, " Orang ", "x", "   "],
        ["", "", "isi kolom lain saja", ""],  # empty in every table column: skipped
        ["\t", "", "", ""],  # blank text only: skipped
        ["", "", "", ""],  # the error cell below keeps this row
        [RO_B],  # ragged
    ]
    table = find_table("S", grid, "kode ro", ["Kode RO", "Satuan", "Kendala"],
                       errors={(6, 4): "#N/A"})
    assert table.header_row == 2
    assert table.row_numbers == [3, 6, 7]
    assert table.column("Kode RO") == [RO_A, None, RO_B]
    assert table.column("Satuan") == [" Orang ", None, None]
    assert table.column("Kendala") == [None, CellError("#N/A"), None]
    assert table.column("Tidak Ada") == [None, None, None]
    assert table.codes == [RO_A, None, RO_B]
    assert [row.values for row in table.rows] == [
        {"Kode RO": RO_A, "Satuan": " Orang ", "Kendala": None},
        {"Kode RO": None, "Satuan": None, "Kendala": CellError("#N/A")},
        {"Kode RO": RO_B, "Satuan": None, "Kendala": None},
    ]
    assert table.at(1).ref("Kendala") == "D6" and table.ref_at(2) == "A7"
    assert table.at(2).kode == RO_B and table.at(0).get("Satuan") == " Orang "


def test_scan_refusal_names_its_sheet(tmp_path: Path) -> None:
    """The XML scan runs before calamine loads a sheet; its refusal names that sheet."""
    from sopxl.core.config import Settings
    from sopxl.core.errors import UnreadableWorkbook

    path = hand_made(tmp_path / "t.xlsx", XlsxWriterSink, PLAIN)
    with pytest.raises(UnreadableWorkbook, match="'Rencana' memiliki 25 baris"):
        read_workbook(path, Settings(max_rows_per_sheet=20))
