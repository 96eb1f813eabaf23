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
- `reports`: consolidation's record of each report sheet it wrote, {periode: {...}}.
Other parts of sopxl (consolidation) add their own keys; every writer keeps the others.

The sheet can be damaged by hand or by another program, so what is read is checked against
the shapes above (`check_state`): a key that is not JSON, or a value or record of the wrong
shape (a cell reference outside the sheet, a look whose XML does not parse, a number where a
list is expected...) is dropped, and the list of what was dropped is returned with it (Indonesian,
for messages). Nothing of the state can make a run fail: validation reports the damage as a
warning of rule STR-SHEET on this sheet (its nearest rule: a sheet of the workbook is not as
sopxl needs it), the next write records it in `riwayat` (`catatan_rusak`), and the marks whose
records were lost are recognised again from what the sheets show (sopxl's mark fill and note,
sopxl.writeback.restore) and so still taken off once fixed.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping, Sequence
from typing import TYPE_CHECKING, Any

from lxml import etree

from sopxl.core import spec
from sopxl.ooxml.names import NS_MAIN, SAFE_PARSER
from sopxl.ooxml.xmltext import escape

if TYPE_CHECKING:
    from sopxl.ooxml.editor import WorkbookPackage
    from sopxl.read.workbook import WorkbookData


VERSION = 1
CHUNK = 30_000  # characters per cell (Excel's limit is 32,767)
HEADER = ("kunci", "nilai")
REPORTS_KEY = "reports"  # consolidation's key: {periode: record of the report it wrote}


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
    """sopxl's state from the rows of its sheet, checked (`check_state`): what is damaged is
    left out."""
    return decode_rows_checked(rows)[0]


def decode_rows_checked(rows: Iterable[tuple[Any, Any]]) -> tuple[dict[str, Any], list[str]]:
    """(the checked state, what was damaged and left out) from the rows of the state sheet."""
    texts: dict[str, list[str]] = {}
    for key, value in rows:
        if key is None or str(key) in HEADER or str(key) == "versi":
            continue
        texts.setdefault(str(key), []).append("" if value is None else str(value))
    state: dict[str, Any] = {}
    damage: list[str] = []
    for key, parts in texts.items():
        try:
            state[key] = json.loads("".join(parts))
        except (ValueError, RecursionError):
            damage.append(f"kunci '{key}' bukan JSON yang utuh")
    checked, more = check_state(state)
    return checked, damage + more


def decode_grid(grid: Iterable[Sequence[Any]]) -> dict[str, Any]:
    """sopxl's state from the state sheet's cell values, row by row (key in A, value in B)."""
    return decode_grid_checked(grid)[0]


def decode_grid_checked(grid: Iterable[Sequence[Any]]) -> tuple[dict[str, Any], list[str]]:
    """decode_grid, with what was damaged and left out."""
    return decode_rows_checked((row[0] if row else None, row[1] if len(row) > 1 else None) for row in grid)


# -- the shapes of the keys validation writes ------------------------------------------------------
MARKS_KEY = "tanda"  # {sheet: {cell: [look number (None: no s=), created, note]}}
LOOKS_KEY = "tanda_tampilan"  # [Look, ...]: the original looks the records of MARKS_KEY number
VERSION_KEY = "tanda_versi"  # MARKS_VERSION; absent for the first format (style indexes)
MARKS_VERSION = 2
FINDINGS_KEY = "temuan"  # [[key, severity, sheet, cell, ro, rule, message], ...]
HISTORY_KEY = "riwayat"  # [entry, ...], newest last
MAX_ROW = 1_048_576  # Excel's sheet size
MAX_COL = 16_384
_LOOK_PARTS = {"font": "font", "fill": "fill", "border": "border"}


def canonical_ref(ref: object) -> str | None:
    """`ref` as sopxl writes cell references ("B7"), None when it is not a cell of an Excel sheet."""
    if not isinstance(ref, str):
        return None
    try:
        row, col = spec.parse_ref(ref)
    except ValueError:
        return None
    if not (1 <= row <= MAX_ROW and 1 <= col <= MAX_COL):
        return None
    return spec.cell_ref(row, col)


