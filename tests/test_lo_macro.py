"""The LibreOffice Calc macro (sopxl/frontends/lo_macro/sopxl_lo.py) in a real LibreOffice, headless.

LibreOffice's own Python (/usr/bin/python3 with `uno`) runs a small driver: it starts
soffice with a private profile, opens a workbook, calls the macro's `validate_document`
(which exports the open document, runs the `sopxl` command on the copy and marks the
open document through UNO), saves the result, edits a cell, validates again, saves again.
The saved files are then checked with openpyxl against `validate_path`'s findings.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from uno_driver import driver
from wbfactory import standard_book

from sopxl.core import spec
from sopxl.rules.validate import validate_path

ROOT = Path(__file__).resolve().parent.parent
MACRO_DIR = ROOT / "sopxl" / "frontends" / "lo_macro"
SYSTEM_PYTHON = "/usr/bin/python3"

DRIVER = driver(r'''
import sopxl_lo

doc = desktop.loadComponentFromURL(uno.systemPathToFileUrl(args["workbook"]), "_blank", 0,
                                   (prop("Hidden", True),))
out = []
for i, edits in enumerate(args["rounds"]):
    for sheet, cell, value in edits:
        target_cell = doc.getSheets().getByName(sheet).getCellRangeByName(cell)
        if isinstance(value, str):
            target_cell.setString(value)
        else:
            target_cell.setValue(float(value))  # a number, or a date as its serial
    if args.get("installed"):
        # the macro as installed by `sopxl lo-install`, through LibreOffice's script provider
        url = "vnd.sun.star.script:sopxl_lo.py$validasi?language=Python&location=user"
        frame = doc.getCurrentController().getFrame()
        frame.activate()
        desktop.setActiveFrame(frame)  # XSCRIPTCONTEXT.getDocument() = current component
        doc.getScriptProvider().getScript(url).invoke((), (), ())
        result = None
    else:
        result = sopxl_lo.validate_document(doc, args["command"])
    target = os.path.join(args["outdir"], "round%d.xlsx" % i)
    doc.storeToURL(uno.systemPathToFileUrl(target),
                   (prop("FilterName", "Calc MS Excel 2007 XML"), prop("Overwrite", True)))
    out.append({"result": result, "saved": target, "modified_location": doc.getLocation()})
doc.close(True)
print(json.dumps(out))''')


def _system_uno() -> None:
    if not Path(SYSTEM_PYTHON).exists():
        pytest.skip("no system python3")
    probe = subprocess.run([SYSTEM_PYTHON, "-c", "import uno"], capture_output=True)
    if probe.returncode != 0:
        pytest.skip("system python3 has no uno (python3-uno)")


def _sopxl_command() -> list[str]:
    exe = Path(sys.executable).with_name("sopxl")
    if exe.exists():
        return [str(exe)]
    found = shutil.which("sopxl")
    if found:
        return [found]
    return [sys.executable, "-c", "from sopxl.frontends.cli import main; main()"]


def _run_driver(
    soffice: str,
    workbook: Path,
    outdir: Path,
    rounds: list[list[Any]],
    profile: Path | None = None,
) -> list[dict[str, Any]]:
    script = outdir / "driver.py"
    script.write_text(DRIVER, encoding="utf-8")
    args = {
        "soffice": soffice,
        "workbook": str(workbook),
        "outdir": str(outdir),
        "macro_dir": str(MACRO_DIR),
        "sopxl_root": str(ROOT),
        "command": _sopxl_command(),
        "rounds": rounds,
        "profile": str(profile) if profile else None,
        "installed": profile is not None,
        "log": str(outdir / "messages.txt"),
    }
    proc = subprocess.run(
        [SYSTEM_PYTHON, str(script), json.dumps(args)],
        capture_output=True,
        text=True,
        timeout=240,
        env={k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "PYTHONHOME")},
    )
    assert proc.returncode == 0, proc.stderr[-3000:]
    return list(json.loads(proc.stdout.strip().splitlines()[-1]))


def _broken_book(tmp_path: Path) -> Path:
    book = standard_book(months=3)
    book.identitas[spec.ID_KODE_SATKER] = "4117"
    book.identitas[spec.ID_NIP_KASI] = "123"
    book.referensi[0][spec.COL_JENIS_RO] = "Statik"
    book.referensi[1][spec.COL_TARGET_VOLUME] = -5
    return Path(book.write(tmp_path / "capaian.xlsx"))


def _marks(path: Path) -> dict[tuple[str, str], tuple[str, str]]:
    """(sheet, cell) -> (fill RGB, comment text) for every filled or commented cell."""
    import openpyxl

    wb = openpyxl.load_workbook(path)
    found: dict[tuple[str, str], tuple[str, str]] = {}
    for ws in wb.worksheets:
        if ws.title == spec.SHEET_CATATAN:
            continue
        for row in ws.iter_rows():
            for cell in row:
                rgb = cell.fill.fgColor.rgb if cell.fill and cell.fill.fill_type == "solid" else None
                rgb = rgb[-6:].upper() if isinstance(rgb, str) else ""
                text = cell.comment.text if cell.comment else ""
                if rgb or text:
                    found[(ws.title, cell.coordinate)] = (rgb, text)
    return found


@pytest.mark.libreoffice
def test_lo_macro_marks_the_open_document_like_the_cli(soffice: str, tmp_path: Path) -> None:
    _system_uno()
    workbook = _broken_book(tmp_path)
    before = workbook.read_bytes()
    expected, _, _ = validate_path(workbook)
    assert expected.errors >= 1 and expected.warnings >= 1
    assert any(f.sheet == spec.SHEET_IDENTITAS and f.cell == "B2" for f in expected.findings)

    fix = [[spec.SHEET_IDENTITAS, "B2", "411724"]]
    rounds = _run_driver(soffice, workbook, tmp_path, [[], fix])

    # same findings as the library on the same workbook
    first = rounds[0]["result"]
    assert [(f["rule"], f["sheet"], f["cell"]) for f in first["findings"]] == [
        (f.rule, f.sheet, f.cell) for f in expected.findings
    ]
    assert workbook.read_bytes() == before  # the user's file is never written

    marks = _marks(Path(rounds[0]["saved"]))
    want = {(f.sheet, f.cell): f for f in expected.findings}
    assert set(marks) == set(want)
    for key, f in want.items():
        rgb, note = marks[key]
        assert rgb == ("FFC7CE" if f.severity == "error" else "FFEB9C"), key
        assert note.startswith("sopxl:") and f.message in note

    import openpyxl

    ws = openpyxl.load_workbook(rounds[0]["saved"])[spec.SHEET_CATATAN]
    rows = list(ws.iter_rows(values_only=True))
    col = {name: i for i, name in enumerate(rows[0])}
    assert rows[0][:4] == ("No", "Tingkat", "Lembar", "Sel")
    assert [(r[col["Lembar"]], r[col["Sel"]]) for r in rows[1:]] == [(f.sheet, f.cell) for f in expected.findings]
    assert {r[col["Status"]] for r in rows[1:]} == {"Baru"}
    ws2 = openpyxl.load_workbook(rounds[1]["saved"])[spec.SHEET_CATATAN]
    assert {r[col["Status"]] for r in list(ws2.iter_rows(values_only=True))[1:]} == {"Belum diperbaiki"}

    # second round, after fixing Kode Satker in the open document: its mark is gone
    second = rounds[1]["result"]
    fixed = sum(1 for f in expected.findings if (f.sheet, f.cell) == (spec.SHEET_IDENTITAS, "B2"))
    assert second["errors"] == expected.errors - fixed
    marks2 = _marks(Path(rounds[1]["saved"]))
    assert (spec.SHEET_IDENTITAS, "B2") not in marks2
    assert set(marks2) == {(f["sheet"], f["cell"]) for f in second["findings"]}


def test_lo_macro_reports_missing_sopxl(tmp_path: Path) -> None:
    sys.path.insert(0, str(MACRO_DIR))
    try:
        import sopxl_lo
    finally:
        sys.path.remove(str(MACRO_DIR))
    with pytest.raises(sopxl_lo.MacroMessage, match="pip install sopxl"):
        sopxl_lo.run_sopxl(str(tmp_path / "x.xlsx"), [str(tmp_path / "no-such-sopxl")])


def test_lo_install_writes_macro_and_command(tmp_path: Path) -> None:
    from click.testing import CliRunner

    from sopxl.frontends.cli import cli

    run = CliRunner().invoke(cli, ["lo-install", "--profile", str(tmp_path / "profile")])
    assert run.exit_code == 0, run.output
    folder = tmp_path / "profile" / "user" / "Scripts" / "python"
    assert (folder / "sopxl_lo.py").read_text() == (MACRO_DIR / "sopxl_lo.py").read_text()
    argv = json.loads((folder / "sopxl_lo.json").read_text())["argv"]
    assert Path(argv[0]).exists()
    assert "Tools > Macros" in run.output


def test_default_profile_locations(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from sopxl.frontends.cli.lo_cmd import default_user_dir

    monkeypatch.delenv("XDG_CONFIG_HOME", raising=False)
    monkeypatch.setenv("APPDATA", str(tmp_path / "Roaming"))
    assert default_user_dir("linux", tmp_path) == tmp_path / ".config" / "libreoffice" / "4" / "user"
    assert default_user_dir("win32", tmp_path) == tmp_path / "Roaming" / "LibreOffice" / "4" / "user"
    assert default_user_dir("darwin", tmp_path).parts[-4:] == ("Application Support", "LibreOffice", "4", "user")


@pytest.mark.libreoffice
def test_installed_macro_runs_through_the_script_provider(soffice: str, tmp_path: Path) -> None:
    """`sopxl lo-install` into a private profile, then LibreOffice itself runs `validasi`."""
    _system_uno()
    from sopxl.frontends.cli.lo_cmd import install

    profile = tmp_path / "profile"
    install(profile / "user")
    workbook = _broken_book(tmp_path)
    expected, _, _ = validate_path(workbook)
    rounds = _run_driver(soffice, workbook, tmp_path, [[]], profile=profile)
    messages = (tmp_path / "messages.txt").read_text(encoding="utf-8")
    assert f"{expected.errors} kesalahan, {expected.warnings} peringatan" in messages, messages
    marks = _marks(Path(rounds[0]["saved"]))
    assert set(marks) == {(f.sheet, f.cell) for f in expected.findings}


def test_macro_holds_no_copy_of_the_look() -> None:
    """Fills, note texts and Catatan Koreksi columns come from the engine's plan, not from
    copies in the macro that could drift from the CLI's and the Excel button's."""
    from sopxl.core.findings import SEVERITY_LABEL
    from sopxl.writeback import catatan, look

    source = (MACRO_DIR / "sopxl_lo.py").read_text(encoding="utf-8")
    folded = source.casefold()
    for argb in (*look.FILLS.values(), look.DONE_FILL):
        rgb = argb[-6:]
        assert rgb.casefold() not in folded, rgb
        assert str(int(rgb, 16)) not in source, rgb
    assert look.NOTE_PREFIX not in source
    for text in (
        *look.BUTTON_CATATAN_HEADER,
        *SEVERITY_LABEL.values(),
        catatan.STATUS_BARU,
        catatan.STATUS_BELUM,
        catatan.STATUS_SELESAI,
        "Perbaikan:",
        "temuan pada sel ini",
    ):
        assert f'"{text}"' not in source and f"'{text}'" not in source, text
    assert "temuan pada sel ini" not in source


@pytest.mark.libreoffice
def test_lo_macro_applies_the_same_marks_and_kendali_as_the_cli(soffice: str, tmp_path: Path) -> None:
    """On a workbook with Kendali SOP: the macro's fills, notes, Catatan Koreksi rows and SOP
    step 3 are those `sopxl validate` writes into a copy of the file."""
    _system_uno()
    import datetime as dt

    import openpyxl
    from click.testing import CliRunner

    from sopxl.build.samples import SAMPLE_TODAY, build_sample
    from sopxl.frontends.cli import cli

    workbook = tmp_path / "salah.xlsx"
    build_sample(workbook, months=6, plant=True, today=SAMPLE_TODAY)
    by_cli = tmp_path / "cli.xlsx"
    run = CliRunner().invoke(cli, ["validate", str(workbook), "--output", str(by_cli)])
    assert run.exit_code == 1, run.output
    rounds = _run_driver(soffice, workbook, tmp_path, [[]])
    by_macro = Path(rounds[0]["saved"])

    cli_marks = {k: v for k, v in _marks(by_cli).items() if k[0] != spec.SHEET_PETUNJUK}
    macro_marks = {k: v for k, v in _marks(by_macro).items() if k[0] != spec.SHEET_PETUNJUK}
    assert cli_marks and macro_marks == cli_marks

    cli_wb, macro_wb = openpyxl.load_workbook(by_cli), openpyxl.load_workbook(by_macro)
    cli_rows = [r for r in cli_wb[spec.SHEET_CATATAN].iter_rows(min_row=11, values_only=True) if r[0] is not None]
    macro_rows = list(macro_wb[spec.SHEET_CATATAN].iter_rows(min_row=2, values_only=True))
    assert [tuple(r[:9]) for r in macro_rows] == [tuple(None if v == "" else v for v in r[:9]) for r in cli_rows]

    def step3(wb: Any) -> tuple[Any, ...]:
        rows = list(wb[spec.SHEET_KENDALI].iter_rows(values_only=True))
        header = next(i for i, r in enumerate(rows) if "Langkah" in r)
        col = {v: i for i, v in enumerate(rows[header]) if isinstance(v, str)}
        step = next(r for r in rows[header + 1 :] if r[col["Langkah"]] == 3)
        return tuple(step[col[name]] for name in ("Tanggal", "Status", "Catatan"))

    assert step3(macro_wb) == step3(cli_wb)
    assert isinstance(step3(macro_wb)[0], dt.datetime)  # a date, shown as one


def _cli(path: Path) -> None:
    from click.testing import CliRunner

    from sopxl.frontends.cli import cli

    run = CliRunner().invoke(cli, ["validate", str(path)])
    assert run.exit_code in (0, 1), run.output


def _cli_catatan(path: Path, keep_fixed: bool = True) -> list[tuple[Any, ...]]:
    import openpyxl

    from sopxl.writeback.catatan import CATATAN_HEADER_ROW, STATUS_SELESAI

    ws = openpyxl.load_workbook(path)[spec.SHEET_CATATAN]
    rows = [tuple(r[:9]) for r in ws.iter_rows(min_row=CATATAN_HEADER_ROW + 1, values_only=True) if r[0] is not None]
    return [r for r in rows if keep_fixed or r[8] != STATUS_SELESAI]


def _numbered(rows: list[tuple[Any, ...]]) -> list[tuple[Any, ...]]:
    """Rows without their running number and with "" as None (as openpyxl reads either writer)."""
    return [tuple(None if v == "" else v for v in r[1:]) for r in rows]


@pytest.fixture
def cycle_book(tmp_path: Path, lo_convert: Any) -> tuple[Path, Path]:
    """A `sopxl init` workbook with mistakes (once saved by LibreOffice, so that its formulas
    hold the values LibreOffice computes, as in the document the macro sees), and the same
    after `validate`, fix, `validate` by the CLI alone (what the mixed cycles must match)."""
    from test_real_cycle import fix, init_book

    workbook = tmp_path / "capaian.xlsx"
    shutil.copyfile(lo_convert(init_book(tmp_path / "init.xlsx"), "xlsx", tmp_path / "lo"), workbook)
    alone = tmp_path / "cli-alone.xlsx"
    shutil.copyfile(workbook, alone)
    _cli(alone)
    fix(alone)
    _cli(alone)
    return workbook, alone


def _fix_edits() -> list[list[Any]]:
    from test_real_cycle import FIXES

    from sopxl.ooxml.cells import excel_serial

    return [["Januari", ref, excel_serial(v) if isinstance(v, dt.date) else v] for ref, v in FIXES.items()]


@pytest.mark.libreoffice
def test_macro_then_cli_marks_like_the_cli_alone(soffice: str, tmp_path: Path, cycle_book: tuple[Path, Path]) -> None:
    """The macro marks the open document, the user fixes cells and saves, the CLI validates:
    the macro's marks are taken off like the CLI's own (no stale fill or note), and Catatan
    Koreksi lists the fixed findings as Selesai, as after the CLI alone."""
    _system_uno()
    workbook, alone = cycle_book
    rounds = _run_driver(soffice, workbook, tmp_path, [[]])
    mixed = tmp_path / "macro-then-cli.xlsx"
    shutil.copyfile(rounds[0]["saved"], mixed)
    from test_real_cycle import fix

    fix(mixed)
    _cli(mixed)
    assert _marks(mixed) == _marks(alone)
    assert _numbered(_cli_catatan(mixed)) == _numbered(_cli_catatan(alone))
    assert any(r[8] == "Selesai" for r in _cli_catatan(mixed))


@pytest.mark.libreoffice
def test_cli_then_macro_marks_like_the_cli_alone(soffice: str, tmp_path: Path, cycle_book: tuple[Path, Path]) -> None:
    """The CLI marks the file, the user opens it in LibreOffice, fixes cells and runs the
    macro: fixed cells get their original fill back (not white), the others stay marked."""
    _system_uno()
    workbook, alone = cycle_book
    first = tmp_path / "cli-first.xlsx"
    shutil.copyfile(workbook, first)
    _cli(first)
    rounds = _run_driver(soffice, first, tmp_path, [_fix_edits()])
    mixed = Path(rounds[0]["saved"])
    assert _marks(mixed) == _marks(alone)

    import openpyxl

    rows = [tuple(r[:9]) for r in openpyxl.load_workbook(mixed)[spec.SHEET_CATATAN].iter_rows(min_row=2, values_only=True)]
    assert _numbered(rows) == _numbered(_cli_catatan(alone, keep_fixed=False))
