"""The sheets validation writes for people: `Catatan Koreksi` (the correction list) and the
step-3 row of `Kendali SOP` (the SOP's six steps).

What goes into them is computed here once (catatan_entries, catatan_rows, kendali_step3,
kendali_updates) for every writer: the CLI builds both sheets with XlsxWriter into a temporary
workbook and grafts them into the user's (build_sheets, fill_rows); the Excel button and the
LibreOffice macro write the same rows into the open workbook.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sopxl.core import spec
from sopxl.core.findings import SEVERITY_LABEL, Finding
from sopxl.ooxml import cells
from sopxl.ooxml.xmltext import xml_attr, xml_text
from sopxl.writeback.look import (
    CATATAN_HEADER,
    DONE_FILL,
    FILLS,
    FONTS,
    ORIGINAL_FILL_COLUMN,
    hex_color,
)

if TYPE_CHECKING:
    from sopxl.ooxml import WorkbookPackage

STATUS_BARU = "Baru"
STATUS_BELUM = "Belum diperbaiki"
STATUS_SELESAI = "Selesai"
CATATAN_HEADER_ROW = 10  # 1-based row of the table header
MAX_LINKS = 65_530  # Excel's limit of hyperlinks per worksheet
# Column widths in characters; Pesan and Saran Perbaikan wrap at theirs.
WIDTHS: dict[str, int] = {
    "No": 5,
    "Tingkat": 12,
    "Lembar": 14,
    "Sel": 7,
    "Kode RO": 24,
    "Aturan": 20,
    "Pesan": 60,
    "Saran Perbaikan": 45,
    "Status": 16,
}
_INDEX = {name: i for i, name in enumerate(CATATAN_HEADER)}


@dataclass
class Entry:
    """One finding listed in Catatan Koreksi."""

    severity: str  # "error" / "warning"
    sheet: str
    cell: str
    ro: str | None
    rule: str
    message: str
    suggestion: str | None
    status: str
    linkable: bool = True


@dataclass(frozen=True)
class CatatanRow:
    """One row of the Catatan Koreksi table, whoever writes it (CLI, Excel button, macro)."""

    values: tuple[Any, ...]  # one per CATATAN_HEADER column
    sheet: str
    link: str | None  # the cell of `sheet` that the Sel column links to
    look: str  # "error", "warning" or "done": which row style

    def value(self, column: str) -> Any:
        return self.values[_INDEX[column]]


def quote_sheet(name: str) -> str:
    return "'" + name.replace("'", "''") + "'"


def catatan_entries(
    findings: Iterable[Finding],
    seen_before: Callable[[Finding], bool],
    has_sheet: Callable[[str], bool],
    fixed: Iterable[Entry] = (),
) -> list[Entry]:
    """The Catatan Koreksi list: this run's findings (Baru, or Belum diperbaiki when the
    previous run listed them too), then the previous run's findings now gone (`fixed`)."""
    entries = [
        Entry(
            f.severity,
            f.sheet,
            f.cell,
            f.ro,
            f.rule,
            f.message,
            f.suggestion,
            STATUS_BELUM if seen_before(f) else STATUS_BARU,
            has_sheet(f.sheet),
        )
        for f in findings
    ]
    entries.extend(fixed)
    return entries


def _is_ref(cell: str) -> bool:
    try:
        for part in cell.split(":", 1):
            spec.parse_ref(part)
    except ValueError:
        return False
    return True


def catatan_rows(entries: Iterable[Entry]) -> list[CatatanRow]:
    """The table rows of `entries`: values, the cell each row links to, the row style."""
    rows: list[CatatanRow] = []
    links = 0
    for i, e in enumerate(entries, start=1):
        link = e.cell if e.linkable and e.cell and links < MAX_LINKS and _is_ref(e.cell) else None
        links += link is not None
        values = {
            "No": i,
            "Tingkat": SEVERITY_LABEL.get(e.severity, e.severity),
            "Lembar": e.sheet,
            "Sel": e.cell or "",
            "Kode RO": e.ro or "",
            "Aturan": e.rule,
            "Pesan": e.message,
            "Saran Perbaikan": e.suggestion or "",
            "Status": e.status,
        }
        look = "done" if e.status == STATUS_SELESAI else e.severity if e.severity in FILLS else "warning"
        # a message quotes the cell's value: with a long one it passes Excel's cell limit
        cells_of_row = tuple(cells.clip_text(v) if isinstance(v, str) else v for v in (values[n] for n in CATATAN_HEADER))
        rows.append(CatatanRow(cells_of_row, e.sheet, link, look))
    return rows


