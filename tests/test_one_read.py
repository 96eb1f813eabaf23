"""Each command reads the workbook once and runs the rules once: the CLI's `consolidate`,
the Excel Konsolidasi button, and `sopxl demo` (once per sample workbook)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from test_excel_entry import _clean_sample, _digest, open_book
from wbfactory import standard_book

import sopxl.frontends.excel as excel
from sopxl.core import spec
from sopxl.frontends.cli import cli
from sopxl.read.workbook import WorkbookReader
from sopxl.rules import base

pytestmark = pytest.mark.filterwarnings("ignore:.*deprecated")  # oletools' pyparsing use


@pytest.fixture
def counts(monkeypatch: pytest.MonkeyPatch) -> Iterator[dict[str, int]]:
    """How often a workbook is opened for reading (WorkbookReader, behind read_workbook) and
    how often the rules run (one rule Context per run_rules)."""
    seen = {"reads": 0, "rule_runs": 0}
    real_reader = WorkbookReader.__init__
    real_context = base.Context.__init__

    def reader(self: WorkbookReader, *args: Any, **kwargs: Any) -> None:
        seen["reads"] += 1
        real_reader(self, *args, **kwargs)

    def context(self: base.Context, *args: Any, **kwargs: Any) -> None:
        seen["rule_runs"] += 1
        real_context(self, *args, **kwargs)

    monkeypatch.setattr(WorkbookReader, "__init__", reader)
    monkeypatch.setattr(base.Context, "__init__", context)
    yield seen


def test_the_counter_sees_a_read_and_a_rule_run(tmp_path: Path, counts: dict[str, int]) -> None:
    from sopxl.rules.validate import validate_path

    validate_path(standard_book(months=3).write(tmp_path / "wb.xlsx"))
    assert counts == {"reads": 1, "rule_runs": 1}


@pytest.mark.parametrize("options", [["--no-write"], [], ["--output", "laporan.xlsx"]])
def test_cli_consolidate_reads_once(tmp_path: Path, counts: dict[str, int], options: list[str]) -> None:
    path = standard_book(months=6).write(tmp_path / "wb.xlsx")
    options = [str(tmp_path / o) if o.endswith(".xlsx") else o for o in options]
    res = CliRunner().invoke(cli, ["consolidate", str(path), "--periode", "semester1", *options])
    assert res.exit_code == 0, res.output
    assert counts == {"reads": 1, "rule_runs": 1}


def test_cli_consolidate_refusal_reads_once(tmp_path: Path, counts: dict[str, int]) -> None:
    book = standard_book(months=6)
    book.months[2][0][spec.COL_RVRO] = "1 layanan"
    path = book.write(tmp_path / "wb.xlsx")
    res = CliRunner().invoke(cli, ["consolidate", str(path), "--periode", "semester1"])
    assert res.exit_code == 1
    assert counts == {"reads": 1, "rule_runs": 1}


def test_excel_konsolidasi_reads_once(tmp_path: Path, counts: dict[str, int]) -> None:
    path = _clean_sample(tmp_path)
    digest = _digest(path)
    book = open_book(path)
    result = excel.konsolidasi_semester1(book)
    assert result is not None
    assert "Sheet 'Laporan Semester I' dibuat" in book.app.alerts[-1][0]
    assert counts == {"reads": 1, "rule_runs": 1}
    assert _digest(path) == digest


def test_excel_konsolidasi_refusal_reads_once(tmp_path: Path, counts: dict[str, int]) -> None:
    book_data = standard_book(months=6)
    book_data.months[2][0][spec.COL_RVRO] = "1 layanan"
    path = book_data.write(tmp_path / "capaian.xlsm")
    book = open_book(path)
    result = excel.konsolidasi_semester1(book)
    assert result is not None and result.errors
    assert "Konsolidasi Laporan Semester I ditolak" in book.app.alerts[-1][0]
    assert counts == {"reads": 1, "rule_runs": 1}


def test_demo_reads_each_sample_once(
    tmp_path: Path, counts: dict[str, int], monkeypatch: pytest.MonkeyPatch
) -> None:
    import sopxl.report.libreoffice as libreoffice

    monkeypatch.setattr(libreoffice, "find_soffice", lambda: None)  # no PDF: not under test
    res = CliRunner().invoke(cli, ["demo", str(tmp_path / "out"), "--bulan", "6"])
    assert res.exit_code == 0, res.output
    # the clean sample (validated, then consolidated) and the one with planted errors
    assert counts == {"reads": 2, "rule_runs": 2}
