"""`sopxl init` and the standard-workbook writer (sopxl/build/workbook.py)."""

from __future__ import annotations

import datetime as dt
import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from click.testing import CliRunner
from python_calamine import CalamineWorkbook

from sopxl.build.workbook import DEFINED_NAME_KODE, MONTH_HEADER_ROW, build_content, write_workbook
from sopxl.core import spec
from sopxl.core.errors import SopxlError
from sopxl.core.parse import number_value
from sopxl.frontends.cli import COMMANDS, cli

REPO = Path(__file__).resolve().parents[1]
SAMPLES = REPO / "samples"
RO_CSV = SAMPLES / "referensi_ro.csv"
PLAN_CSV = SAMPLES / "rencana.csv"
NAMA = "Balai Diklat Hukum dan HAM Contoh"
EXPECTED_SHEETS = [
    spec.SHEET_PETUNJUK,
    spec.SHEET_IDENTITAS,
    spec.SHEET_REFERENSI,
    spec.SHEET_RENCANA,
    *spec.MONTHS,
    spec.SHEET_KENDALI,
    spec.SHEET_STATE,
]


def run_init(tmp_path: Path, *extra: str, name: str = "capaian.xlsx", inputs: bool = True) -> tuple[Any, Path]:
    out = tmp_path / name
    args = ["init", str(out), "--satker", "411724", "--nama", NAMA, "--tahun", "2026", *extra]
    if inputs:
        args += ["--ro", str(RO_CSV), "--rencana", str(PLAN_CSV)]
    result = CliRunner().invoke(cli, args)
    return result, out


@pytest.fixture(scope="module")
def made(tmp_path_factory: pytest.TempPathFactory) -> Path:
    tmp = tmp_path_factory.mktemp("init")
    result, out = run_init(
        tmp,
        "--kepala", "Dr. Rahmat Hidayat",
        "--nip-kepala", "197305121998031002",
        "--kasi", "Siti Nurhaliza",
        "--nip-kasi", "198211042006042001",
        "--bendahara", "Agus Setiawan",
        "--email", "atasan@example.go.id",
        "--bulan", "3",
    )
    assert result.exit_code == 0, result.output
    assert "Buku kerja dibuat" in result.output
    return out


def sample_ros() -> list[list[str]]:
    lines = RO_CSV.read_text(encoding="utf-8-sig").splitlines()
    return [line.split(";") for line in lines[1:] if line.strip()]


def test_sheets_headers_and_identity_openpyxl(made: Path) -> None:
    wb = openpyxl.load_workbook(made)
    assert wb.sheetnames == EXPECTED_SHEETS
    assert wb[spec.SHEET_STATE].sheet_state == "veryHidden"
    assert all(wb[n].sheet_state == "visible" for n in EXPECTED_SHEETS[:-1])
    state = wb[spec.SHEET_STATE]
    assert [state["A1"].value, state["B1"].value, state["A2"].value, state["B2"].value] == ["kunci", "nilai", "versi", 1]

    ident = wb[spec.SHEET_IDENTITAS]
    assert [ident["A1"].value, ident["B1"].value] == [spec.COL_URAIAN, spec.COL_ISI]
    items = {ident.cell(r, 1).value: ident.cell(r, 2) for r in range(2, 2 + len(spec.IDENTITAS_ITEMS))}
    assert list(items) == list(spec.IDENTITAS_ITEMS)
    assert items[spec.ID_KODE_SATKER].value == "411724" and items[spec.ID_KODE_SATKER].data_type == "s"
    assert items[spec.ID_NIP_KEPALA].value == "197305121998031002"
    assert items[spec.ID_NIP_KEPALA].data_type == "s"
    assert items[spec.ID_NIP_KASI].data_type == "s"
    assert items[spec.ID_TAHUN].value == 2026
    assert items[spec.ID_BULAN].value == "Maret"
    assert items[spec.ID_EMAIL].value == "atasan@example.go.id"

    ref = wb[spec.SHEET_REFERENSI]
    assert [c.value for c in ref[1]] == [*spec.REFERENSI_COLUMNS, *spec.REFERENSI_OPTIONAL]
    ros = sample_ros()
    assert [ref.cell(r, 1).value for r in range(2, 2 + len(ros))] == [r[0] for r in ros]
    assert ref.cell(2, 6).value == number_value(ros[0][5])
    ren = wb[spec.SHEET_RENCANA]
    assert [c.value for c in ren[1]] == list(spec.RENCANA_COLUMNS)
    assert [ren.cell(r, 2).value for r in range(2, 14)] == list(range(1, 13))

    kendali = wb[spec.SHEET_KENDALI]
    assert [c.value for c in kendali[1]] == list(spec.KENDALI_COLUMNS)
    for step in spec.SOP_STEPS:
        row = step[0] + 1
        assert [kendali.cell(row, c).value for c in range(1, 6)] == list(step)
        assert kendali.cell(row, 1).data_type == "n"
        assert [kendali.cell(row, c).value for c in range(6, 9)] == [None, None, None]

    for number, month in enumerate(spec.MONTHS, start=1):
        ws = wb[month]
        assert ws["A1"].value == f"CAPAIAN OUTPUT BULAN {month.upper()} 2026"
        assert [c.value for c in ws[MONTH_HEADER_ROW]][: len(spec.MONTH_COLUMNS)] == list(spec.MONTH_COLUMNS)
        assert ws.freeze_panes == f"C{MONTH_HEADER_ROW + 1}"
        first = MONTH_HEADER_ROW + 1
        assert ws.cell(first, 1).value == ros[0][0]
        assert ws.cell(first, 4).value == number_value(ros[0][4])
        kum = ws.cell(first, 6).value
        assert isinstance(kum, str) and kum.startswith("=")
        if number > 1:
            assert f"SUMIF('{spec.MONTHS[number - 2]}'!" in kum
        assert "SUMIFS('Rencana'!" in ws.cell(first, 8).value


