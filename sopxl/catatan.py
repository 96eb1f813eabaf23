"""The sheets validation writes for people: `Catatan Koreksi` (the correction list) and,
when the workbook has none, `Kendali SOP` (the SOP's six steps). Both are built with
XlsxWriter into a temporary workbook and grafted into the user's workbook."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

from sopxl import spec
from sopxl.findings import SEVERITY_LABEL

STATUS_BARU = "Baru"
STATUS_BELUM = "Belum diperbaiki"
STATUS_SELESAI = "Selesai"
CATATAN_HEADER = (
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
CATATAN_HEADER_ROW = 10  # 1-based row of the table header


@dataclass
class Entry:
    """One row of Catatan Koreksi."""

    severity: str  # "error" / "warning"
    sheet: str
    cell: str
    ro: str | None
    rule: str
    message: str
    suggestion: str | None
    status: str
    linkable: bool = True


def quote_sheet(name: str) -> str:
    return "'" + name.replace("'", "''") + "'"


def status_kendali(errors: int) -> str:
    return "Sesuai" if errors == 0 else "Tidak sesuai - dikembalikan untuk diperbaiki"


def catatan_kendali(errors: int, warnings: int, fixed: int) -> str:
    text = f"{errors} kesalahan, {warnings} peringatan"
    if fixed:
        text += f"; {fixed} temuan selesai diperbaiki sejak pemeriksaan sebelumnya"
    return text + "; rincian di lembar Catatan Koreksi."


def build_sheets(
    path: Path,
    entries: list[Entry],
    file_name: str,
    when: dt.datetime,
    kendali_today: dt.date | None = None,
    errors: int = 0,
    warnings: int = 0,
) -> None:
    """Write a workbook holding `Catatan Koreksi` (and `Kendali SOP` when kendali_today is set)."""
    import xlsxwriter

    wb = xlsxwriter.Workbook(str(path), {"strings_to_urls": False, "strings_to_formulas": False})
    title = wb.add_format({"bold": True, "font_size": 14})
    bold = wb.add_format({"bold": True})
    head = wb.add_format({"bold": True, "bg_color": "#1F4E78", "font_color": "#FFFFFF", "border": 1, "text_wrap": True, "valign": "top"})
    wrap = wb.add_format({"text_wrap": True, "valign": "top", "border": 1})
    cell = wb.add_format({"valign": "top", "border": 1})
    link = wb.add_format({"valign": "top", "border": 1, "font_color": "#0563C1", "underline": 1})
    err = wb.add_format({"valign": "top", "border": 1, "bg_color": "#FFC7CE", "font_color": "#9C0006"})
    warn = wb.add_format({"valign": "top", "border": 1, "bg_color": "#FFEB9C", "font_color": "#9C5700"})
    done = wb.add_format({"valign": "top", "border": 1, "bg_color": "#C6EFCE", "font_color": "#006100"})
    date_fmt = wb.add_format({"num_format": "dd/mm/yyyy", "valign": "top", "border": 1})

    ws = wb.add_worksheet(spec.SHEET_CATATAN)
    ws.write(0, 0, "CATATAN KOREKSI CAPAIAN OUTPUT", title)
    ws.write(1, 0, f"Berkas: {file_name}")
    ws.write(2, 0, f"Diperiksa: {when:%d/%m/%Y %H:%M}")
    active = [e for e in entries if e.status != STATUS_SELESAI]
    counts = (
        ("Kesalahan", sum(1 for e in active if e.severity == "error")),
        ("Peringatan", sum(1 for e in active if e.severity == "warning")),
        (STATUS_BARU, sum(1 for e in entries if e.status == STATUS_BARU)),
        (STATUS_BELUM, sum(1 for e in entries if e.status == STATUS_BELUM)),
        (STATUS_SELESAI, sum(1 for e in entries if e.status == STATUS_SELESAI)),
    )
    for i, (label, n) in enumerate(counts):
        ws.write(3 + i, 0, label, bold)
        ws.write_number(3 + i, 1, n)
    hr = CATATAN_HEADER_ROW - 1
    for j, h in enumerate(CATATAN_HEADER):
        ws.write(hr, j, h, head)
    for i, e in enumerate(entries, start=1):
        r = hr + i
        sev_fmt = done if e.status == STATUS_SELESAI else err if e.severity == "error" else warn
        ws.write_number(r, 0, i, cell)
        ws.write_string(r, 1, SEVERITY_LABEL.get(e.severity, e.severity), sev_fmt)
        ws.write_string(r, 2, e.sheet, cell)
        if e.linkable and e.cell:
            ws.write_url(r, 3, f"internal:{quote_sheet(e.sheet)}!{e.cell}", link, string=e.cell, tip="Buka sel ini")
        else:
            ws.write_string(r, 3, e.cell or "", cell)
        ws.write_string(r, 4, e.ro or "", cell)
        ws.write_string(r, 5, e.rule, cell)
        ws.write_string(r, 6, e.message, wrap)
        ws.write_string(r, 7, e.suggestion or "", wrap)
        ws.write_string(r, 8, e.status, sev_fmt)
    for j, width in enumerate((5, 11, 14, 7, 24, 20, 60, 45, 16)):
        ws.set_column(j, j, width)
    ws.freeze_panes(hr + 1, 0)
    ws.autofilter(hr, 0, hr + max(len(entries), 1), len(CATATAN_HEADER) - 1)
    ws.repeat_rows(hr)
    ws.set_landscape()
    ws.set_paper(9)  # A4
    ws.fit_to_pages(1, 0)

    if kendali_today is not None:
        ks = wb.add_worksheet(spec.SHEET_KENDALI)
        ks.write(0, 0, "KENDALI SOP PENYUSUNAN DAN PEMANTAUAN EVALUASI KINERJA SMART", title)
        for j, h in enumerate(spec.KENDALI_COLUMNS):
            ks.write(2, j, h, head)
        for i, (step, actor, activity, minutes, output) in enumerate(spec.SOP_STEPS):
            r = 3 + i
            ks.write_number(r, 0, step, cell)
            ks.write_string(r, 1, actor, wrap)
            ks.write_string(r, 2, activity, wrap)
            ks.write_string(r, 3, minutes, cell)
            ks.write_string(r, 4, output, wrap)
            if step == 3:
                ks.write_datetime(r, 5, dt.datetime.combine(kendali_today, dt.time()), date_fmt)
                ks.write_string(r, 6, status_kendali(errors), wrap)
                ks.write_string(r, 7, catatan_kendali(errors, warnings, 0), wrap)
            else:
                ks.write_blank(r, 5, None, date_fmt)
                ks.write_blank(r, 6, None, wrap)
                ks.write_blank(r, 7, None, wrap)
        for j, width in enumerate((8, 22, 50, 12, 30, 12, 28, 45)):
            ks.set_column(j, j, width)
        ks.set_landscape()
        ks.fit_to_pages(1, 0)
    wb.close()
