"""sopxl's hidden state damaged by hand: every shape is survived (never a traceback, never a
refusal), the damage is reported as a warning, and the marks are still taken off once fixed."""

from __future__ import annotations

import shutil
import zipfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from click.testing import CliRunner, Result
from wbfactory import standard_book

from sopxl.core import spec
from sopxl.frontends.cli import cli
from sopxl.ooxml import WorkbookPackage
from sopxl.read.state import (
    check_state,
    read_state,
    read_state_checked,
    state_sheet_xml,
    write_state,
)
from sopxl.writeback.look import ERROR_FILL

WRONG = "x"


def run(*args: str) -> Result:
    return CliRunner().invoke(cli, list(args))


def marked_book(tmp_path: Path) -> tuple[Path, str]:
    """A workbook validated once (so its state records a mark), and the marked cell."""
    book = standard_book(months=3)
    book.months[2][0][spec.COL_RVRO] = WRONG
    path = book.write(tmp_path / "b.xlsx")
    assert run("validate", str(path)).exit_code == 1
    return path, book.month_ref(2, 0, spec.COL_RVRO)


def fix(path: Path, cell: str, sheet: str = "Februari") -> None:
    wb_pkg = WorkbookPackage.open(path)
    wb_pkg.set_cell_values(wb_pkg.find_sheet(sheet).name, {cell: 1})  # type: ignore[union-attr]
    wb_pkg.save(backup=False)


def fill_of(path: Path, sheet: str, cell: str) -> str | None:
    ws = openpyxl.load_workbook(path)[sheet]
    fg = ws[cell].fill.fgColor
    return fg.rgb if ws[cell].fill.fill_type == "solid" else None


def note_of(path: Path, sheet: str, cell: str) -> str | None:
    comment = openpyxl.load_workbook(path)[sheet][cell].comment
    return None if comment is None else comment.text


Damage = Callable[[dict[str, Any]], dict[str, Any]]
CASES: dict[str, Damage] = {
    "tanda-list": lambda s: {**s, "tanda": [1, 2, 3]},
    "tanda-number": lambda s: {**s, "tanda": 7},
    "sheet-records-list": lambda s: {**s, "tanda": {"Februari": [1]}},
    "record-strings": lambda s: {**s, "tanda": {"Februari": {c: ["a", "b", "c"] for c in s["tanda"]["Februari"]}}},
    "record-dict": lambda s: {**s, "tanda": {"Februari": {c: {"x": 1} for c in s["tanda"]["Februari"]}}},
    "look-index-out-of-range": lambda s: {**s, "tanda": {"Februari": {c: [99, 0, 1] for c in s["tanda"]["Februari"]}}},
    "huge-numbers": lambda s: {**s, "tanda": {"Februari": {c: [10**400, 10**30, 1] for c in s["tanda"]["Februari"]}}},
    "infinity": lambda s: {**s, "tanda": {"Februari": {c: [float("inf"), 0, 1] for c in s["tanda"]["Februari"]}}},
    "cells-that-do-not-exist": lambda s: {
        **s,
        "tanda": {"Februari": {"ZZZ0": [None, 0, 1], "A0": [None, 0, 1], "XFE1": [None, 0, 1], "A1048577": [None, 0, 1]}},
    },
    "looks-not-a-list": lambda s: {**s, "tanda_tampilan": "x"},
    "looks-garbage": lambda s: {**s, "tanda_tampilan": [1, "a", None, {"xf": "<xf"}, {"xf": 5, "fill": []}]},
    "version-text": lambda s: {**s, "tanda_versi": "2"},
    "legacy-bad-fill": lambda s: {
        k: v for k, v in {**s, "tanda": {"Februari": {c: [None, 3, 0, 1, "<fill"] for c in s["tanda"]["Februari"]}}}.items()
        if k != "tanda_versi"
    },
    "findings-dict": lambda s: {**s, "temuan": {"a": 1}},
    "findings-wrong-items": lambda s: {**s, "temuan": [[1, 2, 3, 4, 5, 6, 7], "x", [None] * 7, [[], {}, [], [], [], [], []]]},
    "history-text": lambda s: {**s, "riwayat": "x"},
    "reports-list": lambda s: {**s, "reports": [1]},
    "reports-wrong-items": lambda s: {**s, "reports": {"semester1": 5}},
}


