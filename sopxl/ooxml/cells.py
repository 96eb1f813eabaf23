"""Edit cells of a worksheet part without reserializing it.

The sheet XML is scanned with regular expressions for `<row>` and `<c>` start tags; only the
elements of the cells being edited are rewritten, every other byte of the part stays as it
was. This is fast on large sheets and guarantees that what sopxl does not touch is unchanged.
"""

from __future__ import annotations

import bisect
import datetime as dt
import itertools
import re
from collections.abc import Callable, Mapping

from sopxl.core.spec import col_letter
from sopxl.ooxml.xmltext import xml_text

CellEdit = Callable[[bytes | None], bytes | None]
"""Receives the whole current `<c>` element (None if the cell is absent), returns the new one
(None to leave the cell absent / delete it)."""

_ROOT = re.compile(rb"<(\w+:)?worksheet\b")
_ATTR_R = re.compile(rb'\sr="([A-Za-z]+)(\d+)"')
_ATTR_ROW_R = re.compile(rb'\sr="(\d+)"')
_ATTR_S = re.compile(rb'\ss="(\d*)"')


MAX_CELL_TEXT = 32_767  # Excel's limit of characters (UTF-16 units) in one cell
CLIPPED = " … (dipotong)"  # ends a text sopxl had to shorten to a limit


def text_length(text: str) -> int:
    """The length of `text` as Excel counts it (UTF-16 units: a character beyond the BMP is 2)."""
    return len(text) + sum(1 for ch in text if ord(ch) > 0xFFFF) if not text.isascii() else len(text)


def clip_text(text: str, limit: int = MAX_CELL_TEXT) -> str:
    """`text`, or when Excel would count more than `limit` characters in it, its beginning
    ending with CLIPPED, `limit` characters in all (every text sopxl writes into a cell or a
    note goes through here: Excel repairs or refuses a file with a longer one)."""
    if len(text) <= limit // 2 or text_length(text) <= limit:
        return text
    keep = limit - len(CLIPPED)
    head = text[:keep]
    while text_length(head) > keep:  # characters beyond the BMP count twice
        head = head[: keep - (text_length(head) - keep)]
    return head + CLIPPED


def prefix_of(xml: bytes) -> bytes:
    """The namespace prefix of the sheet's main elements (b'' for the usual default namespace)."""
    m = _ROOT.search(xml, 0, 4096)
    return m.group(1) or b"" if m else b""


def col_number(letters: bytes) -> int:
    n = 0
    for ch in letters.upper():
        n = n * 26 + ch - 64
    return n


def start_tag_end(elem: bytes) -> int:
    """Index just after the start tag of an element."""
    return elem.index(b">") + 1


def get_style(elem: bytes | None) -> int | None:
    """The `s` attribute of a `<c>` element (None when absent or the cell is absent)."""
    if elem is None:
        return None
    m = _ATTR_S.search(elem, 0, start_tag_end(elem))
    return int(m.group(1)) if m and m.group(1) else None


def with_style(elem: bytes, s: int | None) -> bytes:
    """The element with its `s` attribute set (or removed when s is None); nothing else moves."""
    end = start_tag_end(elem)
    tag = elem[:end]
    m = _ATTR_S.search(tag)
    if m:
        new_tag = tag[: m.start()] + (b' s="%d"' % s if s is not None else b"") + tag[m.end() :]
    elif s is None:
        return elem
    else:
        r = _ATTR_R.search(tag)
        if r is not None:
            pos = r.end()
        else:
            head = re.match(rb"<(\w+:)?c", tag)
            pos = head.end() if head else 2
        new_tag = tag[:pos] + b' s="%d"' % s + tag[pos:]
    return new_tag + elem[end:]


def has_content(elem: bytes) -> bool:
    """Whether a `<c>` element holds a value or formula (is not just an empty styled cell)."""
    return re.search(rb"<(\w+:)?(v|f|is)\b", elem) is not None


def empty_cell(ref: str, s: int | None, prefix: bytes = b"") -> bytes:
    sattr = b' s="%d"' % s if s is not None else b""
    return b"<%sc r=\"%s\"%s/>" % (prefix, ref.encode(), sattr)


