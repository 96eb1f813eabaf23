"""Reading what people type, and showing numbers and dates the Indonesian way.

Two kinds of input reach sopxl:

* cell values as python-calamine gives them: ``float``, ``int``, ``str``, ``bool``,
  ``date``, ``datetime``, ``time``, ``timedelta``, :class:`~sopxl.read.workbook.CellError` or ``None``;
  :func:`as_number` and :func:`as_date` accept only the values that *are* a number or a date;
* text people typed where a number or a date belonged (``"1.234,5"``, ``"Rp 5.000.000"``,
  ``"5 Februari 2026"``); :func:`parse_number` and :func:`parse_date` read the value it most
  likely means, so that a finding can suggest the correction.

Display helpers (:func:`format_number`, :func:`format_rupiah`, :func:`format_percent`,
:func:`format_date`) write Indonesian conventions: dot for thousands, comma for decimals,
"Rp 5.000.000", "40 %", "5 Februari 2026".
"""

from __future__ import annotations

import datetime as dt
import math
import re
from typing import Any, Final

from sopxl.core import spec

# Excel serial day numbers (1900 date system) of 2000-01-01 and 2100-01-01. A bare number in
# this range in a date column is read as a date whose cell lacked a date format; anything else
# (a small count, an amount) is not a date.
EXCEL_SERIAL_MIN: Final = 36526
EXCEL_SERIAL_MAX: Final = 73051
_EXCEL_EPOCH: Final = dt.date(1899, 12, 30)

# A number starts after anything but a digit or a separator (so that "1.234.5" is not read
# from its middle), or right after a glued "Rp." ("Rp.5.000.000").
_NUMBER_TOKEN = re.compile(r"(?:(?<![\d.,])|(?<=[Rr][Pp]\.))([-+\u2212]?)\s*(\d[\d.,]*)")
# Thousands groups: a first group of 1-3 digits not starting with 0, then groups of three.
_GROUPED = re.compile(r"[1-9]\d{0,2}(?:[.,]\d{3})+")
# "Rp 1,5 juta", "2 M", "750 rb": Indonesian amount words after the number.
_SCALES: Final[dict[str, float]] = {
    "ribu": 1e3, "rb": 1e3, "juta": 1e6, "jt": 1e6, "miliar": 1e9, "milyar": 1e9, "m": 1e9,
    "triliun": 1e12, "t": 1e12,
}
_SCALE_WORD = re.compile(r"\s*(ribu|rb|juta|jt|miliar|milyar|triliun|m|t)\b\.?", re.IGNORECASE)
# What may stand before the number of a value that must be a number and nothing else.
_CURRENCY = re.compile(r"\s*(?:rp\.?\s*)?", re.IGNORECASE)


def parse_number(text: str, *, whole: bool = False) -> float | None:
    """The number a person most likely meant by `text`, or None when it holds no number.

    This is sopxl's one reading of typed numbers: the suggestions of the rules (CAP-ANGKA,
    REF-*) and the input files of `sopxl init` (through :func:`number_value`) use it.

    The decision, Indonesian conventions first: "." groups thousands and "," is the decimal
    mark; English writing is understood where it cannot be mistaken for Indonesian.

    * both separators present: the last one is the decimal mark ("1.234,5" = 1234.5,
      "1,234.5" = 1234.5);
    * only dots: groups of exactly three digits after every dot are thousands ("1.500" = 1500,
      "5.000.000"), otherwise a single dot is the decimal mark ("2.5"). A leading "0." cannot
      start a thousands group: "0.500" = 0.5, and "0.500.000" is no number;
    * only commas: a single comma is the Indonesian decimal mark ("12,5", "1,500" = 1.5);
      several commas with groups of three are English thousands ("1,234,567");
    * an amount word right after the number scales it: "Rp 1,5 juta" = 1500000 (ribu/rb,
      juta/jt, miliar/milyar/M, triliun/T).

    By default the first number in the text is taken and the words or symbols around it
    ("Rp", "%", "paket") are ignored: what a person most likely meant, for a suggestion.
    With `whole`, the text must be the number and nothing else, save a leading "Rp"/"Rp."
    and an amount word ("Rp 1.500.000", "1,5 juta"; not "10 paket"): for a value that must
    be a number.
    """
    if not isinstance(text, str):
        return None
    head = text[:1000]
    m = _NUMBER_TOKEN.search(head)
    if m is None:
        return None
    sign = -1.0 if m.group(1) in ("-", "\u2212") else 1.0
    token = m.group(2).rstrip(".,")
    value = _read_token(token)
    if value is None:
        return None
    end = m.end()
    word = _SCALE_WORD.match(text, end)
    if word is not None:
        value *= _SCALES[word.group(1).lower()]
        end = word.end()
    if whole and (
        len(head) < len(text) or not _CURRENCY.fullmatch(head, 0, m.start()) or head[end:].strip()
    ):
        return None
    return sign * value


