"""What the workbook's buttons run (VBA `RunPython "import sopxl.excel; sopxl.excel.validasi()"`).

Each entry point takes the calling workbook (`xw.Book.caller()`), runs the same library
validation as `sopxl validate` on the workbook's saved file, and shows the result in the
OPEN workbook through xlwings: red/yellow fills and notes on the cells, a `Catatan Koreksi`
sheet, and a message box with the counts. Nothing is written to the file on disk: Excel
owns the open file, the user saves when they want.

Marks of the previous run are listed in `Catatan Koreksi` (sheet + cell + the cell's
original fill), so a new run first takes them off: fixed cells lose their mark.

Only the attributes of xlwings' Book/Sheet/Range used here are needed, so the functions
also accept any object with the same shape (tests use a recording stand-in: no Excel).
"""

from __future__ import annotations

import contextlib
import re
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sopxl import spec
from sopxl.findings import SEVERITY_LABEL, Finding, ValidationResult

FILL_ERROR = "#FFC7CE"
FILL_WARNING = "#FFEB9C"
FILL_RGB = {"error": (0xFF, 0xC7, 0xCE), "warning": (0xFF, 0xEB, 0x9C)}
NOTE_MARK = "[sopxl]"
TITLE = "sopxl"

CATATAN_HEADER: tuple[str, ...] = (
    "No",
    "Lembar",
    "Sel",
    "Kode RO",
    "Tingkat",
    "Aturan",
    "Pesan",
    "Saran",
    "Tautan",
    "Warna Asli",  # hidden: the fill the cell had before sopxl marked it ("" = none)
)


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
    try:
        path = book_path(book)
        from sopxl.validate import validate_path

        result, _data, _settings = validate_path(path)
        apply_result(book, result)
    except ExcelMessage as exc:
        _alert(book, exc.message, critical=exc.critical)
        return None
    except Exception as exc:  # SopxlError and friends: a sentence, not a traceback
        _alert(book, _explain(exc), critical=True)
        return None
    _alert(book, summary_message(result), critical=bool(result.errors))
    return result


def konsolidasi_semester1(book: Any | None = None) -> ValidationResult | None:
    return _konsolidasi(book, "semester1")


def konsolidasi_semester2(book: Any | None = None) -> ValidationResult | None:
    return _konsolidasi(book, "semester2")


def konsolidasi_tahunan(book: Any | None = None) -> ValidationResult | None:
    return _konsolidasi(book, "tahunan")


ENTRY_POINTS: tuple[str, ...] = (
    "validasi",
    "konsolidasi_semester1",
    "konsolidasi_semester2",
    "konsolidasi_tahunan",
)


def _konsolidasi(book: Any | None, periode: str) -> ValidationResult | None:
    """Consolidation from the button: validate first (SOP step 3 gate), then hand over.

    Writing the report sheets into the OPEN workbook needs the consolidation engine's
    tables (sopxl.consolidate); until it offers an in-memory API, the button validates
    and tells the user the exact command to run after closing the workbook.
    """
    book = _caller(book)
    report = spec.PERIODS[periode][0]
    try:
        path = book_path(book)
        from sopxl.validate import validate_path

        result, _data, _settings = validate_path(path)
        apply_result(book, result)
    except ExcelMessage as exc:
        _alert(book, exc.message, critical=exc.critical)
        return None
    except Exception as exc:
        _alert(book, _explain(exc), critical=True)
        return None
    if result.errors:
        _alert(
            book,
            f"{report} belum dapat dibuat: validasi menemukan {result.errors} kesalahan. "
            f"Perbaiki sel merah (lihat sheet '{spec.SHEET_CATATAN}'), simpan, lalu klik lagi.",
            critical=True,
        )
        return result
    _alert(
        book,
        f"Validasi lolos ({result.warnings} peringatan). Untuk membuat '{report}', simpan dan "
        f"tutup buku kerja ini, lalu jalankan di Command Prompt / Terminal:\n\n"
        f'    sopxl consolidate "{path}" --periode {periode}\n\n'
        "Setelah selesai, buka kembali buku kerja ini.",
    )
    return result


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


@dataclass
class CellMark:
    sheet: str
    cell: str
    severity: str
    note: str


def plan_marks(result: ValidationResult) -> list[CellMark]:
    """One mark per cell: the worst severity, one note with every finding on that cell."""
    grouped: dict[tuple[str, str], list[Finding]] = defaultdict(list)
    for f in result.findings:
        if f.cell:
            grouped[(f.sheet, f.cell.replace("$", "").upper())].append(f)
    marks = []
    for (sheet, cell), findings in grouped.items():
        severity = "error" if any(f.severity == "error" for f in findings) else "warning"
        marks.append(CellMark(sheet, cell, severity, note_text(findings)))
    return marks


def note_text(findings: list[Finding]) -> str:
    lines = [NOTE_MARK]
    for f in findings:
        lines.append(f"{SEVERITY_LABEL[f.severity]}: {f.message}")
        if f.suggestion:
            lines.append(f"Saran: {f.suggestion}")
    return "\n".join(lines)


