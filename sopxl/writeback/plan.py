"""The marks of one validation for a writer that edits an OPEN workbook: the Excel button
(xlwings) and the LibreOffice macro (UNO, through `sopxl validate --format tanda`).

Such a writer keeps no state of its own: the previous run's marks are those the Catatan
Koreksi lists (a button's list holds each cell's original fill in a hidden column) and those
sopxl's state lists when the CLI marked the workbook last (sopxl.writeback.restore). The
plan says which cells to restore and to what look, which cells to fill and annotate, the
Catatan Koreksi rows and the values of SOP step 3; the writer only applies it. A button's
mark changes the fill alone, so the look it restores is the original fill; it restores it
only where the cell still shows one of the plan's mark fills (as the CLI does).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from typing import Any

from sopxl.core import spec
from sopxl.core.findings import Finding, ValidationResult
from sopxl.ooxml.cells import excel_serial
from sopxl.ooxml.styles import DATE_FORMAT
from sopxl.writeback.catatan import (
    CatatanRow,
    Listed,
    catatan_entries,
    catatan_rows,
    kendali_step3,
)
from sopxl.writeback.look import (
    BUTTON_CATATAN_HEADER,
    FILLS,
    LINK_COLUMN,
    NOTE_PREFIX,
    ORIGINAL_FILL_COLUMN,
    cell_findings,
    hex_color,
    note_text,
    worst,
)
from sopxl.writeback.restore import KnownMarks


@dataclass(frozen=True)
class CellMark:
    """One cell to mark: its sheet (named as in the workbook), canonical reference, the worst
    severity of its findings and the note listing them all."""

    sheet: str
    cell: str
    severity: str
    note: str


@dataclass
class MarkPlan:
    clear: list[Listed]  # the previous run's cells (original_fill: their look to restore); drop the note if still sopxl's
    cells: list[CellMark]
    rows: list[CatatanRow]
    row_marks: list[int | None]  # per row: the index in `cells` of its cell (for its original fill)
    step3: dict[str, Any]  # Kendali SOP step 3, by column header


def _cell_key(f: Finding) -> tuple[str, str, str]:
    return (f.sheet, f.cell.replace("$", "").upper(), f.rule)


def plan_marks(
    result: ValidationResult,
    listed: Sequence[Listed],
    sheet_names: Iterable[str],
    today: dt.date,
    known: KnownMarks | None = None,
) -> MarkPlan:
    """The plan of marking `result` into an open workbook with sheets `sheet_names` whose
    Catatan Koreksi lists `listed` and sopxl's state `known` marks (KnownMarks.from_state)."""
    names = list(sheet_names)
    marks: list[CellMark] = []
    index: dict[tuple[str, str], int] = {}
    for sheet, by_ref in cell_findings(result.findings, names).items():
        for ref, found in by_ref.items():
            index[(sheet, ref)] = len(marks)
            marks.append(CellMark(sheet, ref, worst(found), note_text(found)))
    actual = {spec.norm(name): name for name in names}
    previous = {(item.sheet, item.cell, item.rule) for item in listed}
    entries = catatan_entries(
        result.findings, lambda f: _cell_key(f) in previous, lambda sheet: spec.norm(sheet) in actual
    )
    row_marks: list[int | None] = []
    for e in entries:
        try:
            ref = spec.cell_ref(*spec.parse_ref(e.cell))
        except ValueError:
            row_marks.append(None)
            continue
        row_marks.append(index.get((actual.get(spec.norm(e.sheet), ""), ref)))
    fixed = len(previous - {_cell_key(f) for f in result.findings})
    return MarkPlan(
        clear=_clear_list(listed, known, actual),
        cells=marks,
        rows=catatan_rows(entries),
        row_marks=row_marks,
        step3=kendali_step3(today, result.errors, result.warnings, fixed),
    )


def _clear_list(listed: Sequence[Listed], known: KnownMarks | None, actual: dict[str, str]) -> list[Listed]:
    """The cells to restore: those listed, then those only sopxl's state knows; each with the
    original fill the state remembers (a cell the state knows was marked by the CLI last)."""
    if known is None:
        return list(listed)
    clear: list[Listed] = []
    seen: set[tuple[str, str]] = set()
    for item in listed:
        sheet = actual.get(spec.norm(item.sheet), item.sheet)
        mark = known.get(sheet, item.cell)
        fill = mark.original_fill() if mark is not None else None
        clear.append(item if fill is None else replace(item, original_fill=fill))
        seen.add((spec.norm(sheet), item.cell))
    for sheet, by_ref in known.by_sheet.items():
        if spec.norm(sheet) not in actual:
            continue
        for ref, mark in by_ref.items():
            if (spec.norm(sheet), ref) not in seen:
                clear.append(Listed(sheet, ref, "", mark.original_fill() or ""))
    return clear


def kendali_json(sheet: str, updates: dict[str, Any]) -> dict[str, Any]:
    """Values for a row of Kendali SOP as the LibreOffice macro writes them (`update_kendali`):
    the sheet, the date format, and each cell with its value (a date also as its serial)."""

    def json_value(value: Any) -> dict[str, Any]:
        if isinstance(value, dt.date):
            return {"value": excel_serial(value), "date": value.isoformat()}
        return {"value": value}

    return {
        "sheet": sheet,
        "date_format": DATE_FORMAT,
        "cells": [{"cell": ref, **json_value(value)} for ref, value in updates.items()],
    }


def plan_json(plan: MarkPlan, kendali: tuple[str, dict[str, Any]] | None) -> dict[str, Any]:
    """The plan as JSON for the LibreOffice macro. `kendali`: the Kendali SOP sheet's name and
    the cells of its step-3 row with their values (kendali_updates), None without that sheet."""
    return {
        "fills": {severity: hex_color(argb) for severity, argb in FILLS.items()},
        "note_prefix": NOTE_PREFIX,
        "clear": [
            {"sheet": c.sheet, "cell": c.cell, "fill": c.original_fill, "look": {"fill": c.original_fill}}
            for c in plan.clear
        ],
        "cells": [
            {"sheet": m.sheet, "cell": m.cell, "severity": m.severity, "fill": hex_color(FILLS[m.severity]), "note": m.note}
            for m in plan.cells
        ],
        "catatan": {
            "sheet": spec.SHEET_CATATAN,
            "header": list(BUTTON_CATATAN_HEADER),
            "link_column": BUTTON_CATATAN_HEADER.index(LINK_COLUMN),
            "original_fill_column": BUTTON_CATATAN_HEADER.index(ORIGINAL_FILL_COLUMN),
            "rows": [
                {"values": list(row.values), "sheet": row.sheet, "link": row.link, "mark": mark}
                for row, mark in zip(plan.rows, plan.row_marks, strict=True)
            ],
        },
        "kendali": None if kendali is None else kendali_json(*kendali),
    }


__all__ = ["CellMark", "MarkPlan", "kendali_json", "plan_json", "plan_marks"]
