"""Rules of the monthly sheets, `Januari` ... `Desember` (rules.md, "Monthly sheets").

Every rule looks at the months up to the reporting month (`ctx.months_to_check`), except
CAP-MENDAHULUI, which looks at the months after it. Conventions shared by all of them:

* **Cells** (the convention of `sopxl.build.samples` too). A finding about one value names that
  value's cell. Whole-row findings (CAP-RO-ASING, CAP-DUPLIKAT: the repeated row) name the
  first cell of the row, ``A{row}``, whatever column Kode RO is in. CAP-RO-HILANG has no row to
  name: it is a whole-sheet finding and names ``A1`` (rules.md), its message says which RO is
  missing.
  CAP-MENDAHULUI names the first entered cell (row by row, left to right; entries are
  Realisasi Volume Bulan Ini, Progres Capaian, Realisasi Anggaran, Tanggal Entri) of a month
  that should still be empty, once per month.
* **No cascades.** A value that is not a number (text: CAP-ANGKA; an Excel error:
  STR-FORMULA-ERROR) is left out of every arithmetic rule; a running sum that would need
  such a value (CAP-KUMULATIF, CAP-MELEBIHI-TARGET, CAP-PROGRES-VOLUME, CAP-PAGU) is
  unknown from that month on, and nothing is said about it. An empty required value is
  CAP-KOSONG's alone (an empty month counts as 0 in a running sum). Cross-month and
  cross-sheet rules use the first row of an RO in a month; later rows are CAP-DUPLIKAT's.
  CAP-KOSONG asks nothing of a row whose RO is unknown (a "Jumlah" row: CAP-RO-ASING).
  CAP-RO-ASING stays silent when `Referensi RO` is missing or empty (STR-SHEET / REF-*).
  A missing column silently skips the checks that need it (STR-COLUMN reports it).
* **Once, not every month.** CAP-MELEBIHI-TARGET and CAP-PAGU report an RO once, in the
  month whose entry first takes the running sum over the limit.
* **CAP-TANGGAL** accepts an entry date from the last day of the month on (earlier means
  "before the month ended") up to `Settings.today`. A bare number in the Excel serial
  range counts as a date (see `sopxl.core.parse.as_date`). CAP-TERLAMBAT only looks at dates
  that CAP-TANGGAL accepts; the days late are calendar days after the deadline.
* **Plan and targets.** CAP-TARGET and CAP-KENDALA take the Target Progres of the RO and
  month from `Rencana` (month matched with `spec.month_number`); CAP-KENDALA falls back to
  the month's own Target Progres where `Rencana` has none. Target Volume, Satuan (compared
  with `spec.norm`), Jenis RO and Pagu come from `Referensi RO`. CAP-DEVIASI-RPD counts a
  realisation > 0 against an RPD of 0 as deviating.
* **Year.** Date rules use Tahun Anggaran of `Identitas`; when it is not a year, the year
  of the date itself.
* Numbers compare with a relative tolerance of 1e-6.

Per-run facts (rows by RO per month, parsed numbers, running sums, the plan) are computed
once per `Context` and shared by the rules, so that 12 months x 20,000 ROs stay fast.
"""

from __future__ import annotations

import calendar
import datetime as dt
import math
import re
import weakref
from bisect import bisect_right
from collections.abc import Iterable, Iterator
from functools import cached_property
from itertools import compress, repeat
from operator import add, ge, gt, lt, mul, ne, or_, sub
from typing import Any, Final, cast

from sopxl.core import spec
from sopxl.core.calendar import deadline_for, deadline_label
from sopxl.core.findings import Finding
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
from sopxl.read.workbook import CellError, Row, RowAt, Table
from sopxl.rules.base import Context, rule

TOLERANCE: Final = 1e-6
_ALMOST_100: Final = 100 - 100 * TOLERANCE

_VOLUME_AMOUNT_COLUMNS: Final = (spec.COL_TARGET_VOLUME, spec.COL_RVRO, spec.COL_RVRO_KUM, spec.COL_ANGGARAN)
_PERCENT_COLUMNS: Final = (spec.COL_PROGRES, spec.COL_TARGET_PROGRES)
_REQUIRED_VALUES: Final = (spec.COL_RVRO, spec.COL_PROGRES, spec.COL_ANGGARAN, spec.COL_TANGGAL)
_ENTRY_COLUMNS: Final = (spec.COL_RVRO, spec.COL_PROGRES, spec.COL_ANGGARAN, spec.COL_TANGGAL)


def _eq(a: float, b: float) -> bool:
    return abs(a - b) <= TOLERANCE * max(1.0, abs(a), abs(b))


def _gt(a: float, b: float) -> bool:
    return a - b > TOLERANCE * max(1.0, abs(a), abs(b))


def _lt(a: float, b: float) -> bool:
    return b - a > TOLERANCE * max(1.0, abs(a), abs(b))


def _types(values: list[Any]) -> set[type]:
    """The types of the values (computed at C speed)."""
    return set(map(type, values))


def _fill(values: list[Any], default: float) -> list[Any]:
    """`values` with None replaced by `default` (the list itself when it holds no None), so
    that whole columns compare at C speed with `map`."""
    if None not in values:
        return values
    return [default if v is None else v for v in values]


def _code_key(text: str) -> str:
    return re.sub(r"\s+", "", text).upper().replace(",", ".")


