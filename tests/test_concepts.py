"""One implementation per core concept: inputs that used to get different answers in different
places (a typed number, the budget year, the reporting month, "today", a table's header row)
get ONE answer everywhere they are read."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from python_calamine import CalamineWorkbook
from test_excel_entry import open_book
from wbfactory import RO_DINAMIS, RO_STATIS, Book, standard_book

import sopxl.frontends.excel as excel
import sopxl.read.inputs as inputs
from sopxl.calc.figures import compute_figures, effective_end
from sopxl.core import calendar, spec
from sopxl.core.config import Settings
from sopxl.core.findings import Finding
from sopxl.core.parse import format_number, number_value, parse_number
from sopxl.frontends.cli import cli
from sopxl.read import period
from sopxl.read.state import load_state
from sopxl.read.tables import find_table
from sopxl.read.workbook import WorkbookData, read_workbook
from sopxl.rules.base import Context, run_rules
from sopxl.rules.validate import check

# ---- one number parser ------------------------------------------------------------------------

# Texts the init inputs and the rules used to read differently ("0.500": 500 vs 0.5;
# "Rp 1,5 juta": refused vs 1500000), and the Indonesian decimal they agreed on.
NUMBERS = [("0.500", 0.5), ("Rp 1,5 juta", 1_500_000.0), ("1.234,5", 1234.5)]
REF_HEADER = ";".join(spec.REFERENSI_COLUMNS)


def test_inputs_have_no_number_parser_of_their_own() -> None:
    assert not hasattr(inputs, "parse_number")
    assert inputs.number_value is number_value


@pytest.mark.parametrize(("text", "expected"), NUMBERS)
def test_number_via_core_parse(text: str, expected: float) -> None:
    assert parse_number(text) == expected
    assert parse_number(text, whole=True) == expected
    assert number_value(text) == expected


@pytest.mark.parametrize(("text", "expected"), NUMBERS)
def test_number_via_init_inputs(tmp_path: Path, text: str, expected: float) -> None:
    path = tmp_path / "ro.csv"
    path.write_text(f"{REF_HEADER}\n{RO_STATIS};Layanan;Layanan;Statis;{text};{text}\n", encoding="utf-8")
    (ro,) = inputs.read_referensi(path)
    assert ro.target == expected
    assert ro.pagu == expected


@pytest.mark.parametrize(("text", "expected"), NUMBERS)
def test_number_via_sopxl_init_into_the_workbook(tmp_path: Path, text: str, expected: float) -> None:
    ro_csv = tmp_path / "ro.csv"
    ro_csv.write_text(f"{REF_HEADER}\n{RO_STATIS};Layanan;Layanan;Statis;{text};{text}\n", encoding="utf-8")
    out = tmp_path / "capaian.xlsx"
    result = CliRunner().invoke(
        cli, ["init", str(out), "--ro", str(ro_csv), "--satker", "411724", "--nama", "Balai", "--tahun", "2026"]
    )
    assert result.exit_code == 0, result.output
    data = read_workbook(out)
    assert data.referensi is not None
    assert data.referensi.column(spec.COL_PAGU) == [expected]
    assert data.referensi.column(spec.COL_TARGET_VOLUME) == [expected]


@pytest.mark.parametrize(("text", "expected"), NUMBERS)
def test_number_via_the_cap_angka_suggestion(tmp_path: Path, text: str, expected: float) -> None:
    book = standard_book(3)
    book.months[2][0][spec.COL_ANGGARAN] = text
    findings = check(read_workbook(book.write(tmp_path / "b.xlsx")), Settings(today="2026-11-24")).findings
    (angka,) = [f for f in findings if f.rule == "CAP-ANGKA"]
    assert angka.cell == book.month_ref(2, 0, spec.COL_ANGGARAN)
    assert angka.suggestion == f"tulis {format_number(expected, thousands=False)} sebagai angka"


def test_input_numbers_must_be_numbers_alone(tmp_path: Path) -> None:
    """A value that must be a number takes the amount word but no other words."""
    assert number_value("1 juta") == 1_000_000
    assert number_value("10 paket") is None and parse_number("10 paket") == 10
    path = tmp_path / "ro.csv"
    path.write_text(f"{REF_HEADER}\n{RO_STATIS};Layanan;Layanan;Statis;10 paket;1 juta\n", encoding="utf-8")
    with pytest.raises(Exception, match="baris 2: Target Volume '10 paket' bukan angka"):
        inputs.read_referensi(path)


# ---- one budget year ---------------------------------------------------------------------------

YEAR_SPELLINGS: list[Any] = [2026, 2026.0, "2026", "TA 2026", "TA. 2026", "Tahun Anggaran 2026"]


@pytest.mark.parametrize("value", YEAR_SPELLINGS)
def test_year_spellings(value: Any) -> None:
    assert period.year_value(value) == 2026


@pytest.mark.parametrize("value", [None, "", "abc", "TA", "2026/2027", "20266", 2026.5, 1999, "TA 1999", True])
def test_nonsense_is_no_year(value: Any) -> None:
    assert period.year_value(value) is None


def _dated_book(tahun: Any) -> Book:
    """Januari entered a year off: before Januari 2026 ended (row 0), a year after its
    deadline (row 1). Only the budget year tells that both are wrong."""
    book = standard_book(3)
    book.identitas[spec.ID_TAHUN] = tahun
    book.months[1][0][spec.COL_TANGGAL] = dt.date(2025, 2, 3)
    book.months[1][1][spec.COL_TANGGAL] = dt.date(2027, 2, 3)
    return book


DATE_RULES = ("CAP-TANGGAL", "CAP-TERLAMBAT")
LATE_TODAY = Settings(today="2027-03-01")


def _date_findings(data: WorkbookData) -> list[tuple[str, str, str, str, str | None]]:
    return [
        (f.rule, f.sheet, f.cell, f.message, f.suggestion)
        for f in run_rules(data, LATE_TODAY, only=DATE_RULES)
    ]


@pytest.mark.parametrize("tahun", ["TA 2026", "TA. 2026", "Tahun Anggaran 2026", "2026"])
def test_ta_2026_is_2026_in_rules_and_figures(tmp_path: Path, tahun: str) -> None:
    spelled = read_workbook(_dated_book(tahun).write(tmp_path / "ta.xlsx"))
    plain = read_workbook(_dated_book(2026).write(tmp_path / "plain.xlsx"))
    nonsense = read_workbook(_dated_book("abc").write(tmp_path / "abc.xlsx"))

    assert Context(spelled, LATE_TODAY).year == period.budget_year(spelled) == 2026
    # the rules: the deadlines of Tahun Anggaran 2026
    found = _date_findings(spelled)
    assert found == _date_findings(plain)
    assert [(rule, cell) for rule, _s, cell, _m, _g in found] == [
        ("CAP-TANGGAL", _dated_book(2026).month_ref(1, 0, spec.COL_TANGGAL)),
        ("CAP-TERLAMBAT", _dated_book(2026).month_ref(1, 1, spec.COL_TANGGAL)),
    ]
    assert "Januari 2026" in found[0][3]
    assert _date_findings(nonsense) == []  # without a year each date gives its own
    # the figures: the same year, so the same deadlines and the same period label
    figures = compute_figures(spelled, "semester1", LATE_TODAY)
    expected = compute_figures(plain, "semester1", LATE_TODAY)
    assert figures.tahun == expected.tahun == 2026
    assert figures.ikpa == expected.ikpa
    assert figures.ikpa.tepat_waktu > 0
    assert compute_figures(nonsense, "semester1", LATE_TODAY).tahun is None


# ---- one reporting month -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("bulan", "expected"),
    [("Maret", 3), (" maret ", 3), (3, 3), (3.0, 3), ("3", 3), (None, 4), ("Bulan ke-13", 4), (13, 4)],
)
@pytest.mark.parametrize("today", ["2026-03-20", "2026-12-31"])
def test_reporting_month_one_answer(tmp_path: Path, bulan: Any, expected: int, today: str) -> None:
    book = standard_book(4, bulan_pelaporan=bulan)
    data = read_workbook(book.write(tmp_path / "b.xlsx"))
    ctx = Context(data, Settings(today=today))
    assert period.reporting_month(data) == ctx.reporting_month == expected
    assert list(ctx.months_to_check) == list(range(1, expected + 1))
    assert effective_end(data, "tahunan") == expected
    assert compute_figures(data, "tahunan", Settings(today=today)).bulan_akhir == expected


def test_nothing_reported_is_month_0(tmp_path: Path) -> None:
    data = read_workbook(standard_book(0).write(tmp_path / "b.xlsx"))
    assert period.reporting_month(data) == Context(data, Settings()).reporting_month == 0
    assert effective_end(data, "semester1") == 0


# ---- one today ---------------------------------------------------------------------------------

TODAY = "2026-03-20"
FIXED = dt.date(2026, 3, 20)


def test_calendar_today_honours_the_setting() -> None:
    assert calendar.today(Settings(today=TODAY)) == FIXED
    assert calendar.today(Settings(today="2026-03-20T09:30:00")) == FIXED
    assert calendar.today(Settings()) == calendar.today(None) == dt.date.today()


def _future_book() -> Book:
    book = standard_book(2)
    book.months[2][0][spec.COL_TANGGAL] = dt.date(2026, 3, 25)  # after the fixed today
    return book


def test_validation_honours_today(tmp_path: Path) -> None:
    book = _future_book()
    data = read_workbook(book.write(tmp_path / "b.xlsx"))
    assert Context(data, Settings(today=TODAY)).today == FIXED
    findings: list[Finding] = list(run_rules(data, Settings(today=TODAY), only=["CAP-TANGGAL"]))
    assert [(f.sheet, f.cell) for f in findings] == [("Februari", book.month_ref(2, 0, spec.COL_TANGGAL))]
    assert "belum terjadi (hari ini 20 Maret 2026)" in findings[0].message
    assert list(run_rules(data, Settings(today="2026-03-26"), only=["CAP-TANGGAL"])) == []


def _kendali_rows() -> list[list[Any]]:
    rows: list[list[Any]] = [list(spec.KENDALI_COLUMNS)]
    for step, actor, activity, minutes, output in spec.SOP_STEPS:
        rows.append([step, actor, activity, minutes, output, None, None, None])
    return rows


def _step3_date(path: Path) -> Any:
    rows = CalamineWorkbook.from_path(str(path)).get_sheet_by_name(spec.SHEET_KENDALI).to_python()
    header = next(i for i, row in enumerate(rows) if "Langkah" in row)
    col = list(rows[header]).index("Tanggal")
    step3 = next(row for row in rows[header + 1 :] if str(row[0]).strip() in ("3", "3.0"))
    value = step3[col]
    return value.date() if isinstance(value, dt.datetime) else value


@pytest.mark.parametrize("with_kendali", [False, True])
def test_write_back_honours_today(tmp_path: Path, with_kendali: bool) -> None:
    book = _future_book()
    if with_kendali:
        book.extra_sheets[spec.SHEET_KENDALI] = _kendali_rows()
    path = book.write(tmp_path / "b.xlsx")
    result = CliRunner().invoke(cli, ["validate", str(path), "--set", f"today={TODAY}"])
    assert result.exit_code == 1, result.output  # CAP-TANGGAL is an error
    assert _step3_date(path) == FIXED
    history = load_state(read_workbook(path))["riwayat"]
    assert history[-1]["waktu"] == "2026-03-20T00:00:00"


def test_excel_button_honours_today(tmp_path: Path) -> None:
    book = _future_book()
    book.extra_sheets[spec.SHEET_KENDALI] = _kendali_rows()
    book.extra_sheets[spec.SHEET_PENGATURAN] = [["Kunci", "Nilai"], ["today", TODAY]]
    path = book.write(tmp_path / "b.xlsx")
    excel_book = open_book(path)
    result = excel.validasi(excel_book)
    assert result is not None
    assert [f.cell for f in result.findings if f.rule == "CAP-TANGGAL"] == [
        book.month_ref(2, 0, spec.COL_TANGGAL)
    ]
    rows = excel_book.sheets[spec.SHEET_KENDALI].used_range.value
    header = next(i for i, row in enumerate(rows) if "Langkah" in row)
    col = rows[header].index("Tanggal")
    step3 = next(row for row in rows[header + 1 :] if str(row[0]).strip() in ("3", "3.0"))
    assert step3[col] == FIXED


# ---- one table finder --------------------------------------------------------------------------


def test_inputs_find_their_header_like_the_workbook_reader(tmp_path: Path) -> None:
    """A title block above the header: the workbook reader and the init inputs find the same
    header row and the same rows."""
    rows = [
        ["Referensi RO", "", "", "", "", ""],
        ["", "", "", "", "", ""],
        [" pagu (RP) ", "Target Volume", "kode  ro", "Uraian RO", "Satuan", "Jenis RO"],
        ["1.500.000", "12", RO_STATIS, "Layanan", "Layanan", "Statis"],
        ["", "", "", "", "", ""],
        ["2.000.000", "120", RO_DINAMIS, "Pelatihan", "Orang", "Dinamis"],
    ]
    table = find_table("x", rows, spec.COL_KODE_RO, spec.REFERENSI_COLUMNS)
    assert table.header_row == 3 and table.row_numbers == [4, 6]
    path = tmp_path / "ro.csv"
    path.write_text("\n".join(";".join(r) for r in rows) + "\n", encoding="utf-8")
    ros = inputs.read_referensi(path)
    assert [r.kode for r in ros] == table.codes == [RO_STATIS, RO_DINAMIS]
    assert [r.pagu for r in ros] == [1_500_000, 2_000_000]
