# sopxl for LibreOffice Calc: the Validasi button as a Python macro.
#
# Runs inside LibreOffice's own Python, which does not have sopxl's dependencies, so the
# macro does not import sopxl. It exports the open document as it is on screen (unsaved
# edits included) to a temporary .xlsx with storeToURL (the user's file is not touched),
# runs the sopxl command on that copy:
#     sopxl validate --no-write --format tanda <copy>
# (the same engine as the CLI and the Excel button), and applies the plan it prints to the
# OPEN document through UNO: which cells of the previous run to restore, the fill and note
# of every cell to mark, the "Catatan Koreksi" rows and the values of SOP step 3 in
# "Kendali SOP". Colours, note texts and sheet layout all come from that plan, so they
# match the CLI's and the Excel button's without a copy here.
#
# The sopxl command is found, in order: $SOPXL_BIN, the "sopxl" entry of sopxl_lo.json
# next to this file (its "argv": the command as a list, written by `sopxl lo-install`),
# then "sopxl" on PATH.
#
# The Kirim macro runs `sopxl kirim <saved file> --format tanda` on the SAVED file (what is
# sent is the file on disk, so unsaved edits are refused first) and opens the draft it
# writes in the default mail program, or reports the send and writes SOP step 6 from the
# plan it prints into "Kendali SOP" of the open document (the user saves).
#
# Install: `sopxl lo-install` (copies this file to <profile>/user/Scripts/python/).
# The Status macro shows `sopxl status <saved file>`: where the workbook stands in the SOP.
#
# Run: Tools > Macros > Run Macro... > My Macros > sopxl_lo > validasi (or kirim, status).
# Keep this file standard-library only (plus uno), Python 3.8+.

from __future__ import annotations

import contextlib
import json
import os
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


def _call_sopxl(args: list[str], command: list[str] | None, timeout: int, ok: tuple[int, ...],
                cannot: str) -> subprocess.CompletedProcess[str]:
    """Run `sopxl ARGS`; a missing sopxl, a time-out or an exit code outside `ok` becomes a
    MacroMessage (`cannot` says what sopxl could not do, with sopxl's own words below it)."""
    argv = command or find_sopxl()
    if not argv:
        raise MacroMessage(INSTALL_HINT)
    try:
        proc = subprocess.run([*list(argv), *args], capture_output=True, text=True, encoding="utf-8",
                              timeout=timeout, stdin=subprocess.DEVNULL)
    except FileNotFoundError:
        raise MacroMessage(INSTALL_HINT) from None
    except subprocess.TimeoutExpired:
        raise MacroMessage(f"sopxl tidak selesai dalam {timeout} detik.") from None
    if proc.returncode not in ok:
        detail = (proc.stderr or proc.stdout).strip()[:600]
        raise MacroMessage(f"sopxl tidak dapat {cannot} buku kerja ini:\n\n" + detail)
    return proc


def _json_of(text: str, output: str) -> dict[str, Any]:
    """The JSON object `text` (taken from sopxl's `output`, shown when it does not parse)."""
    try:
        found: dict[str, Any] = json.loads(text)
    except ValueError:
        raise MacroMessage("Keluaran sopxl tidak terbaca:\n\n" + output[:600]) from None
    return found


def run_sopxl(path: str, command: list[str] | None = None, timeout: int = 300) -> dict[str, Any]:
    """`sopxl validate --no-write --format tanda path` -> the parsed JSON dict (the result,
    and under "plan" how to mark it)."""
    proc = _call_sopxl(["validate", "--no-write", "--format", "tanda", path], command, timeout, (0, 1), "memeriksa")
    return _json_of(proc.stdout, proc.stdout)


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


def _annotation(sheet: Any, cell: Any) -> tuple[int | None, Any]:
    addr = cell.getCellAddress()
    anns = sheet.getAnnotations()
    for i in range(anns.getCount()):
        ann = anns.getByIndex(i)
        pos = ann.getPosition()
        if pos.Row == addr.Row and pos.Column == addr.Column:
            return i, ann
    return None, None