def number_value(value: Any) -> float | None:
    """A value that must be a number (a field of an input file): a number cell as it is
    (finite, not bool), text by :func:`parse_number` with ``whole=True``; else None."""
    if isinstance(value, str):
        return parse_number(value, whole=True)
    return as_number(value)


def _read_token(token: str) -> float | None:
    has_dot, has_comma = "." in token, "," in token
    try:
        if has_dot and has_comma:
            decimal = "." if token.rfind(".") > token.rfind(",") else ","
            thousands = "," if decimal == "." else "."
            whole, _, frac = token.rpartition(decimal)
            if decimal in whole or (not _GROUPED.fullmatch(whole) and thousands in whole):
                return None
            return float(whole.replace(thousands, "") + "." + frac)
        if has_dot or has_comma:
            sep = "." if has_dot else ","
            parts = token.split(sep)
            if len(parts) == 2:
                whole, frac = parts
                if sep == "." and len(frac) == 3 and whole not in ("0", "") and not whole.startswith("0"):
                    return float(whole + frac)  # "1.500": Indonesian thousands
                return float(whole + "." + frac)
            if _GROUPED.fullmatch(token):
                return float(token.replace(sep, ""))
            return None
        return float(token)
    except ValueError:
        return None


# Month names and abbreviations, Indonesian and English, lower case -> month number.
_MONTH_WORDS: Final[dict[str, int]] = {}
for _i, _name in enumerate(spec.MONTHS, start=1):
    _MONTH_WORDS[_name.lower()] = _i
    _MONTH_WORDS[_name.lower()[:3]] = _i
for _i, _name in enumerate(
    (
        "january", "february", "march", "april", "may", "june", "july", "august",
        "september", "october", "november", "december",
    ),
    start=1,
):
    _MONTH_WORDS[_name] = _i
    _MONTH_WORDS[_name[:3]] = _i
_MONTH_WORDS.update({"agt": 8, "ags": 8, "agu": 8, "sept": 9, "peb": 2, "pebruari": 2, "nop": 11, "nopember": 11})

_ISO = re.compile(r"(\d{4})-(\d{1,2})-(\d{1,2})(?:[ T].*)?")
_NUMERIC_DMY = re.compile(r"(\d{1,2})\s*([/.\-])\s*(\d{1,2})\s*\2\s*(\d{4}|\d{2})")
_WORD_DMY = re.compile(r"(\d{1,2})(?:st|nd|rd|th)?[\s\-./]*([A-Za-z]+)\.?[\s\-./,]*(\d{4})")
_WORD_MDY = re.compile(r"([A-Za-z]+)\.?\s+(\d{1,2})(?:st|nd|rd|th)?,?\s+(\d{4})")


