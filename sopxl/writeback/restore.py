"""What sopxl remembers of the cells it marked, and the one way a mark is taken off again.

A mark only changes a cell's fill, yet Excel and LibreOffice renumber the whole table of cell
formats (cellXfs) when they save, so a style index recorded before the save names another
format after it. What is remembered is therefore the ORIGINAL LOOK of the cell (fill, font,
number format, border, alignment, protection: sopxl.ooxml.styles.Look), which means the same
in any renumbered table.

When is a cell still sopxl's mark? When sopxl's state (or a button's Catatan Koreksi, see
below) lists it AND its current fill is one of sopxl's mark fills (sopxl.writeback.look.FILLS):
that is the only way it can be recognised without a style index. Then it gets exactly its
remembered look back (Styles.xf_for_look finds or adds that format). A cell whose fill is no
longer a mark fill was restyled or un-marked by hand: its format is left as the user left it
(only sopxl's note goes once its finding is gone).

Records of the state's first format ([original s, marked s, created, note, original fill XML])
hold style indexes. The original index is trusted only when the table as it is now agrees
with the record: the cell still has the marked index, and the format the original index
names is the cell's current one with exactly the recorded fill (so it IS the original look,
whatever happened to the numbering). After a renumbering the original index usually names
another cell's format (often one differing only in its fill: a grey formula cell next to a
light blue one): then the cell keeps its current format with the recorded fill put back.

When sopxl's state was damaged (sopxl.read.state.check_state left records out), a cell that
shows one of sopxl's mark fills AND holds a note of sopxl's (NOTE_PREFIX) is taken for one of
its marks too (`KnownMarks.add_from_sheets`): its original look is unknown, so it gets its
current format without a fill back, like a button's mark of a cell that had none. A record whose
remembered look was damaged is treated the same way.

The state names sheets as they were when it was written; a sheet renamed since in a way that
still matches (sopxl.core.spec.norm: case, white space) keeps its marks.

The buttons (Excel, LibreOffice) keep no state: a Catatan Koreksi a button wrote lists its
marks with each cell's original fill (the only thing a button's mark changed). When the CLI
finds such a list, those cells count as sopxl's marks too; a cell also in sopxl's state gets
the state's look, the others their current format with the listed fill.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from lxml import etree

from sopxl.core import spec
from sopxl.ooxml import WorkbookPackage
from sopxl.ooxml.names import NS_MAIN, SAFE_PARSER
from sopxl.ooxml.notes import SheetNotes
from sopxl.ooxml.styles import Look, Styles, look_key
from sopxl.read.state import LOOKS_KEY, MARKS_KEY, MARKS_VERSION, VERSION_KEY
from sopxl.writeback.catatan import Listed, grid, is_button_catatan, listed_findings
from sopxl.writeback.look import BUTTON_CATATAN_HEADER, FILLS

MARK_FILLS = frozenset(FILLS.values())
_HEX = re.compile(r"#[0-9A-Fa-f]{6}")


def fill_hex(fill_xml: str | None) -> str:
    """'#RRGGBB' of a solid fill given as XML, "" for no fill (or one a button cannot set)."""
    if not fill_xml:
        return ""
    try:
        fill = etree.fromstring(fill_xml.encode("utf-8"), SAFE_PARSER)
    except etree.XMLSyntaxError:
        return ""
    pattern = fill.find(f"{{{NS_MAIN}}}patternFill")
    if pattern is None or pattern.get("patternType") != "solid":
        return ""
    fg = pattern.find(f"{{{NS_MAIN}}}fgColor")
    rgb = fg.get("rgb") if fg is not None else None
    return "#" + rgb[-6:].upper() if rgb and len(rgb) >= 6 else ""


@dataclass
class KnownMark:
    """One cell sopxl (or a button) marked, and what it needs to give the cell back."""

    look: Look | None = None  # the original look (the state's format 2)
    plain: bool = False  # the cell had no format of its own (no s=): the workbook's default
    legacy: list[Any] | None = None  # a record of the state's first format
    fill: str | None = None  # the original fill a button listed: "#RRGGBB", "" for none
    created: bool = False  # the cell did not exist before its mark
    note: bool = True  # the mark added a note (only sopxl's notes are ever removed)

    def restore(self, styles: Styles, current: int | None) -> tuple[bool, int | None]:
        """(True, the format to give back: None for no s=) for a cell whose format is
        `current`, or (False, None) to leave it as it is (it no longer shows a mark, or nothing
        is known to put back)."""
        if styles.fill_rgb(current) not in MARK_FILLS:
            return False, None
        if self.plain:
            return True, None
        if self.look is not None:
            return True, styles.xf_for_look(self.look)
        if self.legacy is not None:
            original, marked = self.legacy[0], self.legacy[1]
            fill = self.legacy[4] if len(self.legacy) > 4 and isinstance(self.legacy[4], str) else None
            if (
                current == marked
                and (original is None or isinstance(original, int))
                and _same_but_fill(styles.look(original), styles.look(current))
                and (len(self.legacy) <= 4 or styles.fill_xml(original) == fill)
            ):
                return True, original
            if len(self.legacy) > 4:
                return True, styles.with_fill_xml(current, fill)
            return False, None
        if self.fill is not None:
            if self.fill:
                return True, styles.with_fill(current, "FF" + self.fill[1:].upper())
            return True, styles.with_fill_xml(current, None)
        return False, None

    def shows(self, styles: Styles, current: int | None) -> bool:
        """Whether a cell whose format is `current` still shows the mark."""
        return styles.fill_rgb(current) in MARK_FILLS

    def look_number(self, styles: Styles, current: int | None, table: LookTable) -> int | None:
        """The number in `table` of the cell's original look (for a cell that still shows the
        mark and stays marked: its record moves on to the next run)."""
        if self.plain:
            return None
        if self.look is not None:
            return table.add(self.look)
        restore, original = self.restore(styles, current)
        return table.number(styles, original if restore else current)

    def original_fill(self) -> str | None:
        """The original fill as a button sets it ('#RRGGBB', "" for none), None if unknown."""
        if self.plain:
            return ""
        if self.look is not None:
            return fill_hex(self.look.get("fill"))
        if self.legacy is not None and len(self.legacy) > 4:
            fill = self.legacy[4]
            return fill_hex(fill if isinstance(fill, str) else None)
        return self.fill


_APPLY_FILL = re.compile(r'\sapplyFill="[^"]*"')


def _same_but_fill(a: Look, b: Look) -> bool:
    """Whether two looks differ at most in their fill (a mark changes nothing else)."""
    return all(a.get(k) == b.get(k) for k in ("fmt", "font", "border", "style")) and _APPLY_FILL.sub(
        "", str(a.get("xf"))
    ) == _APPLY_FILL.sub("", str(b.get("xf")))


class KnownMarks:
    """Every marked cell sopxl knows of, by sheet (named as in the workbook) and cell."""

    def __init__(self) -> None:
        self.by_sheet: dict[str, dict[str, KnownMark]] = {}

    @classmethod
    def from_state(cls, state: Mapping[str, Any], sheet_names: Iterable[str] | None = None) -> KnownMarks:
        """The marks sopxl's (checked: sopxl.read.state.check_state) state records; with
        `sheet_names`, each under the workbook's sheet its name matches (spec.norm), so marks
        follow a sheet renamed in case or white space only."""
        known = cls()
        marks = state.get(MARKS_KEY)
        if not isinstance(marks, dict):
            return known
        actual = {spec.norm(name): name for name in sheet_names} if sheet_names is not None else {}
        looks = state.get(LOOKS_KEY) if state.get(VERSION_KEY) == MARKS_VERSION else None
        for sheet, records in marks.items():
            if not isinstance(records, dict):
                continue
            into = known.by_sheet.setdefault(actual.get(spec.norm(sheet), str(sheet)), {})
            for ref, rec in records.items():
                if not isinstance(rec, list) or len(rec) < 2:
                    continue
                if isinstance(looks, list):
                    n = rec[0]
                    look = looks[n] if isinstance(n, int) and 0 <= n < len(looks) else None
                    lost = n is not None and not isinstance(look, dict)
                    into[ref] = KnownMark(
                        look=look if isinstance(look, dict) else None,
                        plain=n is None,
                        # a damaged look: given back without the mark's fill, as a rebuilt mark
                        fill="" if lost else None,
                        created=bool(rec[1]),
                        note=bool(rec[2]) if len(rec) > 2 else True,
                    )
                else:
                    into[ref] = KnownMark(
                        legacy=rec,
                        created=bool(rec[2]) if len(rec) > 2 else False,
                        note=bool(rec[3]) if len(rec) > 3 else True,
                    )
        return known

    def add_listed(self, listed: Iterable[Listed], sheet_names: Iterable[str]) -> None:
        """Add the cells a button's Catatan Koreksi lists, with the original fill it recorded."""
        actual = {spec.norm(name): name for name in sheet_names}
        for item in listed:
            sheet = actual.get(spec.norm(item.sheet))
            if sheet is None:
                continue
            try:
                ref = spec.cell_ref(*spec.parse_ref(item.cell))
            except ValueError:
                continue
            fill = item.original_fill.upper() if _HEX.fullmatch(item.original_fill) else ""
            mark = self.by_sheet.setdefault(sheet, {}).setdefault(ref, KnownMark())
            mark.fill = fill
            mark.note = True

    def add_from_sheets(self, pkg: WorkbookPackage, sheet_names: Iterable[str]) -> int:
        """Add, as marks of unknown original look, the cells holding a note of sopxl's that
        no record names (after sopxl's state was damaged); the number added. Whether such a
        cell still shows a mark fill is what KnownMark.shows asks when it is edited."""
        added = 0
        for sheet in sheet_names:
            if spec.norm(sheet) == spec.norm(spec.SHEET_STATE):
                continue
            found = pkg.find_sheet(sheet)
            if found is None or not found.part or not pkg.has(found.part):
                continue
            into = self.by_sheet.setdefault(sheet, {})
            for ref in SheetNotes(pkg, sheet).sopxl_note_refs():
                if ref not in into:
                    into[ref] = KnownMark(fill="", note=True)
                    added += 1
        return added

    def sheets(self) -> set[str]:
        return set(self.by_sheet)

    def of_sheet(self, sheet: str) -> dict[str, KnownMark]:
        return self.by_sheet.get(sheet, {})

    def get(self, sheet: str, ref: str) -> KnownMark | None:
        by_ref = self.by_sheet.get(sheet)
        if by_ref is None:
            wanted = spec.norm(sheet)
            by_ref = next((v for k, v in self.by_sheet.items() if spec.norm(k) == wanted), None)
        return None if by_ref is None else by_ref.get(ref)


