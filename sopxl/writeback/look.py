"""How sopxl's marks look, for every writer of them: the CLI's package edit, the Excel button
and the LibreOffice macro (which receives these through `sopxl validate --format tanda`).

A cell with an error gets Excel's "Bad" fill, a cell with only warnings the "Neutral" fill,
and a note starting with NOTE_PREFIX; each writer recognises its own and the others' marks by
these values, so they exist only here.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping

from sopxl.core import spec
from sopxl.core.findings import SEVERITY_LABEL, Finding
from sopxl.ooxml.notes import NOTE_PREFIX

# ARGB as OOXML stores fills; the fonts of the same Excel cell styles go with them in the
# Catatan Koreksi rows.
ERROR_FILL = "FFFFC7CE"  # Excel's "Bad" (font 9C0006)
WARNING_FILL = "FFFFEB9C"  # Excel's "Neutral" (font 9C5700)
DONE_FILL = "FFC6EFCE"  # Excel's "Good" (font 006100): findings fixed since the last run
FILLS: Mapping[str, str] = {"error": ERROR_FILL, "warning": WARNING_FILL}
FONTS: Mapping[str, str] = {"error": "FF9C0006", "warning": "FF9C5700", "done": "FF006100"}

CATATAN_HEADER: tuple[str, ...] = (
    "No",
    "Tingkat",
    "Lembar",
    "Sel",
    "Kode RO",
    "Aturan",
    "Pesan",
    "Saran Perbaikan",
    "Status",
)
# The buttons write into an open workbook without sopxl's state sheet: their Catatan Koreksi
# also holds a link formula and, in a hidden last column, each marked cell's original fill,
# which the next run restores.
LINK_COLUMN = "Tautan"
ORIGINAL_FILL_COLUMN = "Warna Asli"
BUTTON_CATATAN_HEADER: tuple[str, ...] = (*CATATAN_HEADER, LINK_COLUMN, ORIGINAL_FILL_COLUMN)


def hex_color(argb: str) -> str:
    """'#RRGGBB' of an ARGB fill (the form xlwings and the macro use)."""
    return "#" + argb[-6:].upper()


def fill_hex(severity: str) -> str:
    return hex_color(FILLS[severity])


def fill_rgb(severity: str) -> tuple[int, int, int]:
    value = int(FILLS[severity][-6:], 16)
    return (value >> 16, (value >> 8) & 0xFF, value & 0xFF)


def worst(findings: Iterable[Finding]) -> str:
    """The severity a cell is marked with: an error wins over warnings."""
    return "error" if any(f.severity == "error" for f in findings) else "warning"


def note_text(findings: list[Finding]) -> str:
    """The text of sopxl's note on one cell (always starts with NOTE_PREFIX)."""
    parts = []
    for f in findings:
        text = f"{SEVERITY_LABEL.get(f.severity, f.severity)} ({f.rule}): {f.message}"
        if f.suggestion:
            text += f"\nPerbaikan: {f.suggestion}"
        parts.append(text)
    if len(parts) == 1:
        return f"{NOTE_PREFIX} {parts[0]}"
    body = "\n".join(f"{i}. {p}" for i, p in enumerate(parts, start=1))
    return f"{NOTE_PREFIX} {len(parts)} temuan pada sel ini\n{body}"


def is_our_note(text: object) -> bool:
    return isinstance(text, str) and text.startswith(NOTE_PREFIX)


def cell_findings(
    findings: Iterable[Finding],
    sheet_names: Iterable[str],
    coords: dict[str, tuple[int, int]] | None = None,
) -> dict[str, dict[str, list[Finding]]]:
    """The findings to mark, per sheet (its name as in the workbook) and canonical cell.

    Findings on a sheet the workbook lacks, on sopxl's own sheets, or at no single cell are
    listed in Catatan Koreksi only. `coords`, when given, receives each cell's (row, col), so
    that a caller with many cells parses each reference once.
    """
    actual = {spec.norm(name): name for name in sheet_names}
    for own in (spec.SHEET_CATATAN, spec.SHEET_STATE):
        actual.pop(spec.norm(own), None)
    # the sheet names of the findings repeat: each is matched once
    sheet_of: dict[str, str | None] = {}
    per_cell: dict[str, dict[str, list[Finding]]] = defaultdict(lambda: defaultdict(list))
    for f in findings:
        if f.sheet in sheet_of:
            name = sheet_of[f.sheet]
        else:
            name = sheet_of[f.sheet] = actual.get(spec.norm(f.sheet))
        if name is None:
            continue
        try:
            row, col = spec.parse_ref(f.cell)
        except ValueError:
            continue
        ref = spec.cell_ref(row, col)
        if coords is not None:
            coords[ref] = (row, col)
        per_cell[name][ref].append(f)
    return per_cell


__all__ = [
    "BUTTON_CATATAN_HEADER",
    "CATATAN_HEADER",
    "DONE_FILL",
    "ERROR_FILL",
    "FILLS",
    "FONTS",
    "LINK_COLUMN",
    "NOTE_PREFIX",
    "ORIGINAL_FILL_COLUMN",
    "WARNING_FILL",
    "cell_findings",
    "fill_hex",
    "fill_rgb",
    "hex_color",
    "is_our_note",
    "note_text",
    "worst",
]
