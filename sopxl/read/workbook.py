"""Read any workbook that follows workbook.md, whoever wrote it, with python-calamine.

Matching rules: sheet names case- and space-insensitive; tables found by
:func:`sopxl.read.tables.find_table` (the header row is the first of the first 20 rows holding
the key header; headers case- and space-insensitive, in any order; extra columns ignored;
wholly empty rows skipped); formula cells give their cached value. Excel
error values (which calamine reads as "") are found in the sheet XML and given as CellError:
every `#...` code a file holds, also the newer ones calamine refuses (#SPILL!, #CALC!,
#GETTING_DATA...), whose cells calamine is given as #N/A.

A sheet whose used range is huge but sparse (one stray cell at XFD1220 widens a 13-column
table to 16,384 columns, and calamine builds the whole rectangle) is read without its stray
cells: cells beyond the first block of columns (the columns up to the first gap of more than
SPARSE_GAP empty columns) are outside every table and not read as values; error values in them
are still found by the scan. Memory then follows the cells that exist; the extent guards still
refuse a sheet whose cells themselves are too many.
"""

from __future__ import annotations

import io
import os
import re
import threading
import zipfile
from collections.abc import Iterable
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sopxl.core import spec
from sopxl.core.config import Settings
from sopxl.core.errors import UnreadableWorkbook
from sopxl.core.gcpause import paused_gc
from sopxl.ooxml.deflate import ERRORS as DEFLATE_ERRORS
from sopxl.ooxml.deflate import Inflater
from sopxl.ooxml.names import sheet_parts
from sopxl.ooxml.xmltext import unescape
from sopxl.ooxml.zipio import read_raw
from sopxl.read.safety import read_checked

# The table model and the header finder live in read.tables; they are re-exported here so
# that `from sopxl.read.workbook import Table, find_table, ...` keeps working.
from sopxl.read.tables import (
    CellError,
    Row,
    RowAt,
    Table,
    find_table,
    is_blank,
    kode_of,
    none_for_empty,
)

if TYPE_CHECKING:
    from sopxl.read.ekspor import Export


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
    # a SAKTI/OMSPAN export to reconcile the months with (the REK rules; None: not given)
    ekspor: Export | None = None
    # sopxl's state decoded from its grid, once per read (sopxl.read.state.load_state_checked)
    decoded_state: tuple[dict[str, Any], list[str]] | None = field(default=None, repr=False, compare=False)

    # (the sheet_names list, its length, norm(name) -> first actual name): rules and figures
    # look sheets up hundreds of times per workbook
    _sheet_keys: tuple[list[str], int, dict[str, str]] | None = field(default=None, repr=False, compare=False)

    def sheet(self, name: str) -> str | None:
        """The actual name of a sheet, matched case- and space-insensitively."""
        keys = self._sheet_keys
        names = self.sheet_names
        if keys is None or keys[0] is not names or keys[1] != len(names):
            index: dict[str, str] = {}
            for actual in names:
                index.setdefault(spec.norm(actual), actual)
            keys = self._sheet_keys = (names, len(names), index)
        return keys[2].get(spec.norm(name))

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


@dataclass
class _Scan:
    """What the sheet XML says beyond calamine's values (computed before calamine loads it)."""

    errors: dict[tuple[int, int], str]
    # the part as calamine must read it instead (error codes it refuses, stray far cells
    # left out), None when it reads the part as it is; dropped once read
    patched: bytes | None = None


