"""`sopxl impor`: fill a month's input cells from the SAKTI/OMSPAN export (SOP step 2).

The export is set beside the month (`sopxl.read.ekspor.reconcile`); for every RO on both
sides, each input cell the export gives (Realisasi Volume Bulan Ini, Progres Capaian (%),
Realisasi Anggaran Bulan Ini (Rp), Tanggal Entri SAKTI) is filled when empty, counted when
it already holds the same value, and reported when it holds another one (overwritten with
`timpa`, its old value reported). ROs on one side only are reported, never added.

The write is the package edit of every write-back (`sopxl.ooxml.WorkbookPackage`, atomic,
a backup kept): only those input cells change; every other part keeps its bytes. The
cached result of a `Realisasi Volume Kumulatif` formula that sums the filled cell is
brought up to date (months from the imported one on), so that readers of cached values
(sopxl itself, viewers) see the new running sum before Excel recalculates.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sopxl.core import spec
from sopxl.core.config import Settings
from sopxl.core.gcpause import paused_gc
from sopxl.core.parse import as_number
from sopxl.ooxml import WorkbookPackage
from sopxl.ooxml.atomic import check_writable
from sopxl.ooxml.editor import structure_errors
from sopxl.read.ekspor import FIELD_COLUMNS, Export, ExportSource, reconcile, same_value
from sopxl.read.workbook import WorkbookData, read_workbook

# The input columns the export fills, in the order they are reported.
IMPORT_COLUMNS: tuple[str, ...] = tuple(FIELD_COLUMNS.values())


@dataclass
class ImportOutcome:
    """What `sopxl impor` did (or, without write, would do)."""

    file: str
    ekspor: str
    bulan: int
    diisi: int = 0  # cells filled (or overwritten)
    sama: int = 0  # cells already holding the export's value
    berbeda: list[dict[str, Any]] = field(default_factory=list)
    ro_tidak_ada_di_buku_kerja: list[str] = field(default_factory=list)
    ro_tidak_ada_di_ekspor: list[str] = field(default_factory=list)
    timpa: bool = False
    written: bool = False

    def to_json_dict(self) -> dict[str, Any]:
        return {
            "file": self.file,
            "ekspor": self.ekspor,
            "bulan": self.bulan,
            "diisi": self.diisi,
            "sama": self.sama,
            "berbeda": self.berbeda,
            "ro_tidak_ada_di_buku_kerja": self.ro_tidak_ada_di_buku_kerja,
            "ro_tidak_ada_di_ekspor": self.ro_tidak_ada_di_ekspor,
        }


def _json_value(value: Any) -> Any:
    if isinstance(value, dt.datetime):
        return value.date().isoformat() if value.time() == dt.time() else value.isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if value is None or isinstance(value, bool | int | float | str):
        return value
    return str(value)


def plan_import(data: WorkbookData, export: Export, timpa: bool = False) -> tuple[ImportOutcome, dict[str, Any]]:
    """(the outcome, A1 cell -> value to write in the month sheet) of importing `export`."""
    rec = reconcile(export, data)
    outcome = ImportOutcome(
        file=str(data.path),
        ekspor=str(export.path),
        bulan=export.month,
        ro_tidak_ada_di_buku_kerja=list(rec.missing_in_workbook),
        ro_tidak_ada_di_ekspor=list(rec.missing_in_export),
        timpa=timpa,
    )
    writes: dict[str, Any] = {}
    for code, figures in rec.figures.items():
        row = rec.table.at(rec.index[code])
        for column in IMPORT_COLUMNS:
            if column not in figures.values or column not in rec.table.columns:
                continue
            value = figures.values[column]
            held = row.get(column)
            if held is None:
                writes[row.ref(column)] = value
                outcome.diisi += 1
            elif same_value(column, held, value):
                outcome.sama += 1
            else:
                outcome.berbeda.append(
                    {"ro": code, "kolom": column, "buku_kerja": _json_value(held), "ekspor": _json_value(value)}
                )
                if timpa:
                    writes[row.ref(column)] = value
                    outcome.diisi += 1
    return outcome, writes


def import_export(
    path: Path | str,
    source: ExportSource,
    *,
    timpa: bool = False,
    write: bool = True,
    settings: Settings | None = None,
) -> ImportOutcome:
    """Import the export `source` into the workbook at `path` (see the module docstring)."""
    path = Path(path)
    export = source.read()  # a hostile export is refused before the workbook is opened
    data = read_workbook(path, settings)
    outcome, writes = plan_import(data, export, timpa)
    if not write or not writes:
        return outcome
    sheet = spec.MONTHS[outcome.bulan - 1]
    actual = data.sheet(sheet) or sheet
    cumulative = _cumulative_caches(data, outcome.bulan, writes)
    check_writable(path)
    with structure_errors(f"Hasil impor tidak dapat ditulis ke '{path.name}'"), paused_gc():
        pkg = WorkbookPackage.open(path)
        pkg.set_cell_values(actual, writes)
        for name, cells in cumulative.items():
            _set_cached(pkg, name, cells)
        pkg.save(backup=True)
    outcome.written = True
    return outcome


def _cumulative_caches(data: WorkbookData, month: int, writes: dict[str, Any]) -> dict[str, dict[tuple[int, int], float]]:
    """Sheet -> (row, col) -> the running sum of Realisasi Volume Bulan Ini the Kumulatif cell
    of each RO whose month volume was written shows from `month` on."""
    table = data.months.get(month)
    if table is None or spec.COL_RVRO not in table.columns:
        return {}
    rvro_col = table.columns[spec.COL_RVRO]
    written: dict[str, float] = {}
    for i, code in enumerate(table.codes):
        ref = spec.cell_ref(table.row_numbers[i], rvro_col)
        if code is not None and ref in writes:
            number = as_number(writes[ref])
            if number is not None:
                written[code.upper()] = number
    if not written:
        return {}
    out: dict[str, dict[tuple[int, int], float]] = {}
    running: dict[str, float] = dict.fromkeys(written, 0.0)
    for m in range(1, 13):
        t = data.months.get(m)
        if t is None or spec.COL_RVRO not in t.columns:
            continue
        volumes, cums = t.column(spec.COL_RVRO), t.column(spec.COL_RVRO_KUM)
        for i, code in enumerate(t.codes):
            key = code.upper() if code is not None else None
            if key not in running:
                continue
            volume = written[key] if m == month else as_number(volumes[i])
            running[key] += volume or 0.0
            # the imported month's own cell shows a sum now even where it showed "" (no entry
            # yet); a later month's only where it already shows one (a later entry exists)
            if m >= month and spec.COL_RVRO_KUM in t.columns and (m == month or as_number(cums[i]) is not None):
                cells = out.setdefault(t.sheet, {})
                cells[(t.row_numbers[i], t.columns[spec.COL_RVRO_KUM])] = running[key]
    return out


_CACHED = re.compile(rb"<v>[^<]*</v>|<v/>")
_TYPE = re.compile(rb' t="[^"]*"')


def _set_cached(pkg: WorkbookPackage, sheet: str, cells: dict[tuple[int, int], float]) -> None:
    """Give formula cells a new cached number, the formula kept (a cell without a formula, a
    typed number, is the user's and left as it is; a cached text or error becomes the number)."""

    def edit_for(value: float) -> Any:
        cached = b"<v>" + repr(int(value) if float(value).is_integer() else value).encode() + b"</v>"

        def edit(elem: bytes | None) -> bytes | None:
            if elem is None or b"<f" not in elem or elem.endswith(b"/>") or b":f" in elem:
                return elem  # no formula, or a prefixed cell this edit does not parse
            head, rest = elem.split(b">", 1)
            head = _TYPE.sub(b"", head)
            if _CACHED.search(rest):
                rest = _CACHED.sub(cached, rest, count=1)
            else:
                rest = rest[: -len(b"</c>")] + cached + b"</c>"
            return head + b">" + rest

        return edit

    pkg.edit_cells(sheet, {rc: edit_for(v) for rc, v in cells.items()})


__all__ = ["IMPORT_COLUMNS", "ImportOutcome", "import_export", "plan_import"]
