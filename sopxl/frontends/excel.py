"""What the workbook's buttons run (VBA `RunPython "import sopxl.frontends.excel; sopxl.frontends.excel.validasi()"`).

Each entry point takes the calling workbook (`xw.Book.caller()`), runs the same library
code as the CLI on the workbook's saved file, and shows the result in the OPEN workbook
through xlwings. Nothing is written to the file on disk: Excel owns the open file, the
user saves when they want.

* `validasi`: the CLI's red / yellow fills and notes (sopxl.writeback.look) on the cells,
  a `Catatan Koreksi` sheet (the CLI's columns, plus a link and the cell's original fill
  in a hidden column), SOP step 3 in `Kendali SOP`, and a message
  box with the counts. The marks of the previous run are those listed in `Catatan Koreksi`:
  they are taken off first, so fixed cells lose their mark. Someone else's note is never
  changed.
* `konsolidasi_*`: validates and marks, then builds the report sheet with the engine of
  `sopxl consolidate` into a temporary workbook and lets Excel copy it into the open one
  (replacing the old report in place), and records it in sopxl's state sheet.
* `kirim`: the engine of `sopxl kirim` on the saved file (SOP step 6): drafts the message and
  opens it in the default mail program, or sends it where SMTP is set up, then writes step 6
  of `Kendali SOP` and the send into sopxl's state sheet of the open workbook.

Only the attributes of xlwings' Book/Sheet/Range used here are needed, so the functions
also accept any object with the same shape (tests use a recording stand-in: no Excel).
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

from sopxl.core import calendar, spec
from sopxl.core.config import Settings
from sopxl.core.findings import ValidationResult
from sopxl.writeback import look
from sopxl.writeback.catatan import Listed, kendali_updates, listed_findings, quote_sheet
from sopxl.writeback.plan import CellMark, MarkPlan, plan_marks
from sopxl.writeback.restore import KnownMarks

# How the marks look comes from sopxl.writeback.look, as for the CLI and the LibreOffice macro.
FILL_RGB = {severity: look.fill_rgb(severity) for severity in look.FILLS}
NOTE_MARK = look.NOTE_PREFIX
CATATAN_HEADER = look.BUTTON_CATATAN_HEADER
TITLE = "sopxl"


class ExcelMessage(Exception):
    """A situation the user must fix; shown as a message box, not a traceback."""

    def __init__(self, message: str, critical: bool = False) -> None:
        super().__init__(message)
        self.message = message
        self.critical = critical


# --- entry points (called from VBA) -------------------------------------------------------


def validasi(book: Any | None = None) -> ValidationResult | None:
    """The Validasi button: check the saved workbook, mark the open one."""
    book = _caller(book)

    def work(path: Path) -> tuple[ValidationResult, str, bool]:
        from sopxl.rules.validate import validate_path

        result, _data, settings = validate_path(path)
        apply_result(book, result, settings)
        return result, summary_message(result), bool(result.errors)

    return _button(book, work)


def konsolidasi_semester1(book: Any | None = None) -> ValidationResult | None:
    return _konsolidasi(book, "semester1")


def konsolidasi_semester2(book: Any | None = None) -> ValidationResult | None:
    return _konsolidasi(book, "semester2")


def konsolidasi_tahunan(book: Any | None = None) -> ValidationResult | None:
    return _konsolidasi(book, "tahunan")


def kirim(book: Any | None = None) -> Any:
    """The Kirim button (SOP step 6): the engine of `sopxl kirim` on the saved file. Without
    smtp_host it drafts the message and opens the draft in the default mail program; with it,
    it sends, and the open workbook gets step 6 in `Kendali SOP` and the send in sopxl's state
    (the file on disk is Excel's: the user saves). Returns the KirimResult (None on a message)."""
    book = _caller(book)

    def work(path: Path) -> tuple[Any, str, bool]:
        from sopxl.send import kirim as run

        result = run(path, write_workbook=False)
        if result.status == "terkirim" and result.record is not None:
            from sopxl.send.kirim import kendali_step6, record_send_state

            update_kendali(book, kendali_step6(result.record), step_number=6)
            record = result.record
            update_state(book, lambda state: record_send_state(state, record))
        elif result.status == "draf":
            open_draft(Path(result.eml))
        return result, kirim_message(result), result.status in ("ditolak", "gagal")

    return _button(book, work)


def status(book: Any | None = None) -> Any:
    """The Status button: where the saved workbook stands in the SOP (`sopxl status`), in a
    message box; nothing is written. Returns the WorkbookStatus (None on a message)."""
    book = _caller(book)

    def work(path: Path) -> tuple[Any, str, bool]:
        from sopxl.report.status import status_message, workbook_status

        result = workbook_status(path)
        return result, status_message(result), False

    return _button(book, work)


_T = TypeVar("_T")


def _button(book: Any, work: Callable[[Path], tuple[_T, str, bool]]) -> _T | None:
    """Run a button's `work` on the saved file behind `book` and show its (message,
    critical) in a message box; any refusal or failure becomes a sentence in a message box,
    never a traceback, and gives None."""
    try:
        result, message, critical = work(book_path(book))
    except ExcelMessage as exc:
        _alert(book, exc.message, critical=exc.critical)
        return None
    except Exception as exc:  # SopxlError and friends: a sentence, not a traceback
        _alert(book, _explain(exc), critical=True)
        return None
    _alert(book, message, critical=critical)
    return result


def kirim_message(result: Any) -> str:
    """The message box after Kirim (Bahasa Indonesia)."""
    to = ", ".join([*result.to, *result.cc])
    if result.status == "draf":
        text = (f"Draf e-mail untuk {to} dibuka di program e-mail Anda (berkas {result.eml}). "
                "Periksa, lalu klik Kirim.")
    elif result.status == "terkirim":
        text = (f"Terkirim ke {to}: {result.subject}. Langkah 6 Kendali SOP sudah diisi; simpan "
                "buku kerja (Ctrl+S).")
    elif result.status == "gagal":
        text = f"Pengiriman gagal: {result.reason}"
    else:
        text = f"{result.reason}\n\nSel yang salah ditandai setelah Anda klik Validasi."
    notes = [n for n in result.notes if n]
    return "\n\n".join([text, *notes])


def open_draft(path: Path) -> None:
    """Open the draft .eml in the default mail program (Outlook, Thunderbird...)."""
    import os
    import subprocess
    import sys

    if sys.platform == "win32":
        os.startfile(path)  # type: ignore[attr-defined,unused-ignore]
    elif sys.platform == "darwin":
        subprocess.Popen(["open", str(path)])
    else:
        subprocess.Popen(["xdg-open", str(path)])


ENTRY_POINTS: tuple[str, ...] = (
    "validasi",
    "konsolidasi_semester1",
    "konsolidasi_semester2",
    "konsolidasi_tahunan",
    "kirim",
    "status",
)


def _konsolidasi(book: Any | None, periode: str) -> ValidationResult | None:
    """Consolidation from the button (SOP step 4), without writing the file behind Excel.

    The saved file is read and validated once; the open workbook is marked with the result
    (as Validasi does). Then the same engine as `sopxl consolidate` builds the report sheet
    from that data and result into a temporary workbook (`consolidate_data(...,
    write=False, output=tmp)`, refusing when the period's months hold errors), and Excel
    copies that sheet into the open workbook in place of the old report. What people typed
    into the old report's narratives and sign-offs is carried over by the engine (it reads
    them from the saved file). The user saves when they want.
    """
    book = _caller(book)
    report = spec.PERIODS[periode][0]

    def work(path: Path) -> tuple[ValidationResult, str, bool]:
        import tempfile

        from sopxl.report.consolidate import MonthErrors, consolidate_data
        from sopxl.rules.validate import validate_path

        result, data, settings = validate_path(path)
        apply_result(book, result, settings)
        with tempfile.TemporaryDirectory(prefix="sopxl-lap-") as tmp:
            staged = Path(tmp) / "laporan.xlsx"
            try:
                made = consolidate_data(
                    data, periode, settings, validation=result, write=False, output=staged
                )
            except MonthErrors as exc:
                return result, (
                    f"{exc.message}\n\nSel yang salah sudah ditandai merah; daftar di sheet "
                    f"'{spec.SHEET_CATATAN}'. Perbaiki, simpan, lalu klik lagi."
                ), True
            import_sheet(book, staged, report)
            record_report(book, periode, report, made.figures)
        return result, (
            f"Sheet '{report}' dibuat ({result.errors} kesalahan, {result.warnings} peringatan pada "
            "validasi). Isi bagian Analisis Capaian, Kendala Umum, Rekomendasi dan tanda tangan, "
            "lalu simpan buku kerja (Ctrl+S)."
        ), False

    return _button(book, work)


def import_sheet(book: Any, source: Path, name: str) -> Any:
    """Copy sheet `name` of the workbook file `source` into the open `book`: in place of the
    sheet of that name (copied next to it first, so a failure loses nothing), or after the
    month sheets."""
    sheets = list(book.sheets)
    names = [spec.norm(s.name) for s in sheets]
    key = spec.norm(name)
    old = sheets[names.index(key)] if key in names else None
    anchor = old
    if anchor is None:
        month_keys = {spec.norm(m) for m in spec.MONTHS}
        months = [i for i, n in enumerate(names) if n in month_keys]
        following = sheets[max(months) + 1 :] if months else []
        anchor = following[0] if following else None
    other = book.app.books.open(str(source))
    try:
        src = other.sheets[name]
        copied = src.copy(before=anchor) if anchor is not None else src.copy(after=sheets[-1])
    finally:
        other.close()
    if old is not None:
        old.delete()
    if copied.name != name:
        copied.name = name
    return copied


def record_report(book: Any, periode: str, sheet: str, figures: Any) -> None:
    """Record the new report in sopxl's state sheet of the open book, as `sopxl consolidate`
    does on disk (the data hash LAP-USANG compares; validation marks on the old sheet forgotten)."""
    from sopxl.report.consolidate import record_report_state

    update_state(book, lambda state: record_report_state(state, periode, sheet, figures))


def update_state(book: Any, change: Callable[[dict[str, Any]], None]) -> None:
    """Read sopxl's state sheet of the open book, let `change` edit it, write it back."""
    from sopxl.read.state import decode_grid, encode_rows

    state_sheet = _sheet_map(book).get(spec.norm(spec.SHEET_STATE))
    state: dict[str, Any] = {}
    if state_sheet is not None:
        rows = state_sheet.used_range.value
        # xlwings gives a flat list for a one-row range: that is the header alone, no state
        if isinstance(rows, list) and rows and isinstance(rows[0], list):
            state = decode_grid(rows)
    change(state)
    if state_sheet is None:
        state_sheet = book.sheets.add(spec.SHEET_STATE, after=list(book.sheets)[-1])
        with contextlib.suppress(Exception):
            state_sheet.api.Visible = 2  # xlSheetVeryHidden (Windows COM)
        with contextlib.suppress(Exception):
            if getattr(state_sheet, "visible", False):
                state_sheet.visible = False
    else:
        state_sheet.clear()
    state_sheet.range("A1").value = [list(row) for row in encode_rows(state)]


# --- the calling workbook and its file ----------------------------------------------------


def _caller(book: Any | None) -> Any:
    if book is not None:
        return book
    import xlwings as xw

    return xw.Book.caller()


def book_path(book: Any) -> Path:
    """The local file behind the open workbook, or an ExcelMessage saying what to do."""
    try:
        fullname = str(book.fullname)
    except Exception as exc:  # xlwings could not map a OneDrive/SharePoint URL
        raise ExcelMessage(_cloud_message(str(exc)), critical=True) from None
    if "://" in fullname:
        fullname = _local_from_url(fullname)
    path = Path(fullname)
    if not fullname or (path.parent == Path(".") and not path.is_absolute()):
        raise ExcelMessage(
            "Buku kerja ini belum pernah disimpan. Simpan dulu sebagai .xlsm "
            "(File > Save As), lalu klik tombol lagi."
        )
    if not path.exists():
        raise ExcelMessage(
            f"Berkas '{path}' tidak ditemukan di disk. Simpan buku kerja (File > Save), "
            "lalu klik tombol lagi.",
            critical=True,
        )
    return path


def _local_from_url(url: str) -> str:
    try:
        from xlwings.utils import fullname_url_to_local_path

        local = str(fullname_url_to_local_path(url))
    except Exception as exc:
        raise ExcelMessage(_cloud_message(str(exc)), critical=True) from None
    if "://" in local or not Path(local).exists():
        raise ExcelMessage(_cloud_message(""), critical=True)
    return local


def _cloud_message(detail: str) -> str:
    text = (
        "Buku kerja ini dibuka dari OneDrive/SharePoint dan salinan lokalnya tidak ditemukan. "
        "Pastikan folder itu disinkronkan ke komputer ini (aplikasi OneDrive), atau isi lokasi "
        "foldernya di sheet 'xlwings.conf' (ONEDRIVE_CONSUMER_WIN, ONEDRIVE_COMMERCIAL_WIN atau "
        "SHAREPOINT_WIN; di Mac: ..._MAC), atau simpan salinan di folder lokal lalu buka salinan itu."
    )
    return f"{text}\n\n({detail})" if detail else text


def _explain(exc: Exception) -> str:
    message = getattr(exc, "message", None) or str(exc) or type(exc).__name__
    return f"sopxl tidak dapat memeriksa buku kerja ini:\n\n{message}"


def _alert(book: Any, text: str, critical: bool = False) -> None:
    try:
        book.app.alert(text, title=TITLE, buttons="ok", mode="critical" if critical else "info")
    except Exception:  # no UI (tests, automation): the message still goes somewhere
        import sys

        print(text, file=sys.stderr)


def summary_message(result: ValidationResult) -> str:
    if not result.findings:
        return (
            "Validasi selesai: tidak ada kesalahan atau peringatan. "
            "Data sesuai; lanjutkan ke langkah berikutnya SOP."
        )
    head = f"Validasi selesai: {result.errors} kesalahan, {result.warnings} peringatan."
    legend = (
        "Sel merah = kesalahan (harus diperbaiki), sel kuning = peringatan. "
        "Arahkan kursor ke sel untuk membaca catatannya; daftar lengkap ada di sheet "
        f"'{spec.SHEET_CATATAN}'."
    )
    verdict = (
        "Data TIDAK SESUAI: kembalikan kepada Bendahara/Pelaksana untuk diperbaiki."
        if result.errors
        else "Tidak ada kesalahan; periksa peringatan sebelum melanjutkan."
    )
    return f"{head}\n\n{legend}\n\n{verdict}"


# --- marks in the open workbook -----------------------------------------------------------
# The plan (sopxl.writeback.plan) says what to mark; the functions below apply it through xlwings.


def _sheet_map(book: Any) -> dict[str, Any]:
    return {spec.norm(sheet.name): sheet for sheet in book.sheets}


def _hex(color: Any) -> str:
    if isinstance(color, tuple | list) and len(color) == 3:
        return "#{:02X}{:02X}{:02X}".format(*(int(c) for c in color))
    if isinstance(color, str):
        return color.upper()
    return ""


_OUR_FILLS = frozenset(look.fill_hex(severity) for severity in look.FILLS)


def _is_ours(color: Any) -> bool:
    return _hex(color) in _OUR_FILLS


def _is_our_note(note: Any) -> bool:
    return note is not None and look.is_our_note(str(note.text or ""))


def _rows(sheet: Any) -> list[list[Any]]:
    rows = sheet.used_range.value
    if not rows or not isinstance(rows, list):
        return []
    return rows if isinstance(rows[0], list) else [rows]


def listed(book: Any) -> list[Listed]:
    """The findings the open workbook's `Catatan Koreksi` lists (the previous run's)."""
    catatan = _sheet_map(book).get(spec.norm(spec.SHEET_CATATAN))
    return [] if catatan is None else listed_findings(_rows(catatan))


def known_marks(book: Any) -> KnownMarks:
    """The marks sopxl's state sheet of the open workbook remembers (the CLI's last write)."""
    from sopxl.read.state import decode_grid

    state_sheet = _sheet_map(book).get(spec.norm(spec.SHEET_STATE))
    if state_sheet is None:
        return KnownMarks()
    rows = state_sheet.used_range.value
    # a flat list is a one-row range: the header alone, no state
    if isinstance(rows, list) and rows and isinstance(rows[0], list):
        return KnownMarks.from_state(decode_grid(rows))
    return KnownMarks()


def clear_previous(book: Any, previous: list[Listed]) -> None:
    """Take off the marks of the `previous` run: a cell that still shows a mark fill gets the
    look the plan gives back (its original fill: a button's mark changes nothing else), a note
    that is still sopxl's goes."""
    sheets = _sheet_map(book)
    done: set[tuple[str, str]] = set()
    for item in previous:
        key = (spec.norm(item.sheet), item.cell)
        sheet = sheets.get(key[0])
        if key in done or sheet is None:
            continue
        done.add(key)
        rng = sheet.range(item.cell)
        if _is_ours(rng.color):
            rng.color = item.original_fill or None
        note = rng.note
        if _is_our_note(note):
            note.delete()


def mark_cells(book: Any, marks: list[CellMark]) -> list[str]:
    """Fill and annotate each cell; returns each mark's original fill ('#RRGGBB' or "")."""
    sheets = _sheet_map(book)
    originals: list[str] = []
    for mark in marks:
        sheet = sheets.get(spec.norm(mark.sheet))
        if sheet is None:
            originals.append("")
            continue
        rng = sheet.range(mark.cell)
        before = rng.color
        originals.append("" if _is_ours(before) else _hex(before))
        rng.color = look.fill_hex(mark.severity)
        note = rng.note
        if note is None:
            rng.add_note(mark.note)
        elif _is_our_note(note):
            note.text = mark.note
        # someone else's note stays as it is (as the CLI does); the fill and
        # Catatan Koreksi still show the finding
    return originals


def _link(sheet: str, cell: str) -> str:
    target = quote_sheet(sheet) + "!" + cell.split(":")[0]
    label = f"{sheet}!{cell}".replace('"', '""')
    return f'=HYPERLINK("#{target}","{label}")'


def catatan_table(plan: MarkPlan, originals: list[str]) -> list[list[Any]]:
    """The `Catatan Koreksi` table: header, then the plan's rows with a link formula and the
    original fill of the row's cell (in the hidden last column)."""
    table: list[list[Any]] = [list(CATATAN_HEADER)]
    for row, mark in zip(plan.rows, plan.row_marks, strict=True):
        table.append(
            [
                *row.values,
                _link(row.sheet, row.link) if row.link else "",
                originals[mark] if mark is not None else "",
            ]
        )
    return table


def write_catatan(book: Any, rows: list[list[Any]]) -> Any:
    """(Re)write the `Catatan Koreksi` sheet of the open workbook in one block."""
    sheets = _sheet_map(book)
    sheet = sheets.get(spec.norm(spec.SHEET_CATATAN))
    if sheet is None:
        all_sheets = list(book.sheets)
        sheet = book.sheets.add(spec.SHEET_CATATAN, after=all_sheets[-1] if all_sheets else None)
    else:
        sheet.clear()
    sheet.range("A1").value = rows
    last = spec.col_letter(len(CATATAN_HEADER))
    with contextlib.suppress(Exception):  # cosmetics only
        sheet.range(f"A1:{last}1").font.bold = True
        sheet.range(f"{last}:{last}").column_width = 0  # the original fill stays out of sight
    return sheet


def update_kendali(book: Any, step3: dict[str, Any], step_number: int = 3) -> bool:
    """Write the SOP step-3 values (sopxl.writeback.catatan.kendali_step3), or another step's,
    into `Kendali SOP`."""
    sheet = _sheet_map(book).get(spec.norm(spec.SHEET_KENDALI))
    if sheet is None:
        return False
    rows = _rows(sheet)
    # used_range may not start at A1: its top-left cell is the origin of `rows`
    top, left = spec.parse_ref(str(sheet.used_range.address).replace("$", "").split(":")[0])
    updates = kendali_updates(rows, step3, top, left, step_number=step_number)
    for ref, value in updates.items():
        sheet.range(ref).value = value
    return bool(updates)


def apply_result(book: Any, result: ValidationResult, settings: Settings | None = None) -> None:
    """Replace the previous run's marks with this run's, in the open workbook ("today" is
    the run's, `sopxl.core.calendar.today`, as for the CLI)."""
    app = getattr(book, "app", None)
    updating = None
    try:
        if app is not None:
            updating = app.screen_updating
            app.screen_updating = False
    except Exception:
        app = None
    try:
        plan = plan_marks(
            result, listed(book), [s.name for s in book.sheets], calendar.today(settings), known_marks(book)
        )
        clear_previous(book, plan.clear)
        originals = mark_cells(book, plan.cells)
        write_catatan(book, catatan_table(plan, originals))
        update_kendali(book, plan.step3)
    finally:
        if app is not None and updating is not None:
            with contextlib.suppress(Exception):
                app.screen_updating = updating
