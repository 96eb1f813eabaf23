"""Write the standard workbook of workbook.md (Buku Kerja Capaian Kinerja) with XlsxWriter.

`write_workbook(path, content)` is the one writer: `sopxl init` builds a WorkbookContent from
the user's CSV/XLSX files, the sample generator builds one with plausible (or deliberately
wrong) monthly entries. Every formula is written together with its cached value, computed here
the way Excel computes it, so readers that do not recalculate (python-calamine, pandas, phone
previews) see the right numbers.

Layout (all names from `sopxl.core.spec`):
- `Petunjuk`: how to use the workbook, SOP steps, colour legend.
- `Identitas`: header `Uraian | Isi | Petunjuk Pengisian` in row 1; Kode Satker and NIPs as text.
- `Referensi RO`, `Rencana`: header in row 1, data from row 2.
- `Januari` .. `Desember`: title block in rows 1-3, header in row MONTH_HEADER_ROW, data below.
- `Kendali SOP`: header row 1, one row per SOP step.
- `sopxl_state`: very hidden, `kunci | nilai`, `versi | 1`.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, BinaryIO

from sopxl.core import spec
from sopxl.core.errors import SopxlError
from sopxl.ooxml.atomic import atomic_write, refuse_if_open
from sopxl.read.inputs import PlanEntry, RoEntry
from sopxl.writeback.look import fill_hex

if TYPE_CHECKING:
    from xlsxwriter.format import Format
    from xlsxwriter.workbook import Workbook
    from xlsxwriter.worksheet import Worksheet

MONTH_HEADER_ROW = 5  # 1-based header row of every month sheet
TABLE_HEADER_ROW = 1  # Identitas, Referensi RO, Rencana, Kendali SOP
DEFINED_NAME_KODE = "DaftarKodeRO"
REFERENCE_CAPACITY = 500  # rows of Referensi RO covered by DaftarKodeRO (header excluded)
STATE_VERSION = 1

# Colours (also explained on Petunjuk).
FILL_INPUT = "#E2EFDA"  # light green: cells people fill (distinct from the warning yellow)
FILL_FORMULA = "#E7E6E6"  # grey: formulas, do not type over them
FILL_REFERENCE = "#DDEBF7"  # light blue: copied from Referensi RO
FILL_HEADER = "#1F4E78"
FILL_LABEL = "#F2F2F2"

FMT_RP = "#,##0"
FMT_PCT = "0.00"
FMT_DATE = "dd/mm/yyyy"


class _Auto:
    """Sentinel: take the value from Referensi RO, or write the standard formula."""

    _instance: _Auto | None = None

    def __new__(cls) -> _Auto:
        if cls._instance is None:
            cls._instance = super().__new__(cls)
        return cls._instance

    def __repr__(self) -> str:
        return "AUTO"


AUTO: Any = _Auto()


@dataclass(frozen=True)
class Formula:
    """A formula written as is, with the cached value readers will see (may be '#DIV/0!')."""

    text: str
    value: Any = 0


@dataclass
class MonthRow:
    """One row of a month sheet. Any field may hold any raw value (text numbers, text dates,
    fractions ...) so the sample generator can plant mistakes. AUTO means: Uraian RO / Satuan /
    Target Volume copied from Referensi RO; Realisasi Volume Kumulatif / Target Progres (%)
    written as the standard formula with its computed cached value. A plain value written in
    a formula column replaces the formula."""

    kode: Any
    uraian: Any = AUTO
    satuan: Any = AUTO
    target: Any = AUTO
    rvro: Any = None
    kumulatif: Any = AUTO
    progres: Any = None
    target_progres: Any = AUTO
    anggaran: Any = None
    kendala: Any = None
    tindak_lanjut: Any = None
    tanggal: Any = None
    keterangan: Any = None

    def value(self, column: str) -> Any:
        return getattr(self, _FIELD[column])


_FIELD: dict[str, str] = {
    spec.COL_KODE_RO: "kode",
    spec.COL_URAIAN_RO: "uraian",
    spec.COL_SATUAN: "satuan",
    spec.COL_TARGET_VOLUME: "target",
    spec.COL_RVRO: "rvro",
    spec.COL_RVRO_KUM: "kumulatif",
    spec.COL_PROGRES: "progres",
    spec.COL_TARGET_PROGRES: "target_progres",
    spec.COL_ANGGARAN: "anggaran",
    spec.COL_KENDALA: "kendala",
    spec.COL_TINDAK_LANJUT: "tindak_lanjut",
    spec.COL_TANGGAL: "tanggal",
    spec.COL_KETERANGAN: "keterangan",
}
assert set(_FIELD) == set(spec.MONTH_COLUMNS)


@dataclass
class MonthSheet:
    """The rows of one month sheet (None: one empty row per RO) and columns left out."""

    rows: list[MonthRow] | None = None
    omit_columns: tuple[str, ...] = ()


@dataclass
class WorkbookContent:
    """Everything one standard workbook holds. `identity` is keyed by spec.IDENTITAS_ITEMS."""

    identity: dict[str, Any]
    ros: list[RoEntry] = field(default_factory=list)
    plan: list[PlanEntry] = field(default_factory=list)
    months: dict[int, MonthSheet] = field(default_factory=dict)
    omit_sheets: tuple[str, ...] = ()
    spare_rows: int | None = None  # empty prepared rows below the ROs (None: 10, or 30 without ROs)
    created: dt.datetime | None = None  # document creation time (fixed for reproducible samples)

    @property
    def tahun(self) -> Any:
        return self.identity.get(spec.ID_TAHUN)


@dataclass
class SheetLayout:
    """Where things landed in a written sheet (1-based rows and columns)."""

    header_row: int
    columns: dict[str, int]
    rows: list[int] = field(default_factory=list)  # data row numbers, in content order

    def cell(self, index: int, column: str) -> str:
        return spec.cell_ref(self.rows[index], self.columns[column])


def identity(
    kode_satker: Any = None,
    nama_satker: Any = None,
    tahun: Any = None,
    kepala: Any = None,
    nip_kepala: Any = None,
    kasi: Any = None,
    nip_kasi: Any = None,
    bendahara: Any = None,
    email: Any = None,
    bulan: Any = None,
) -> dict[str, Any]:
    """The Identitas items as the dict WorkbookContent expects."""
    values = (kode_satker, nama_satker, tahun, kepala, nip_kepala, kasi, nip_kasi, bendahara, email, bulan)
    return dict(zip(spec.IDENTITAS_ITEMS, values, strict=True))


def complete_plan(ros: Sequence[RoEntry], plan: Iterable[PlanEntry]) -> list[PlanEntry]:
    """One plan row per RO per month, in RO order; months the plan lacks are left empty."""
    given: dict[tuple[str, int], PlanEntry] = {}
    for entry in plan:
        month = spec.month_number(entry.bulan)
        if month is not None:
            given.setdefault((str(entry.kode), month), entry)
    result: list[PlanEntry] = []
    seen: set[str] = set()
    for ro in ros:
        kode = str(ro.kode)
        if kode in seen:
            continue
        seen.add(kode)
        for month in range(1, 13):
            found = given.get((kode, month))
            result.append(
                PlanEntry(kode, month, found.target_progres, found.rpd)
                if found
                else PlanEntry(kode, month, None, None)
            )
    return result


# --- cached values, computed the way Excel computes the formulas ----------------------------


def _is_number(value: Any) -> bool:
    return (
        isinstance(value, int | float)
        and not isinstance(value, bool)
        and not (isinstance(value, float) and (math.isnan(value) or math.isinf(value)))
    )


def _blank(value: Any) -> bool:
    return value is None or (isinstance(value, str) and value == "")


def _key(value: Any) -> str:
    """SUMIF criterion matching: case-insensitive text equality."""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).casefold()


def plan_target(plan: Sequence[PlanEntry], kode: Any, month: int) -> float:
    """What the Target Progres formula gives: SUMIFS of Rencana by Kode RO and month (number or name)."""
    total = 0.0
    key = _key(kode)
    name = spec.norm(spec.MONTHS[month - 1])
    for entry in plan:
        if _key(entry.kode) != key or not _is_number(entry.target_progres):
            continue
        bulan = entry.bulan
        if (_is_number(bulan) and float(bulan) == month) or (isinstance(bulan, str) and spec.norm(bulan) == name):
            total += float(entry.target_progres)
    return total


def _num(value: float) -> int | float:
    return int(value) if float(value).is_integer() else round(value, 10)


# --- Kendali SOP row heights ----------------------------------------------------------------------

KENDALI_LINE = 15.0  # points per line of Calibri 11
# Lines kept for Status and Catatan (validation writes e.g. "Tidak sesuai - dikembalikan untuk
# diperbaiki" and "12 kesalahan, 3 peringatan; 2 temuan selesai diperbaiki ...").
KENDALI_FILL_LINES = 4


def _wrapped_lines(text: str, width: float) -> int:
    """Lines `text` wraps to (at word boundaries) in a column `width` characters wide, with
    the room LibreOffice's wider fallback fonts need."""
    per_line = max(1.0, width * 0.85 - 1)
    lines, used = 1, 0
    for word in text.split():
        if used and used + 1 + len(word) <= per_line:
            used += 1 + len(word)
            continue
        if used:
            lines += 1
        used = len(word)
    return lines


