# sopxl for LibreOffice Calc: the Validasi button as a Python macro.
#
# Runs inside LibreOffice's own Python, which does not have sopxl's dependencies, so the
# macro does not import sopxl. It exports the open document as it is on screen (unsaved
# edits included) to a temporary .xlsx with storeToURL (the user's file is not touched),
# runs the sopxl command on that copy:
#     sopxl validate --no-write --format json <copy>
# (the same engine as the CLI and the Excel button), reads the JSON, and marks the OPEN
# document through UNO: red/yellow cell fills, annotations, and a "Catatan Koreksi" sheet.
# Marks of the previous run are listed in "Catatan Koreksi" and are taken off first.
#
# The sopxl command is found, in order: $SOPXL_BIN, the "sopxl" entry of sopxl_lo.json
# next to this file (its "argv": the command as a list, written by `sopxl lo-install`),
# then "sopxl" on PATH.
#
# Install: `sopxl lo-install` (copies this file to <profile>/user/Scripts/python/).
# Run: Tools > Macros > Run Macro... > My Macros > sopxl_lo > validasi.
# Keep this file standard-library only (plus uno), Python 3.8+.

from __future__ import annotations

import contextlib
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
from typing import Any

try:
    import uno  # present inside LibreOffice
    from com.sun.star.beans import PropertyValue
except ImportError:  # imported outside LibreOffice (tests of the pure parts)
    uno = None
    PropertyValue = None

FILL = {"error": 0xFFC7CE, "warning": 0xFFEB9C}
LABEL = {"error": "Kesalahan", "warning": "Peringatan"}
NOTE_MARK = "sopxl:"  # every sopxl note starts so, as the CLI's
CATATAN = "Catatan Koreksi"
# Same columns as the CLI's Catatan Koreksi (sopxl.catatan) + link + hidden original fill.
HEADER = ["No", "Tingkat", "Lembar", "Sel", "Kode RO", "Aturan", "Pesan", "Saran Perbaikan",
          "Status", "Tautan", "Warna Asli"]
COL = {name: i for i, name in enumerate(HEADER)}
STATUS_BARU, STATUS_BELUM = "Baru", "Belum diperbaiki"
INSTALL_HINT = (
    "Perintah sopxl tidak ditemukan. Pasang sekali saja di Terminal / Command Prompt:\n\n"
    "    pip install sopxl\n    sopxl lo-install\n\n"
    "(lo-install mencatat lokasi perintah sopxl untuk makro ini.)"
)


class MacroMessage(Exception):
    pass


def norm(text: Any) -> str:
    return " ".join(str(text).split()).casefold()


# --- the sopxl command ------------------------------------------------------------------------

def _here() -> str:
    """This file's folder. LibreOffice's script provider sets __file__ to a URL."""
    where = str(globals().get("__file__", ""))
    if where.startswith("vnd.sun.star.expand:") and uno is not None:
        from urllib.parse import unquote

        expander = uno.getComponentContext().getValueByName(
            "/singletons/com.sun.star.util.theMacroExpander")
        where = expander.expandMacros(unquote(where[len("vnd.sun.star.expand:"):]))
    if where.startswith("file:"):
        if uno is not None:
            where = uno.fileUrlToSystemPath(where)
        else:
            from urllib.parse import unquote, urlparse

            where = unquote(urlparse(where).path)
    return os.path.dirname(os.path.abspath(where))


def _config() -> dict[str, Any]:
    path = os.path.join(_here(), "sopxl_lo.json")
    try:
        with open(path, encoding="utf-8") as fh:
            return json.load(fh)
    except (OSError, ValueError):
        return {}


def find_sopxl() -> list[str] | None:
    """The sopxl command as an argv prefix, or None."""
    env = os.environ.get("SOPXL_BIN")
    if env:
        return [env]
    conf = _config()
    argv = conf.get("argv")
    if argv and os.path.exists(argv[0]):
        return list(argv)
    found = shutil.which("sopxl")
    return [found] if found else None


