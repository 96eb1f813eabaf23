"""The Excel entry points (sopxl.excel) against a recording stand-in for xlwings' Book.

There is no Excel here; the stand-in has the few attributes sopxl.excel uses (the same
names and behaviour as xlwings': `Range.color` reads an RGB tuple and accepts a hex
string, `Range.note`/`add_note` like xlwings' Note API, `App.alert`) and records them.
"""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Any

import pytest
from wbfactory import standard_book

import sopxl.excel as excel
from sopxl import spec
from sopxl.validate import validate_path


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


class FakeApp:
    def __init__(self) -> None:
        self.alerts: list[tuple[str, str | None, str, str | None]] = []
        self.screen_updating = True

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


def _sheet_names(path: Path) -> list[str]:
    from python_calamine import CalamineWorkbook

    return list(CalamineWorkbook.from_path(str(path)).sheet_names)


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

    book = FakeBook(str(path), _sheet_names(path))
    result = excel.validasi(book)

    assert result is not None
    assert [f.model_dump() for f in result.findings] == [f.model_dump() for f in expected.findings]
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
    assert [(r[1], r[2]) for r in catatan[1:]] == [(f.sheet, f.cell) for f in expected.findings]
    assert all(str(r[8]).startswith('=HYPERLINK("#') for r in catatan[1:])

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
    assert identitas.cells["B2"].note_obj.text.startswith("catatan pengguna\n[sopxl]")

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
    assert "Laporan Semester I belum dapat dibuat" in book.app.alerts[-1][0]


def test_entry_points_exist() -> None:
    for name in excel.ENTRY_POINTS:
        assert callable(getattr(excel, name))


def test_caller_without_excel_raises() -> None:
    with pytest.raises(Exception):  # noqa: B017 - xlwings raises a plain Exception
        excel.validasi()
