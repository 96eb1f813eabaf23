"""Facts of one run shared by the CAP rules, and the column helpers every rule uses.

The rules read as their rules.md line: they ask a month for the rows worth a look
(`Month.where`, `Month.first_where`, `Month.numbers_where`, with values laid along the rows
by `Month.along`) and judge those rows one by one. The helpers compare whole columns at C
speed, so that 12 months x 20,000 ROs stay fast; tests/test_fast_paths.py checks them
against plain row-by-row logic.
"""

from __future__ import annotations

import calendar
import datetime as dt
import math
import re
import weakref
from collections.abc import Callable, Iterable, Iterator
from functools import cached_property
from itertools import compress, repeat
from operator import add, and_, gt, is_, is_not, lt
from typing import Any, Final, cast

from sopxl.core import spec
from sopxl.core.calendar import deadline_for
from sopxl.core.findings import Finding, Severity
from sopxl.core.parse import (
    as_date,
    as_number,
    format_number,
    format_rupiah,
    format_value,
    parse_number,
)
from sopxl.read.workbook import Row, RowAt, Table
from sopxl.rules.base import Check, Context, rule

TOLERANCE: Final = 1e-6
ALMOST_100: Final = 100 - 100 * TOLERANCE


def same(a: float, b: float) -> bool:
    """Equal within the relative tolerance."""
    return abs(a - b) <= TOLERANCE * max(1.0, abs(a), abs(b))


def above(a: float, b: float) -> bool:
    """`a` greater than `b` beyond the tolerance."""
    return a - b > TOLERANCE * max(1.0, abs(a), abs(b))


def below(a: float, b: float) -> bool:
    """`a` less than `b` beyond the tolerance."""
    return b - a > TOLERANCE * max(1.0, abs(a), abs(b))


def fill(values: list[Any], default: Any) -> list[Any]:
    """`values` with None replaced by `default` (the list itself when it holds no None), so
    that whole columns compare at C speed with `map`."""
    if None not in values:
        return values
    return [default if v is None else v for v in values]




def code_key(text: str) -> str:
    """Kode RO without white space, upper case, commas as dots: what a mistyped code meant."""
    return re.sub(r"\s+", "", text).upper().replace(",", ".")


def month_last_day(year: int, month: int) -> dt.date:
    return dt.date(year, month, calendar.monthrange(year, month)[1])


def not_a_number(column: str, value: Any) -> str:
    """The message of a number column holding something else."""
    if isinstance(value, bool):
        return f"{column} berisi nilai logika {format_value(value)}, bukan angka."
    if isinstance(value, dt.date | dt.time | dt.timedelta):
        return f"{column} berisi tanggal/waktu {format_value(value)}, bukan angka."
    return f"{column} berisi teks {format_value(value)}, bukan angka."


# ---- registration in rules.md order -----------------------------------------------------------

# Rule id -> (severity, title, check) of the CAP rules defined so far; `register_in_order`
# moves them into the catalogue in the order of rules.md (the modules group them by concern).
_PENDING: dict[str, tuple[Severity, str, Check]] = {}


def cap_rule(rule_id: str, severity: Severity, title: str) -> Callable[[Check], Check]:
    """Like `sopxl.rules.base.rule`, registered later by `register_in_order`."""

    def keep(func: Check) -> Check:
        _PENDING[rule_id] = (severity, title, func)
        return func

    return keep


def register_in_order(order: Iterable[str]) -> None:
    """Register the CAP rules kept by `cap_rule` in the catalogue, in `order`."""
    for rule_id in order:
        severity, title, check = _PENDING.pop(rule_id)
        rule(rule_id, severity, title)(check)
    if _PENDING:
        raise ValueError(f"CAP rules without a place in rules.md order: {sorted(_PENDING)}")


# ---- one month ---------------------------------------------------------------------------------


