"""The .xlsm with buttons: VBA project built from source, buttons linked to existing Subs,
RunPython calls naming existing Python functions, xlwings.conf sheet, LibreOffice reading it."""

from __future__ import annotations

import json
import os
import re
import subprocess
import zipfile
from pathlib import Path

import pytest
import xlsxwriter
from uno_driver import driver

import sopxl.frontends.excel
from sopxl.build import vba
from sopxl.build.macro import BUTTONS, CONF_SHEET, attach_macros, conf_rows
from sopxl.core import spec

SYSTEM_PYTHON = "/usr/bin/python3"
pytestmark = pytest.mark.filterwarnings("ignore:.*deprecated")


def _build(path: Path, **kwargs: str) -> Path:
    wb = xlsxwriter.Workbook(str(path))
    sheets = {}
    for name in (spec.SHEET_PETUNJUK, spec.SHEET_IDENTITAS, *spec.MONTHS[:2], spec.SHEET_KENDALI):
        ws = wb.add_worksheet(name)
        ws.write(0, 0, name)
        sheets[name] = ws
    attach_macros(wb, sheets, **kwargs)
    wb.close()
    return path


@pytest.fixture(scope="module")
def xlsm(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return _build(tmp_path_factory.mktemp("xlsm") / "capaian.xlsm")


def _modules(path: Path) -> dict[str, str]:
    from oletools.olevba import VBA_Parser

    parser = VBA_Parser(str(path))
    try:
        return {
            name.rsplit(".", 1)[0]: code.decode("cp1252") if isinstance(code, bytes) else code
            for _f, _s, name, code in parser.extract_macros()
        }
    finally:
        parser.close()


def _subs(code: str) -> set[str]:
    return set(re.findall(r"^\s*(?:Public\s+)?Sub\s+(\w+)\s*\(", code, re.M | re.I))


def test_compression_round_trips() -> None:
    from oletools.olevba import decompress_stream

    samples = [
        b"",
        b"a",
        b"abcabcabcabc" * 900,
        bytes(range(256)) * 40,
        vba.xlwings_modules()[0].code.replace("\n", "\r\n").encode("cp1252"),
    ]
    for data in samples:
        assert bytes(decompress_stream(bytearray(vba.compress(data)))) == data


def test_project_holds_our_modules_and_xlwings(xlsm: Path) -> None:
    modules = _modules(xlsm)
    assert {"ThisWorkbook", "Sheet1", "xlwings", "Dictionary", "Sopxl"} <= set(modules)
    # xlwings' VBA is the one shipped with the installed xlwings, byte for byte
    import xlwings

    shipped = (Path(xlwings.__file__).parent / "xlwings.bas").read_text(encoding="cp1252")
    assert modules["xlwings"].replace("\r\n", "\n") == shipped.replace("\r\n", "\n")
    assert f'XLWINGS_VERSION As String = "{xlwings.__version__}"' in modules["xlwings"]
    for path in sorted((Path(__file__).parent.parent / "macros").glob("*.bas")):
        assert modules[path.stem].replace("\r\n", "\n").strip() == path.read_text().strip()


def test_document_modules_match_sheet_codenames(xlsm: Path) -> None:
    modules = _modules(xlsm)
    with zipfile.ZipFile(xlsm) as z:
        workbook_xml = z.read("xl/workbook.xml").decode()
        sheet_xml = [z.read(n).decode() for n in z.namelist() if n.startswith("xl/worksheets/sheet")]
        assert "xl/vbaProject.bin" in z.namelist()
        content_types = z.read("[Content_Types].xml").decode()
    assert 'codeName="ThisWorkbook"' in workbook_xml
    assert "application/vnd.ms-excel.sheet.macroEnabled.main+xml" in content_types
    codenames = {m for x in sheet_xml for m in re.findall(r'<sheetPr codeName="(\w+)"', x)}
    assert len(codenames) == len(sheet_xml)
    assert codenames <= set(modules)


def test_every_button_calls_an_existing_sub(xlsm: Path) -> None:
    modules = _modules(xlsm)
    subs = set().union(*(_subs(code) for code in modules.values()))
    with zipfile.ZipFile(xlsm) as z:
        vml = [z.read(n).decode() for n in z.namelist() if n.endswith(".vml")]
    macros = [m for text in vml for m in re.findall(r"<x:FmlaMacro>\[0\]!(\w+)</x:FmlaMacro>", text)]
    # four buttons on each of Petunjuk and Kendali SOP
    assert len(vml) == 2
    assert sorted(macros) == sorted([b.macro for b in BUTTONS] * 2)
    assert set(macros) <= subs
    captions = [re.sub(r"<[^>]+>", "", t) for text in vml for t in re.findall(r"<font[^>]*>.*?</font>", text, re.S)]
    assert "Validasi" in "".join(captions)


def test_every_runpython_names_a_function_of_sopxl_excel(xlsm: Path) -> None:
    modules = _modules(xlsm)
    ours = {k: v for k, v in modules.items() if k not in ("xlwings", "Dictionary")}
    calls = re.findall(r"RunPython\s+\"([^\"]*)\"", "\n".join(ours.values()))
    assert calls, "no RunPython call found"
    targets = vba.run_python_targets(ours)
    assert len(targets) == len(calls), "every RunPython must be `import sopxl.excel; sopxl.excel.f()`"
    for name in targets:
        assert callable(getattr(sopxl.frontends.excel, name, None)), name
    assert set(targets) == set(sopxl.frontends.excel.ENTRY_POINTS) == {b.python for b in BUTTONS}
    # each button's Sub runs the function its Button record says
    sopxl_bas = modules["Sopxl"]
    for b in BUTTONS:
        body = re.search(rf"Sub {b.macro}\(\)(.*?)End Sub", sopxl_bas, re.S)
        assert body and f"sopxl.excel.{b.python}()" in body.group(1)


def test_vba_error_path_says_what_to_install() -> None:
    text = (Path(__file__).parent.parent / "macros" / "Sopxl.bas").read_text()
    assert "pip install sopxl" in text and "On Error GoTo" in text
    assert text.isascii()


def test_xlwings_conf_sheet(tmp_path: Path) -> None:
    import openpyxl

    path = _build(tmp_path / "conf.xlsm", interpreter_win=r"C:\Python312\python.exe")
    ws = openpyxl.load_workbook(path)[CONF_SHEET]
    assert ws.sheet_state == "hidden"
    keys = []
    for row in ws.iter_rows(min_col=1, max_col=2, values_only=True):
        if row[0] is None:
            break  # xlwings reads A1 down to the first blank cell
        keys.append((row[0], row[1]))
    assert keys == conf_rows(interpreter_win=r"C:\Python312\python.exe")
    assert keys[0] == ("Interpreter_Win", r"C:\Python312\python.exe")
    # the keys xlwings.bas looks up (it upper-cases column A)
    shipped = vba.xlwings_modules()[0].code
    for key, _ in keys:
        assert f'GetConfig("{key.upper()}"' in shipped, key


def test_no_interpreter_row_when_unknown() -> None:
    assert all(k not in ("Interpreter_Win", "Interpreter_Mac") for k, _ in conf_rows())


LIST_BASIC = driver(r'''
doc = desktop.loadComponentFromURL(uno.systemPathToFileUrl(args["workbook"]), "_blank", 0, (prop("Hidden", True),))
libs = doc.BasicLibraries
out = {n: {m: libs.getByName(n).getByName(m) for m in libs.getByName(n).ElementNames} for n in libs.ElementNames}
doc.close(True)
print(json.dumps(out))''')


@pytest.mark.libreoffice
def test_libreoffice_sees_the_vba_modules(xlsm: Path, soffice: str, tmp_path: Path) -> None:
    if subprocess.run([SYSTEM_PYTHON, "-c", "import uno"], capture_output=True).returncode != 0:
        pytest.skip("system python3 has no uno")
    script = tmp_path / "list_basic.py"
    script.write_text(LIST_BASIC, encoding="utf-8")
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "PYTHONHOME")}
    proc = subprocess.run(
        [SYSTEM_PYTHON, str(script), json.dumps({"workbook": str(xlsm), "soffice": soffice})],
        capture_output=True, text=True, timeout=180, env=env,
    )
    assert proc.returncode == 0, proc.stderr[-2000:]
    libs = json.loads(proc.stdout.strip().splitlines()[-1])
    project = libs["VBAProject"]
    assert {"Sopxl", "xlwings", "Dictionary", "ThisWorkbook"} <= set(project)
    for b in BUTTONS:
        assert re.search(rf"Sub {b.macro}\(\)", project["Sopxl"])
    assert "Function RunPython" in project["xlwings"]


def test_every_vba_procedure_name_is_unique() -> None:
    """Two Subs of one name stop Excel's VBA with "Ambiguous name detected" before any button
    runs, and nothing here compiles VBA: the source is checked by name."""
    source = (Path(__file__).resolve().parents[1] / "macros" / "Sopxl.bas").read_text(encoding="ascii")
    names = re.findall(r"^\s*(?:Public\s+|Private\s+)?(?:Sub|Function)\s+(\w+)\s*\(", source, re.M | re.I)
    assert names and len(names) == len(set(map(str.lower, names))), sorted(n for n in names if names.count(n) > 1)
