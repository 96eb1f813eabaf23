"""Build standard workbooks (workbook.md) for tests, from plain Python data, with XlsxWriter.

Typical use::

    from wbfactory import standard_book   # tests/ is on sys.path under pytest

    book = standard_book(months=3)                     # consistent data, Jan..Mar reported
    book.months[2][0][spec.COL_RVRO] = "10 paket"      # change any value
    path = book.write(tmp_path / "b.xlsx")
    cell = book.ref(spec.MONTHS[1], 0, spec.COL_RVRO)  # "E2": where that value landed

`standard_book()` gives a workbook on which no rule should fire: two ROs
(``RO_STATIS`` 12 Layanan, ``RO_DINAMIS`` 120 Orang), a linear plan, months
1..`months` entered on time with cumulative figures, progress equal to the plan and
realisation equal to the RPD; later months hold only the static columns.

Knobs of :class:`Book` (all plain attributes, change them before `write`):

* ``identitas``: item -> value, written as ``Uraian | Isi`` rows in that order;
* ``referensi``, ``rencana``: lists of rows, each a dict column -> value;
* ``months``: month number (1-12) -> list of rows (dict column -> value);
* ``columns``: sheet name -> header order (drop a column by leaving it out, add
  unknown headers freely; rows' values for unknown headers are written too);
* ``titles``: sheet name -> lines written above the header row (a title block);
* ``sheet_names``: standard name -> the name to write (e.g. ``{"Maret": " maret "}``);
* ``drop``: standard sheet names not written at all;
* ``cells``: sheet name (standard) -> ``{"B7": value}`` written last, over anything;
* ``extra_sheets``: name -> rows (list of lists) added after the standard sheets.

Values: ``None`` is a blank cell; ``str`` is written as text, verbatim (never turned into
a number or a formula); ``bool``/``int``/``float`` as such; ``date``/``datetime`` as a
date cell (format ``d mmmm yyyy``); :class:`Formula` as a formula with a cached value;
:class:`Err` as a formula whose cached value is an Excel error (``#DIV/0!``...).
"""

from __future__ import annotations

import copy
import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import xlsxwriter

from sopxl.core import spec

YEAR = 2026
RO_STATIS = "013.07.WA.4293.EBA.962"
RO_DINAMIS = "013.07.WA.4293.SBA.001"

DEFAULT_REFERENSI: tuple[dict[str, Any], ...] = (
    {
        spec.COL_KODE_RO: RO_STATIS,
        spec.COL_URAIAN_RO: "Layanan Dukungan Manajemen Satker",
        spec.COL_SATUAN: "Layanan",
        spec.COL_JENIS_RO: spec.JENIS_STATIS,
        spec.COL_TARGET_VOLUME: 12,
        spec.COL_PAGU: 120_000_000,
    },
    {
        spec.COL_KODE_RO: RO_DINAMIS,
        spec.COL_URAIAN_RO: "Pelatihan Teknis Hukum dan HAM",
        spec.COL_SATUAN: "Orang",
        spec.COL_JENIS_RO: spec.JENIS_DINAMIS,
        spec.COL_TARGET_VOLUME: 120,
        spec.COL_PAGU: 600_000_000,
    },
)


@dataclass(frozen=True)
class Formula:
    """A formula cell with its cached value (what Excel would have computed)."""

    text: str
    value: Any = 0


@dataclass(frozen=True)
class Err:
    """A cell whose cached value is an Excel error, e.g. ``Err("#DIV/0!")``."""

    code: str = "#DIV/0!"
    formula: str = "=1/0"


def plan_progress(month: int) -> float:
    """Target Progres (%) of the default linear plan: 100 * month / 12, two decimals."""
    return 100.0 if month == 12 else round(100.0 * month / 12, 2)


def entry_date(year: int, month: int) -> dt.date:
    """Default Tanggal Entri SAKTI of a month: the 2nd of the next month (always on time)."""
    return dt.date(year + 1, 1, 2) if month == 12 else dt.date(year, month + 1, 2)


