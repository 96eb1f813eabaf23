"""The Excel entry points (sopxl.frontends.excel) against a recording stand-in for xlwings' Book.

There is no Excel here; the stand-in has the few attributes sopxl.frontends.excel uses (the same
names and behaviour as xlwings': `Range.color` reads an RGB tuple and accepts a hex
string, `Range.note`/`add_note` like xlwings' Note API, `App.alert`) and records them.
"""

from __future__ import annotations

import hashlib
import sys
from pathlib import Path
from typing import Any

import pytest
from wbfactory import standard_book

import sopxl.frontends.excel as excel
from sopxl.core import spec
from sopxl.rules.validate import validate_path

pytestmark = pytest.mark.filterwarnings("ignore:.*deprecated")  # oletools' pyparsing use


class FakeNote:
    def __init__(self, cell: FakeCell, text: str) -> None:
        self.cell, self._text = cell, text

    @property
    def text(self) -> str:
        return self._text

    @text.setter
    def text(self, value: str) -> None:
        self._text = value

    def delete(self) -> None:
        self.cell.note_obj = None


class FakeCell:
    def __init__(self) -> None:
        self.value: Any = None
        self.color: tuple[int, int, int] | None = None
        self.note_obj: FakeNote | None = None


def _hex_to_rgb(value: Any) -> tuple[int, int, int] | None:
    if value is None:
        return None
    if isinstance(value, tuple):
        return value
    value = value.lstrip("#")
    return (int(value[0:2], 16), int(value[2:4], 16), int(value[4:6], 16))


class Font:
    bold = False


class FakeRange:
    def __init__(self, sheet: FakeSheet, address: str) -> None:
        self.sheet, self.address = sheet, address.replace("$", "").upper()
        self.font = Font()
        self.column_width: float | None = None

    def _cell(self) -> FakeCell:
        first = self.address.split(":")[0]
        return self.sheet.cells.setdefault(first, FakeCell())

    @property
    def color(self) -> tuple[int, int, int] | None:
        return self._cell().color

    @color.setter
    def color(self, value: Any) -> None:
        self.sheet.book.log.append(("color", self.sheet.name, self.address, value))
        self._cell().color = _hex_to_rgb(value)

    @property
    def note(self) -> FakeNote | None:
        return self._cell().note_obj

    def add_note(self, text: str) -> FakeNote:
        if self._cell().note_obj is not None:
            raise ValueError("This cell already has a note")  # as xlwings does
        self._cell().note_obj = FakeNote(self._cell(), text)
        return self._cell().note_obj

    @property
    def value(self) -> Any:
        return self._cell().value

    @value.setter
    def value(self, rows: Any) -> None:
        row0, col0 = spec.parse_ref(self.address)
        if not isinstance(rows, list):
            self._cell().value = rows
            return
        for r, row in enumerate(rows):
            for c, v in enumerate(row):
                self.sheet.cells.setdefault(spec.cell_ref(row0 + r, col0 + c), FakeCell()).value = v


class UsedRange:
    def __init__(self, sheet: FakeSheet) -> None:
        self.sheet = sheet

    @property
    def address(self) -> str:
        value = self.value or [[None]]
        return f"$A$1:${spec.col_letter(len(value[0]))}${len(value)}"

    @property
    def value(self) -> Any:
        filled = [spec.parse_ref(a) for a, c in self.sheet.cells.items() if c.value is not None]
        if not filled:
            return None
        rows, cols = max(r for r, _ in filled), max(c for _, c in filled)
        return [
            [self.sheet.cells.get(spec.cell_ref(r, c), FakeCell()).value for c in range(1, cols + 1)]
            for r in range(1, rows + 1)
        ]


