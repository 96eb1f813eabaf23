"""The reader's read-ahead (one worker thread parses its share of the sheets) gives exactly what a
plain sequential read gives, refusals included."""

from __future__ import annotations

from pathlib import Path

import pytest

from sopxl.core.errors import UnreadableWorkbook
from sopxl.read import workbook as reader_module
from sopxl.read.workbook import WorkbookReader, read_workbook

REPO = Path(__file__).resolve().parents[1]
SAMPLES = [REPO / "samples" / "contoh-capaian-2026.xlsx", REPO / "samples" / "contoh-dengan-kesalahan-2026.xlsx"]


def _snapshot(path: Path) -> dict[str, object]:
    data = read_workbook(path)
    tables = {"identitas": data.identitas, "referensi": data.referensi, "rencana": data.rencana}
    tables.update({f"bulan{m}": t for m, t in data.months.items()})
    out: dict[str, object] = {"grids": data.grids, "errors": data.error_cells, "names": data.sheet_names}
    for key, table in tables.items():
        out[key] = None if table is None else (table.row_numbers, {c: table.column(c) for c in table.columns})
    return out


@pytest.mark.parametrize("path", SAMPLES, ids=lambda p: p.name)
def test_read_ahead_gives_what_a_sequential_read_gives(path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    calls: list[str] = []
    original = WorkbookReader._read_grid

    def spy(self: WorkbookReader, sheet: str, in_worker: bool) -> list[list[object]]:
        calls.append(f"{'worker' if in_worker else 'main'}:{sheet}")
        return original(self, sheet, in_worker)

    monkeypatch.setattr(WorkbookReader, "_read_grid", spy)
    monkeypatch.setattr(reader_module.os, "cpu_count", lambda: 2)
    ahead = _snapshot(path)
    assert any(c.startswith("worker:") for c in calls), "the worker read some sheets"
    assert any(c.startswith("main:") for c in calls)
    calls.clear()
    monkeypatch.setattr(reader_module.os, "cpu_count", lambda: 1)
    plain = _snapshot(path)
    assert all(c.startswith("main:") for c in calls)
    assert ahead == plain


@pytest.mark.parametrize("bad", ["Referensi RO", "Januari", "Februari"])
def test_a_refusal_found_by_either_thread_is_the_one_a_sequential_read_gives(
    bad: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    original = WorkbookReader._scan_part

    def refuse(self: WorkbookReader, zf: object, sheet: str) -> object:
        if sheet == bad:
            raise UnreadableWorkbook(f"Lembar '{sheet}' terlalu besar.")
        return original(self, zf, sheet)  # type: ignore[arg-type]

    monkeypatch.setattr(WorkbookReader, "_scan_part", refuse)
    messages = []
    for cores in (2, 1):
        monkeypatch.setattr(reader_module.os, "cpu_count", lambda cores=cores: cores)
        with pytest.raises(UnreadableWorkbook) as info:
            read_workbook(SAMPLES[0])
        messages.append(info.value.message)
    assert messages[0] == messages[1] == f"Lembar '{bad}' terlalu besar."


def test_the_worker_holds_at_most_ahead_grids_not_yet_taken(monkeypatch: pytest.MonkeyPatch) -> None:
    """While this thread is slow to take them, the worker stops after AHEAD grids; once they
    are taken it reads the rest of its share."""
    import time

    monkeypatch.setattr(reader_module.os, "cpu_count", lambda: 2)
    done: list[str] = []
    original = WorkbookReader._read_grid

    def counting(self: WorkbookReader, sheet: str, in_worker: bool) -> list[list[object]]:
        grid = original(self, sheet, in_worker)
        if in_worker:
            done.append(sheet)
        return grid

    monkeypatch.setattr(WorkbookReader, "_read_grid", counting)
    with WorkbookReader(SAMPLES[0]) as reader:
        order = reader.sheet_names
        reader.prefetch(order)
        share = list(reader._ahead)
        assert len(share) > reader_module.AHEAD  # the worker's share is longer than its slots
        time.sleep(0.5)  # nothing taken meanwhile
        assert done == share[: reader_module.AHEAD]
        for sheet in order:
            reader.grid(sheet)
        assert done == share  # every sheet of its share, in order, each once
