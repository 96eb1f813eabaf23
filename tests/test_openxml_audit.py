"""Every kind of workbook sopxl writes passes openxml-audit, a Python port of the Open XML SDK's
validator: the closest check here of "Excel opens it without repair".

A file sopxl writes whole (`sopxl init`, the templates, the report copy of `consolidate
--output`, the recap of `sopxl rekap`) must have no error at all. A file another program wrote
(XlsxWriter, openpyxl, LibreOffice) may already carry errors of its own that sopxl must not
"fix" (it never rewrites parts it does not own); there sopxl must add no NEW error: the errors
after sopxl's edit minus the errors before it (`new_errors`).

openxml-audit reports errors (what the SDK flags) and warnings (Excel's canonical form: what
Excel silently rewrites on its next save, no repair dialog); `audit` gives the errors only,
`audit_warnings` the warnings, checked where sopxl decides how the whole file is written.
"""

from __future__ import annotations

import json
import re
import shutil
import zipfile
from collections import Counter
from collections.abc import Callable
from functools import cache
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from click.testing import CliRunner
from kirim_stand import smtp_server
from openpyxl.comments import Comment
from openpyxl.formatting.rule import CellIsRule, ColorScaleRule
from openpyxl.styles import PatternFill
from openpyxl.worksheet.datavalidation import DataValidation
from openpyxl.worksheet.pagebreak import Break
from openpyxl.worksheet.table import Table, TableStyleInfo
from openxml_audit import FileFormat, OpenXmlValidator, ValidationError, ValidationSeverity
from test_ekspor import empty_march, one_header_xlsxwriter
from test_fidelity import build_decorated, planted_book, sheet_map
from test_kirim import book as kirim_book
from test_rekap import satker_book
from wbfactory import Book

from sopxl.build.samples import SAMPLE_TODAY, sample_content
from sopxl.build.workbook import write_workbook
from sopxl.core import spec
from sopxl.frontends.cli import cli
from sopxl.ooxml import WorkbookPackage

ROOT = Path(__file__).resolve().parent.parent
SAMPLE = ROOT / "samples" / "contoh-dengan-kesalahan-2026.xlsx"
TODAY = "2026-04-20"  # the planted book of test_fidelity is a workbook of April


# -- the audit --------------------------------------------------------------------------------
@cache
def _validator() -> OpenXmlValidator:
    # one instance: building the schema tables is the slow part. max_errors=0: no cap, so an
    # error of sopxl's is never left out behind errors the input already had
    return OpenXmlValidator(file_format=FileFormat.OFFICE_2010, max_errors=0)


def _findings(path: Path, severity: ValidationSeverity) -> list[str]:
    def text(e: ValidationError) -> str:
        where = f"{e.part_uri}:{e.path}" if e.path else e.part_uri
        return f"[{e.error_type.value}{' ' + e.id if e.id else ''}] {where}: {e.description}"

    return [text(e) for e in _validator().validate(path).errors if e.severity == severity]


def audit(path: Path) -> list[str]:
    """openxml-audit's errors of `path`, one readable line each: kind, id, part, path, what."""
    return _findings(path, ValidationSeverity.ERROR)


def audit_warnings(path: Path) -> list[str]:
    return _findings(path, ValidationSeverity.WARNING)


def new_errors(before: list[str], after: list[str]) -> list[str]:
    """Errors of `after` that `before` did not have (as a multiset: one more of the same
    error is a new one)."""
    return sorted((Counter(after) - Counter(before)).elements())


# -- running sopxl ----------------------------------------------------------------------------
def run(*args: str) -> str:
    result = CliRunner().invoke(cli, list(args))
    assert result.exception is None or isinstance(result.exception, SystemExit), result.output
    assert result.exit_code in (0, 1), result.output
    return result.output


def validate(path: Path, today: str = TODAY, *extra: str) -> None:
    run("validate", str(path), "--set", f"today={today}", *extra)


