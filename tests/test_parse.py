"""Reading typed numbers and dates; Indonesian display of numbers and dates."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from sopxl.core.parse import (
    as_date,
    as_number,
    format_date,
    format_number,
    format_percent,
    format_rupiah,
    format_value,
    parse_date,
    parse_number,
)
from sopxl.read.workbook import CellError


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("1.234,5", 1234.5),
        ("1,234.5", 1234.5),
        ("10 paket", 10),
        ("Rp 5.000.000", 5_000_000),
        ("Rp5.000.000,00", 5_000_000),
        ("Rp. 1.000", 1000),
        ("45%", 45),
        ("45 %", 45),
        ("1.500", 1500),  # Indonesian reading: dot + 3 digits = thousands
        ("0.500", 0.5),
        ("2.5", 2.5),
        ("12,5", 12.5),
        ("1,234,567", 1_234_567),
        ("5.000.000", 5_000_000),
        (" 12 ", 12),
        ("-3", -3),
        ("\u22127", -7),
        ("sekitar 3 orang", 3),
        ("Rp 1,5 juta", 1_500_000),
        ("750 rb", 750_000),
        ("Rp 2 M", 2_000_000_000),
        ("3 meter", 3),  # a unit, not an amount word
        ("12 tahun", 12),
    ],
)
def test_parse_number(text: str, expected: float) -> None:
    assert parse_number(text) == pytest.approx(expected)


@pytest.mark.parametrize("text", ["", "   ", "abc", "tidak ada", "1.234.5", "1,23,4"])
def test_parse_number_none(text: str) -> None:
    assert parse_number(text) is None


@given(st.integers(min_value=0, max_value=10**12))
def test_parse_number_reads_its_own_indonesian_display(n: int) -> None:
    assert parse_number(format_number(n)) == n
    assert parse_number("Rp " + format_number(n)) == n


@given(st.integers(min_value=0, max_value=10**9), st.integers(min_value=1, max_value=9))
def test_parse_number_reads_indonesian_decimals(whole: int, tenth: int) -> None:
    value = whole + tenth / 10
    assert parse_number(format_number(value)) == pytest.approx(value)


@given(st.text(max_size=200))
def test_parse_never_raises(text: str) -> None:
    parse_number(text)
    parse_date(text)


@pytest.mark.parametrize(
    "text",
    [
        "5 Februari 2026", "05/02/2026", "5-2-2026", "2026-02-05", "5 Feb 2026", "05.02.2026",
        "5 February 2026", "February 5, 2026", "Kamis, 5 Februari 2026", "5 Pebruari 2026",
        "05/02/26", "2026-02-05 00:00:00", " 5  februari   2026 ",
    ],
)
def test_parse_date(text: str) -> None:
    assert parse_date(text) == dt.date(2026, 2, 5)


@pytest.mark.parametrize(
    ("text", "expected"),
    [("17 Agustus 2026", dt.date(2026, 8, 17)), ("1 Okt 2026", dt.date(2026, 10, 1)),
     ("25 Des 2026", dt.date(2026, 12, 25)), ("3 May 2026", dt.date(2026, 5, 3)),
     ("10 Mei 2026", dt.date(2026, 5, 10))],
)
def test_parse_date_month_names(text: str, expected: dt.date) -> None:
    assert parse_date(text) == expected


@pytest.mark.parametrize("text", ["", "besok", "31/02/2026", "5 Foo 2026", "2026-13-01", "12345"])
def test_parse_date_none(text: str) -> None:
    assert parse_date(text) is None


def test_as_number_accepts_only_numbers() -> None:
    assert as_number(3) == 3.0 and isinstance(as_number(3), float)
    assert as_number(2.5) == 2.5
    for value in (True, False, None, "12", dt.date(2026, 1, 1), CellError("#N/A"), float("nan"), float("inf")):
        assert as_number(value) is None, value


def test_as_date_accepts_dates_and_excel_serials() -> None:
    assert as_date(dt.date(2026, 2, 5)) == dt.date(2026, 2, 5)
    assert as_date(dt.datetime(2026, 2, 5, 13, 30)) == dt.date(2026, 2, 5)
    assert as_date(46058.0) == dt.date(2026, 2, 5)  # Excel serial of 5 Februari 2026
    assert as_date(46058) == dt.date(2026, 2, 5)
    assert as_date(36526) == dt.date(2000, 1, 1)
    for value in (36525.0, 73051.0, 12, True, "5 Februari 2026", None, dt.time(10), CellError("#REF!")):
        assert as_date(value) is None, value


def test_format_number_and_friends() -> None:
    assert format_number(1234.5) == "1.234,5"
    assert format_number(5_000_000) == "5.000.000"
    assert format_number(-3) == "-3"
    assert format_number(0.45) == "0,45"
    assert format_number(16.666666666) == "16,6667"
    assert format_number(1234.5, thousands=False) == "1234,5"
    assert format_number(-0.00001) == "0"
    assert format_rupiah(5_000_000) == "Rp 5.000.000"
    assert format_percent(40) == "40 %"
    assert format_percent(33.333) == "33,33 %"
    assert format_date(dt.date(2026, 2, 12)) == "12 Februari 2026"
    assert format_date(dt.date(2026, 12, 5)) == "5 Desember 2026"


def test_format_value_for_messages() -> None:
    assert format_value(1234.5) == "1.234,5"
    assert format_value(None) == "kosong"
    assert format_value("abc") == '"abc"'
    assert format_value(dt.datetime(2026, 3, 1, 8)) == "1 Maret 2026"
    assert format_value(True) == "TRUE"
    assert len(format_value("x" * 10_000)) < 70