def parse_date(text: str) -> dt.date | None:
    """The date a person most likely meant by `text`, or None.

    Understood: "5 Februari 2026", "5 Feb 2026", "Kamis, 5 Februari 2026", "05/02/2026",
    "5-2-2026", "05.02.2026" (day first, as in Indonesia; two-digit years are 20yy),
    "2026-02-05" (ISO), "February 5, 2026". Impossible dates (31 Februari) give None.
    """
    if not isinstance(text, str):
        return None
    s = " ".join(text[:200].split())
    if not s:
        return None
    m = _ISO.fullmatch(s)
    if m:
        return _make_date(int(m.group(1)), int(m.group(2)), int(m.group(3)))
    m = _NUMERIC_DMY.search(s)
    if m:
        year = int(m.group(4))
        if len(m.group(4)) == 2:
            year += 2000
        return _make_date(year, int(m.group(3)), int(m.group(1)))
    m = _WORD_DMY.search(s)
    if m and m.group(2).lower() in _MONTH_WORDS:
        return _make_date(int(m.group(3)), _MONTH_WORDS[m.group(2).lower()], int(m.group(1)))
    m = _WORD_MDY.search(s)
    if m and m.group(1).lower() in _MONTH_WORDS:
        return _make_date(int(m.group(3)), _MONTH_WORDS[m.group(1).lower()], int(m.group(2)))
    return None


def _make_date(year: int, month: int, day: int) -> dt.date | None:
    try:
        return dt.date(year, month, day)
    except ValueError:
        return None


def as_number(value: Any) -> float | None:
    """A cell value that is a number (int or float, not bool, finite) as float; else None.

    Text that looks like a number is *not* a number here: that is what CAP-ANGKA reports.
    """
    if type(value) is float:
        return value if math.isfinite(value) else None
    if isinstance(value, int) and not isinstance(value, bool):
        return float(value)
    if isinstance(value, float):  # float subclasses
        return float(value) if math.isfinite(value) else None
    return None


def as_date(value: Any) -> dt.date | None:
    """A cell value that is a date as `date`; else None.

    `datetime` gives its date. A bare number in the Excel serial range 36526-73051
    (2000-01-01 .. 2100-01-01) is read as an Excel serial date: the cell holds a date whose
    number format was lost. Text is *not* a date here (see :func:`parse_date`).
    """
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    number = as_number(value)
    if number is not None and EXCEL_SERIAL_MIN <= number < EXCEL_SERIAL_MAX:
        return _EXCEL_EPOCH + dt.timedelta(days=int(number))
    return None


def format_number(x: float, max_decimals: int = 4, thousands: bool = True) -> str:
    """Indonesian display of a number: "1.234,5", "5.000.000", "-3", "0,45".

    Up to `max_decimals` decimals, trailing zeros dropped. `thousands=False` gives a form
    to type into a cell ("1234,5").
    """
    if not math.isfinite(x):
        return str(x)
    text = f"{x:,.{max_decimals}f}" if max_decimals > 0 else f"{x:,.0f}"
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    if text in ("-0", ""):
        text = "0"
    text = text.replace(",", "\x00").replace(".", ",").replace("\x00", "." if thousands else "")
    return text


def format_rupiah(x: float) -> str:
    """Rupiah for people: "Rp 5.000.000" (whole rupiah unless there are cents)."""
    return "Rp " + format_number(x, max_decimals=2)


def format_percent(x: float) -> str:
    """A percent for people: "40 %", "33,33 %"."""
    return format_number(x, max_decimals=2) + " %"


def format_date(d: dt.date) -> str:
    """A date for people: "5 Februari 2026"."""
    return f"{d.day} {spec.MONTHS[d.month - 1]} {d.year}"


def format_value(value: Any) -> str:
    """Any cell value for a message: numbers and dates the Indonesian way, text quoted."""
    number = as_number(value)
    if number is not None:
        return format_number(number)
    if isinstance(value, dt.datetime | dt.date):
        return format_date(value if not isinstance(value, dt.datetime) else value.date())
    if value is None:
        return "kosong"
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    text = str(value)
    if len(text) > 60:
        text = text[:57] + "..."
    return f'"{text}"'


__all__ = [
    "EXCEL_SERIAL_MAX",
    "EXCEL_SERIAL_MIN",
    "as_date",
    "as_number",
    "format_date",
    "format_number",
    "format_percent",
    "format_rupiah",
    "format_value",
    "number_value",
    "parse_date",
    "parse_number",
]