class _Month:
    """One month's table with its rows by RO and its columns parsed once."""

    def __init__(self, number: int, table: Table) -> None:
        self.number = number
        self.name = spec.MONTHS[number - 1]
        self.table = table
        self.sheet = table.sheet
        self.n = len(table)
        self._num: dict[str, list[float | None]] = {}
        self._full: dict[str, bool] = {}

    def row(self, i: int) -> RowAt:
        return self.table.at(i)

    def has(self, column: str) -> bool:
        return column in self.table.columns

    def raw(self, column: str) -> list[Any]:
        """The values of a column, row by row (None where blank or the column is absent)."""
        return self.table.column(column)

    def num(self, column: str) -> list[float | None]:
        """The numbers of a column, row by row (None where the value is not a number)."""
        found = self._num.get(column)
        if found is None:
            raw = self.raw(column)
            if _types(raw) == {float}:
                found = cast(list[float | None], raw)  # all numbers already (never mutated)
                self._full[column] = True
            else:
                found = [v if type(v) is float else (None if v is None else as_number(v)) for v in raw]
            self._num[column] = found
        return found

    def full(self, column: str) -> list[float] | None:
        """`num(column)` when every row holds a number, else None (known from the types
        when the column was parsed; `None in list` compares every float with None)."""
        nums = self.num(column)
        known = self._full.get(column)
        if known is None:
            known = self._full[column] = None not in nums
        return cast(list[float], nums) if known else None

    @property
    def codes(self) -> list[str | None]:
        return self.table.codes

    @cached_property
    def first(self) -> dict[str, int]:
        """Kode RO -> index of its first row."""
        codes = self.codes
        last = dict(zip(codes, range(len(codes)), strict=True))
        if len(last) == len(codes) and None not in last:
            return cast(dict[str, int], last)  # no blank, no repeated code
        result: dict[str, int] = {}
        for i, code in enumerate(codes):
            if code is not None and code not in result:
                result[code] = i
        return result

    @cached_property
    def aligned(self) -> bool:
        """Every row has its own RO: the first rows are all the rows, in order.

        Rules then compare whole columns at C speed (``list(map(d.get, codes)) == nums``)
        and fall back to the row by row check only when something differs.
        """
        return len(self.first) == self.n

    def expected(self, by_code: dict[Any, Any]) -> list[Any]:
        """`by_code` laid along the rows (None where an RO has no value).

        When `by_code` holds exactly this month's ROs in row order (the usual case: every
        sheet lists the ROs in the Referensi RO order), its values are the answer; comparing
        the key lists runs in sequence and costs far less than one lookup per row."""
        codes = self.codes
        if len(by_code) == len(codes) and list(by_code) == codes:
            return list(by_code.values())
        return list(map(by_code.get, codes))

    def all_dates(self, column: str) -> bool:
        """Every row holds a date (no blank, no text) in `column`."""
        return set(map(type, self.raw(column))) == {dt.date}


_Running = dict[int, dict[str, float | None]]


class _Facts:
    """Facts of one run shared by the CAP rules."""

    def __init__(self, ctx: Context) -> None:
        # Weakly: _FACTS maps the Context to this object, and a value holding its key strongly
        # would keep both (with every table of the workbook) alive after the run.
        self.ctx: Context = weakref.proxy(ctx)
        self._months: dict[int, _Month | None] = {}
        self._ref_numbers: dict[str, dict[str, float]] = {}
        self._plan_numbers: dict[tuple[int, str], dict[str, float]] = {}
        self._dates: dict[tuple[int, int], tuple[dt.date, dt.date]] = {}
        self._plan_sliced = False  # _plan_rows found the plan laid out RO by RO

    def month(self, number: int) -> _Month | None:
        """A month whose sheet exists and has a header row with Kode RO."""
        if number not in self._months:
            table = self.ctx.month_table(number)
            ok = table is not None and table.header_row is not None and spec.COL_KODE_RO in table.columns
            self._months[number] = _Month(number, table) if ok and table is not None else None
        return self._months[number]

    def checked(self) -> Iterator[_Month]:
        for number in self.ctx.months_to_check:
            md = self.month(number)
            if md is not None:
                yield md

    @cached_property
    def reference(self) -> dict[str, Row]:
        return self.ctx.reference

    @cached_property
    def reference_keys(self) -> dict[str, str]:
        return {_code_key(code): code for code in self.reference}

    def ref_numbers(self, column: str) -> dict[str, float]:
        """Kode RO -> the Referensi RO number in `column` (ROs whose value is a number)."""
        found = self._ref_numbers.get(column)
        if found is None:
            found = {}
            for code, row in self.reference.items():
                number = as_number(row.values.get(column))
                if number is not None:
                    found[code] = number
            self._ref_numbers[column] = found
        return found

    def ref_number(self, code: str, column: str) -> float | None:
        return self.ref_numbers(column).get(code)

    @cached_property
    def _plan_rows(self) -> dict[int, dict[str, int]]:
        """Month -> Kode RO -> the index of its first Rencana row."""
        table = self.ctx.data.rencana
        if table is None or spec.COL_KODE_RO not in table.columns or spec.COL_BULAN not in table.columns:
            return {m: {} for m in range(1, 13)}
        codes = table.codes
        if self.ctx.plan_ro_major:  # the usual layout: the slices of one month are its rows
            sliced = _month_slices(codes)
            if sliced is not None:
                self._plan_sliced = True
                return sliced
        result: dict[int, dict[str, int]] = {m: {} for m in range(1, 13)}
        for i, (code, month) in enumerate(zip(codes, self.ctx.plan_months, strict=True)):
            if code and month is not None:
                plan = result[month]
                if code not in plan:
                    plan[code] = i
        return result

    def plan_numbers(self, month: int, column: str) -> dict[str, float]:
        """Kode RO -> the Rencana number of `month` in `column` (where it is a number)."""
        key = (month, column)
        found = self._plan_numbers.get(key)
        if found is None:
            plan = self._plan_rows[month]
            table = self.ctx.data.rencana
            if table is None or column not in table.columns:
                found = {}
            else:
                column_values = table.column(column)
                if self._plan_sliced:  # month m's rows are rows m-1, m+11, ...: one C slice
                    values = column_values[month - 1 :: 12]
                else:
                    values = list(map(column_values.__getitem__, plan.values()))
                if _types(values) == {float}:
                    found = dict(zip(plan, values, strict=True))
                else:
                    found = {}
                    for code, v in zip(plan, values, strict=True):
                        number = v if type(v) is float else as_number(v)
                        if number is not None:
                            found[code] = number
            self._plan_numbers[key] = found
        return found

    def _running(self, column: str) -> _Running:
        """Month -> RO -> running sum of `column` over months 1..month.

        An RO without a value so far is absent (its sum is 0); None means unknown (a
        non-number was met on the way).
        """
        result: _Running = {}
        running: dict[str, float | None] = {}  # a new dict for every month that changes it
        for m in range(1, 13):
            md = self.month(m)
            if md is not None and md.has(column):
                nums = md.num(column)
                full = md.full(column) if md.aligned else None
                if full is not None and not running:  # the first month with data
                    running = dict(zip(md.first, full, strict=True))
                    result[m] = running
                    continue
                if md.aligned and len(running) == md.n and list(running) == md.codes:
                    # the same ROs in the same order as the sums so far: column by column
                    before = list(running.values())
                    if full is not None and None not in before:  # all numbers: at C speed
                        totals: list[float | None] = list(
                            map(add, cast(list[float], before), full)
                        )
                    else:  # unknown sums stay unknown; a non-number makes a sum unknown
                        totals = [
                            None if b is None else (b + x if x is not None else (b if r is None else None))
                            for b, x, r in zip(before, nums, md.raw(column), strict=True)
                        ]
                    running = dict(zip(md.first, totals, strict=True))
                    result[m] = running
                    continue
                running = dict(running)
                raws = md.raw(column)
                for code, i in md.first.items():
                    n = nums[i]
                    if n is None:
                        if raws[i] is not None:
                            running[code] = None
                        continue
                    if code in running:
                        so_far = running[code]
                        running[code] = None if so_far is None else so_far + n
                    else:
                        running[code] = n
            result[m] = running
        return result

    @cached_property
    def cum_volume(self) -> _Running:
        return self._running(spec.COL_RVRO)

    @cached_property
    def cum_budget(self) -> _Running:
        return self._running(spec.COL_ANGGARAN)

    @cached_property
    def year(self) -> int | None:
        """Tahun Anggaran: `ctx.year` (`sopxl.read.period.budget_year`, "TA 2026" too)."""
        return self.ctx.year

    def year_of(self, date: dt.date, month: int) -> int:
        """The budget year of an entry `date` for `month`: Tahun Anggaran, else the date's year
        (the year before for Desember data entered in Januari; this year for an absurd date)."""
        if self.year:
            return self.year
        year = date.year - 1 if month == 12 and date.month == 1 else date.year
        return year if 2000 <= year <= 2100 else self.ctx.today.year

    def month_dates(self, year: int, month: int) -> tuple[dt.date, dt.date]:
        """(last day of the month, entry deadline) of a month, computed once."""
        key = (year, month)
        found = self._dates.get(key)
        if found is None:
            found = (_month_last_day(year, month), deadline_for(year, month, self.ctx.settings))
            self._dates[key] = found
        return found