def run_sopxl(path: str, command: list[str] | None = None, timeout: int = 300) -> dict[str, Any]:
    """`sopxl validate --no-write --format json path` -> the parsed JSON dict."""
    argv = command or find_sopxl()
    if not argv:
        raise MacroMessage(INSTALL_HINT)
    try:
        proc = subprocess.run(
            [*list(argv), "validate", "--no-write", "--format", "json", path],
            capture_output=True, text=True, encoding="utf-8", timeout=timeout,
        )
    except FileNotFoundError:
        raise MacroMessage(INSTALL_HINT) from None
    except subprocess.TimeoutExpired:
        raise MacroMessage(f"sopxl tidak selesai dalam {timeout} detik.") from None
    if proc.returncode not in (0, 1):
        detail = (proc.stderr or proc.stdout).strip()[:600]
        raise MacroMessage("sopxl tidak dapat memeriksa buku kerja ini:\n\n" + detail)
    try:
        return json.loads(proc.stdout)
    except ValueError:
        raise MacroMessage("Keluaran sopxl tidak terbaca:\n\n" + proc.stdout[:600]) from None


# --- the document -----------------------------------------------------------------------------

def _prop(name: str, value: Any) -> Any:
    p = PropertyValue()
    p.Name = name
    p.Value = value
    return p


def export_copy(doc: Any, folder: str) -> str:
    """The document as on screen, as an .xlsx in `folder` (the document keeps its location)."""
    target = os.path.join(folder, "sopxl-periksa.xlsx")
    doc.storeToURL(uno.systemPathToFileUrl(target),
                   (_prop("FilterName", "Calc MS Excel 2007 XML"), _prop("Overwrite", True)))
    return target


def _sheets(doc: Any) -> dict[str, Any]:
    sheets = doc.getSheets()
    return {norm(name): sheets.getByName(name) for name in sheets.getElementNames()}


def _note_text(findings: list[dict[str, Any]]) -> str:
    """The note on one cell, worded as the CLI's (sopxl.marks.note_text)."""
    parts = []
    for f in findings:
        text = "{} ({}): {}".format(LABEL.get(f["severity"], f["severity"]), f["rule"], f["message"])
        if f.get("suggestion"):
            text += "\nPerbaikan: " + f["suggestion"]
        parts.append(text)
    if len(parts) == 1:
        return NOTE_MARK + " " + parts[0]
    body = "\n".join(f"{i}. {p}" for i, p in enumerate(parts, start=1))
    return f"{NOTE_MARK} {len(parts)} temuan pada sel ini\n{body}"


def _annotation(sheet: Any, cell: Any) -> tuple[int | None, Any]:
    addr = cell.getCellAddress()
    anns = sheet.getAnnotations()
    for i in range(anns.getCount()):
        ann = anns.getByIndex(i)
        pos = ann.getPosition()
        if pos.Row == addr.Row and pos.Column == addr.Column:
            return i, ann
    return None, None


def _set_note(sheet: Any, cell: Any, text: str) -> None:
    """sopxl's note on the cell; someone else's note is left alone (as the CLI does)."""
    index, ann = _annotation(sheet, cell)
    if ann is not None:
        if not ann.getString().startswith(NOTE_MARK):
            return
        sheet.getAnnotations().removeByIndex(index)
    sheet.getAnnotations().insertNew(cell.getCellAddress(), text)


def _drop_note(sheet: Any, cell: Any) -> None:
    index, ann = _annotation(sheet, cell)
    if ann is not None and ann.getString().startswith(NOTE_MARK):
        sheet.getAnnotations().removeByIndex(index)


def _ours(color: Any) -> bool:
    return color in FILL.values()