def _xml_is(text: object, tag: str) -> bool:
    """Whether `text` is the XML of one SpreadsheetML element `tag`."""
    if not isinstance(text, str):
        return False
    try:
        elem = etree.fromstring(text.encode("utf-8"), SAFE_PARSER)
    except (etree.XMLSyntaxError, ValueError):
        return False
    return elem.tag == f"{{{NS_MAIN}}}{tag}"


def valid_look(look: object) -> bool:
    """Whether `look` has the shape of sopxl.ooxml.styles.Look (its XML parses)."""
    if not isinstance(look, dict) or not _xml_is(look.get("xf"), "xf"):
        return False
    fmt = look.get("fmt", 0)
    if isinstance(fmt, bool) or not (isinstance(fmt, str) or (isinstance(fmt, int) and 0 <= fmt < 2**31)):
        return False
    for key, tag in _LOOK_PARTS.items():
        part = look.get(key)
        if part is not None and not _xml_is(part, tag):
            return False
    return look.get("style") is None or isinstance(look.get("style"), str)


def _index(value: object, below: int | None = None) -> bool:
    """A style or look index: an int >= 0 (and < `below`)."""
    return (
        isinstance(value, int)
        and not isinstance(value, bool)
        and value >= 0
        and (below is None or value < below)
        and value < 2**31
    )


def _flag(value: object) -> bool:
    return isinstance(value, bool) or value in (0, 1)


def _valid_record(rec: object, looks: int | None) -> bool:
    """A record of MARKS_KEY: [look number or None, created, note] (format 2, `looks` looks), or
    [original s or None, marked s, created, note, original fill XML or None] (first format)."""
    if not isinstance(rec, list) or len(rec) < 2:
        return False
    if looks is not None:
        return (
            len(rec) <= 3
            and (rec[0] is None or _index(rec[0], looks))
            and all(_flag(v) for v in rec[1:])
        )
    return (
        len(rec) <= 5
        and (rec[0] is None or _index(rec[0]))
        and (rec[1] is None or _index(rec[1]))
        and all(_flag(v) for v in rec[2:4])
        and (len(rec) < 5 or rec[4] is None or _xml_is(rec[4], "fill"))
    )


def _valid_finding(item: object) -> bool:
    return (
        isinstance(item, list)
        and len(item) >= 7
        and all(isinstance(v, str) for v in (*item[:4], *item[5:7]))
        and (item[4] is None or isinstance(item[4], str))
    )


