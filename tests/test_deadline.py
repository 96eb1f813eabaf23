"""The deadline of a month's Capaian Output entry: 5th working day of the next month."""

from __future__ import annotations

import datetime as dt
import subprocess
import sys

import pytest

from sopxl.core.calendar import (
    deadline_for,
    deadline_label,
    is_working_day,
    national_holidays,
    nth_working_day,
)
from sopxl.core.config import Settings


def test_holidays_of_2026_known_to_the_package() -> None:
    days = national_holidays(2026)
    # Idul Fitri 1447 H falls on a weekend in the package's calendar (21-22 March 2026);
    # Good Friday (3 April) and Hari Lahir Pancasila (1 June) fall on weekdays.
    assert {dt.date(2026, 3, 21), dt.date(2026, 4, 3), dt.date(2026, 6, 1), dt.date(2026, 1, 1)} <= days
    assert not is_working_day(dt.date(2026, 4, 3))
    assert not is_working_day(dt.date(2026, 4, 4))  # Saturday
    assert is_working_day(dt.date(2026, 4, 6))


@pytest.mark.parametrize(
    ("year", "month", "expected"),
    [
        (2026, 1, dt.date(2026, 2, 6)),  # 2-6 Feb, no holiday
        (2026, 3, dt.date(2026, 4, 8)),  # Good Friday 3 April pushes it from the 7th
        (2026, 5, dt.date(2026, 6, 8)),  # Pancasila 1 June pushes it from the 5th
        (2025, 12, dt.date(2026, 1, 8)),  # December -> January of the next year; 1 Jan holiday
        (2026, 8, dt.date(2026, 9, 7)),
    ],
)
def test_fifth_working_day_of_next_month(year: int, month: int, expected: dt.date) -> None:
    assert deadline_for(year, month, Settings()) == expected
    assert deadline_for(year, month) == expected


def test_calendar_days_and_other_day_numbers() -> None:
    calendar = Settings(deadline_days="calendar")
    assert deadline_for(2026, 3, calendar) == dt.date(2026, 4, 5)
    assert deadline_for(2026, 12, calendar) == dt.date(2027, 1, 5)
    assert deadline_for(2026, 3, Settings(deadline_day=10, deadline_days="calendar")) == dt.date(2026, 4, 10)
    assert deadline_for(2026, 3, Settings(deadline_day=1)) == dt.date(2026, 4, 1)
    assert deadline_label(calendar) == "tanggal 5 bulan berikutnya"
    assert deadline_label(Settings(deadline_day=7)) == "hari kerja ke-7 bulan berikutnya"


def test_nth_working_day_skips_weekends_and_holidays() -> None:
    assert nth_working_day(2026, 8, 1) == dt.date(2026, 8, 3)  # 1-2 Aug weekend
    assert nth_working_day(2026, 8, 11) == dt.date(2026, 8, 18)  # 17 Aug Independence Day


def test_holidays_is_imported_lazily() -> None:
    code = "import sys, sopxl.core.calendar; assert 'holidays' not in sys.modules"
    subprocess.run([sys.executable, "-c", code], check=True)


def test_bundled_holiday_table_equals_the_holidays_package() -> None:
    """The table that spares each run the `holidays` import must say what the package says."""
    import holidays

    from sopxl.core.calendar import _bundled

    table = _bundled()
    assert set(table) == {str(y) for y in range(2020, 2036)}
    for year, days in table.items():
        expected = sorted(d.isoformat() for d in holidays.country_holidays("ID", years=int(year)))
        assert days == expected, f"regenerate with scripts/gen_holidays.py (year {year})"


def test_years_outside_the_table_still_come_from_the_package() -> None:
    import holidays

    assert national_holidays(2040) == frozenset(holidays.country_holidays("ID", years=2040))
