"""After validation nothing keeps the workbook's tables alive, so that the write-back (which
needs only the path) reuses their memory: on 12 months x 20,000 ROs that is the difference
between adding the write's memory to the peak of read + check or not."""

from __future__ import annotations

import shutil
import weakref
from pathlib import Path

from sopxl.read.workbook import read_workbook
from sopxl.rules.validate import check, resolve_settings
from sopxl.writeback.marks import write_marks

SAMPLE = Path(__file__).resolve().parents[1] / "samples" / "contoh-dengan-kesalahan-2026.xlsx"
RUN = {"today": "2026-10-20"}


def test_check_keeps_no_reference_to_the_tables(tmp_path: Path) -> None:
    data = read_workbook(SAMPLE)
    result = check(data, resolve_settings(data, None, RUN))
    assert result.findings
    tables = [t for t in data.months.values() if t is not None]
    assert tables
    watch = [weakref.ref(t) for t in tables]
    del tables
    data.release_tables()
    # no gc.collect(): the tables must go as soon as the last reference does
    assert all(w() is None for w in watch)


def test_write_marks_releases_the_tables(tmp_path: Path) -> None:
    path = tmp_path / "w.xlsx"
    shutil.copyfile(SAMPLE, path)
    data = read_workbook(path)
    settings = resolve_settings(data, None, RUN)
    result = check(data, settings)
    watch = weakref.ref(next(t for t in data.months.values() if t is not None))
    write_marks(data, result, settings)
    assert watch() is None
    assert data.months == {} and data.rencana is None and data.referensi is None
