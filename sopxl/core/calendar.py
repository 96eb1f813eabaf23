"""The deadline of a month's Capaian Output entry (domain.md "Deadlines", scores.md), and
the date sopxl takes for today (:func:`today`).

Capaian Output of a month must be in SAKTI by the 5th *working day* of the next month:
working days are Monday-Friday except Indonesian national holidays as the `holidays`
package knows them for country ``ID`` (collective leave, *cuti bersama*, is not a holiday
there and so counts as a working day). Some offices read the rule as the 5th *calendar*
day; ``Settings.deadline_days = "calendar"`` switches to that, ``Settings.deadline_day``
changes the 5.

Years 2020-2035 come from a table bundled with sopxl (generated from `holidays` by
scripts/gen_holidays.py and checked against it by the tests); other years import `holidays`
lazily. Each year is computed once.
"""

from __future__ import annotations

import datetime as dt
from functools import lru_cache

from sopxl.core.config import Settings


@lru_cache(maxsize=1)
def _bundled() -> dict[str, list[str]]:
    """Indonesian holidays 2020-2035 as the `holidays` package gives them, bundled as data
    (scripts/gen_holidays.py) so a validation run need not import the package."""
    import json
    from importlib import resources

    text = resources.files("sopxl").joinpath("data/libur_nasional_id.json").read_text("utf-8")
    data: dict[str, list[str]] = json.loads(text)
    return data


@lru_cache(maxsize=64)
def national_holidays(year: int) -> frozenset[dt.date]:
    """Indonesian national holidays of `year` (cached per year)."""
    bundled = _bundled().get(str(year))
    if bundled is not None:
        return frozenset(dt.date.fromisoformat(day) for day in bundled)
    import holidays

    return frozenset(holidays.country_holidays("ID", years=year).keys())


def is_working_day(day: dt.date) -> bool:
    """Monday-Friday and not an Indonesian national holiday."""
    return day.weekday() < 5 and day not in national_holidays(day.year)


def nth_working_day(year: int, month: int, n: int) -> dt.date:
    """The `n`-th working day (1-based) of a month."""
    day = dt.date(year, month, 1)
    count = 0
    while True:
        if is_working_day(day):
            count += 1
            if count >= n:
                return day
        day += dt.timedelta(days=1)


def next_month(year: int, month: int) -> tuple[int, int]:
    """(year, month) of the month after `month` (Desember -> Januari of the next year)."""
    return (year + 1, 1) if month == 12 else (year, month + 1)


@lru_cache(maxsize=512)
def _deadline(year: int, month: int, day: int, calendar: bool) -> dt.date:
    y, m = next_month(year, month)
    if calendar:
        return dt.date(y, m, day)
    return nth_working_day(y, m, day)


def deadline_for(year: int, month: int, settings: Settings | None = None) -> dt.date:
    """Last day on which the Capaian Output of (`year`, `month`) may be entered on time.

    Without `settings`, the defaults of the spec: the 5th working day of the next month.
    """
    if settings is None:
        return _deadline(year, month, 5, False)
    return _deadline(year, month, settings.deadline_day, settings.deadline_days == "calendar")


def today(settings: Settings | None = None) -> dt.date:
    """The date sopxl takes for today: `settings.today` when set (an ISO date, or an ISO
    date-time whose date is taken: tests and replays fix it), else the computer's date.

    The one "today" of sopxl: the date rules (a future entry date), the Kendali SOP date and
    the history of the write-back, and the Excel buttons all ask here."""
    if settings is not None and settings.today:
        return dt.date.fromisoformat(str(settings.today)[:10])
    return dt.date.today()


def deadline_label(settings: Settings | None = None) -> str:
    """The rule in words, for messages: "hari kerja ke-5 bulan berikutnya"."""
    day = 5 if settings is None else settings.deadline_day
    if settings is not None and settings.deadline_days == "calendar":
        return f"tanggal {day} bulan berikutnya"
    return f"hari kerja ke-{day} bulan berikutnya"


__all__ = [
    "deadline_for",
    "deadline_label",
    "is_working_day",
    "national_holidays",
    "next_month",
    "nth_working_day",
    "today",
]