class LookTable:
    """The original looks of one write's marks, each once (the state's LOOKS_KEY)."""

    def __init__(self) -> None:
        self.looks: list[Look] = []
        self._numbers: dict[str, int] = {}
        self._by_s: dict[int, int] = {}

    def number(self, styles: Styles, s: int | None) -> int | None:
        """The number of the look of format `s` in the table (added when new); None for a
        cell without a format of its own."""
        if s is None:
            return None
        n = self._by_s.get(s)
        if n is None:
            n = self._by_s[s] = self.add(styles.look(s))
        return n

    def add(self, look: Look) -> int:
        """The number of `look` in the table (added when new)."""
        key = look_key(look)
        n = self._numbers.get(key)
        if n is None:
            n = self._numbers[key] = len(self.looks)
            self.looks.append(look)
        return n


def button_listing(pkg: WorkbookPackage) -> list[Listed] | None:
    """The previous run's findings when a button wrote the workbook's Catatan Koreksi, else None."""
    catatan = pkg.find_sheet(spec.SHEET_CATATAN)
    if catatan is None or not catatan.part:
        return None
    # A button's list has a header cell in its last column's row 1; the CLI's never has that
    # cell, so its (possibly long) list need not be read.
    last = spec.col_letter(len(BUTTON_CATATAN_HEADER)) + "1"
    if re.search(rb'<(?:\w+:)?c r="' + last.encode() + rb'"', pkg.read(catatan.part)) is None:
        return None
    rows = grid(pkg.read_values(catatan.name))
    return listed_findings(rows) if is_button_catatan(rows) else None


__all__ = [
    "LOOKS_KEY",
    "MARKS_KEY",
    "MARKS_VERSION",
    "MARK_FILLS",
    "VERSION_KEY",
    "KnownMark",
    "KnownMarks",
    "LookTable",
    "button_listing",
    "fill_hex",
]
