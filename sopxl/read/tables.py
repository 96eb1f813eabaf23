"""Header-led tables of a sheet's grid: the one header finder of sopxl.

Workbook sheets (:mod:`sopxl.read.workbook`) and the input files of `sopxl init`
(:mod:`sopxl.read.inputs`, CSV rows or an XLSX sheet) are read through :func:`find_table`:
the header row is the first of the first 20 rows holding the key header; headers match case-
and space-insensitively (`spec.norm`), in any order; extra columns are ignored; rows empty in
every column of the table are skipped.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from functools import cached_property
from itertools import compress
from operator import itemgetter
from typing import Any, cast

from sopxl.core import spec


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
        return kode_of(self.values.get(spec.COL_KODE_RO))


class Table:
    """A header-led table of a sheet, held column by column.

    `data[column]` lists a canonical column's values along the data rows (row i is sheet row
    `row_numbers[i]`); the rules read whole columns. `rows` gives the same data as Row
    objects, built on first use (for the small sheets and the few places that want them).
    """

    def __init__(
        self,
        sheet: str,
        header_row: int | None,
        columns: dict[str, int],
        found: list[str],
        missing: list[str],
        row_numbers: list[int] | None = None,
        data: dict[str, list[Any]] | None = None,
    ) -> None:
        self.sheet = sheet
        self.header_row = header_row  # 1-based; None when no header row was found
        self.columns = columns  # canonical column -> 1-based column index
        self.found = found  # headers as written in the header row (non-empty ones)
        self.missing = missing  # required columns not found
        self.row_numbers: list[int] = row_numbers if row_numbers is not None else []
        self.data: dict[str, list[Any]] = data if data is not None else {}
        self._absent: list[Any] | None = None

    def __len__(self) -> int:
        return len(self.row_numbers)

    def __repr__(self) -> str:
        return f"Table({self.sheet!r}, header_row={self.header_row}, rows={len(self)})"

    def column(self, name: str) -> list[Any]:
        """The values of a canonical column along the rows (all None when it is absent).
        The list is shared: never mutate it."""
        found = self.data.get(name)
        if found is None:
            if self._absent is None or len(self._absent) != len(self):
                self._absent = [None] * len(self)
            found = self._absent
        return found

    def ref_at(self, i: int, column: str | None = None) -> str:
        """A1 reference of row i's cell in `column` (the first cell of the row if absent)."""
        if column is not None and column in self.columns:
            return spec.cell_ref(self.row_numbers[i], self.columns[column])
        return spec.cell_ref(self.row_numbers[i], 1)

    @cached_property
    def codes(self) -> list[str | None]:
        """Kode RO of every row (stripped text; None where blank or an error value)."""
        raws = self.column(spec.COL_KODE_RO)
        if set(map(type, raws)) == {str}:  # the usual case, at C speed
            stripped = list(map(str.strip, raws))
            if "" not in stripped:
                return cast(list[str | None], stripped)
        return [kode_of(v) for v in raws]

    @cached_property
    def first_of_code(self) -> dict[str, int]:
        """Kode RO -> index of its first row (rules and figures key ROs this way; later rows of
        the same code are CAP-DUPLIKAT's)."""
        codes = self.codes
        last = dict(zip(codes, range(len(codes)), strict=True))
        if len(last) == len(codes) and None not in last:
            return cast(dict[str, int], last)  # no blank, no repeated code
        result: dict[str, int] = {}
        for i, code in enumerate(codes):
            if code is not None and code not in result:
                result[code] = i
        return result

    @cached_property
    def rows(self) -> list[Row]:
        """The rows as Row objects (built once, on first use)."""
        names = list(self.data)
        if not names:
            return [Row(r, {}, self.columns) for r in self.row_numbers]
        return [
            Row(r, dict(zip(names, vals, strict=True)), self.columns)
            for r, vals in zip(self.row_numbers, zip(*self.data.values(), strict=True), strict=True)
        ]

    def at(self, i: int) -> RowAt:
        """Row i as a light view (for a finding's cell and message)."""
        return RowAt(self, i)

    @property
    def header_ref(self) -> str:
        return spec.cell_ref(self.header_row or 1, 1)


