"""Turn a workbook being written with XlsxWriter into the `.xlsm` with sopxl's buttons.

`attach_macros` adds, in this order:

1. the `xlwings.conf` settings sheet (hidden; xlwings reads key/value rows from A1 down,
   keys in column A, values in column B, no header, no blank row);
2. VBA code names for the workbook and every worksheet;
3. the VBA project compiled from source (`sopxl.build.vba`): document modules matching those
   code names, xlwings' standalone VBA and sopxl's `macros/*.bas`;
4. form buttons on `Petunjuk` and `Kendali SOP`, each linked to a Sub of `macros/Sopxl.bas`.

Call it after every worksheet has been added and before `workbook.close()`; the file name
must end in `.xlsm`.
"""

from __future__ import annotations

import io
import sys
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from sopxl.core import spec

CONF_SHEET = "xlwings.conf"
WORKBOOK_CODENAME = "ThisWorkbook"


@dataclass(frozen=True)
class Button:
    macro: str  # a Public Sub of macros/Sopxl.bas
    caption: str
    python: str  # the sopxl.excel function it runs (the stable entry module)


BUTTONS: tuple[Button, ...] = (
    Button("Validasi", "Validasi", "validasi"),
    Button("KonsolidasiSemester1", "Konsolidasi Semester I", "konsolidasi_semester1"),
    Button("KonsolidasiSemester2", "Konsolidasi Semester II", "konsolidasi_semester2"),
    Button("KonsolidasiTahunan", "Konsolidasi Tahunan", "konsolidasi_tahunan"),
    Button("Kirim", "Kirim ke Atasan", "kirim"),
    Button("StatusSop", "Status", "status"),
)
BUTTON_SHEETS: tuple[str, ...] = (spec.SHEET_PETUNJUK, spec.SHEET_KENDALI)

_CONF_HELP = (
    "Pengaturan tombol sopxl (dibaca oleh xlwings). Kolom A = kunci, kolom B = nilai, mulai A1 "
    "tanpa baris kosong.",
    "Interpreter_Win / Interpreter_Mac: lokasi python.exe / python yang sudah berisi sopxl. "
    "Jika baris ini tidak ada, dipakai pengaturan dari 'sopxl excel-setup' atau 'python' di PATH.",
    "Hapus sebuah baris untuk memakai nilai dari berkas xlwings.conf pengguna.",
)


def conf_rows(
    interpreter_win: str | None = None, interpreter_mac: str | None = None
) -> list[tuple[str, Any]]:
    """The key/value rows of the `xlwings.conf` sheet (keys as the xlwings quickstart spells them)."""
    rows: list[tuple[str, Any]] = []
    if interpreter_win:
        rows.append(("Interpreter_Win", interpreter_win))
    if interpreter_mac:
        rows.append(("Interpreter_Mac", interpreter_mac))
    rows += [
        # sopxl is an installed package: do not put the workbook's folder on sys.path, so a
        # stray sopxl.py next to the workbook cannot shadow it.
        ("ADD_WORKBOOK_TO_PYTHONPATH", "false"),
        ("Use UDF Server", False),
        ("Show Console", False),
    ]
    return rows


def default_interpreters() -> tuple[str | None, str | None]:
    """This Python, when the workbook is being made on the machine that will run Excel."""
    if sys.platform.startswith("win"):
        return sys.executable, None
    if sys.platform == "darwin":
        return None, sys.executable
    return None, None


def _last_col(worksheet: Any) -> int:
    col = getattr(worksheet, "dim_colmax", None)
    return int(col) if isinstance(col, int) else 0


def attach_macros(
    workbook: Any,
    sheets: Mapping[str, Any],
    *,
    interpreter_win: str | None = None,
    interpreter_mac: str | None = None,
    portable: bool = False,
) -> None:
    """Add the VBA project, the `xlwings.conf` sheet and the buttons to an XlsxWriter workbook.

    `sheets` maps sheet names to their XlsxWriter worksheets (buttons go on `Petunjuk` and
    `Kendali SOP` when present). Interpreters default to this Python on Windows/macOS, unless
    `portable`: then none is written and each computer's `sopxl excel-setup` supplies it.
    """
    from sopxl.build.vba import build_vba_project

    if interpreter_win is None and interpreter_mac is None and not portable:
        interpreter_win, interpreter_mac = default_interpreters()

    existing = {ws.get_name() for ws in workbook.worksheets()}
    if CONF_SHEET not in existing:
        conf = workbook.add_worksheet(CONF_SHEET)
        for row, (key, value) in enumerate(conf_rows(interpreter_win, interpreter_mac)):
            conf.write(row, 0, key)
            if isinstance(value, bool):
                conf.write_boolean(row, 1, value)
            else:
                conf.write_string(row, 1, value)
        for i, text in enumerate(_CONF_HELP):
            conf.write_string(i, 3, text)
        conf.set_column(0, 0, 28)
        conf.set_column(1, 1, 40)
        conf.hide()

    workbook.set_vba_name(WORKBOOK_CODENAME)
    codenames: list[str] = []
    for ws in workbook.worksheets():
        if not ws.vba_codename:
            ws.set_vba_name()  # Sheet<index + 1>, as Excel names them
        codenames.append(ws.vba_codename)
    project = build_vba_project(codenames, WORKBOOK_CODENAME)
    workbook.add_vba_project(io.BytesIO(project), is_stream=True)

    for name in BUTTON_SHEETS:
        ws = sheets.get(name)
        if ws is None:
            continue
        col = max(_last_col(ws) + 2, 9)
        for i, button in enumerate(BUTTONS):
            ws.insert_button(
                1 + i * 3,
                col,
                {
                    "macro": button.macro,
                    "caption": button.caption,
                    "width": 190,
                    "height": 36,
                    "description": f"Jalankan {button.caption} sopxl",
                },
            )
