"""The column fast paths of the monthly rules give exactly what the row-by-row paths give.

Most monthly rules first compare whole columns at C speed (`_Month.aligned`, `expected`,
`full`, running sums laid along the rows) and look row by row only where something differs.
Here the same workbooks are checked twice: as they are, and with every fast path switched
off (each month treated as not aligned, no column known to be full, `expected` by lookup,
the plan indexed by its row loops), and the findings must be the same, message for message.
"""

from __future__ import annotations

import datetime as dt
import random
from pathlib import Path
from typing import Any

import pytest
from wbfactory import Err, standard_book

from sopxl.build.samples import build_sample
from sopxl.core import spec
from sopxl.core.config import Settings
from sopxl.read.workbook import read_workbook
from sopxl.rules import capaian, rencana
from sopxl.rules.base import Context
from sopxl.rules.validate import check

TODAY = "2027-01-20"


def _findings(path: Path, monkeypatch: pytest.MonkeyPatch | None) -> list[tuple[Any, ...]]:
    data = read_workbook(path)
    settings = Settings(today=TODAY)
    with pytest.MonkeyPatch.context() as mp:
        if monkeypatch is not None:
            mp.setattr(capaian._Month, "aligned", property(lambda self: False))
            mp.setattr(capaian._Month, "full", lambda self, column: None)
            mp.setattr(capaian._Month, "expected", lambda self, by_code: list(map(by_code.get, self.codes)))
            mp.setattr(Context, "plan_ro_major", property(lambda self: False))  # plan: row loops
        result = check(data, settings)
    return [(f.rule, f.severity, f.sheet, f.cell, f.ro, f.value, f.message, f.suggestion)
            for f in result.findings]


def _both(path: Path, monkeypatch: pytest.MonkeyPatch) -> list[tuple[Any, ...]]:
    fast = _findings(path, None)
    slow = _findings(path, monkeypatch)
    assert fast == slow
    return fast


def test_planted_sample_same_findings(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "salah.xlsx"
    planted = build_sample(path, months=9, plant=True, seed=3, today=dt.date.fromisoformat(TODAY))
    found = _both(path, monkeypatch)
    assert {f[0] for f in found} >= {p.rule for p in planted if p.rule.startswith("CAP-")}


@pytest.mark.parametrize(("seed", "reorder"), [(1, False), (2, False), (3, False), (4, True), (5, True)])
def test_scattered_blanks_errors_and_deviations_same_findings(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, seed: int, reorder: bool
) -> None:
    """Empty cells, Excel error values and changed numbers scattered over every monthly
    column that the fast paths read: the paths that tolerate them must agree too. With
    `reorder`, every month lists its ROs in another order than Referensi RO and the plan is
    not laid out RO by RO, so the "same order" shortcuts are skipped as well."""
    rnd = random.Random(seed)
    book = standard_book(months=6)
    if reorder:
        for month in book.months:
            book.months[month].reverse()
        rnd.shuffle(book.rencana)
    columns = (spec.COL_RVRO, spec.COL_RVRO_KUM, spec.COL_PROGRES, spec.COL_ANGGARAN,
               spec.COL_TARGET_VOLUME, spec.COL_TARGET_PROGRES, spec.COL_KENDALA)
    for month in range(1, 7):
        for row in book.months[month]:
            for column in columns:
                roll = rnd.random()
                if roll < 0.15:
                    row[column] = None
                elif roll < 0.25:
                    row[column] = Err("#N/A", "=NA()")
                elif roll < 0.4 and isinstance(row.get(column), int | float):
                    row[column] = row[column] * rnd.choice((0.5, 0.9, 1.5, 3))
    path = book.write(tmp_path / f"acak-{seed}.xlsx")
    found = _both(path, monkeypatch)
    assert any(f[0] == "STR-FORMULA-ERROR" for f in found)
    assert any(f[0] == "CAP-KOSONG" for f in found)


def test_plan_slices_equal_the_row_loop(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A Rencana laid out RO by RO is indexed by month slices; the row loop gives the same."""
    from sopxl.rules.base import ro_major

    assert ro_major([*range(1, 13)] * 3) and not ro_major([*range(1, 13), 1]) and not ro_major([])
    path = tmp_path / "bersih.xlsx"
    build_sample(path, months=9, seed=4, today=dt.date.fromisoformat(TODAY))
    table = read_workbook(path).rencana
    assert table is not None
    months = [spec.month_number(v) for v in table.column(spec.COL_BULAN)]
    assert ro_major(months)  # the sample's plan is laid out RO by RO: the slices are used
    fast = rencana._plan_of(table, months, True)
    slow = rencana._plan_of(table, months, False)
    assert fast.by_ro == slow.by_ro and list(fast.by_ro) == list(slow.by_ro)
    assert fast.codes == slow.codes and fast.duplicates == slow.duplicates == []


    def plan_rows() -> list[list[tuple[str, int]]]:  # capaian's index: month -> RO -> row
        ctx = Context(read_workbook(path), Settings(today=TODAY))
        return [list(rows.items()) for rows in capaian.facts(ctx)._plan_rows.values()]

    fast_rows = plan_rows()
    monkeypatch.setattr(Context, "plan_ro_major", property(lambda self: False))
    assert plan_rows() == fast_rows and all(fast_rows)