def _month_slices(codes: list[str | None]) -> dict[int, dict[str, int]] | None:
    """Month -> Kode RO -> row of a plan laid out RO by RO (row i is month i % 12 + 1), each
    month one slice; None when a slice holds a blank or a repeated code."""
    n = len(codes)
    result: dict[int, dict[str, int]] = {}
    for m in range(1, 13):
        of_month = codes[m - 1 :: 12]
        if None in of_month or len(set(of_month)) < len(of_month):
            return None
        result[m] = dict(zip(cast(list[str], of_month), range(m - 1, n, 12), strict=True))
    return result


_FACTS: weakref.WeakKeyDictionary[Context, _Facts] = weakref.WeakKeyDictionary()


def facts(ctx: Context) -> _Facts:
    """The shared facts of a run (computed once per Context)."""
    found = _FACTS.get(ctx)
    if found is None:
        found = _Facts(ctx)
        _FACTS[ctx] = found
    return found


def _month_last_day(year: int, month: int) -> dt.date:
    return dt.date(year, month, calendar.monthrange(year, month)[1])


def _not_a_number(column: str, value: Any) -> str:
    if isinstance(value, bool):
        return f"{column} berisi nilai logika {format_value(value)}, bukan angka."
    if isinstance(value, dt.date | dt.time | dt.timedelta):
        return f"{column} berisi tanggal/waktu {format_value(value)}, bukan angka."
    return f"{column} berisi teks {format_value(value)}, bukan angka."


# ---- the rules, in rules.md order -----------------------------------------------------------


@rule("CAP-RO-ASING", "error", "Kode RO tidak terdapat di Referensi RO")
def cap_ro_asing(ctx: Context) -> Iterator[Finding]:
    f = facts(ctx)
    if not f.reference:
        return
    for md in f.checked():
        raws = md.raw(spec.COL_KODE_RO)
        reference = f.reference
        for i in [i for i, code in enumerate(md.codes) if code is None or code not in reference]:
            code = md.codes[i]
            row = md.row(i)
            if code is None:
                if isinstance(raws[i], CellError):
                    continue
                yield ctx.finding(
                    md.sheet,
                    row.ref(),
                    f"Baris {row.r} lembar {md.sheet} berisi data tetapi Kode RO kosong.",
                    value=None,
                    suggestion="isi Kode RO sesuai lembar Referensi RO, atau hapus baris ini",
                )
            elif code not in f.reference:
                guess = f.reference_keys.get(_code_key(code))
                suggestion = (
                    f"tulis Kode RO persis seperti di Referensi RO: {guess}"
                    if guess
                    else "periksa Kode RO; bila RO ini memang ada di DIPA, tambahkan ke lembar Referensi RO"
                )
                yield ctx.finding(
                    md.sheet,
                    row.ref(),
                    f"Kode RO {code} di lembar {md.sheet} tidak terdapat di lembar Referensi RO.",
                    ro=code,
                    value=raws[i],
                    suggestion=suggestion,
                )


@rule("CAP-RO-HILANG", "error", "RO dari Referensi RO tidak memiliki baris di lembar bulan")
def cap_ro_hilang(ctx: Context) -> Iterator[Finding]:
    f = facts(ctx)
    for md in f.checked():
        present = md.first
        if not f.reference.keys() - present.keys():
            continue
        for code, ref_row in f.reference.items():
            if code in present:
                continue
            uraian = ref_row.get(spec.COL_URAIAN_RO)
            name = f" ({uraian})" if isinstance(uraian, str) and uraian.strip() else ""
            yield ctx.finding(
                md.sheet,
                "A1",
                f"RO {code}{name} dari Referensi RO tidak memiliki baris di lembar {md.sheet}.",
                ro=code,
                value=None,
                suggestion=f"tambahkan baris untuk RO {code} di lembar {md.sheet} dan isi capaiannya",
            )


