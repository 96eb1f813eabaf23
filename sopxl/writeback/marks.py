"""Write validation results back into the workbook (the Kasi's corrections), losing nothing.

Each cell with an error gets Excel's "Bad" fill, each with only warnings the "Neutral" fill
(the fill alone: font, border, number format and protection of the cell stay), plus a note
starting with `sopxl:`. A `Catatan Koreksi` sheet lists every finding with a link to its cell
and its status against the previous run; the `Kendali SOP` row of step 3 is updated. What
sopxl marked is remembered in its hidden state, so the next run first restores every cell
exactly as it was. The edit is made on the zip package: see sopxl.ooxml.
"""

from __future__ import annotations

import datetime as dt
import tempfile
import zipfile
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from lxml import etree

from sopxl.core import calendar, spec
from sopxl.core.config import Settings
from sopxl.core.errors import SopxlError, UnreadableWorkbook
from sopxl.core.findings import SEVERITY_LABEL, Finding, ValidationResult
from sopxl.core.gcpause import paused_gc
from sopxl.ooxml import WorkbookPackage, cells
from sopxl.ooxml.atomic import check_writable
from sopxl.ooxml.notes import NOTE_PREFIX, SheetNotes
from sopxl.read.state import read_state, write_state
from sopxl.read.workbook import WorkbookData
from sopxl.writeback.catatan import (
    STATUS_BARU,
    STATUS_BELUM,
    STATUS_SELESAI,
    Entry,
    build_sheets,
    catatan_kendali,
    fill_rows,
    status_kendali,
)

ERROR_FILL = "FFFFC7CE"  # Excel's "Bad" (font 9C0006)
WARNING_FILL = "FFFFEB9C"  # Excel's "Neutral" (font 9C5700)
HISTORY_KEEP = 100


def finding_key(f: Finding) -> str:
    return f"{f.rule}|{f.sheet}|{f.cell}|{f.ro or ''}"


def note_text(findings: list[Finding]) -> str:
    """The text of sopxl's note on one cell (always starts with 'sopxl:')."""
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


@dataclass
class MarkOutcome:
    """What one write did (for tests, benchmarks and messages)."""

    path: Path
    marked: int = 0
    notes: int = 0
    statuses: dict[str, int] = field(default_factory=dict)


def write_marks(
    data: WorkbookData,
    result: ValidationResult,
    settings: Settings,
    output: Path | str | None = None,
) -> Path:
    """Mark `result` into the workbook `data.path` (or a copy at `output`); returns the path.

    The write needs only the path of `data`: its data tables are released first
    (WorkbookData.release_tables), so that on a large workbook the write reuses their memory
    instead of adding to it (12 months x 20,000 ROs, 1 % of cells flagged: peak 622 -> 555 MB).
    """
    data.release_tables()
    return apply_marks(Path(data.path), result, settings, output).path


def apply_marks(
    source: Path,
    result: ValidationResult,
    settings: Settings | None = None,
    output: Path | str | None = None,
) -> MarkOutcome:
    settings = settings or Settings.model_validate({})
    dest = Path(output) if output else source
    check_writable(dest)
    try:
        # The write creates many short-lived objects beside the findings: the cyclic
        # collector walking them all again and again cost 0.5-1.5 s of a 3 s write on 12 x
        # 20,000 ROs with 31,000 marked cells (benchmarks/bench_write.py); nothing here
        # forms cycles that must go before the write ends.
        with paused_gc():
            pkg = WorkbookPackage.open(source)
            outcome = _mark(pkg, result, settings)
            if output is None:
                outcome.path = pkg.save(backup=True)
            else:
                outcome.path = pkg.save(dest, backup=False)
    except SopxlError:
        raise
    except (zipfile.BadZipFile, KeyError, ValueError, etree.XMLSyntaxError, IndexError) as exc:
        raise UnreadableWorkbook(
            f"Tanda koreksi tidak dapat ditulis ke '{source.name}': struktur buku kerja tidak "
            f"dikenali ({type(exc).__name__}: {exc}). Berkas tidak diubah."
        ) from None
    return outcome