def consolidate(path: Path, periode: str, *extra: str) -> None:
    out = run("consolidate", str(path), "--periode", periode, "--paksa", *extra)
    assert "ditulis ke" in out or "Laporan tersendiri" in out, out


def sheet_names(path: Path) -> list[str]:
    return list(sheet_map(path))


def note_parts(path: Path) -> int:
    with zipfile.ZipFile(path) as zf:
        return sum(1 for n in zf.namelist() if n.startswith("xl/comments"))


def written_by_sopxl(path: Path) -> None:
    """What validate writes is there: Catatan Koreksi, Kendali SOP, the hidden state, notes."""
    names = sheet_names(path)
    assert spec.SHEET_CATATAN in names and spec.SHEET_KENDALI in names and spec.SHEET_STATE in names
    assert note_parts(path) > 0


# -- workbooks other programs wrote -----------------------------------------------------------
def openpyxl_decorated(path: Path) -> Path:
    """The planted book re-saved by openpyxl with what a user adds by hand: a table (Februari,
    which gets sopxl's first note: legacyDrawing goes before tableParts), an autofilter, data
    validation, conditional formats, a hyperlink, someone's note, frozen panes, print titles,
    page setup, a header, a page break and merged cells."""
    book, _ = planted_book()
    src = book.write(path.with_name(f"src-{path.name}"))
    wb = openpyxl.load_workbook(src)
    for name in ("Januari", "Februari", "Maret"):
        ws = wb[name]
        last, col = ws.max_row, openpyxl.utils.get_column_letter(ws.max_column)
        if name == "Februari":
            table = Table(displayName="TabelFebruari", ref=f"A1:{col}{last}")
            table.tableStyleInfo = TableStyleInfo(name="TableStyleMedium9", showRowStripes=True)
            ws.add_table(table)
        else:
            ws.auto_filter.ref = f"A1:{col}{last}"
            ws["B20"].comment = Comment("Catatan dari pengguna", "Andi")
        dv = DataValidation(type="decimal", operator="greaterThanOrEqual", formula1="0", allow_blank=True)
        ws.add_data_validation(dv)
        dv.add(f"E2:E{last}")
        red = PatternFill("solid", fgColor="FFFF00")
        ws.conditional_formatting.add(f"G2:G{last}", CellIsRule(operator="greaterThan", formula=["100"], fill=red))
        ws.conditional_formatting.add(
            f"I2:I{last}", ColorScaleRule(start_type="min", start_color="FFFFFF", end_type="max", end_color="63BE7B")
        )
        ws["A20"] = "Panduan"
        ws["A20"].hyperlink = "https://example.go.id/panduan"
        ws.freeze_panes = "B2"
        ws.print_title_rows = "1:1"
        ws.page_setup.orientation = "landscape"
        ws.oddHeader.center.text = "Capaian &A"
        ws.row_breaks.append(Break(id=10))
        ws.merge_cells("A22:C22")
    wb.save(path)
    return path


def xlsxwriter_decorated(path: Path) -> Path:
    """test_fidelity's workbook: chart, image, text box, sparklines, a data bar with its x14
    extension, someone's note, a threaded comment, rich text, a dynamic array, defined names
    and, in an .xlsm, a form button with a VBA project."""
    book, _ = planted_book()
    return build_decorated(path, book, xlsm=path.suffix == ".xlsm")


MAIN_NS = b"http://schemas.openxmlformats.org/spreadsheetml/2006/main"


def prefixed(path: Path) -> Path:
    """The planted book with its workbook, sheets, styles and strings in a prefixed namespace
    (`<x:worksheet xmlns:x=...>`), as the Open XML SDK and tools built on it write them."""
    book, _ = planted_book()
    src = book.write(path.with_name(f"src-{path.name}"))

    def prefix(xml: bytes) -> bytes:
        xml = xml.replace(b'xmlns="%s"' % MAIN_NS, b'xmlns:x="%s"' % MAIN_NS)
        return re.sub(rb"<(/?)([A-Za-z]\w*)(?=[\s/>])", rb"<\1x:\2", xml)

    with zipfile.ZipFile(src) as zin, zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zout:
        for member in zin.infolist():
            data = zin.read(member)
            if member.filename.startswith(("xl/worksheets/sheet", "xl/workbook.xml", "xl/sharedStrings", "xl/styles")):
                data = prefix(data)
            zout.writestr(member, data)
    return path