def _sheet_map(book: Any) -> dict[str, Any]:
    return {spec.norm(sheet.name): sheet for sheet in book.sheets}


def _hex(color: Any) -> str:
    if isinstance(color, tuple | list) and len(color) == 3:
        return "#{:02X}{:02X}{:02X}".format(*(int(c) for c in color))
    if isinstance(color, str):
        return color.upper()
    return ""


def _is_ours(color: Any) -> bool:
    return _hex(color) in (FILL_ERROR, FILL_WARNING)


def _strip_note(text: str) -> str:
    """A note's text without sopxl's part (everything from the marker on)."""
    index = text.find(NOTE_MARK)
    return text if index < 0 else text[:index].rstrip("\n")


def clear_previous(book: Any) -> int:
    """Take off the marks listed in the existing `Catatan Koreksi`; returns how many."""
    sheets = _sheet_map(book)
    catatan = sheets.get(spec.norm(spec.SHEET_CATATAN))
    if catatan is None:
        return 0
    rows = catatan.used_range.value
    if not rows or not isinstance(rows, list):
        return 0
    if not isinstance(rows[0], list):
        rows = [rows]
    header = [spec.norm(c) if c is not None else "" for c in rows[0]]
    try:
        i_sheet, i_cell = header.index(spec.norm("Lembar")), header.index(spec.norm("Sel"))
    except ValueError:
        return 0
    i_color = header.index(spec.norm("Warna Asli")) if spec.norm("Warna Asli") in header else None
    cleared = 0
    seen: set[tuple[str, str]] = set()
    for row in rows[1:]:
        if len(row) <= max(i_sheet, i_cell) or not row[i_sheet] or not row[i_cell]:
            continue
        key = (spec.norm(row[i_sheet]), str(row[i_cell]))
        if key in seen:
            continue
        seen.add(key)
        sheet = sheets.get(key[0])
        if sheet is None:
            continue
        rng = sheet.range(key[1])
        if _is_ours(rng.color):
            original = row[i_color] if i_color is not None and len(row) > i_color else None
            rng.color = str(original) if original else None
        note = rng.note
        if note is not None and NOTE_MARK in (note.text or ""):
            rest = _strip_note(note.text)
            if rest.strip():
                note.text = rest
            else:
                note.delete()
        cleared += 1
    return cleared


def apply_marks(book: Any, marks: list[CellMark]) -> dict[tuple[str, str], str]:
    """Fill and annotate each cell; returns each marked cell's original fill (hex or "")."""
    sheets = _sheet_map(book)
    originals: dict[tuple[str, str], str] = {}
    for mark in marks:
        sheet = sheets.get(spec.norm(mark.sheet))
        if sheet is None:
            continue  # e.g. a missing sheet: listed in Catatan Koreksi only
        rng = sheet.range(mark.cell)
        before = rng.color
        originals[(mark.sheet, mark.cell)] = "" if _is_ours(before) else _hex(before)
        rng.color = FILL_ERROR if mark.severity == "error" else FILL_WARNING
        note = rng.note
        if note is None:
            rng.add_note(mark.note)
        else:
            kept = _strip_note(note.text or "")
            note.text = f"{kept}\n{mark.note}" if kept.strip() else mark.note
    return originals


def _link(sheet: str, cell: str) -> str:
    if not re.fullmatch(r"\$?[A-Za-z]{1,3}\$?\d+(:\$?[A-Za-z]{1,3}\$?\d+)?", cell):
        return ""
    target = "'" + sheet.replace("'", "''") + "'!" + cell.split(":")[0]
    label = f"{sheet}!{cell}".replace('"', '""')
    return f'=HYPERLINK("#{target}","{label}")'


def catatan_rows(
    result: ValidationResult, originals: dict[tuple[str, str], str]
) -> list[list[Any]]:
    rows: list[list[Any]] = [list(CATATAN_HEADER)]
    for i, f in enumerate(result.findings, start=1):
        cell = f.cell.replace("$", "").upper() if f.cell else ""
        rows.append(
            [
                i,
                f.sheet,
                cell,
                f.ro or "",
                SEVERITY_LABEL[f.severity],
                f.rule,
                f.message,
                f.suggestion or "",
                _link(f.sheet, cell) if f.sheet and cell else "",
                originals.get((f.sheet, cell), ""),
            ]
        )
    return rows


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
    try:
        sheet.range("A1:J1").font.bold = True
        sheet.range("J:J").column_width = 0  # the original-fill column stays out of sight
    except Exception:  # cosmetics only
        pass
    return sheet


def apply_result(book: Any, result: ValidationResult) -> None:
    """Replace the previous run's marks with this run's, in the open workbook."""
    app = getattr(book, "app", None)
    updating = None
    try:
        if app is not None:
            updating = app.screen_updating
            app.screen_updating = False
    except Exception:
        app = None
    try:
        clear_previous(book)
        originals = apply_marks(book, plan_marks(result))
        write_catatan(book, catatan_rows(result, originals))
    finally:
        if app is not None and updating is not None:
            with contextlib.suppress(Exception):
                app.screen_updating = updating