def clear_previous(doc: Any) -> set[tuple[str, str, str]]:
    """Take off the marks listed in Catatan Koreksi; returns the (sheet, cell, rule) it listed."""
    previous: set[tuple[str, str, str]] = set()
    sheets = _sheets(doc)
    catatan = sheets.get(norm(CATATAN))
    if catatan is None:
        return previous
    cursor = catatan.createCursor()
    cursor.gotoEndOfUsedArea(False)
    last_row, last_col = cursor.getRangeAddress().EndRow, cursor.getRangeAddress().EndColumn
    rows = catatan.getCellRangeByPosition(0, 0, last_col, last_row).getDataArray()
    start = None
    for r, row in enumerate(rows[:20]):
        header = [norm(c) for c in row]
        if "lembar" in header and "sel" in header:
            start = r
            break
    if start is None:
        return previous
    i_sheet, i_cell = header.index("lembar"), header.index("sel")
    i_rule = header.index("aturan") if "aturan" in header else None
    i_color = header.index("warna asli") if "warna asli" in header else None
    done = set()
    for row in rows[start + 1:]:
        name, ref = str(row[i_sheet]), str(row[i_cell]).replace("$", "").upper()
        if not name or not ref:
            continue
        previous.add((name, ref, str(row[i_rule]) if i_rule is not None else ""))
        key = (norm(name), ref)
        if key in done or key[0] not in sheets:
            continue
        done.add(key)
        sheet = sheets[key[0]]
        try:
            cell = sheet.getCellRangeByName(ref)
        except Exception:
            continue
        if _ours(cell.CellBackColor):
            original = row[i_color] if i_color is not None else ""
            if isinstance(original, str) and original.startswith("#"):
                cell.CellBackColor = int(original[1:], 16)
            else:
                cell.CellBackColor = -1
                cell.IsCellBackgroundTransparent = True
        if hasattr(cell, "getCellAddress"):
            _drop_note(sheet, cell)
    return previous


def apply_marks(doc: Any, findings: list[dict[str, Any]]) -> dict[tuple[str, str], str]:
    """Fill + annotate every cell named by a finding; returns {(sheet, cell): original '#RRGGBB'}."""
    sheets = _sheets(doc)
    grouped: dict[tuple[str, str], list[dict[str, Any]]] = {}
    order: list[tuple[str, str]] = []
    for f in findings:
        cell = (f.get("cell") or "").replace("$", "").upper()
        if not cell:
            continue
        key = (f["sheet"], cell)
        if key not in grouped:
            grouped[key] = []
            order.append(key)
        grouped[key].append(f)
    originals = {}
    for key in order:
        sheet = sheets.get(norm(key[0]))
        if sheet is None:
            continue
        try:
            rng = sheet.getCellRangeByName(key[1])
        except Exception:
            continue
        before = rng.CellBackColor
        transparent = rng.IsCellBackgroundTransparent
        originals[key] = "" if (transparent or before < 0 or _ours(before)) else f"#{before:06X}"
        severity = "error" if any(f["severity"] == "error" for f in grouped[key]) else "warning"
        rng.CellBackColor = FILL[severity]
        if hasattr(rng, "getCellAddress"):
            _set_note(sheet, rng, _note_text(grouped[key]))
        else:  # a range: note on its first cell
            _set_note(sheet, rng.getCellByPosition(0, 0), _note_text(grouped[key]))
    return originals


def _link(sheet: str, cell: str) -> str:
    if not re.match(r"^[A-Z]{1,3}\d+(:[A-Z]{1,3}\d+)?$", cell):
        return ""
    target = "#'" + sheet.replace("'", "''") + "'." + cell.split(":")[0]
    return '=HYPERLINK("{}";"{}")'.format(target, (sheet + "!" + cell).replace('"', '""'))


