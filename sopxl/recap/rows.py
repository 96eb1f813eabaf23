"""The rows of the recap's two big sheets as XML, made without XlsxWriter's per-cell cost.

A satker's Rekap RO rows are made where its workbook is read (a pool worker) as a template
and cached with its result. The template is UTF-8 bytes in which every row number is a `%d`
(a literal `%` is doubled) and the satker's name cell a token: a re-run of the recap numbers
all the rows of a satker with one C-level `bytes % tuple` instead of formatting every cell
again, or even touching each row from Python.

A template travels as one blob: the number of rows (`<I`), a byte per row with the count
of `%d` in it (without the name cell), then the XML.
"""

from __future__ import annotations

import math
import struct
from collections.abc import Mapping, Sequence
from itertools import chain, repeat
from typing import Any

from sopxl.ooxml.cells import clip_text, number_text
from sopxl.ooxml.xmltext import is_plain, xml_text

# The style indices the recap workbook gives its two number formats: `recap.workbook._build`
# registers them first, so XlsxWriter numbers them 1 and 2 (index 0 is the default format),
# and checks it does.
NUM2_XF = 1
RUPIAH_XF = 2

# Tokens: control characters xml_text drops from every value, so no text can hold them.
_NAMA, _ROW = "\x04", "\x05"
_NAMA_B = _NAMA.encode()
_HEAD = struct.Struct("<I")
# a row's count of `%d` plus the name cell's one
_PLUS_ONE = bytes(min(i + 1, 255) for i in range(256))

RO_NUMBERS = (
    "target_volume", "realisasi_volume_kumulatif", "progres_capaian", "target_progres",
    "capaian_persen", "pagu", "realisasi_anggaran", "penyerapan_persen",
)
# Rekap RO's number columns (after the five text columns A-E) and their formats: none, then
# two decimals, then whole rupiah, as in RO_HEADERS.
_RO_FORMATS = (None, None, NUM2_XF, NUM2_XF, NUM2_XF, RUPIAH_XF, RUPIAH_XF, NUM2_XF)


def ro_rows_template(kode: str, ros: Sequence[Mapping[str, Any]]) -> bytes:
    """A satker's Rekap RO rows as a template blob (see the module's docstring): what only
    the recap knows (the row numbers, the satker's name cell, which the recap may take from
    `--daftar`) is left open. Made where the satker's workbook is read and cached with its
    result."""
    rows: list[str] = []
    counts = bytearray()
    head = text_cell("A", kode) if kode else ""
    for ro in ros:
        cells = [f'<row r="{_ROW}">', head, _NAMA]
        for letter, key in (("C", "kode"), ("D", "uraian"), ("E", "satuan")):
            value = ro.get(key)
            if value is not None and str(value) != "":
                cells.append(text_cell(letter, str(value)))
        for letter, key, style in zip("FGHIJKLM", RO_NUMBERS, _RO_FORMATS, strict=True):
            value = ro.get(key)
            if isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value):
                cells.append(number_cell(letter, value, style))
        cells.append("</row>")
        row = "".join(cells)
        counts.append(row.count(_ROW))
        rows.append(row)
    xml = _to_format("".join(rows))
    return _HEAD.pack(len(counts)) + bytes(counts) + xml


def _to_format(xml: str) -> bytes:
    """XML with row tokens as UTF-8 for `bytes % tuple`: `%` doubled, row tokens `%d`."""
    return xml.replace("%", "%%").replace(_ROW, "%d").encode("utf-8")


def text_cell(letter: str, value: str, style: str = "", row: int | None = None) -> str:
    """An inline-text cell in column `letter` of row `row` (the row token when None).

    `xml:space="preserve"` only where whitespace would otherwise be lost (at either end, or
    a tab or newline), as Excel writes it: the recap's rows are mostly such cells, and the
    attribute on every one made a fifth of the Rekap RO sheet."""
    s = f' s="{style}"' if style else ""
    at = _ROW if row is None else str(row)
    if len(value) <= _PLAIN_LIMIT and is_plain(value):
        # most values: nothing to escape, drop, clip or keep (a recap writes thousands)
        return f'<c r="{letter}{at}"{s} t="inlineStr"><is><t>{value}</t></is></c>'
    text = xml_text(clip_text(value))
    keep = ' xml:space="preserve"' if text != text.strip() or "\n" in text or "\t" in text else ""
    return f'<c r="{letter}{at}"{s} t="inlineStr"><is><t{keep}>{text}</t></is></c>'


# Far below the length a cell may hold: a plain text this short needs no clipping either.
_PLAIN_LIMIT = 4096


def number_cell(letter: str, value: float, style: int | None = None, row: int | None = None) -> str:
    """A number cell in column `letter` of row `row` (the row token when None)."""
    s = f' s="{style}"' if style is not None else ""
    at = _ROW if row is None else str(row)
    return f'<c r="{letter}{at}"{s}><v>{number_text(float(value))}</v></c>'


def row_count(blob: bytes) -> int:
    return int(_HEAD.unpack_from(blob)[0]) if blob else 0


def fill_ro_rows(blob: bytes, first_row: int, nama: str | None) -> tuple[bytes, int]:
    """The rows of one satker's template numbered from `first_row`, with its name cell, and
    the row after them."""
    if not blob:
        return b"", first_row
    n = row_count(blob)
    counts = blob[_HEAD.size : _HEAD.size + n]
    xml = blob[_HEAD.size + n :]
    if nama:
        xml = xml.replace(_NAMA_B, _to_format(text_cell("B", nama)))
        counts = counts.translate(_PLUS_ONE)
    else:
        xml = xml.replace(_NAMA_B, b"")
    numbers = tuple(chain.from_iterable(map(repeat, range(first_row, first_row + n), counts)))
    return xml % numbers, first_row + n


__all__ = [
    "NUM2_XF", "RO_NUMBERS", "RUPIAH_XF", "fill_ro_rows", "number_cell", "ro_rows_template", "row_count", "text_cell",
]