@rule("CAP-DUPLIKAT", "error", "RO yang sama muncul lebih dari sekali dalam satu bulan")
def cap_duplikat(ctx: Context) -> Iterator[Finding]:
    for md in facts(ctx).checked():
        first = md.first
        for i, code in enumerate(md.codes):
            if code is None or first[code] == i:
                continue
            row, first_row = md.row(i), md.row(first[code])
            yield ctx.finding(
                md.sheet,
                row.ref(),
                f"RO {code} muncul lebih dari sekali di lembar {md.sheet}: baris {row.r} "
                f"mengulang baris {first_row.r}.",
                ro=code,
                value=code,
                suggestion=f"hapus baris {row.r} atau gabungkan isinya ke baris {first_row.r}",
            )


_KOSONG_SUGGESTION: Final[dict[str, str]] = {
    spec.COL_RVRO: "isi realisasi volume bulan {month}; tulis 0 bila tidak ada",
    spec.COL_PROGRES: "isi progres capaian kumulatif sampai bulan {month} (0–100)",
    spec.COL_ANGGARAN: "isi realisasi anggaran bulan {month}; tulis 0 bila tidak ada",
    spec.COL_TANGGAL: "isi tanggal capaian output bulan {month} direkam di SAKTI",
}


@rule("CAP-KOSONG", "error", "Nilai wajib di lembar bulan kosong")
def cap_kosong(ctx: Context) -> Iterator[Finding]:
    reference = facts(ctx).reference
    for md in facts(ctx).checked():
        columns = [(c, md.raw(c)) for c in _REQUIRED_VALUES if md.has(c)]
        if not any(None in raws for _, raws in columns):
            continue
        empty: set[int] = set()
        for _, raws in columns:
            empty.update([i for i, v in enumerate(raws) if v is None])
        first, codes = md.first, md.codes
        for i in sorted(empty):
            code = codes[i]
            if code is None or first[code] != i or (reference and code not in reference):
                continue  # no RO, a repeated row (CAP-DUPLIKAT), an unknown RO (CAP-RO-ASING)
            row = md.row(i)
            for column, raws in columns:
                if raws[i] is None:
                    yield ctx.finding(
                        md.sheet,
                        row.ref(column),
                        f"{column} RO {code} bulan {md.name} kosong.",
                        ro=code,
                        value=None,
                        suggestion=_KOSONG_SUGGESTION[column].format(month=md.name),
                    )


@rule("CAP-ANGKA", "error", "Kolom angka berisi teks")
def cap_angka(ctx: Context) -> Iterator[Finding]:
    for md in facts(ctx).checked():
        for column in spec.MONTH_NUMBER_COLUMNS:
            if not md.has(column):
                continue
            raws, nums = md.raw(column), md.num(column)
            if None not in nums:
                continue
            for i in [i for i, n in enumerate(nums) if n is None]:
                value = raws[i]
                if value is None or isinstance(value, CellError):
                    continue
                if isinstance(value, float | int) and not isinstance(value, bool):
                    continue  # NaN or infinity: not something a person typed
                guess = parse_number(value) if isinstance(value, str) else None
                suggestion = (
                    f"tulis {format_number(guess, thousands=False)} sebagai angka"
                    if guess is not None
                    else f"tulis {column} sebagai angka"
                )
                yield ctx.finding(
                    md.sheet,
                    md.row(i).ref(column),
                    _not_a_number(column, value),
                    ro=md.codes[i],
                    value=value,
                    suggestion=suggestion,
                )


@rule("CAP-NEGATIF", "error", "Volume atau nilai uang negatif")
def cap_negatif(ctx: Context) -> Iterator[Finding]:
    for md in facts(ctx).checked():
        for column in _VOLUME_AMOUNT_COLUMNS:
            if not md.has(column):
                continue
            nums = md.num(column)
            full = md.full(column)
            if full is not None and (not full or min(full) >= 0):
                continue
            for i in [i for i, n in enumerate(nums) if n is not None and n < 0]:
                number = nums[i]
                assert number is not None
                shown = format_rupiah(number) if column == spec.COL_ANGGARAN else format_number(number)
                yield ctx.finding(
                    md.sheet,
                    md.row(i).ref(column),
                    f"{column} bernilai negatif ({shown}); volume dan nilai uang tidak boleh negatif.",
                    ro=md.codes[i],
                    value=number,
                    suggestion=f"tulis {format_number(-number, thousands=False)} bila tanda minus salah "
                    "ketik, atau 0",
                )


@rule("CAP-SATUAN", "error", "Satuan berbeda dengan Referensi RO")
def cap_satuan(ctx: Context) -> Iterator[Finding]:
    f = facts(ctx)
    wanted: dict[str, str] = {}  # the Satuan as written in Referensi RO
    for code, ref_row in f.reference.items():
        satuan = ref_row.get(spec.COL_SATUAN)
        if isinstance(satuan, str) and satuan.strip():
            wanted[code] = satuan
        elif isinstance(satuan, int | float) and not isinstance(satuan, bool):
            wanted[code] = str(satuan)
    if not wanted:
        return
    for md in f.checked():
        if not md.has(spec.COL_SATUAN):
            continue
        raws = md.raw(spec.COL_SATUAN)
        if md.aligned and md.expected(wanted) == raws:
            continue
        suspects = [
            (code, i, target)
            for code, i in md.first.items()
            if (target := wanted.get(code)) is not None and raws[i] != target
        ]
        for code, i, target in suspects:
            value = raws[i]
            if isinstance(value, CellError):
                continue
            if value is not None and spec.norm(value) == spec.norm(target):
                continue
            shown = target.strip()
            yield ctx.finding(
                md.sheet,
                md.row(i).ref(spec.COL_SATUAN),
                f"Satuan RO {code} bulan {md.name} ({format_value(value)}) berbeda dengan "
                f"Referensi RO (\"{shown}\").",
                ro=code,
                value=value,
                suggestion=f'tulis Satuan "{shown}"',
            )