def write_catatan(
    doc: Any,
    findings: list[dict[str, Any]],
    originals: dict[tuple[str, str], str],
    previous: set[tuple[str, str, str]] | None = None,
) -> Any:
    sheets = doc.getSheets()
    existing = {norm(n): n for n in sheets.getElementNames()}
    if norm(CATATAN) in existing:
        sheet = sheets.getByName(existing[norm(CATATAN)])
        sheet.clearContents(1 | 2 | 4 | 8 | 16 | 32 | 64 | 128 | 256 | 512)
    else:
        sheets.insertNewByName(CATATAN, sheets.getCount())
        sheet = sheets.getByName(CATATAN)
    previous = previous or set()
    rows: list[tuple[Any, ...]] = [tuple(HEADER)]
    links = []
    for i, f in enumerate(findings, start=1):
        cell = (f.get("cell") or "").replace("$", "").upper()
        row: list[Any] = [""] * len(HEADER)
        row[COL["No"]] = float(i)
        row[COL["Tingkat"]] = LABEL.get(f["severity"], f["severity"])
        row[COL["Lembar"]] = f["sheet"]
        row[COL["Sel"]] = cell
        row[COL["Kode RO"]] = f.get("ro") or ""
        row[COL["Aturan"]] = f["rule"]
        row[COL["Pesan"]] = f["message"]
        row[COL["Saran Perbaikan"]] = f.get("suggestion") or ""
        row[COL["Status"]] = STATUS_BELUM if (f["sheet"], cell, f["rule"]) in previous else STATUS_BARU
        row[COL["Warna Asli"]] = originals.get((f["sheet"], cell), "")
        rows.append(tuple(row))
        links.append(_link(f["sheet"], cell) if cell else "")
    sheet.getCellRangeByPosition(0, 0, len(HEADER) - 1, len(rows) - 1).setDataArray(tuple(rows))
    for i, link in enumerate(links, start=1):
        if link:
            sheet.getCellByPosition(COL["Tautan"], i).setFormula(link)
    sheet.getCellRangeByPosition(0, 0, len(HEADER) - 1, 0).CharWeight = 150.0  # bold
    sheet.getColumns().getByIndex(len(HEADER) - 1).IsVisible = False
    return sheet


def summary(result: dict[str, Any]) -> str:
    errors, warnings = result.get("errors", 0), result.get("warnings", 0)
    if not result.get("findings"):
        return "Validasi selesai: tidak ada kesalahan atau peringatan. Data sesuai."
    text = f"Validasi selesai: {errors} kesalahan, {warnings} peringatan.\n\n"
    text += ("Sel merah = kesalahan, sel kuning = peringatan; komentar sel menjelaskan. "
             f"Daftar lengkap ada di sheet '{CATATAN}'.")
    return text


def validate_document(doc: Any, command: list[str] | None = None) -> dict[str, Any]:
    """Validate the open document and mark it. Returns sopxl's JSON result (a dict)."""
    folder = tempfile.mkdtemp(prefix="sopxl-lo-")
    try:
        copy = export_copy(doc, folder)
        result = run_sopxl(copy, command)
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    with contextlib.suppress(Exception):
        doc.lockControllers()
    try:
        previous = clear_previous(doc)
        originals = apply_marks(doc, result.get("findings", []))
        write_catatan(doc, result.get("findings", []), originals, previous)
    finally:
        with contextlib.suppress(Exception):
            doc.unlockControllers()
    return result


# --- UI ---------------------------------------------------------------------------------------

def _message(doc: Any, text: str, error: bool = False) -> None:
    log = os.environ.get("SOPXL_LO_LOG")  # a file to copy every message into (diagnosis, tests)
    if log:
        with open(log, "a", encoding="utf-8") as fh:
            fh.write(text + "\n---\n")
    try:
        frame = doc.getCurrentController().getFrame()
        window = frame.getContainerWindow()
        toolkit = window.getToolkit()
        kind = uno.Enum("com.sun.star.awt.MessageBoxType", "ERRORBOX" if error else "INFOBOX")
        box = toolkit.createMessageBox(window, kind, 1, "sopxl", text)
        box.execute()
    except Exception:
        sys.stderr.write(text + "\n")


def validasi(*_args: Any) -> None:
    """Tools > Macros > Run: validate the open Calc document and mark it."""
    context = globals().get("XSCRIPTCONTEXT")  # provided by LibreOffice's script provider
    doc = context.getDocument() if context is not None else None
    if doc is None or not hasattr(doc, "getSheets"):
        return
    try:
        result = validate_document(doc)
    except MacroMessage as exc:
        _message(doc, str(exc), error=True)
        return
    _message(doc, summary(result), error=bool(result.get("errors")))


g_exportedScripts = (validasi,)
