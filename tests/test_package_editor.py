"""WorkbookPackage: cell edits in place, state, graft of sheets built with XlsxWriter."""

from __future__ import annotations

import datetime as dt
import io
import zipfile
from pathlib import Path

import openpyxl
import pytest
import xlsxwriter
from lxml import etree
from test_fidelity import tiny_png

from sopxl.core import spec
from sopxl.ooxml import WorkbookPackage, cells
from sopxl.ooxml.names import SAFE_PARSER
from sopxl.read.state import CHUNK, read_state, write_state


def simple_book(path: Path, sheets: tuple[str, ...] = ("Data", "Lain")) -> Path:
    wb = xlsxwriter.Workbook(str(path))
    bold = wb.add_format({"bold": True, "border": 1})
    for name in sheets:
        ws = wb.add_worksheet(name)
        ws.write("A1", "Judul", bold)
        ws.write("B2", 5)
        ws.write("D2", "teks", bold)
        ws.write("B4", 7)
    wb.define_name(f"{sheets[-1]}!Lokal", f"={sheets[-1]}!$A$1")
    ws.repeat_rows(0)
    wb.close()
    return path


def parts(path: Path) -> dict[str, bytes]:
    with zipfile.ZipFile(path) as zf:
        return {n: zf.read(n) for n in zf.namelist()}


# -- cells --------------------------------------------------------------------------------------
SHEET = (
    b'<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>'
    b'<row r="2" spans="1:4"><c r="B2" s="3"><v>1</v></c><c r="D2" t="s"><v>0</v></c></row>'
    b'<row r="5"/>'
    b'<row r="7"><c r="A7"><f>1+1</f><v>2</v></c></row>'
    b"</sheetData><pageMargins/></worksheet>"
)


def test_edit_cells_changes_only_what_is_asked() -> None:
    out = cells.edit_cells(
        SHEET,
        {
            (2, 2): lambda e: cells.with_style(e, 9) if e else None,  # existing: s replaced
            (2, 4): lambda e: cells.with_style(e, 8) if e else None,  # existing: s added
            (2, 3): lambda e: cells.empty_cell("C2", 7),  # created between B2 and D2
            (2, 6): lambda e: cells.empty_cell("F2", 7),  # created after the last cell
            (1, 1): lambda e: cells.empty_cell("A1", 7),  # row created before row 2
            (5, 2): lambda e: cells.empty_cell("B5", 7),  # self-closing row opened
            (6, 1): lambda e: cells.empty_cell("A6", 7),  # row created between 5 and 7
            (9, 1): lambda e: cells.value_cell("A9", "a<b", None),  # row created at the end
        },
    )
    etree.fromstring(out, SAFE_PARSER)
    assert out == (
        b'<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>'
        b'<row r="1"><c r="A1" s="7"/></row>'
        b'<row r="2" spans="1:4"><c r="B2" s="9"><v>1</v></c><c r="C2" s="7"/><c r="D2" s="8" t="s"><v>0</v></c>'
        b'<c r="F2" s="7"/></row>'
        b'<row r="5"><c r="B5" s="7"/></row>'
        b'<row r="6"><c r="A6" s="7"/></row>'
        b'<row r="7"><c r="A7"><f>1+1</f><v>2</v></c></row>'
        b'<row r="9"><c r="A9" t="inlineStr"><is><t xml:space="preserve">a&lt;b</t></is></c></row>'
        b"</sheetData><pageMargins/></worksheet>"
    )


def test_edit_cells_drops_created_rows_again() -> None:
    marked = cells.edit_cells(SHEET, {(3, 1): lambda e: cells.empty_cell("A3", 7)})
    restored = cells.edit_cells(marked, {(3, 1): lambda e: None}, {3})
    assert restored == SHEET


def test_style_helpers() -> None:
    elem = b'<c r="B2" s="3" t="n"><v>1</v></c>'
    assert cells.get_style(elem) == 3
    assert cells.with_style(elem, None) == b'<c r="B2" t="n"><v>1</v></c>'
    assert cells.with_style(b'<c r="B2"/>', 4) == b'<c r="B2" s="4"/>'
    assert not cells.has_content(b'<c r="B2" s="4"/>')
    assert cells.has_content(elem)