@dataclass(frozen=True)
class Listed:
    """A finding an existing Catatan Koreksi lists (the previous run's)."""

    sheet: str
    cell: str
    rule: str
    original_fill: str  # "#RRGGBB" the cell had before its mark, "" for none or unknown
    severity: str = ""  # "error" / "warning" ("" when the Tingkat column is unknown)
    ro: str = ""
    message: str = ""
    status: str = ""

    def key(self) -> str:
        """The key of the finding as sopxl's state records it (marks.finding_key)."""
        return f"{self.rule}|{self.sheet}|{self.cell}|{self.ro}"


def catatan_header(rows: Sequence[Sequence[Any]]) -> tuple[int, dict[str, int]] | None:
    """The header row of a Catatan Koreksi given as its rows of values: its index and the
    column of each (normalised) header name."""
    return next(
        (
            (r, header)
            for r, header in (
                (r, {spec.norm(c): i for i, c in enumerate(row) if c is not None})
                for r, row in enumerate(rows[: spec.HEADER_SCAN_ROWS])
            )
            if spec.norm("Lembar") in header and spec.norm("Sel") in header
        ),
        None,
    )


def is_button_catatan(rows: Sequence[Sequence[Any]]) -> bool:
    """Whether a button wrote this Catatan Koreksi (it has the original fill column; the
    CLI's has not): then it, not sopxl's state, tells the previous run's marks."""
    found = catatan_header(rows)
    return found is not None and spec.norm(ORIGINAL_FILL_COLUMN) in found[1]


def listed_findings(rows: Sequence[Sequence[Any]]) -> list[Listed]:
    """The findings listed by a Catatan Koreksi sheet given as its rows of values."""
    found = catatan_header(rows)
    if found is None:
        return []
    r, header = found
    i_sheet, i_cell = header[spec.norm("Lembar")], header[spec.norm("Sel")]
    column = {name: header.get(spec.norm(name)) for name in ("Aturan", "Tingkat", "Kode RO", "Pesan", "Status")}
    i_fill = header.get(spec.norm(ORIGINAL_FILL_COLUMN))
    severity_of = {label: severity for severity, label in SEVERITY_LABEL.items()}

    def at(row: Sequence[Any], i: int | None) -> str:
        return str(row[i]) if i is not None and i < len(row) and row[i] not in (None, "") else ""

    listed = []
    for row in rows[r + 1 :]:
        sheet, cell = at(row, i_sheet), at(row, i_cell).replace("$", "").upper()
        if sheet and cell:
            label = at(row, column["Tingkat"])
            listed.append(
                Listed(
                    sheet,
                    cell,
                    at(row, column["Aturan"]),
                    at(row, i_fill),
                    severity_of.get(label, label),
                    at(row, column["Kode RO"]),
                    at(row, column["Pesan"]),
                    at(row, column["Status"]),
                )
            )
    return listed


# --- Kendali SOP ----------------------------------------------------------------------------


def status_kendali(errors: int) -> str:
    return "Sesuai" if errors == 0 else "Tidak sesuai - dikembalikan untuk diperbaiki"


def catatan_kendali(errors: int, warnings: int, fixed: int) -> str:
    text = f"{errors} kesalahan, {warnings} peringatan"
    if fixed:
        text += f"; {fixed} temuan selesai diperbaiki sejak pemeriksaan sebelumnya"
    return text + "; rincian di lembar Catatan Koreksi."


def kendali_step3(today: dt.date, errors: int, warnings: int, fixed: int) -> dict[str, Any]:
    """What SOP step 3 (the Kasi's check) gets in Kendali SOP, by column header."""
    return {
        "Tanggal": today,
        "Status": status_kendali(errors),
        "Catatan": catatan_kendali(errors, warnings, fixed),
    }