@dataclass
class Book:
    """A workbook as data; see the module docstring for every knob."""

    identitas: dict[str, Any]
    referensi: list[dict[str, Any]]
    rencana: list[dict[str, Any]]
    months: dict[int, list[dict[str, Any]]]
    columns: dict[str, list[str]] = field(default_factory=dict)
    titles: dict[str, list[str]] = field(default_factory=dict)
    sheet_names: dict[str, str] = field(default_factory=dict)
    drop: set[str] = field(default_factory=set)
    cells: dict[str, dict[str, Any]] = field(default_factory=dict)
    extra_sheets: dict[str, list[list[Any]]] = field(default_factory=dict)

    # ---- layout ------------------------------------------------------------------------
    def header(self, sheet: str) -> list[str]:
        """Header order of a standard sheet (the `columns` knob, else the spec order)."""
        if sheet in self.columns:
            return list(self.columns[sheet])
        if sheet == spec.SHEET_IDENTITAS:
            return list(spec.IDENTITAS_COLUMNS)
        if sheet == spec.SHEET_REFERENSI:
            return list(spec.REFERENSI_COLUMNS)
        if sheet == spec.SHEET_RENCANA:
            return list(spec.RENCANA_COLUMNS)
        return list(spec.MONTH_COLUMNS)

    def header_row(self, sheet: str) -> int:
        """1-based row of a sheet's header."""
        return len(self.titles.get(sheet, [])) + 1

    def ref(self, sheet: str, index: int, column: str | None = None) -> str:
        """A1 cell of data row `index` (0-based) in `column` (column A when None)."""
        row = self.header_row(sheet) + 1 + index
        col = 1 if column is None else self.header(sheet).index(column) + 1
        return spec.cell_ref(row, col)

    def month_ref(self, month: int, index: int, column: str | None = None) -> str:
        return self.ref(spec.MONTHS[month - 1], index, column)

    def sheet_name(self, sheet: str) -> str:
        """The name a standard sheet is written under."""
        return self.sheet_names.get(sheet, sheet)

    def row_of(self, month: int, ro: str) -> dict[str, Any]:
        """The (first) row of an RO in a month, for editing."""
        for row in self.months[month]:
            if row.get(spec.COL_KODE_RO) == ro:
                return row
        raise KeyError(ro)

    def index_of(self, month: int, ro: str) -> int:
        for i, row in enumerate(self.months[month]):
            if row.get(spec.COL_KODE_RO) == ro:
                return i
        raise KeyError(ro)

    def copy(self) -> Book:
        return copy.deepcopy(self)

    # ---- writing -----------------------------------------------------------------------
    def write(self, path: Path | str) -> Path:
        """Write the workbook with XlsxWriter and return its path."""
        path = Path(path)
        wb = xlsxwriter.Workbook(str(path), {"default_date_format": "d mmmm yyyy"})
        try:
            date_fmt = wb.add_format({"num_format": "d mmmm yyyy"})
            sheets: list[tuple[str, list[list[Any]]]] = []
            ident_rows = [{spec.COL_URAIAN: k, spec.COL_ISI: v} for k, v in self.identitas.items()]
            sheets.append((spec.SHEET_IDENTITAS, self._grid(spec.SHEET_IDENTITAS, ident_rows)))
            sheets.append((spec.SHEET_REFERENSI, self._grid(spec.SHEET_REFERENSI, self.referensi)))
            sheets.append((spec.SHEET_RENCANA, self._grid(spec.SHEET_RENCANA, self.rencana)))
            for number, name in enumerate(spec.MONTHS, start=1):
                sheets.append((name, self._grid(name, self.months.get(number, []))))
            for standard, grid in sheets:
                if standard in self.drop:
                    continue
                ws = wb.add_worksheet(self.sheet_name(standard))
                for r, values in enumerate(grid):
                    for c, value in enumerate(values):
                        _write(ws, r, c, value, date_fmt)
                for ref, value in self.cells.get(standard, {}).items():
                    r, c = spec.parse_ref(ref)
                    _write(ws, r - 1, c - 1, value, date_fmt)
            for name, grid in self.extra_sheets.items():
                ws = wb.add_worksheet(name)
                for r, values in enumerate(grid):
                    for c, value in enumerate(values):
                        _write(ws, r, c, value, date_fmt)
        finally:
            wb.close()
        return path

    def _grid(self, sheet: str, rows: list[dict[str, Any]]) -> list[list[Any]]:
        header = self.header(sheet)
        if sheet not in self.columns:  # unknown keys of the rows become extra columns
            for row in rows:
                header.extend(k for k in row if k not in header)
        grid: list[list[Any]] = [[t] for t in self.titles.get(sheet, [])]
        grid.append(list(header))
        for row in rows:
            grid.append([row.get(col) for col in header])
        return grid