# -- values and state ------------------------------------------------------------------------------
def test_set_cell_values_keeps_style_and_other_parts(tmp_path: Path) -> None:
    path = simple_book(tmp_path / "a.xlsx")
    before = parts(path)
    pkg = WorkbookPackage.open(path)
    pkg.set_cell_values("Data", {"D2": "baru", "B2": 3.5, "C3": dt.date(2026, 4, 20), "B4": None})
    pkg.save(backup=False)
    after = parts(path)
    changed = {n for n in before if before[n] != after.get(n)}
    assert changed == {"xl/worksheets/sheet1.xml", "xl/styles.xml"}
    ws = openpyxl.load_workbook(path)["Data"]
    assert ws["D2"].value == "baru" and ws["D2"].font.b  # style kept
    assert ws["B2"].value == 3.5
    assert ws["C3"].value == dt.datetime(2026, 4, 20)
    assert ws["B4"].value is None


def test_state_roundtrip_chunked(tmp_path: Path) -> None:
    path = simple_book(tmp_path / "a.xlsx")
    big = {"tanda": {"Data": {f"A{i}": [None, 5, 1, 1] for i in range(1, 6001)}}, "riwayat": [{"x": "ü"}]}
    pkg = WorkbookPackage.open(path)
    assert read_state(pkg) == {}
    write_state(pkg, big)
    pkg.save(backup=False)
    pkg = WorkbookPackage.open(path)
    assert read_state(pkg) == big
    wb = openpyxl.load_workbook(path)
    ws = wb[spec.SHEET_STATE]
    assert ws.sheet_state == "veryHidden"
    assert [ws["A1"].value, ws["B1"].value, ws["A2"].value, ws["B2"].value] == ["kunci", "nilai", "versi", 1]
    values = [c.value for c in ws["B"][2:]]
    assert all(len(v) <= CHUNK for v in values) and len(values) > 2
    # a second write replaces the sheet in place, no second state sheet
    write_state(pkg, {"riwayat": []})
    pkg.save(backup=False)
    assert openpyxl.load_workbook(path).sheetnames.count(spec.SHEET_STATE) == 1


# -- graft ---------------------------------------------------------------------------------------
def report_source(path: Path, name: str, title: str) -> Path:
    wb = xlsxwriter.Workbook(str(path))
    head = wb.add_format({"bold": True, "bg_color": "#DDEBF7", "num_format": "#,##0.00"})
    ws = wb.add_worksheet(name)
    ws.write("A1", title, head)
    ws.write_row("A3", ["RO", "Nilai"], head)
    for i in range(5):
        ws.write_row(3 + i, 0, [f"RO {i}", i * 10])
    ws.write_url("C1", "https://example.go.id/panduan", string="Panduan")
    ws.write_url("C2", f"internal:'{name}'!A3", string="Tabel")
    chart = wb.add_chart({"type": "bar"})
    chart.add_series({"categories": f"='{name}'!$A$4:$A$8", "values": f"='{name}'!$B$4:$B$8"})
    ws.insert_chart("E3", chart)
    ws.insert_image("E20", "logo.png", {"image_data": io.BytesIO(tiny_png())})
    ws.conditional_format("B4:B8", {"type": "cell", "criteria": ">", "value": 20, "format": head})
    ws.repeat_rows(2)
    ws.print_area("A1:D10")
    ws.activate()
    wb.close()
    return path