def kendali_updates(
    rows: Sequence[Sequence[Any]], step3: Mapping[str, Any], top: int = 1, left: int = 1, step_number: int = 3
) -> dict[str, Any]:
    """{cell: value} writing `step3` into the row whose Langkah is `step_number` (3, the
    check; 6, the send) of a Kendali SOP sheet given as rows of values starting at cell
    (top, left); {} when the sheet has no such row."""
    langkah = spec.norm("Langkah")
    header = next(
        (
            i
            for i, row in enumerate(rows[: spec.HEADER_SCAN_ROWS])
            if any(isinstance(v, str) and spec.norm(v) == langkah for v in row)
        ),
        None,
    )
    if header is None:
        return {}
    columns = {spec.norm(v): c for c, v in enumerate(rows[header]) if isinstance(v, str)}
    at = columns[langkah]
    step = next(
        (i for i in range(header + 1, len(rows)) if at < len(rows[i]) and str(rows[i][at]).strip() in (str(step_number), f"{step_number}.0")),
        None,
    )
    if step is None:
        return {}
    updates = {}
    for label, value in step3.items():
        col = columns.get(spec.norm(label))
        if col is not None:
            updates[spec.cell_ref(top + step, left + col)] = value
    return updates


def grid(values: Mapping[tuple[int, int], Any]) -> list[list[Any]]:
    """Cell values by 1-based (row, col) as rows of values from A1 (None for empty cells)."""
    if not values:
        return []
    width = max(c for _, c in values)
    rows: list[list[Any]] = [[None] * width for _ in range(max(r for r, _ in values))]
    for (r, c), v in values.items():
        rows[r - 1][c - 1] = v
    return rows


# How each column's cells look: "look" takes the row's error/warning/done style.
_KIND: dict[str, str] = {
    "No": "cell",
    "Tingkat": "look",
    "Lembar": "cell",
    "Sel": "link",
    "Kode RO": "cell",
    "Aturan": "cell",
    "Pesan": "wrap",
    "Saran Perbaikan": "wrap",
    "Status": "look",
}
_LOOKS = ("error", "warning", "done")


