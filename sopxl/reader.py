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
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from operator import itemgetter
from pathlib import Path
from typing import Any

from sopxl import spec
from sopxl.config import Settings
from sopxl.errors import UnreadableWorkbook
from sopxl.gcpause import paused_gc
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


@dataclass(slots=True)
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
    # actual sheet name -> absolute grid (row 1 = index 0), for the small sheets read cell by
    # cell (Identitas, the report sheets, the state); data sheets are read into Tables only
    grids: dict[str, list[list[Any]]]
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

    def release_tables(self) -> None:
        """Drop the tables of the data sheets (Referensi RO, Rencana, the months): the bulk of
        a large workbook's memory. What stays: path, sheet names and states, grids of the
        small sheets, error cells, Identitas, Pengaturan and the identity items."""
        self.referensi = None
        self.rencana = None
        self.months = {}


@dataclass(frozen=True)
class _Scan:
    """What the sheet XML says beyond calamine's values (computed before calamine loads it)."""

    errors: dict[tuple[int, int], str]
    blank_text: bool  # the part itself may hold text of only white space


class WorkbookReader:
    """Reads sheets on demand from one open calamine workbook.

    Before calamine loads a sheet, its XML part is scanned once (`_scan_part`): the size
    guards refuse absurd extents before any grid is allocated, and the same pass finds the
    Excel error values and white-space-only text. (Scanning the next sheet in a thread while
    calamine parses the current one was measured: no gain, python-calamine keeps the GIL.)
    """

    def __init__(self, path: Path, settings: Settings | None = None) -> None:
        from python_calamine import CalamineWorkbook

        self.path = path
        self.settings = settings or Settings()
        self._scans: dict[str, _Scan | None] = {}
        self._shared_blank: bool | None = None
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
        self._scan(sheet)  # refuses an absurd sheet before calamine allocates its grid
        try:
            raw: list[list[Any]] = self._book.get_sheet_by_name(sheet).to_python(
                skip_empty_area=False
            )
        except Exception as exc:
            raise UnreadableWorkbook(
                f"Lembar '{sheet}' pada berkas '{self.path.name}' tidak dapat dibaca ({exc})."
            ) from None
        if len(raw) > self.settings.max_rows_per_sheet:
            raise UnreadableWorkbook(_too_many_rows(sheet, len(raw), self.settings))
        for row in raw:  # calamine gives "" for an empty cell: make it None, in place
            if "" in row:
                i = row.index("")
                while True:
                    row[i] = None
                    try:
                        i = row.index("", i + 1)
                    except ValueError:
                        break
        return raw

    def _scan(self, sheet: str) -> _Scan | None:
        """The scan of a sheet's part (None when the workbook lists no part for it)."""
        if sheet not in self._scans:
            self._scans[sheet] = self._scan_part(self._zip, sheet)
        return self._scans[sheet]

    def _scan_part(self, zf: zipfile.ZipFile, sheet: str) -> _Scan | None:
        """Refuse a sheet whose declared or physical extent is absurd; find error values.

        Order: the part's uncompressed size (zip directory, free), the declared
        `<dimension>` (first bytes), then the real last row and last column in the XML, so
        that neither a lying dimension nor a missing one lets a huge sheet through.
        """
        part = self._parts.get(sheet)
        if part is None:
            return None
        try:
            info = zf.getinfo(part.part)
        except KeyError:
            return None
        limit = self.settings.max_rows_per_sheet
        # Roughly 25 bytes per cell at the very least: a part this big holds too many rows.
        if info.file_size > limit * 30 * 40:
            raise UnreadableWorkbook(
                f"Lembar '{sheet}' terlalu besar ({_dots(info.file_size // (1024 * 1024))} MB "
                f"data). Batasnya {_dots(limit)} baris per lembar."
            )
        try:
            with zf.open(info) as fh:
                head = fh.read(4096)
            m = _DIMENSION.search(head)
            if m:
                _refuse_extent(sheet, int(m.group(2)), _col_number(m.group(1)), self.settings)
            data = zf.read(info)
        except (zipfile.BadZipFile, OSError, EOFError, ValueError, zlib.error):
            raise UnreadableWorkbook(
                f"Berkas '{self.path.name}' rusak: data lembar '{sheet}' tidak dapat dibuka "
                "(arsip zip rusak). Ambil salinan yang utuh atau simpan ulang dari Excel."
            ) from None
        rows = data.count(b"<row")  # also rows without an r= attribute
        last = data.rfind(b"<row ")
        if last >= 0:
            r = _ROW_NUMBER.match(data, last)
            if r:
                rows = max(rows, int(r.group(1)))
        cols = 0
        for c in _WIDE_CELL.finditer(data):  # only cells beyond column Z are looked at
            cols = max(cols, _col_number(c.group(1)))
        _refuse_extent(sheet, rows, cols, self.settings)
        # Text in a sheet part is inline (t="inlineStr") or a formula's text result (t="str");
        # only then can the part itself hold white-space-only text.
        blank = (b't="inlineStr"' in data or b't="str"' in data) and _may_hold_blank_text(data)
        return _Scan(_error_values(data), blank)

    def may_hold_blank_text(self, sheet: str) -> bool:
        """Whether a sheet may hold text of only white space (shared, inline or formula text).

        False is exact: no `<t>` or `<v>` element of the shared strings or of the sheet's XML
        holds only white space.
        """
        if self._shared_blank is None:
            try:
                shared = self._zip.read("xl/sharedStrings.xml")
            except KeyError:
                shared = b""
            except (zipfile.BadZipFile, OSError, EOFError, ValueError, zlib.error):
                shared = b" "
            self._shared_blank = _may_hold_blank_text(shared)
        if self._shared_blank:
            return True
        scan = self._scan(sheet)
        return True if scan is None else scan.blank_text

    def error_cells(self, sheet: str) -> dict[tuple[int, int], str]:
        """Cells of a sheet whose cached value is an Excel error: (row, col) -> code."""
        scan = self._scan(sheet)
        return {} if scan is None else scan.errors