MAKERS: dict[str, Callable[[Path], Path]] = {
    "xlsxwriter.xlsx": xlsxwriter_decorated,
    "xlsxwriter.xlsm": xlsxwriter_decorated,
    "openpyxl.xlsx": openpyxl_decorated,
    "prefixed.xlsx": prefixed,
}

# The errors the inputs already have, as openxml-audit 0.8.0 reports them; sopxl leaves them.
# - openpyxl writes a font's children in its own order (name, family, color, sz), which the
#   SDK's CT_Font sequence (..., sz, color, name, family, ...) refuses:
#   "[schema] /xl/styles.xml:/styleSheet[1]/fonts[1]/font[1]: Unexpected element 'color' found"
# - LibreOffice writes no theme part: "[semantic Sem_MissingRelationshipType] /xl/workbook.xml:
#   A required relationship type '.../relationships/theme' is missing.", and repeats one
#   shapetype and shape id in a sheet's VML: "[semantic Sem_UniqueAttributeValue]
#   /xl/drawings/vmlDrawing1.vml:/xml[1]/shape[1]: Attribute 'id' should have unique value.
#   Its current value 'shape_0' duplicates with others."
# The tests assert only that the baseline is what they expect of each maker (so that an
# openxml-audit or maker upgrade that changes it is noticed) and that sopxl adds nothing.


# -- sopxl init and the templates: written whole ------------------------------------------------
@pytest.mark.parametrize("kind", ["xlsx", "xlsm", "kosong"])
def test_init_output_is_clean(tmp_path: Path, kind: str) -> None:
    samples = ROOT / "samples"
    path = tmp_path / f"capaian-2026.{'xlsm' if kind == 'xlsm' else 'xlsx'}"
    args = ["init", str(path), "--satker", "411724", "--nama", "Balai Diklat Contoh", "--tahun", "2026"]
    if kind != "kosong":
        args += ["--ro", str(samples / "referensi_ro.csv"), "--rencana", str(samples / "rencana.csv"),
                 "--kepala", "Budi Santoso", "--email", "program@example.go.id"]
    if kind == "xlsm":
        args.append("--macro")
    run(*args)
    assert audit(path) == []
    assert audit_warnings(path) == []


@pytest.mark.parametrize("name", ["capaian-kosong.xlsx", "capaian-kosong.xlsm"])
def test_templates_are_clean(name: str) -> None:
    path = ROOT / "workbook_templates" / name
    assert audit(path) == []
    assert audit_warnings(path) == []


# -- sopxl validate ---------------------------------------------------------------------------
@pytest.mark.parametrize("kind", ["xlsx", "xlsm"])
def test_validate_marks_on_the_planted_sample(tmp_path: Path, kind: str) -> None:
    """A workbook sopxl wrote whole, with mistakes planted (the bundled sample; as .xlsm, built
    with its buttons, whose VML the notes share), after validate wrote fills, notes and their
    VML, Catatan Koreksi, Kendali SOP and the hidden state; then after a second run and into
    an --output copy."""
    path = tmp_path / f"contoh.{kind}"
    if kind == "xlsx":
        shutil.copyfile(SAMPLE, path)
    else:
        write_workbook(path, sample_content(months=5, plant=True, today=SAMPLE_TODAY)[0], macro=True, portable=True)
    today = SAMPLE_TODAY.isoformat()
    assert audit(path) == []
    validate(path, today)
    written_by_sopxl(path)
    assert audit(path) == []
    validate(path, today)  # unchanged: the same marks again, Catatan statuses updated
    assert audit(path) == []
    copy = tmp_path / "keluar" / f"bertanda.{kind}"
    copy.parent.mkdir()
    validate(path, today, "--output", str(copy))
    assert audit(copy) == []


