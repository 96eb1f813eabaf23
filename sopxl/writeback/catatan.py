"""The sheets validation writes for people: `Catatan Koreksi` (the correction list) and,
when the workbook has none, `Kendali SOP` (the SOP's six steps). Both are built with
XlsxWriter into a temporary workbook and grafted into the user's workbook."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING
from xml.sax.saxutils import escape

from sopxl.core import spec
from sopxl.core.findings import SEVERITY_LABEL

if TYPE_CHECKING:
    from sopxl.ooxml import WorkbookPackage

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
MAX_LINKS = 65_530  # Excel's limit of hyperlinks per worksheet


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

    wb = xlsxwriter.Workbook(str(path), {"strings_to_urls": False, "strings_to_formulas": False, "constant_memory": True})
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
        ws.merge_range(3 + i, 0, 3 + i, 1, label, bold)  # columns A:B, wide enough for the label
        ws.write_number(3 + i, 2, n)
    hr = CATATAN_HEADER_ROW - 1
    for j, h in enumerate(CATATAN_HEADER):
        ws.write(hr, j, h, head)
    # Prototype rows, one per row style: fill_rows() replaces them with the real rows (writing
    # tens of thousands of rows through XlsxWriter would cost seconds).
    for i, (sev_fmt, status) in enumerate(((err, STATUS_BARU), (warn, STATUS_BARU), (done, STATUS_SELESAI))):
        r = hr + 1 + i
        ws.write_number(r, 0, i + 1, cell)
        ws.write_string(r, 1, "-", sev_fmt)
        ws.write_string(r, 2, "-", cell)
        ws.write_url(r, 3, "internal:A1", link, string="A1")
        for j in (4, 5):
            ws.write_string(r, j, "-", cell)
        ws.write_string(r, 6, "-", wrap)
        ws.write_string(r, 7, "-", wrap)
        ws.write_string(r, 8, status, sev_fmt)
    for j, width in enumerate((5, 12, 14, 7, 24, 20, 60, 45, 16)):
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


_PROTO_S = re.compile(rb'<c r="([A-Z]+)(\d+)" s="(\d+)"')


def fill_rows(pkg: WorkbookPackage, entries: list[Entry]) -> None:
    """Replace the prototype rows of the grafted Catatan Koreksi with one row per entry."""
    part = pkg.sheet_part(spec.SHEET_CATATAN)
    xml = pkg.read(part)
    first = CATATAN_HEADER_ROW + 1
    start = xml.index(b'<row r="%d"' % first)
    end = xml.index(b"</sheetData>", start)
    styles: dict[tuple[str, int], bytes] = {}
    for m in _PROTO_S.finditer(xml, start, end):
        styles[(m.group(1).decode(), int(m.group(2)))] = m.group(3)
    s_cell, s_link, s_wrap = styles[("A", first)], styles[("D", first)], styles[("G", first)]
    s_sev = {"error": styles[("B", first)], "warning": styles[("B", first + 1)], "done": styles[("B", first + 2)]}

    def text(ref: bytes, s: bytes, value: str) -> bytes:
        if not value:
            return b'<c r="%s" s="%s"/>' % (ref, s)
        return b'<c r="%s" s="%s" t="inlineStr"><is><t xml:space="preserve">%s</t></is></c>' % (
            ref, s, _xml_text(value)
        )

    # Level, sheet, rule, suggestion and status take few distinct values: escaped once each.
    escaped: dict[str, bytes] = {}

    def few(ref: bytes, s: bytes, value: str) -> bytes:
        if not value:
            return b'<c r="%s" s="%s"/>' % (ref, s)
        body = escaped.get(value)
        if body is None:
            body = escaped[value] = _xml_text(value)
        return b'<c r="%s" s="%s" t="inlineStr"><is><t xml:space="preserve">%s</t></is></c>' % (ref, s, body)

    rows: list[bytes] = []
    links: list[bytes] = []
    for i, e in enumerate(entries):
        r = first + i
        rb = str(r).encode()
        sev = s_sev["done"] if e.status == STATUS_SELESAI else s_sev.get(e.severity, s_sev["warning"])
        label = SEVERITY_LABEL.get(e.severity, e.severity)
        link = e.linkable and bool(e.cell) and len(links) < MAX_LINKS
        # Wrapped message and suggestion: a row tall enough for them (no client auto-fits a
        # row height written in the file; 60 and 45 characters per line fit columns G and H).
        lines = max(1, -(-len(e.message) // 60), -(-len(e.suggestion or "") // 45))
        rows.append(
            (b'<row r="%s" ht="%d" customHeight="1">' % (rb, 15 * min(lines, 12)) if lines > 1 else b'<row r="%s">' % rb)
            + b'<c r="A%s" s="%s"><v>%d</v></c>' % (rb, s_cell, i + 1)
            + few(b"B" + rb, sev, label)
            + few(b"C" + rb, s_cell, e.sheet)
            + text(b"D" + rb, s_link if link else s_cell, e.cell or "")
            + text(b"E" + rb, s_cell, e.ro or "")
            + few(b"F" + rb, s_cell, e.rule)
            + text(b"G" + rb, s_wrap, e.message)
            + few(b"H" + rb, s_wrap, e.suggestion or "")
            + few(b"I" + rb, sev, e.status)
            + b"</row>"
        )
        if link:
            location = f"{quote_sheet(e.sheet)}!{e.cell}"
            links.append(
                b'<hyperlink ref="D%s" location="%s" display="%s" tooltip="Buka sel ini"/>'
                % (rb, _xml_attr(location), _xml_attr(e.cell))
            )
    last = first + max(len(entries), 1) - 1
    # Replace in the small head and tail only, then join once: the rows may be large.
    head = re.sub(rb'<dimension ref="[^"]*"/>', b'<dimension ref="A1:I%d"/>' % last, xml[:start], count=1)
    tail = xml[end:]
    hl = re.search(rb"<hyperlinks>.*?</hyperlinks>", tail, re.DOTALL)
    block = b"<hyperlinks>" + b"".join(links) + b"</hyperlinks>" if links else b""
    tail_parts = [tail[: hl.start()], block, tail[hl.end() :]] if hl else [tail]
    del links
    rows.insert(0, head)
    rows.extend(tail_parts)
    data = b"".join(rows)
    del rows
    pkg.write(part, data)


def _xml_text(value: str) -> bytes:
    return _ILLEGAL.sub("", escape(value)).encode("utf-8")


def _xml_attr(value: str) -> bytes:
    """A value for a double-quoted XML attribute (quoteattr may pick single quotes instead)."""
    text = value.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace('"', "&quot;")
    return _ILLEGAL.sub("", text.replace("\n", "&#10;").replace("\t", "&#9;")).encode("utf-8")


_ILLEGAL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f]")