_ERROR_CELL = re.compile(rb'<c\s([^>]*?\bt="e"[^>]*?)(?:/>|>(.*?)</c>)', re.DOTALL)
_CELL_REF = re.compile(rb'\br="([A-Z]+\d+)"')
_CELL_VALUE = re.compile(rb"<v>([^<]*)</v>")


def _error_values(data: bytes) -> dict[tuple[int, int], str]:
    """Cells of a sheet's XML whose cached value is an Excel error (t="e")."""
    found: dict[tuple[int, int], str] = {}
    if b't="e"' not in data:
        return found
    for m in _ERROR_CELL.finditer(data):
        ref = _CELL_REF.search(m.group(1))
        if ref is None or m.group(2) is None:
            continue
        val = _CELL_VALUE.search(m.group(2))
        code = val.group(1).decode("utf-8", "replace").strip() if val else "#VALUE!"
        found[spec.parse_ref(ref.group(1).decode())] = code or "#VALUE!"
    return found


# A sheet of more cells than this is refused (a dense grid of them costs about 1 GB).
MAX_CELLS_PER_SHEET = 20_000_000
_DIMENSION = re.compile(rb'<dimension ref="(?:[A-Z]+\d+:)?([A-Z]+)(\d+)"')
_ROW_NUMBER = re.compile(rb'<row\b[^>]*?\br="(\d+)"')
_WIDE_CELL = re.compile(rb' r="([A-Z]{2,3})[0-9]')
_BLANK_T = re.compile(rb"<t(?: [^>]*)?>[ \t\r\n]+</t>")  # a text run of only white space
_BLANK_V = re.compile(rb"<v>[ \t\r\n]+</v>")  # a formula's text result of only white space


def _may_hold_blank_text(data: bytes) -> bool:
    """Whether XML may hold a <t> (shared or inline text) or a <v> of a text formula result
    (t="str") of only white space: one regex pass each, about 1.3 GB/s."""
    if _BLANK_T.search(data) is not None:
        return True
    return b't="str"' in data and _BLANK_V.search(data) is not None


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
    *,
    blank_text: bool = True,
) -> Table:
    """Locate the header row (first of the first 20 rows holding `key_header`) and read rows.

    Text of only white space counts as empty. `blank_text=False` promises that the grid holds
    no such text (WorkbookReader.may_hold_blank_text knows it from the XML) and skips the check.
    """
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
    return Table(sheet, header_index + 1, mapping, found, missing,
                 _table_rows(grid, header_index + 1, mapping, errors or {}, blank_text))