class WorkbookReader:
    """Reads sheets on demand from one open calamine workbook.

    Before calamine loads a sheet, its XML part is scanned once (`_scan_part`): the size
    guards refuse absurd extents before any grid is allocated, and the same pass finds the
    Excel error values.

    With `prefetch(order)`, the sheets are shared with one worker thread that scans and
    parses its share with a calamine workbook of its own (python-calamine releases the GIL
    while it parses, but one workbook object parses one sheet at a time), balanced by the
    size of their XML. One worker, not more: each thread's workbook and allocations cost
    memory, and it holds at most AHEAD grids that this thread has not taken yet.
    """

    def __init__(self, path: Path, settings: Settings | None = None) -> None:
        from python_calamine import CalamineWorkbook

        self.path = path
        self.settings = settings or Settings()
        self._scans: dict[str, _Scan | None] = {}
        # One read of the file: every part below comes from these bytes, one version of the
        # workbook whatever another program renames into place meanwhile.
        self._data, self.stamp = read_checked(path, self.settings)
        try:
            self._zip = zipfile.ZipFile(io.BytesIO(self._data))
            self._parts = {p.name: p for p in sheet_parts(self._zip)}
        except (KeyError, zipfile.BadZipFile, OSError):
            raise UnreadableWorkbook(
                f"Berkas '{path.name}' bukan buku kerja Excel yang utuh: daftar lembar kerjanya "
                "tidak lengkap. Ambil salinan yang utuh atau simpan ulang dari Excel."
            ) from None
        except Exception:  # lxml syntax errors in workbook.xml and similar damage
            raise UnreadableWorkbook(
                f"Berkas '{path.name}' rusak: struktur buku kerja tidak dapat dibaca. Ambil salinan "
                "yang utuh atau simpan ulang dari Excel."
            ) from None
        try:
            self._book = CalamineWorkbook.from_filelike(io.BytesIO(self._data))
        except Exception:  # calamine raises its own (English) error types for damaged packages
            raise UnreadableWorkbook(
                f"Berkas '{path.name}' tidak dapat dibaca sebagai buku kerja Excel: isinya rusak. "
                "Ambil salinan yang utuh atau simpan ulang dari Excel."
            ) from None
        self.sheet_names: list[str] = list(self._book.sheet_names)
        if not self.sheet_names:
            raise UnreadableWorkbook(f"Buku kerja '{path.name}' tidak memiliki lembar kerja.")
        self._order: list[str] = []
        self._pool: ThreadPoolExecutor | None = None
        self._worker_book: Any = None
        self._ahead: dict[str, Future[list[list[Any]]]] = {}
        self._slots = threading.Semaphore(AHEAD)
        self._closing = False

    def prefetch(self, order: Iterable[str]) -> None:
        """Sheets (actual names) in the order `grid` will be asked for them. On a machine with
        two cores or more, they are shared between this thread and one worker by the size of
        their XML, in order (each next sheet goes to whichever has less to parse so far), and
        the worker starts on its share at once: while this thread parses Rencana, the worker
        parses the months after it. The worker stays at most AHEAD grids ahead of what this
        thread has taken, which bounds the memory of the grids waiting."""
        if (os.cpu_count() or 1) < 2:
            return
        self._order = list(dict.fromkeys(s for s in order if s in self._parts))
        sizes = {name: self._part_size(name) for name in self._order}
        mine = theirs = 0
        for sheet in self._order:
            if mine <= theirs:
                mine += sizes[sheet]
                continue
            theirs += sizes[sheet]
            if self._pool is None:
                self._pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="sopxl-baca")
            self._ahead[sheet] = self._pool.submit(self._read_ahead, sheet)

    def _part_size(self, sheet: str) -> int:
        try:
            return self._zip.getinfo(self._parts[sheet].part).file_size
        except KeyError:
            return 0

    def _read_ahead(self, sheet: str) -> list[list[Any]]:
        """The worker's read of `sheet`, once fewer than AHEAD of its grids wait to be taken."""
        self._slots.acquire()
        if self._closing:
            return []
        return self._read_grid(sheet, True)

    def close(self) -> None:
        if self._pool is not None:
            self._closing = True
            for future in self._ahead.values():
                future.cancel()
            for _ in range(len(self._ahead) + 1):
                self._slots.release()  # a worker waiting for a slot sees _closing and stops
            self._pool.shutdown(wait=True)
            self._pool = None
        self._ahead.clear()
        if self._worker_book is not None:
            self._worker_book.close()
            self._worker_book = None
        self._zip.close()
        self._book.close()
        self._data = b""

    def __enter__(self) -> WorkbookReader:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def sheet_states(self) -> dict[str, str]:
        return {name: part.state for name, part in self._parts.items()}

    def grid(self, sheet: str, *, clean: bool = True) -> list[list[Any]]:
        """All cell values of a sheet; row 1 is index 0, column A index 0; blanks are None
        (with `clean=False` they stay as calamine gives them, "": find_table cleans the
        columns it reads, which is cheaper than cleaning every cell)."""
        ahead = self._ahead.pop(sheet, None)
        if ahead is not None:
            try:
                raw = ahead.result()  # a refusal found by the worker is raised here, in order
            finally:
                self._slots.release()  # taken: the worker may read one more ahead
        else:
            raw = self._read_grid(sheet, False)
        if len(raw) > self.settings.max_rows_per_sheet:
            raise UnreadableWorkbook(_too_many_rows(sheet, len(raw), self.settings))
        if not clean:
            return raw
        for k, row in enumerate(raw):  # calamine gives "" for an empty cell: make it None
            raw[k] = none_for_empty(row)
        return raw

    def _read_grid(self, sheet: str, in_worker: bool) -> list[list[Any]]:
        """Scan, then parse one sheet (in the worker with the worker's own workbook)."""
        scan = self._scan(sheet)  # refuses an absurd sheet before calamine allocates its grid
        try:
            if scan is not None and scan.patched is not None:
                patched, scan.patched = scan.patched, None
                return self._patched_grid(sheet, patched)
            if in_worker:
                if self._worker_book is None:
                    from python_calamine import CalamineWorkbook

                    self._worker_book = CalamineWorkbook.from_filelike(io.BytesIO(self._data))
                book = self._worker_book
            else:
                book = self._book
            grid: list[list[Any]] = book.get_sheet_by_name(sheet).to_python(skip_empty_area=False)
            return grid
        except Exception as exc:
            raise UnreadableWorkbook(_unreadable_sheet(self.path.name, sheet, self._parts, exc)) from None

    def _patched_grid(self, sheet: str, xml: bytes) -> list[list[Any]]:
        """The sheet's grid as calamine reads it from `xml` instead of the sheet's part: an
        in-memory copy of the package with that part replaced and the other sheets (and
        pictures) left out."""
        from python_calamine import CalamineWorkbook

        own = self._parts[sheet].part
        others = {p.part for p in self._parts.values()} - {own}
        buf = io.BytesIO()
        with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as out:
            for info in self._zip.infolist():
                name = info.filename
                if name in others or name.startswith(_NOT_NEEDED) or (name.endswith(".rels") and "worksheets/" in name):
                    continue
                out.writestr(name, xml if name == own else self._zip.read(info))
        buf.seek(0)
        book = CalamineWorkbook.from_filelike(buf)
        try:
            grid: list[list[Any]] = book.get_sheet_by_name(sheet).to_python(skip_empty_area=False)
        finally:
            book.close()
        return grid

    def _scan(self, sheet: str) -> _Scan | None:
        """The scan of a sheet's part (None when the workbook lists no part for it)."""
        if sheet not in self._scans:
            self._scans[sheet] = self._scan_part(self._zip, sheet)
        return self._scans[sheet]

    def _check_dimension(self, sheet: str, head: bytes) -> None:
        m = _DIMENSION.search(head)
        if m:
            _refuse_extent(sheet, int(m.group(2)), _col_number(m.group(1)), self.settings)

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
            if info.compress_type == zipfile.ZIP_DEFLATED and not info.flag_bits & 0x1:
                # Raw inflate (ISA-L where installed), bounded by the size the directory
                # declares: the first 4 KB for the dimension, then the rest.
                inflater = Inflater(read_raw(io.BytesIO(self._data), info))
                head = inflater.read(4096)
                self._check_dimension(sheet, head)
                data = head + inflater.read(max(info.file_size - len(head), 0) + 1)
                if len(data) != info.file_size:
                    raise zipfile.BadZipFile(f"{info.filename}: size differs from the directory")
            else:
                with zf.open(info) as fh:
                    head = fh.read(4096)
                self._check_dimension(sheet, head)
                data = zf.read(info)
        except _PART_ERRORS:
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
        # only cells beyond column Z are looked at
        wide = {_col_number(letters) for letters in set(_WIDE_CELL.findall(data))}
        cols = max(wide, default=0)
        _refuse_extent(sheet, rows, cols, self.settings)
        errors, refused = _error_values(data)
        patched = _replace_spans(data, refused, b"#N/A") if refused else None
        # a huge extent with a wide gap between columns: look at every cell's column
        if rows * cols > SPARSE_EXTENT and _block_width({26} | wide) < cols:
            narrow = _without_stray_cells(patched or data)
            if narrow is not None:
                patched = narrow
        return _Scan(errors, patched)

    def error_cells(self, sheet: str) -> dict[tuple[int, int], str]:
        """Cells of a sheet whose cached value is an Excel error: (row, col) -> code."""
        scan = self._scan(sheet)
        return {} if scan is None else scan.errors