def test_graft_adds_and_replaces_sheets(tmp_path: Path) -> None:
    path = simple_book(tmp_path / "a.xlsx")
    before = parts(path)
    src1 = report_source(tmp_path / "r1.xlsx", "Laporan Tahunan", "Versi satu")
    pkg = WorkbookPackage.open(path)
    pkg.replace_sheet_from_xlsx("Laporan Tahunan", src1, after="Data")  # inserted in the middle
    pkg.save(backup=False)
    assert WorkbookPackage.open(path).sheet_names() == ["Data", "Laporan Tahunan", "Lain"]
    after = parts(path)
    for name in ("xl/worksheets/sheet1.xml", "xl/worksheets/sheet2.xml", "xl/sharedStrings.xml", "xl/theme/theme1.xml"):
        assert before[name] == after[name]
    wb = openpyxl.load_workbook(path)
    ws = wb["Laporan Tahunan"]
    assert ws["A1"].value == "Versi satu" and ws["A1"].font.b and ws["A1"].number_format == "#,##0.00"
    assert ws["C1"].hyperlink.target == "https://example.go.id/panduan"
    assert ws["C2"].hyperlink.location == "'Laporan Tahunan'!A3"
    assert ws.print_title_rows == "$3:$3"
    assert len(ws._charts) == 1
    pkg = WorkbookPackage.open(path)
    drawing = next(t for _, ty, t, _ in pkg.rels("xl/worksheets/sheet3.xml") if ty.endswith("/drawing"))
    targets = {t for _, _, t, _ in pkg.rels(drawing)}
    assert any(t.startswith("xl/media/") and pkg.read(t) == tiny_png() for t in targets)  # the image
    assert wb["Lain"].defined_names["Lokal"].attr_text == "Lain!$A$1"  # localSheetId shifted
    root = etree.fromstring(after["xl/workbook.xml"], SAFE_PARSER)
    assert not any(v.get("tabSelected") for v in etree.fromstring(after["xl/worksheets/sheet3.xml"]).iter("{*}sheetView"))
    assert root is not None

    # replace it: same position, old chart/image parts gone, no duplicates
    src2 = report_source(tmp_path / "r2.xlsx", "Laporan Tahunan", "Versi dua")
    pkg = WorkbookPackage.open(path)
    pkg.replace_sheet_from_xlsx("Laporan Tahunan", src2, state="hidden")
    pkg.save(backup=False)
    again = parts(path)
    assert sum(1 for n in again if n.startswith("xl/charts/chart")) == 1
    assert sum(1 for n in again if n.startswith("xl/media/")) == 1
    assert sum(1 for n in again if n.startswith("xl/drawings/drawing")) == 1
    wb = openpyxl.load_workbook(path)
    assert wb.sheetnames == ["Data", "Laporan Tahunan", "Lain"]
    assert wb["Laporan Tahunan"]["A1"].value == "Versi dua"
    assert wb["Laporan Tahunan"].sheet_state == "hidden"
    names = etree.fromstring(again["[Content_Types].xml"], SAFE_PARSER)
    overrides = [o.get("PartName") for o in names if o.get("PartName")]
    assert len(overrides) == len(set(overrides))
    for part in overrides:
        assert part.lstrip("/") in again


@pytest.mark.libreoffice
def test_grafted_sheet_opens_in_libreoffice(tmp_path: Path, lo_convert: object) -> None:
    path = simple_book(tmp_path / "a.xlsx")
    pkg = WorkbookPackage.open(path)
    pkg.replace_sheet_from_xlsx("Laporan Tahunan", report_source(tmp_path / "r.xlsx", "Laporan Tahunan", "Isi"))
    pkg.save(backup=False)
    out = lo_convert(path, "xlsx", tmp_path / "lo")  # type: ignore[operator]
    wb = openpyxl.load_workbook(out)
    assert wb["Laporan Tahunan"]["A1"].value == "Isi"


def test_prefixed_sheet_xml() -> None:
    xml = (
        b'<x:worksheet xmlns:x="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><x:sheetData>'
        b'<x:row r="1"><x:c r="A1" s="1"><x:v>1</x:v></x:c></x:row></x:sheetData></x:worksheet>'
    )
    out = cells.edit_cells(
        xml,
        {(1, 1): lambda e: cells.with_style(e, 5) if e else None, (1, 2): lambda e: cells.empty_cell("B1", 5, b"x:")},
    )
    assert out == xml.replace(b'<x:c r="A1" s="1">', b'<x:c r="A1" s="5">').replace(
        b"</x:c></x:row>", b'</x:c><x:c r="B1" s="5"/></x:row>'
    )


