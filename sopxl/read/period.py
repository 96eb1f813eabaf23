"""The period a workbook reports on: its budget year and its reporting month.

The one reading of `Tahun Anggaran` and `Bulan Pelaporan` (workbook.md, Identitas): the date
rules, the rules' month range and the consolidation figures all ask here.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Any, Final

from sopxl.core import spec
from sopxl.core.parse import as_number
from sopxl.read.workbook import WorkbookData

YEAR_MIN: Final = 2000
YEAR_MAX: Final = 2100

# "2026", "2026.0", "TA 2026", "TA. 2026", "T.A. 2026", "Tahun 2026", "Tahun Anggaran: 2026".
_YEAR_TEXT = re.compile(
    r"(?:(?:t\s*\.?\s*a|tahun(?:\s+anggaran)?)\s*\.?\s*:?\s*)?(\d{4})(?:[.,]0+)?", re.IGNORECASE
)


def year_value(value: Any) -> int | None:
    """The budget year a Tahun Anggaran cell means, or None.

    A whole number 2000-2100 (2026, 2026.0), that number as text ("2026", "2026.0"), the
    year after the usual labels ("TA 2026", "TA. 2026", "T.A. 2026", "Tahun Anggaran 2026"),
    or the year of a date typed there (ID-TAHUN still asks for the year alone). Anything else
    (other words around the year, 2026.5, 1999, "20266") is no year: None.
    """
    if isinstance(value, bool):
        return None
    if isinstance(value, dt.date):  # datetime too
        year = value.year
    elif isinstance(value, str):
        m = _YEAR_TEXT.fullmatch(value[:100].strip())
        if m is None:
            return None
        year = int(m.group(1))
    else:
        number = as_number(value)
        if number is None or not number.is_integer():
            return None
        year = int(number)
    return year if YEAR_MIN <= year <= YEAR_MAX else None


def budget_year(data: WorkbookData) -> int | None:
    """Tahun Anggaran of `Identitas` (see :func:`year_value`); None when it is not a year."""
    return year_value(data.identity_value(spec.ID_TAHUN))


def reported_months(data: WorkbookData) -> list[int]:
    """Months (ascending) with any value in Realisasi Volume Bulan Ini, Progres Capaian or
    Tanggal Entri."""
    result = []
    for month, table in data.months.items():
        if table is None:
            continue
        n = len(table)
        if any(table.column(col).count(None) != n for col in spec.MONTH_REPORTED_COLUMNS):
            result.append(month)
    return sorted(result)


def reporting_month(data: WorkbookData, reported: list[int] | None = None) -> int:
    """Bulan Pelaporan of `Identitas` (a month name or 1-12), else the last reported month
    (`reported`, when the caller has it, else :func:`reported_months`); 0 when nothing is
    reported."""
    declared = spec.month_number(data.identity_value(spec.ID_BULAN))
    if declared is not None:
        return declared
    if reported is None:
        reported = reported_months(data)
    return reported[-1] if reported else 0


__all__ = ["YEAR_MAX", "YEAR_MIN", "budget_year", "reported_months", "reporting_month", "year_value"]