@rule("CAP-TARGET", "error", "Target Volume atau Target Progres berbeda dengan Referensi RO/Rencana")
def cap_target(ctx: Context) -> Iterator[Finding]:
    f = facts(ctx)
    volumes = f.ref_numbers(spec.COL_TARGET_VOLUME)
    for md in f.checked():
        if md.has(spec.COL_TARGET_VOLUME):
            raws, nums = md.raw(spec.COL_TARGET_VOLUME), md.num(spec.COL_TARGET_VOLUME)
            suspects = _differing(md, volumes, nums)
            for code, i, expected in suspects:
                found = nums[i]
                if found is None and raws[i] is not None:
                    continue  # not a number: CAP-ANGKA
                if found is not None and _eq(found, expected):
                    continue
                yield ctx.finding(
                    md.sheet,
                    md.row(i).ref(spec.COL_TARGET_VOLUME),
                    f"Target Volume RO {code} bulan {md.name} ({format_value(raws[i])}) berbeda "
                    f"dengan Referensi RO ({format_number(expected)}).",
                    ro=code,
                    value=raws[i],
                    suggestion=f"Target Volume seharusnya {format_number(expected)} (sesuai Referensi RO)",
                )
        if md.has(spec.COL_TARGET_PROGRES):
            plan = f.plan_numbers(md.number, spec.COL_TARGET_PROGRES)
            raws, nums = md.raw(spec.COL_TARGET_PROGRES), md.num(spec.COL_TARGET_PROGRES)
            suspects = _differing(md, plan, nums)
            for code, i, expected in suspects:
                found = nums[i]
                if found is None and raws[i] is not None:
                    continue
                if found is not None:
                    if _eq(found, expected):
                        continue
                    if 0 < found < 1 and _eq(found * 100, expected):
                        continue  # written as a fraction: CAP-PERSEN-PECAHAN says so
                yield ctx.finding(
                    md.sheet,
                    md.row(i).ref(spec.COL_TARGET_PROGRES),
                    f"Target Progres RO {code} bulan {md.name} ({format_value(raws[i])}) berbeda "
                    f"dengan lembar Rencana ({format_percent(expected)}).",
                    ro=code,
                    value=raws[i],
                    suggestion=f"Target Progres seharusnya {format_number(expected)} (sesuai lembar Rencana)",
                )


def _differing(
    md: _Month, by_code: dict[str, float], nums: list[float | None]
) -> list[tuple[str, int, float]]:
    """(code, row, expected) of the first rows whose number is not exactly `by_code`'s
    value for their RO (ROs without a value are left out)."""
    if md.aligned:
        expected = md.expected(by_code)
        if expected == nums:
            return []
        codes = cast(list[str], md.codes)  # aligned: every row has its code
        return [
            (codes[i], i, expected[i])
            for i in compress(range(md.n), map(ne, expected, nums))
            if expected[i] is not None
        ]
    return [
        (code, i, value)
        for code, i in md.first.items()
        if (value := by_code.get(code)) is not None and nums[i] != value
    ]


@rule("CAP-PERSEN", "error", "Progres Capaian di luar 0–100")
def cap_persen(ctx: Context) -> Iterator[Finding]:
    for md in facts(ctx).checked():
        if not md.has(spec.COL_PROGRES):
            continue
        nums = md.num(spec.COL_PROGRES)
        full = md.full(spec.COL_PROGRES)
        if full is not None and (not full or (min(full) >= 0 and max(full) <= 100)):
            continue
        for i in [i for i, n in enumerate(nums) if n is not None and (n < 0 or n > 100)]:
            number = nums[i]
            assert number is not None
            if number >= 0 and not _gt(number, 100):
                continue
            suggestion = (
                "Progres Capaian tidak boleh negatif; tulis progres kumulatif 0–100"
                if number < 0
                else "Progres Capaian paling tinggi 100; tulis progres kumulatif 0–100"
            )
            yield ctx.finding(
                md.sheet,
                md.row(i).ref(spec.COL_PROGRES),
                f"Progres Capaian {format_percent(number)} di luar rentang 0–100 %.",
                ro=md.codes[i],
                value=number,
                suggestion=suggestion,
            )


@rule("CAP-PERSEN-PECAHAN", "warning", "Persen kemungkinan ditulis sebagai pecahan")
def cap_persen_pecahan(ctx: Context) -> Iterator[Finding]:
    for md in facts(ctx).checked():
        for column in _PERCENT_COLUMNS:
            if not md.has(column):
                continue
            nums = md.num(column)
            full = md.full(column)
            if full is not None:
                ordered = sorted(full)
                above = bisect_right(ordered, 0.0)
                if above == len(ordered) or ordered[above] >= 1:
                    continue
            for i in [i for i, n in enumerate(nums) if n is not None and 0 < n < 1]:
                number = nums[i]
                assert number is not None
                meant = number * 100
                yield ctx.finding(
                    md.sheet,
                    md.row(i).ref(column),
                    f"{column} bernilai {format_number(number)}: kemungkinan ditulis sebagai pecahan "
                    "(kolom persen berisi 0–100, 45 berarti 45 %).",
                    ro=md.codes[i],
                    value=number,
                    suggestion=f"bila maksudnya {format_percent(meant)}, tulis "
                    f"{format_number(meant, thousands=False)}",
                )


@rule("CAP-PROGRES-TURUN", "error", "Progres Capaian turun dari bulan sebelumnya")
def cap_progres_turun(ctx: Context) -> Iterator[Finding]:
    f = facts(ctx)
    last: dict[str, float] = {}  # RO -> its last Progres Capaian so far
    last_month: dict[str, str] = {}  # RO -> the month of that value
    for md in f.checked():
        if not md.has(spec.COL_PROGRES):
            continue
        nums = md.num(spec.COL_PROGRES)
        full = md.full(spec.COL_PROGRES) if md.aligned else None
        if full is not None and (not last or list(last) == md.codes):
            # the same ROs in the same order (or the first month), every value a number:
            # at C speed, only the rows lower than last month need a look
            codes = cast(list[str], md.codes)
            lower = [] if not last else list(compress(range(md.n), map(lt, full, last.values())))
            for k in lower:
                ro, value = codes[k], full[k]
                prior = last[ro]
                if _lt(value, prior):
                    yield _progres_turun(ctx, md, k, ro, value, prior, last_month[ro])
            last = dict(zip(codes, full, strict=True))
            last_month = dict.fromkeys(codes, md.name)
            continue
        for code, i in md.first.items():
            number = nums[i]
            if number is None:
                continue
            before = last.get(code)
            if before is not None and number < before and _lt(number, before):
                yield _progres_turun(ctx, md, i, code, number, before, last_month[code])
            last[code] = number
            last_month[code] = md.name