@pytest.mark.parametrize("maker", list(MAKERS))
def test_validate_adds_no_error_to_another_makers_workbook(tmp_path: Path, maker: str) -> None:
    path = MAKERS[maker](tmp_path / f"capaian.{maker.rsplit('.', 1)[1]}")
    before = audit(path)
    if maker.startswith("openpyxl"):
        assert before == [
            "[schema] /xl/styles.xml:/styleSheet[1]/fonts[1]/font[1]: Unexpected element 'color' found"
        ]
    else:
        assert before == []
    notes_before = note_parts(path)
    validate(path)
    written_by_sopxl(path)
    assert note_parts(path) > notes_before
    assert new_errors(before, audit(path)) == []
    # the second run with nothing changed rewrites Catatan Koreksi and the state
    validate(path)
    assert new_errors(before, audit(path)) == []
    copy = tmp_path / f"bertanda.{maker.rsplit('.', 1)[1]}"
    validate(path, TODAY, "--output", str(copy))
    assert new_errors(before, audit(copy)) == []


@pytest.mark.parametrize("kind", ["xlsx", "xlsm"])
def test_fix_then_validate_again(tmp_path: Path, kind: str) -> None:
    """Marks taken off (original looks restored, sopxl's notes and the cells it created
    removed) after the Bendahara fixed two cells; then put on again when one breaks again."""
    book, originals = planted_book()
    path = build_decorated(tmp_path / f"capaian.{kind}", book, xlsm=kind == "xlsm")
    before = audit(path)
    assert before == []
    validate(path)
    assert audit(path) == []
    pkg = WorkbookPackage.open(path)
    pkg.set_cell_values("Februari", {"E2": originals["E2"], "G3": originals["G3"]})
    pkg.save(backup=False)
    validate(path)
    assert new_errors(before, audit(path)) == []
    pkg = WorkbookPackage.open(path)
    pkg.set_cell_values("Februari", {"E2": "1.234,5"})
    pkg.save(backup=False)
    validate(path)
    assert new_errors(before, audit(path)) == []


# -- sopxl consolidate ------------------------------------------------------------------------
def test_consolidate_reports_and_their_copies(tmp_path: Path) -> None:
    path = tmp_path / "contoh.xlsx"
    shutil.copyfile(SAMPLE, path)
    validate(path, SAMPLE_TODAY.isoformat())
    semester = tmp_path / "laporan-semester1.xlsx"
    tahunan = tmp_path / "laporan-tahunan.xlsx"
    consolidate(path, "semester1", "--output", str(semester))
    consolidate(path, "tahunan", "--output", str(tahunan))
    consolidate(path, "semester1")  # over the report sheet written before (its charts too)
    names = sheet_names(path)
    assert "Laporan Semester I" in names and "Laporan Tahunan" in names
    assert audit(path) == []
    for copy in (semester, tahunan):  # written whole: no warning either
        assert audit(copy) == []
        assert audit_warnings(copy) == []


@pytest.mark.parametrize("maker", ["xlsxwriter.xlsm", "openpyxl.xlsx"])
def test_consolidate_adds_no_error_to_another_makers_workbook(tmp_path: Path, maker: str) -> None:
    path = MAKERS[maker](tmp_path / f"capaian.{maker.rsplit('.', 1)[1]}")
    before = audit(path)
    consolidate(path, "semester1")
    consolidate(path, "tahunan")
    assert new_errors(before, audit(path)) == []


# -- sopxl impor ------------------------------------------------------------------------------
def test_impor_writes_a_clean_month(tmp_path: Path) -> None:
    book = empty_march(tmp_path)
    export = one_header_xlsxwriter(tmp_path / "sakti.xlsx")
    before = audit(book)
    assert before == []
    out = json.loads(run("impor", str(book), "--ekspor", str(export), "--format", "json"))
    assert out["diisi"] == 8
    assert new_errors(before, audit(book)) == []
    # then validate against the same export (the REK rules) writes its marks
    validate(book, TODAY, "--ekspor", str(export))
    assert new_errors(before, audit(book)) == []


