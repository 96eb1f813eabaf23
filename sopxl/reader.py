"""Read any workbook that follows workbook.md, whoever wrote it, with python-calamine.

Matching rules: sheet names and headers case- and space-insensitive; the header row is the
first of the first 20 rows holding the key header; columns by header in any order; extra
columns ignored; wholly empty rows skipped; formula cells give their cached value. Excel
error values (which calamine reads as "") are found in the sheet XML and given as CellError.
"""

from __future__ import annotations

import re
import zipfile
import zlib
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sopxl import spec
from sopxl.config import Settings
from sopxl.errors import UnreadableWorkbook
from sopxl.ooxml import sheet_parts
from sopxl.safety import check_readable


@dataclass(frozen=True)
class CellError:
    """An Excel error value (#DIV/0!, #REF!, ...) cached in a cell."""

    code: str

    def __str__(self) -> str:
        return self.code


def is_blank(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


@dataclass
class Row:
    """One data row of a table: its 1-based sheet row and its values by canonical column."""

    r: int
    values: dict[str, Any]
    columns: dict[str, int] = field(repr=False)

    def get(self, column: str) -> Any:
        return self.values.get(column)

    def ref(self, column: str | None = None) -> str:
        """A1 reference of this row's cell in `column` (first cell of the row if absent)."""
        if column is not None and column in self.columns:
            return spec.cell_ref(self.r, self.columns[column])
        return spec.cell_ref(self.r, 1)

    @property
    def kode(self) -> str | None:
        value = self.values.get(spec.COL_KODE_RO)
        if is_blank(value) or isinstance(value, CellError):
            return None
        return str(value).strip()


@dataclass
class Table:
    """A header-led table of a sheet."""

    sheet: str
    header_row: int | None  # 1-based; None when no header row was found
    columns: dict[str, int]  # canonical column -> 1-based column index
    found: list[str]  # headers as written in the header row (non-empty ones)
    missing: list[str]  # required columns not found
    rows: list[Row]

    def ref(self, row: Row, column: str) -> str:
        return row.ref(column)

    @property
    def header_ref(self) -> str:
        return spec.cell_ref(self.header_row or 1, 1)


@dataclass
class IdentityItem:
    value: Any
    cell: str  # A1 reference of the Isi cell (or of the Uraian cell when Isi is missing)


@dataclass
class WorkbookData:
    """What sopxl knows of one workbook after reading it."""

    path: Path
    sheet_names: list[str]
    sheet_states: dict[str, str]
    grids: dict[str, list[list[Any]]]  # actual sheet name -> absolute grid (row 1 = index 0)
    error_cells: dict[str, dict[tuple[int, int], str]]  # sheet -> (row, col) -> error code
    identitas: Table | None = None
    referensi: Table | None = None
    rencana: Table | None = None
    pengaturan: Table | None = None
    months: dict[int, Table | None] = field(default_factory=dict)
    identity: dict[str, IdentityItem] = field(default_factory=dict)

    def sheet(self, name: str) -> str | None:
        """The actual name of a sheet, matched case- and space-insensitively."""
        key = spec.norm(name)
        for actual in self.sheet_names:
            if spec.norm(actual) == key:
                return actual
        return None

    def identity_value(self, item: str) -> Any:
        found = self.identity.get(item)
        return None if found is None else found.value


class WorkbookReader:
    """Reads sheets on demand from one open calamine workbook."""

    def __init__(self, path: Path, settings: Settings | None = None) -> None:
        from python_calamine import CalamineWorkbook

        self.path = path
        self.settings = settings or Settings()
        self._xml: dict[str, bytes] = {}
        check_readable(path, self.settings)
        try:
            self._zip = zipfile.ZipFile(path)
            self._parts = {p.name: p for p in sheet_parts(self._zip)}
        except (KeyError, zipfile.BadZipFile, OSError) as exc:
            raise UnreadableWorkbook(
                f"Berkas '{path.name}' bukan buku kerja Excel yang utuh ({exc})."
            ) from None
        except Exception as exc:  # lxml syntax errors in workbook.xml and similar damage
            raise UnreadableWorkbook(
                f"Berkas '{path.name}' rusak: struktur buku kerja tidak dapat dibaca ({exc})."
            ) from None
        try:
            self._book = CalamineWorkbook.from_path(str(path))
        except Exception as exc:  # calamine raises its own error types for damaged packages
            raise UnreadableWorkbook(
                f"Berkas '{path.name}' tidak dapat dibaca sebagai buku kerja Excel ({exc})."
            ) from None
        self.sheet_names: list[str] = list(self._book.sheet_names)
        if not self.sheet_names:
            raise UnreadableWorkbook(f"Buku kerja '{path.name}' tidak memiliki lembar kerja.")

    def close(self) -> None:
        self._zip.close()
        self._book.close()

    def __enter__(self) -> WorkbookReader:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def sheet_states(self) -> dict[str, str]:
        return {name: part.state for name, part in self._parts.items()}

    def grid(self, sheet: str) -> list[list[Any]]:
        """All cell values of a sheet; row 1 is index 0, column A index 0; blanks are None."""
        part = self._parts.get(sheet)
        if part is not None:
            self._check_size(sheet, part.part)
        try:
            raw = self._book.get_sheet_by_name(sheet).to_python(skip_empty_area=False)
        except Exception as exc:
            raise UnreadableWorkbook(
                f"Lembar '{sheet}' pada berkas '{self.path.name}' tidak dapat dibaca ({exc})."
            ) from None
        if len(raw) > self.settings.max_rows_per_sheet:
            raise UnreadableWorkbook(_too_many_rows(sheet, len(raw), self.settings))
        return [[None if v == "" else v for v in row] if "" in row else row for row in raw]

    def _part_bytes(self, sheet: str, part: str) -> bytes | None:
        """The XML of a sheet part, read once and kept for the error-cell scan."""
        cached = self._xml.get(part)
        if cached is not None:
            return cached
        try:
            data = self._zip.read(part)
        except KeyError:
            return None
        except (zipfile.BadZipFile, OSError, EOFError, ValueError, zlib.error):
            raise UnreadableWorkbook(
                f"Berkas '{self.path.name}' rusak: data lembar '{sheet}' tidak dapat dibuka "
                "(arsip zip rusak). Ambil salinan yang utuh atau simpan ulang dari Excel."
            ) from None
        self._xml[part] = data
        return data

    def _check_size(self, sheet: str, part: str) -> None:
        """Refuse a sheet whose declared or physical extent is absurd before loading it.

        Order: the part's uncompressed size (zip directory, free), the declared
        `<dimension>` (first bytes), then the real last row and last column in the XML, so
        that neither a lying dimension nor a missing one lets a huge sheet through.
        """
        try:
            info = self._zip.getinfo(part)
        except KeyError:
            return
        limit = self.settings.max_rows_per_sheet
        # Roughly 25 bytes per cell at the very least: a part this big holds too many rows.
        if info.file_size > limit * 30 * 40:
            raise UnreadableWorkbook(
                f"Lembar '{sheet}' terlalu besar ({_dots(info.file_size // (1024 * 1024))} MB "
                f"data). Batasnya {_dots(limit)} baris per lembar."
            )
        try:
            with self._zip.open(info) as fh:
                head = fh.read(4096)
        except (zipfile.BadZipFile, OSError, EOFError, ValueError, zlib.error):
            head = b""
        m = _DIMENSION.search(head)
        if m:
            rows = int(m.group(2))
            cols = _col_number(m.group(1))
            _refuse_extent(sheet, rows, cols, self.settings)
        data = self._part_bytes(sheet, part)
        if data is None:
            return
        rows = data.count(b"<row ") + data.count(b"<row>")
        last = data.rfind(b"<row ")
        if last >= 0:
            r = _ROW_NUMBER.match(data, last)
            if r:
                rows = max(rows, int(r.group(1)))
        cols = 0
        for c in _WIDE_CELL.finditer(data):  # only cells beyond column Z are looked at
            cols = max(cols, _col_number(c.group(1)))
        _refuse_extent(sheet, rows, cols, self.settings)

    def error_cells(self, sheet: str) -> dict[tuple[int, int], str]:
        """Cells of a sheet whose cached value is an Excel error."""
        part = self._parts.get(sheet)
        if part is None:
            return {}
        data = self._xml.pop(part.part, None)
        if data is None:
            data = self._part_bytes(sheet, part.part)
            self._xml.pop(part.part, None)
        if data is None or b't="e"' not in data:
            return {}
        found: dict[tuple[int, int], str] = {}
        for m in re.finditer(rb'<c\s([^>]*?\bt="e"[^>]*)>(.*?)</c>', data, re.DOTALL):
            ref = re.search(rb'\br="([A-Z]+\d+)"', m.group(1))
            val = re.search(rb"<v>([^<]*)</v>", m.group(2))
            if ref:
                code = val.group(1).decode("utf-8", "replace") if val else "#VALUE!"
                found[spec.parse_ref(ref.group(1).decode())] = code
        return found


# A sheet of more cells than this is refused (a dense grid of them costs about 1 GB).
MAX_CELLS_PER_SHEET = 20_000_000
_DIMENSION = re.compile(rb'<dimension ref="(?:[A-Z]+\d+:)?([A-Z]+)(\d+)"')
_ROW_NUMBER = re.compile(rb'<row\b[^>]*?\br="(\d+)"')
_WIDE_CELL = re.compile(rb'<c\b[^>]*?\br="([A-Z]{2,3})\d+"')


def _col_number(letters: bytes) -> int:
    col = 0
    for ch in letters:
        col = col * 26 + (ch - 64)
    return col


def _dots(n: int) -> str:
    """An integer with Indonesian thousands dots: 1000000 -> 1.000.000."""
    return f"{n:,}".replace(",", ".")


def _refuse_extent(sheet: str, rows: int, cols: int, settings: Settings) -> None:
    if rows > settings.max_rows_per_sheet:
        raise UnreadableWorkbook(_too_many_rows(sheet, rows, settings))
    if rows * cols > MAX_CELLS_PER_SHEET:
        raise UnreadableWorkbook(
            f"Lembar '{sheet}' terlalu luas: {_dots(rows)} baris x {_dots(cols)} kolom "
            f"(sampai kolom {spec.col_letter(cols)}), melebihi batas {_dots(MAX_CELLS_PER_SHEET)} "
            "sel per lembar. Hapus kolom dan baris kosong berformat di luar tabel, lalu simpan ulang."
        )


def _too_many_rows(sheet: str, rows: int, settings: Settings) -> str:
    return (
        f"Lembar '{sheet}' memiliki {_dots(rows)} baris, melebihi batas "
        f"{_dots(settings.max_rows_per_sheet)} baris per lembar. Hapus baris kosong berformat di "
        "bawah tabel, lalu simpan ulang."
    )


def find_table(
    sheet: str,
    grid: list[list[Any]],
    key_header: str,
    columns: Iterable[str],
    optional: Iterable[str] = (),
    errors: dict[tuple[int, int], str] | None = None,
) -> Table:
    """Locate the header row (first of the first 20 rows holding `key_header`) and read rows."""
    wanted = {spec.norm(c): c for c in columns}
    optional_set = set(optional)
    key = spec.norm(key_header)
    header_index = None
    for i, row in enumerate(grid[: spec.HEADER_SCAN_ROWS]):
        if any(v is not None and spec.norm(v) == key for v in row):
            header_index = i
            break
    if header_index is None:
        return Table(sheet, None, {}, [], [c for c in wanted.values() if c not in optional_set], [])
    header = grid[header_index]
    mapping: dict[str, int] = {}
    found: list[str] = []
    for j, v in enumerate(header):
        if v is None or (isinstance(v, str) and not v.strip()):
            continue
        found.append(str(v).strip())
        canonical = wanted.get(spec.norm(v))
        if canonical is not None and canonical not in mapping:
            mapping[canonical] = j + 1
    missing = [c for c in wanted.values() if c not in mapping and c not in optional_set]
    errors = errors or {}
    rows: list[Row] = []
    for i in range(header_index + 1, len(grid)):
        raw = grid[i]
        values: dict[str, Any] = {}
        any_value = False
        for canonical, col in mapping.items():
            v = raw[col - 1] if col - 1 < len(raw) else None
            if v is None and errors:
                code = errors.get((i + 1, col))
                if code is not None:
                    v = CellError(code)
            if isinstance(v, str) and not v.strip():
                v = None
            if v is not None:
                any_value = True
            values[canonical] = v
        if any_value:
            rows.append(Row(i + 1, values, mapping))
    return Table(sheet, header_index + 1, mapping, found, missing, rows)


def read_workbook(path: Path | str, settings: Settings | None = None) -> WorkbookData:
    """Read everything validation and consolidation need from a workbook."""
    path = Path(path)
    with WorkbookReader(path, settings) as reader:
        data = WorkbookData(
            path=path,
            sheet_names=reader.sheet_names,
            sheet_states=reader.sheet_states(),
            grids={},
            error_cells={},
        )

        def load(name: str) -> tuple[str, list[list[Any]], dict[tuple[int, int], str]] | None:
            actual = data.sheet(name)
            if actual is None:
                return None
            grid = reader.grid(actual)
            errs = reader.error_cells(actual)
            data.grids[actual] = grid
            data.error_cells[actual] = errs
            return actual, grid, errs

        loaded = load(spec.SHEET_IDENTITAS)
        if loaded:
            actual, grid, errs = loaded
            data.identitas = find_table(actual, grid, spec.COL_URAIAN, spec.IDENTITAS_COLUMNS, (), errs)
            data.identity = _identity_items(data.identitas)
        loaded = load(spec.SHEET_REFERENSI)
        if loaded:
            data.referensi = find_table(
                loaded[0], loaded[1], spec.COL_KODE_RO, spec.REFERENSI_COLUMNS, (), loaded[2]
            )
        loaded = load(spec.SHEET_RENCANA)
        if loaded:
            data.rencana = find_table(
                loaded[0], loaded[1], spec.COL_KODE_RO, spec.RENCANA_COLUMNS, (), loaded[2]
            )
        loaded = load(spec.SHEET_PENGATURAN)
        if loaded:
            data.pengaturan = find_table(loaded[0], loaded[1], "Kunci", ("Kunci", "Nilai"), (), loaded[2])
        for number, month in enumerate(spec.MONTHS, start=1):
            loaded = load(month)
            data.months[number] = (
                None
                if loaded is None
                else find_table(
                    loaded[0],
                    loaded[1],
                    spec.COL_KODE_RO,
                    spec.MONTH_COLUMNS,
                    spec.MONTH_OPTIONAL,
                    loaded[2],
                )
            )
        for report in spec.REPORT_SHEETS:
            load(report)
        load(spec.SHEET_STATE)
    return data


def _identity_items(table: Table) -> dict[str, IdentityItem]:
    items: dict[str, IdentityItem] = {}
    known = {spec.norm(i): i for i in spec.IDENTITAS_ITEMS}
    for row in table.rows:
        label = row.get(spec.COL_URAIAN)
        if label is None:
            continue
        canonical = known.get(spec.norm(label))
        if canonical is None or canonical in items:
            continue
        value = row.get(spec.COL_ISI)
        cell = row.ref(spec.COL_ISI) if spec.COL_ISI in row.columns else row.ref(spec.COL_URAIAN)
        items[canonical] = IdentityItem(value, cell)
    return items