def _set_note(sheet: Any, cell: Any, text: str, prefix: str) -> None:
    """sopxl's note on the cell; someone else's note is left alone (as the CLI does)."""
    index, ann = _annotation(sheet, cell)
    if ann is not None:
        if not ann.getString().startswith(prefix):
            return
        sheet.getAnnotations().removeByIndex(index)
    sheet.getAnnotations().insertNew(cell.getCellAddress(), text)


def _drop_note(sheet: Any, cell: Any, prefix: str) -> None:
    index, ann = _annotation(sheet, cell)
    if ann is not None and ann.getString().startswith(prefix):
        sheet.getAnnotations().removeByIndex(index)


def _color(hex_color: str) -> int:
    return int(hex_color.lstrip("#"), 16)


def _cell(sheet: Any, ref: str) -> Any:
    try:
        return sheet.getCellRangeByName(ref)
    except Exception:
        return None


def _first_cell(rng: Any) -> Any:
    """A single cell takes the note; of a range, its first cell."""
    return rng if hasattr(rng, "getCellAddress") else rng.getCellByPosition(0, 0)


def clear_previous(doc: Any, plan: dict[str, Any]) -> None:
    """Take off the previous run's marks the plan lists: a cell that still shows one of the
    plan's mark fills gets the look the plan gives back, a note that is still sopxl's goes."""
    sheets = _sheets(doc)
    ours = {_color(c) for c in plan["fills"].values()}
    done = set()
    for item in plan["clear"]:
        key = (norm(item["sheet"]), item["cell"])
        if key in done or key[0] not in sheets:
            continue
        done.add(key)
        sheet = sheets[key[0]]
        cell = _cell(sheet, item["cell"])
        if cell is None:
            continue
        if cell.CellBackColor in ours:
            _apply_look(cell, item.get("look") or {"fill": item.get("fill", "")})
        _drop_note(sheet, _first_cell(cell), plan["note_prefix"])


def _apply_look(cell: Any, look: dict[str, Any]) -> None:
    """Give a cell the look the plan says it had before its mark (a mark changes only the
    fill, so the look is its fill: "#RRGGBB", or "" for none)."""
    fill = look.get("fill")
    if fill:
        cell.CellBackColor = _color(fill)
    else:
        cell.CellBackColor = -1
        cell.IsCellBackgroundTransparent = True


def mark_cells(doc: Any, plan: dict[str, Any]) -> list[str]:
    """Fill and annotate every cell of the plan; returns each one's original '#RRGGBB' (or "")."""
    sheets = _sheets(doc)
    ours = {_color(c) for c in plan["fills"].values()}
    originals = []
    for mark in plan["cells"]:
        sheet = sheets.get(norm(mark["sheet"]))
        rng = _cell(sheet, mark["cell"]) if sheet is not None else None
        if rng is None:
            originals.append("")
            continue
        before = rng.CellBackColor
        transparent = rng.IsCellBackgroundTransparent
        originals.append("" if (transparent or before < 0 or before in ours) else f"#{before:06X}")
        rng.CellBackColor = _color(mark["fill"])
        _set_note(sheet, _first_cell(rng), mark["note"], plan["note_prefix"])
    return originals


def _link(sheet: str, cell: str) -> str:
    target = "#'" + sheet.replace("'", "''") + "'." + cell.split(":")[0]
    return '=HYPERLINK("{}";"{}")'.format(target, (sheet + "!" + cell).replace('"', '""'))


def _uno_value(value: Any) -> Any:
    return float(value) if isinstance(value, int) and not isinstance(value, bool) else value