class FakeSheet:
    def __init__(self, book: FakeBook, name: str) -> None:
        self.book, self.name = book, name
        self.cells: dict[str, FakeCell] = {}

    def range(self, address: str) -> FakeRange:
        return FakeRange(self, address)

    @property
    def used_range(self) -> UsedRange:
        return UsedRange(self)

    def clear(self) -> None:
        self.cells.clear()

    def delete(self) -> None:
        self.book.log.append(("delete", self.name))
        self.book.sheets._sheets.remove(self)

    def copy(self, before: FakeSheet | None = None, after: FakeSheet | None = None, name: str | None = None) -> FakeSheet:
        target = (before or after)
        assert target is not None, "cross-book copy needs before/after, as in xlwings"
        book = target.book
        new_name = name or self.name
        taken = {s.name.lower() for s in book.sheets}
        n = 2
        while new_name.lower() in taken:  # Excel: "Laporan Semester I (2)"
            new_name = f"{self.name} ({n})"
            n += 1
        copy = FakeSheet(book, new_name)
        copy.cells = {k: v for k, v in self.cells.items()}
        copy.copied_from = self.book.fullname  # type: ignore[attr-defined]
        lst = book.sheets._sheets
        lst.insert(lst.index(before) if before is not None else lst.index(after) + 1, copy)  # type: ignore[arg-type]
        book.log.append(("copy", self.name, new_name))
        return copy


class FakeSheets:
    def __init__(self, book: FakeBook, names: list[str]) -> None:
        self.book = book
        self._sheets = [FakeSheet(book, n) for n in names]

    def __iter__(self) -> Any:
        return iter(list(self._sheets))

    def __getitem__(self, key: str | int) -> FakeSheet:
        if isinstance(key, int):
            return self._sheets[key]
        return next(s for s in self._sheets if s.name.lower() == key.lower())

    def add(self, name: str, after: FakeSheet | None = None) -> FakeSheet:
        sheet = FakeSheet(self.book, name)
        index = self._sheets.index(after) + 1 if after is not None else 0
        self._sheets.insert(index, sheet)
        return sheet


class FakeBooks:
    def __init__(self) -> None:
        self.opened: list[FakeBook] = []

    def open(self, fullname: str) -> FakeBook:
        book = open_book(Path(fullname))
        self.opened.append(book)
        return book


class FakeApp:
    def __init__(self) -> None:
        self.alerts: list[tuple[str, str | None, str, str | None]] = []
        self.screen_updating = True
        self.books = FakeBooks()

    def alert(self, prompt: str, title: str | None = None, buttons: str = "ok", mode: str | None = None) -> str:
        self.alerts.append((prompt, title, buttons, mode))
        return "ok"


class FakeBook:
    def __init__(self, fullname: str, sheet_names: list[str]) -> None:
        self.fullname = fullname
        self.name = Path(fullname).name
        self.app = FakeApp()
        self.log: list[tuple[Any, ...]] = []
        self.sheets = FakeSheets(self, sheet_names)
        self.closed = False

    def close(self) -> None:
        self.closed = True


def _sheet_names(path: Path) -> list[str]:
    from python_calamine import CalamineWorkbook

    return list(CalamineWorkbook.from_path(str(path)).sheet_names)


def open_book(path: Path) -> FakeBook:
    """The stand-in for the workbook as Excel shows it after opening `path` (cell values loaded)."""
    from python_calamine import CalamineWorkbook

    wb = CalamineWorkbook.from_path(str(path))
    book = FakeBook(str(path), list(wb.sheet_names))
    for sheet in book.sheets:
        rows = wb.get_sheet_by_name(sheet.name).to_python(skip_empty_area=False)
        for r, row in enumerate(rows, start=1):
            for c, v in enumerate(row, start=1):
                if v != "":
                    sheet.cells.setdefault(spec.cell_ref(r, c), FakeCell()).value = v
    return book


def _broken(tmp_path: Path, name: str = "capaian.xlsm") -> Path:
    book = standard_book(months=3)
    book.identitas[spec.ID_KODE_SATKER] = "4117"
    book.identitas[spec.ID_NIP_KASI] = "123"
    book.referensi[0][spec.COL_JENIS_RO] = "Statik"
    return Path(book.write(tmp_path / name))


