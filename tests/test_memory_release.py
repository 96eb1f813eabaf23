"""After validation nothing keeps the workbook's tables alive, so that the write-back (which
needs only the path) reuses their memory: on 12 months x 20,000 ROs that is the difference
between adding the write's memory to the peak of read + check or not."""

from __future__ import annotations

import shutil
import weakref
from pathlib import Path
from typing import Any

import pytest

from sopxl.read.workbook import read_workbook
from sopxl.rules.validate import check, resolve_settings

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


def test_validate_releases_the_tables_before_the_write(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from click.testing import CliRunner

    import sopxl.rules.validate as validate_module
    import sopxl.writeback.marks as marks
    from sopxl.frontends.cli import cli

    path = tmp_path / "w.xlsx"
    shutil.copyfile(SAMPLE, path)
    seen: dict[str, Any] = {}
    validate_path, apply_marks = validate_module.validate_path, marks.apply_marks

    def watching_validate(*args: Any, **kwargs: Any) -> Any:
        result, data, settings = validate_path(*args, **kwargs)
        seen["table"] = weakref.ref(next(t for t in data.months.values() if t is not None))
        seen["data"] = data
        return result, data, settings

    def watching_apply(*args: Any, **kwargs: Any) -> Any:
        seen["table at the write"] = seen["table"]()
        return apply_marks(*args, **kwargs)

    monkeypatch.setattr(validate_module, "validate_path", watching_validate)
    monkeypatch.setattr(marks, "apply_marks", watching_apply)
    run = CliRunner().invoke(cli, ["validate", str(path), "--set", f"today={RUN['today']}"])
    assert run.exit_code == 1, run.output
    assert "table at the write" in seen and seen["table at the write"] is None
    data = seen["data"]
    assert data.months == {} and data.rencana is None and data.referensi is None