def excel_serial(value: dt.date | dt.datetime) -> float:
    base = dt.datetime(1899, 12, 30)
    if isinstance(value, dt.datetime):
        delta = value.replace(tzinfo=None) - base
    else:
        delta = dt.datetime(value.year, value.month, value.day) - base
    return delta.days + delta.seconds / 86400


def number_text(value: float) -> str:
    """A number as a cell's `<v>` holds it: whole numbers without ".0" (as Excel writes them),
    others in full precision."""
    v = float(value)
    return repr(int(v)) if v.is_integer() and abs(v) < 2**53 else repr(v)


def value_cell(ref: str, value: object, s: int | None, prefix: bytes = b"") -> bytes:
    """A `<c>` element holding `value` (str, bool, number, date) with style `s`."""
    p = prefix
    sattr = b' s="%d"' % s if s is not None else b""
    r = ref.encode()
    if value is None:
        return b'<%sc r="%s"%s/>' % (p, r, sattr)
    if isinstance(value, bool):
        return b'<%sc r="%s"%s t="b"><%sv>%d</%sv></%sc>' % (p, r, sattr, p, int(value), p, p)
    if isinstance(value, dt.date | dt.datetime):
        value = excel_serial(value)
    if isinstance(value, int | float):
        return b'<%sc r="%s"%s><%sv>%s</%sv></%sc>' % (p, r, sattr, p, number_text(value).encode(), p, p)
    body = xml_text(clip_text(str(value))).encode("utf-8")
    return (
        b'<%sc r="%s"%s t="inlineStr"><%sis><%st xml:space="preserve">%s</%st></%sis></%sc>'
        % (p, r, sattr, p, p, body, p, p, p)
    )


def edit_cells(
    xml: bytes,
    edits: Mapping[tuple[int, int], CellEdit],
    drop_rows_if_empty: set[int] | frozenset[int] = frozenset(),
) -> bytes:
    """Apply `edits` ((row, col) -> CellEdit) to a worksheet part and return the new bytes.

    Missing cells are created in column order, missing rows in row order. A row listed in
    `drop_rows_if_empty` that ends up with no cell and no attribute but `r` is removed.
    """
    if not edits:
        return xml
    p = prefix_of(xml)
    by_row: dict[int, dict[int, CellEdit]] = {}
    for (r, c), fn in edits.items():
        by_row.setdefault(r, {})[c] = fn

    sd_open = re.search(rb"<%ssheetData\b[^>]*?(/?)>" % p, xml)
    if sd_open is None:
        raise ValueError("worksheet without sheetData")
    out: list[bytes] = []
    if sd_open.group(1):  # <sheetData/>
        xml = xml[: sd_open.start()] + b"<%ssheetData>" % p + b"</%ssheetData>" % p + xml[sd_open.end() :]
        data_start = sd_open.start() + len(b"<%ssheetData>" % p)
        data_end = data_start
    else:
        data_start = sd_open.end()
        data_end = xml.index(b"</%ssheetData>" % p, data_start)

    rows = _RowIndex(xml, p, data_start, data_end)
    row_close = b"</%srow>" % p
    cursor = 0
    for n in sorted(by_row):
        cells = by_row[n]
        found = rows.find(n)
        if found is not None:
            start, tag_end, self_closing = found
            if self_closing:
                row_tag = xml[start:tag_end - 2].rstrip() + b">"
                content, end = b"", tag_end
            else:
                row_tag = xml[start:tag_end]
                close = xml.index(row_close, tag_end)
                content, end = xml[tag_end:close], close + len(row_close)
            new_content = _edit_row(content, n, cells, p)
            out.append(xml[cursor:start])
            if not new_content.strip() and n in drop_rows_if_empty and re.fullmatch(
                rb'<%srow r="\d+">' % p, row_tag
            ):
                pass  # a row sopxl created, empty again: gone
            else:
                out.append(row_tag + new_content + row_close)
            cursor = end
        else:
            new_content = _edit_row(b"", n, cells, p)
            if not new_content:
                continue
            ins = rows.next_start(n)
            # rows may be out of order in damaged files: never go backwards
            ins = max(ins, cursor)
            out.append(xml[cursor:ins])
            out.append(b'<%srow r="%d">' % (p, n) + new_content + row_close)
            cursor = ins
    out.append(xml[cursor:])
    return b"".join(out)


