"""The column helpers of the monthly rules give what plain row-by-row logic gives.

Every CAP rule asks a month for the rows worth a look (`Month.where`, `first_where`,
`numbers_where`, `not_numbers`, values laid along the rows by `along`) and takes running
sums, plan numbers and the Rencana index from the run's facts. Those helpers compare whole
columns at C speed with shortcuts for the usual layout (every RO once, in the same order
in every sheet; a plan laid out RO by RO). Here each helper is checked against the plain
loop it stands for, on workbooks that take the shortcuts and on workbooks that cannot
(blanks, Excel error values, changed numbers, repeated and reordered rows, a shuffled plan).
"""

from __future__ import annotations

import datetime as dt
import random
from operator import ge, gt, le, lt
from pathlib import Path
from typing import Any

import pytest
from wbfactory import Err, standard_book

from sopxl.build.samples import build_sample
from sopxl.core import spec
from sopxl.core.config import Settings
from sopxl.core.parse import as_date, as_number, parse_number
from sopxl.read.workbook import Table, read_workbook
from sopxl.rules.base import Context, PlanIndex
from sopxl.rules.capaian.facts import UNKNOWN_SUMS, Facts, Month, facts

TODAY = "2027-01-20"
NUMBER_COLUMNS = (spec.COL_RVRO, spec.COL_RVRO_KUM, spec.COL_PROGRES, spec.COL_ANGGARAN,
                  spec.COL_TARGET_VOLUME, spec.COL_TARGET_PROGRES)


def _scattered(tmp_path: Path, seed: int, reorder: bool, repeat_rows: bool = False) -> Path:
    """Empty cells, Excel error values and changed numbers scattered over every monthly
    column the helpers read; with `reorder`, every month lists its ROs in another order than
    Referensi RO and the plan is shuffled (not RO by RO)."""
    rnd = random.Random(seed)
    book = standard_book(months=6)
    if reorder:
        for month in book.months:
            book.months[month].reverse()
        rnd.shuffle(book.rencana)
    for month in range(1, 7):
        for row in book.months[month]:
            for column in (*NUMBER_COLUMNS, spec.COL_KENDALA, spec.COL_TANGGAL):
                roll = rnd.random()
                if roll < 0.15:
                    row[column] = None
                elif roll < 0.25:
                    row[column] = Err("#N/A", "=NA()")
                elif roll < 0.4 and isinstance(row.get(column), int | float):
                    row[column] = row[column] * rnd.choice((0.5, 0.9, 1.5, 3, -1))
                elif roll < 0.45:
                    row[column] = "12,5"
    if repeat_rows:
        for month in (2, 4):
            book.months[month].append(dict(book.months[month][0]))
            book.months[month].insert(0, {spec.COL_RVRO: 1})  # a row without Kode RO
    return book.write(tmp_path / f"acak-{seed}-{reorder}-{repeat_rows}.xlsx")


@pytest.fixture(scope="module")
def books(tmp_path_factory: pytest.TempPathFactory) -> list[Path]:
    folder = tmp_path_factory.mktemp("fast")
    planted = folder / "salah.xlsx"
    build_sample(planted, months=9, plant=True, seed=3, today=dt.date.fromisoformat(TODAY))
    clean = folder / "bersih.xlsx"
    build_sample(clean, months=9, seed=4, today=dt.date.fromisoformat(TODAY))
    gaps = standard_book(6)  # a text read as a number, a month missing, a column missing
    gaps.months[2][0][spec.COL_RVRO] = "3 layanan"
    gaps.months[3][1][spec.COL_ANGGARAN] = "banyak"
    gaps.drop.add("April")
    gaps.columns["Februari"] = [c for c in spec.MONTH_COLUMNS if c != spec.COL_ANGGARAN]
    return [planted, clean, gaps.write(folder / "celah.xlsx"), *(
        _scattered(folder, seed, reorder, repeat_rows)
        for seed, reorder, repeat_rows in ((1, False, False), (2, False, True), (4, True, False), (5, True, True))
    )]