@pytest.mark.parametrize("name", list(CASES))
def test_damaged_state_is_survived_and_marks_come_off(tmp_path: Path, name: str) -> None:
    path, cell = marked_book(tmp_path)
    pkg = WorkbookPackage.open(path)
    write_state(pkg, CASES[name](read_state(pkg)))
    pkg.save(backup=False)

    checked, damage = read_state_checked(WorkbookPackage.open(path))
    assert damage, "the damage is named"
    assert check_state(checked)[1] == [], "what is kept fits the shapes"

    # validation reports the damage as a warning and the finding as before: exit code of errors
    result = run("validate", "--no-write", "--format", "json", str(path))
    assert result.exit_code == 1, result.output
    assert "Traceback" not in result.output
    assert '"STR-SHEET"' in result.output and spec.SHEET_STATE in result.output

    # marking works and remembers the damage; fixing the cell takes the mark off
    copy = tmp_path / "again.xlsx"
    shutil.copy(path, copy)
    assert run("validate", str(copy)).exit_code == 1
    assert read_state(WorkbookPackage.open(copy))["riwayat"][-1]["catatan_rusak"] == damage
    fix(copy, cell)
    assert run("validate", str(copy)).exit_code == 0
    assert fill_of(copy, "Februari", cell) is None
    assert note_of(copy, "Februari", cell) is None
    # the state is whole again: no warning any more
    assert read_state_checked(WorkbookPackage.open(copy))[1] == []


def test_marks_of_a_sheet_that_does_not_exist_are_forgotten(tmp_path: Path) -> None:
    """A sheet deleted since sopxl marked it is no damage: its records are left behind."""
    path, cell = marked_book(tmp_path)
    pkg = WorkbookPackage.open(path)
    state = read_state(pkg)
    state["tanda"]["Tidak Ada"] = {"A1": [None, 0, 1], "ZZ9": [None, 1, 1]}
    write_state(pkg, state)
    pkg.save(backup=False)
    assert read_state_checked(WorkbookPackage.open(path))[1] == []
    fix(path, cell)
    assert run("validate", str(path)).exit_code == 0
    assert fill_of(path, "Februari", cell) is None
    assert "Tidak Ada" not in read_state(WorkbookPackage.open(path))["tanda"]


def test_truncated_json_is_a_damaged_key(tmp_path: Path) -> None:
    path, cell = marked_book(tmp_path)
    pkg = WorkbookPackage.open(path)
    rows: list[tuple[str, str | int]] = [("kunci", "nilai"), ("versi", 1), ("tanda", '{"Februari":{"' + cell + '":[0,'), ("temuan", "[[1")]
    pkg.put_sheet(spec.SHEET_STATE, state_sheet_xml(rows), state="veryHidden")
    pkg.save(backup=False)
    state, damage = read_state_checked(WorkbookPackage.open(path))
    assert "tanda" not in state and len(damage) == 2
    fix(path, cell)
    result = run("validate", str(path))
    assert result.exit_code == 0, result.output  # the warning only
    assert fill_of(path, "Februari", cell) is None and note_of(path, "Februari", cell) is None


def test_valid_state_is_kept_as_it_is() -> None:
    state = {
        "tanda": {"Data": {"A1": [None, 5, 1, 1], "B2": [None, 3]}},
        "riwayat": ["x", {"y": 1}],
        "lain": {"kunci": "asing"},
    }
    assert check_state(state) == (state, [])