def test_note_goes_before_table_and_extlst(tmp_path: Path) -> None:
    from test_marks import SETTINGS, finding, result

    from sopxl.writeback.marks import ERROR_FILL, apply_marks

    path = tmp_path / "t.xlsx"
    wb = xlsxwriter.Workbook(str(path))
    ws = wb.add_worksheet("Januari")
    ws.add_table("A1:C4", {"columns": [{"header": "Kode RO"}, {"header": "Nilai"}, {"header": "Lain"}]})
    ws.write("B2", 5)
    ws.conditional_format("B2:B4", {"type": "data_bar", "data_bar_2010": True})
    ws.add_sparkline("E2", {"range": "Januari!B2:B4"})
    ws.insert_image("G2", "logo.png", {"image_data": io.BytesIO(tiny_png())})
    wb.close()
    apply_marks(path, result(finding("B2"), finding("B9", "warning")), SETTINGS)
    xml = parts(path)["xl/worksheets/sheet1.xml"]
    order = [xml.index(t) for t in (b"</sheetData>", b"<drawing ", b"<legacyDrawing ", b"<tableParts")]
    order.append(xml.rindex(b"<extLst>"))  # the worksheet's own extLst (x14 data bar, sparklines)
    assert order == sorted(order)
    ws = openpyxl.load_workbook(path)["Januari"]
    assert ws["B2"].fill.fgColor.rgb == ERROR_FILL and ws["B2"].comment.text.startswith("sopxl:")
    assert ws["B9"].comment is not None
    # and back: no note left, the sheet is as it was apart from the created cell
    apply_marks(path, result(), SETTINGS)
    assert b"legacyDrawing" not in parts(path)["xl/worksheets/sheet1.xml"]
    assert not any(n.startswith("xl/comments") for n in parts(path))


@pytest.mark.parametrize("exc", [KeyError("xl/styles.xml"), ValueError("Relationship not found"), IndexError("list index")])
def test_structure_errors_speak_indonesian_without_internals(exc: Exception) -> None:
    from sopxl.core.errors import UnreadableWorkbook
    from sopxl.ooxml.editor import structure_errors

    with pytest.raises(UnreadableWorkbook) as info, structure_errors("Tanda koreksi tidak dapat ditulis ke 'a.xlsx'"):
        raise exc
    message = info.value.message
    assert message.startswith("Tanda koreksi tidak dapat ditulis ke 'a.xlsx': struktur buku kerja tidak dikenali")
    assert "Berkas tidak diubah" in message
    for internal in ("KeyError", "ValueError", "IndexError", "xl/styles.xml", "Relationship", "list index"):
        assert internal not in message


@pytest.mark.parametrize("seed", range(40))
def test_one_cell_edits_equal_an_lxml_rewrite(seed: int) -> None:
    """The one-cell path of edit_cells (found by its reference) against lxml: the same cell
    replaced or deleted, everything else byte for byte, in rows of many shapes."""
    import random

    rng = random.Random(seed)
    ns = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
    rows: list[bytes] = []
    targets: dict[tuple[int, int], str] = {}
    for r in range(1, 30):
        cols = sorted(rng.sample(range(1, 60), rng.randint(1, 12)))
        body = []
        for c in cols:
            ref = spec.cell_ref(r, c).encode()
            body.append(
                rng.choice(
                    [
                        b'<c r="%s" s="%d"/>' % (ref, rng.randint(0, 9)),
                        b'<c r="%s"><v>%d</v></c>' % (ref, rng.randint(0, 999)),
                        b'<c r="%s" t="inlineStr"><is><t>&lt;c r="%s"</t></is></c>' % (ref, ref),
                    ]
                )
            )
        rows.append(b'<row r="%d">%s</row>' % (r, b"".join(body)))
        if rng.random() < 0.6:
            targets[(r, rng.choice(cols))] = rng.choice(["style", "delete"])
    xml = b'<worksheet xmlns="%s"><sheetData>%s</sheetData></worksheet>' % (ns.encode(), b"".join(rows))

    edits = {
        at: (lambda e: cells.with_style(e, 42) if e else None) if kind == "style" else (lambda e: None)
        for at, kind in targets.items()
    }
    out = cells.edit_cells(xml, edits)

    tree = etree.fromstring(xml, SAFE_PARSER)
    for (r, c), kind in targets.items():
        ref = spec.cell_ref(r, c)
        el = tree.find(f".//{{{ns}}}c[@r='{ref}']")
        assert el is not None
        if kind == "delete":
            el.getparent().remove(el)
        else:
            el.set("s", "42")
    assert etree.tostring(etree.fromstring(out, SAFE_PARSER), method="c14n") == etree.tostring(tree, method="c14n")