class Month:
    """One month's table with its rows by RO and its columns parsed once."""

    def __init__(self, number: int, table: Table) -> None:
        self.number = number
        self.name = spec.MONTHS[number - 1]
        self.table = table
        self.sheet = table.sheet
        self.n = len(table)
        self._num: dict[str, list[float | None]] = {}
        self._counted: dict[str, tuple[list[float | None], dict[int, float]]] = {}
        self._full: set[str] = set()  # columns whose every value is a number
        self._dates: dict[str, list[dt.date | None]] = {}

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
            if set(map(type, raw)) == {float}:
                found = cast(list[float | None], raw)  # all numbers already (never mutated)
                self._full.add(column)
            else:
                found = [v if type(v) is float else (None if v is None else as_number(v)) for v in raw]
                if None not in found:
                    self._full.add(column)
            self._num[column] = found
        return found

    def counted(self, column: str) -> tuple[list[float | None], dict[int, float]]:
        """The numbers a running sum counts in `column`, row by row, and {row: number} of the
        rows among them read from text: a text CAP-ANGKA reads as a number (`parse_number`,
        the number of its suggestion) counts as that number, so that the sums and the rules
        built on them go on at once instead of waiting for the text to be retyped."""
        found = self._counted.get(column)
        if found is None:
            nums = self.num(column)
            parsed: dict[int, float] = {}
            if not self.all_numbers(column):
                raws = self.raw(column)
                for i in self.not_numbers(column):
                    if isinstance(raws[i], str) and (guess := parse_number(raws[i])) is not None:
                        parsed[i] = guess
            if parsed:
                nums = list(nums)
                for i, guess in parsed.items():
                    nums[i] = guess
            found = (nums, parsed)
            self._counted[column] = found
        return found

    def all_numbers(self, column: str) -> bool:
        """Every row holds a number in `column`."""
        self.num(column)
        return column in self._full

    def filled(self, column: str, default: float) -> list[float]:
        """`num(column)` with `default` where a row holds no number (for whole-column
        comparisons with `map`; a column known to be all numbers is not scanned again)."""
        nums = self.num(column)
        return cast(list[float], nums if self.all_numbers(column) else fill(nums, default))

    def dates(self, column: str) -> list[dt.date | None]:
        """The dates of a column, row by row (None where the value is not a date)."""
        found = self._dates.get(column)
        if found is None:
            raw = self.raw(column)
            if set(map(type, raw)) == {dt.date}:
                found = cast(list[dt.date | None], raw)
            else:
                found = [v if type(v) is dt.date else (None if v is None else as_date(v)) for v in raw]
            self._dates[column] = found
        return found

    @property
    def codes(self) -> list[str | None]:
        return self.table.codes

    @property
    def first(self) -> dict[str, int]:
        """Kode RO -> index of its first row."""
        return self.table.first_of_code

    @cached_property
    def aligned(self) -> bool:
        """Every row has its own RO: the first rows are all the rows, in order."""
        return len(self.first) == self.n

    @cached_property
    def _first_rows(self) -> frozenset[int]:
        return frozenset(self.first.values())

    @cached_property
    def repeated(self) -> list[int]:
        """Rows whose RO already had a row above (in sheet order)."""
        if self.aligned:
            return []
        firsts = self._first_rows
        return [i for i, code in enumerate(self.codes) if code is not None and i not in firsts]

    def along(self, by_code: dict[str, Any], default: Any = None) -> list[Any]:
        """The value in `by_code` of every row's RO (`default` where it has none).

        When `by_code` holds exactly this month's ROs in row order (the usual case: every
        sheet lists the ROs in the Referensi RO order), its values are the answer; comparing
        the key lists runs in sequence and costs far less than one lookup per row."""
        codes = self.codes
        if len(by_code) == len(codes) and list(by_code) == codes:
            return list(by_code.values())
        return list(map(cast(dict[Any, Any], by_code).get, codes, repeat(default)))  # no RO: default

    def notes(self) -> list[Any] | None:
        """The Keterangan of every row (None without the optional column)."""
        return self.raw(spec.COL_KETERANGAN) if self.has(spec.COL_KETERANGAN) else None

    def explain_hint(self) -> str:
        """How to explain a row in this month: its Keterangan, a column it may lack."""
        return "isi Keterangan" if self.has(spec.COL_KETERANGAN) else "tambahkan kolom Keterangan dan isi"

    def where(self, flags: Iterable[Any]) -> list[int]:
        """The rows whose flag is true (flags laid along the rows)."""
        return list(compress(range(self.n), flags))

    def first_where(self, flags: Iterable[Any]) -> list[int]:
        """The first rows of their RO whose flag is true (later rows are CAP-DUPLIKAT's)."""
        rows = self.where(flags)
        if self.aligned:
            return rows
        firsts = self._first_rows
        return [i for i in rows if i in firsts]

    def numbers_where(self, column: str, op: Callable[[float, float], bool], bound: float) -> list[int]:
        """The rows whose number in `column` satisfies `op(number, bound)` (`op` one of
        `operator.lt`, `le`, `gt`, `ge`; a cell that is not a number never does)."""
        values = self.filled(column, math.nan)
        if (
            values
            and self.all_numbers(column)  # then one C pass tells when no value can match
            and ((op is lt and min(values) >= bound) or (op is gt and max(values) <= bound))
        ):
            return []
        return self.where(map(op, values, repeat(bound)))

    def not_numbers(self, column: str) -> list[int]:
        """The rows whose value in `column` is there but is not a number (text, an Excel
        error value, a date ...)."""
        if self.all_numbers(column):
            return []
        nums = self.num(column)
        return self.where(map(and_, map(is_, nums, repeat(None)), map(is_not, self.raw(column), repeat(None))))

    def fractional(self, column: str, rows: list[int]) -> list[int]:
        """The rows among `rows` whose number in `column` is not whole (NaN included); the
        distinct values are few in a volume column, so each is judged once."""
        filled = self.filled(column, 0.0)
        values = list(map(filled.__getitem__, rows))
        odd = {v for v in set(values) if not v.is_integer()}
        return list(compress(rows, map(odd.__contains__, values))) if odd else []

    def by_code(self, column: str) -> dict[str, float]:
        """Kode RO -> the number in `column` of its first row (ROs whose value is a number)."""
        nums = self.num(column)
        if self.aligned and self.all_numbers(column):
            return dict(zip(cast(list[str], self.codes), cast(list[float], nums), strict=True))
        return {code: number for code, i in self.first.items() if (number := nums[i]) is not None}


