"""`sopxl validate --format tanda`: the mark plan the LibreOffice macro applies is what the CLI
writes (cells, colours, note texts, Catatan Koreksi rows, Kendali SOP step 3)."""

from __future__ import annotations

import datetime as dt
import json
import shutil
from pathlib import Path
from typing import Any

import openpyxl
import pytest
import xlsxwriter
from click.testing import CliRunner
from python_calamine import CalamineWorkbook

from sopxl.build.samples import SAMPLE_TODAY, build_sample
from sopxl.core import spec
from sopxl.frontends.cli import cli
from sopxl.ooxml import WorkbookPackage
from sopxl.writeback import look
from sopxl.writeback.catatan import CATATAN_HEADER_ROW, STATUS_BARU, STATUS_BELUM

TODAY = SAMPLE_TODAY.isoformat()


@pytest.fixture(scope="module")
def planted(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("plan") / "salah.xlsx"
    build_sample(path, months=6, plant=True, today=SAMPLE_TODAY)
    return path


def run(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(cli, ["validate", *args, "--set", f"today={TODAY}"])
    assert result.exit_code in (0, 1), result.output
    return result.exit_code, result.output


def plan_of(path: Path) -> dict[str, Any]:
    _, out = run(str(path), "--no-write", "--format", "tanda")
    return dict(json.loads(out))


def cli_marks(path: Path) -> dict[tuple[str, str], tuple[str, str]]:
    """(sheet, cell) -> ("#RRGGBB" fill, note) of every cell the CLI marked (Petunjuk shows the
    fills in its legend)."""
    wb = openpyxl.load_workbook(path)
    ours = {look.hex_color(argb) for argb in look.FILLS.values()}
    found = {}
    for ws in wb.worksheets:
        if ws.title in (spec.SHEET_PETUNJUK, spec.SHEET_CATATAN, spec.SHEET_KENDALI, spec.SHEET_STATE):
            continue
        for row in ws.iter_rows():
            for cell in row:
                rgb = cell.fill.fgColor.rgb if cell.fill.fill_type == "solid" else None
                if isinstance(rgb, str) and look.hex_color(rgb) in ours:
                    found[(ws.title, cell.coordinate)] = (look.hex_color(rgb), cell.comment.text if cell.comment else "")
    return found


def cli_catatan(path: Path) -> list[list[Any]]:
    rows = CalamineWorkbook.from_path(str(path)).get_sheet_by_name(spec.SHEET_CATATAN).to_python()
    return [r[: len(look.CATATAN_HEADER)] for r in rows[CATATAN_HEADER_ROW:] if r and r[0] != ""]


def kendali_step3(path: Path) -> dict[str, Any]:
    wb = openpyxl.load_workbook(path)
    rows = list(wb[spec.SHEET_KENDALI].iter_rows(values_only=True))
    header = next(i for i, r in enumerate(rows) if "Langkah" in r)
    col = {v: i for i, v in enumerate(rows[header]) if isinstance(v, str)}
    step = next(r for r in rows[header + 1 :] if r[col["Langkah"]] == 3)
    return {name: step[col[name]] for name in ("Tanggal", "Status", "Catatan")}


def test_plan_is_what_the_cli_writes(planted: Path, tmp_path: Path) -> None:
    plan_full = plan_of(planted)
    plan = plan_full["plan"]
    written = tmp_path / "ditandai.xlsx"
    run(str(planted), "--output", str(written))

    marks = cli_marks(written)
    assert marks
    assert {(c["sheet"], c["cell"]): (c["fill"], c["note"]) for c in plan["cells"]} == marks
    assert plan["fills"] == {"error": "#FFC7CE", "warning": "#FFEB9C"}
    assert plan["note_prefix"] == "sopxl:"

    catatan = plan["catatan"]
    assert catatan["header"] == list(look.BUTTON_CATATAN_HEADER)
    assert catatan["header"][: len(look.CATATAN_HEADER)] == list(look.CATATAN_HEADER)
    rows = [row["values"] for row in catatan["rows"]]
    written_rows = [[int(v) if isinstance(v, float) and v.is_integer() else v for v in r] for r in cli_catatan(written)]
    assert rows == written_rows
    assert {r[look.CATATAN_HEADER.index("Status")] for r in rows} == {STATUS_BARU}
    # every row whose cell is marked points at that cell's mark
    for row in catatan["rows"]:
        if row["mark"] is not None:
            mark = plan["cells"][row["mark"]]
            assert (spec.norm(mark["sheet"]), mark["cell"]) == (spec.norm(row["sheet"]), row["values"][3])
    links = {(r["sheet"], r["link"]) for r in catatan["rows"] if r["link"]}
    wb = openpyxl.load_workbook(written)
    cli_links = {c.hyperlink.location for c in wb[spec.SHEET_CATATAN]["D"] if c.hyperlink is not None}
    assert {f"'{s}'!{c}" for s, c in links} == cli_links

    kendali = plan["kendali"]
    assert kendali is not None and kendali["sheet"] == spec.SHEET_KENDALI
    step3 = kendali_step3(written)
    values = {item["cell"]: item for item in kendali["cells"]}
    assert len(values) == 3
    by_value = {item.get("date") or item["value"] for item in values.values()}
    assert by_value == {step3["Tanggal"].date().isoformat(), step3["Status"], step3["Catatan"]}
    date_item = next(item for item in values.values() if "date" in item)
    assert dt.date(1899, 12, 30) + dt.timedelta(days=date_item["value"]) == SAMPLE_TODAY


def test_tanda_adds_the_plan_to_the_json_output(planted: Path) -> None:
    code_json, out_json = run(str(planted), "--no-write", "--format", "json")
    code_plan, out_plan = run(str(planted), "--no-write", "--format", "tanda")
    assert code_json == code_plan == 1
    full = json.loads(out_plan)
    del full["plan"]
    assert json.dumps(full, ensure_ascii=False) + "\n" == out_json


def test_plan_restores_the_previous_listing(planted: Path, tmp_path: Path) -> None:
    """A Catatan Koreksi written by a button (link and original fill columns): its cells are to
    be restored, its findings that are still there are Belum diperbaiki, the others count as
    fixed in Kendali SOP."""
    path = tmp_path / "dari-tombol.xlsx"
    shutil.copyfile(planted, path)
    first = plan_of(path)["plan"]
    kept = first["catatan"]["rows"][1:]
    gone = first["catatan"]["rows"][0]["values"]
    built = tmp_path / "catatan.xlsx"
    wb = xlsxwriter.Workbook(str(built))
    ws = wb.add_worksheet(spec.SHEET_CATATAN)
    ws.write_row(0, 0, first["catatan"]["header"])
    for i, row in enumerate(kept, start=1):
        ws.write_row(i, 0, [*row["values"], "", "#00B0F0" if i == 1 else ""])
    ws.write_row(len(kept) + 1, 0, [99, "Kesalahan", gone[2], "Z99", "", "CAP-LAMA", "sudah", "", STATUS_BARU])
    wb.close()
    pkg = WorkbookPackage.open(path)
    pkg.replace_sheet_from_xlsx(spec.SHEET_CATATAN, built, spec.SHEET_CATATAN)
    pkg.save(backup=False)

    plan = plan_of(path)["plan"]
    assert {(c["sheet"], c["cell"], c["fill"]) for c in plan["clear"]} == {
        (r["values"][2], r["values"][3], "#00B0F0" if i == 0 else "") for i, r in enumerate(kept)
    } | {(gone[2], "Z99", "")}
    statuses = [r["values"][8] for r in plan["catatan"]["rows"]]
    assert statuses[0] == STATUS_BARU and set(statuses[1:]) <= {STATUS_BELUM}
    texts = {item["value"] for item in plan["kendali"]["cells"] if isinstance(item["value"], str)}
    assert any("temuan selesai diperbaiki" in t for t in texts)