class RowAt:
    """Row i of a Table, read through its columns: what a rule needs to name a row's cells."""

    __slots__ = ("i", "r", "table")

    def __init__(self, table: Table, i: int) -> None:
        self.table = table
        self.i = i
        self.r = table.row_numbers[i]  # 1-based sheet row

    def ref(self, column: str | None = None) -> str:
        return self.table.ref_at(self.i, column)

    def get(self, column: str) -> Any:
        return self.table.column(column)[self.i]

    @property
    def kode(self) -> str | None:
        return self.table.codes[self.i]


def kode_of(value: Any) -> str | None:
    """Kode RO as a cell holds it: stripped text, None where blank or an Excel error."""
    if type(value) is str:
        return value.strip() or None
    if value is None or isinstance(value, CellError):
        return None
    text = str(value).strip()
    return text or None


def find_header_row(grid: list[list[Any]], key_header: str) -> int | None:
    """0-based index of the header row: the first of the first 20 rows holding `key_header`
    (matched with `spec.norm`); None when none does."""
    key = spec.norm(key_header)
    for i, row in enumerate(grid[: spec.HEADER_SCAN_ROWS]):
        if any(v is not None and v != "" and spec.norm(v) == key for v in row):
            return i
    return None


def match_header(header: Iterable[Any], columns: Iterable[str]) -> tuple[dict[str, int], list[str]]:
    """(canonical column -> 1-based column index, headers as written) of a header row.

    Headers match the wanted `columns` with `spec.norm` (case and white space ignored), in
    any order; the first of two equal headers counts; blank cells are not headers."""
    wanted = {spec.norm(c): c for c in columns}
    mapping: dict[str, int] = {}
    found: list[str] = []
    for j, v in enumerate(header):
        if v is None or (isinstance(v, str) and not v.strip()):
            continue
        found.append(str(v).strip())
        canonical = wanted.get(spec.norm(v))
        if canonical is not None and canonical not in mapping:
            mapping[canonical] = j + 1
    return mapping, found


def table_at(
    sheet: str,
    grid: list[list[Any]],
    header_index: int | None,
    columns: Iterable[str],
    optional: Iterable[str] = (),
    errors: dict[tuple[int, int], str] | None = None,
    shared: dict[Any, Any] | None = None,
) -> Table:
    """The table whose header is grid row `header_index` (0-based; None: no header row, and
    every required column is missing), read column by column as :func:`find_table` says.
    Equal values of text columns become one object through `shared` (one dict for all the
    tables of a workbook: a Kode RO, a Satuan or a Kendala repeated in every month is then
    held once)."""
    columns = list(columns)
    optional_set = set(optional)
    required = [c for c in {spec.norm(c): c for c in columns}.values() if c not in optional_set]
    if header_index is None:
        return Table(sheet, None, {}, [], required)
    mapping, found = match_header(grid[header_index], columns)
    missing = [c for c in required if c not in mapping]
    row_numbers, data = _table_columns(grid, header_index + 1, mapping, errors or {}, shared)
    return Table(sheet, header_index + 1, mapping, found, missing, row_numbers, data)


def find_table(
    sheet: str,
    grid: list[list[Any]],
    key_header: str,
    columns: Iterable[str],
    optional: Iterable[str] = (),
    errors: dict[tuple[int, int], str] | None = None,
    shared: dict[Any, Any] | None = None,
) -> Table:
    """Locate the header row (first of the first 20 rows holding `key_header`) and read the
    table below it, column by column. Empty cells ("" or None) and text of only white space
    are None; cells of `errors` ((row, col) -> code) are CellError; rows empty in every
    column of the table are skipped."""
    return table_at(sheet, grid, find_header_row(grid, key_header), columns, optional, errors, shared)