# --- formats -------------------------------------------------------------------------------------


class _Formats:
    def __init__(self, workbook: Workbook) -> None:
        self.wb = workbook
        self._cache: dict[tuple[str, str], Format] = {}
        self.header = workbook.add_format(
            {"bold": True, "font_color": "#FFFFFF", "bg_color": FILL_HEADER, "border": 1,
             "text_wrap": True, "valign": "vcenter", "align": "center"}
        )
        self.title = workbook.add_format({"bold": True, "font_size": 14})
        self.subtitle = workbook.add_format({"bold": True, "font_size": 11})
        self.note = workbook.add_format({"italic": True, "font_color": "#595959"})
        self.label = workbook.add_format({"bold": True, "bg_color": FILL_LABEL, "border": 1, "valign": "top"})
        self.plain = workbook.add_format({"border": 1, "text_wrap": True, "valign": "top"})
        self.wrap = workbook.add_format({"text_wrap": True, "valign": "top"})
        self.bold = workbook.add_format({"bold": True, "valign": "top"})

    def get(self, role: str, kind: str) -> Format:
        """role: input | formula | reference; kind: text | num | vol | rp | pct | date."""
        key = (role, kind)
        if key not in self._cache:
            props: dict[str, Any] = {"border": 1, "valign": "top"}
            props["bg_color"] = {"input": FILL_INPUT, "formula": FILL_FORMULA, "reference": FILL_REFERENCE}[role]
            if kind == "text":
                props["text_wrap"] = True
            elif kind == "rp":
                props["num_format"] = FMT_RP
            elif kind == "pct":
                props["num_format"] = FMT_PCT
            elif kind == "date":
                props["num_format"] = FMT_DATE
                props["align"] = "center"
            elif kind == "vol":
                props["num_format"] = "General"
            elif kind == "code":
                props["num_format"] = "@"
            self._cache[key] = self.wb.add_format(props)
        return self._cache[key]