@pytest.mark.parametrize("new_name", ["februari", "Februari\u00a0", " FEBRUARI"])
def test_marks_follow_a_sheet_renamed_in_case_or_space(tmp_path: Path, new_name: str) -> None:
    path, cell = marked_book(tmp_path)
    _rename(path, "Februari", new_name)
    # still wrong: the same finding is "Belum diperbaiki", not fixed and new at once
    assert run("validate", str(path)).exit_code == 1
    statuses = _statuses(path)
    assert statuses == ["Belum diperbaiki"], statuses
    fix(path, cell, new_name)
    assert run("validate", str(path)).exit_code == 0
    assert fill_of(path, new_name, cell) is None
    assert note_of(path, new_name, cell) is None
    assert _statuses(path) == ["Selesai"]


def _rename(path: Path, old: str, new: str) -> None:
    tmp = path.with_suffix(".tmp")
    with zipfile.ZipFile(path) as zin, zipfile.ZipFile(tmp, "w", zipfile.ZIP_DEFLATED) as zout:
        for info in zin.infolist():
            data = zin.read(info)
            if info.filename == "xl/workbook.xml":
                data = data.replace(f'name="{old}"'.encode(), f'name="{new}"'.encode())
            zout.writestr(info, data)
    tmp.replace(path)


def _statuses(path: Path) -> list[str]:
    ws = openpyxl.load_workbook(path)[spec.SHEET_CATATAN]
    rows = [[c.value for c in row] for row in ws.iter_rows()]
    header = next(i for i, r in enumerate(rows) if "Status" in r)
    col = rows[header].index("Status")
    return [r[col] for r in rows[header + 1 :] if r[col]]


def without_styles(tmp_path: Path) -> Path:
    book = standard_book(months=3)
    book.months[2][0][spec.COL_RVRO] = WRONG
    src = book.write(tmp_path / "src.xlsx")
    path = tmp_path / "b.xlsx"
    with zipfile.ZipFile(src) as zin, zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zout:
        for info in zin.infolist():
            if info.filename != "xl/styles.xml":
                zout.writestr(info, zin.read(info))
    return path


def test_missing_styles_part_validate_marks_twice(tmp_path: Path) -> None:
    path = without_styles(tmp_path)
    for _ in range(2):
        result = run("validate", str(path))
        assert result.exit_code == 1, result.output
    ws = openpyxl.load_workbook(path)["Februari"]
    cell = standard_book(months=3).month_ref(2, 0, spec.COL_RVRO)
    assert ws[cell].fill.fgColor.rgb == ERROR_FILL


def test_missing_styles_part_consolidate_paksa(tmp_path: Path) -> None:
    path = without_styles(tmp_path)
    result = run("consolidate", "--paksa", "--periode", "semester1", str(path))
    assert result.exit_code == 0, result.output
    assert "Laporan Semester I" in openpyxl.load_workbook(path).sheetnames


def _damaged_package(tmp_path: Path, change: Callable[[str, bytes], bytes | None]) -> Path:
    src = standard_book(months=3).write(tmp_path / "src.xlsx")
    path = tmp_path / "b.xlsx"
    with zipfile.ZipFile(src) as zin, zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zout:
        for info in zin.infolist():
            data = change(info.filename, zin.read(info))
            if data is not None:
                zout.writestr(info, data)
    return path


def test_missing_sheet_part_refused_in_indonesian(tmp_path: Path) -> None:
    # sheet 8 is Mei (Identitas, Referensi RO, Rencana, Januari...)
    path = _damaged_package(tmp_path, lambda name, data: None if name == "xl/worksheets/sheet8.xml" else data)
    result = run("validate", "--no-write", str(path))
    assert result.exit_code == 2, result.output
    assert "lembar 'Mei' (bagian xl/worksheets/sheet8.xml)" in result.output
    assert "tidak ada di dalam berkas" in result.output and "simpan ulang" in result.output


def test_bad_shared_string_index_refused_in_indonesian(tmp_path: Path) -> None:
    def change(name: str, data: bytes) -> bytes:
        if name == "xl/worksheets/sheet5.xml":  # Februari
            return data.replace(b't="s"><v>', b't="s"><v>9999', 1)
        return data

    result = run("validate", "--no-write", str(_damaged_package(tmp_path, change)))
    assert result.exit_code == 2, result.output
    assert "lembar 'Februari'" in result.output and "sharedStrings" in result.output
    assert "index" not in result.output