# -- sopxl kirim ------------------------------------------------------------------------------
def test_kirim_records_the_send(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A send (to the test SMTP server on 127.0.0.1) writes Kendali SOP step 6 and the state
    into the workbook."""
    monkeypatch.delenv("SOPXL_SMTP_PASSWORD", raising=False)
    path = kirim_book(tmp_path)
    before = audit(path)
    assert before == []
    validate(path, "2026-07-20")
    validated = path.read_bytes()
    with smtp_server(tmp_path) as stand:
        run("kirim", str(path), *stand.settings("none"), "--set", "today=2026-07-20")
        assert len(stand.received) == 1
    assert path.read_bytes() != validated
    assert new_errors(before, audit(path)) == []


# -- sopxl rekap ------------------------------------------------------------------------------
def test_recap_workbook(tmp_path: Path) -> None:
    inbox = tmp_path / "masuk"
    inbox.mkdir()
    satker_book("411001", "Balai Bersih").write(inbox / "bersih.xlsx")
    wrong: Book = satker_book("411002", "Balai Salah")
    wrong.months[2][0][spec.COL_RVRO] = "sepuluh"
    wrong.write(inbox / "salah.xlsx")
    (inbox / "rusak.xlsx").write_bytes(b"PK\x03\x04 bukan zip utuh")
    daftar = tmp_path / "daftar.csv"
    daftar.write_text("Kode Satker,Nama Satker\n411001,A\n411002,B\n411099,Balai Belum Kirim\n", encoding="utf-8")
    out = tmp_path / "rekap.xlsx"
    run("rekap", str(inbox), "--output", str(out), "--daftar", str(daftar), "--periode", "semester1",
        "--jobs", "1", "--format", "json")
    assert out.exists()
    assert audit(out) == []
    # Warnings only, of one kind: its cells hold inline strings (<c t="inlineStr">) and the
    # package has no shared-strings part, e.g. "[semantic Excel_InlineStrCells]
    # /xl/worksheets/sheet1.xml: Worksheet sheet1.xml has 45 inline-string cell(s) ... Excel
    # will move every inline string to a freshly-created shared-strings table on the next
    # save". Excel opens it without repair; it only rewrites the strings when it saves.
    assert {w.split("]")[0] for w in audit_warnings(out)} <= {"[semantic Excel_InlineStrCells"}


# -- LibreOffice ------------------------------------------------------------------------------
@pytest.mark.libreoffice
@pytest.mark.parametrize("marked", [False, True], ids=["bersih", "bertanda"])
def test_libreoffice_resaved_workbook(tmp_path: Path, lo_convert: Any, marked: bool) -> None:
    """A workbook LibreOffice saved (its own style numbering, VML and no theme part), before
    or after sopxl marked it, validated, fixed and validated again (the original looks
    restored in LibreOffice's style table), then consolidated."""
    book, originals = planted_book()
    built = build_decorated(tmp_path / "src.xlsx", book, xlsm=False)
    if marked:
        validate(built)  # marked by sopxl, then opened and saved in LibreOffice
    resaved = lo_convert(built, "xlsx", tmp_path / "resaved")
    path = tmp_path / "lo.xlsx"
    shutil.copyfile(resaved, path)
    before = audit(path)
    assert any("Sem_MissingRelationshipType" in e and "/theme" in e for e in before), before
    validate(path)
    written_by_sopxl(path)
    assert new_errors(before, audit(path)) == []
    pkg = WorkbookPackage.open(path)
    pkg.set_cell_values("Februari", {"E2": originals["E2"], "G3": originals["G3"]})
    pkg.save(backup=False)
    validate(path)
    assert new_errors(before, audit(path)) == []
    consolidate(path, "semester1")
    assert new_errors(before, audit(path)) == []
