"""The rows of the recap's two big sheets as XML, made without XlsxWriter's per-cell cost.

A satker's Rekap RO rows are made where its workbook is read (a pool worker) as a template
and cached with its result: a re-run of the recap fills in the row numbers, the satker's name
and the style indices instead of formatting every cell again.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from typing import Any

from sopxl.ooxml.cells import clip_text, number_text
from sopxl.ooxml.xmltext import xml_text

# Tokens in the row templates: control characters xml_text drops from every value, so no
# text can hold them.
_NUM2, _RUPIAH, _NEXT, _NAMA, _ROW = "\x01", "\x02", "\x03", "\x04", "\x05"

RO_NUMBERS = (
    "target_volume", "realisasi_volume_kumulatif", "progres_capaian", "target_progres",
    "capaian_persen", "pagu", "realisasi_anggaran", "penyerapan_persen",
)
# Rekap RO's number columns (after the five text columns A-E) and their formats: none, then
# two decimals, then whole rupiah, as in RO_HEADERS.
_RO_FORMATS = ("", "", _NUM2, _NUM2, _NUM2, _RUPIAH, _RUPIAH, _NUM2)


def ro_rows_template(kode: str, ros: Sequence[Mapping[str, Any]]) -> str:
    """A satker's Rekap RO rows as XML with tokens for what only the recap knows: the row
    number, the satker's name cell (the recap may take it from `--daftar`) and the number
    formats' style indices. Made where the satker's workbook is read (a pool worker) and
    cached with its result, so a re-run fills in tokens instead of formatting every cell."""
    rows: list[str] = []
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
                s = f' s="{style}"' if style else ""
                cells.append(f'<c r="{letter}{_ROW}"{s}><v>{number_text(float(value))}</v></c>')
        cells.append("</row>")
        rows.append("".join(cells))
    return _NEXT.join(rows)


def text_cell(letter: str, value: str, style: str = "", row: int | None = None) -> str:
    """An inline-text cell in column `letter` of row `row` (the row token when None)."""
    s = f' s="{style}"' if style else ""
    at = _ROW if row is None else str(row)
    return f'<c r="{letter}{at}"{s} t="inlineStr"><is><t xml:space="preserve">{xml_text(clip_text(value))}</t></is></c>'


def fill_ro_rows(template: str, first_row: int, nama: str | None) -> tuple[list[str], int]:
    """The rows of one satker's template numbered from `first_row` (style tokens left in),
    and the row after them."""
    name = text_cell("B", nama) if nama else ""
    out: list[str] = []
    r = first_row
    for row in template.replace(_NAMA, name).split(_NEXT):
        out.append(row.replace(_ROW, str(r)))
        r += 1
    return out, r


def fill_styles(xml: str, num2: int, rupiah: int) -> str:
    return xml.replace(_NUM2, str(num2)).replace(_RUPIAH, str(rupiah))


def row_count(template: str) -> int:
    return template.count(_NEXT) + 1 if template else 0


__all__ = ["RO_NUMBERS", "fill_ro_rows", "fill_styles", "ro_rows_template", "row_count", "text_cell"]