# ---- the facts of a run ------------------------------------------------------------------------

Running = dict[int, dict[str, float | None]]


class _Unknown(dict[str, float | None]):
    """The running sums after a month whose sheet or column is missing: unknown for every RO."""

    def get(self, key: str, default: float | None = None) -> float | None:  # type: ignore[override]
        return None


UNKNOWN_SUMS: Final[dict[str, float | None]] = _Unknown()


class Facts:
    """Facts of one run shared by the CAP rules."""

    def __init__(self, ctx: Context) -> None:
        # Weakly: _FACTS maps the Context to this object, and a value holding its key strongly
        # would keep both (with every table of the workbook) alive after the run.
        self.ctx: Context = weakref.proxy(ctx)
        self._months: dict[int, Month | None] = {}
        self._ref_numbers: dict[str, dict[str, float]] = {}
        self._plan_numbers: dict[tuple[int, str], dict[str, float]] = {}
        self._dates: dict[tuple[int, int], tuple[dt.date, dt.date]] = {}
        # column -> RO -> (month, number, text) of the texts its running sum read as numbers
        self._read_from_text: dict[str, dict[str, list[tuple[int, float, Any]]]] = {}

    def month(self, number: int) -> Month | None:
        """A month whose sheet exists and has a header row with Kode RO."""
        if number not in self._months:
            table = self.ctx.month_table(number)
            ok = table is not None and table.header_row is not None and spec.COL_KODE_RO in table.columns
            self._months[number] = Month(number, table) if ok and table is not None else None
        return self._months[number]

    @cached_property
    def by_sheet(self) -> dict[str, Month]:
        """The months by their sheet's name as written (a finding's `sheet`)."""
        return {md.sheet: md for m in range(1, 13) if (md := self.month(m)) is not None}

    def row_cells(self, sheet: str, code: str | None, columns: Iterable[str], months: str = "this") -> list[tuple[str, str]]:
        """(sheet, cell) of `columns` in the first row of RO `code`: in the month of `sheet`
        (`months="this"`), or in every month from Januari up to it (`months="so far"`)."""
        md = self.by_sheet.get(sheet)
        if md is None or code is None:
            return []
        wanted = [md] if months == "this" else [m for n in range(1, md.number + 1) if (m := self.month(n))]
        cells: list[tuple[str, str]] = []
        for month in wanted:
            i = month.first.get(code)
            if i is not None:
                row = month.row(i)
                cells.extend((month.sheet, row.ref(c)) for c in columns if month.has(c))
        return cells

    def checked(self) -> Iterator[Month]:
        """The months up to the reporting month."""
        for number in self.ctx.months_to_check:
            md = self.month(number)
            if md is not None:
                yield md

    @cached_property
    def reference(self) -> dict[str, Row]:
        return self.ctx.reference

    @cached_property
    def reference_keys(self) -> dict[str, str]:
        return {code_key(code): code for code in self.reference}

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

    @cached_property
    def prioritas_nasional(self) -> frozenset[str]:
        """The ROs whose optional Prioritas Nasional is Ya (empty or anything else: Tidak)."""
        ya = spec.norm(spec.PRIORITAS_YA)
        return frozenset(
            code
            for code, row in self.reference.items()
            if isinstance(value := row.values.get(spec.COL_PRIORITAS_NASIONAL), str) and spec.norm(value) == ya
        )

    def plan_numbers(self, month: int, column: str) -> dict[str, float]:
        """Kode RO -> the Rencana number of `month` in `column` (where it is a number)."""
        key = (month, column)
        found = self._plan_numbers.get(key)
        if found is None:
            plan = self.ctx.plan
            found = {}
            if plan is not None and column in plan.table.columns:
                values = plan.month_values(month, column)
                if set(map(type, values.values())) == {float}:
                    found = values
                else:
                    for code, v in values.items():
                        number = v if type(v) is float else as_number(v)
                        if number is not None:
                            found[code] = number
            self._plan_numbers[key] = found
        return found

    def running(self, column: str) -> Running:
        """Month -> RO -> running sum of `column` over months 1..month (first rows).

        An RO without a value so far is absent (its sum is 0); None means unknown (a value
        that is no number, and no text read as one (`Month.counted`), was met on the way).
        From a month whose sheet or column is missing on, every sum is unknown
        (`UNKNOWN_SUMS`): STR-SHEET or STR-COLUMN names the cause.
        """
        result: Running = {}
        running: dict[str, float | None] = {}  # a new dict for every month that changes it
        texts = self._read_from_text.setdefault(column, {})
        for m in range(1, 13):
            md = self.month(m)
            if md is None or not md.has(column) or running is UNKNOWN_SUMS:
                running = UNKNOWN_SUMS
            else:
                nums, parsed = md.counted(column)
                raws = md.raw(column)
                for i, number in parsed.items():
                    code = md.codes[i]
                    if code is not None and md.first.get(code) == i:
                        texts.setdefault(code, []).append((m, number, raws[i]))
                full = md.aligned and md.all_numbers(column)
                if full and not running:  # the first month with data
                    running = dict(zip(md.first, cast(list[float], nums), strict=True))
                elif md.aligned and len(running) == md.n and list(running) == md.codes:
                    # the same ROs in the same order as the sums so far: column by column
                    before = list(running.values())
                    if full and None not in before:  # all numbers: at C speed
                        totals: list[float | None] = list(map(add, cast(list[float], before), nums))
                    else:  # unknown sums stay unknown; a non-number makes a sum unknown
                        totals = [
                            None if b is None else (b + x if x is not None else (b if r is None else None))
                            for b, x, r in zip(before, nums, raws, strict=True)
                        ]
                    running = dict(zip(md.first, totals, strict=True))
                else:
                    running = dict(running)
                    for code, i in md.first.items():
                        n = nums[i]
                        if n is None:
                            if raws[i] is not None:
                                running[code] = None
                        elif code in running:
                            so_far = running[code]
                            running[code] = None if so_far is None else so_far + n
                        else:
                            running[code] = n
            result[m] = running
        return result

    def read_from_text(self, column: str, code: str, month: int) -> str:
        """What a message about the running sum of `column` for RO `code` up to `month` adds
        when the sum counted a text as its number: " (jumlah ini memakai 60 yang dibaca dari
        teks "60 orang" di Maret)", else ""."""
        self.running_of(column)
        show = format_rupiah if column == spec.COL_ANGGARAN else format_number
        used = [
            f"{show(number)} yang dibaca dari teks {format_value(raw)} di {spec.MONTHS[m - 1]}"
            for m, number, raw in self._read_from_text.get(column, {}).get(code, [])
            if m <= month
        ]
        return f" (jumlah ini memakai {'; '.join(used)})" if used else ""

    def running_of(self, column: str) -> Running:
        """The running sums of `column` (Realisasi Volume Bulan Ini or Realisasi Anggaran),
        computed once."""
        return self.cum_volume if column == spec.COL_RVRO else self.cum_budget

    @cached_property
    def cum_volume(self) -> Running:
        return self.running(spec.COL_RVRO)

    @cached_property
    def cum_budget(self) -> Running:
        return self.running(spec.COL_ANGGARAN)

    def first_excess(
        self, running: Running, limits: dict[str, float], column: str
    ) -> Iterator[tuple[Month, str, int, float, float, float]]:
        """(month, code, row, running sum, limit, sum before) where a running sum first goes
        over its limit (once per RO); an RO whose sum becomes unknown first is left alone."""
        codes = [code for code, limit in limits.items() if limit >= 0]
        bounds = [limits[code] for code in codes]
        for md in self.checked():
            if not codes:
                return
            cum = running[md.number]
            sums = list(map(cum.get, codes, repeat(0.0)))  # C speed; absent = 0
            if None in sums:  # unknown sums: those ROs are left alone from now on
                keep = [k for k, t in enumerate(sums) if t is not None]
                codes, bounds = [codes[k] for k in keep], [bounds[k] for k in keep]
                sums = [sums[k] for k in keep]
            totals = cast(list[float], sums)
            over = [k for k in compress(range(len(codes)), map(gt, totals, bounds)) if above(totals[k], bounds[k])]
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
            found = (month_last_day(year, month), deadline_for(year, month, self.ctx.settings))
            self._dates[key] = found
        return found