# Grids the read-ahead worker may hold before this thread takes them (WorkbookReader.prefetch).
AHEAD = 2
_ERROR_TYPE = re.compile(rb'\st="e"')
_CELL_REF = re.compile(rb'\br="([A-Z]+\d+)"')
_CELL_VALUE = re.compile(rb"<(?:\w+:)?v>([^<]*)</(?:\w+:)?v>")
# The error codes calamine reads (as ""); it refuses a sheet holding any other.
CALAMINE_ERRORS = frozenset((b"#DIV/0!", b"#N/A", b"#NAME?", b"#NULL!", b"#NUM!", b"#REF!", b"#VALUE!"))
# Above this many cells of extent a sheet is looked at for stray far cells (SPARSE_GAP).
SPARSE_EXTENT = 2_000_000
SPARSE_GAP = 256  # empty columns that end a sheet's block of columns
# Parts calamine does not need to read one sheet's values.
_NOT_NEEDED = ("xl/media/", "xl/drawings/", "xl/embeddings/", "xl/printerSettings/", "docProps/")


def _error_values(data: bytes) -> tuple[dict[tuple[int, int], str], list[tuple[int, int]]]:
    """(cells of a sheet's XML whose cached value is an Excel error (`<c ... t="e">`): (row,
    col) -> code, the spans of the codes calamine refuses).

    Each `t="e"` is found at C speed and its cell read around it: the start tag is the last
    `<` before it, the value the `<v>` before the cell's `</c>` (a regex over every cell
    costs about 70 ms per 20,000-row month when a sheet holds any error value at all).
    """
    found: dict[tuple[int, int], str] = {}
    refused: list[tuple[int, int]] = []
    pos = data.find(b't="e"')
    while pos >= 0:
        start = data.rfind(b"<", 0, pos)
        end = data.find(b">", pos)
        if start < 0 or end < 0:
            break
        tag = data[start : end + 1]
        if tag[:2] == b"<c" and tag[2:3].isspace() and _ERROR_TYPE.search(tag) and tag[-2:] != b"/>":
            ref = _CELL_REF.search(tag)
            close = data.find(b"</c>", end)
            if ref is not None and close >= 0:
                val = _CELL_VALUE.search(data, end, close)
                code = val.group(1).decode("utf-8", "replace").strip() if val else "#VALUE!"
                found[spec.parse_ref(ref.group(1).decode())] = unescape(code) or "#VALUE!"
                if val is not None and val.group(1) not in CALAMINE_ERRORS:
                    refused.append(val.span(1))
        pos = data.find(b't="e"', end)
    return found, refused