_MONTH_KIND: dict[str, tuple[str, str]] = {
    spec.COL_KODE_RO: ("reference", "code"),
    spec.COL_URAIAN_RO: ("reference", "text"),
    spec.COL_SATUAN: ("reference", "text"),
    spec.COL_TARGET_VOLUME: ("reference", "vol"),
    spec.COL_RVRO: ("input", "vol"),
    spec.COL_RVRO_KUM: ("formula", "vol"),
    spec.COL_PROGRES: ("input", "pct"),
    spec.COL_TARGET_PROGRES: ("formula", "pct"),
    spec.COL_ANGGARAN: ("input", "rp"),
    spec.COL_KENDALA: ("input", "text"),
    spec.COL_TINDAK_LANJUT: ("input", "text"),
    spec.COL_TANGGAL: ("input", "date"),
    spec.COL_KETERANGAN: ("input", "text"),
}
_MONTH_WIDTH: dict[str, float] = {
    spec.COL_KODE_RO: 24,
    spec.COL_URAIAN_RO: 46,
    spec.COL_SATUAN: 12,
    spec.COL_TARGET_VOLUME: 10,
    spec.COL_RVRO: 12,
    spec.COL_RVRO_KUM: 12,
    spec.COL_PROGRES: 11,
    spec.COL_TARGET_PROGRES: 11,
    spec.COL_ANGGARAN: 17,
    spec.COL_KENDALA: 34,
    spec.COL_TINDAK_LANJUT: 34,
    spec.COL_TANGGAL: 13,
    spec.COL_KETERANGAN: 30,
}


def _quote(sheet: str) -> str:
    return "'" + sheet.replace("'", "''") + "'"


def _text(value: Any) -> str:
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return "" if value is None else str(value)


def _write(ws: Worksheet, row: int, col: int, value: Any, fmt: Format, *, as_text: bool = False) -> None:
    """Write one value with the writer call its type needs (row/col 0-based)."""
    if isinstance(value, Formula):
        ws.write_formula(row, col, value.text, fmt, value.value)
    elif value is None or isinstance(value, _Auto):
        ws.write_blank(row, col, None, fmt)
    elif isinstance(value, bool):
        ws.write_boolean(row, col, value, fmt)
    elif as_text:
        ws.write_string(row, col, _text(value), fmt)
    elif _is_number(value):
        ws.write_number(row, col, value, fmt)
    elif isinstance(value, dt.datetime | dt.date):
        ws.write_datetime(row, col, value, fmt)
    else:
        ws.write_string(row, col, str(value), fmt)


# --- the writer ------------------------------------------------------------------------------


def write_workbook(
    path: Path | str, content: WorkbookContent, macro: bool = False, *, portable: bool = False
) -> dict[str, SheetLayout]:
    """Write the standard workbook to `path` (atomically) and return where each table landed.

    Refuses (WorkbookBusy) while Excel or LibreOffice holds `path` open. With `macro`, `path`
    must end in .xlsm and `sopxl.build.macro.attach_macros` adds the VBA project and buttons;
    `portable` leaves this machine's Python out of the buttons' settings (a workbook handed
    to other computers, whose `sopxl excel-setup` names their own).
    """
    import xlsxwriter

    path = Path(path)
    if macro and path.suffix.lower() != ".xlsm":
        raise SopxlError(
            f"Buku kerja bermakro harus berakhiran .xlsm, bukan '{path.name}'. "
            f"Gunakan nama seperti '{path.with_suffix('.xlsm').name}'."
        )
    if not macro and path.suffix.lower() == ".xlsm":
        raise SopxlError(
            f"Nama '{path.name}' berakhiran .xlsm tetapi tanpa makro; gunakan --macro "
            "atau akhiran .xlsx."
        )
    refuse_if_open(path)
    layouts: dict[str, SheetLayout] = {}

    def write(fh: BinaryIO) -> None:
        workbook = xlsxwriter.Workbook(fh, {"strings_to_numbers": False, "strings_to_formulas": False,
                                            "strings_to_urls": False})
        workbook.set_properties(
            {"title": f"Buku Kerja Capaian Output {_text(content.tahun)}".strip(),
             "subject": "SOP Penyusunan dan Pemantauan Evaluasi Kinerja SMART",
             "author": "sopxl", "comments": "Dibuat dengan sopxl",
             **({"created": content.created} if content.created else {})}
        )
        built, sheets = _Builder(workbook, content).build()
        if macro:
            from sopxl.build.macro import attach_macros

            attach_macros(workbook, sheets, portable=portable)
        workbook.close()
        layouts.update(built)

    atomic_write(path, write, backup=False)
    return layouts