def test_cached_values_and_number_formats(made: Path) -> None:
    book = CalamineWorkbook.from_path(str(made))
    assert book.sheet_names == EXPECTED_SHEETS  # calamine lists very hidden sheets too
    plan: dict[tuple[str, int], float] = {}
    for line in PLAN_CSV.read_text(encoding="utf-8").splitlines()[1:]:
        kode, bulan, tp, _rpd = line.split(";")
        plan[(kode, spec.month_number(bulan) or 0)] = number_value(tp) or 0.0
    for number, month in enumerate(spec.MONTHS, start=1):
        grid = book.get_sheet_by_name(month).to_python()
        header = grid[MONTH_HEADER_ROW - 1]
        assert header[: len(spec.MONTH_COLUMNS)] == list(spec.MONTH_COLUMNS)
        for row in grid[MONTH_HEADER_ROW:]:
            if not row[0]:
                assert row[7] in ("", None)  # prepared empty rows show nothing
                continue
            assert row[7] == pytest.approx(plan[(row[0], number)])  # cached Target Progres
            assert row[5] in ("", None)  # no RVRO yet: cumulative stays empty
    ident = book.get_sheet_by_name(spec.SHEET_IDENTITAS).to_python()
    assert ident[0][:2] == [spec.COL_URAIAN, spec.COL_ISI]
    assert ident[1][1] == "411724"

    wb = openpyxl.load_workbook(made)
    jan = wb["Januari"]
    first = MONTH_HEADER_ROW + 1
    assert jan.cell(first, 9).number_format == "#,##0"  # Rp
    assert jan.cell(first, 7).number_format == "0.00"  # percent
    assert jan.cell(first, 12).number_format == "dd/mm/yyyy"
    assert wb[spec.SHEET_REFERENSI].cell(2, 6).number_format == "#,##0"
    # input cells and formula cells look different
    assert jan.cell(first, 5).fill.fgColor.rgb != jan.cell(first, 6).fill.fgColor.rgb
    assert jan.column_dimensions["B"].width >= 30


def test_defined_name_and_dropdown(made: Path) -> None:
    wb = openpyxl.load_workbook(made)
    name = wb.defined_names[DEFINED_NAME_KODE]
    assert name.attr_text.startswith("'Referensi RO'!$A$2:$A$")
    assert int(name.attr_text.rsplit("$", 1)[1]) >= 500
    for month in spec.MONTHS:
        dvs = [dv for dv in wb[month].data_validations.dataValidation if dv.type == "list"]
        assert any(dv.formula1 == DEFINED_NAME_KODE and f"A{MONTH_HEADER_ROW + 1}" in str(dv.sqref) for dv in dvs)


def test_without_inputs_prepares_empty_rows(tmp_path: Path) -> None:
    result, out = run_init(tmp_path, inputs=False)
    assert result.exit_code == 0, result.output
    wb = openpyxl.load_workbook(out)
    assert wb.sheetnames == EXPECTED_SHEETS
    assert wb[spec.SHEET_REFERENSI].cell(2, 1).value is None
    mei = wb["Mei"]
    formulas = [mei.cell(r, 6).value for r in range(MONTH_HEADER_ROW + 1, MONTH_HEADER_ROW + 31)]
    assert all(isinstance(f, str) and "SUMIF('April'!" in f for f in formulas)
    assert mei.cell(MONTH_HEADER_ROW + 1, 1).value is None
    grid = CalamineWorkbook.from_path(str(out)).get_sheet_by_name("Mei").to_python()
    assert all(not any(v not in ("", None) for v in row) for row in grid[MONTH_HEADER_ROW:])