def _replace_spans(data: bytes, spans: list[tuple[int, int]], by: bytes) -> bytes:
    out: list[bytes] = []
    pos = 0
    for start, end in spans:
        out.append(data[pos:start])
        out.append(by)
        pos = end
    out.append(data[pos:])
    return b"".join(out)


_CELL_ELEMENT = re.compile(rb'<((?:\w+:)?)c\b[^>]*?\sr="([A-Z]+)\d+"[^>]*?(?:/>|>.*?</\1c>)', re.DOTALL)


def _block_width(used: set[int]) -> int:
    """The last column of the first block of `used` columns (ended by a run of more than
    SPARSE_GAP columns not in `used`)."""
    width = 0
    for col in sorted(used):
        if width and col - width > SPARSE_GAP + 1:
            break
        width = col
    return width


def _without_stray_cells(data: bytes) -> bytes | None:
    """The sheet's XML without its cells beyond its first block of columns (the columns up to
    the first run of more than SPARSE_GAP empty ones), None when it has no such cells."""
    used = {_col_number(m) for m in set(_CELL_COLUMN.findall(data))}
    width = _block_width(used)
    if width >= max(used, default=0):
        return None

    def keep(m: re.Match[bytes]) -> bytes:
        return m.group(0) if _col_number(m.group(2)) <= width else b""

    return _CELL_ELEMENT.sub(keep, data)


_CELL_COLUMN = re.compile(rb'<(?:\w+:)?c\b[^>]*?\sr="([A-Z]+)\d+"')


# What reading a damaged sheet part raises.
_PART_ERRORS: tuple[type[Exception], ...] = (zipfile.BadZipFile, OSError, EOFError, ValueError, *DEFLATE_ERRORS)
# A sheet of more cells than this is refused (a dense grid of them costs about 1 GB).
MAX_CELLS_PER_SHEET = 20_000_000
_DIMENSION = re.compile(rb'<dimension ref="(?:[A-Z]+\d+:)?([A-Z]+)(\d+)"')
_ROW_NUMBER = re.compile(rb'<row\b[^>]*?\br="(\d+)"')
_WIDE_CELL = re.compile(rb' r="([A-Z]{2,3})[0-9]')


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