def _digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_validasi_marks_the_open_book_like_the_cli(tmp_path: Path) -> None:
    path = _broken(tmp_path)
    digest = _digest(path)
    expected, _, _ = validate_path(path)
    assert expected.errors and expected.warnings

    book = open_book(path)
    result = excel.validasi(book)

    assert result is not None
    assert [f.to_json_dict() for f in result.findings] == [f.to_json_dict() for f in expected.findings]
    assert _digest(path) == digest  # nothing written on disk

    worst: dict[tuple[str, str], str] = {}
    for f in expected.findings:
        key = (f.sheet, f.cell)
        worst[key] = "error" if f.severity == "error" or worst.get(key) == "error" else "warning"
    for (sheet, cell), severity in worst.items():
        c = book.sheets[sheet].cells[cell]
        assert c.color == excel.FILL_RGB[severity], (sheet, cell)
        assert c.note_obj is not None and c.note_obj.text.startswith(excel.NOTE_MARK)
        for f in expected.findings:
            if (f.sheet, f.cell) == (sheet, cell):
                assert f.message in c.note_obj.text
    coloured = {(s, a) for kind, s, a, _v in book.log if kind == "color"}
    assert coloured == set(worst)

    catatan = book.sheets[spec.SHEET_CATATAN].used_range.value
    assert catatan[0] == list(excel.CATATAN_HEADER)
    col = {name: i for i, name in enumerate(excel.CATATAN_HEADER)}
    assert [(r[col["Lembar"]], r[col["Sel"]]) for r in catatan[1:]] == [
        (f.sheet, f.cell) for f in expected.findings
    ]
    assert all(str(r[col["Tautan"]]).startswith('=HYPERLINK("#') for r in catatan[1:])
    assert {r[col["Status"]] for r in catatan[1:]} == {"Baru"}

    prompt, title, _buttons, mode = book.app.alerts[-1]
    assert title == "sopxl" and mode == "critical"
    assert f"{expected.errors} kesalahan, {expected.warnings} peringatan" in prompt
    assert book.app.screen_updating is True


def test_fixed_cells_lose_their_mark_and_user_fill_and_note_come_back(tmp_path: Path) -> None:
    path = _broken(tmp_path)
    book = FakeBook(str(path), _sheet_names(path))
    identitas = book.sheets[spec.SHEET_IDENTITAS]
    identitas.range("B2").color = (0, 176, 240)  # the user's own fill
    identitas.range("B2").add_note("catatan pengguna")
    excel.validasi(book)
    assert identitas.cells["B2"].color == excel.FILL_RGB["error"]
    assert identitas.cells["B2"].note_obj.text == "catatan pengguna"  # a foreign note is left alone

    fixed = standard_book(months=3)
    fixed.identitas[spec.ID_NIP_KASI] = "123"
    fixed.referensi[0][spec.COL_JENIS_RO] = "Statik"
    fixed.write(path)  # the Bendahara fixed Kode Satker and saved
    result = excel.validasi(book)
    assert result is not None
    assert all((f.sheet, f.cell) != (spec.SHEET_IDENTITAS, "B2") for f in result.findings)
    assert identitas.cells["B2"].color == (0, 176, 240)
    assert identitas.cells["B2"].note_obj.text == "catatan pengguna"
    still = {(f.sheet, f.cell) for f in result.findings}
    assert (spec.SHEET_REFERENSI, "D2") in still
    assert book.sheets[spec.SHEET_REFERENSI].cells["D2"].color == excel.FILL_RGB["error"]
    catatan = book.sheets[spec.SHEET_CATATAN].used_range.value
    assert len(catatan) == len(result.findings) + 1
    status = catatan[0].index("Status")
    assert {r[status] for r in catatan[1:]} == {"Belum diperbaiki"}  # all seen in the first run


def test_lo_macro_gets_the_same_catatan_columns_notes_and_fills(tmp_path: Path) -> None:
    """The macro holds no copy of these (tests/test_lo_macro.py): it applies the plan of
    `sopxl validate --format tanda`, which carries the buttons' own values."""
    import json

    from click.testing import CliRunner

    from sopxl.frontends.cli import cli
    from sopxl.ooxml.notes import NOTE_PREFIX
    from sopxl.writeback import look

    path = _broken(tmp_path)
    run = CliRunner().invoke(cli, ["validate", str(path), "--no-write", "--format", "tanda"])
    plan = json.loads(run.output)["plan"]
    assert tuple(plan["catatan"]["header"]) == excel.CATATAN_HEADER
    assert plan["note_prefix"] == excel.NOTE_MARK
    assert excel.NOTE_MARK == NOTE_PREFIX  # the CLI and the buttons recognise each other's notes
    assert {k: _hex_to_rgb(v) for k, v in plan["fills"].items()} == excel.FILL_RGB
    assert {k: "FF" + v[1:] for k, v in plan["fills"].items()} == dict(look.FILLS)