def test_refuses_to_overwrite_without_force(tmp_path: Path) -> None:
    result, out = run_init(tmp_path)
    assert result.exit_code == 0
    before = out.read_bytes()
    result, _ = run_init(tmp_path)
    assert result.exit_code == 2
    assert "sudah ada" in result.output and "--force" in result.output
    assert out.read_bytes() == before
    result, _ = run_init(tmp_path, "--force", "--tahun", "2027")
    assert result.exit_code == 0, result.output
    assert openpyxl.load_workbook(out)["Januari"]["A1"].value.endswith("2027")
    if os.name == "posix":  # a plain file mode, not the 0600 of a temporary file
        umask = os.umask(0)
        os.umask(umask)
        assert out.stat().st_mode & 0o777 == 0o666 & ~umask


BAD_RO = {
    "header": ("Kode;Uraian RO;Satuan;Jenis RO;Target Volume;Pagu (Rp)\n013.07.WA.4293.EBA.962;a;b;Statis;1;1\n",
               "'Kode RO'"),
    "duplicate": ("{h}\n013.07.WA.4293.EBA.962;a;b;Statis;1;1\n013.07.WA.4293.EBA.962;a;b;Statis;1;1\n",
                  "baris 3: Kode RO '013.07.WA.4293.EBA.962' ganda"),
    "pattern": ("{h}\n13.07.WA.4293.EBA.962;a;b;Statis;1;1\n", "baris 2: Kode RO '13.07.WA.4293.EBA.962' tidak sesuai pola"),
    "target": ("{h}\n013.07.WA.4293.EBA.962;a;b;Statis;satu;1\n", "baris 2: Target Volume 'satu' bukan angka"),
    "pagu": ("{h}\n013.07.WA.4293.EBA.962;a;b;Statis;1;1 juta rupiah\n", "baris 2: Pagu (Rp) '1 juta rupiah' bukan angka"),
    "jenis": ("{h}\n013.07.WA.4293.EBA.962;a;b;Tetap;1;1\n", "baris 2: Jenis RO 'Tetap' tidak sah"),
}
PLAN_HEADER = "Kode RO;Bulan;Target Progres (%);Rencana Penarikan Dana (Rp)"
BAD_PLAN = {
    "month": (f"{PLAN_HEADER}\n013.07.DL.4290.SCM.001;Januarii;10;1\n", "baris 2: Bulan 'Januarii' tidak sah"),
    "percent": (f"{PLAN_HEADER}\n013.07.DL.4290.SCM.001;Januari;145;1\n", "baris 2: Target Progres (%) harus 0-100"),
    "unknown": (f"{PLAN_HEADER}\n013.07.DL.4290.SCM.999;Januari;10;1\n", "tidak ada di Referensi RO"),
}


@pytest.mark.parametrize("case", sorted(BAD_RO))
def test_bad_referensi_is_refused(tmp_path: Path, case: str) -> None:
    text, reason = BAD_RO[case]
    bad = tmp_path / "ro.csv"
    bad.write_text(text.format(h=";".join(spec.REFERENSI_COLUMNS)), encoding="utf-8")
    out = tmp_path / "x.xlsx"
    result = CliRunner().invoke(
        cli, ["init", str(out), "--ro", str(bad), "--satker", "411724", "--nama", NAMA, "--tahun", "2026"]
    )
    assert result.exit_code == 2
    assert "ro.csv" in result.output and reason in result.output
    assert ("Traceback" not in result.output and result.exception is None) or isinstance(result.exception, SystemExit)
    assert not out.exists()


@pytest.mark.parametrize("case", sorted(BAD_PLAN))
def test_bad_rencana_is_refused(tmp_path: Path, case: str) -> None:
    text, reason = BAD_PLAN[case]
    bad = tmp_path / "rencana.csv"
    bad.write_text(text, encoding="utf-8")
    out = tmp_path / "x.xlsx"
    result = CliRunner().invoke(
        cli,
        ["init", str(out), "--ro", str(RO_CSV), "--rencana", str(bad),
         "--satker", "411724", "--nama", NAMA, "--tahun", "2026"],
    )
    assert result.exit_code == 2
    assert "rencana.csv" in result.output and reason in result.output
    assert "Traceback" not in result.output
    assert not out.exists()


