"""Every Excel error value a file holds is an ordinary cell error (rules.md lists examples)."""

from __future__ import annotations

import zipfile
from pathlib import Path

import pytest
from click.testing import CliRunner
from wbfactory import Err, standard_book

from sopxl.core import spec
from sopxl.frontends.cli import cli
from sopxl.read.tables import CellError
from sopxl.read.workbook import read_workbook
from sopxl.rules.validate import validate_path

NEWER = ["#SPILL!", "#CALC!", "#FIELD!", "#BLOCKED!", "#CONNECT!", "#BUSY!", "#UNKNOWN!", "#GETTING_DATA", "#NULL!", "#NUM!", "#ANYTHING"]


def with_error(tmp_path: Path, code: str) -> tuple[Path, str]:
    """A workbook whose February Realisasi Volume Kumulatif caches `code` (written as a
    #DIV/0! formula by XlsxWriter, then the cached code replaced in the XML)."""
    book = standard_book(months=3)
    book.months[2][0][spec.COL_RVRO_KUM] = Err("#DIV/0!")
    src = book.write(tmp_path / "src.xlsx")
    path = tmp_path / "b.xlsx"
    with zipfile.ZipFile(src) as zin, zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zout:
        for info in zin.infolist():
            data = zin.read(info)
            if info.filename.startswith("xl/worksheets/"):
                data = data.replace(b"<v>#DIV/0!</v>", f"<v>{code}</v>".encode())
            zout.writestr(info, data)
    return path, book.month_ref(2, 0, spec.COL_RVRO_KUM)


@pytest.mark.parametrize("code", NEWER)
def test_newer_error_value_reported_at_its_cell(tmp_path: Path, code: str) -> None:
    path, cell = with_error(tmp_path, code)
    data = read_workbook(path)
    assert data.error_cells["Februari"] == {spec.parse_ref(cell): code}
    table = data.months[2]
    assert table is not None and table.rows[0].get(spec.COL_RVRO_KUM) == CellError(code)

    findings = validate_path(path)[0].findings
    found = [f for f in findings if f.rule == "STR-FORMULA-ERROR"]
    assert [(f.sheet, f.cell, f.value) for f in found] == [("Februari", cell, code)]
    assert code in found[0].message and found[0].suggestion
    # the other rules see an error cell, as for #DIV/0!
    (tmp_path / "div").mkdir()
    div, _ = with_error(tmp_path / "div", "#DIV/0!")
    others = sorted((f.rule, f.cell) for f in findings)
    assert others == sorted((f.rule, f.cell) for f in validate_path(div)[0].findings)


@pytest.mark.parametrize("code", ["#SPILL!", "#GETTING_DATA"])
def test_exit_code_as_for_div0_and_marks_written(tmp_path: Path, code: str) -> None:
    path, cell = with_error(tmp_path, code)
    runner = CliRunner()
    result = runner.invoke(cli, ["validate", "--no-write", str(path)])
    assert result.exit_code == 1, result.output
    assert cell in result.output and code in result.output
    result = runner.invoke(cli, ["validate", str(path)])
    assert result.exit_code == 1, result.output
    # the marked file is still read the same way
    assert read_workbook(path).error_cells["Februari"] == {spec.parse_ref(cell): code}
