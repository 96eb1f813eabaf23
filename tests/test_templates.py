"""The blank workbooks of workbook_templates/ hold what `sopxl init`'s writer produces today."""

from __future__ import annotations

import importlib.util
import re
import zipfile
from pathlib import Path
from types import ModuleType
from typing import Any

import openpyxl
import pytest

from sopxl.build.macro import BUTTONS, CONF_SHEET
from sopxl.build.workbook import DEFINED_NAME_KODE, MONTH_HEADER_ROW
from sopxl.core import spec

REPO = Path(__file__).resolve().parents[1]
FOLDER = REPO / "workbook_templates"
SHEETS = [
    spec.SHEET_PETUNJUK,
    spec.SHEET_IDENTITAS,
    spec.SHEET_REFERENSI,
    spec.SHEET_RENCANA,
    *spec.MONTHS,
    spec.SHEET_KENDALI,
    spec.SHEET_STATE,
]
pytestmark = pytest.mark.filterwarnings("ignore:.*deprecated")


def _script() -> ModuleType:
    found = importlib.util.spec_from_file_location("make_templates", FOLDER / "make_templates.py")
    assert found is not None and found.loader is not None
    module = importlib.util.module_from_spec(found)
    found.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def script() -> ModuleType:
    return _script()


@pytest.fixture(scope="module")
def fresh(script: ModuleType, tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("templates")
    script.make_templates(folder)
    return folder


# --- what a workbook holds, as plain data ----------------------------------------------------


def _cells(path: Path) -> dict[str, dict[str, Any]]:
    """sheet -> {cell: value} of every non-empty cell (formulas as their text)."""
    wb = openpyxl.load_workbook(path, keep_vba=path.suffix == ".xlsm")
    return {
        ws.title: {c.coordinate: c.value for row in ws.iter_rows() for c in row if c.value is not None}
        for ws in wb.worksheets
    }


def _structure(path: Path) -> dict[str, Any]:
    wb = openpyxl.load_workbook(path, keep_vba=path.suffix == ".xlsm")
    validations = {
        ws.title: sorted(
            (dv.type or "", dv.operator or "", str(dv.sqref), dv.formula1 or "", dv.formula2 or "",
             dv.errorStyle or "", dv.error or "", dv.prompt or "")
            for dv in ws.data_validations.dataValidation
        )
        for ws in wb.worksheets
    }
    return {
        "sheets": [(ws.title, ws.sheet_state) for ws in wb.worksheets],
        "names": {name: dn.attr_text for name, dn in wb.defined_names.items()},
        "validations": validations,
        "freeze": {ws.title: ws.freeze_panes for ws in wb.worksheets},
        "cells": _cells(path),
    }


def _vba_modules(path: Path) -> dict[str, str]:
    from oletools.olevba import VBA_Parser

    parser = VBA_Parser(str(path))
    try:
        return {
            name: code.decode("cp1252") if isinstance(code, bytes) else code
            for _f, _s, name, code in parser.extract_macros()
        }
    finally:
        parser.close()


def _buttons(path: Path) -> dict[str, list[tuple[str, str]]]:
    """sheet name -> [(macro, caption)] of the form buttons drawn on it."""
    with zipfile.ZipFile(path) as z:
        names = z.namelist()
        wb = z.read("xl/workbook.xml").decode()
        rels = z.read("xl/_rels/workbook.xml.rels").decode()
        targets = dict(re.findall(r'Id="(rId\d+)"[^>]*Target="([^"]+)"', rels))
        targets |= {k: v for v, k in re.findall(r'Target="([^"]+)"[^>]*Id="(rId\d+)"', rels)}
        found: dict[str, list[tuple[str, str]]] = {}
        for sheet, rid in re.findall(r'<sheet name="([^"]+)" sheetId="\d+"(?: state="\w+")? r:id="(rId\d+)"', wb):
            part = "xl/" + targets[rid].removeprefix("/xl/")
            rel_part = part.replace("worksheets/", "worksheets/_rels/") + ".rels"
            if rel_part not in names:
                continue
            for target in re.findall(r'Target="([^"]+\.vml)"', z.read(rel_part).decode()):
                vml = z.read("xl/" + target.removeprefix("../")).decode()
                macros = re.findall(r"<x:FmlaMacro>\[0\]!(\w+)</x:FmlaMacro>", vml)
                captions = [re.sub(r"<[^>]+>", "", t) for t in re.findall(r"<font[^>]*>.*?</font>", vml, re.S)]
                found[sheet] = list(zip(macros, captions, strict=True))
    return found


# --- the committed files are what the code writes today ----------------------------------------


@pytest.mark.parametrize("name", ["capaian-kosong.xlsx", "capaian-kosong.xlsm"])
def test_committed_template_is_what_the_code_writes(fresh: Path, name: str) -> None:
    committed, regenerated = _structure(FOLDER / name), _structure(fresh / name)
    for key in ("sheets", "names", "validations", "freeze"):
        assert committed[key] == regenerated[key], f"{name}: {key} (run workbook_templates/make_templates.py)"
    for sheet, cells in regenerated["cells"].items():
        assert committed["cells"][sheet] == cells, f"{name}: cells of {sheet} (run make_templates.py)"


def test_committed_macros_and_buttons_are_what_the_code_writes(fresh: Path) -> None:
    name = "capaian-kosong.xlsm"
    assert _vba_modules(FOLDER / name) == _vba_modules(fresh / name)
    assert _buttons(FOLDER / name) == _buttons(fresh / name)


def test_regenerating_gives_the_same_bytes(script: ModuleType, fresh: Path, tmp_path: Path) -> None:
    for path in script.make_templates(tmp_path):
        assert path.read_bytes() == (fresh / path.name).read_bytes(), path.name


def test_check_mode_reports_a_stale_template(script: ModuleType, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                             capsys: pytest.CaptureFixture[str]) -> None:
    script.make_templates(tmp_path)
    monkeypatch.setattr(script, "HERE", tmp_path)
    assert script.main(["--check"]) == 0
    (tmp_path / "capaian-kosong.xlsx").write_bytes(b"stale")
    assert script.main(["--check"]) == 1
    assert "capaian-kosong.xlsx" in capsys.readouterr().out
    assert (tmp_path / "capaian-kosong.xlsx").read_bytes() == b"stale"  # --check writes nothing


# --- what a blank template holds ------------------------------------------------------------


@pytest.mark.parametrize("name", ["capaian-kosong.xlsx", "capaian-kosong.xlsm"])
def test_template_is_blank_and_complete(name: str) -> None:
    path = FOLDER / name
    wb = openpyxl.load_workbook(path, keep_vba=path.suffix == ".xlsm")
    expected = [*SHEETS, CONF_SHEET] if name.endswith(".xlsm") else SHEETS
    assert wb.sheetnames == expected
    assert wb[spec.SHEET_STATE].sheet_state == "veryHidden"

    ident = wb[spec.SHEET_IDENTITAS]
    assert [ident["A1"].value, ident["B1"].value] == [spec.COL_URAIAN, spec.COL_ISI]
    assert [ident.cell(r, 1).value for r in range(2, 2 + len(spec.IDENTITAS_ITEMS))] == list(spec.IDENTITAS_ITEMS)
    assert all(ident.cell(r, 2).value is None for r in range(2, 2 + len(spec.IDENTITAS_ITEMS)))

    for sheet, columns in ((spec.SHEET_REFERENSI, spec.REFERENSI_COLUMNS), (spec.SHEET_RENCANA, spec.RENCANA_COLUMNS)):
        ws = wb[sheet]
        assert [c.value for c in ws[1]][: len(columns)] == list(columns)
        assert all(c.value is None for row in ws.iter_rows(min_row=2) for c in row), sheet  # no RO
        assert any(dv.type == "list" for dv in ws.data_validations.dataValidation), sheet
    assert wb.defined_names[DEFINED_NAME_KODE].attr_text.startswith(f"'{spec.SHEET_REFERENSI}'!$A$2:")

    for month in spec.MONTHS:
        ws = wb[month]
        header = [c.value for c in ws[MONTH_HEADER_ROW]]
        assert header[: len(spec.MONTH_COLUMNS)] == list(spec.MONTH_COLUMNS)
        assert ws["A1"].value == f"CAPAIAN OUTPUT BULAN {month.upper()}"  # no year: one template, any year
        first = MONTH_HEADER_ROW + 1
        kum = ws.cell(first, spec.MONTH_COLUMNS.index(spec.COL_RVRO_KUM) + 1).value
        target = ws.cell(first, spec.MONTH_COLUMNS.index(spec.COL_TARGET_PROGRES) + 1).value
        assert isinstance(kum, str) and kum.startswith("=IF(")
        assert isinstance(target, str) and "SUMIFS(" in target
        assert ws.cell(first, 1).value is None
        kinds = {dv.type for dv in ws.data_validations.dataValidation}
        assert {"list", "decimal"} <= kinds, month

    kendali = wb[spec.SHEET_KENDALI]
    assert [c.value for c in kendali[1]][: len(spec.KENDALI_COLUMNS)] == list(spec.KENDALI_COLUMNS)
    assert [kendali.cell(r, 1).value for r in range(2, 2 + len(spec.SOP_STEPS))] == [s[0] for s in spec.SOP_STEPS]


def test_macro_template_has_buttons_and_no_machine_path() -> None:
    path = FOLDER / "capaian-kosong.xlsm"
    buttons = _buttons(path)
    expected = [(b.macro, b.caption) for b in BUTTONS]
    assert buttons == {spec.SHEET_PETUNJUK: expected, spec.SHEET_KENDALI: expected}
    modules = _vba_modules(path)
    assert {"Sopxl", "xlwings", "Dictionary", "ThisWorkbook"} <= {n.rsplit(".", 1)[0] for n in modules}
    conf = openpyxl.load_workbook(path, keep_vba=True)[CONF_SHEET]
    keys = [conf.cell(r, 1).value for r in range(1, conf.max_row + 1) if conf.cell(r, 1).value]
    assert not any(str(k).startswith("Interpreter") for k in keys)  # each computer's excel-setup names it