_CONTEXTS: list[Context] = []  # the facts hold their Context weakly: keep each one alive


def _facts(path: Path) -> Facts:
    ctx = Context(read_workbook(path), Settings(today=TODAY))
    _CONTEXTS.append(ctx)
    return facts(ctx)


def _months(f: Facts) -> list[Month]:
    return [md for m in range(1, 13) if (md := f.month(m)) is not None]


def _plain_first(md: Month) -> dict[str, int]:
    first: dict[str, int] = {}
    for i, code in enumerate(md.codes):
        if code is not None and code not in first:
            first[code] = i
    return first


def test_the_workbooks_take_both_ways(books: list[Path]) -> None:
    aligned = [md.aligned for path in books for md in _months(_facts(path))]
    assert any(aligned) and not all(aligned)
    plans = [_facts(path).ctx.plan for path in books]
    assert any(p is not None and p.ro_major for p in plans)
    assert any(p is not None and not p.ro_major for p in plans)


def test_month_rows_and_values_equal_the_row_loop(books: list[Path]) -> None:
    for path in books:
        f = _facts(path)
        for md in _months(f):
            first = _plain_first(md)
            assert md.first == first
            assert md.aligned == (len(first) == md.n)
            assert md.repeated == [i for i, c in enumerate(md.codes) if c is not None and first[c] != i]
            for column in NUMBER_COLUMNS:
                raws = md.raw(column)
                nums = [as_number(v) for v in raws]
                assert md.num(column) == nums
                assert md.not_numbers(column) == [i for i, v in enumerate(raws) if v is not None and nums[i] is None]
                for op in (lt, le, gt, ge):
                    for bound in (0.0, 1.0, 100.0):
                        assert md.numbers_where(column, op, bound) == [
                            i for i, n in enumerate(nums) if n is not None and op(n, bound)
                        ]
                rows = [i for i in range(md.n) if i % 3]
                assert md.fractional(column, rows) == [
                    i for i in rows if nums[i] is not None and not nums[i].is_integer()  # type: ignore[union-attr]
                ]
                assert md.by_code(column) == {
                    c: nums[i] for c, i in first.items() if nums[i] is not None
                }
            assert md.dates(spec.COL_TANGGAL) == [as_date(v) for v in md.raw(spec.COL_TANGGAL)]


def test_along_and_first_where_equal_the_row_loop(books: list[Path]) -> None:
    rnd = random.Random(0)
    for path in books:
        f = _facts(path)
        for md in _months(f):
            first = _plain_first(md)
            codes = list(first)
            samples: list[dict[str, Any]] = [
                dict.fromkeys(codes, 1.0),  # exactly the month's ROs in row order
                {c: float(k) for k, c in enumerate(reversed(codes))},  # another order
                {c: 2.0 for c in codes if rnd.random() < 0.5},  # some ROs only
                {**{c: 3.0 for c in codes}, "013.07.XX.0000.AAA.000": 4.0},  # an RO not in the month
                {},
            ]
            for by_code in samples:
                for default in (None, 0.0):
                    plain = [by_code.get(c, default) if c is not None else default for c in md.codes]
                    assert md.along(by_code, default) == plain
            flags = [rnd.random() < 0.5 for _ in range(md.n)]
            assert md.where(flags) == [i for i in range(md.n) if flags[i]]
            assert md.first_where(flags) == [
                i for i in range(md.n) if flags[i] and (c := md.codes[i]) is not None and first[c] == i
            ]


def _plain_running(f: Facts, column: str) -> dict[int, dict[str, float | None] | None]:
    """Month -> RO -> running sum of the RO's first rows: a text counts as the number
    `parse_number` reads in it, any other non-number makes the sum None; from a month whose
    sheet or column is missing on, the whole month is None (every sum unknown)."""
    result: dict[int, dict[str, float | None] | None] = {}
    running: dict[str, float | None] | None = {}
    for m in range(1, 13):
        md = f.month(m)
        if running is None or md is None or not md.has(column):
            running = None
        else:
            running = dict(running)
            for code, i in _plain_first(md).items():
                raw = md.raw(column)[i]
                number = as_number(raw)
                if number is None and isinstance(raw, str):
                    number = parse_number(raw)
                if number is None:
                    if raw is not None:
                        running[code] = None
                    continue
                so_far = running.get(code, 0.0)
                running[code] = None if so_far is None else so_far + number
        result[m] = running
    return result