def build_sheets(
    path: Path,
    rows: list[CatatanRow],
    file_name: str,
    when: dt.datetime,
    kendali: Mapping[str, Any] | None = None,
) -> None:
    """Write a workbook holding `Catatan Koreksi` (and `Kendali SOP`, its step 3 filled with
    `kendali`, when that is given)."""
    import xlsxwriter

    wb = xlsxwriter.Workbook(str(path), {"strings_to_urls": False, "strings_to_formulas": False, "constant_memory": True})
    title = wb.add_format({"bold": True, "font_size": 14})
    bold = wb.add_format({"bold": True})
    head = wb.add_format({"bold": True, "bg_color": "#1F4E78", "font_color": "#FFFFFF", "border": 1, "text_wrap": True, "valign": "top"})
    wrap = wb.add_format({"text_wrap": True, "valign": "top", "border": 1})
    cell = wb.add_format({"valign": "top", "border": 1})
    link = wb.add_format({"valign": "top", "border": 1, "font_color": "#0563C1", "underline": 1})
    fills = {**FILLS, "done": DONE_FILL}
    looks = {
        name: wb.add_format(
            {"valign": "top", "border": 1, "bg_color": hex_color(fills[name]), "font_color": hex_color(FONTS[name])}
        )
        for name in _LOOKS
    }
    date_fmt = wb.add_format({"num_format": "dd/mm/yyyy", "valign": "top", "border": 1})

    ws = wb.add_worksheet(spec.SHEET_CATATAN)
    ws.write(0, 0, "CATATAN KOREKSI CAPAIAN OUTPUT", title)
    ws.write(1, 0, f"Berkas: {file_name}")
    ws.write(2, 0, f"Diperiksa: {when:%d/%m/%Y %H:%M}")
    statuses = [row.value("Status") for row in rows]
    counts = (
        ("Kesalahan", sum(1 for row in rows if row.look == "error")),
        ("Peringatan", sum(1 for row in rows if row.look == "warning")),
        (STATUS_BARU, statuses.count(STATUS_BARU)),
        (STATUS_BELUM, statuses.count(STATUS_BELUM)),
        (STATUS_SELESAI, statuses.count(STATUS_SELESAI)),
    )
    for i, (label, n) in enumerate(counts):
        ws.merge_range(3 + i, 0, 3 + i, 1, label, bold)  # columns A:B, wide enough for the label
        ws.write_number(3 + i, 2, n)
    hr = CATATAN_HEADER_ROW - 1
    for j, h in enumerate(CATATAN_HEADER):
        ws.write(hr, j, h, head)
    # Prototype rows, one per row style: fill_rows() replaces them with the real rows (writing
    # tens of thousands of rows through XlsxWriter would cost seconds).
    status_of = {"error": STATUS_BARU, "warning": STATUS_BARU, "done": STATUS_SELESAI}
    for i, name in enumerate(_LOOKS):
        r = hr + 1 + i
        for j, column in enumerate(CATATAN_HEADER):
            kind = _KIND[column]
            if column == "No":
                ws.write_number(r, j, i + 1, cell)
            elif column == "Status":
                ws.write_string(r, j, status_of[name], looks[name])
            elif kind == "link":
                ws.write_url(r, j, "internal:A1", link, string="A1")
            else:
                ws.write_string(r, j, "-", {"cell": cell, "wrap": wrap, "look": looks[name]}[kind])
    for j, column in enumerate(CATATAN_HEADER):
        ws.set_column(j, j, WIDTHS[column])
    ws.freeze_panes(hr + 1, 0)
    ws.autofilter(hr, 0, hr + max(len(rows), 1), len(CATATAN_HEADER) - 1)
    ws.repeat_rows(hr)
    ws.set_landscape()
    ws.set_paper(9)  # A4
    ws.fit_to_pages(1, 0)

    if kendali is not None:
        ks = wb.add_worksheet(spec.SHEET_KENDALI)
        ks.write(0, 0, "KENDALI SOP PENYUSUNAN DAN PEMANTAUAN EVALUASI KINERJA SMART", title)
        for j, h in enumerate(spec.KENDALI_COLUMNS):
            ks.write(2, j, h, head)
        filled = {spec.KENDALI_COLUMNS.index(label): value for label, value in kendali.items()}
        for i, (step, actor, activity, minutes, output) in enumerate(spec.SOP_STEPS):
            r = 3 + i
            ks.write_number(r, 0, step, cell)
            ks.write_string(r, 1, actor, wrap)
            ks.write_string(r, 2, activity, wrap)
            ks.write_string(r, 3, minutes, cell)
            ks.write_string(r, 4, output, wrap)
            for j in range(5, len(spec.KENDALI_COLUMNS)):
                fmt = date_fmt if spec.KENDALI_COLUMNS[j] == "Tanggal" else wrap
                value = filled.get(j) if step == 3 else None
                if isinstance(value, dt.date):
                    ks.write_datetime(r, j, dt.datetime.combine(value, dt.time()), fmt)
                elif value is not None:
                    ks.write_string(r, j, str(value), fmt)
                else:
                    ks.write_blank(r, j, None, fmt)
        for j, width in enumerate((8, 22, 50, 12, 30, 12, 28, 45)):
            ks.set_column(j, j, width)
        ks.set_landscape()
        ks.fit_to_pages(1, 0)
    wb.close()


def _style_at(xml: bytes, ref: str, start: int, end: int) -> bytes:
    """The style index (as written) of cell `ref` between xml[start:end]."""
    at = xml.index(b'<c r="%s"' % ref.encode(), start, end)
    s = cells.get_style(xml[at : xml.index(b">", at) + 1])
    return b"%d" % (s or 0)


