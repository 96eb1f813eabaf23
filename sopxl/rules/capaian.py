"""Rules of the monthly sheets, `Januari` ... `Desember` (rules.md, "Monthly sheets").

Every rule looks at the months up to the reporting month (`ctx.months_to_check`), except
CAP-MENDAHULUI, which looks at the months after it. Conventions shared by all of them:

* **Cells.** A finding about one value names that value's cell. Whole-row findings
  (CAP-DUPLIKAT) name the first cell of the row, ``A{row}``. CAP-RO-HILANG has no row to
  name: it names the first cell of the sheet's header row, ``A{header_row}`` (``A1`` for a
  sheet without a title block), and its message says which RO is missing.
  CAP-MENDAHULUI names the first entered cell of the month that should still be empty.
* **No cascades.** A value that is not a number (text: CAP-ANGKA; an Excel error:
  STR-FORMULA-ERROR) is left out of every arithmetic rule; a running sum that would need
  such a value (CAP-KUMULATIF, CAP-MELEBIHI-TARGET, CAP-PROGRES-VOLUME, CAP-PAGU) is
  unknown from that month on, and nothing is said about it. An empty required value is
  CAP-KOSONG's alone (an empty month counts as 0 in a running sum). Cross-month and
  cross-sheet rules use the first row of an RO in a month; later rows are CAP-DUPLIKAT's.
  CAP-RO-ASING stays silent when `Referensi RO` is missing or empty (STR-SHEET / REF-*).
  A missing column silently skips the checks that need it (STR-COLUMN reports it).
* **Once, not every month.** CAP-MELEBIHI-TARGET and CAP-PAGU report an RO once, in the
  month whose entry first takes the running sum over the limit.
* **CAP-TANGGAL** accepts an entry date from the last day of the month on (earlier means
  "before the month ended") up to `Settings.today`. A bare number in the Excel serial
  range counts as a date (see `sopxl.parse.as_date`). CAP-TERLAMBAT only looks at dates
  that CAP-TANGGAL accepts; the days late are calendar days after the deadline.
* Numbers compare with a relative tolerance of 1e-6.

Per-run facts (rows by RO per month, parsed numbers, running sums, the plan) are computed
once per `Context` and shared by the rules, so that 12 months x 20,000 ROs stay fast.
"""

from __future__ import annotations

import calendar
import datetime as dt
import re
import weakref
from collections.abc import Iterator
from functools import cached_property
from typing import Any, Final

