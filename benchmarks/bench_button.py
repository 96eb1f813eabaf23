"""What one click on Validasi costs, as the button runs it: a fresh Python process that
imports sopxl.frontends.excel and runs `validasi()` on a normal workbook (12 months, 2 ROs, a few
errors), marking a stand-in Book (no Excel here, so Excel's own COM time is not counted).

    .venv/bin/python benchmarks/bench_button.py [--runs 7]

Target: median under 1 s.
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bytecode import ensure_bytecode

ROOT = Path(__file__).resolve().parent.parent
TARGET_S = 1.0


class _Note:
    def __init__(self, text: str) -> None:
        self.text = text

    def delete(self) -> None:
        pass


class _Range:
    def __init__(self) -> None:
        self.color: Any = None
        self.note: _Note | None = None
        self.value: Any = None

    def add_note(self, text: str) -> _Note:
        self.note = _Note(text)
        return self.note


class _Sheet:
    def __init__(self, name: str) -> None:
        self.name = name
        self.cells: dict[str, _Range] = {}

    def range(self, address: str) -> _Range:
        return self.cells.setdefault(address, _Range())

    @property
    def used_range(self) -> _Range:
        return _Range()

    def clear(self) -> None:
        self.cells.clear()


class _Sheets(list[_Sheet]):
    def add(self, name: str, after: Any = None) -> _Sheet:
        sheet = _Sheet(name)
        self.append(sheet)
        return sheet


class _App:
    screen_updating = True

    def __init__(self) -> None:
        self.alerts: list[str] = []

    def alert(self, prompt: str, **_: Any) -> str:
        self.alerts.append(prompt)
        return "ok"


class StandInBook:
    def __init__(self, path: Path, sheet_names: list[str]) -> None:
        self.fullname = str(path)
        self.name = path.name
        self.app = _App()
        self.sheets = _Sheets(_Sheet(n) for n in sheet_names)


def child(path: Path) -> None:
    """The button's work, in this (fresh) process."""
    from python_calamine import CalamineWorkbook

    import sopxl.frontends.excel

    names = list(CalamineWorkbook.from_path(str(path)).sheet_names)
    book = StandInBook(path, names)
    result = sopxl.frontends.excel.validasi(book)
    if result is None:
        raise SystemExit("validasi failed: " + " | ".join(book.app.alerts))
    print(len(result.findings))


def make_workbook(folder: Path) -> Path:
    try:
        from sopxl.build.samples import SAMPLE_TODAY, build_sample

        path = folder / "capaian.xlsx"
        build_sample(path, months=9, plant=True, today=SAMPLE_TODAY)
        return path
    except ImportError:
        sys.path.insert(0, str(ROOT / "tests"))
        from wbfactory import standard_book

        from sopxl.core import spec

        book = standard_book(months=12)
        book.identitas[spec.ID_KODE_SATKER] = "4117"
        book.referensi[0][spec.COL_JENIS_RO] = "Statik"
        return Path(book.write(folder / "capaian.xlsm"))


def main() -> None:
    ensure_bytecode()
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--child", type=Path)
    args = parser.parse_args()
    if args.child:
        child(args.child)
        return
    with tempfile.TemporaryDirectory() as tmp:
        path = make_workbook(Path(tmp))
        import resource

        times = []
        cpu = []
        findings = ""
        for _ in range(args.runs):
            before = resource.getrusage(resource.RUSAGE_CHILDREN)
            start = time.perf_counter()
            proc = subprocess.run(
                [sys.executable, __file__, "--child", str(path)],
                capture_output=True,
                text=True,
            )
            if proc.returncode != 0:
                raise SystemExit(proc.stderr.strip()[-2000:])
            times.append(time.perf_counter() - start)
            after = resource.getrusage(resource.RUSAGE_CHILDREN)
            cpu.append((after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime))
            findings = proc.stdout.strip()
    median = statistics.median(times)
    print(
        f"button (python start + import sopxl.frontends.excel + validasi, stand-in Book): "
        f"median {median:.3f} s, min {min(times):.3f} s, max {max(times):.3f} s "
        f"over {args.runs} runs (CPU median {statistics.median(cpu):.3f} s: the figure on an "
        f"idle machine); {findings} findings; target < {TARGET_S:.1f} s: "
        f"{'OK' if median < TARGET_S else 'SLOW'}"
    )


if __name__ == "__main__":
    main()