def _mark(pkg: WorkbookPackage, result: ValidationResult, settings: Settings) -> MarkOutcome:
    state = read_state(pkg)
    previous_marks: dict[str, dict[str, list[Any]]] = state.get("tanda") or {}
    styles = pkg.styles()

    # findings per cell, on sheets that exist in the package
    actual = {spec.norm(sp.name): sp.name for sp in pkg.sheets()}
    # the sheet names of the findings repeat: each is matched once
    sheet_of: dict[str, str | None] = {}
    per_cell: dict[str, dict[str, list[Finding]]] = defaultdict(lambda: defaultdict(list))
    coords: dict[str, tuple[int, int]] = {}  # canonical ref -> (row, col), parsed once
    for f in result.findings:
        if f.sheet in sheet_of:
            name = sheet_of[f.sheet]
        else:
            name = sheet_of[f.sheet] = actual.get(spec.norm(f.sheet))
        if name is None or name in (spec.SHEET_CATATAN, spec.SHEET_STATE):
            continue
        try:
            row, col = spec.parse_ref(f.cell)
        except ValueError:
            continue
        ref = spec.cell_ref(row, col)
        coords[ref] = (row, col)
        per_cell[name][ref].append(f)

    new_marks: dict[str, dict[str, list[Any]]] = {}
    outcome = MarkOutcome(pkg.path)
    sheets = set(actual.values())
    for sheet in sorted(set(previous_marks) | set(per_cell)):
        if sheet not in sheets:
            continue
        old = previous_marks.get(sheet, {})
        now = per_cell.get(sheet, {})
        notes = SheetNotes(pkg, sheet)
        notes.remove({ref for ref, rec in old.items() if len(rec) > 3 and rec[3]})
        existing_notes = notes.note_ref_set() | notes.threaded
        prefix = cells.prefix_of(pkg.read(pkg.sheet_part(sheet))[:4096])
        record: dict[str, list[Any]] = {}
        edits: dict[tuple[int, int], cells.CellEdit] = {}
        drop_rows: set[int] = set()
        targets: list[tuple[int, int, str]] = []
        for ref in set(old) | set(now):
            known = coords.get(ref)
            if known is not None:
                targets.append((*known, ref))
                continue
            try:
                targets.append((*spec.parse_ref(ref), ref))
            except ValueError:
                continue
        for row, col, ref in sorted(targets):
            rec = old.get(ref)
            if rec and rec[2]:
                drop_rows.add(row)
            found = now.get(ref)
            rgb = None
            if found:
                rgb = ERROR_FILL if any(f.severity == "error" for f in found) else WARNING_FILL
                note = ref not in existing_notes
                if note:
                    notes.add(ref, note_text(found))
                    outcome.notes += 1
                outcome.marked += 1
            else:
                note = False
            edits[(row, col)] = _cell_edit(ref, rec, rgb, note, record, styles, prefix)
        pkg.edit_cells(sheet, edits, drop_rows)
        notes.finish()
        if record:
            new_marks[sheet] = record

    # statuses against the previous run
    previous = state.get("temuan") or []
    prev_keys = {item[0] for item in previous if isinstance(item, list) and item}
    current_keys = set()
    entries: list[Entry] = []
    for f in result.findings:
        key = finding_key(f)
        current_keys.add(key)
        status = STATUS_BELUM if key in prev_keys else STATUS_BARU
        linkable = sheet_of[f.sheet] is not None if f.sheet in sheet_of else spec.norm(f.sheet) in actual
        entries.append(Entry(f.severity, f.sheet, f.cell, f.ro, f.rule, f.message, f.suggestion, status, linkable))
    fixed = 0
    for item in previous:
        if not isinstance(item, list) or len(item) < 7 or item[0] in current_keys:
            continue
        fixed += 1
        _, sev, sheet, cell, ro, rule, message = item[:7]
        entries.append(
            Entry(sev, sheet, cell, ro, rule, message, None, STATUS_SELESAI, spec.norm(str(sheet)) in actual)
        )
    outcome.statuses = {
        s: sum(1 for e in entries if e.status == s) for s in (STATUS_BARU, STATUS_BELUM, STATUS_SELESAI)
    }

    today = calendar.today(settings)
    # A fixed "today" (tests, replays) gives a fixed time too, so the output is reproducible.
    clock = dt.time() if settings.today else dt.datetime.now().time().replace(microsecond=0)
    now_time = dt.datetime.combine(today, clock)
    kendali = pkg.find_sheet(spec.SHEET_KENDALI)
    with tempfile.TemporaryDirectory(prefix="sopxl-catatan-") as tmp:
        built = Path(tmp) / "catatan.xlsx"
        build_sheets(
            built,
            entries,
            pkg.path.name,
            now_time,
            kendali_today=None if kendali is not None else today,
            errors=result.errors,
            warnings=result.warnings,
        )
        pkg.replace_sheet_from_xlsx(spec.SHEET_CATATAN, built, spec.SHEET_CATATAN)
        fill_rows(pkg, entries)
        if kendali is None:
            pkg.replace_sheet_from_xlsx(spec.SHEET_KENDALI, built, spec.SHEET_KENDALI, after=spec.SHEET_CATATAN)
    if kendali is not None:
        _update_kendali(pkg, kendali.name, today, result.errors, result.warnings, fixed)

    state["tanda"] = new_marks
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
        }
    )
    state["riwayat"] = history[-HISTORY_KEEP:]
    write_state(pkg, state)
    return outcome