from sopxl import spec
from sopxl.deadline import deadline_for, deadline_label
from sopxl.findings import Finding
from sopxl.parse import (
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
from sopxl.reader import CellError, Row, Table
from sopxl.rules.base import Context, rule

TOLERANCE: Final = 1e-6

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


def _code_key(text: str) -> str:
    return re.sub(r"\s+", "", text).upper().replace(",", ".")


class _Month:
    """One month's table with its rows by RO and its columns parsed once."""

    def __init__(self, number: int, table: Table) -> None:
        self.number = number
        self.name = spec.MONTHS[number - 1]
        self.table = table
        self.sheet = table.sheet
        self.rows: list[Row] = table.rows
        self._raw: dict[str, list[Any]] = {}
        self._num: dict[str, list[float | None]] = {}

    def has(self, column: str) -> bool:
        return column in self.table.columns

    def raw(self, column: str) -> list[Any]:
        """The values of a column, row by row (None where blank or the column is absent)."""
        found = self._raw.get(column)
        if found is None:
            found = [r.values.get(column) for r in self.rows]
            self._raw[column] = found
        return found

    def num(self, column: str) -> list[float | None]:
        """The numbers of a column, row by row (None where the value is not a number)."""
        found = self._num.get(column)
        if found is None:
            found = [v if type(v) is float else (None if v is None else as_number(v)) for v in self.raw(column)]
            self._num[column] = found
        return found

    @cached_property
    def codes(self) -> list[str | None]:
        result: list[str | None] = []
        for row, v in zip(self.rows, self.raw(spec.COL_KODE_RO), strict=True):
            if type(v) is str:
                code = v.strip()
                result.append(code or None)
            else:
                result.append(None if v is None else row.kode)
        return result

    @cached_property
    def first(self) -> dict[str, int]:
        """Kode RO -> index of its first row."""
        result: dict[str, int] = {}
        for i, code in enumerate(self.codes):
            if code is not None and code not in result:
                result[code] = i
        return result

    def firsts(self) -> Iterator[tuple[int, str, Row]]:
        """(index, code, row) of each RO's first row, in sheet order."""
        rows = self.rows
        for code, i in self.first.items():
            yield i, code, rows[i]


_Running = dict[int, dict[str, float | None]]


class _Facts:
    """Facts of one run shared by the CAP rules."""

    def __init__(self, ctx: Context) -> None:
        self.ctx = ctx
        self._months: dict[int, _Month | None] = {}
        self._ref_numbers: dict[str, dict[str, float]] = {}
        self._plan_numbers: dict[tuple[int, str], dict[str, float]] = {}
        self._dates: dict[tuple[int, int], tuple[dt.date, dt.date]] = {}

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
    def _plan_rows(self) -> dict[int, dict[str, Row]]:
        """Month -> Kode RO -> first Rencana row."""
        result: dict[int, dict[str, Row]] = {m: {} for m in range(1, 13)}
        table = self.ctx.data.rencana
        if table is None:
            return result
        months: dict[Any, int | None] = {}
        for row in table.rows:
            raw = row.values.get(spec.COL_BULAN)
            try:
                month = months[raw]
            except KeyError:
                month = months[raw] = spec.month_number(raw)
            except TypeError:  # an unhashable value cannot come from a cell, but be safe
                month = spec.month_number(raw)
            code = row.values.get(spec.COL_KODE_RO)
            code = code.strip() if type(code) is str else row.kode
            if code and month is not None:
                result[month].setdefault(code, row)
        return result

    def plan_numbers(self, month: int, column: str) -> dict[str, float]:
        """Kode RO -> the Rencana number of `month` in `column` (where it is a number)."""
        key = (month, column)
        found = self._plan_numbers.get(key)
        if found is None:
            found = {}
            for code, row in self._plan_rows.get(month, {}).items():
                number = as_number(row.values.get(column))
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
        running: dict[str, float | None] = {}
        for m in range(1, 13):
            md = self.month(m)
            if md is not None and md.has(column):
                nums = md.num(column)
                raws = md.raw(column)
                for code, i in md.first.items():
                    n = nums[i]
                    if n is None:
                        if raws[i] is not None:
                            running[code] = None
                        continue
                    if code in running:
                        before = running[code]
                        running[code] = None if before is None else before + n
                    else:
                        running[code] = n
            result[m] = dict(running)
        return result

    @cached_property
    def cum_volume(self) -> _Running:
        return self._running(spec.COL_RVRO)

    @cached_property
    def cum_budget(self) -> _Running:
        return self._running(spec.COL_ANGGARAN)

    def year_of(self, date: dt.date) -> int:
        return self.ctx.year or date.year

    def month_dates(self, year: int, month: int) -> tuple[dt.date, dt.date]:
        """(last day of the month, entry deadline) of a month, computed once."""
        key = (year, month)
        found = self._dates.get(key)
        if found is None:
            found = (_month_last_day(year, month), deadline_for(year, month, self.ctx.settings))
            self._dates[key] = found
        return found


_FACTS: weakref.WeakKeyDictionary[Context, _Facts] = weakref.WeakKeyDictionary()


def facts(ctx: Context) -> _Facts:
    """The shared facts of a run (computed once per Context)."""
    found = _FACTS.get(ctx)
    if found is None:
        found = _Facts(ctx)
        _FACTS[ctx] = found
    return found


def _sum_of(cum: dict[str, float | None], code: str) -> tuple[bool, float]:
    """(known, value) of a running sum."""
    if code not in cum:
        return True, 0.0
    value = cum[code]
    return (False, 0.0) if value is None else (True, value)


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
        for i, code in enumerate(md.codes):
            row = md.rows[i]
            if code is None:
                if isinstance(raws[i], CellError):
                    continue
                yield ctx.finding(
                    md.sheet,
                    row.ref(spec.COL_KODE_RO),
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
                    row.ref(spec.COL_KODE_RO),
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
        for code, ref_row in f.reference.items():
            if code in present:
                continue
            uraian = ref_row.get(spec.COL_URAIAN_RO)
            name = f" ({uraian})" if isinstance(uraian, str) and uraian.strip() else ""
            yield ctx.finding(
                md.sheet,
                md.table.header_ref,
                f"RO {code}{name} dari Referensi RO tidak memiliki baris di lembar {md.sheet} "
                f"(sel {md.table.header_ref} menunjuk judul tabel).",
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
            row, first_row = md.rows[i], md.rows[first[code]]
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
    for md in facts(ctx).checked():
        columns = [c for c in _REQUIRED_VALUES if md.has(c)]
        raws = {c: md.raw(c) for c in columns}
        for i, code, row in md.firsts():
            for column in columns:
                if raws[column][i] is None:
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
            for i, (value, number) in enumerate(zip(md.raw(column), md.num(column), strict=True)):
                if number is not None or value is None or isinstance(value, CellError):
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
                    md.rows[i].ref(column),
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
            for i, number in enumerate(md.num(column)):
                if number is None or number >= 0:
                    continue
                shown = format_rupiah(number) if column == spec.COL_ANGGARAN else format_number(number)
                yield ctx.finding(
                    md.sheet,
                    md.rows[i].ref(column),
                    f"{column} bernilai negatif ({shown}); volume dan nilai uang tidak boleh negatif.",
                    ro=md.codes[i],
                    value=number,
                    suggestion=f"tulis {format_number(-number, thousands=False)} bila tanda minus salah "
                    "ketik, atau 0",
                )


@rule("CAP-SATUAN", "error", "Satuan berbeda dengan Referensi RO")
def cap_satuan(ctx: Context) -> Iterator[Finding]:
    f = facts(ctx)
    wanted: dict[str, tuple[str, str]] = {}
    for code, ref_row in f.reference.items():
        satuan = ref_row.get(spec.COL_SATUAN)
        if isinstance(satuan, str) and satuan.strip():
            wanted[code] = (satuan.strip(), spec.norm(satuan))
        elif isinstance(satuan, int | float) and not isinstance(satuan, bool):
            wanted[code] = (str(satuan), spec.norm(satuan))
    if not wanted:
        return
    for md in f.checked():
        if not md.has(spec.COL_SATUAN):
            continue
        raws = md.raw(spec.COL_SATUAN)
        for i, code, row in md.firsts():
            target = wanted.get(code)
            if target is None:
                continue
            value = raws[i]
            if isinstance(value, CellError) or value == target[0]:
                continue
            if value is not None and spec.norm(value) == target[1]:
                continue
            yield ctx.finding(
                md.sheet,
                row.ref(spec.COL_SATUAN),
                f"Satuan RO {code} bulan {md.name} ({format_value(value)}) berbeda dengan "
                f"Referensi RO (\"{target[0]}\").",
                ro=code,
                value=value,
                suggestion=f'tulis Satuan "{target[0]}"',
            )


@rule("CAP-TARGET", "error", "Target Volume atau Target Progres berbeda dengan Referensi RO/Rencana")
def cap_target(ctx: Context) -> Iterator[Finding]:
    f = facts(ctx)
    for md in f.checked():
        if md.has(spec.COL_TARGET_VOLUME):
            raws, nums = md.raw(spec.COL_TARGET_VOLUME), md.num(spec.COL_TARGET_VOLUME)
            for i, code, row in md.firsts():
                expected = f.ref_number(code, spec.COL_TARGET_VOLUME)
                if expected is None or (raws[i] is not None and nums[i] is None):
                    continue
                found = nums[i]
                if found is not None and _eq(found, expected):
                    continue
                yield ctx.finding(
                    md.sheet,
                    row.ref(spec.COL_TARGET_VOLUME),
                    f"Target Volume RO {code} bulan {md.name} ({format_value(raws[i])}) berbeda "
                    f"dengan Referensi RO ({format_number(expected)}).",
                    ro=code,
                    value=raws[i],
                    suggestion=f"Target Volume seharusnya {format_number(expected)} (sesuai Referensi RO)",
                )
        if md.has(spec.COL_TARGET_PROGRES):
            raws, nums = md.raw(spec.COL_TARGET_PROGRES), md.num(spec.COL_TARGET_PROGRES)
            for i, code, row in md.firsts():
                expected = f.plan_number(code, md.number, spec.COL_TARGET_PROGRES)
                if expected is None or (raws[i] is not None and nums[i] is None):
                    continue
                found = nums[i]
                if found is not None:
                    if _eq(found, expected):
                        continue
                    if 0 < found < 1 and _eq(found * 100, expected):
                        continue  # written as a fraction: CAP-PERSEN-PECAHAN says so
                yield ctx.finding(
                    md.sheet,
                    row.ref(spec.COL_TARGET_PROGRES),
                    f"Target Progres RO {code} bulan {md.name} ({format_value(raws[i])}) berbeda "
                    f"dengan lembar Rencana ({format_percent(expected)}).",
                    ro=code,
                    value=raws[i],
                    suggestion=f"Target Progres seharusnya {format_number(expected)} (sesuai lembar Rencana)",
                )


@rule("CAP-PERSEN", "error", "Progres Capaian di luar 0–100")
def cap_persen(ctx: Context) -> Iterator[Finding]:
    for md in facts(ctx).checked():
        if not md.has(spec.COL_PROGRES):
            continue
        for i, number in enumerate(md.num(spec.COL_PROGRES)):
            if number is None or (number >= 0 and not _gt(number, 100)):
                continue
            suggestion = (
                "Progres Capaian tidak boleh negatif; tulis progres kumulatif 0–100"
                if number < 0
                else "Progres Capaian paling tinggi 100; tulis progres kumulatif 0–100"
            )
            yield ctx.finding(
                md.sheet,
                md.rows[i].ref(spec.COL_PROGRES),
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
            for i, number in enumerate(md.num(column)):
                if number is None or not 0 < number < 1:
                    continue
                meant = number * 100
                yield ctx.finding(
                    md.sheet,
                    md.rows[i].ref(column),
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
    last: dict[str, tuple[float, str]] = {}
    for md in f.checked():
        if not md.has(spec.COL_PROGRES):
            continue
        nums = md.num(spec.COL_PROGRES)
        for i, code, row in md.firsts():
            number = nums[i]
            if number is None:
                continue
            before = last.get(code)
            if before is not None and _lt(number, before[0]):
                yield ctx.finding(
                    md.sheet,
                    row.ref(spec.COL_PROGRES),
                    f"Progres Capaian RO {code} bulan {md.name} ({format_percent(number)}) lebih "
                    f"rendah dari bulan {before[1]} ({format_percent(before[0])}); progres bersifat kumulatif.",
                    ro=code,
                    value=number,
                    suggestion=f"tulis progres kumulatif paling sedikit {format_number(before[0], thousands=False)}",
                )
            last[code] = (number, md.name)


@rule("CAP-KUMULATIF", "error", "Realisasi Volume Kumulatif tidak sama dengan jumlah bulanan")
def cap_kumulatif(ctx: Context) -> Iterator[Finding]:
    f = facts(ctx)
    for md in f.checked():
        if not md.has(spec.COL_RVRO_KUM) or not md.has(spec.COL_RVRO):
            continue
        cum = f.cum_volume[md.number]
        raws, nums = md.raw(spec.COL_RVRO_KUM), md.num(spec.COL_RVRO_KUM)
        month_raws = md.raw(spec.COL_RVRO)
        for i, code, row in md.firsts():
            known, expected = _sum_of(cum, code)
            if not known:
                continue
            found = nums[i]
            if found is None:
                if raws[i] is not None or month_raws[i] is None:
                    continue  # text or error (CAP-ANGKA), or the whole entry is empty (CAP-KOSONG)
            elif _eq(found, expected):
                continue
            span = "Januari" if md.number == 1 else f"Januari–{md.name}"
            yield ctx.finding(
                md.sheet,
                row.ref(spec.COL_RVRO_KUM),
                f"Realisasi Volume Kumulatif RO {code} bulan {md.name} ({format_value(raws[i])}) "
                f"tidak sama dengan jumlah Realisasi Volume Bulan Ini {span} ({format_number(expected)}).",
                ro=code,
                value=raws[i],
                suggestion=f"Realisasi Volume Kumulatif seharusnya {format_number(expected)}",
            )


@rule("CAP-MELEBIHI-TARGET", "error", "Realisasi volume kumulatif melebihi Target Volume")
def cap_melebihi_target(ctx: Context) -> Iterator[Finding]:
    f = facts(ctx)
    for code, ref_row in f.reference.items():
        target = f.ref_number(code, spec.COL_TARGET_VOLUME)
        if target is None or target < 0:
            continue
        dinamis = spec.norm(ref_row.get(spec.COL_JENIS_RO) or "") == spec.norm(spec.JENIS_DINAMIS)
        previous = 0.0
        for md in f.checked():
            known, total = _sum_of(f.cum_volume[md.number], code)
            if not known:
                break
            if _gt(total, target) and code in md.first and md.has(spec.COL_RVRO):
                row = md.rows[md.first[code]]
                satuan = ref_row.get(spec.COL_SATUAN)
                unit = f" {satuan}" if isinstance(satuan, str) and satuan.strip() else ""
                if dinamis:
                    suggestion = (
                        "RO Dinamis boleh melebihi target; pastikan angkanya benar dan jelaskan di Keterangan"
                    )
                else:
                    allowed = max(0.0, target - previous)
                    suggestion = (
                        f"RO Statis tidak boleh melebihi target: Realisasi Volume Bulan Ini paling banyak "
                        f"{format_number(allowed)}"
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
                break
            previous = total


@rule("CAP-PROGRES-VOLUME", "warning", "Progres Capaian tidak sejalan dengan realisasi volume")
def cap_progres_volume(ctx: Context) -> Iterator[Finding]:
    f = facts(ctx)
    targets = {code: f.ref_number(code, spec.COL_TARGET_VOLUME) for code in f.reference}
    for md in f.checked():
        if not md.has(spec.COL_PROGRES):
            continue
        cum = f.cum_volume[md.number]
        nums = md.num(spec.COL_PROGRES)
        for i, code, row in md.firsts():
            progres, target = nums[i], targets.get(code)
            if progres is None or target is None or target <= 0:
                continue
            known, total = _sum_of(cum, code)
            if not known:
                continue
            if _eq(progres, 100) and _lt(total, target):
                message = (
                    f"Progres Capaian RO {code} bulan {md.name} 100 % padahal realisasi volume "
                    f"kumulatif baru {format_number(total)} dari Target Volume {format_number(target)}."
                )
                suggestion = (
                    f"periksa Progres Capaian atau Realisasi Volume: volume {format_number(total)} dari "
                    f"{format_number(target)} setara {format_percent(total / target * 100)}"
                )
            elif progres >= 0 and _lt(progres, 100) and not _lt(total, target):
                message = (
                    f"Realisasi volume kumulatif RO {code} sampai bulan {md.name} ({format_number(total)}) "
                    f"sudah mencapai Target Volume ({format_number(target)}) tetapi Progres Capaian baru "
                    f"{format_percent(progres)}."
                )
                suggestion = "Progres Capaian seharusnya 100 karena target volume sudah tercapai"
            else:
                continue
            yield ctx.finding(
                md.sheet,
                row.ref(spec.COL_PROGRES),
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
        own_targets = md.num(spec.COL_TARGET_PROGRES) if md.has(spec.COL_TARGET_PROGRES) else None
        texts = {c: md.raw(c) for c in text_columns}
        for i, code, row in md.firsts():
            progres = nums[i]
            if progres is None:
                continue
            target = f.plan_number(code, md.number, spec.COL_TARGET_PROGRES)
            if target is None and own_targets is not None:
                target = own_targets[i]
            if target is None or not _lt(progres, target):
                continue
            empty = [c for c in text_columns if _blank(texts[c][i])]
            if not empty:
                continue
            which = " dan ".join(empty)
            yield ctx.finding(
                md.sheet,
                row.ref(empty[0]),
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


@rule("CAP-TANGGAL", "error", "Tanggal Entri SAKTI tidak sah")
def cap_tanggal(ctx: Context) -> Iterator[Finding]:
    f = facts(ctx)
    today = ctx.today
    for md in f.checked():
        if not md.has(spec.COL_TANGGAL):
            continue
        for i, value in enumerate(md.raw(spec.COL_TANGGAL)):
            if value is None or isinstance(value, CellError):
                continue
            row = md.rows[i]
            date = as_date(value)
            if date is None:
                year = ctx.year or today.year
                guess = parse_date(value) if isinstance(value, str) else None
                if guess is not None:
                    suggestion = f"tanggal yang dimaksud kemungkinan {format_date(guess)}: tulis sebagai tanggal"
                else:
                    example = deadline_for(year, md.number, ctx.settings)
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
            month_end = _month_last_day(f.year_of(date), md.number)
            if date > today:
                problem = f"belum terjadi (hari ini {format_date(today)})"
            elif date < month_end:
                problem = f"sebelum bulan {md.name} {month_end.year} berakhir"
            else:
                continue
            swapped = _swapped(date)
            if swapped is not None and month_end <= swapped <= today:
                suggestion = (
                    f"tanggal yang dimaksud kemungkinan {format_date(swapped)} (hari dan bulan tertukar)"
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
        for i, code, row in md.firsts():
            date = as_date(raws[i])
            if date is None or date > today:
                continue
            year = f.year_of(date)
            if date < _month_last_day(year, md.number):
                continue
            deadline = deadline_for(year, md.number, ctx.settings)
            if date <= deadline:
                continue
            late = (date - deadline).days
            yield ctx.finding(
                md.sheet,
                row.ref(spec.COL_TANGGAL),
                f"Capaian output RO {code} bulan {md.name} direkam di SAKTI pada {format_date(date)}, "
                f"melewati tenggat {format_date(deadline)}.",
                ro=code,
                value=raws[i],
                suggestion=f"tenggat {format_date(deadline)} ({label}); terlambat {late} hari",
            )


@rule("CAP-PAGU", "error", "Realisasi Anggaran kumulatif melebihi Pagu")
def cap_pagu(ctx: Context) -> Iterator[Finding]:
    f = facts(ctx)
    for code in f.reference:
        pagu = f.ref_number(code, spec.COL_PAGU)
        if pagu is None or pagu < 0:
            continue
        previous = 0.0
        for md in f.checked():
            known, total = _sum_of(f.cum_budget[md.number], code)
            if not known:
                break
            if _gt(total, pagu) and code in md.first and md.has(spec.COL_ANGGARAN):
                row = md.rows[md.first[code]]
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
                break
            previous = total


@rule("CAP-DEVIASI-RPD", "warning", "Realisasi Anggaran menyimpang dari RPD tanpa keterangan")
def cap_deviasi_rpd(ctx: Context) -> Iterator[Finding]:
    f = facts(ctx)
    limit = ctx.settings.rpd_deviation_pct
    for md in f.checked():
        if not md.has(spec.COL_ANGGARAN):
            continue
        nums = md.num(spec.COL_ANGGARAN)
        notes = md.raw(spec.COL_KETERANGAN) if md.has(spec.COL_KETERANGAN) else None
        for i, code, row in md.firsts():
            spent = nums[i]
            if spent is None or (notes is not None and not _blank(notes[i])):
                continue
            rpd = f.plan_number(code, md.number, spec.COL_RPD)
            if rpd is None:
                continue
            if rpd > 0:
                deviation = abs(spent - rpd) / rpd * 100
                if not _gt(deviation, limit):
                    continue
                shown = f"menyimpang {format_percent(deviation)}"
            else:
                if not _gt(spent, 0.0):
                    continue
                shown = "padahal RPD bulan ini 0"
            where = "isi Keterangan" if notes is not None else "tambahkan kolom Keterangan dan isi"
            yield ctx.finding(
                md.sheet,
                row.ref(spec.COL_ANGGARAN),
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
        columns = [c for c in _ENTRY_COLUMNS if md.has(c)]
        raws = [md.raw(c) for c in columns]
        first: tuple[int, str] | None = None
        count = 0
        for i in range(len(md.rows)):
            for column, values in zip(columns, raws, strict=True):
                if values[i] is not None:
                    count += 1
                    if first is None:
                        first = (i, column)
                    break
        if first is None:
            continue
        row = md.rows[first[0]]
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
