"""Write validation results back into the workbook (the Kasi's corrections), losing nothing.

Each cell with an error gets Excel's "Bad" fill, each with only warnings the "Neutral" fill
(the fill alone: font, border, number format and protection of the cell stay), plus a note
starting with `sopxl:`. A `Catatan Koreksi` sheet lists every finding with a link to its cell
and its status against the previous run; the `Kendali SOP` row of step 3 is updated. What
sopxl marked is remembered in its hidden state (each cell's original look, not a style index:
another program may renumber the styles), so the next run gives every fixed cell its look
back; sopxl.writeback.restore says how a mark is recognised and restored, also one a button
made. The edit is made on the zip package: see sopxl.ooxml.
"""

from __future__ import annotations

import datetime as dt
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sopxl.core import calendar, spec
from sopxl.core.config import Settings
from sopxl.core.findings import Finding, ValidationResult
from sopxl.core.gcpause import paused_gc
from sopxl.ooxml import WorkbookPackage, cells
from sopxl.ooxml.atomic import check_writable
from sopxl.ooxml.editor import structure_errors
from sopxl.ooxml.notes import SheetNotes
from sopxl.ooxml.styles import Styles
from sopxl.read.state import read_state, read_state_checked, write_state
from sopxl.writeback.catatan import (
    STATUS_BARU,
    STATUS_BELUM,
    STATUS_SELESAI,
    Entry,
    build_sheets,
    catatan_entries,
    catatan_rows,
    fill_rows,
    grid,
    kendali_step3,
    kendali_updates,
    listed_findings,
)
from sopxl.writeback.look import ERROR_FILL, FILLS, WARNING_FILL, cell_findings, note_text, worst
from sopxl.writeback.plan import plan_json, plan_marks
from sopxl.writeback.restore import (
    LOOKS_KEY,
    MARKS_KEY,
    MARKS_VERSION,
    VERSION_KEY,
    KnownMark,
    KnownMarks,
    LookTable,
    button_listing,
)

HISTORY_KEEP = 100


def finding_key(f: Finding) -> str:
    return f"{f.rule}|{f.sheet}|{f.cell}|{f.ro or ''}"


def _match_key(rule: object, sheet: object, cell: object, ro: object) -> str:
    """What makes two runs' findings the same one: finding_key with the sheet name matched
    as sheet names are (spec.norm), so a sheet renamed in case or white space keeps its
    findings' statuses."""
    return f"{rule}|{spec.norm(str(sheet))}|{cell}|{ro or ''}"


@dataclass
class MarkOutcome:
    """What one write did (for tests, benchmarks and messages)."""

    path: Path
    marked: int = 0
    notes: int = 0
    statuses: dict[str, int] = field(default_factory=dict)


def apply_marks(
    path: Path | str,
    result: ValidationResult,
    settings: Settings | None = None,
    output: Path | str | None = None,
) -> MarkOutcome:
    """Mark `result` into the workbook at `path` (or into a copy at `output`): fills, notes,
    Catatan Koreksi, the Kendali SOP step-3 row and sopxl's state.

    Only the path is needed: a caller holding the read workbook should release its tables
    first (WorkbookData.release_tables), so that the write reuses their memory instead of
    adding to it.
    """
    source = Path(path)
    settings = settings or Settings()
    dest = Path(output) if output else source
    check_writable(dest)
    # The write creates many short-lived objects and none that form cycles: the cyclic
    # collector would only walk them again and again (benchmarks/bench_write.py).
    with structure_errors(f"Tanda koreksi tidak dapat ditulis ke '{source.name}'"), paused_gc():
        pkg = WorkbookPackage.open(source)
        outcome = _mark(pkg, result, settings)
        if output is None:
            outcome.path = pkg.save(backup=True)
        else:
            outcome.path = pkg.save(dest, backup=False)
    return outcome


def mark_plan(path: Path | str, result: ValidationResult, settings: Settings | None = None) -> dict[str, Any]:
    """What `sopxl validate --format tanda` prints: the JSON result plus, under "plan", how to
    mark it into the open document the workbook at `path` was exported from (see
    sopxl.writeback.plan; the LibreOffice macro applies it)."""
    source = Path(path)
    with structure_errors(f"Tanda koreksi untuk '{source.name}' tidak dapat disusun"):
        pkg = WorkbookPackage.open(source)
        catatan = pkg.find_sheet(spec.SHEET_CATATAN)
        listed = listed_findings(grid(pkg.read_values(catatan.name))) if catatan is not None else []
        known = KnownMarks.from_state(read_state(pkg), pkg.sheet_names())
        plan = plan_marks(result, listed, pkg.sheet_names(), calendar.today(settings), known)
        sheet = pkg.find_sheet(spec.SHEET_KENDALI)
        kendali = None
        if sheet is not None:
            kendali = (sheet.name, kendali_updates(grid(pkg.read_values(sheet.name)), plan.step3))
    return {**result.to_json_dict(), "plan": plan_json(plan, kendali)}