def _write(ws: Any, r: int, c: int, value: Any, date_fmt: Any) -> None:
    if value is None:
        return
    if isinstance(value, Formula):
        ws.write_formula(r, c, value.text, None, value.value)
    elif isinstance(value, Err):
        ws.write_formula(r, c, value.formula, None, value.code)
    elif isinstance(value, str):
        ws.write_string(r, c, value)
    elif isinstance(value, bool):
        ws.write_boolean(r, c, value)
    elif isinstance(value, int | float):
        ws.write_number(r, c, value)
    elif isinstance(value, dt.datetime):
        ws.write_datetime(r, c, value, date_fmt)
    elif isinstance(value, dt.date):
        ws.write_datetime(r, c, dt.datetime(value.year, value.month, value.day), date_fmt)
    else:
        ws.write_string(r, c, str(value))


def standard_book(
    months: int = 3,
    year: int = YEAR,
    referensi: list[dict[str, Any]] | None = None,
    bulan_pelaporan: Any = "default",
) -> Book:
    """Consistent data on which no rule fires; months 1..`months` are reported.

    `bulan_pelaporan` defaults to the name of month `months` (None leaves it empty, so the
    reporting month is the last reported one). The `referensi` rows (default: one Statis RO
    of 12 Layanan, one Dinamis of 120 Orang) get a linear plan: Target Progres
    100*m/12, RPD = Pagu/12; each reported month's volume is Target Volume/12, so progress,
    volume and realisation all follow the plan exactly.
    """
    refs = [dict(r) for r in (referensi if referensi is not None else DEFAULT_REFERENSI)]
    if bulan_pelaporan == "default":
        bulan_pelaporan = spec.MONTHS[months - 1] if months else None
    identitas: dict[str, Any] = {
        spec.ID_KODE_SATKER: "411724",
        spec.ID_NAMA_SATKER: "Balai Diklat Hukum dan HAM Contoh",
        spec.ID_TAHUN: year,
        spec.ID_KEPALA: "Dr. Budi Santoso, S.H., M.H.",
        spec.ID_NIP_KEPALA: "197001012000031001",
        spec.ID_KASI: "Siti Rahmawati, S.E.",
        spec.ID_NIP_KASI: "198005052005012002",
        spec.ID_BENDAHARA: "Andi Wijaya",
        spec.ID_EMAIL: "kepala.badiklat@example.go.id",
        spec.ID_BULAN: bulan_pelaporan,
    }
    rencana: list[dict[str, Any]] = []
    for ref in refs:
        for m in range(1, 13):
            rencana.append(
                {
                    spec.COL_KODE_RO: ref[spec.COL_KODE_RO],
                    spec.COL_BULAN: spec.MONTHS[m - 1],
                    spec.COL_TARGET_PROGRES: plan_progress(m),
                    spec.COL_RPD: ref[spec.COL_PAGU] / 12,
                }
            )
    month_rows: dict[int, list[dict[str, Any]]] = {}
    for m in range(1, 13):
        rows = []
        for ref in refs:
            row: dict[str, Any] = {
                spec.COL_KODE_RO: ref[spec.COL_KODE_RO],
                spec.COL_URAIAN_RO: ref[spec.COL_URAIAN_RO],
                spec.COL_SATUAN: ref[spec.COL_SATUAN],
                spec.COL_TARGET_VOLUME: ref[spec.COL_TARGET_VOLUME],
                spec.COL_TARGET_PROGRES: plan_progress(m),
            }
            if m <= months:
                per_month = ref[spec.COL_TARGET_VOLUME] / 12
                row.update(
                    {
                        spec.COL_RVRO: per_month,
                        spec.COL_RVRO_KUM: per_month * m,
                        spec.COL_PROGRES: plan_progress(m),
                        spec.COL_ANGGARAN: ref[spec.COL_PAGU] / 12,
                        spec.COL_TANGGAL: entry_date(year, m),
                    }
                )
            rows.append(row)
        month_rows[m] = rows
    return Book(identitas=identitas, referensi=refs, rencana=rencana, months=month_rows)


__all__ = ["RO_DINAMIS", "RO_STATIS", "YEAR", "Book", "Err", "Formula", "entry_date", "plan_progress", "standard_book"]