def _unreadable_sheet(book: str, sheet: str, parts: Any, exc: Exception) -> str:
    """The refusal of a sheet calamine cannot read, in Indonesian, naming the sheet and its part."""
    part = getattr(parts.get(sheet), "part", None)
    where = f"lembar '{sheet}' (bagian {part})" if part else f"lembar '{sheet}'"
    text = str(exc)
    if "string index" in text.lower():
        why = "sel merujuk teks yang tidak ada di daftar teks bersama (sharedStrings)"
    elif type(exc).__name__ == "WorksheetNotFound" or "not found" in text.lower():
        why = "bagian data lembar itu tidak ada di dalam berkas"
    else:
        why = "isinya rusak atau tidak dikenali"
    return (
        f"Berkas '{book}' tidak dapat dibaca: {where}: {why}. Buka berkas di Excel atau "
        "LibreOffice lalu simpan ulang, atau ambil salinan yang utuh."
    )


def _too_many_rows(sheet: str, rows: int, settings: Settings) -> str:
    return (
        f"Lembar '{sheet}' memiliki {_dots(rows)} baris, melebihi batas "
        f"{_dots(settings.max_rows_per_sheet)} baris per lembar. Hapus baris kosong berformat di "
        "bawah tabel, lalu simpan ulang."
    )


def read_workbook(path: Path | str, settings: Settings | None = None, *, threads: bool = True) -> WorkbookData:
    """Read everything validation and consolidation need from a workbook. Without `threads`,
    no worker thread reads ahead (for callers that run one reader per core already)."""
    path = Path(path)
    with paused_gc(), WorkbookReader(path, settings) as reader:
        data = WorkbookData(
            path=path,
            sheet_names=reader.sheet_names,
            sheet_states=reader.sheet_states(),
            grids={},
            error_cells={},
        )

        shared: dict[Any, Any] = {}  # equal text cells of all tables held once

        def load(
            name: str, keep: bool = False
        ) -> tuple[str, list[list[Any]], dict[tuple[int, int], str]] | None:
            """Read a sheet; its raw grid stays in `data.grids` only with `keep` (the large
            data sheets live on as Tables, so their grids are dropped to bound memory)."""
            actual = data.sheet(name)
            if actual is None:
                return None
            # Kept grids are cleaned ("" -> None) cell by cell; tables clean column by column.
            grid = reader.grid(actual, clean=keep)
            errs = reader.error_cells(actual)
            if keep:
                data.grids[actual] = grid
            data.error_cells[actual] = errs
            return actual, grid, errs

        def table(name: str, key: str, columns: Iterable[str], optional: Iterable[str] = ()) -> Table | None:
            loaded = load(name)
            if loaded is None:
                return None
            return find_table(loaded[0], loaded[1], key, columns, optional, loaded[2], shared)

        order = (
            spec.SHEET_IDENTITAS, spec.SHEET_REFERENSI, spec.SHEET_RENCANA, spec.SHEET_PENGATURAN,
            *spec.MONTHS, *spec.REPORT_SHEETS, spec.SHEET_KENDALI, spec.SHEET_STATE,
        )  # the order of the loads below
        if threads:
            reader.prefetch(actual for actual in map(data.sheet, order) if actual is not None)
        loaded = load(spec.SHEET_IDENTITAS, keep=True)
        if loaded:
            actual, grid, errs = loaded
            data.identitas = find_table(actual, grid, spec.COL_URAIAN, spec.IDENTITAS_COLUMNS, (), errs)
            data.identity = _identity_items(data.identitas)
        data.referensi = table(
            spec.SHEET_REFERENSI,
            spec.COL_KODE_RO,
            (*spec.REFERENSI_COLUMNS, *spec.REFERENSI_OPTIONAL),
            spec.REFERENSI_OPTIONAL,
        )
        data.rencana = table(spec.SHEET_RENCANA, spec.COL_KODE_RO, spec.RENCANA_COLUMNS)
        data.pengaturan = table(spec.SHEET_PENGATURAN, "Kunci", ("Kunci", "Nilai"))
        for number, month in enumerate(spec.MONTHS, start=1):
            data.months[number] = table(month, spec.COL_KODE_RO, spec.MONTH_COLUMNS, spec.MONTH_OPTIONAL)
        for report in spec.REPORT_SHEETS:
            load(report, keep=True)
        load(spec.SHEET_KENDALI, keep=True)  # six rows: `sopxl status` reads the SOP's steps
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
    if table is None:
        return {}
    rows = table.rows
    return {code: rows[i] for code, i in table.first_of_code.items()}


__all__ = [
    "CellError",
    "IdentityItem",
    "Row",
    "RowAt",
    "Table",
    "WorkbookData",
    "WorkbookReader",
    "find_table",
    "first_rows_by_code",
    "is_blank",
    "kode_of",
    "read_workbook",
]