def _progres_turun(
    ctx: Context, md: _Month, i: int, code: str, number: float, before: float, before_month: str
) -> Finding:
    return ctx.finding(
        md.sheet,
        md.row(i).ref(spec.COL_PROGRES),
        f"Progres Capaian RO {code} bulan {md.name} ({format_percent(number)}) lebih "
        f"rendah dari bulan {before_month} ({format_percent(before)}); progres bersifat "
        "kumulatif.",
        ro=code,
        value=number,
        suggestion=f"tulis progres kumulatif paling sedikit {format_number(before, thousands=False)}",
    )


@rule("CAP-KUMULATIF", "error", "Realisasi Volume Kumulatif tidak sama dengan jumlah bulanan")
def cap_kumulatif(ctx: Context) -> Iterator[Finding]:
    f = facts(ctx)
    for md in f.checked():
        if not md.has(spec.COL_RVRO_KUM) or not md.has(spec.COL_RVRO):
            continue
        cum = f.cum_volume[md.number]
        raws, nums = md.raw(spec.COL_RVRO_KUM), md.num(spec.COL_RVRO_KUM)
        items: Iterable[tuple[str, int]] = md.first.items()
        if md.aligned:
            expected_sums = md.expected(cum)
            if expected_sums == nums:
                continue  # every cell is its running sum (or both are unknown / empty)
            # only the rows that differ at all need the tolerant comparison below
            codes = cast(list[str], md.codes)
            items = [(codes[i], i) for i in compress(range(md.n), map(ne, expected_sums, nums))]
        month_raws = md.raw(spec.COL_RVRO)
        for code, i in items:
            expected = cum.get(code, 0.0)
            found = nums[i]
            if expected is None or found == expected:
                continue  # unknown running sum, or right
            if found is None:
                if raws[i] is not None or month_raws[i] is None:
                    continue  # text or error (CAP-ANGKA), or the whole entry is empty (CAP-KOSONG)
            elif _eq(found, expected):
                continue
            span = "Januari" if md.number == 1 else f"Januari–{md.name}"
            yield ctx.finding(
                md.sheet,
                md.row(i).ref(spec.COL_RVRO_KUM),
                f"Realisasi Volume Kumulatif RO {code} bulan {md.name} ({format_value(raws[i])}) "
                f"tidak sama dengan jumlah Realisasi Volume Bulan Ini {span} ({format_number(expected)}).",
                ro=code,
                value=raws[i],
                suggestion=f"Realisasi Volume Kumulatif seharusnya {format_number(expected)}",
            )


def _first_excess(
    f: _Facts, running: _Running, limits: dict[str, float], column: str
) -> Iterator[tuple[_Month, str, int, float, float, float]]:
    """(month, code, row index, running sum, limit, sum before) where a running sum first
    goes over its limit; an RO whose sum becomes unknown first is left alone."""
    codes = [code for code, limit in limits.items() if limit >= 0]
    bounds = [limits[code] for code in codes]
    for md in f.checked():
        if not codes:
            return
        cum = running[md.number]
        sums = list(map(cum.get, codes, repeat(0.0)))  # C speed; absent = 0
        if None in sums:  # unknown sums: those ROs are left alone from now on
            keep = [k for k, t in enumerate(sums) if t is not None]
            codes, bounds = [codes[k] for k in keep], [bounds[k] for k in keep]
            sums = [sums[k] for k in keep]
        totals = cast(list[float], sums)
        over = [k for k in compress(range(len(codes)), map(gt, totals, bounds)) if _gt(totals[k], bounds[k])]
        if not over:
            continue
        before = running.get(md.number - 1, {})
        for k in over:
            code = codes[k]
            i = md.first.get(code)
            if md.has(column) and i is not None:
                yield md, code, i, totals[k], bounds[k], before.get(code) or 0.0
        done = set(over)
        codes = [c for k, c in enumerate(codes) if k not in done]
        bounds = [b for k, b in enumerate(bounds) if k not in done]


@rule("CAP-MELEBIHI-TARGET", "error", "Realisasi volume kumulatif melebihi Target Volume")
def cap_melebihi_target(ctx: Context) -> Iterator[Finding]:
    f = facts(ctx)
    targets = f.ref_numbers(spec.COL_TARGET_VOLUME)
    dinamis_key = spec.norm(spec.JENIS_DINAMIS)
    for md, code, i, total, target, previous in _first_excess(f, f.cum_volume, targets, spec.COL_RVRO):
        ref_row = f.reference[code]
        dinamis = spec.norm(ref_row.get(spec.COL_JENIS_RO) or "") == dinamis_key
        row = md.row(i)
        satuan = ref_row.get(spec.COL_SATUAN)
        unit = f" {satuan.strip()}" if isinstance(satuan, str) and satuan.strip() else ""
        if dinamis:
            suggestion = "RO Dinamis boleh melebihi target; pastikan angkanya benar dan jelaskan di Keterangan"
        else:
            suggestion = (
                "RO Statis tidak boleh melebihi target: Realisasi Volume Bulan Ini paling banyak "
                f"{format_number(max(0.0, target - previous))}"
            )
        yield ctx.finding(
            md.sheet,
            row.ref(spec.COL_RVRO),
            f"Realisasi volume kumulatif RO {code} sampai bulan {md.name} "
            f"({format_number(total)}{unit}) melebihi Target Volume ({format_number(target)}{unit}); "
            f"jenis RO {'Dinamis' if dinamis else 'Statis'}.",
            ro=code,
            value=row.get(spec.COL_RVRO),
            suggestion=suggestion,
            severity="warning" if dinamis else "error",
        )


