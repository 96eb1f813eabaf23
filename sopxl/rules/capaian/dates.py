"""Tanggal Entri SAKTI: a date, after the month ended, not in the future, by the deadline."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from itertools import repeat
from operator import gt, lt, or_

from sopxl.core import spec
from sopxl.core.calendar import deadline_label
from sopxl.core.findings import Finding
from sopxl.core.parse import format_date, format_value, parse_date
from sopxl.read.workbook import CellError
from sopxl.rules.base import Context
from sopxl.rules.capaian.facts import cap_rule, facts, fill, month_last_day


def _swapped(date: dt.date) -> dt.date | None:
    """The date with day and month exchanged (a month-first typing), when that exists."""
    if date.day > 12 or date.day == date.month:
        return None
    try:
        return dt.date(date.year, date.day, date.month)
    except ValueError:
        return None


def _with_year(date: dt.date, year: int) -> dt.date | None:
    """The date in another year (a mistyped year), when that exists."""
    try:
        return date.replace(year=year)
    except ValueError:
        return None


@cap_rule("CAP-TANGGAL", "error", "Tanggal Entri SAKTI tidak sah")
def cap_tanggal(ctx: Context) -> Iterator[Finding]:
    """Tanggal Entri SAKTI is not a date, is in the future, or is before the month ended.

    Periksa: Tanggal Entri SAKTI berupa tanggal, tidak sebelum akhir bulan yang dilaporkan dan tidak melewati hari ini.
    Contoh salah: Tanggal Entri SAKTI bulan Maret berisi teks "5 April 2026", atau tanggal 25 Maret 2026 (sebelum Maret berakhir).
    Contoh benar: Tanggal Entri SAKTI berisi tanggal 3 April 2026 (format tanggal Excel).
    Perbaikan: ketik tanggal capaian direkam di SAKTI sebagai tanggal Excel; periksa hari dan bulan yang tertukar atau tahun yang salah ketik.
    """
    # Text dates get the date they most likely mean as the suggestion.
    f = facts(ctx)
    today = ctx.today
    year = f.year
    for md in f.checked():
        if not md.has(spec.COL_TANGGAL):
            continue
        raws, dates = md.raw(spec.COL_TANGGAL), md.dates(spec.COL_TANGGAL)
        low = month_last_day(year, md.number) if year else dt.date.max  # no year: every row a suspect
        shown = fill(dates, dt.date.min)
        for i in md.where(map(or_, map(lt, shown, repeat(low)), map(gt, shown, repeat(today)))):
            value, date = raws[i], dates[i]
            if value is None or isinstance(value, CellError):
                continue  # CAP-KOSONG, STR-FORMULA-ERROR
            row = md.row(i)
            if date is None:
                guess = parse_date(value) if isinstance(value, str) else None
                if guess is not None:
                    suggestion = f"tanggal yang dimaksud kemungkinan {format_date(guess)}: tulis sebagai tanggal"
                else:
                    example = f.month_dates(year or today.year, md.number)[1]
                    suggestion = f"tulis tanggal entri di SAKTI sebagai tanggal, misalnya {format_date(example)}"
                kind = "teks" if isinstance(value, str) else "nilai"
                yield ctx.finding(
                    md.sheet,
                    row.ref(spec.COL_TANGGAL),
                    f"Tanggal Entri SAKTI bulan {md.name} berisi {kind} {format_value(value)}, bukan tanggal.",
                    ro=md.codes[i],
                    value=value,
                    suggestion=suggestion,
                )
                continue
            month_end = f.month_dates(f.year_of(date, md.number), md.number)[0]
            if date > today:
                problem = f"belum terjadi (hari ini {format_date(today)})"
            elif date < month_end:
                problem = f"sebelum bulan {md.name} {month_end.year} berakhir"
            else:
                continue
            swapped = _swapped(date)
            retyped = _with_year(date, month_end.year + (1 if md.number == 12 else 0))
            if swapped is not None and month_end <= swapped <= today:
                suggestion = f"tanggal yang dimaksud kemungkinan {format_date(swapped)} (hari dan bulan tertukar)"
            elif retyped is not None and retyped != date and month_end <= retyped <= today:
                suggestion = f"tanggal yang dimaksud kemungkinan {format_date(retyped)} (tahun salah ketik)"
            elif date > today:
                suggestion = (
                    f"tulis tanggal capaian bulan {md.name} direkam di SAKTI, antara "
                    f"{format_date(month_end)} dan hari ini"
                )
            else:
                suggestion = (
                    f"tulis tanggal capaian bulan {md.name} direkam di SAKTI, paling awal "
                    f"{format_date(month_end)}"
                )
            yield ctx.finding(
                md.sheet,
                row.ref(spec.COL_TANGGAL),
                f"Tanggal Entri SAKTI bulan {md.name} ({format_date(date)}) {problem}.",
                ro=md.codes[i],
                value=value,
                suggestion=suggestion,
            )


@cap_rule("CAP-TERLAMBAT", "warning", "Tanggal Entri SAKTI melewati tenggat")
def cap_terlambat(ctx: Context) -> Iterator[Finding]:
    """Tanggal Entri SAKTI is after the entry deadline of the month.

    Periksa: capaian bulan itu direkam di SAKTI paling lambat tenggat, yaitu hari kerja ke-5 bulan berikutnya.
    Contoh salah: capaian Februari 2026 direkam pada 18 Maret 2026, setelah tenggat 6 Maret 2026.
    Contoh benar: capaian Februari 2026 direkam pada 4 Maret 2026.
    Perbaikan: bila tanggalnya benar, rekam capaian bulan berikutnya lebih awal; bila salah ketik, tulis tanggal perekaman yang sebenarnya.
    """
    # Deadline: settings `deadline_day`, `deadline_days`; only dates CAP-TANGGAL accepts.
    f = facts(ctx)
    today = ctx.today
    label = deadline_label(ctx.settings)
    for md in f.checked():
        if not md.has(spec.COL_TANGGAL):
            continue
        raws, dates = md.raw(spec.COL_TANGGAL), md.dates(spec.COL_TANGGAL)
        fixed = f.month_dates(f.year, md.number) if f.year else None
        due = fixed[1] if fixed else dt.date.min  # no year: every date a suspect
        for i in md.first_where(map(gt, fill(dates, dt.date.min), repeat(due))):
            date, code = dates[i], md.codes[i]
            assert date is not None and code is not None
            if date > today:
                continue  # CAP-TANGGAL
            month_end, deadline = fixed or f.month_dates(f.year_of(date, md.number), md.number)
            if date <= deadline or date < month_end:
                continue
            yield ctx.finding(
                md.sheet,
                md.row(i).ref(spec.COL_TANGGAL),
                f"Capaian output RO {code} bulan {md.name} direkam di SAKTI pada {format_date(date)}, "
                f"melewati tenggat {format_date(deadline)}.",
                ro=code,
                value=raws[i],
                suggestion=f"tenggat {format_date(deadline)} ({label}); terlambat {(date - deadline).days} hari",
            )