class _RowIndex:
    """Where the `<row>` start tags of a sheet's sheetData are.

    The usual sheet (every row tag starts with its `r`, numbers strictly increasing, as Excel,
    LibreOffice and XlsxWriter write them) is indexed with one C-level findall and the rows
    wanted are found with bytes.find from a cursor that only moves forward (the edits come
    in row order): no Python work per row of the sheet. Any other sheet gets the full index
    of every row tag, which gives the same answers on the usual sheet.
    """

    def __init__(self, xml: bytes, p: bytes, data_start: int, data_end: int) -> None:
        self.xml = xml
        self.data_start, self.data_end = data_start, data_end
        self.row_re = re.compile(rb"<%srow\b([^>]*?)(/?)>" % p)
        self.lead = b'<%srow r="' % p
        self.info: dict[int, tuple[int, int, bool]] | None = None
        self.starts: list[int] = []
        self.cursor = data_start
        raw: list[bytes] = []
        count = xml.count(b"<%srow" % p, data_start, data_end)
        if count == xml.count(self.lead, data_start, data_end):
            raw = re.compile(rb'<%srow r="(\d+)"' % p).findall(xml, data_start, data_end)
        numbers = [int(x) for x in raw]
        if len(raw) == count and all(a < b for a, b in itertools.pairwise(numbers)):
            self.raw = raw
            self.numbers = numbers
            self.position = {n: k for k, n in enumerate(numbers)}
        else:
            self._full_index()

    def _full_index(self) -> None:
        """Index rows: number -> (start, end-of-start-tag, self_closing)."""
        self.starts = []
        self.numbers = []
        self.info = {}
        implicit = 0
        for m in self.row_re.finditer(self.xml, self.data_start, self.data_end):
            rm = _ATTR_ROW_R.search(m.group(1))
            n = int(rm.group(1)) if rm else implicit + 1
            implicit = n
            self.starts.append(m.start())
            self.numbers.append(n)
            self.info[n] = (m.start(), m.end(), bool(m.group(2)))

    def _start_of(self, k: int) -> int:
        """Start of the k-th row tag (fast index); searched from the cursor, which moves on."""
        start = self.xml.find(self.lead + self.raw[k] + b'"', self.cursor, self.data_end)
        if start < 0:  # cannot happen on an indexed sheet; stay exact anyway
            self._full_index()
            assert self.info is not None
            return self.starts[k]
        self.cursor = start
        return start

    def find(self, n: int) -> tuple[int, int, bool] | None:
        if self.info is not None:
            return self.info.get(n)
        k = self.position.get(n)
        if k is None:
            return None
        start = self._start_of(k)
        if self.info is not None:
            return self.info.get(n)
        m = self.row_re.match(self.xml, start)
        assert m is not None
        return start, m.end(), bool(m.group(2))

    def next_start(self, n: int) -> int:
        """Where a missing row n goes: the start of the first row after it (or the end)."""
        i = bisect.bisect_right(self.numbers, n)
        if self.info is not None:
            return self.starts[i] if i < len(self.starts) and self.numbers[i] > n else self.data_end
        if i >= len(self.numbers):
            return self.data_end
        start = self._start_of(i)
        if self.info is not None:
            return self.starts[i] if i < len(self.starts) and self.numbers[i] > n else self.data_end
        return start


_CELL_RE_CACHE: dict[bytes, re.Pattern[bytes]] = {}


_CELL_LEAD_CACHE: dict[bytes, re.Pattern[bytes]] = {}
_COLS: dict[bytes, int] = {}  # column letters -> number (up to 3 letters, i.e. Excel's columns)


_LETTER_CACHE: dict[int, bytes] = {}


def _letters(col: int) -> bytes:
    letters = _LETTER_CACHE.get(col)
    if letters is None:
        letters = _LETTER_CACHE[col] = col_letter(col).encode()
    return letters


def _col(letters: bytes) -> int:
    n = _COLS.get(letters)
    if n is None:
        n = col_number(letters)
        if len(letters) <= 3:
            _COLS[letters] = n
    return n