@rule("CAP-PROGRES-VOLUME", "warning", "Progres Capaian tidak sejalan dengan realisasi volume")
def cap_progres_volume(ctx: Context) -> Iterator[Finding]:
    f = facts(ctx)
    targets = f.ref_numbers(spec.COL_TARGET_VOLUME)
    # a running sum below this is still short of the target
    shrunk = {code: t - TOLERANCE * max(t, 1.0) for code, t in targets.items() if t > 0}
    for md in f.checked():
        if not md.has(spec.COL_PROGRES):
            continue
        cum = f.cum_volume[md.number]
        nums = md.num(spec.COL_PROGRES)
        items: Iterable[tuple[str, int]] = md.first.items()
        if md.aligned:
            # C speed: only rows at 100 % or whose volume reached the target need a look (an
            # empty Progres never is at 100 %, an unknown sum never reached, no target never)
            full = _fill(nums, -1.0)
            totals = _fill(md.expected(cum), -math.inf)
            limits = _fill(md.expected(shrunk), math.inf)
            look = map(or_, map(ge, full, repeat(_ALMOST_100)), map(ge, totals, limits))
            codes = cast(list[str], md.codes)  # aligned: every row has its code
            items = [(codes[i], i) for i in compress(range(md.n), look)]
        for code, i in items:
            progres = nums[i]
            if progres is None or progres < 0:
                continue
            target = targets.get(code)
            total = cum.get(code, 0.0)
            if target is None or target <= 0 or total is None:
                continue
            short = target - total > TOLERANCE * max(target, 1.0)  # volume still below target
            if progres < _ALMOST_100:
                if short:
                    continue  # the usual case: both still on the way
                message = (
                    f"Realisasi volume kumulatif RO {code} sampai bulan {md.name} ({format_number(total)}) "
                    f"sudah mencapai Target Volume ({format_number(target)}) tetapi Progres Capaian baru "
                    f"{format_percent(progres)}."
                )
                suggestion = "Progres Capaian seharusnya 100 karena target volume sudah tercapai"
            elif short and _eq(progres, 100):
                message = (
                    f"Progres Capaian RO {code} bulan {md.name} 100 % padahal realisasi volume "
                    f"kumulatif baru {format_number(total)} dari Target Volume {format_number(target)}."
                )
                suggestion = (
                    f"periksa Progres Capaian atau Realisasi Volume: volume {format_number(total)} dari "
                    f"{format_number(target)} setara {format_percent(total / target * 100)}"
                )
            else:
                continue
            yield ctx.finding(
                md.sheet,
                md.row(i).ref(spec.COL_PROGRES),
                message,
                ro=code,
                value=progres,
                suggestion=suggestion,
            )


@rule("CAP-KENDALA", "error", "Progres di bawah target tanpa Kendala dan Tindak Lanjut")
def cap_kendala(ctx: Context) -> Iterator[Finding]:
    f = facts(ctx)
    for md in f.checked():
        text_columns = [c for c in (spec.COL_KENDALA, spec.COL_TINDAK_LANJUT) if md.has(c)]
        if not md.has(spec.COL_PROGRES) or not text_columns:
            continue
        nums = md.num(spec.COL_PROGRES)
        plan = f.plan_numbers(md.number, spec.COL_TARGET_PROGRES)
        own_targets = md.num(spec.COL_TARGET_PROGRES) if md.has(spec.COL_TARGET_PROGRES) else None
        texts = [(c, md.raw(c)) for c in text_columns]
        if md.aligned:
            # C speed: the rows with a Progres Capaian below their plan, or without a plan
            # (an empty Progres is never below; no plan is always "below" and looked at)
            progress = _fill(nums, math.inf)
            targets = _fill(md.expected(plan), math.inf)
            codes = cast(list[str], md.codes)
            suspects = [(codes[i], i, cast(float, nums[i]))
                        for i in compress(range(md.n), map(lt, progress, targets))]
        else:
            suspects = [
                (code, i, progres)
                for code, i in md.first.items()
                if (progres := nums[i]) is not None and not (code in plan and progres >= plan[code])
            ]
        for code, i, progres in suspects:
            target = plan.get(code)
            if target is None and own_targets is not None:
                target = own_targets[i]
            if target is None or progres >= target or not _lt(progres, target):
                continue
            empty = [c for c, values in texts if _blank(values[i])]
            if not empty:
                continue
            which = " dan ".join(empty)
            yield ctx.finding(
                md.sheet,
                md.row(i).ref(empty[0]),
                f"Progres Capaian RO {code} bulan {md.name} ({format_percent(progres)}) di bawah "
                f"Target Progres ({format_percent(target)}) tetapi {which} kosong.",
                ro=code,
                value=progres,
                suggestion=f"isi {which} karena progres {format_percent(progres)} di bawah target "
                f"{format_percent(target)}",
            )