def test_bad_options_are_all_listed(tmp_path: Path) -> None:
    out = tmp_path / "x.xlsx"
    result = CliRunner().invoke(
        cli,
        ["init", str(out), "--satker", "41172", "--nama", NAMA, "--tahun", "1999",
         "--nip-kasi", "123", "--email", "bukan-email", "--bulan", "Smarch"],
    )
    assert result.exit_code == 2
    for text in ("--satker '41172'", "--tahun 1999", "--nip-kasi '123'", "--email 'bukan-email'", "--bulan 'Smarch'"):
        assert text in result.output
    assert not out.exists()


def test_macro_flag(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    result, out = run_init(tmp_path, "--macro", name="x.xlsx")
    assert result.exit_code == 2 and ".xlsm" in result.output and not out.exists()
    with pytest.raises(SopxlError, match="makro"):
        write_workbook(tmp_path / "y.xlsm", build_content(ro_file=None, rencana_file=None, satker="411724",
                                                          nama=NAMA, tahun=2026))
    assert not (tmp_path / "y.xlsm").exists()
    # A broken macro module is a bug to see, not a refusal that hides it; nothing is written.
    monkeypatch.setitem(sys.modules, "sopxl.build.macro", None)
    result, out = run_init(tmp_path, "--macro", name="z.xlsm")
    assert result.exit_code != 0 and isinstance(result.exception, ImportError)
    assert not out.exists() and sorted(p.name for p in tmp_path.iterdir()) == []


@pytest.mark.parametrize("lock_name", [".~lock.capaian.xlsx#", "~$capaian.xlsx"])
@pytest.mark.parametrize("existing", [False, True])
def test_refuses_while_open_in_excel_or_libreoffice(tmp_path: Path, lock_name: str, existing: bool) -> None:
    out = tmp_path / "capaian.xlsx"
    if existing:
        out.write_bytes(b"the workbook that is open")
    (tmp_path / lock_name).write_bytes(b"x")
    before = sorted(p.name for p in tmp_path.iterdir())
    result, _ = run_init(tmp_path, *(["--force"] if existing else []))
    assert result.exit_code == 2, result.output
    assert result.output.startswith("Galat: ") and "sedang dibuka" in result.output and lock_name in result.output
    assert "Traceback" not in result.output
    assert sorted(p.name for p in tmp_path.iterdir()) == before
    if existing:
        assert out.read_bytes() == b"the workbook that is open"


def test_macro_workbook_when_available(tmp_path: Path) -> None:
    pytest.importorskip("sopxl.build.macro")
    import zipfile

    result, out = run_init(tmp_path, "--macro", name="m.xlsm")
    assert result.exit_code == 0, result.output
    with zipfile.ZipFile(out) as zf:
        assert "xl/vbaProject.bin" in zf.namelist()
    assert openpyxl.load_workbook(out, keep_vba=True).sheetnames[: len(EXPECTED_SHEETS) - 1] == EXPECTED_SHEETS[:-1]


# --- CLI contracts: help texts, start-up time, import weight --------------------------------


def test_every_help_has_an_example() -> None:
    runner = CliRunner()
    result = runner.invoke(cli, ["--help"])
    assert result.exit_code == 0 and "Contoh" in result.output
    for name in COMMANDS:
        result = runner.invoke(cli, [name, "--help"])
        assert result.exit_code == 0, name
        assert "Contoh" in result.output, name


START = "import sys\nfrom sopxl.frontends.cli import main\nsys.argv = ['sopxl', '--help']\nmain()\n"


def test_help_is_light() -> None:
    """`sopxl --help` imports no heavy library (its speed: benchmarks/bench_cli.py)."""
    env = {**os.environ, "PYTHONDONTWRITEBYTECODE": "1"}
    done = subprocess.run([sys.executable, "-c", START], capture_output=True, text=True, env=env)
    assert done.returncode == 0 and "Contoh" in done.stdout
    probe = (
        "import sys, sopxl.frontends.cli\n"
        "from click.testing import CliRunner\n"
        "CliRunner().invoke(sopxl.frontends.cli.cli, ['--help'])\n"
        "heavy = [m for m in ('pandas', 'openpyxl', 'xlsxwriter', 'pydantic', 'python_calamine', 'lxml', 'holidays')"
        " if m in sys.modules]\n"
        "print(','.join(heavy))\n"
    )
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, env=env)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == ""


# --- LibreOffice: recalculation and fidelity --------------------------------------------------