def _edit_row_existing(
    content: bytes, row: int, cells: dict[int, CellEdit], p: bytes, cell_re: re.Pattern[bytes], close: bytes
) -> bytes | None:
    """_edit_row when every cell edited exists and the row is the usual one (each `<c>` starts
    with its `r`, columns strictly increasing): each edited element is replaced in place,
    found with bytes.find. None when the row is not like that (the caller does the full walk,
    which gives the same result on such a row)."""
    lead = b'<%sc r="' % p
    if len(cells) == 1:
        # The usual edit (one flagged cell in its row): the element whose r is this cell's
        # reference is the cell (text cannot hold "<c", it is escaped); no index of the row.
        (c, fn), = cells.items()
        start = content.find(b"%s%s%d\"" % (lead, _letters(c), row))
        m = cell_re.match(content, start) if start >= 0 else None
        if m is not None:
            end = m.end() if m.group(2) else content.index(close, m.end()) + len(close)
            new = fn(content[start:end])
            return content[:start] + (new or b"") + content[end:]
    count = content.count(b"<%sc" % p)
    if count != content.count(lead):
        return None
    lead_re = _CELL_LEAD_CACHE.get(p)
    if lead_re is None:
        lead_re = _CELL_LEAD_CACHE[p] = re.compile(rb'<%sc r="([A-Z]+)\d+"' % p)
    letters = lead_re.findall(content)
    if len(letters) != count:
        return None
    cols = [_col(x) for x in letters]
    if not all(a < b for a, b in itertools.pairwise(cols)):
        return None
    position = {c: k for k, c in enumerate(cols)}
    if not all(c in position for c in cells):
        return None
    spans: list[tuple[int, int, int]] = []  # all found before any edit runs
    cursor = 0
    for c in sorted(cells):
        # The first match from the cursor is this cell: a longer name with the same first
        # letters (A -> AB) is a later column, so it comes after.
        start = content.find(lead + letters[position[c]], cursor)
        m = cell_re.match(content, start) if start >= 0 else None
        if m is None:
            return None
        end = m.end() if m.group(2) else content.index(close, m.end()) + len(close)
        spans.append((c, start, end))
        cursor = end
    out: list[bytes] = []
    cursor = 0
    for c, start, end in spans:
        new = cells[c](content[start:end])
        out.append(content[cursor:start])
        if new is not None:
            out.append(new)
        cursor = end
    out.append(content[cursor:])
    return b"".join(out)


def _edit_row(content: bytes, row: int, cells: dict[int, CellEdit], p: bytes) -> bytes:
    cell_re = _CELL_RE_CACHE.get(p)
    if cell_re is None:
        cell_re = _CELL_RE_CACHE[p] = re.compile(rb"<%sc\b([^>]*?)(/?)>" % p)
    close = b"</%sc>" % p
    if content:
        done = _edit_row_existing(content, row, cells, p, cell_re, close)
        if done is not None:
            return done
    pending = sorted(cells)
    out: list[bytes] = []
    cursor = 0
    pos = 0
    implicit = 0
    while pending:
        m = cell_re.search(content, pos)
        if m is None:
            break
        rm = _ATTR_R.search(m.group(1))
        col = col_number(rm.group(1)) if rm else implicit + 1
        implicit = col
        end = m.end() if m.group(2) else content.index(close, m.end()) + len(close)
        # create missing cells that come before this one
        while pending and pending[0] < col:
            c = pending.pop(0)
            new = cells[c](None)
            if new is not None:
                out.append(content[cursor : m.start()])
                out.append(new)
                cursor = m.start()
        if pending and pending[0] == col:
            c = pending.pop(0)
            new = cells[c](content[m.start() : end])
            out.append(content[cursor : m.start()])
            if new is not None:
                out.append(new)
            cursor = end
        pos = end
    tail_new: list[bytes] = []
    for c in pending:
        new = cells[c](None)
        if new is not None:
            tail_new.append(new)
    if tail_new:
        # after the last cell, before any trailing non-cell element (extLst)
        last = content.rfind(close)
        last_sc = [m.end() for m in cell_re.finditer(content, cursor) if m.group(2)]
        insert_at = max([cursor, last + len(close) if last >= 0 else 0, *last_sc])
        out.append(content[cursor:insert_at])
        out.extend(tail_new)
        cursor = insert_at
    out.append(content[cursor:])
    return b"".join(out)