def check_state(state: Mapping[str, Any]) -> tuple[dict[str, Any], list[str]]:
    """(state with what does not fit its shape left out, what was left out: Indonesian phrases).

    Valid values are kept as they are (the same objects); unknown keys are kept untouched.
    """
    out = dict(state)
    damage: list[str] = []

    version = out.get(VERSION_KEY)
    if VERSION_KEY in out and version != MARKS_VERSION:
        damage.append(f"kunci '{VERSION_KEY}' tidak dikenal")
        for key in (VERSION_KEY, LOOKS_KEY, MARKS_KEY):
            out.pop(key, None)

    looks: int | None = None
    if VERSION_KEY in out:
        raw_looks = out.get(LOOKS_KEY, [])
        if not isinstance(raw_looks, list):
            damage.append(f"kunci '{LOOKS_KEY}' bukan daftar")
            raw_looks = out[LOOKS_KEY] = []
        ok = [look is None or valid_look(look) for look in raw_looks]  # None: a look lost before
        if not all(ok):
            # the numbering is kept: a record naming a damaged look has lost its look only, and
            # its cell is recognised as a mark by its fill (sopxl.writeback.restore)
            damage.append(f"{ok.count(False)} tampilan asli sel tidak sah")
            raw_looks = out[LOOKS_KEY] = [look if good else None for look, good in zip(raw_looks, ok, strict=True)]
        looks = len(raw_looks)

    if MARKS_KEY in out:
        marks = out[MARKS_KEY]
        if not isinstance(marks, dict):
            damage.append(f"kunci '{MARKS_KEY}' bukan pemetaan lembar ke sel")
            out[MARKS_KEY] = {}
        else:
            dropped = 0
            checked: dict[str, Any] = {}
            for sheet, records in marks.items():
                if not isinstance(records, dict):
                    dropped += 1
                    continue
                kept: dict[str, Any] = {}
                for ref, rec in records.items():
                    canonical = canonical_ref(ref)
                    if canonical is None or not _valid_record(rec, looks):
                        dropped += 1
                        continue
                    kept[canonical] = rec
                if len(kept) == len(records) and all(k == r for k, r in zip(kept, records, strict=True)):
                    kept = records  # unchanged: the same object
                checked[sheet] = kept
            if dropped:
                damage.append(f"{dropped} catatan sel bertanda tidak sah")
                out[MARKS_KEY] = checked

    if FINDINGS_KEY in out:
        items = out[FINDINGS_KEY]
        if not isinstance(items, list):
            damage.append(f"kunci '{FINDINGS_KEY}' bukan daftar")
            out[FINDINGS_KEY] = []
        else:
            valid = [item for item in items if _valid_finding(item)]
            if len(valid) != len(items):
                damage.append(f"{len(items) - len(valid)} temuan sebelumnya tidak sah")
                out[FINDINGS_KEY] = valid

    if HISTORY_KEY in out and not isinstance(out[HISTORY_KEY], list):
        damage.append(f"kunci '{HISTORY_KEY}' bukan daftar")
        out[HISTORY_KEY] = []

    if REPORTS_KEY in out:
        reports = out[REPORTS_KEY]
        if not isinstance(reports, dict):
            damage.append(f"kunci '{REPORTS_KEY}' bukan pemetaan periode ke laporan")
            out[REPORTS_KEY] = {}
        elif not all(isinstance(v, dict) for v in reports.values()):
            damage.append(f"catatan laporan pada kunci '{REPORTS_KEY}' tidak sah")
            out[REPORTS_KEY] = {k: v for k, v in reports.items() if isinstance(v, dict)}

    return out, damage


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


def read_state(pkg: WorkbookPackage) -> dict[str, Any]:
    """sopxl's whole state from an open package (empty when the sheet is absent), checked."""
    return read_state_checked(pkg)[0]


def read_state_checked(pkg: WorkbookPackage) -> tuple[dict[str, Any], list[str]]:
    """read_state, with what was damaged and left out (`check_state`)."""
    if pkg.find_sheet(spec.SHEET_STATE) is None:
        return {}, []
    values = pkg.read_values(spec.SHEET_STATE)
    rows: dict[int, list[Any]] = {}
    for (r, c), v in values.items():
        if c in (1, 2):
            rows.setdefault(r, [None, None])[c - 1] = v
    return decode_rows_checked([(k, v) for _, (k, v) in sorted(rows.items())])


def write_state(pkg: WorkbookPackage, state: Mapping[str, Any]) -> None:
    """Replace sopxl's whole state: read_state(), change your own keys, write it back."""
    pkg.put_sheet(spec.SHEET_STATE, state_sheet_xml(encode_rows(state)), state="veryHidden")


def load_state(data: WorkbookData) -> dict[str, Any]:
    """sopxl's state from the already-read state sheet grid (empty when absent), checked.
    Decoded once per read and shared by every caller (several rules ask): read it, never
    change it; a writer reads its own with `read_state(pkg)`."""
    return load_state_checked(data)[0]


def load_state_checked(data: WorkbookData) -> tuple[dict[str, Any], list[str]]:
    """load_state, with what was damaged and left out (`check_state`)."""
    if data.decoded_state is None:
        actual = data.sheet(spec.SHEET_STATE)
        grid = data.grids.get(actual) if actual else None
        data.decoded_state = decode_grid_checked(grid) if grid else ({}, [])
    return data.decoded_state


def stored_report(data: WorkbookData, periode: str) -> dict[str, Any] | None:
    """Consolidation's record of the report sheet of `periode`, if the state holds one."""
    entry = load_state(data).get(REPORTS_KEY, {})
    if isinstance(entry, dict):
        found = entry.get(periode)
        return found if isinstance(found, dict) else None
    return None