def _sample_path(tmp_path: Path, months: int) -> Path:
    from sopxl.build.samples import SAMPLE_TODAY, build_sample

    path = tmp_path / "sample.xlsx"
    build_sample(path, months=months, today=SAMPLE_TODAY, seed=3)
    return path


@pytest.mark.libreoffice
def test_libreoffice_recalculates_to_independent_values(tmp_path: Path, lo_convert: Callable[..., Path]) -> None:
    source = _sample_path(tmp_path, months=7)
    # openpyxl drops every cached formula result (measured.md): LibreOffice must compute them.
    stripped = tmp_path / "stripped.xlsx"
    openpyxl.load_workbook(source).save(stripped)
    assert openpyxl.load_workbook(stripped, data_only=True)["Maret"].cell(MONTH_HEADER_ROW + 1, 6).value is None
    recalculated = lo_convert(stripped, "xlsx")
    original = CalamineWorkbook.from_path(str(source))
    book = CalamineWorkbook.from_path(str(recalculated))

    plan: dict[tuple[str, int], float] = {}
    for line in PLAN_CSV.read_text(encoding="utf-8").splitlines()[1:]:
        kode, bulan, tp, _rpd = line.split(";")
        plan[(kode, spec.month_number(bulan) or 0)] = number_value(tp) or 0.0
    running: dict[str, float] = {}
    checked = 0
    for number, month in enumerate(spec.MONTHS, start=1):
        rows = [r for r in book.get_sheet_by_name(month).to_python()[MONTH_HEADER_ROW:] if r[0]]
        cached = [r for r in original.get_sheet_by_name(month).to_python()[MONTH_HEADER_ROW:] if r[0]]
        assert len(rows) == len(sample_ros())
        for row, mine in zip(rows, cached, strict=True):
            kode, rvro, kum, target_progres = row[0], row[4], row[5], row[7]
            assert target_progres == pytest.approx(plan[(kode, number)])
            if number <= 7:
                running[kode] = running.get(kode, 0.0) + float(rvro)
                assert kum == pytest.approx(running[kode])
                checked += 1
            else:
                assert rvro in ("", None) and kum in ("", None)
            # What XlsxWriter cached equals what LibreOffice computes.
            assert mine[5] == kum or mine[5] == pytest.approx(kum)
            assert mine[7] == pytest.approx(target_progres)
    assert checked == 7 * len(sample_ros())
    assert any(v > 0 for v in running.values())


@pytest.mark.libreoffice
def test_dropdown_and_formulas_survive_libreoffice_resave(made: Path, lo_convert: Callable[..., Path]) -> None:
    resaved = lo_convert(made, "xlsx")
    wb = openpyxl.load_workbook(resaved)
    assert wb.sheetnames[:-1] == EXPECTED_SHEETS[:-1]
    # LibreOffice has no "very hidden": it keeps the sheet hidden (measured, LO 7.x).
    assert wb[spec.SHEET_STATE].sheet_state in ("hidden", "veryHidden")
    assert DEFINED_NAME_KODE in wb.defined_names
    assert "Referensi RO" in wb.defined_names[DEFINED_NAME_KODE].attr_text
    for month in ("Januari", "Juni", "Desember"):
        ws = wb[month]
        lists = [dv for dv in ws.data_validations.dataValidation if dv.type == "list"]
        assert any(dv.formula1 == DEFINED_NAME_KODE for dv in lists), month
        kum = ws.cell(MONTH_HEADER_ROW + 1, 6).value
        tp = ws.cell(MONTH_HEADER_ROW + 1, 8).value
        assert isinstance(kum, str) and kum.startswith("=") and "N(" in kum.upper()
        assert isinstance(tp, str) and "SUMIFS" in tp.upper()
        if month != "Januari":
            assert "SUMIF(" in kum.upper()


def test_write_workbook_library_call(tmp_path: Path) -> None:
    content = build_content(ro_file=RO_CSV, rencana_file=PLAN_CSV, satker="411724", nama=NAMA, tahun=2026)
    assert len(content.plan) == 12 * len(content.ros)
    layouts = write_workbook(tmp_path / "lib.xlsx", content)
    assert layouts["Januari"].header_row == MONTH_HEADER_ROW
    assert layouts["Januari"].cell(0, spec.COL_KODE_RO) == f"A{MONTH_HEADER_ROW + 1}"
    assert len(layouts[spec.SHEET_RENCANA].rows) == 12 * len(content.ros)
    assert [p.name for p in tmp_path.iterdir()] == ["lib.xlsx"]  # no temporary file left behind
    assert dt.date.today().year >= 2024  # sanity of the clock the date rules rely on
