"""Writing the marks back loses nothing: every part sopxl does not own keeps its content.

The workbook is built in one XlsxWriter pass with a chart, an image, a text box, sparklines,
a data bar with its x14 extension, a legacy note, a threaded comment (added by hand at package
level), a form button with a VBA project (.xlsm), defined names, cached formula results, rich
text and a dynamic-array formula, plus planted errors in the standard sheets.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import re
import shutil
import struct
import subprocess
import zipfile
import zlib
from pathlib import Path
from typing import Any

import pytest
import xlsxwriter
from click.testing import CliRunner
from lxml import etree
from wbfactory import Book, _write, standard_book

from sopxl.core import spec
from sopxl.frontends.cli import cli as main
from sopxl.ooxml import WorkbookPackage
from sopxl.ooxml.names import SAFE_PARSER, rels_path, sheet_parts
from sopxl.ooxml.zipio import read_members

TODAY = "2026-04-20"
TC_ID = "{6A1C2B3D-0000-4000-8000-000000000001}"
PERSON_ID = "{6A1C2B3D-0000-4000-8000-0000000000AA}"
NOTE_E2 = "Catatan Bendahara: angka ini dari SPJ."


def tiny_png(w: int = 8, h: int = 8, rgb: tuple[int, int, int] = (30, 90, 200)) -> bytes:
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)

    raw = b"".join(b"\x00" + bytes(rgb) * w for _ in range(h))
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", struct.pack(">IIBBBBB", w, h, 8, 2, 0, 0, 0))
        + chunk(b"IDAT", zlib.compress(raw))
        + chunk(b"IEND", b"")
    )


def vba_project() -> Path:
    import xlwings

    src = Path(xlwings.__file__).parent / "quickstart.xlsm"
    return src


def planted_book() -> tuple[Book, dict[str, Any]]:
    """The standard book with errors: E2/G3/J3 of Februari, L2 of Maret, a warning on Januari L3."""
    book = standard_book(months=3)
    original_e2 = book.months[2][0][spec.COL_RVRO]
    original_g3 = book.months[2][1][spec.COL_PROGRES]
    book.months[2][0][spec.COL_RVRO] = "1.234,5"  # CAP-ANGKA (error) - also holds someone's note
    # warning (CAP-BELANJA-TANPA-PROGRES) + errors (CAP-PROGRES-TURUN; CAP-KENDALA at J3, a cell
    # that does not exist); threaded comment. Not a fraction: a fraction is CAP-PERSEN-PECAHAN's
    # alone, CAP-KENDALA follows from it (sopxl.rules.capaian, follows_from)
    book.months[2][1][spec.COL_PROGRES] = 0
    book.months[3][0][spec.COL_TANGGAL] = None  # CAP-KOSONG on a cell that does not exist
    book.months[1][1][spec.COL_TANGGAL] = dt.date(2026, 2, 20)  # CAP-TERLAMBAT: warning only
    return book, {"E2": original_e2, "G3": original_g3}


def build_decorated(path: Path, book: Book, xlsm: bool) -> Path:
    """Write `book` and every decoration in one XlsxWriter pass (+ a threaded comment by hand)."""
    wb = xlsxwriter.Workbook(str(path))
    date_fmt = wb.add_format({"num_format": "d mmmm yyyy"})
    bold = wb.add_format({"bold": True, "font_color": "#C00000"})
    ident_rows = [{spec.COL_URAIAN: k, spec.COL_ISI: v} for k, v in book.identitas.items()]
    sheets = [
        (spec.SHEET_IDENTITAS, book._grid(spec.SHEET_IDENTITAS, ident_rows)),
        (spec.SHEET_REFERENSI, book._grid(spec.SHEET_REFERENSI, book.referensi)),
        (spec.SHEET_RENCANA, book._grid(spec.SHEET_RENCANA, book.rencana)),
    ]
    sheets += [(name, book._grid(name, book.months.get(i, []))) for i, name in enumerate(spec.MONTHS, 1)]
    for name, grid in sheets:
        ws = wb.add_worksheet(name)
        for r, values in enumerate(grid):
            for c, value in enumerate(values):
                _write(ws, r, c, value, date_fmt)
        if name != "Februari":
            continue
        ws.write_comment("E2", NOTE_E2, {"author": "Andi", "x_scale": 2})
        ws.write_comment(
            "G3",
            "[Threaded comment]\n\nYour version of Excel allows you to read this threaded comment; "
            "however, any edits to it will get removed if the file is opened in a newer version of "
            "Excel.\n\nComment:\n    Tolong cek progres ini",
            {"author": f"tc={TC_ID}"},
        )
        ws.write_rich_string("O2", bold, "Tebal merah", " lalu biasa")
        ws.write_formula("O3", "=SUM(D2:D3)", None, 132)
        ws.write_dynamic_array_formula("O4:O5", "=SORT(D2:D3)", None, 12)
        ws.conditional_format("D2:D3", {"type": "data_bar", "bar_solid": True, "data_bar_2010": True})
        ws.add_sparkline("P2", {"range": "Februari!F2:I2"})
        chart = wb.add_chart({"type": "column"})
        chart.add_series({"name": "Target", "values": "=Februari!$D$2:$D$3"})
        ws.insert_chart("O8", chart)
        ws.insert_image("W2", "logo.png", {"image_data": io.BytesIO(tiny_png())})
        ws.insert_textbox("W10", "Kotak teks: jangan dihapus", {"width": 200, "height": 60})
        if xlsm:
            ws.insert_button("O25", {"macro": "Validasi", "caption": "Validasi", "width": 100})
    wb.define_name("TotalTarget", "=Februari!$O$3")
    wb.define_name("Februari!LokalNama", "=Februari!$D$2")
    if xlsm:
        with zipfile.ZipFile(vba_project()) as zf:
            vba = path.parent / "vbaProject.bin"
            vba.write_bytes(zf.read("xl/vbaProject.bin"))
        wb.add_vba_project(str(vba))
    wb.close()
    add_threaded_comment(path, "Februari", "G3")
    return path


def add_threaded_comment(path: Path, sheet: str, ref: str) -> None:
    """Add a threadedComments part + persons part by hand (XlsxWriter cannot write them)."""
    with zipfile.ZipFile(path) as zf:
        parts = {i.filename: zf.read(i) for i in zf.infolist()}
        sp = next(p for p in sheet_parts(zf) if p.name == sheet)
    ns_tc = "http://schemas.microsoft.com/office/spreadsheetml/2018/threadedcomments"
    parts["xl/threadedComments/threadedComment1.xml"] = (
        f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<ThreadedComments xmlns="{ns_tc}" '
        'xmlns:x="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
        f'<threadedComment ref="{ref}" dT="2026-03-01T10:00:00.00" personId="{PERSON_ID}" id="{TC_ID}">'
        "<text>Tolong cek progres ini</text></threadedComment></ThreadedComments>"
    ).encode()
    parts["xl/persons/person.xml"] = (
        f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<personList xmlns="{ns_tc}" '
        'xmlns:x="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
        f'<person displayName="Siti Rahmawati" id="{PERSON_ID}" userId="siti@example.go.id" '
        'providerId="None"/></personList>'
    ).encode()
    rp = rels_path(sp.part)
    parts[rp] = parts[rp].replace(
        b"</Relationships>",
        b'<Relationship Id="rId90" Type="http://schemas.microsoft.com/office/2017/10/relationships/'
        b'threadedComment" Target="../threadedComments/threadedComment1.xml"/></Relationships>',
    )
    parts["xl/_rels/workbook.xml.rels"] = parts["xl/_rels/workbook.xml.rels"].replace(
        b"</Relationships>",
        b'<Relationship Id="rId90" Type="http://schemas.microsoft.com/office/2017/10/relationships/'
        b'person" Target="persons/person.xml"/></Relationships>',
    )
    parts["[Content_Types].xml"] = parts["[Content_Types].xml"].replace(
        b"</Types>",
        b'<Override PartName="/xl/threadedComments/threadedComment1.xml" '
        b'ContentType="application/vnd.ms-excel.threadedcomments+xml"/>'
        b'<Override PartName="/xl/persons/person.xml" ContentType="application/vnd.ms-excel.person+xml"/>'
        b"</Types>",
    )
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, data in parts.items():
            zf.writestr(name, data)


# -- helpers ----------------------------------------------------------------------------------
def run_validate(path: Path, *extra: str) -> int:
    result = CliRunner().invoke(main, ["validate", str(path), "--set", f"today={TODAY}", *extra])
    assert result.exit_code in (0, 1), result.output
    return result.exit_code


def parts_of(path: Path) -> dict[str, bytes]:
    with zipfile.ZipFile(path) as zf:
        return {n: zf.read(n) for n in zf.namelist()}


def sheet_map(path: Path) -> dict[str, str]:
    with zipfile.ZipFile(path) as zf:
        return {p.name: p.part for p in sheet_parts(zf)}


def owned_parts(path: Path, touched_sheets: list[str]) -> set[str]:
    """Parts sopxl may change: workbook-level lists, styles, touched sheets with notes."""
    sheets = sheet_map(path)
    owned = {"[Content_Types].xml", "xl/workbook.xml", "xl/_rels/workbook.xml.rels", "xl/styles.xml"}
    pkg = WorkbookPackage.open(path)
    for name in touched_sheets:
        part = sheets[name]
        owned |= {part, rels_path(part)}
        for _, rtype, target, _ in pkg.rels(part):
            if rtype.endswith(("/comments", "/vmlDrawing")):
                owned.add(target)
    for name in (spec.SHEET_CATATAN, spec.SHEET_KENDALI, spec.SHEET_STATE):
        if name in sheets:
            owned.add(sheets[name])
    return owned


def normalize_sheet(xml: bytes) -> bytes:
    """Sheet XML without cell style attributes, empty cells, empty rows and legacyDrawing."""
    xml = re.sub(rb'(<c r="[A-Z]+\d+")((?: [a-z]+="[^"]*")*?) s="\d+"', rb"\1\2", xml)
    xml = re.sub(rb'<c r="[A-Z]+\d+"/>', b"", xml)
    xml = re.sub(rb'<row r="\d+"></row>', b"", xml)
    return re.sub(rb"<legacyDrawing [^>]*/>", b"", xml)


def assert_lossless(before: Path, after: Path, touched: list[str]) -> None:
    a, b = parts_of(before), parts_of(after)
    owned = owned_parts(after, touched) | owned_parts(before, touched)
    missing = set(a) - set(b)
    assert not missing, f"parts lost: {missing}"
    for name in sorted(set(a) - owned):
        assert a[name] == b[name], f"part changed: {name}"
    # not only the same content: the same compressed bytes (copied raw)
    raw_a = {m.name: m.raw for m in read_members(before)}
    raw_b = {m.name: m.raw for m in read_members(after)}
    for name in sorted(set(a) - owned):
        assert raw_a[name] == raw_b[name], f"part recompressed: {name}"
    sheets = sheet_map(before)
    for name in touched:
        part = sheets[name]
        assert normalize_sheet(a[part]) == normalize_sheet(b[part]), f"sheet {name} changed beyond styles"
    for name, data in b.items():
        if name.endswith((".xml", ".rels")):
            etree.fromstring(data, SAFE_PARSER)


def cell_xml(path: Path, sheet: str, ref: str) -> bytes | None:
    data = parts_of(path)[sheet_map(path)[sheet]]
    m = re.search(rb'<c r="%s"[^>]*?(/>|>.*?</c>)' % ref.encode(), data, re.DOTALL)
    return m.group(0) if m else None


def catatan_rows(path: Path) -> list[list[Any]]:
    from python_calamine import CalamineWorkbook

    wb = CalamineWorkbook.from_path(str(path))
    rows = wb.get_sheet_by_name(spec.SHEET_CATATAN).to_python()
    header = next(i for i, r in enumerate(rows) if r and r[0] == "No")
    return [r for r in rows[header + 1 :] if r and r[0] != ""]


TOUCHED = ["Januari", "Februari", "Maret"]


@pytest.fixture(params=["xlsm", "xlsx"])
def decorated(request: pytest.FixtureRequest, tmp_path: Path) -> tuple[Path, Path, dict[str, Any]]:
    book, originals = planted_book()
    path = build_decorated(tmp_path / f"capaian.{request.param}", book, xlsm=request.param == "xlsm")
    original = tmp_path / f"original.{request.param}"
    shutil.copyfile(path, original)
    return path, original, originals


# -- tests -----------------------------------------------------------------------------------
def test_validate_writes_marks_and_loses_nothing(decorated: tuple[Path, Path, dict[str, Any]]) -> None:
    path, original, _ = decorated
    assert run_validate(path) == 1
    assert_lossless(original, path, TOUCHED)
    after = parts_of(path)
    for kept in ("xl/threadedComments/threadedComment1.xml", "xl/persons/person.xml", "xl/metadata.xml"):
        assert after[kept] == parts_of(original)[kept]
    assert any(n.startswith("xl/charts/") for n in after)
    assert any(n.startswith("xl/media/") for n in after)
    if path.suffix == ".xlsm":
        assert after["xl/vbaProject.bin"] == parts_of(original)["xl/vbaProject.bin"]
        ct = after["[Content_Types].xml"]
        assert b"application/vnd.ms-excel.sheet.macroEnabled.main+xml" in ct
        # the button shape is still in the VML beside the new notes, and only one legacyDrawing
        feb = after[sheet_map(path)["Februari"]]
        assert feb.count(b"<legacyDrawing") == 1
        vml = next(v for n, v in after.items() if n.endswith(".vml") and b'ObjectType="Button"' in v)
        assert b"<x:FmlaMacro>[0]!Validasi</x:FmlaMacro>" in vml
        assert b'ObjectType="Note"' in vml

    import openpyxl

    wb = openpyxl.load_workbook(path, keep_vba=path.suffix == ".xlsm")
    feb, mar, jan = wb["Februari"], wb["Maret"], wb["Januari"]
    assert feb["E2"].fill.fgColor.rgb == "FFFFC7CE"
    assert feb["G3"].fill.fgColor.rgb == "FFFFC7CE"  # error wins over the warning
    assert feb["J3"].fill.fgColor.rgb == "FFFFC7CE"  # created cell
    assert mar["L2"].fill.fgColor.rgb == "FFFFC7CE"
    assert jan["L3"].fill.fgColor.rgb == "FFFFEB9C"  # warning only
    assert jan["L3"].number_format == "d mmmm yyyy"  # only the fill changed
    assert feb["E2"].comment.text == NOTE_E2  # someone's note stays untouched
    assert feb["G3"].comment.text.startswith("[Threaded comment]")
    assert feb["J3"].comment.text.startswith("sopxl:")
    assert "Perbaikan:" in mar["L2"].comment.text
    assert jan["L3"].comment.text.startswith("sopxl: Peringatan")
    rows = catatan_rows(path)
    cells = {(r[2], r[3]) for r in rows}
    assert {("Februari", "E2"), ("Februari", "G3"), ("Februari", "J3"), ("Maret", "L2"), ("Januari", "L3")} <= cells
    assert {r[8] for r in rows} == {"Baru"}
    links = wb[spec.SHEET_CATATAN]
    assert any(c.hyperlink is not None and c.hyperlink.location for c in links["D"])
    kendali = wb[spec.SHEET_KENDALI]
    step3 = next(r for r in kendali.iter_rows(values_only=True) if r[0] == 3)
    assert step3[6] == "Tidak sesuai - dikembalikan untuk diperbaiki"
    assert wb[spec.SHEET_STATE].sheet_state == "veryHidden"

    from python_calamine import CalamineWorkbook

    grid = CalamineWorkbook.from_path(str(path)).get_sheet_by_name("Februari").to_python()
    assert grid[2][14] == 132  # cached formula result O3 kept


def test_twice_without_changes_gives_same_marks(decorated: tuple[Path, Path, dict[str, Any]]) -> None:
    path, _, _ = decorated
    run_validate(path)
    first = parts_of(path)
    run_validate(path)
    second = parts_of(path)
    sheets = sheet_map(path)
    assert set(first) == set(second)
    changed = {n for n in first if first[n] != second[n]}
    # marks, notes, styles: identical; only the statuses (Baru -> Belum diperbaiki) and the
    # run history differ
    assert changed == {sheets[spec.SHEET_STATE], sheets[spec.SHEET_CATATAN]}
    rows = catatan_rows(path)
    assert {r[8] for r in rows} == {"Belum diperbaiki"}


def test_fix_then_validate_removes_marks(decorated: tuple[Path, Path, dict[str, Any]]) -> None:
    path, original, originals = decorated
    run_validate(path)
    # the Bendahara fixes E2 and G3 (as Excel would: the value changes, the cell's style stays)
    pkg = WorkbookPackage.open(path)
    pkg.set_cell_values("Februari", {"E2": originals["E2"], "G3": originals["G3"]})
    pkg.save(backup=False)
    run_validate(path)

    from sopxl.ooxml import cells

    feb_part = sheet_map(original)["Februari"]
    expected = cells.edit_cells(
        parts_of(original)[feb_part],
        {
            (2, 5): lambda e: cells.value_cell("E2", originals["E2"], cells.get_style(e)),
            (3, 7): lambda e: cells.value_cell("G3", originals["G3"], cells.get_style(e)),
        },
    )
    assert parts_of(path)[feb_part] == expected  # J3 (created by sopxl) is gone again
    assert cell_xml(path, "Februari", "J3") is None
    assert cell_xml(path, "Maret", "L2") is not None  # not fixed: still marked
    rows = catatan_rows(path)
    status = {(r[2], r[3], r[5]): r[8] for r in rows}
    assert status[("Februari", "E2", "CAP-ANGKA")] == "Selesai"
    assert status[("Februari", "G3", "CAP-BELANJA-TANPA-PROGRES")] == "Selesai"
    assert status[("Februari", "J3", "CAP-KENDALA")] == "Selesai"
    assert status[("Maret", "L2", "CAP-KOSONG")] == "Belum diperbaiki"

    import openpyxl

    wb = openpyxl.load_workbook(path)
    assert wb["Februari"]["E2"].comment.text == NOTE_E2
    assert wb["Februari"]["J3"].comment is None


def test_output_option_leaves_input_untouched(tmp_path: Path) -> None:
    book, _ = planted_book()
    path = build_decorated(tmp_path / "in.xlsx", book, xlsm=False)
    digest = hashlib.sha256(path.read_bytes()).hexdigest()
    out = tmp_path / "keluar" / "bertanda.xlsx"
    out.parent.mkdir()
    run_validate(path, "--output", str(out))
    assert hashlib.sha256(path.read_bytes()).hexdigest() == digest
    assert not (tmp_path / "in.sopxl-cadangan.xlsx").exists()
    assert_lossless(path, out, TOUCHED)


@pytest.mark.libreoffice
def test_libreoffice_resaved_workbook(tmp_path: Path, lo_convert: Any) -> None:
    book, _ = planted_book()
    built = build_decorated(tmp_path / "lo-src.xlsx", book, xlsm=False)
    resaved = lo_convert(built, "xlsx", tmp_path / "resaved")
    path = tmp_path / "lo.xlsx"
    shutil.copyfile(resaved, path)
    assert run_validate(path) == 1
    assert_lossless(resaved, path, TOUCHED)
    import openpyxl

    wb = openpyxl.load_workbook(path)
    assert wb["Februari"]["E2"].fill.fgColor.rgb == "FFFFC7CE"
    assert wb["Februari"]["E2"].comment is not None
    assert wb["Maret"]["L2"].comment.text.startswith("sopxl:")
    run_validate(path)  # second run on a LibreOffice file: still consistent
    assert_lossless(resaved, path, TOUCHED)


def _ppm_pixels(data: bytes) -> tuple[int, int, bytes]:
    m = re.match(rb"P6\s+(\d+)\s+(\d+)\s+(\d+)\s", data)
    assert m
    return int(m.group(1)), int(m.group(2)), data[m.end() :]


def _pink_pixels_on_page(pdf: Path, needle: bytes, out: Path) -> int:
    text = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], capture_output=True, check=True).stdout
    page = next(i for i, p in enumerate(text.split(b"\f"), start=1) if needle in p)
    out.mkdir()
    subprocess.run(
        ["pdftoppm", "-r", "50", "-f", str(page), "-l", str(page), str(pdf), str(out / "page")],
        check=True,
    )
    _, _, pixels = _ppm_pixels(next(out.glob("page*.ppm")).read_bytes())
    return sum(
        1
        for i in range(0, len(pixels) - 2, 3)
        if abs(pixels[i] - 255) < 8 and abs(pixels[i + 1] - 199) < 12 and abs(pixels[i + 2] - 206) < 12
    )


@pytest.mark.libreoffice
def test_libreoffice_renders_red(tmp_path: Path, lo_convert: Any) -> None:
    book, _ = planted_book()
    path = build_decorated(tmp_path / "render.xlsx", book, xlsm=False)
    before = lo_convert(path, "pdf", tmp_path / "pdf-before")
    run_validate(path)
    after = lo_convert(path, "pdf", tmp_path / "pdf-after")
    # the Februari page (the first holding E2's text) has no pink before, pink after
    assert _pink_pixels_on_page(before, b"1.234,5", tmp_path / "png-before") == 0
    assert _pink_pixels_on_page(after, b"1.234,5", tmp_path / "png-after") > 20


@pytest.mark.libreoffice
def test_marks_removed_after_libreoffice_resave(tmp_path: Path, lo_convert: Any) -> None:
    """The user opens the marked workbook in LibreOffice, fixes it and saves: LibreOffice
    renumbers every style, yet the next run still takes the marks away."""
    book, originals = planted_book()
    path = build_decorated(tmp_path / "lo-fix.xlsx", book, xlsm=False)
    run_validate(path)
    resaved = lo_convert(path, "xlsx", tmp_path / "resaved")
    work = tmp_path / "kerja.xlsx"
    shutil.copyfile(resaved, work)
    pkg = WorkbookPackage.open(work)
    pkg.set_cell_values("Februari", {"E2": originals["E2"], "G3": originals["G3"]})
    pkg.save(backup=False)
    run_validate(work)

    import openpyxl

    wb = openpyxl.load_workbook(work)
    feb = wb["Februari"]
    for ref in ("E2", "G3", "J3"):
        assert feb[ref].fill.fgColor.rgb not in ("FFFFC7CE", "FFFFEB9C"), ref
    assert feb["J3"].comment is None
    assert feb["E2"].comment is not None and feb["E2"].comment.text == NOTE_E2
    assert wb["Maret"]["L2"].fill.fgColor.rgb == "FFFFC7CE"  # still wrong: still marked
    assert wb["Maret"]["L2"].comment.text.startswith("sopxl:")
    with zipfile.ZipFile(work) as zf:
        maret = zf.read(sheet_map(work)["Maret"])
        refs = [re.findall(rb'<comment ref="(\w+)"', zf.read(n)) for n in zf.namelist() if "comments" in n]
    assert maret.count(b'r="L2"') == 1
    for found in refs:  # one note per cell: none doubled, J3's gone
        assert len(found) == len(set(found)) and b"J3" not in found
    assert sum(len(found) for found in refs) >= 4  # E2, G3 (someone's), Maret L2, Januari L3