class _Builder:
    def __init__(self, workbook: Workbook, content: WorkbookContent) -> None:
        self.wb = workbook
        self.c = content
        self.f = _Formats(workbook)
        self.layouts: dict[str, SheetLayout] = {}
        self.sheets: dict[str, Worksheet] = {}
        self.ref_by_code: dict[str, RoEntry] = {}
        for ro in content.ros:
            self.ref_by_code.setdefault(_key(ro.kode), ro)
        self.year = _text(content.tahun)
        self.satker = " ".join(
            _text(content.identity.get(k)) for k in (spec.ID_KODE_SATKER, spec.ID_NAMA_SATKER)
        ).strip()
        spare = content.spare_rows
        self.spare = spare if spare is not None else (10 if content.ros else 30)

    def want(self, name: str) -> bool:
        return spec.norm(name) not in {spec.norm(s) for s in self.c.omit_sheets}

    def add(self, name: str) -> Worksheet:
        ws = self.wb.add_worksheet(name)
        ws.set_landscape()
        ws.set_paper(9)  # A4
        ws.fit_to_pages(1, 0)  # one page wide
        self.sheets[name] = ws
        return ws

    def build(self) -> tuple[dict[str, SheetLayout], dict[str, Worksheet]]:
        if self.want(spec.SHEET_PETUNJUK):
            self.petunjuk()
        if self.want(spec.SHEET_IDENTITAS):
            self.identitas()
        if self.want(spec.SHEET_REFERENSI):
            self.referensi()
        if self.want(spec.SHEET_RENCANA):
            self.rencana()
        self.wb.define_name(
            DEFINED_NAME_KODE,
            f"={_quote(spec.SHEET_REFERENSI)}!$A${TABLE_HEADER_ROW + 1}:$A${TABLE_HEADER_ROW + REFERENCE_CAPACITY}",
        )
        previous: tuple[str, SheetLayout, dict[str, float]] | None = None
        for number, name in enumerate(spec.MONTHS, start=1):
            if not self.want(name):
                continue
            previous = self.month(number, name, previous)
        if self.want(spec.SHEET_KENDALI):
            self.kendali()
        self.state()
        first = next(iter(self.sheets.values()))
        first.activate()
        return self.layouts, self.sheets

    # ---- Petunjuk --------------------------------------------------------------------------

    def petunjuk(self) -> None:
        ws = self.add(spec.SHEET_PETUNJUK)
        ws.set_column(0, 0, 22)
        ws.set_column(1, 1, 110)
        ws.hide_gridlines(2)
        f = self.f
        r = 0
        ws.write_string(r, 0, f"PETUNJUK BUKU KERJA CAPAIAN OUTPUT TAHUN ANGGARAN {self.year}".strip(), f.title)
        r += 1
        ws.write_string(r, 0, self.satker or "Satuan kerja: isi pada lembar Identitas", f.subtitle)
        r += 2

        def heading(text: str) -> None:
            nonlocal r
            ws.write_string(r, 0, text, f.subtitle)
            r += 1

        def line(label: str, text: str, fmt: Format | None = None) -> None:
            nonlocal r
            ws.write_string(r, 0, label, fmt or f.bold)
            ws.write_string(r, 1, text, f.wrap)
            lines = _lines(text, 110)
            if lines > 1:
                ws.set_row(r, 15 * lines)
            r += 1

        heading("Tujuan")
        line("", "Buku kerja ini mendukung SOP Penyusunan dan Pemantauan Evaluasi Kinerja SMART "
                 "Kemenkeu: Bendahara mengisi capaian output setiap bulan, Kasi Program dan Evaluasi "
                 "memeriksa kesesuaiannya, lalu menyusun Laporan Semester / Laporan Tahunan.")
        r += 1
        heading("Langkah SOP")
        for step, actor, activity, minutes, output in spec.SOP_STEPS:
            line(f"Langkah {step}", f"{actor}: {activity} (waktu standar {minutes}; keluaran: {output}).")
        r += 1
        heading("Lembar kerja")
        line(spec.SHEET_IDENTITAS, "Identitas satker, pejabat, e-mail penerima laporan dan Bulan Pelaporan "
                                   "(bulan terakhir yang dilaporkan).")
        line(spec.SHEET_REFERENSI, "Daftar RO dari DIPA: Kode RO, Uraian, Satuan, Jenis RO (Statis/Dinamis), "
                                   "Target Volume, Pagu dan Prioritas Nasional (Ya/Tidak; kosong = Tidak). RO baru "
                                   "ditambahkan di baris kosong di bawahnya.")
        line(spec.SHEET_RENCANA, "Rencana bulanan per RO: Target Progres (%) kumulatif dan Rencana Penarikan "
                                 "Dana (Rp) per bulan (tidak kumulatif).")
        line("Januari - Desember", "Satu lembar per bulan. Isi sel hijau muda untuk setiap RO: Realisasi Volume Bulan "
                                   "Ini (bukan kumulatif), Progres Capaian (%), Realisasi Anggaran Bulan Ini (Rp), "
                                   "Kendala dan Tindak Lanjut, Tanggal Entri SAKTI, Keterangan.")
        line(spec.SHEET_KENDALI, "Pemantauan pelaksanaan enam langkah SOP: isi Tanggal, Status dan Catatan.")
        r += 1
        heading("Cara mengisi")
        rules = [
            "Persen ditulis 0-100 (45 berarti 45 %), bukan 0,45.",
            "Uang dalam rupiah penuh tanpa teks 'Rp' dan tanpa titik yang diketik sebagai teks.",
            "Tanggal ditulis sebagai tanggal (dd/mm/yyyy), bukan teks.",
            "Realisasi Volume Bulan Ini hanya tambahan bulan itu; kolom Kumulatif dihitung otomatis.",
            "Jika Progres Capaian di bawah Target Progres, Kendala dan Tindak Lanjut wajib diisi.",
            "Jika Realisasi Anggaran menyimpang lebih dari 5 % dari rencana penarikan dana, jelaskan di Keterangan.",
            "Batas entri capaian output di SAKTI: hari kerja ke-5 bulan berikutnya.",
            "Kode RO dipilih dari daftar (drop-down) yang berasal dari lembar Referensi RO.",
        ]
        for i, text in enumerate(rules, start=1):
            line(f"{i}.", text)
        r += 1
        heading("Arti warna sel")
        for fill, label, text in (
            (FILL_INPUT, "Hijau muda", "Sel isian: diisi oleh Bendahara / petugas."),
            (FILL_FORMULA, "Abu-abu", "Rumus: dihitung otomatis, jangan ditimpa."),
            (FILL_REFERENCE, "Biru muda", "Disalin dari Referensi RO saat buku kerja dibuat; bila Referensi RO diubah, ubah juga sel ini (validasi memeriksa kesamaannya)."),
            (fill_hex("error"), "Merah", "Ditandai validasi sebagai Kesalahan; baca catatan pada sel."),
            (fill_hex("warning"), "Kuning tua", "Ditandai validasi sebagai Peringatan; periksa kembali."),
        ):
            ws.write_string(r, 0, label, self.wb.add_format({"bg_color": fill, "border": 1, "bold": True}))
            ws.write_string(r, 1, text, f.wrap)
            r += 1
        r += 1
        heading("Validasi (langkah 3 dan 5 SOP)")
        line("Excel", "Pada buku kerja .xlsm, klik tombol Validasi. Sel yang salah ditandai merah "
                      "(Kesalahan) atau kuning (Peringatan) dengan catatan; daftar lengkap ada di lembar "
                      "Catatan Koreksi.")
        line("Perintah", "Atau jalankan di terminal: sopxl validate nama-berkas.xlsx")
        line("Laporan", "Setelah data benar: sopxl consolidate nama-berkas.xlsx --periode semester1 "
                        "(atau semester2, tahunan).")

    # ---- Identitas ---------------------------------------------------------------------------

    def identitas(self) -> None:
        ws = self.add(spec.SHEET_IDENTITAS)
        f = self.f
        ws.write_row(0, 0, [spec.COL_URAIAN, spec.COL_ISI, "Petunjuk Pengisian"], f.header)
        hints = {
            spec.ID_KODE_SATKER: "6 digit, contoh 411724",
            spec.ID_NAMA_SATKER: "nama lengkap satuan kerja",
            spec.ID_TAHUN: "tahun anggaran, contoh 2026",
            spec.ID_KEPALA: "nama Kepala Balai",
            spec.ID_NIP_KEPALA: "18 digit tanpa spasi",
            spec.ID_KASI: "nama Kasi Program dan Evaluasi",
            spec.ID_NIP_KASI: "18 digit tanpa spasi",
            spec.ID_BENDAHARA: "nama Bendahara",
            spec.ID_EMAIL: "e-mail atasan penerima laporan; beberapa alamat dipisah koma",
            spec.ID_BULAN: "bulan terakhir yang dilaporkan (nama bulan atau 1-12); kosong = bulan terakhir yang terisi",
        }
        text_items = {spec.ID_KODE_SATKER, spec.ID_NIP_KEPALA, spec.ID_NIP_KASI}
        layout = SheetLayout(TABLE_HEADER_ROW, {spec.COL_URAIAN: 1, spec.COL_ISI: 2})
        for i, item in enumerate(spec.IDENTITAS_ITEMS, start=1):
            value = self.c.identity.get(item)
            ws.write_string(i, 0, item, f.label)
            kind = "code" if item in text_items else "text"
            _write(ws, i, 1, value, f.get("input", kind), as_text=item in text_items and value is not None)
            ws.write_string(i, 2, hints[item], f.note)
            layout.rows.append(i + 1)
        bulan_row = spec.IDENTITAS_ITEMS.index(spec.ID_BULAN) + 1
        ws.data_validation(bulan_row, 1, bulan_row, 1, {
            "validate": "list", "source": list(spec.MONTHS), "error_type": "warning",
            "error_title": "Bulan Pelaporan", "error_message": "Pilih nama bulan Januari sampai Desember.",
        })
        ws.set_column(0, 0, 32)
        ws.set_column(1, 1, max(24, min(60, max(len(_text(v)) for v in self.c.identity.values()) + 2)
                                if self.c.identity else 24))
        ws.set_column(2, 2, 70)
        ws.freeze_panes(1, 0)
        self.layouts[spec.SHEET_IDENTITAS] = layout

    # ---- Referensi RO / Rencana ------------------------------------------------------------------

    def referensi(self) -> None:
        ws = self.add(spec.SHEET_REFERENSI)
        f = self.f
        cols = [*spec.REFERENSI_COLUMNS, *spec.REFERENSI_OPTIONAL]
        ws.write_row(0, 0, cols, f.header)
        kinds = {spec.COL_KODE_RO: "code", spec.COL_URAIAN_RO: "text", spec.COL_SATUAN: "text",
                 spec.COL_JENIS_RO: "text", spec.COL_TARGET_VOLUME: "vol", spec.COL_PAGU: "rp",
                 spec.COL_PRIORITAS_NASIONAL: "text"}
        layout = SheetLayout(TABLE_HEADER_ROW, {c: i + 1 for i, c in enumerate(cols)})
        r = 1
        for ro in self.c.ros:
            values = [getattr(ro, _REF_FIELD[col]) for col in cols]
            for j, (col, value) in enumerate(zip(cols, values, strict=True)):
                _write(ws, r, j, value, f.get("input", kinds[col]), as_text=col == spec.COL_KODE_RO)
            layout.rows.append(r + 1)
            r += 1
        last = max(r + self.spare, TABLE_HEADER_ROW + 30)
        for rr in range(r, last):
            for j, col in enumerate(cols):
                ws.write_blank(rr, j, None, f.get("input", kinds[col]))
        jenis_col = cols.index(spec.COL_JENIS_RO)
        ws.data_validation(1, jenis_col, REFERENCE_CAPACITY, jenis_col, {
            "validate": "list", "source": [spec.JENIS_STATIS, spec.JENIS_DINAMIS], "error_type": "warning",
            "error_title": "Jenis RO", "error_message": "Jenis RO harus Statis atau Dinamis.",
        })
        prioritas_col = cols.index(spec.COL_PRIORITAS_NASIONAL)
        ws.data_validation(1, prioritas_col, REFERENCE_CAPACITY, prioritas_col, {
            "validate": "list", "source": list(spec.PRIORITAS_VALUES), "error_type": "warning",
            "error_title": spec.COL_PRIORITAS_NASIONAL,
            "error_message": "Isi Ya untuk RO Prioritas Nasional, Tidak (atau kosong) untuk yang lain.",
        })
        for col in (spec.COL_TARGET_VOLUME, spec.COL_PAGU):
            j = cols.index(col)
            ws.data_validation(1, j, REFERENCE_CAPACITY, j, {
                "validate": "decimal", "criteria": ">=", "value": 0, "error_type": "warning",
                "error_title": col, "error_message": "Isi dengan angka tidak negatif.",
            })
        widths = {spec.COL_KODE_RO: 24, spec.COL_URAIAN_RO: 50, spec.COL_SATUAN: 14, spec.COL_JENIS_RO: 10,
                  spec.COL_TARGET_VOLUME: 13, spec.COL_PAGU: 18, spec.COL_PRIORITAS_NASIONAL: 12}
        for j, col in enumerate(cols):
            ws.set_column(j, j, self._fit(col, [getattr(ro, _REF_FIELD[col]) for ro in self.c.ros], widths[col]))
        ws.freeze_panes(1, 1)
        self.layouts[spec.SHEET_REFERENSI] = layout

    def rencana(self) -> None:
        ws = self.add(spec.SHEET_RENCANA)
        f = self.f
        cols = list(spec.RENCANA_COLUMNS)
        ws.write_row(0, 0, cols, f.header)
        kinds = {spec.COL_KODE_RO: "code", spec.COL_BULAN: "vol", spec.COL_TARGET_PROGRES: "pct", spec.COL_RPD: "rp"}
        layout = SheetLayout(TABLE_HEADER_ROW, {c: i + 1 for i, c in enumerate(cols)})
        r = 1
        for entry in self.c.plan:
            values = [entry.kode, entry.bulan, entry.target_progres, entry.rpd]
            for j, (col, value) in enumerate(zip(cols, values, strict=True)):
                _write(ws, r, j, value, f.get("input", kinds[col]), as_text=col == spec.COL_KODE_RO)
            layout.rows.append(r + 1)
            r += 1
        last = max(r + self.spare * 12 if not self.c.ros else r + 24, TABLE_HEADER_ROW + 30)
        for rr in range(r, last):
            for j, col in enumerate(cols):
                ws.write_blank(rr, j, None, f.get("input", kinds[col]))
        ws.data_validation(1, 0, last + 500, 0, {
            "validate": "list", "source": f"={DEFINED_NAME_KODE}", "error_type": "warning",
            "error_title": "Kode RO", "error_message": "Kode RO tidak ada di lembar Referensi RO.",
        })
        ws.data_validation(1, 2, last + 500, 2, {
            "validate": "decimal", "criteria": "between", "minimum": 0, "maximum": 100, "error_type": "warning",
            "error_title": "Target Progres (%)", "error_message": "Tulis persen 0-100 (45 berarti 45 %).",
        })
        widths = {spec.COL_KODE_RO: 24, spec.COL_BULAN: 9, spec.COL_TARGET_PROGRES: 12, spec.COL_RPD: 20}
        for j, col in enumerate(cols):
            ws.set_column(j, j, widths[col])
        ws.freeze_panes(1, 1)
        self.layouts[spec.SHEET_RENCANA] = layout

    @staticmethod
    def _fit(title: str, values: Iterable[Any], minimum: float) -> float:
        longest = max([len(_text(v)) for v in values if v is not None] + [0])
        return float(min(60, max(minimum, longest + 2 if longest < 60 else 60, min(len(title), 20))))

    # ---- month sheets ---------------------------------------------------------------------------

    def month(
        self,
        number: int,
        name: str,
        previous: tuple[str, SheetLayout, dict[str, float]] | None,
    ) -> tuple[str, SheetLayout, dict[str, float]]:
        ws = self.add(name)
        f = self.f
        sheet = self.c.months.get(number) or MonthSheet()
        omit = {spec.norm(c) for c in sheet.omit_columns}
        cols = [c for c in spec.MONTH_COLUMNS if spec.norm(c) not in omit]
        colidx = {c: i for i, c in enumerate(cols)}  # 0-based
        letter = {c: spec.col_letter(i + 1) for c, i in colidx.items()}
        hr = MONTH_HEADER_ROW - 1  # 0-based header row
        ws.write_string(0, 0, f"CAPAIAN OUTPUT BULAN {name.upper()} {self.year}".strip(), f.title)
        ws.write_string(1, 0, self.satker, f.subtitle)
        ws.write_string(
            2, 0,
            "Isi sel hijau muda. Sel abu-abu berisi rumus (jangan ditimpa). Batas entri di SAKTI: hari kerja "
            f"ke-5 bulan {spec.MONTHS[number % 12] if number < 12 else 'Januari tahun berikutnya'}.",
            f.note,
        )
        ws.write_row(hr, 0, cols, f.header)
        ws.set_row(hr, 45)
        rows = sheet.rows
        if rows is None:
            rows = []
            seen: set[str] = set()
            for ro in self.c.ros:
                if _key(ro.kode) not in seen:
                    seen.add(_key(ro.kode))
                    rows.append(MonthRow(ro.kode))
        layout = SheetLayout(MONTH_HEADER_ROW, {c: i + 1 for c, i in colidx.items()})
        cum_by_code: dict[str, float] = {}
        total = len(rows) + self.spare
        for i in range(total):
            row0 = hr + 1 + i
            excel_row = row0 + 1
            item = rows[i] if i < len(rows) else MonthRow(None)
            ref = self.ref_by_code.get(_key(item.kode)) if not _blank(item.kode) else None
            for col in cols:
                role, kind = _MONTH_KIND[col]
                value = item.value(col)
                if isinstance(value, _Auto):
                    if col == spec.COL_URAIAN_RO:
                        value = ref.uraian if ref else None
                    elif col == spec.COL_SATUAN:
                        value = ref.satuan if ref else None
                    elif col == spec.COL_TARGET_VOLUME:
                        value = ref.target if ref else None
                    elif col == spec.COL_RVRO_KUM:
                        value = self._cum_formula(item, excel_row, letter, previous)
                    elif col == spec.COL_TARGET_PROGRES:
                        value = self._target_formula(item, excel_row, letter, number)
                elif role == "formula" and value is not None and not isinstance(value, Formula):
                    role = "input"  # a typed-over formula cell looks like what it is
                fmt = f.get(role, kind)
                _write(ws, row0, colidx[col], value, fmt, as_text=col == spec.COL_KODE_RO and value is not None)
                if col == spec.COL_RVRO_KUM:
                    cached = value.value if isinstance(value, Formula) else value
                    if not _blank(item.kode) and _is_number(cached):
                        key = _key(item.kode)
                        cum_by_code[key] = cum_by_code.get(key, 0.0) + float(cached)
            if i < len(rows):
                layout.rows.append(excel_row)
                lines = max(
                    [_lines(item.value(c), _MONTH_WIDTH[c]) for c in cols if _MONTH_KIND[c][1] == "text"
                     and isinstance(item.value(c), str)] + [1]
                )
                if lines > 1:
                    ws.set_row(row0, 15 * lines)
        last0 = hr + total  # 0-based last data row
        first0 = hr + 1
        # Validation rules: a drop-down of codes through the defined name, and gentle number checks.
        if spec.COL_KODE_RO in colidx:
            c = colidx[spec.COL_KODE_RO]
            ws.data_validation(first0, c, last0 + 200, c, {
                "validate": "list", "source": f"={DEFINED_NAME_KODE}", "error_type": "warning",
                "error_title": "Kode RO", "error_message": "Kode RO tidak ada di lembar Referensi RO.",
                "input_title": "Kode RO", "input_message": "Pilih dari daftar Referensi RO.",
            })
        for col, options in (
            (spec.COL_RVRO, {"validate": "decimal", "criteria": ">=", "value": 0}),
            (spec.COL_ANGGARAN, {"validate": "decimal", "criteria": ">=", "value": 0}),
            (spec.COL_PROGRES, {"validate": "decimal", "criteria": "between", "minimum": 0, "maximum": 100}),
        ):
            if col in colidx:
                c = colidx[col]
                ws.data_validation(first0, c, last0 + 200, c, {
                    **options, "error_type": "warning", "error_title": col[:32],
                    "error_message": "Isi dengan angka (persen 0-100; uang dalam rupiah penuh).",
                })
        if spec.COL_TANGGAL in colidx and _is_number(_num_or_none(self.c.tahun)):
            year = int(float(self.c.tahun))
            c = colidx[spec.COL_TANGGAL]
            ws.data_validation(first0, c, last0 + 200, c, {
                "validate": "date", "criteria": "between", "minimum": dt.date(year, 1, 1),
                "maximum": dt.date(year + 1, 12, 31), "error_type": "warning", "error_title": "Tanggal Entri SAKTI",
                "error_message": "Tulis tanggal (dd/mm/yyyy) pada tahun anggaran atau awal tahun berikutnya.",
            })
        for col, j in colidx.items():
            width = _MONTH_WIDTH[col]
            if col == spec.COL_URAIAN_RO:
                width = self._fit(col, [ro.uraian for ro in self.c.ros], 30)
            ws.set_column(j, j, width)
        ws.freeze_panes(MONTH_HEADER_ROW, min(2, len(cols)))
        ws.repeat_rows(hr)
        self.layouts[name] = layout
        return name, layout, cum_by_code

    def _cum_formula(
        self,
        item: MonthRow,
        excel_row: int,
        letter: dict[str, str],
        previous: tuple[str, SheetLayout, dict[str, float]] | None,
    ) -> Any:
        if spec.COL_RVRO not in letter or spec.COL_KODE_RO not in letter:
            return None
        a = f"${letter[spec.COL_KODE_RO]}{excel_row}"
        e = f"${letter[spec.COL_RVRO]}{excel_row}"
        rvro = item.rvro
        if _blank(item.kode) or _blank(rvro) or isinstance(rvro, _Auto):
            cached: Any = ""
        else:
            this = float(rvro) if _is_number(rvro) else (float(rvro) if isinstance(rvro, bool) else 0.0)
            before = previous[2].get(_key(item.kode), 0.0) if previous else 0.0
            cached = _num(before + this)
        if previous is not None:
            pname, playout, _ = previous
            pa = spec.col_letter(playout.columns.get(spec.COL_KODE_RO, 1))
            pf_index = playout.columns.get(spec.COL_RVRO_KUM)
            if pf_index is None:
                carried = "0"
            else:
                pf = spec.col_letter(pf_index)
                q = _quote(pname)
                carried = f"SUMIF({q}!${pa}:${pa},{a},{q}!${pf}:${pf})"
            text = f'=IF(OR({a}="",{e}=""),"",{carried}+N({e}))'
        else:
            text = f'=IF(OR({a}="",{e}=""),"",N({e}))'
        return Formula(text, cached)

    def _target_formula(self, item: MonthRow, excel_row: int, letter: dict[str, str], number: int) -> Any:
        if spec.COL_KODE_RO not in letter:
            return None
        a = f"${letter[spec.COL_KODE_RO]}{excel_row}"
        q = _quote(spec.SHEET_RENCANA)
        by = f"{q}!$C:$C,{q}!$A:$A,{a},{q}!$B:$B"
        text = (f'=IF({a}="","",SUMIFS({by},{number})+SUMIFS({by},"{spec.MONTHS[number - 1]}"))')
        cached: Any = "" if _blank(item.kode) else _num(plan_target(self.c.plan, item.kode, number))
        return Formula(text, cached)

    # ---- Kendali SOP and state ----------------------------------------------------------------------

    def kendali(self) -> None:
        ws = self.add(spec.SHEET_KENDALI)
        f = self.f
        cols = list(spec.KENDALI_COLUMNS)
        ws.write_row(0, 0, cols, f.header)
        layout = SheetLayout(TABLE_HEADER_ROW, {c: i + 1 for i, c in enumerate(cols)})
        date_fmt = f.get("input", "date")
        text_in = f.get("input", "text")
        center = self.wb.add_format({"border": 1, "valign": "top", "align": "center"})
        widths = (9, 26, 60, 14, 34, 13, 18, 40)
        ws.set_row(0, KENDALI_LINE * max(_wrapped_lines(c, w) for c, w in zip(cols, widths, strict=True)) + 4)
        for i, (step, actor, activity, minutes, output) in enumerate(spec.SOP_STEPS, start=1):
            ws.write_number(i, 0, step, center)
            texts = (actor, activity, minutes, output)
            for j, value in enumerate(texts, start=1):
                ws.write_string(i, j, value, f.plain)
            ws.write_blank(i, 5, None, date_fmt)
            ws.write_blank(i, 6, None, text_in)
            ws.write_blank(i, 7, None, text_in)
            # An explicit height (LibreOffice does not grow a row to its wrapped text): room
            # for the step's own text and for what is filled in later, such as validation's
            # Status and Catatan of step 3.
            lines = max(KENDALI_FILL_LINES, *(_wrapped_lines(t, w) for t, w in zip(texts, widths[1:5], strict=True)))
            ws.set_row(i, KENDALI_LINE * lines + 4)
            layout.rows.append(i + 1)
        for j, width in enumerate(widths):
            ws.set_column(j, j, width)
        ws.freeze_panes(1, 0)
        self.layouts[spec.SHEET_KENDALI] = layout

    def state(self) -> None:
        ws = self.add(spec.SHEET_STATE)
        ws.write_string(0, 0, "kunci")
        ws.write_string(0, 1, "nilai")
        ws.write_string(1, 0, "versi")
        ws.write_number(1, 1, STATE_VERSION)
        ws.very_hidden()
        self.layouts[spec.SHEET_STATE] = SheetLayout(1, {"kunci": 1, "nilai": 2}, [2])


