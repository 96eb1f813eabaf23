"""sopxl's own state, kept in the workbook in a very hidden sheet `sopxl_state`.

Layout: A1 `kunci`, B1 `nilai`; A2 `versi`, B2 `1`; below, one key per row with its value as
JSON text in column B. A value longer than CHUNK characters continues in the next rows under
the same key (the rows of one key are joined in order). Keys used by validation:

- `tanda`: the cells sopxl marked, {sheet: {cell: [original look number or null (the cell had
  no format of its own), created, note]}}; `tanda_tampilan`: the original looks those numbers
  name (a cell format resolved to its content: number format, font, fill, border, alignment,
  protection; sopxl.ooxml.styles.Look), so they mean the same after Excel or LibreOffice
  renumbered the styles; `tanda_versi`: 2. Without `tanda_versi`, `tanda` holds the first
  format, [original s, marked s, created, note, original fill XML] (style indexes; see
  sopxl.writeback.restore for how they are still used)
- `temuan`: the previous run's findings, [[key, severity, sheet, cell, ro, rule, message], ...]
- `riwayat`: run history, newest last.
Other parts of sopxl (consolidation) add their own keys; every writer keeps the others.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping, Sequence
from typing import TYPE_CHECKING, Any

from sopxl.core import spec
from sopxl.ooxml.names import NS_MAIN

if TYPE_CHECKING:
    from sopxl.ooxml.editor import WorkbookPackage
    from sopxl.read.workbook import WorkbookData


def escape(text: str) -> str:
    """XML-escape text (xml.sax.saxutils would import urllib: 15 ms on every run)."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")

VERSION = 1
CHUNK = 30_000  # characters per cell (Excel's limit is 32,767)
HEADER = ("kunci", "nilai")


def encode_rows(state: Mapping[str, Any]) -> list[tuple[str, str | int]]:
    rows: list[tuple[str, str | int]] = [HEADER, ("versi", VERSION)]
    for key, value in state.items():
        if key == "versi":
            continue
        text = json.dumps(value, ensure_ascii=False, separators=(",", ":"))
        for i in range(0, max(len(text), 1), CHUNK):
            rows.append((key, text[i : i + CHUNK]))
    return rows


def decode_rows(rows: Iterable[tuple[Any, Any]]) -> dict[str, Any]:
    texts: dict[str, list[str]] = {}
    for key, value in rows:
        if key is None or str(key) in HEADER or str(key) == "versi":
            continue
        texts.setdefault(str(key), []).append("" if value is None else str(value))
    state: dict[str, Any] = {}
    for key, parts in texts.items():
        try:
            state[key] = json.loads("".join(parts))
        except ValueError:
            continue  # damaged by hand: ignore that key
    return state


def decode_grid(grid: Iterable[Sequence[Any]]) -> dict[str, Any]:
    """sopxl's state from the state sheet's cell values, row by row (key in A, value in B)."""
    return decode_rows((row[0] if row else None, row[1] if len(row) > 1 else None) for row in grid)


def state_sheet_xml(rows: list[tuple[str, str | int]]) -> bytes:
    out = [
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n',
        f'<worksheet xmlns="{NS_MAIN}"><sheetPr><tabColor rgb="FF7F7F7F"/></sheetPr>',
        f'<dimension ref="A1:B{len(rows)}"/>',
        '<cols><col min="1" max="1" width="14" customWidth="1"/>'
        '<col min="2" max="2" width="80" customWidth="1"/></cols><sheetData>',
    ]
    for i, (key, value) in enumerate(rows, start=1):
        out.append(f'<row r="{i}"><c r="A{i}" t="inlineStr"><is><t>{escape(key)}</t></is></c>')
        if isinstance(value, int):
            out.append(f'<c r="B{i}"><v>{value}</v></c></row>')
        else:
            out.append(f'<c r="B{i}" t="inlineStr"><is><t xml:space="preserve">{escape(value)}</t></is></c></row>')
    out.append('</sheetData><pageMargins left="0.7" right="0.7" top="0.75" bottom="0.75" header="0.3" footer="0.3"/></worksheet>')
    return "".join(out).encode("utf-8")


REPORTS_KEY = "reports"  # consolidation's key: {periode: record of the report it wrote}


def read_state(pkg: WorkbookPackage) -> dict[str, Any]:
    """sopxl's whole state from an open package (empty when the sheet is absent)."""
    if pkg.find_sheet(spec.SHEET_STATE) is None:
        return {}
    values = pkg.read_values(spec.SHEET_STATE)
    rows: dict[int, list[Any]] = {}
    for (r, c), v in values.items():
        if c in (1, 2):
            rows.setdefault(r, [None, None])[c - 1] = v
    return decode_rows([(k, v) for _, (k, v) in sorted(rows.items())])


def write_state(pkg: WorkbookPackage, state: Mapping[str, Any]) -> None:
    """Replace sopxl's whole state: read_state(), change your own keys, write it back."""
    pkg.put_sheet(spec.SHEET_STATE, state_sheet_xml(encode_rows(state)), state="veryHidden")


def load_state(data: WorkbookData) -> dict[str, Any]:
    """sopxl's state from the already-read state sheet grid (empty when absent)."""
    actual = data.sheet(spec.SHEET_STATE)
    grid = data.grids.get(actual) if actual else None
    return decode_grid(grid) if grid else {}


def stored_report(data: WorkbookData, periode: str) -> dict[str, Any] | None:
    """Consolidation's record of the report sheet of `periode`, if the state holds one."""
    entry = load_state(data).get(REPORTS_KEY, {})
    if isinstance(entry, dict):
        found = entry.get(periode)
        return found if isinstance(found, dict) else None
    return None