_FACTS: weakref.WeakKeyDictionary[Context, Facts] = weakref.WeakKeyDictionary()


# ---- the inputs of derived findings (`sopxl.rules.base.follows_from`) -------------------------


def progres_input(ctx: Context, finding: Finding) -> list[tuple[str, str]]:
    """The Progres Capaian cell a finding about the RO's row was judged on."""
    return facts(ctx).row_cells(finding.sheet, finding.ro, (spec.COL_PROGRES,))


def own_cell(ctx: Context, finding: Finding) -> list[tuple[str, str]]:
    """The finding's own cell: the entry that took a running sum over its limit."""
    return [(finding.sheet, finding.cell)]


def volume_entries(ctx: Context, finding: Finding) -> list[tuple[str, str]]:
    """Realisasi Volume Bulan Ini of the finding's RO from Januari up to its month."""
    return facts(ctx).row_cells(finding.sheet, finding.ro, (spec.COL_RVRO,), months="so far")


def budget_entries(ctx: Context, finding: Finding) -> list[tuple[str, str]]:
    """Realisasi Anggaran of the finding's RO from Januari up to its month."""
    return facts(ctx).row_cells(finding.sheet, finding.ro, (spec.COL_ANGGARAN,), months="so far")


def volume_inputs(ctx: Context, finding: Finding) -> list[tuple[str, str]]:
    """The cells a judgement of Progres Capaian against the running volume rests on: the
    finding's own cell (Progres Capaian), and Realisasi Volume Bulan Ini and Kumulatif of
    the RO from Januari up to the finding's month."""
    cells = [(finding.sheet, finding.cell)]
    cells += facts(ctx).row_cells(finding.sheet, finding.ro, (spec.COL_RVRO, spec.COL_RVRO_KUM), months="so far")
    return cells


def facts(ctx: Context) -> Facts:
    """The shared facts of a run (computed once per Context)."""
    found = _FACTS.get(ctx)
    if found is None:
        found = Facts(ctx)
        _FACTS[ctx] = found
    return found