def fill_rows(pkg: WorkbookPackage, rows: list[CatatanRow]) -> None:
    """Replace the prototype rows of the grafted Catatan Koreksi with `rows`."""
    part = pkg.sheet_part(spec.SHEET_CATATAN)
    xml = pkg.read(part)
    first = CATATAN_HEADER_ROW + 1
    start = xml.index(b'<row r="%d"' % first)
    end = xml.index(b"</sheetData>", start)
    letters = [spec.col_letter(j).encode() for j in range(1, len(CATATAN_HEADER) + 1)]
    # per row style: each column's style index, as the prototype rows carry them
    styles = {
        name: [_style_at(xml, spec.cell_ref(first + i, j), start, end) for j in range(1, len(CATATAN_HEADER) + 1)]
        for i, name in enumerate(_LOOKS)
    }
    plain = styles["error"][next(j for j, c in enumerate(CATATAN_HEADER) if _KIND[c] == "cell")]
    i_sel = CATATAN_HEADER.index("Sel")
    i_pesan, i_saran = CATATAN_HEADER.index("Pesan"), CATATAN_HEADER.index("Saran Perbaikan")
    width_pesan, width_saran = WIDTHS["Pesan"], WIDTHS["Saran Perbaikan"]
    # Each cell is written as constant pieces around its row number and value, made once per
    # row style and column: tens of thousands of rows cost one list extend per cell.
    heads = [b'<c r="' + letter for letter in letters]
    link_cols = [_KIND[c] == "link" for c in CATATAN_HEADER]

    def pieces(s: bytes) -> tuple[bytes, bytes, bytes]:
        """(before a number, before a text, an empty cell) after `<c r="A12`, in style s."""
        return (
            b'" s="%s"><v>' % s,
            b'" s="%s" t="inlineStr"><is><t xml:space="preserve">' % s,
            b'" s="%s"/>' % s,
        )

    made = {name: [pieces(s) for s in look] for name, look in styles.items()}
    unlinked = pieces(plain)
    escaped: dict[str, bytes] = {}
    text_end, number_end = b"</t></is></c>", b"</v></c>"

    # One bytes object per row, joined from its pieces: bytes.join holds an 80-byte buffer
    # record per item, which over every piece of every row would cost 16 MB at 4,600 rows.
    out: list[bytes] = []
    piece: list[bytes] = []
    add = piece.extend
    links: list[bytes] = []
    for i, row in enumerate(rows):
        rb = b"%d" % (first + i)
        look = made[row.look]
        values = row.values
        # Wrapped message and suggestion: a row tall enough for them (no client auto-fits a
        # row height written in the file).
        lines = max(1, -(-len(values[i_pesan]) // width_pesan), -(-len(values[i_saran]) // width_saran))
        piece.append(b'<row r="%s" ht="%d" customHeight="1">' % (rb, 15 * min(lines, 12)) if lines > 1 else b'<row r="%s">' % rb)
        for j, value in enumerate(values):
            number, text, empty = unlinked if link_cols[j] and row.link is None else look[j]
            if isinstance(value, int):
                add((heads[j], rb, number, b"%d" % value, number_end))
            elif not value:
                add((heads[j], rb, empty))
            else:
                body = escaped.get(value)
                if body is None:
                    body = escaped[value] = _xml_text(value)
                add((heads[j], rb, text, body, text_end))
        piece.append(b"</row>")
        out.append(b"".join(piece))
        piece.clear()
        if row.link is not None:
            location = f"{quote_sheet(row.sheet)}!{row.link}"
            links.append(
                b'<hyperlink ref="%s" location="%s" display="%s" tooltip="Buka sel ini"/>'
                % (letters[i_sel] + rb, _xml_attr(location), _xml_attr(row.link))
            )
    last = first + max(len(rows), 1) - 1
    # Replace in the small head and tail only, then join once: the rows may be large.
    head = re.sub(
        rb'<dimension ref="[^"]*"/>', b'<dimension ref="A1:%s%d"/>' % (letters[-1], last), xml[:start], count=1
    )
    tail = xml[end:]
    hl = re.search(rb"<hyperlinks>.*?</hyperlinks>", tail, re.DOTALL)
    block = b"<hyperlinks>" + b"".join(links) + b"</hyperlinks>" if links else b""
    tail_parts = [tail[: hl.start()], block, tail[hl.end() :]] if hl else [tail]
    del links
    out.insert(0, head)
    out.extend(tail_parts)
    data = b"".join(out)
    del out
    pkg.write(part, data)


def _xml_text(value: str) -> bytes:
    return xml_text(value).encode("utf-8")


def _xml_attr(value: str) -> bytes:
    return xml_attr(value).encode("utf-8")
