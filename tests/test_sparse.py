"""A sheet whose used range is huge but sparse is read in memory that follows its cells."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from wbfactory import Err, standard_book

from sopxl.core import spec
from sopxl.read.workbook import read_workbook
from sopxl.rules.validate import validate_path

PEAK = """
import resource, sys
from sopxl.frontends.cli import cli
try:
    cli(sys.argv[1:])
except SystemExit:
    pass
print("PEAK", resource.getrusage(resource.RUSAGE_SELF).ru_maxrss, file=sys.stderr)
"""


def peak_kb(path: Path) -> int:
    """Peak resident memory (KB) of `sopxl validate --no-write path` in its own process."""
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)}
    done = subprocess.run(
        [sys.executable, "-c", PEAK, "validate", "--no-write", str(path)],
        capture_output=True, text=True, env=env, check=False, timeout=300,
    )
    line = next(x for x in done.stderr.splitlines() if x.startswith("PEAK"))
    return int(line.split()[1])


def test_one_far_cell_costs_no_dense_grid(tmp_path: Path) -> None:
    normal = standard_book(months=3).write(tmp_path / "normal.xlsx")
    book = standard_book(months=3)
    book.cells = {"Maret": {"XFD1220": "x"}}
    sparse = book.write(tmp_path / "sparse.xlsx")
    assert peak_kb(sparse) < 2 * peak_kb(normal)


def test_stray_cells_do_not_change_what_is_read(tmp_path: Path) -> None:
    book = standard_book(months=3)
    clean = read_workbook(book.write(tmp_path / "a.xlsx"))
    book.cells = {"Maret": {"XFD1220": "x", "ABC7": 5}, "Identitas": {"XFD3": "y"}}
    data = read_workbook(book.write(tmp_path / "b.xlsx"))
    for month in (1, 2, 3):
        a, b = clean.months[month], data.months[month]
        assert a is not None and b is not None
        assert [r.values for r in a.rows] == [r.values for r in b.rows]
    assert data.identity == clean.identity
    assert [f.rule for f in validate_path(tmp_path / "b.xlsx")[0].findings] == []


def test_error_value_in_a_far_cell_still_reported(tmp_path: Path) -> None:
    book = standard_book(months=3)
    book.cells = {"Maret": {"XFD1220": Err("#REF!", "=#REF!")}}
    found = validate_path(book.write(tmp_path / "b.xlsx"))[0].findings
    assert [(f.rule, f.sheet, f.cell) for f in found] == [("STR-FORMULA-ERROR", "Maret", "XFD1220")]


def test_columns_within_the_block_are_read(tmp_path: Path) -> None:
    """A gap of up to SPARSE_GAP empty columns keeps the columns after it (a wide table)."""
    book = standard_book(months=3)
    header = [*spec.MONTH_COLUMNS]
    book.columns = {"Maret": header}
    book.cells = {"Maret": {"XFD1220": "x", "IV1": "Catatan Lain", "IV2": "dibaca"}}
    path = book.write(tmp_path / "b.xlsx")
    from sopxl.read.workbook import WorkbookReader

    with WorkbookReader(path) as reader:
        grid = reader.grid("Maret")
    assert grid[1][spec.parse_ref("IV2")[1] - 1] == "dibaca"
    assert all(len(row) < 1000 for row in grid)