def _cell_edit(
    ref: str,
    rec: list[Any] | None,
    rgb: str | None,
    note: bool,
    record: dict[str, list[Any]],
    styles: Any,
    prefix: bytes,
) -> cells.CellEdit:
    """Restore the previous mark of a cell (if its style is still sopxl's), then mark it anew."""

    def edit(elem: bytes | None) -> bytes | None:
        if rec is not None and elem is not None:
            original, marked, created = rec[0], rec[1], bool(rec[2])
            current = cells.get_style(elem)
            if current == marked:
                if created and not cells.has_content(elem):
                    elem = None
                else:
                    elem = cells.with_style(elem, original)
            elif len(rec) > 4 and styles.fill_rgb(current) in (ERROR_FILL, WARNING_FILL):
                # Re-saved by Excel or LibreOffice: the style indices changed, the mark is still
                # there. Put the original fill back on the cell's current format.
                if created and not cells.has_content(elem):
                    elem = None
                else:
                    elem = cells.with_style(elem, styles.with_fill_xml(current, rec[4]))
        if rgb is None:
            return elem
        original_s = cells.get_style(elem)
        new_s = styles.with_fill(original_s, rgb)
        record[ref] = [
            original_s, new_s, 1 if elem is None else 0, 1 if note else 0, styles.fill_xml(original_s)
        ]
        if elem is None:
            return cells.empty_cell(ref, new_s, prefix)
        return cells.with_style(elem, new_s)

    return edit


def _update_kendali(pkg: WorkbookPackage, sheet: str, today: dt.date, errors: int, warnings: int, fixed: int) -> None:
    """Fill Tanggal, Status and Catatan of the row whose `Langkah` is 3."""
    values = pkg.read_values(sheet)
    header_row = None
    for r in range(1, spec.HEADER_SCAN_ROWS + 1):
        if any(rr == r and isinstance(v, str) and spec.norm(v) == spec.norm("Langkah") for (rr, _), v in values.items()):
            header_row = r
            break
    if header_row is None:
        return
    columns = {spec.norm(v): c for (r, c), v in values.items() if r == header_row and isinstance(v, str)}
    langkah_col = columns[spec.norm("Langkah")]
    step_row = None
    for (r, c), v in sorted(values.items()):
        if r > header_row and c == langkah_col and str(v).strip() in ("3", "3.0"):
            step_row = r
            break
    if step_row is None:
        return
    updates: dict[str, Any] = {}
    for header, value in (
        ("Tanggal", today),
        ("Status", status_kendali(errors)),
        ("Catatan", catatan_kendali(errors, warnings, fixed)),
    ):
        col = columns.get(spec.norm(header))
        if col is not None:
            updates[spec.cell_ref(step_row, col)] = value
    if updates:
        current = {spec.cell_ref(step_row, c): values.get((step_row, c)) for c in columns.values()}
        if any(_differs(current.get(k), v) for k, v in updates.items()):
            pkg.set_cell_values(sheet, updates)


def _differs(old: Any, new: Any) -> bool:
    if isinstance(new, dt.date):
        return not isinstance(old, float) or int(old) != int(cells.excel_serial(new))
    return old != new