def test_running_sums_equal_the_row_loop(books: list[Path]) -> None:
    for path in books:
        f = _facts(path)
        for column in (spec.COL_RVRO, spec.COL_ANGGARAN):
            plain = _plain_running(f, column)
            fast = f.running(column)
            assert set(fast) == set(plain)
            for m, sums in plain.items():
                if sums is None:
                    assert fast[m] is UNKNOWN_SUMS, (path.name, column, m)
                else:
                    assert fast[m] is not UNKNOWN_SUMS and fast[m] == sums, (path.name, column, m)


def _plain_plan(table: Table) -> tuple[dict[str, dict[int, int]], list[dict[str, int]]]:
    """(key -> month -> first row, month -> code as written -> first row) of a plan."""
    by_ro: dict[str, dict[int, int]] = {}
    by_month: list[dict[str, int]] = [{} for _ in range(12)]
    for i, (code, bulan) in enumerate(zip(table.codes, table.column(spec.COL_BULAN), strict=True)):
        month = spec.month_number(bulan)
        if code is None:
            continue
        by_ro.setdefault(code.upper(), {})
        if month is not None:
            by_ro[code.upper()].setdefault(month, i)
            by_month[month - 1].setdefault(code, i)
    return by_ro, by_month


def test_plan_index_equals_the_row_loop(books: list[Path]) -> None:
    for path in books:
        f = _facts(path)
        plan = f.ctx.plan
        assert plan is not None
        by_ro, by_month = _plain_plan(plan.table)
        assert plan.by_ro == by_ro and list(plan.by_ro) == list(by_ro)
        for m in range(1, 13):
            for column in (spec.COL_BULAN, spec.COL_TARGET_PROGRES, spec.COL_RPD):
                values = plan.table.column(column)
                assert plan.month_values(m, column) == {c: values[i] for c, i in by_month[m - 1].items()}
                assert f.plan_numbers(m, column) == {
                    c: n for c, i in by_month[m - 1].items() if (n := as_number(values[i])) is not None
                }


def test_plan_index_of_a_plan_laid_out_ro_by_ro_and_shuffled(tmp_path: Path) -> None:
    """The RO-by-RO plan is indexed by month slices; the same rows shuffled give the same
    index through the row loop, duplicates and mixed-case codes included."""
    book = standard_book(months=1)
    clean = read_workbook(book.write(tmp_path / "urut.xlsx")).rencana
    assert clean is not None
    ordered = PlanIndex(clean)
    assert ordered.ro_major and ordered.duplicates == []
    rnd = random.Random(2)
    rnd.shuffle(book.rencana)
    book.rencana.append(dict(book.rencana[0]))  # a repeated plan row
    book.rencana[3][spec.COL_KODE_RO] = book.rencana[3][spec.COL_KODE_RO].lower()
    table = read_workbook(book.write(tmp_path / "acak.xlsx")).rencana
    assert table is not None
    shuffled = PlanIndex(table)
    assert not shuffled.ro_major
    by_ro, by_month = _plain_plan(table)
    assert shuffled.by_ro == by_ro and sorted(shuffled.by_ro) == sorted(ordered.by_ro)
    bulans = table.column(spec.COL_BULAN)
    assert [shuffled.month_values(m, spec.COL_BULAN) for m in range(1, 13)] == [
        {c: bulans[i] for c, i in rows.items()} for rows in by_month
    ]
    assert len(shuffled.duplicates) == 1 and shuffled.duplicates[0][0] == len(book.rencana) - 1
    assert len(table) == 25