def write_catatan(doc: Any, plan: dict[str, Any], originals: list[str]) -> Any:
    """(Re)write the Catatan Koreksi sheet: the plan's rows, links and original fills."""
    table = plan["catatan"]
    name, header = table["sheet"], table["header"]
    link_col, fill_col = table["link_column"], table["original_fill_column"]
    sheets = doc.getSheets()
    existing = {norm(n): n for n in sheets.getElementNames()}
    if norm(name) in existing:
        sheet = sheets.getByName(existing[norm(name)])
        sheet.clearContents(1 | 2 | 4 | 8 | 16 | 32 | 64 | 128 | 256 | 512)
    else:
        sheets.insertNewByName(name, sheets.getCount())
        sheet = sheets.getByName(name)
    rows: list[tuple[Any, ...]] = [tuple(header)]
    for row in table["rows"]:
        values = [_uno_value(v) for v in row["values"]]
        values += [""] * (len(header) - len(values))
        if row["mark"] is not None:
            values[fill_col] = originals[row["mark"]]
        rows.append(tuple(values))
    sheet.getCellRangeByPosition(0, 0, len(header) - 1, len(rows) - 1).setDataArray(tuple(rows))
    for i, row in enumerate(table["rows"], start=1):
        if row["link"]:
            sheet.getCellByPosition(link_col, i).setFormula(_link(row["sheet"], row["link"]))
    sheet.getCellRangeByPosition(0, 0, len(header) - 1, 0).CharWeight = 150.0  # bold
    sheet.getColumns().getByIndex(fill_col).IsVisible = False
    return sheet


def _date_format(doc: Any, code: str) -> int:
    formats = doc.getNumberFormats()
    locale = uno.createUnoStruct("com.sun.star.lang.Locale")
    key = formats.queryKey(code, locale, False)
    return key if key >= 0 else formats.addNew(code, locale)


def update_kendali(doc: Any, plan: dict[str, Any]) -> bool:
    """Write the plan's Kendali SOP values (step 3 of a check, step 6 of a send) into the
    open document (dates keep a date format)."""
    kendali = plan.get("kendali")
    if not kendali:
        return False
    sheet = _sheets(doc).get(norm(kendali["sheet"]))
    if sheet is None:
        return False
    date_type = 2  # com.sun.star.util.NumberFormat.DATE
    formats = doc.getNumberFormats()
    for item in kendali["cells"]:
        cell = _cell(sheet, item["cell"])
        if cell is None:
            continue
        value = item["value"]
        if "date" in item:
            cell.setValue(float(value))
            if not formats.getByKey(cell.NumberFormat).Type & date_type:
                cell.NumberFormat = _date_format(doc, kendali["date_format"])
        elif isinstance(value, str):
            cell.setString(value)
        else:
            cell.setValue(float(value))
    return True


def summary(result: dict[str, Any]) -> str:
    errors, warnings = result.get("errors", 0), result.get("warnings", 0)
    if not result.get("findings"):
        return "Validasi selesai: tidak ada kesalahan atau peringatan. Data sesuai."
    text = f"Validasi selesai: {errors} kesalahan, {warnings} peringatan.\n\n"
    text += ("Sel merah = kesalahan, sel kuning = peringatan; komentar sel menjelaskan. "
             f"Daftar lengkap ada di sheet '{result['plan']['catatan']['sheet']}'.")
    return text


def validate_document(doc: Any, command: list[str] | None = None) -> dict[str, Any]:
    """Validate the open document and mark it. Returns sopxl's JSON (a dict: the result and
    the plan applied)."""
    folder = tempfile.mkdtemp(prefix="sopxl-lo-")
    try:
        copy = export_copy(doc, folder)
        result = run_sopxl(copy, command)
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    plan = result.get("plan")
    if not isinstance(plan, dict):
        raise MacroMessage("Keluaran sopxl tidak memuat rencana penandaan. Perbarui sopxl dengan\n\n"
                           "    pip install --upgrade sopxl")
    with contextlib.suppress(Exception):
        doc.lockControllers()
    try:
        clear_previous(doc, plan)
        originals = mark_cells(doc, plan)
        write_catatan(doc, plan, originals)
        update_kendali(doc, plan)
    finally:
        with contextlib.suppress(Exception):
            doc.unlockControllers()
    return result