def _mark(pkg: WorkbookPackage, result: ValidationResult, settings: Settings) -> MarkOutcome:
    state, damage = read_state_checked(pkg)
    styles = pkg.styles()
    names = pkg.sheet_names()
    known = KnownMarks.from_state(state, names)
    if damage:
        # records were lost: sopxl's marks are also recognised by what the sheets show
        known.add_from_sheets(pkg, names)
    button = button_listing(pkg)
    if button is not None:
        known.add_listed(button, names)

    state_sheet = spec.norm(spec.SHEET_STATE)
    # the state sheet is rewritten below and very hidden: nothing is marked or linked there
    sheets = {name for name in names if spec.norm(name) != state_sheet}
    existing = {spec.norm(name) for name in sheets}
    coords: dict[str, tuple[int, int]] = {}  # canonical ref -> (row, col), parsed once
    per_cell = cell_findings(result.findings, names, coords)

    remembered = LookTable()
    new_marks: dict[str, dict[str, list[Any]]] = {}
    outcome = MarkOutcome(pkg.path)
    for sheet in sorted(known.sheets() | set(per_cell)):
        if sheet not in sheets:
            continue
        old = known.of_sheet(sheet)
        now = per_cell.get(sheet, {})
        notes = SheetNotes(pkg, sheet)
        notes.remove({ref for ref, mark in old.items() if mark.note})
        existing_notes = notes.note_ref_set() | notes.threaded
        prefix = cells.prefix_of(pkg.read(pkg.sheet_part(sheet))[:4096])
        record: dict[str, list[Any]] = {}
        edits: dict[tuple[int, int], cells.CellEdit] = {}
        drop_rows: set[int] = set()
        targets: list[tuple[int, int, str]] = []
        for ref in set(old) | set(now):
            at = coords.get(ref)
            if at is not None:
                targets.append((*at, ref))
                continue
            try:
                targets.append((*spec.parse_ref(ref), ref))
            except ValueError:
                continue
        for row, col, ref in sorted(targets):
            mark = old.get(ref)
            if mark is not None and mark.created:
                drop_rows.add(row)
            found = now.get(ref)
            rgb = None
            if found:
                rgb = FILLS[worst(found)]
                note = ref not in existing_notes
                if note:
                    notes.add(ref, note_text(found))
                    outcome.notes += 1
                outcome.marked += 1
            else:
                note = False
            edits[(row, col)] = _cell_edit(ref, mark, rgb, note, record, styles, remembered, prefix)
        pkg.edit_cells(sheet, edits, drop_rows)
        notes.finish()
        if record:
            new_marks[sheet] = record

    # statuses against the previous run, as sopxl's state remembers it
    previous = state.get("temuan") or []
    if button is not None:
        # a button marked the workbook after sopxl's last write: its list is the previous run
        previous = [
            [item.key(), item.severity, item.sheet, item.cell, item.ro, item.rule, item.message]
            for item in button
            if item.status != STATUS_SELESAI
        ]
    previous = [item for item in previous if isinstance(item, list) and len(item) >= 7]
    prev_keys = {_match_key(item[5], item[2], item[3], item[4]) for item in previous}
    current_keys = {_match_key(f.rule, f.sheet, f.cell, f.ro) for f in result.findings}

    def has_sheet(name: object) -> bool:
        return spec.norm(str(name)) in existing

    fixed: list[Entry] = []
    for item in previous:
        if _match_key(item[5], item[2], item[3], item[4]) in current_keys:
            continue
        _, sev, sheet, cell, ro, rule, message = item[:7]
        fixed.append(Entry(sev, sheet, cell, ro, rule, message, None, STATUS_SELESAI, has_sheet(sheet)))
    entries = catatan_entries(
        result.findings, lambda f: _match_key(f.rule, f.sheet, f.cell, f.ro) in prev_keys, has_sheet, fixed
    )
    outcome.statuses = {
        s: sum(1 for e in entries if e.status == s) for s in (STATUS_BARU, STATUS_BELUM, STATUS_SELESAI)
    }
    rows = catatan_rows(entries)
    del entries

    today = calendar.today(settings)
    step3 = kendali_step3(today, result.errors, result.warnings, len(fixed))
    # A fixed "today" (tests, replays) gives a fixed time too, so the output is reproducible.
    clock = dt.time() if settings.today else dt.datetime.now().time().replace(microsecond=0)
    now_time = dt.datetime.combine(today, clock)
    kendali = pkg.find_sheet(spec.SHEET_KENDALI)
    with tempfile.TemporaryDirectory(prefix="sopxl-catatan-") as tmp:
        built = Path(tmp) / "catatan.xlsx"
        # a Kendali SOP made anew has no earlier check to count fixed findings against
        new_kendali = kendali_step3(today, result.errors, result.warnings, 0) if kendali is None else None
        build_sheets(built, rows, pkg.path.name, now_time, kendali=new_kendali)
        pkg.replace_sheet_from_xlsx(spec.SHEET_CATATAN, built, spec.SHEET_CATATAN)
        fill_rows(pkg, rows)
        if kendali is None:
            pkg.replace_sheet_from_xlsx(spec.SHEET_KENDALI, built, spec.SHEET_KENDALI, after=spec.SHEET_CATATAN)
    del rows
    if kendali is not None:
        _update_kendali(pkg, kendali.name, step3)

    state[MARKS_KEY] = new_marks
    state[LOOKS_KEY] = remembered.looks
    state[VERSION_KEY] = MARKS_VERSION
    state["temuan"] = [
        [finding_key(f), f.severity, f.sheet, f.cell, f.ro, f.rule, f.message] for f in result.findings
    ]
    history = list(state.get("riwayat") or [])
    history.append(
        {
            "waktu": now_time.isoformat(),
            "langkah": 3,
            "kesalahan": result.errors,
            "peringatan": result.warnings,
            "baru": outcome.statuses[STATUS_BARU],
            "belum_diperbaiki": outcome.statuses[STATUS_BELUM],
            "selesai": outcome.statuses[STATUS_SELESAI],
            **({"catatan_rusak": damage} if damage else {}),
        }
    )
    state["riwayat"] = history[-HISTORY_KEEP:]
    write_state(pkg, state)
    return outcome


