"""Every rule, alone, on a table of cases: cells in -> findings out.

Each case starts from the consistent workbook of `wbfactory.standard_book(months=3)` (two ROs,
Januari..Maret reported, nothing fires), changes a few cells, runs ONE rule with
`sopxl.rules.base.run_rule` and compares the set of (rule, sheet, cell) it finds with the
case's. A case whose expected set is empty is a near miss the rule must accept. Cells are
named by sheet, data row and column header (`At`), Identitas item (`Item`), a literal A1 cell
(`Cell`) or, on a consolidated report, RO and column header (`Rep`), so the table reads as
the workbook does. Only rule ids and the public catalogue are used.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from test_consolidate import a1, fill_people_cells, report_grid, ro_table_cell
from wbfactory import RO_DINAMIS, RO_STATIS, Book, Err, standard_book

from sopxl.calc.report_layout import TOTAL_LABEL
from sopxl.core import spec
from sopxl.core.config import Settings
from sopxl.ooxml import WorkbookPackage
from sopxl.read.ekspor import read_export
from sopxl.read.workbook import read_workbook
from sopxl.report.consolidate import consolidate
from sopxl.rules import CATALOGUE
from sopxl.rules.base import run_rule

MONTHS = 3  # standard_book(months=MONTHS): Januari..Maret reported, Bulan Pelaporan Maret
TODAY = "2026-11-24"
SEMESTER_I = spec.PERIODS["semester1"][0]

# Rules of rules.md that another branch adds; their cases skip while they are not registered.
UPCOMING_RULES = frozenset({"CAP-DESIMAL", "CAP-PROGRES-ANGGARAN", "CAP-BELANJA-TANPA-PROGRES"})

JAN, FEB, MAR, APR = spec.MONTHS[:4]
REF = spec.SHEET_REFERENSI
PLAN = spec.SHEET_RENCANA
ROS = (RO_STATIS, RO_DINAMIS)  # row 0 and row 1 of every standard sheet


# ---- where a value goes, and where a finding is ---------------------------------------------


@dataclass(frozen=True)
class At:
    """The data cell of a standard sheet: 0-based data row, column header (None: column A)."""

    sheet: str
    row: int
    column: str | None = None


@dataclass(frozen=True)
class Item:
    """The Isi cell of an Identitas item."""

    name: str


@dataclass(frozen=True)
class Cell:
    """A literal A1 cell (a header cell; a whole-sheet finding names A1)."""

    sheet: str
    ref: str


@dataclass(frozen=True)
class Rep:
    """A cell of the RO table of a consolidated report: the RO's row (or the totals row,
    `TOTAL_LABEL`) in a column named by its header."""

    kode: str
    header: str
    sheet: str = SEMESTER_I


Where = At | Item | Cell | Rep


def plan(ro: int, month: int, column: str) -> At:
    """A cell of Rencana, laid out RO by RO with 12 months each."""
    return At(PLAN, ro * 12 + month - 1, column)


def month(number: int, row: int, column: str | None = None) -> At:
    return At(spec.MONTHS[number - 1], row, column)


# ---- the cases ------------------------------------------------------------------------------


UNKNOWN_RO = "013.07.WA.4293.EBA.999"


@dataclass(frozen=True)
class Case:
    rule: str
    name: str
    cells: Mapping[Where, Any] = field(default_factory=dict)  # written into the workbook
    expect: frozenset[Where] = frozenset()  # the cells the rule names (empty: a near miss)
    edit: Callable[[Book], None] | None = None  # a change of shape: rows, columns, sheets
    settings: Mapping[str, Any] = field(default_factory=dict)
    report: str | None = None  # consolidate this period (people cells filled), then...
    typed: Mapping[Where, Any] = field(default_factory=dict)  # ...type these over the file
    # a SAKTI export of Maret given with the run: Kode RO -> (volume, progres, rupiah)
    ekspor: Mapping[str, tuple[float, float, float]] | None = None

    @property
    def id(self) -> str:
        return f"{self.rule}:{self.name}"


def _drop_column(sheet: str, column: str) -> Callable[[Book], None]:
    def edit(book: Book) -> None:
        book.columns[sheet] = [c for c in book.header(sheet) if c != column]

    return edit


def _append_copy(rows: Callable[[Book], list[dict[str, Any]]], index: int) -> Callable[[Book], None]:
    def edit(book: Book) -> None:
        rows(book).append(dict(rows(book)[index]))

    return edit


def _delete(rows: Callable[[Book], list[dict[str, Any]]], index: int) -> Callable[[Book], None]:
    def edit(book: Book) -> None:
        del rows(book)[index]

    return edit


def _satuan_everywhere(row: int, satuan: str) -> Callable[[Book], None]:
    def edit(book: Book) -> None:
        book.referensi[row][spec.COL_SATUAN] = satuan
        for rows in book.months.values():
            rows[row][spec.COL_SATUAN] = satuan

    return edit


def _prioritas_nasional(book: Book) -> None:
    for row, ro in zip(book.referensi, ROS, strict=True):
        row["Prioritas Nasional"] = "Ya" if ro == RO_DINAMIS else "Tidak"


def _nothing_entered(book: Book) -> None:
    """No Bulan Pelaporan and no entry in any month: the months due come from the deadlines."""
    book.identitas[spec.ID_BULAN] = None
    for rows in book.months.values():
        for row in rows:
            for column in (spec.COL_RVRO, spec.COL_RVRO_KUM, spec.COL_PROGRES, spec.COL_ANGGARAN, spec.COL_TANGGAL):
                row[column] = None


def _sakti(**changes: tuple[float, float, float] | None) -> dict[str, tuple[float, float, float]]:
    """A SAKTI export of Maret agreeing with the standard workbook, with `changes` by RO
    (RO_STATIS / RO_DINAMIS / UNKNOWN by name; None leaves the RO out)."""
    rows: dict[str, tuple[float, float, float] | None] = {
        RO_STATIS: (1, 25.0, 10_000_000), RO_DINAMIS: (10, 25.0, 50_000_000),
    }
    names = {"statis": RO_STATIS, "dinamis": RO_DINAMIS, "unknown": UNKNOWN_RO}
    rows.update({names[name]: value for name, value in changes.items()})
    return {code: value for code, value in rows.items() if value is not None}


def _write_sakti(rows: Mapping[str, tuple[float, float, float]], path: Path) -> Path:
    lines = ["Capaian Output RO Bulan Maret 2026", "Kode RO;RVRO;PCRO;Realisasi Anggaran RO"]
    lines += [f"{code};{v};{p};{r}" for code, (v, p, r) in rows.items()]
    path.write_text("\n".join(lines), encoding="utf-8")
    return path


C = spec  # short column names in the table below

CASES: tuple[Case, ...] = (
    # ---- Struktur ---------------------------------------------------------------------------
    Case("STR-SHEET", "lembar hilang", edit=lambda b: b.drop.add(MAR),
         expect=frozenset({Cell(MAR, "A1")})),
    Case("STR-SHEET", "nama lembar salah", edit=lambda b: b.sheet_names.update({MAR: "Mar"}),
         expect=frozenset({Cell(MAR, "A1")})),
    Case("STR-SHEET", "huruf kecil dan spasi", edit=lambda b: b.sheet_names.update({MAR: " maret "})),
    Case("STR-COLUMN", "kolom hilang", edit=_drop_column(JAN, C.COL_TANGGAL),
         expect=frozenset({Cell(JAN, "A1")})),
    Case("STR-COLUMN", "baris judul tidak ditemukan",
         cells={Cell(spec.SHEET_IDENTITAS, "A1"): "Uraian Item"},
         expect=frozenset({Cell(spec.SHEET_IDENTITAS, "A1")})),
    Case("STR-COLUMN", "urutan kolom lain",
         edit=lambda b: b.columns.update({REF: list(reversed(spec.REFERENSI_COLUMNS))})),
    Case("STR-FORMULA-ERROR", "nilai galat",
         cells={month(2, 0, C.COL_PROGRES): Err("#DIV/0!"), At(REF, 1, C.COL_PAGU): Err("#REF!", "=#REF!")},
         expect=frozenset({month(2, 0, C.COL_PROGRES), At(REF, 1, C.COL_PAGU)})),
    # ---- Identitas --------------------------------------------------------------------------
    Case("ID-SATKER", "angka tanpa nol di depan", cells={Item(C.ID_KODE_SATKER): 41172},
         expect=frozenset({Item(C.ID_KODE_SATKER)})),
    Case("ID-SATKER", "tanda hubung", cells={Item(C.ID_KODE_SATKER): "4117-24"},
         expect=frozenset({Item(C.ID_KODE_SATKER)})),
    Case("ID-SATKER", "enam digit sebagai angka", cells={Item(C.ID_KODE_SATKER): 411724}),
    Case("ID-TAHUN", "bukan tahun", cells={Item(C.ID_TAHUN): "TA 2026"},
         expect=frozenset({Item(C.ID_TAHUN)})),
    Case("ID-TAHUN", "tahun sebagai teks", cells={Item(C.ID_TAHUN): "2026"}),
    Case("ID-NIP", "angka dan kurang digit",
         cells={Item(C.ID_NIP_KEPALA): 197001012000031001.0, Item(C.ID_NIP_KASI): "19800505 200501 2"},
         expect=frozenset({Item(C.ID_NIP_KEPALA), Item(C.ID_NIP_KASI)})),
    Case("ID-NIP", "kelompok digit dengan spasi", cells={Item(C.ID_NIP_KASI): "19800505 200501 2 002"}),
    Case("ID-EMAIL", "bukan alamat", cells={Item(C.ID_EMAIL): "kepala(at)contoh.go.id"},
         expect=frozenset({Item(C.ID_EMAIL)})),
    Case("ID-EMAIL", "kosong", cells={Item(C.ID_EMAIL): None}, expect=frozenset({Item(C.ID_EMAIL)})),
    Case("ID-EMAIL", "dua alamat dan koma di akhir",
         cells={Item(C.ID_EMAIL): "kepala@contoh.go.id, program@contoh.go.id,"}),
    # ---- Referensi RO dan Rencana -----------------------------------------------------------
    Case("REF-KODE", "huruf kecil dan spasi",
         cells={At(REF, 0, C.COL_KODE_RO): "013.07.wa.4293.eba.962", At(REF, 1, C.COL_KODE_RO): "013 07 WA 4293 SBA 001"},
         expect=frozenset({At(REF, 0, C.COL_KODE_RO), At(REF, 1, C.COL_KODE_RO)})),
    Case("REF-DUPLIKAT", "RO ganda", edit=_append_copy(lambda b: b.referensi, 0),
         expect=frozenset({At(REF, 2, C.COL_KODE_RO)})),
    Case("REF-NILAI", "nilai tidak sah",
         cells={At(REF, 0, C.COL_JENIS_RO): "Tetap", At(REF, 0, C.COL_TARGET_VOLUME): "12 layanan",
                At(REF, 1, C.COL_SATUAN): None, At(REF, 1, C.COL_PAGU): -5_000_000},
         expect=frozenset({At(REF, 0, C.COL_JENIS_RO), At(REF, 0, C.COL_TARGET_VOLUME),
                           At(REF, 1, C.COL_SATUAN), At(REF, 1, C.COL_PAGU)})),
    Case("REF-NILAI", "jenis RO huruf kecil, pagu 0",
         cells={At(REF, 0, C.COL_JENIS_RO): " statis ", At(REF, 1, C.COL_PAGU): 0}),
    Case("REN-RO", "bulan tanpa rencana", edit=_delete(lambda b: b.rencana, 11),
         expect=frozenset({At(REF, 0, C.COL_KODE_RO)})),
    Case("REN-RO", "RO asing", cells={plan(1, 1, C.COL_KODE_RO): UNKNOWN_RO},
         expect=frozenset({plan(1, 1, C.COL_KODE_RO), At(REF, 1, C.COL_KODE_RO)})),
    Case("REN-RO", "bulan sebagai angka", cells={plan(0, 5, C.COL_BULAN): 5}),
    Case("REN-TARGET", "di luar 0-100, turun, bukan 100 di Desember",
         cells={plan(0, 4, C.COL_TARGET_PROGRES): 150, plan(0, 7, C.COL_TARGET_PROGRES): 40,
                plan(1, 12, C.COL_TARGET_PROGRES): 95},
         expect=frozenset({plan(0, 4, C.COL_TARGET_PROGRES), plan(0, 7, C.COL_TARGET_PROGRES),
                           plan(1, 12, C.COL_TARGET_PROGRES)})),
    Case("REN-TARGET", "target tetap dari bulan ke bulan",
         cells={plan(0, 7, C.COL_TARGET_PROGRES): 50.0}),
    Case("REN-PAGU", "RPD setahun kurang dari pagu", cells={plan(0, 2, C.COL_RPD): 5_000_000},
         expect=frozenset({At(REF, 0, C.COL_PAGU)})),
    Case("REN-PAGU", "RPD dipindah antarbulan",
         cells={plan(0, 2, C.COL_RPD): 5_000_000, plan(0, 3, C.COL_RPD): 15_000_000}),
    # ---- Lembar bulanan ---------------------------------------------------------------------
    Case("CAP-RO-ASING", "RO asing", cells={month(2, 0, C.COL_KODE_RO): UNKNOWN_RO},
         expect=frozenset({month(2, 0)})),
    Case("CAP-RO-ASING", "bulan setelah bulan pelaporan", cells={month(4, 0, C.COL_KODE_RO): UNKNOWN_RO}),
    Case("CAP-RO-HILANG", "baris RO hilang", edit=_delete(lambda b: b.months[3], 1),
         expect=frozenset({Cell(MAR, "A1")})),
    Case("CAP-DUPLIKAT", "RO dua kali", edit=_append_copy(lambda b: b.months[1], 0),
         expect=frozenset({month(1, 2)})),
    Case("CAP-KOSONG", "nilai wajib kosong",
         cells={month(2, 1, C.COL_PROGRES): None, month(2, 1, C.COL_TANGGAL): None},
         expect=frozenset({month(2, 1, C.COL_PROGRES), month(2, 1, C.COL_TANGGAL)})),
    Case("CAP-KOSONG", "nol bukan kosong",
         cells={month(2, 1, C.COL_RVRO): 0, month(2, 1, C.COL_ANGGARAN): 0}),
    Case("CAP-KOSONG", "lembar bulan kosong seluruhnya", cells={Item(C.ID_BULAN): "April"},
         expect=frozenset({month(4, 0, C.COL_RVRO)})),
    Case("CAP-KOSONG", "belum ada bulan diisi: bulan yang lewat batas entri", edit=_nothing_entered,
         settings={"today": "2026-03-20"}, expect=frozenset({month(1, 0, C.COL_RVRO), month(2, 0, C.COL_RVRO)})),
    Case("CAP-ANGKA", "teks di kolom angka",
         cells={month(1, 1, C.COL_RVRO): "10 paket", month(2, 0, C.COL_ANGGARAN): "Rp 10.000.000"},
         expect=frozenset({month(1, 1, C.COL_RVRO), month(2, 0, C.COL_ANGGARAN)})),
    Case("CAP-NEGATIF", "nilai uang negatif", cells={month(1, 0, C.COL_ANGGARAN): -10_000_000},
         expect=frozenset({month(1, 0, C.COL_ANGGARAN)})),
    Case("CAP-SATUAN", "satuan lain", cells={month(2, 1, C.COL_SATUAN): "Paket"},
         expect=frozenset({month(2, 1, C.COL_SATUAN)})),
    Case("CAP-SATUAN", "huruf kecil dan spasi", cells={month(2, 1, C.COL_SATUAN): " orang "}),
    Case("CAP-TARGET", "target berbeda",
         cells={month(1, 0, C.COL_TARGET_VOLUME): 10, month(3, 1, C.COL_TARGET_PROGRES): 30},
         expect=frozenset({month(1, 0, C.COL_TARGET_VOLUME), month(3, 1, C.COL_TARGET_PROGRES)})),
    Case("CAP-PERSEN", "di atas 100", cells={month(3, 0, C.COL_PROGRES): 250},
         expect=frozenset({month(3, 0, C.COL_PROGRES)})),
    Case("CAP-PERSEN-PECAHAN", "persen sebagai pecahan", cells={month(3, 1, C.COL_PROGRES): 0.25},
         expect=frozenset({month(3, 1, C.COL_PROGRES)})),
    Case("CAP-PROGRES-TURUN", "progres turun", cells={month(3, 0, C.COL_PROGRES): 10},
         expect=frozenset({month(3, 0, C.COL_PROGRES)})),
    Case("CAP-PROGRES-TURUN", "progres tetap", cells={month(3, 0, C.COL_PROGRES): 16.67}),
    Case("CAP-KUMULATIF", "kumulatif salah jumlah", cells={month(2, 1, C.COL_RVRO_KUM): 25},
         expect=frozenset({month(2, 1, C.COL_RVRO_KUM)})),
    Case("CAP-KUMULATIF", "setelah volume berupa teks (CAP-ANGKA)", cells={month(2, 0, C.COL_RVRO): "1 layanan"}),
    Case("CAP-MELEBIHI-TARGET", "statis dan dinamis melebihi target",
         cells={month(2, 0, C.COL_RVRO): 20, month(3, 1, C.COL_RVRO): 200},
         expect=frozenset({month(2, 0, C.COL_RVRO), month(3, 1, C.COL_RVRO)})),
    Case("CAP-MELEBIHI-TARGET", "jumlah memakai angka dari teks",
         cells={month(2, 0, C.COL_RVRO): "6 layanan", month(3, 0, C.COL_RVRO): 6},
         expect=frozenset({month(3, 0, C.COL_RVRO)})),
    Case("CAP-MELEBIHI-TARGET", "teks itu sendiri melebihi (CAP-ANGKA)", cells={month(2, 0, C.COL_RVRO): "60 layanan"}),
    Case("CAP-PROGRES-VOLUME", "progres 100 sebelum volume tercapai",
         cells={month(3, 0, C.COL_PROGRES): 100},
         expect=frozenset({month(3, 0, C.COL_PROGRES)})),
    Case("CAP-PROGRES-VOLUME", "volume dan kumulatif sejalan, progres tertinggal",
         cells={month(3, 0, C.COL_RVRO): 10, month(3, 0, C.COL_RVRO_KUM): 12},
         expect=frozenset({month(3, 0, C.COL_PROGRES)})),
    Case("CAP-PROGRES-VOLUME", "volume salah ketik (CAP-KUMULATIF)", cells={month(3, 0, C.COL_RVRO): 10}),
    Case("CAP-KENDALA", "di bawah target tanpa kendala", cells={month(3, 0, C.COL_PROGRES): 20},
         expect=frozenset({month(3, 0, C.COL_KENDALA)})),
    Case("CAP-KENDALA", "di bawah target dengan kendala",
         cells={month(3, 0, C.COL_PROGRES): 20, month(3, 0, C.COL_KENDALA): "Peserta mundur",
                month(3, 0, C.COL_TINDAK_LANJUT): "Rekrut ulang April"}),
    Case("CAP-KENDALA", "progres ditulis pecahan (CAP-PERSEN-PECAHAN)", cells={month(3, 0, C.COL_PROGRES): 0.25}),
    Case("CAP-TANGGAL", "teks, sebelum akhir bulan, masa depan",
         cells={month(2, 0, C.COL_TANGGAL): "5 Maret 2026", month(3, 1, C.COL_TANGGAL): dt.date(2026, 3, 15),
                month(1, 1, C.COL_TANGGAL): dt.date(2027, 1, 5)},
         expect=frozenset({month(2, 0, C.COL_TANGGAL), month(3, 1, C.COL_TANGGAL), month(1, 1, C.COL_TANGGAL)})),
    Case("CAP-TANGGAL", "hari terakhir bulan itu", cells={month(3, 1, C.COL_TANGGAL): dt.date(2026, 3, 31)}),
    Case("CAP-TERLAMBAT", "melewati tenggat", cells={month(2, 1, C.COL_TANGGAL): dt.date(2026, 3, 20)},
         expect=frozenset({month(2, 1, C.COL_TANGGAL)})),
    Case("CAP-TERLAMBAT", "hari kalender: tanggal 6 melewati tanggal 5",
         cells={month(2, 1, C.COL_TANGGAL): dt.date(2026, 3, 6)}, settings={"deadline_days": "calendar"},
         expect=frozenset({month(2, 1, C.COL_TANGGAL)})),
    Case("CAP-TERLAMBAT", "hari kerja: tanggal 6 masih hari kerja ke-5",
         cells={month(2, 1, C.COL_TANGGAL): dt.date(2026, 3, 6)}),
    Case("CAP-TERLAMBAT", "tenggat diundur", cells={month(2, 1, C.COL_TANGGAL): dt.date(2026, 3, 20)},
         settings={"deadline_day": 20}),
    Case("CAP-PAGU", "melebihi pagu", cells={month(3, 0, C.COL_ANGGARAN): 200_000_000},
         expect=frozenset({month(3, 0, C.COL_ANGGARAN)})),
    Case("CAP-DEVIASI-RPD", "menyimpang 20 % tanpa keterangan", cells={month(2, 1, C.COL_ANGGARAN): 60_000_000},
         expect=frozenset({month(2, 1, C.COL_ANGGARAN)})),
    Case("CAP-DEVIASI-RPD", "menyimpang dengan keterangan",
         cells={month(2, 1, C.COL_ANGGARAN): 60_000_000, month(2, 1, C.COL_KETERANGAN): "Percepatan"}),
    Case("CAP-DEVIASI-RPD", "batas dinaikkan", cells={month(2, 1, C.COL_ANGGARAN): 60_000_000},
         settings={"rpd_deviation_pct": 25}),
    Case("CAP-MENDAHULUI", "bulan berikutnya sudah diisi", cells={month(4, 0, C.COL_RVRO): 1},
         expect=frozenset({month(4, 0, C.COL_RVRO)})),
    Case("CAP-DESIMAL", "volume pecahan untuk satuan Orang", cells={month(1, 1, C.COL_RVRO): 10.5},
         expect=frozenset({month(1, 1, C.COL_RVRO)})),
    Case("CAP-DESIMAL", "satuan Orang Jam Pelajaran boleh pecahan",
         cells={month(1, 1, C.COL_RVRO): 10.5}, edit=_satuan_everywhere(1, "Orang Jam Pelajaran")),
    Case("CAP-PROGRES-ANGGARAN", "selisih 25 poin tanpa keterangan", cells={month(3, 0, C.COL_PROGRES): 50},
         expect=frozenset({month(3, 0, C.COL_PROGRES)})),
    Case("CAP-PROGRES-ANGGARAN", "selisih 6 poin, prioritas nasional",
         cells={month(3, 1, C.COL_PROGRES): 31}, edit=_prioritas_nasional,
         expect=frozenset({month(3, 1, C.COL_PROGRES)})),
    Case("CAP-PROGRES-ANGGARAN", "selisih 6 poin, bukan prioritas nasional",
         cells={month(3, 1, C.COL_PROGRES): 31}),
    Case("CAP-PROGRES-ANGGARAN", "selisih 25 poin dengan keterangan",
         cells={month(3, 0, C.COL_PROGRES): 50, month(3, 0, C.COL_KETERANGAN): "Volume dipercepat"}),
    Case("CAP-BELANJA-TANPA-PROGRES", "belanja dengan progres 0",
         cells={month(3, 1, C.COL_PROGRES): 0}, expect=frozenset({month(3, 1, C.COL_PROGRES)})),
    Case("CAP-BELANJA-TANPA-PROGRES", "belanja dengan progres 0 dan keterangan",
         cells={month(3, 1, C.COL_PROGRES): 0, month(3, 1, C.COL_KETERANGAN): "Uang muka kontrak"}),
    # ---- Lembar laporan ---------------------------------------------------------------------
    Case("LAP-ANGKA", "angka diubah dengan tangan", report="semester1",
         typed={Rep(RO_STATIS, "Pagu (Rp)"): 1.0, Rep(TOTAL_LABEL, "Pagu (Rp)"): 1.0,
                Rep(RO_DINAMIS, "Target Volume"): "120 orang"},
         expect=frozenset({Rep(RO_STATIS, "Pagu (Rp)"), Rep(TOTAL_LABEL, "Pagu (Rp)"),
                           Rep(RO_DINAMIS, "Target Volume")})),
    Case("LAP-ANGKA", "laporan hasil konsolidasi", report="semester1"),
    Case("LAP-USANG", "data berubah setelah konsolidasi", report="semester1",
         typed={month(3, 0, C.COL_KETERANGAN): "diperbaiki"}, expect=frozenset({Cell(SEMESTER_I, "A1")})),
    Case("LAP-USANG", "bulan di luar periode berubah", report="semester1",
         typed={month(8, 0, C.COL_KETERANGAN): "catatan"}),
    Case("LAP-NARASI", "narasi kosong",
         edit=lambda b: b.extra_sheets.update({SEMESTER_I: [
             ["Analisis Capaian", "Capaian sesuai rencana."], ["Kendala Umum", "Tidak ada."], ["Rekomendasi"],
         ]}),
         expect=frozenset({Cell(SEMESTER_I, "B3")})),
    Case("LAP-NARASI", "narasi di sel bawah label",
         edit=lambda b: b.extra_sheets.update({SEMESTER_I: [
             ["Analisis Capaian"], ["Capaian sesuai rencana."], ["Kendala Umum", "Tidak ada."],
             ["Rekomendasi", None, None, "Percepat pelatihan."],
         ]})),
    Case("LAP-PENGESAHAN", "NIP dan tanggal kosong",
         edit=lambda b: b.extra_sheets.update({SEMESTER_I: [
             ["Disusun oleh", None, "Diperiksa oleh", None, "Disetujui oleh"],
             ["Nama", "Ani", "Nama", "Siti", "Nama", "Budi"],
             ["NIP", "198001012005011001", "NIP", "198001012005011002", "NIP", None],
             ["Tanggal", dt.datetime(2026, 7, 10), "Tanggal", dt.datetime(2026, 7, 11), "Tanggal", None],
         ]}),
         expect=frozenset({Cell(SEMESTER_I, "F3")})),
    Case("LAP-PENGESAHAN", "pengesahan lengkap", report="semester1"),
    # ---- Rekonsiliasi dengan ekspor SAKTI ----------------------------------------------------
    Case("REK-RO", "RO tidak ada di ekspor", ekspor=_sakti(dinamis=None),
         expect=frozenset({month(3, 1, C.COL_KODE_RO)})),
    Case("REK-RO", "RO ekspor tidak ada di buku kerja", ekspor=_sakti(unknown=(1, 25.0, 1_000_000)),
         expect=frozenset({Cell(MAR, "A1")})),
    Case("REK-RO", "RO sama", ekspor=_sakti()),
    Case("REK-NILAI", "anggaran berbeda", ekspor=_sakti(dinamis=(10, 25.0, 55_000_000)),
         expect=frozenset({month(3, 1, C.COL_ANGGARAN)})),
    Case("REK-NILAI", "volume dan progres berbeda", ekspor=_sakti(statis=(2, 30.0, 10_000_000)),
         expect=frozenset({month(3, 0, C.COL_RVRO), month(3, 0, C.COL_PROGRES)})),
    Case("REK-NILAI", "angka sama ditulis lain", ekspor=_sakti(dinamis=(10.0, 25.0004, 50_000_000.2))),
)  # fmt: skip


# ---- running a case -------------------------------------------------------------------------


def _set(book: Book, where: Where, value: Any) -> None:
    if isinstance(where, Item):
        book.identitas[where.name] = value
    elif isinstance(where, Cell):
        book.cells.setdefault(where.sheet, {})[where.ref] = value
    elif isinstance(where, At):
        assert where.column is not None, "a value goes into a named column"
        if where.sheet == REF:
            rows = book.referensi
        elif where.sheet == PLAN:
            rows = book.rencana
        else:
            rows = book.months[spec.MONTHS.index(where.sheet) + 1]
        rows[where.row][where.column] = value
    else:
        raise TypeError(f"{where} is typed into a consolidated report, not written with the book")


def _locate(book: Book, where: Where, path: Path) -> tuple[str, str]:
    if isinstance(where, Item):
        index = list(book.identitas).index(where.name)
        return spec.SHEET_IDENTITAS, book.ref(spec.SHEET_IDENTITAS, index, spec.COL_ISI)
    if isinstance(where, Cell):
        return where.sheet, where.ref
    if isinstance(where, At):
        return where.sheet, book.ref(where.sheet, where.row, where.column)
    grid = report_grid(path, where.sheet)
    if where.kode == TOTAL_LABEL:
        header = ro_table_cell(grid, RO_STATIS, where.header)[1]
        row = next(r for r, values in enumerate(grid) if TOTAL_LABEL in values)
        return where.sheet, a1((row, header))
    return where.sheet, a1(ro_table_cell(grid, where.kode, where.header))


def _type_into(path: Path, book: Book, typed: Mapping[Where, Any]) -> None:
    by_sheet: dict[str, dict[str, Any]] = {}
    for where, value in typed.items():
        sheet, ref = _locate(book, where, path)
        by_sheet.setdefault(sheet, {})[ref] = value
    pkg = WorkbookPackage.open(path)
    for sheet, values in by_sheet.items():
        pkg.set_cell_values(sheet, values)
    pkg.save(backup=False)


def _run(case: Case, tmp_path: Path) -> tuple[set[tuple[str, str, str]], set[tuple[str, str, str]]]:
    """(what the rule found, what the case expects), as (rule, sheet, cell)."""
    book = standard_book(months=MONTHS)
    if case.edit is not None:
        case.edit(book)
    for where, value in case.cells.items():
        _set(book, where, value)
    path = book.write(tmp_path / "case.xlsx")
    if case.report is not None:
        consolidate(path, case.report)
        fill_people_cells(path)
    if case.typed:
        _type_into(path, book, case.typed)
    settings = Settings().with_overrides({"today": TODAY, **case.settings})
    data = read_workbook(path)
    if case.ekspor is not None:
        data.ekspor = read_export(_write_sakti(case.ekspor, tmp_path / "sakti.csv"))
    findings = run_rule(case.rule, data, settings)
    assert {f.rule for f in findings} <= {case.rule}
    found = {(f.rule, f.sheet, f.cell) for f in findings}
    return found, {(case.rule, *_locate(book, where, path)) for where in case.expect}


@pytest.mark.parametrize("case", CASES, ids=lambda case: case.id)
def test_rule_case(case: Case, tmp_path: Path) -> None:
    if case.rule not in CATALOGUE:
        pytest.skip(f"{case.rule} is not in the catalogue yet")
    found, expected = _run(case, tmp_path)
    assert found == expected


@pytest.fixture(scope="module")
def clean_book(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return standard_book(months=MONTHS).write(tmp_path_factory.mktemp("clean") / "clean.xlsx")


@pytest.mark.parametrize("rule_id", list(CATALOGUE))
def test_rule_is_silent_on_the_standard_workbook(rule_id: str, clean_book: Path) -> None:
    assert run_rule(rule_id, read_workbook(clean_book), Settings(today=TODAY)) == []


def test_every_catalogue_rule_has_a_case_that_fires() -> None:
    firing = {case.rule for case in CASES if case.expect}
    missing = [rule_id for rule_id in CATALOGUE if rule_id not in firing]
    assert not missing, f"rules without a case in {__name__}.CASES: {missing}"


def test_cases_name_only_catalogue_or_upcoming_rules() -> None:
    unknown = {case.rule for case in CASES} - set(CATALOGUE) - UPCOMING_RULES
    assert not unknown, f"cases of unknown rules (a typo?): {sorted(unknown)}"
    assert len({case.id for case in CASES}) == len(CASES), "two cases share a name"


def test_run_rule_is_the_engine_for_one_rule(clean_book: Path, tmp_path: Path) -> None:
    """run_rule gives what a whole run gives for that rule, with the settings' severity,
    and nothing for a disabled rule; an unknown id is an error."""
    from sopxl.rules.validate import check

    book = standard_book(months=MONTHS)
    book.months[3][1][spec.COL_TANGGAL] = dt.date(2026, 4, 30)  # CAP-TERLAMBAT
    book.months[2][0][spec.COL_RVRO] = "1 layanan"  # CAP-ANGKA
    data = read_workbook(book.write(tmp_path / "b.xlsx"))
    settings = Settings(today=TODAY, severity={"CAP-TERLAMBAT": "error"})
    whole = check(data, settings).findings
    for rule_id in ("CAP-TERLAMBAT", "CAP-ANGKA"):
        alone = run_rule(rule_id, data, settings)
        assert alone and alone == [f for f in whole if f.rule == rule_id]
    assert {f.severity for f in run_rule("CAP-TERLAMBAT", data, settings)} == {"error"}
    assert run_rule("CAP-ANGKA", data, Settings(today=TODAY, disabled_rules=["CAP-ANGKA"])) == []
    with pytest.raises(KeyError):
        run_rule("CAP-TIDAK-ADA", read_workbook(clean_book), settings)