# --- UI ---------------------------------------------------------------------------------------

def _message(doc: Any, text: str, error: bool = False, frame: Any = None) -> None:
    log = os.environ.get("SOPXL_LO_LOG")  # a file to copy every message into (diagnosis, tests)
    if log:
        with open(log, "a", encoding="utf-8") as fh:
            fh.write(text + "\n---\n")
    try:
        frame = frame or doc.getCurrentController().getFrame()
        window = frame.getContainerWindow()
        toolkit = window.getToolkit()
        kind = uno.Enum("com.sun.star.awt.MessageBoxType", "ERRORBOX" if error else "INFOBOX")
        box = toolkit.createMessageBox(window, kind, 1, "sopxl", text)
        box.execute()
    except Exception:
        sys.stderr.write(text + "\n")


NO_DOCUMENT = (
    "Tidak ada buku kerja LibreOffice Calc yang sedang dibuka, jadi tidak ada yang diperiksa.\n\n"
    "Buka dulu buku kerja Capaian Output di LibreOffice Calc, lalu jalankan lagi: Tools > "
    "Macros > Run Macro... > My Macros > sopxl_lo > validasi."
)


def _calc_document(macro: str) -> Any:
    """The open Calc document the macro `macro` was run on; None, after saying so in a
    message box, when it was run from the Start Center or another kind of document."""
    context = globals().get("XSCRIPTCONTEXT")  # provided by LibreOffice's script provider
    doc = context.getDocument() if context is not None else None
    if doc is not None and hasattr(doc, "getSheets"):
        return doc
    frame = None
    with contextlib.suppress(Exception):
        if doc is not None:
            frame = doc.getCurrentController().getFrame()
        elif context is not None:
            frame = context.getDesktop().getCurrentFrame()
    _message(doc, NO_DOCUMENT.replace("sopxl_lo > validasi", f"sopxl_lo > {macro}"), error=True, frame=frame)
    return None


def _run_macro(macro: str, work: Any, summarize: Any, failed: Any) -> None:
    """A macro's frame: find the Calc document, run `work(doc)`, show `summarize(result)` (as
    an error when `failed(result)`), or the sentence of a refusal."""
    doc = _calc_document(macro)
    if doc is None:
        return
    try:
        result = work(doc)
    except MacroMessage as exc:
        _message(doc, str(exc), error=True)
        return
    _message(doc, summarize(result), error=failed(result))


def validasi(*_args: Any) -> None:
    """Tools > Macros > Run: validate the open Calc document and mark it."""
    _run_macro("validasi", validate_document, summary, lambda result: bool(result.get("errors")))


# --- Kirim (SOP step 6) ---------------------------------------------------------------------

def run_kirim(path: str, command: list[str] | None = None, timeout: int = 300) -> dict[str, Any]:
    """`sopxl kirim path --format tanda` -> its JSON (status terkirim, draf, ditolak or gagal),
    with "plan": SOP step 6 for the open document after a send (sopxl leaves the file alone:
    LibreOffice holds it)."""
    proc = _call_sopxl(["kirim", path, "--format", "tanda"], command, timeout, (0, 1, 3), "mengirim")
    return _json_of((proc.stdout.strip().splitlines() or [""])[0], proc.stdout)


def open_in_mail_program(path: str) -> None:
    """Open the draft .eml with the program the system gives .eml files (Thunderbird, Outlook)."""
    if sys.platform == "win32":
        os.startfile(path)  # type: ignore[attr-defined,unused-ignore]
    elif sys.platform == "darwin":
        subprocess.Popen(["open", path])
    else:
        subprocess.Popen(["xdg-open", path])