def _blank(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def _swapped(date: dt.date) -> dt.date | None:
    """The date with day and month exchanged (a month-first typing), when that exists."""
    if date.day > 12 or date.day == date.month:
        return None
    try:
        return dt.date(date.year, date.day, date.month)
    except ValueError:
        return None


def _dates(values: list[Any]) -> list[dt.date | None]:
    return [v if type(v) is dt.date else (None if v is None else as_date(v)) for v in values]


def _with_year(date: dt.date, year: int) -> dt.date | None:
    """The date in another year (a mistyped year), when that exists."""
    try:
        return date.replace(year=year)
    except ValueError:
        return None


@rule("CAP-TANGGAL", "error", "Tanggal Entri SAKTI tidak sah")
def cap_tanggal(ctx: Context) -> Iterator[Finding]:
    f = facts(ctx)
    today = ctx.today
    for md in f.checked():
        if not md.has(spec.COL_TANGGAL):
            continue
        raws = md.raw(spec.COL_TANGGAL)
        year = f.year
        low = _month_last_day(year, md.number) if year else None
        if low is not None and raws and md.all_dates(spec.COL_TANGGAL) and min(raws) >= low and max(raws) <= today:
            continue  # every entry date after the month ended and not in the future
        dates = _dates(raws)
        for i, date in enumerate(dates):
            if date is not None and date <= today and low is not None and date >= low:
                continue  # the usual case
            value = raws[i]
            if value is None or isinstance(value, CellError):
                continue
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


@rule("CAP-TERLAMBAT", "warning", "Tanggal Entri SAKTI melewati tenggat")
def cap_terlambat(ctx: Context) -> Iterator[Finding]:
    f = facts(ctx)
    today = ctx.today
    label = deadline_label(ctx.settings)
    for md in f.checked():
        if not md.has(spec.COL_TANGGAL):
            continue
        raws = md.raw(spec.COL_TANGGAL)
        fixed = f.month_dates(f.year, md.number) if f.year else None
        if fixed is not None and raws and md.all_dates(spec.COL_TANGGAL) and max(raws) <= fixed[1]:
            continue  # every entry on time
        dates = _dates(raws)
        if fixed is not None:
            due = fixed[1]
            candidates = [(code, i) for code, i in md.first.items() if (d := dates[i]) is not None and d > due]
        else:
            candidates = list(md.first.items())
        for code, i in candidates:
            date = dates[i]
            if date is None or date > today:
                continue
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


@rule("CAP-PAGU", "error", "Realisasi Anggaran kumulatif melebihi Pagu")
def cap_pagu(ctx: Context) -> Iterator[Finding]:
    f = facts(ctx)
    pagus = f.ref_numbers(spec.COL_PAGU)
    for md, code, i, total, pagu, previous in _first_excess(f, f.cum_budget, pagus, spec.COL_ANGGARAN):
        row = md.row(i)
        yield ctx.finding(
            md.sheet,
            row.ref(spec.COL_ANGGARAN),
            f"Realisasi Anggaran kumulatif RO {code} sampai bulan {md.name} "
            f"({format_rupiah(total)}) melebihi Pagu ({format_rupiah(pagu)}) sebesar "
            f"{format_rupiah(total - pagu)}.",
            ro=code,
            value=row.get(spec.COL_ANGGARAN),
            suggestion=f"Realisasi Anggaran bulan {md.name} paling banyak "
            f"{format_rupiah(max(0.0, pagu - previous))} agar tidak melebihi Pagu",
        )


@rule("CAP-DEVIASI-RPD", "warning", "Realisasi Anggaran menyimpang dari RPD tanpa keterangan")
def cap_deviasi_rpd(ctx: Context) -> Iterator[Finding]:
    f = facts(ctx)
    limit = ctx.settings.rpd_deviation_pct
    ratio = limit / 100
    for md in f.checked():
        if not md.has(spec.COL_ANGGARAN):
            continue
        nums = md.num(spec.COL_ANGGARAN)
        notes = md.raw(spec.COL_KETERANGAN) if md.has(spec.COL_KETERANGAN) else None
        plan = f.plan_numbers(md.number, spec.COL_RPD)
        if md.aligned:
            # C speed: the rows whose |realisation - RPD| > RPD x ratio (a missing number or
            # plan is NaN, and NaN compares false)
            spent_all = _fill(nums, math.nan)
            rpds = _fill(md.expected(plan), math.nan)
            away = map(gt, map(abs, map(sub, spent_all, rpds)), map(mul, rpds, repeat(ratio)))
            codes = md.codes
            candidates = [(codes[i], i, spent_all[i], rpds[i]) for i in compress(range(md.n), away)]
        else:
            candidates = [
                (code, i, spent, rpd)
                for code, i in md.first.items()
                if (spent := nums[i]) is not None
                and (rpd := plan.get(code)) is not None
                and abs(spent - rpd) > rpd * ratio
            ]
        for code, i, spent, rpd in candidates:
            if rpd < 0:
                continue  # a negative plan is the plan's problem (REN rules)
            if rpd > 0:
                deviation = abs(spent - rpd) / rpd * 100
                if not _gt(deviation, limit):
                    continue
                shown = f"menyimpang {format_percent(deviation)}"
            else:
                if not _gt(spent, 0.0):
                    continue
                shown = "padahal RPD bulan ini 0"
            if notes is not None and not _blank(notes[i]):
                continue
            where = "isi Keterangan" if notes is not None else "tambahkan kolom Keterangan dan isi"
            yield ctx.finding(
                md.sheet,
                md.row(i).ref(spec.COL_ANGGARAN),
                f"Realisasi Anggaran RO {code} bulan {md.name} ({format_rupiah(spent)}) {shown} dari "
                f"Rencana Penarikan Dana ({format_rupiah(rpd)}); batas {format_number(limit)} %, "
                "Keterangan kosong.",
                ro=code,
                value=spent,
                suggestion=f"{where} dengan alasan realisasi {format_rupiah(spent)} berbeda dari RPD "
                f"{format_rupiah(rpd)}",
            )


@rule("CAP-MENDAHULUI", "warning", "Bulan setelah bulan pelaporan sudah berisi data")
def cap_mendahului(ctx: Context) -> Iterator[Finding]:
    f = facts(ctx)
    reporting = ctx.reporting_month
    for number in range(reporting + 1, 13):
        md = f.month(number)
        if md is None:
            continue
        columns = sorted((c for c in _ENTRY_COLUMNS if md.has(c)), key=md.table.columns.__getitem__)
        raws = [md.raw(c) for c in columns]
        first: tuple[int, str] | None = None
        count = 0
        for i in range(md.n):
            for column, values in zip(columns, raws, strict=True):
                if values[i] is not None:
                    count += 1
                    if first is None:
                        first = (i, column)
                    break
        if first is None:
            continue
        row = md.row(first[0])
        basis = (
            f"bulan pelaporan adalah {spec.MONTHS[reporting - 1]}" if reporting else "belum ada bulan dilaporkan"
        )
        yield ctx.finding(
            md.sheet,
            row.ref(first[1]),
            f"Lembar {md.sheet} sudah berisi data ({count} baris) padahal {basis}.",
            ro=md.codes[first[0]],
            value=row.get(first[1]),
            suggestion=f"periksa apakah data ini salah lembar; bila bulan {md.name} memang dilaporkan, "
            "ubah Bulan Pelaporan di lembar Identitas",
        )