def test_clean_workbook_says_so(tmp_path: Path) -> None:
    path = Path(standard_book(months=3).write(tmp_path / "ok.xlsx"))
    expected, _, _ = validate_path(path)
    book = FakeBook(str(path), _sheet_names(path))
    result = excel.validasi(book)
    assert result is not None and len(result.findings) == len(expected.findings)
    if not expected.findings:
        assert "tidak ada kesalahan" in book.app.alerts[-1][0]
        assert all(kind != "color" for kind, *_ in book.log)


def test_never_saved_workbook_asks_to_save() -> None:
    book = FakeBook("Book1", ["Sheet1"])
    assert excel.validasi(book) is None
    assert "belum pernah disimpan" in book.app.alerts[-1][0]
    assert book.log == []


def test_onedrive_url_that_cannot_be_mapped(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("HOME", str(tmp_path))
    monkeypatch.setenv("USERPROFILE", str(tmp_path))
    book = FakeBook("https://d.docs.live.net/abc123/Dokumen/capaian.xlsm", ["Sheet1"])
    assert excel.validasi(book) is None
    assert "OneDrive" in book.app.alerts[-1][0]


def test_onedrive_url_mapped_to_the_synced_file(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("HOME", str(tmp_path))
    synced = tmp_path / "OneDrive" / "Dokumen"
    synced.mkdir(parents=True)
    path = _broken(synced)
    book = FakeBook("https://d.docs.live.net/abc123/Dokumen/capaian.xlsm", _sheet_names(path))
    result = excel.validasi(book)
    assert result is not None and result.findings
    assert Path(result.file) == path


def test_xlwings_error_on_fullname_is_a_message() -> None:
    class CloudBook(FakeBook):
        @property  # type: ignore[override]
        def fullname(self) -> str:
            raise RuntimeError("Couldn't find your local OneDrive file, see: xlwings.org/error")

        @fullname.setter
        def fullname(self, value: str) -> None:
            pass

    book = CloudBook("x", ["Sheet1"])
    assert excel.validasi(book) is None
    assert "OneDrive/SharePoint" in book.app.alerts[-1][0]


def test_unreadable_file_is_a_message(tmp_path: Path) -> None:
    path = tmp_path / "rusak.xlsm"
    path.write_bytes(b"not a zip")
    book = FakeBook(str(path), ["Sheet1"])
    assert excel.validasi(book) is None
    prompt, _t, _b, mode = book.app.alerts[-1]
    assert mode == "critical" and "sopxl tidak dapat memeriksa" in prompt


def test_konsolidasi_refuses_while_errors(tmp_path: Path) -> None:
    path = _broken(tmp_path)
    book = FakeBook(str(path), _sheet_names(path))
    result = excel.konsolidasi_semester1(book)
    assert result is not None and result.errors
    prompt = book.app.alerts[-1][0]
    assert "Konsolidasi Laporan Semester I ditolak" in prompt and "ditandai merah" in prompt
    assert "Laporan Semester I" not in [s.name for s in book.sheets]
    assert book.sheets[spec.SHEET_CATATAN] is not None  # the blocking cells are marked


def _clean_sample(tmp_path: Path, months: int = 6) -> Path:
    from sopxl.build.samples import SAMPLE_TODAY, build_sample

    path = tmp_path / "contoh.xlsx"
    build_sample(path, months=months, plant=False, today=SAMPLE_TODAY)
    return path


def test_konsolidasi_copies_the_report_into_the_open_book(tmp_path: Path) -> None:
    path = _clean_sample(tmp_path)
    digest = _digest(path)
    book = open_book(path)
    result = excel.konsolidasi_semester1(book)
    assert result is not None
    names = [s.name for s in book.sheets]
    assert names.count("Laporan Semester I") == 1
    assert names.index("Laporan Semester I") == names.index("Desember") + 1
    report = book.sheets["Laporan Semester I"]
    assert report.copied_from != str(path)  # built by the engine into a temporary workbook
    assert all(b.closed for b in book.app.books.opened)  # the temporary workbook is closed
    assert _digest(path) == digest  # the user's file is untouched
    assert "Sheet 'Laporan Semester I' dibuat" in book.app.alerts[-1][0]
    # the report is recorded in sopxl's state like `sopxl consolidate` does (LAP-USANG)
    from sopxl.read.state import decode_rows
    from sopxl.report.consolidate import consolidate

    rows = book.sheets[spec.SHEET_STATE].used_range.value
    state = decode_rows((r[0], r[1]) for r in rows)
    same = consolidate(path, "semester1", write=False)
    assert state["reports"]["semester1"]["hash"] == same.figures.data_hash

    # again: the old report is replaced in place, copied first then deleted
    marker = object()
    report.cells["Z99"] = marker  # type: ignore[assignment]
    excel.konsolidasi_semester1(book)
    names2 = [s.name for s in book.sheets]
    assert names2 == names
    assert "Z99" not in book.sheets["Laporan Semester I"].cells
    kinds = [e[0] for e in book.log if e[0] in ("copy", "delete")]
    assert kinds[-2:] == ["copy", "delete"]


def test_entry_points_exist() -> None:
    for name in excel.ENTRY_POINTS:
        assert callable(getattr(excel, name))


def test_caller_without_excel_raises() -> None:
    with pytest.raises(Exception):  # noqa: B017 - xlwings raises a plain Exception
        excel.validasi()


# --- sopxl excel-setup ----------------------------------------------------------------------


def test_excel_setup_on_linux_explains() -> None:
    from click.testing import CliRunner

    from sopxl.frontends.cli import cli
    from sopxl.frontends.cli.excel_cmd import linux_steps, setup_steps

    steps = setup_steps("linux", Path("/nonexistent"), "/usr/bin/python3")
    assert steps == linux_steps()
    run = CliRunner().invoke(cli, ["excel-setup"])
    if sys.platform.startswith("linux"):
        assert run.exit_code == 0, run.output
        assert "Excel tidak tersedia di Linux" in run.output
        assert "sopxl lo-install" in run.output and "sopxl validate" in run.output


def test_excel_setup_windows_writes_interpreter_into_user_config(tmp_path: Path) -> None:
    from sopxl.frontends.cli.excel_cmd import FIXED, OK, TODO, setup_steps, user_conf_path

    python = r"C:\Users\kasi\AppData\Local\Programs\Python\Python312\python.exe"
    conf = user_conf_path("win32", tmp_path)
    conf.parent.mkdir(parents=True)
    conf.write_text('"CONDA PATH","C:\\conda"\n', encoding="utf-8")
    steps = {s.title: s for s in setup_steps("win32", tmp_path, python, fix=True)}
    assert steps["Paket xlwings"].status == OK
    assert steps["Lokasi Python untuk tombol"].status == FIXED
    assert steps["DLL xlwings"].status == TODO  # no Windows DLL on this machine
    text = conf.read_text(encoding="utf-8")
    assert f'"INTERPRETER_WIN","{python}"' in text and '"CONDA PATH","C:\\conda"' in text
    again = {s.title: s for s in setup_steps("win32", tmp_path, python, fix=True)}
    assert again["Lokasi Python untuk tombol"].status == OK
    # check-only changes nothing
    other = tmp_path / "other"
    steps2 = {s.title: s for s in setup_steps("win32", other, python, fix=False)}
    assert steps2["Lokasi Python untuk tombol"].status == TODO
    assert not user_conf_path("win32", other).exists()


def test_excel_setup_mac_installs_applescript(tmp_path: Path) -> None:
    import xlwings

    from sopxl.frontends.cli.excel_cmd import FIXED, setup_steps, user_conf_path

    steps = {s.title: s for s in setup_steps("darwin", tmp_path, "/usr/local/bin/python3", fix=True)}
    assert steps["AppleScript xlwings"].status == FIXED
    script = tmp_path / "Library" / "Application Scripts" / "com.microsoft.Excel" / f"xlwings-{xlwings.__version__}.applescript"
    assert script.exists()
    assert '"INTERPRETER_MAC","/usr/local/bin/python3"' in user_conf_path("darwin", tmp_path).read_text()


def test_excel_setup_checks_the_workbook_xlwings_version(tmp_path: Path) -> None:
    import xlsxwriter
    import xlwings

    from sopxl.build.macro import attach_macros
    from sopxl.frontends.cli.excel_cmd import OK, TODO, check_workbook

    path = tmp_path / "b.xlsm"
    wb = xlsxwriter.Workbook(str(path))
    sheets = {spec.SHEET_PETUNJUK: wb.add_worksheet(spec.SHEET_PETUNJUK)}
    attach_macros(wb, sheets)
    wb.close()
    assert check_workbook(path, xlwings.__version__).status == OK
    mismatch = check_workbook(path, "0.0.1")
    assert mismatch.status == TODO and f"pip install xlwings=={xlwings.__version__}" in mismatch.detail
    plain = Path(standard_book(months=1).write(tmp_path / "plain.xlsx"))
    assert check_workbook(plain, xlwings.__version__).status == TODO


def test_validasi_updates_kendali_sop_step_3(tmp_path: Path) -> None:
    from sopxl.build.samples import SAMPLE_TODAY, build_sample
    from sopxl.writeback.catatan import catatan_kendali, status_kendali

    path = tmp_path / "salah.xlsx"
    build_sample(path, months=6, plant=True, today=SAMPLE_TODAY)
    book = open_book(path)
    assert spec.SHEET_KENDALI in [s.name for s in book.sheets]
    result = excel.validasi(book)
    assert result is not None and result.errors
    rows = book.sheets[spec.SHEET_KENDALI].used_range.value
    header = next(i for i, row in enumerate(rows) if "Langkah" in row)
    col = {v: i for i, v in enumerate(rows[header]) if isinstance(v, str)}
    step3 = next(row for row in rows[header + 1 :] if str(row[col["Langkah"]]).strip() in ("3", "3.0"))
    assert step3[col["Status"]] == status_kendali(result.errors)
    assert step3[col["Catatan"]] == catatan_kendali(result.errors, result.warnings, 0)


def _step3(rows: list[list[Any]] | list[tuple[Any, ...]]) -> dict[str, Any]:
    header = next(i for i, row in enumerate(rows) if "Langkah" in row)
    col = {v: i for i, v in enumerate(rows[header]) if isinstance(v, str)}
    step = next(row for row in rows[header + 1 :] if str(row[col["Langkah"]]).strip() in ("3", "3.0"))
    values = {name: step[col[name]] for name in ("Tanggal", "Status", "Catatan")}
    if hasattr(values["Tanggal"], "date"):
        values["Tanggal"] = values["Tanggal"].date()
    return values


def test_validasi_and_the_cli_write_the_same_kendali_step_3(tmp_path: Path) -> None:
    """Two runs, a fix between them: the button (stand-in) and `sopxl validate` give step 3
    the same date, status and note, the count of fixed findings included."""
    import shutil

    import openpyxl

    from sopxl.build.samples import SAMPLE_TODAY, build_sample
    from sopxl.ooxml import WorkbookPackage
    from sopxl.writeback.marks import apply_marks

    clean = tmp_path / "benar.xlsx"
    build_sample(clean, months=6, today=SAMPLE_TODAY)
    planted = build_sample(tmp_path / "salah.xlsx", months=6, plant=True, today=SAMPLE_TODAY)
    button, cli_copy = tmp_path / "tombol.xlsx", tmp_path / "cli.xlsx"
    shutil.copyfile(tmp_path / "salah.xlsx", button)
    shutil.copyfile(tmp_path / "salah.xlsx", cli_copy)
    book = open_book(button)

    fix = next(p for p in planted if p.sheet == spec.SHEET_IDENTITAS)
    right = WorkbookPackage.open(clean).read_values(fix.sheet)[spec.parse_ref(fix.cell)]
    steps = []
    for round_ in range(2):
        if round_:
            for path in (button, cli_copy):
                pkg = WorkbookPackage.open(path)
                pkg.set_cell_values(fix.sheet, {fix.cell: right})
                pkg.save(backup=False)
        result = excel.validasi(book)
        assert result is not None
        cli_result, data, settings = validate_path(cli_copy)
        assert [f.to_json_dict() for f in cli_result.findings] == [f.to_json_dict() for f in result.findings]
        data.release_tables()
        apply_marks(cli_copy, cli_result, settings)
        from_button = _step3(book.sheets[spec.SHEET_KENDALI].used_range.value)
        from_cli = _step3(list(openpyxl.load_workbook(cli_copy)[spec.SHEET_KENDALI].iter_rows(values_only=True)))
        assert from_button == from_cli
        steps.append(from_cli)
    assert "selesai diperbaiki" not in steps[0]["Catatan"]
    assert "selesai diperbaiki" in steps[1]["Catatan"]