def _cell_edit(
    ref: str,
    mark: KnownMark | None,
    rgb: str | None,
    note: bool,
    record: dict[str, list[Any]],
    styles: Styles,
    remembered: LookTable,
    prefix: bytes,
) -> cells.CellEdit:
    """Give the cell its look back if it still shows sopxl's previous mark, then mark it anew."""

    def edit(elem: bytes | None) -> bytes | None:
        if mark is not None and elem is not None and mark.shows(styles, current := cells.get_style(elem)):
            if rgb is not None:
                # still wrong: the cell keeps its format (the mark), only the severity may change,
                # so a run without changes changes nothing; the original look is carried on
                created = mark.created and not cells.has_content(elem)
                record[ref] = [mark.look_number(styles, current, remembered), 1 if created else 0, 1 if note else 0]
                return cells.with_style(elem, current if styles.fill_rgb(current) == rgb else styles.with_fill(current, rgb))
            restore, restored = mark.restore(styles, current)
            if restore:
                if mark.created and not cells.has_content(elem):
                    elem = None
                else:
                    elem = cells.with_style(elem, restored)
        if rgb is None:
            return elem
        original_s = cells.get_style(elem)
        new_s = styles.with_fill(original_s, rgb)
        record[ref] = [remembered.number(styles, original_s), 1 if elem is None else 0, 1 if note else 0]
        if elem is None:
            return cells.empty_cell(ref, new_s, prefix)
        return cells.with_style(elem, new_s)

    return edit


def _update_kendali(pkg: WorkbookPackage, sheet: str, step3: dict[str, Any]) -> None:
    """Write the step-3 values into the sheet's row whose `Langkah` is 3, unless it holds them."""
    values = pkg.read_values(sheet)
    updates = kendali_updates(grid(values), step3)
    if any(_differs(values.get(spec.parse_ref(ref)), v) for ref, v in updates.items()):
        pkg.set_cell_values(sheet, updates)


def _differs(old: Any, new: Any) -> bool:
    if isinstance(new, dt.date):
        return not isinstance(old, float) or int(old) != int(cells.excel_serial(new))
    return old != new


__all__ = ["ERROR_FILL", "WARNING_FILL", "MarkOutcome", "apply_marks", "finding_key", "mark_plan", "note_text"]