_REF_FIELD: dict[str, str] = {
    spec.COL_KODE_RO: "kode",
    spec.COL_URAIAN_RO: "uraian",
    spec.COL_SATUAN: "satuan",
    spec.COL_JENIS_RO: "jenis",
    spec.COL_TARGET_VOLUME: "target",
    spec.COL_PAGU: "pagu",
    spec.COL_PRIORITAS_NASIONAL: "prioritas",
}


def _lines(text: Any, width: float) -> int:
    """Rough number of wrapped lines a text needs in a column `width` characters wide."""
    return max(1, math.ceil(len(str(text)) / max(width * 1.1, 1.0)))


def _num_or_none(value: Any) -> float | None:
    try:
        return float(value)
    except (TypeError, ValueError):
        return None


# --- `sopxl init`: content from the user's files and options -----------------------------------

_EMAIL = r"[^@\s,;]+@[^@\s,;]+\.[^@\s,;]+"


def build_content(
    *,
    ro_file: Path | str | None,
    rencana_file: Path | str | None,
    satker: str,
    nama: str,
    tahun: int,
    kepala: str | None = None,
    nip_kepala: str | None = None,
    kasi: str | None = None,
    nip_kasi: str | None = None,
    bendahara: str | None = None,
    email: str | None = None,
    bulan: str | int | None = None,
) -> WorkbookContent:
    """Check the identity options and read the input files; InvalidInput lists every problem."""
    import re

    from sopxl.core.errors import InvalidInput
    from sopxl.read.inputs import read_referensi, read_rencana

    problems: list[str] = []
    satker = satker.strip()
    if not re.fullmatch(r"\d{6}", satker):
        problems.append(f"--satker '{satker}' harus 6 digit angka (mis. 411724).")
    if not nama.strip():
        problems.append("--nama (Nama Satker) tidak boleh kosong.")
    if not 2000 <= tahun <= 2100:
        problems.append(f"--tahun {tahun} harus tahun antara 2000 dan 2100.")
    for option, nip in (("--nip-kepala", nip_kepala), ("--nip-kasi", nip_kasi)):
        if nip is not None and not re.fullmatch(r"\d{18}", nip.replace(" ", "")):
            problems.append(f"{option} '{nip}' harus 18 digit angka.")
    if email is not None:
        addresses = [a.strip() for a in re.split(r"[,;]", email) if a.strip()]
        bad = [a for a in addresses if not re.fullmatch(_EMAIL, a)]
        if not addresses or bad:
            problems.append(f"--email '{email}' bukan alamat e-mail yang sah.")
    bulan_value: Any = None
    if bulan is not None and str(bulan).strip():
        number = spec.month_number(bulan)
        if number is None:
            problems.append(f"--bulan '{bulan}' harus nama bulan (Januari ... Desember) atau angka 1-12.")
        else:
            bulan_value = spec.MONTHS[number - 1]
    if rencana_file is not None and ro_file is None:
        problems.append("--rencana memerlukan --ro (Referensi RO), agar kode RO rencana dapat diperiksa.")
    if problems:
        raise InvalidInput("Pilihan perintah tidak sah:\n" + "\n".join(f"  - {p}" for p in problems))
    ros = read_referensi(ro_file) if ro_file is not None else []
    plan = read_rencana(rencana_file, ros) if rencana_file is not None else []
    return WorkbookContent(
        identity=identity(
            kode_satker=satker,
            nama_satker=nama.strip(),
            tahun=tahun,
            kepala=kepala,
            nip_kepala=None if nip_kepala is None else nip_kepala.replace(" ", ""),
            kasi=kasi,
            nip_kasi=None if nip_kasi is None else nip_kasi.replace(" ", ""),
            bendahara=bendahara,
            email=email,
            bulan=bulan_value,
        ),
        ros=ros,
        plan=complete_plan(ros, plan) if ros else [],
    )