def _table_rows(
    grid: list[list[Any]],
    start: int,
    mapping: dict[str, int],
    errors: dict[tuple[int, int], str],
    blank_text: bool = True,
) -> list[Row]:
    """The data rows below the header (0-based grid index `start` on), wholly empty ones skipped.

    The hot loop of reading: values are picked with one C-level itemgetter per row; only rows
    holding an error value, or text when the sheet may hold white-space-only text
    (`blank_text`), take the slower per-cell path.
    """
    rows: list[Row] = []
    if not mapping:
        return rows
    names = tuple(mapping)
    idxs = tuple(mapping[name] - 1 for name in names)
    width = max(idxs) + 1
    count = len(names)
    pick = itemgetter(*idxs)
    error_rows = {r for (r, _c) in errors}
    build = _dict_builder(names, idxs)
    pad: list[Any] = [None] * width
    for i in range(start, len(grid)):
        raw = grid[i]
        if len(raw) < width:
            raw = [*raw, *pad[: width - len(raw)]]
        picked = pick(raw)
        vals: tuple[Any, ...] = picked if count > 1 else (picked,)
        if i + 1 in error_rows:  # rare: rows holding an Excel error value
            fixed = list(vals)
            for k, v in enumerate(fixed):
                if v is None:
                    code = errors.get((i + 1, idxs[k] + 1))
                    if code is not None:
                        fixed[k] = CellError(code)
            vals = tuple(fixed)
            if vals.count(None) == count:
                continue
            rows.append(Row(i + 1, _clean_values(names, vals, blank_text), mapping))
            continue
        if vals.count(None) == count:
            continue
        if blank_text and str in map(type, vals):
            if all(v is None or (type(v) is str and not v.strip()) for v in vals):
                continue
            rows.append(Row(i + 1, _clean_values(names, vals, blank_text), mapping))
            continue
        rows.append(Row(i + 1, build(raw), mapping))
    return rows


def _clean_values(names: tuple[str, ...], vals: tuple[Any, ...], blank_text: bool) -> dict[str, Any]:
    if blank_text:
        vals = tuple(None if type(v) is str and not v.strip() else v for v in vals)
    return dict(zip(names, vals, strict=True))


_BUILDERS: dict[tuple[tuple[str, ...], tuple[int, ...]], Callable[[list[Any]], dict[str, Any]]] = {}


def _dict_builder(names: tuple[str, ...], idxs: tuple[int, ...]) -> Callable[[list[Any]], dict[str, Any]]:
    """A function making a row's value dict straight from the grid row: a dict display with
    constant keys runs about 40 % faster than dict(zip(...)) in the hot loop of reading.
    The keys are canonical column names (sopxl.spec), never text from the workbook."""
    key = (names, idxs)
    builder = _BUILDERS.get(key)
    if builder is None:
        body = ", ".join(f"{name!r}: raw[{index}]" for name, index in zip(names, idxs, strict=True))
        builder = eval(f"lambda raw: {{{body}}}", {"__builtins__": {}})
        _BUILDERS[key] = builder
    return builder



def read_workbook(path: Path | str, settings: Settings | None = None) -> WorkbookData:
    """Read everything validation and consolidation need from a workbook."""
    path = Path(path)
    with paused_gc(), WorkbookReader(path, settings) as reader:
        data = WorkbookData(
            path=path,
            sheet_names=reader.sheet_names,
            sheet_states=reader.sheet_states(),
            grids={},
            error_cells={},
        )

        blank: dict[str, bool] = {}

        def load(
            name: str, keep: bool = False
        ) -> tuple[str, list[list[Any]], dict[tuple[int, int], str]] | None:
            """Read a sheet; its raw grid stays in `data.grids` only with `keep` (the large
            data sheets live on as Tables, so their grids are dropped to bound memory)."""
            actual = data.sheet(name)
            if actual is None:
                return None
            grid = reader.grid(actual)
            blank[actual] = reader.may_hold_blank_text(actual)
            errs = reader.error_cells(actual)
            if keep:
                data.grids[actual] = grid
            data.error_cells[actual] = errs
            return actual, grid, errs

        loaded = load(spec.SHEET_IDENTITAS, keep=True)
        if loaded:
            actual, grid, errs = loaded
            data.identitas = find_table(actual, grid, spec.COL_URAIAN, spec.IDENTITAS_COLUMNS, (), errs)
            data.identity = _identity_items(data.identitas)
        loaded = load(spec.SHEET_REFERENSI)
        if loaded:
            data.referensi = find_table(
                loaded[0], loaded[1], spec.COL_KODE_RO, spec.REFERENSI_COLUMNS, (), loaded[2],
                blank_text=blank[loaded[0]],
            )
        loaded = load(spec.SHEET_RENCANA)
        if loaded:
            data.rencana = find_table(
                loaded[0], loaded[1], spec.COL_KODE_RO, spec.RENCANA_COLUMNS, (), loaded[2],
                blank_text=blank[loaded[0]],
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
                    blank_text=blank[loaded[0]],
                )
            )
        for report in spec.REPORT_SHEETS:
            load(report, keep=True)
        load(spec.SHEET_STATE, keep=True)
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


def first_rows_by_code(table: Table | None) -> dict[str, Row]:
    """The first row of each Kode RO in a table (rules and figures key ROs this way)."""
    result: dict[str, Row] = {}
    if table is None:
        return result
    for row in table.rows:
        code = row.kode
        if code is not None and code not in result:
            result[code] = row
    return result