def grouped_header(
    grid: list[list[Any]], header_index: int, is_sub: Callable[[Any], bool]
) -> tuple[list[str | None], int]:
    """(label of every column, rows the header spans) of a header that may take two rows: a
    group cell over sub-columns (a merged cell's value stands in its first column only), the
    sub-labels in the row below, recognised by `is_sub`. A column under a group reads
    "group sub"; a column with nothing below keeps its own label; blank columns are None.
    A header without such a row below is one row, its labels as written."""
    top = grid[header_index] if header_index < len(grid) else []
    below = grid[header_index + 1] if header_index + 1 < len(grid) else []
    width = max(len(top), len(below))

    def text(row: list[Any], j: int) -> str | None:
        value = row[j] if j < len(row) else None
        return None if is_blank(value) else str(value).strip()

    if not any(is_sub(v) for v in below if not is_blank(v)):
        return [text(top, j) for j in range(width)], 1
    labels: list[str | None] = []
    group: str | None = None
    for j in range(width):
        own, sub = text(top, j), text(below, j)
        if own is not None:
            group = own
        if sub is not None and is_sub(sub):
            labels.append(f"{group} {sub}" if group is not None else sub)
        else:
            labels.append(own if own is not None else sub)
            if own is None and sub is not None:
                group = None
    return labels, 2


def table_from_columns(
    sheet: str, grid: list[list[Any]], header_index: int, body_start: int, columns: dict[str, int], found: list[str]
) -> Table:
    """The table whose header starts at grid row `header_index` and whose data rows start at
    `body_start` (0-based), its columns already located (`columns`: name -> 1-based column),
    read column by column as :func:`find_table` reads them."""
    row_numbers, data = _table_columns(grid, body_start, columns, {})
    return Table(sheet, header_index + 1, columns, found, [], row_numbers, data)


def none_for_empty(values: list[Any]) -> list[Any]:
    """`values` with calamine's empty cells ("") as None: changed in place where they are
    few (each found at C speed), a new list where they are many."""
    empty = values.count("")
    if empty * 4 > len(values):
        return [None if v == "" else v for v in values]
    i = -1
    for _ in range(empty):
        i = values.index("", i + 1)
        values[i] = None
    return values


def _clean_text(values: list[Any]) -> list[Any]:
    """Empty text ("", calamine's empty cell) and white-space-only text to None; the searches
    run at C speed and only the cells found are touched (a column of numbers with a few
    empty or error cells, or of codes, is the usual case)."""
    values = none_for_empty(values)
    if any(map(str.isspace, filter(str.__instancecheck__, values))):
        values = [None if type(v) is str and v.isspace() else v for v in values]
    return values


def _table_columns(
    grid: list[list[Any]],
    start: int,
    mapping: dict[str, int],
    errors: dict[tuple[int, int], str],
    shared: dict[Any, Any] | None = None,
) -> tuple[list[int], dict[str, list[Any]]]:
    """(sheet row numbers, canonical column -> values) of the data rows below the header
    (0-based grid index `start` on), wholly empty rows left out.

    The hot path of reading: each column is picked from the grid with one C-level map, and
    cleaned ("" and white-space-only text to None) only where it holds text.
    """
    if not mapping:
        return [], {}
    body = grid[start:]
    n = len(body)
    data: dict[str, list[Any]] = {}
    for name, col in mapping.items():
        j = col - 1
        try:
            values = list(map(itemgetter(j), body))
        except IndexError:  # ragged rows (a grid made by hand): pad with None
            values = [row[j] if j < len(row) else None for row in body]
        if str in set(map(type, values)):
            values = _clean_text(values)
            if shared is not None:  # calamine's cell values are all hashable
                values = list(map(shared.setdefault, values, values))
        data[name] = values
    if errors:
        by_column = {col: name for name, col in mapping.items()}
        for (r, c), code in errors.items():
            target = by_column.get(c)
            i = r - 1 - start
            if target is not None and 0 <= i < n and data[target][i] is None:
                data[target][i] = CellError(code)
    row_numbers = list(range(start + 1, start + 1 + n))
    columns = list(data.values())
    if all(None in values for values in columns):  # else no row can be wholly empty
        empty = [i for i, v in enumerate(columns[0]) if v is None]
        for values in columns[1:]:
            if not empty:
                break
            empty = [i for i in empty if values[i] is None]
        if empty:
            keep = [True] * n
            for i in empty:
                keep[i] = False
            row_numbers = list(compress(row_numbers, keep))
            data = {name: list(compress(values, keep)) for name, values in data.items()}
    return row_numbers, data


__all__ = [
    "CellError",
    "Row",
    "RowAt",
    "Table",
    "find_header_row",
    "find_table",
    "grouped_header",
    "is_blank",
    "kode_of",
    "match_header",
    "none_for_empty",
    "table_at",
    "table_from_columns",
]