def kirim_document(doc: Any, command: list[str] | None = None, open_mail: bool = True) -> dict[str, Any]:
    """Send (or draft) the saved file of the open document; sopxl's JSON."""
    if not doc.hasLocation():
        raise MacroMessage("Buku kerja ini belum pernah disimpan. Simpan dulu (File > Simpan Sebagai), "
                           "lalu jalankan kirim lagi.")
    if doc.isModified():
        raise MacroMessage("Ada perubahan yang belum disimpan. Yang dikirim adalah berkas yang tersimpan: "
                           "simpan dulu (Ctrl+S), lalu jalankan kirim lagi.")
    result = run_kirim(uno.fileUrlToSystemPath(doc.getURL()), command)
    if result.get("status") == "draf" and open_mail and result.get("eml"):
        open_in_mail_program(result["eml"])
    if result.get("status") == "terkirim" and result.get("plan"):
        result["langkah6"] = update_kendali(doc, result["plan"])
        update_state(doc, result["plan"])
    return result


def update_state(doc: Any, plan: dict[str, Any]) -> bool:
    """Replace sopxl's state sheet with the plan's rows (made hidden when it has to be made)."""
    state = plan.get("state")
    if not state or not state.get("rows"):
        return False
    sheets = doc.getSheets()
    name = state["sheet"]
    if not sheets.hasByName(name):
        sheets.insertNewByName(name, sheets.getCount())
    sheet = sheets.getByName(name)
    sheet.IsVisible = False
    cursor = sheet.createCursor()
    cursor.gotoEndOfUsedArea(False)
    used = max(cursor.getRangeAddress().EndRow + 1, 1)
    sheet.getCellRangeByPosition(0, 0, 1, used - 1).clearContents(1 | 2 | 4 | 16)  # VALUE STRING DATETIME FORMULA
    rows = state["rows"]
    target = sheet.getCellRangeByPosition(0, 0, 1, len(rows) - 1)
    target.setDataArray(tuple((str(k), v if isinstance(v, (int, float)) else str(v)) for k, v in rows))
    return True


def kirim_summary(result: dict[str, Any]) -> str:
    to = ", ".join(list(result.get("to", [])) + list(result.get("cc", [])))
    status = result.get("status")
    if status == "draf":
        return f"Draf e-mail untuk {to} dibuka di program e-mail Anda (berkas {result.get('eml')}). Periksa, lalu klik Kirim."
    if status == "terkirim":
        saved = ("\n\nLangkah 6 Kendali SOP sudah diisi di buku kerja ini: simpan (Ctrl+S)."
                 if result.get("langkah6") else "")
        return f"Terkirim ke {to}: {result.get('subject')}.{saved}"
    if status == "gagal":
        return f"Pengiriman gagal: {result.get('reason')}"
    return str(result.get("reason") or "Pengiriman ditolak.")


def kirim(*_args: Any) -> None:
    """Tools > Macros > Run: send the saved workbook upward, or draft the message."""
    _run_macro("kirim", kirim_document, kirim_summary, lambda result: result.get("status") in ("ditolak", "gagal"))


# --- Status (where the workbook stands in the SOP) -------------------------------------------

def run_status(path: str, command: list[str] | None = None, timeout: int = 120) -> str:
    """`sopxl status path` -> its text (months, next deadline, reports, Kendali SOP)."""
    return _call_sopxl(["status", path], command, timeout, (0,), "membaca").stdout.strip()


def status(*_args: Any) -> None:
    """Tools > Macros > Run: where the SAVED workbook stands in the SOP; nothing is written."""
    doc = _calc_document("status")
    if doc is None:
        return
    if not doc.hasLocation():
        _message(doc, "Buku kerja ini belum pernah disimpan. Simpan dulu (File > Simpan Sebagai), "
                      "lalu jalankan status lagi.", error=True)
        return
    try:
        text = run_status(uno.fileUrlToSystemPath(doc.getURL()))
    except MacroMessage as exc:
        _message(doc, str(exc), error=True)
        return
    if doc.isModified():
        text = "Perubahan yang belum disimpan tidak ikut dihitung.\n\n" + text
    _message(doc, text)


g_exportedScripts = (validasi, kirim, status)
