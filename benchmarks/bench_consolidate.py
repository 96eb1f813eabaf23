"""What `sopxl consolidate` costs, whole process (read, validate, compute, build the report
sheet with its charts, graft it into the workbook losslessly, save with a backup), against
reading the same file with `pandas.read_excel(engine="openpyxl")` (all sheets).

Two workbooks:

- normal: the clean sample (sopxl.build.samples, 12 months, 17 ROs), periode tahunan;
- large: 12 months x 20,000 ROs (benchmarks/gen_large.py), periode tahunan.

    .venv/bin/python benchmarks/bench_consolidate.py [--runs 3] [--ros 20000] [--skip-large]
        [--large /tmp/large.xlsx]   (generated there once, reused afterwards)

Each run works on a fresh copy. Prints median seconds and the ratio consolidate / pandas, in
process (imports warm) and, for the normal workbook, as fresh processes (what a user waits for).
"""

from __future__ import annotations

import argparse
import datetime as dt
import shutil
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))
if str(ROOT / "benchmarks") not in sys.path:
    sys.path.insert(0, str(ROOT / "benchmarks"))

from bytecode import ensure_bytecode  # noqa: E402

TODAY = "2027-03-01"  # every month of TA 2026 can be reported by then
# Rencana of 20,000 ROs holds 240,000 rows: within the default guard of 500,000 rows per sheet
OVERRIDES = {"today": TODAY, "max_rows_per_sheet": "400000"}


def _median(func: Callable[[], object], runs: int) -> float:
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        func()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def bench(label: str, source: Path, runs: int, workdir: Path) -> tuple[float, float]:
    import pandas as pd

    from sopxl.report.consolidate import consolidate

    def run_consolidate() -> None:
        copy = workdir / f"run-{source.name}"
        shutil.copyfile(source, copy)
        consolidate(copy, "tahunan", force=True, run_overrides=OVERRIDES)

    def run_pandas() -> None:
        pd.read_excel(source, sheet_name=None, engine="openpyxl")

    # the copy itself is part of neither: measure it and take it off
    copy_s = _median(lambda: shutil.copyfile(source, workdir / "copy-only.xlsx"), runs)
    ours = max(0.0, _median(run_consolidate, runs) - copy_s)
    theirs = _median(run_pandas, runs)
    size = source.stat().st_size / 1e6
    print(
        f"{label:<32} {size:6.1f} MB  consolidate {ours:7.2f} s  pandas/openpyxl {theirs:7.2f} s  "
        f"ratio {ours / theirs:5.2f}"
    )
    return ours, theirs


def bench_process(label: str, source: Path, runs: int, workdir: Path) -> tuple[float, float]:
    """The same, each as a fresh process: `sopxl consolidate` (startup and imports included)
    against `python -c "pandas.read_excel(..., engine='openpyxl')"`."""
    import subprocess

    sopxl = [sys.executable, "-c", "from sopxl.frontends.cli import main; main()"]
    copy = workdir / f"proc-{source.name}"

    def run_cli() -> None:
        shutil.copyfile(source, copy)
        subprocess.run(
            [*sopxl, "consolidate", str(copy), "--periode", "tahunan", "--paksa", "--format", "json",
             "--set", f"today={TODAY}", "--set", "max_rows_per_sheet=400000"],
            check=True, capture_output=True, cwd=ROOT,
        )

    def run_pandas() -> None:
        code = f"import pandas; pandas.read_excel({str(source)!r}, sheet_name=None, engine='openpyxl')"
        subprocess.run([sys.executable, "-c", code], check=True, capture_output=True)

    ours = _median(run_cli, runs)
    theirs = _median(run_pandas, runs)
    print(
        f"{label:<32} {'':9}  sopxl CLI   {ours:7.2f} s  python+pandas   {theirs:7.2f} s  "
        f"ratio {ours / theirs:5.2f}"
    )
    return ours, theirs


def main(argv: list[str] | None = None) -> None:
    ensure_bytecode()
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--ros", type=int, default=20_000)
    parser.add_argument("--skip-large", action="store_true")
    parser.add_argument("--large", type=Path, help="reuse this generated large workbook")
    args = parser.parse_args(argv)

    from sopxl.build.samples import build_sample

    with tempfile.TemporaryDirectory(prefix="sopxl-bench-") as tmp:
        work = Path(tmp)
        normal = work / "normal.xlsx"
        build_sample(normal, months=12, today=dt.date.fromisoformat(TODAY))
        bench("normal (sample, 12 months)", normal, args.runs, work)
        bench_process("normal, fresh process", normal, args.runs, work)
        if not args.skip_large:
            if args.large is not None and args.large.exists():
                large = args.large
            else:
                from gen_large import generate

                large = args.large or work / "large.xlsx"
                start = time.perf_counter()
                generate(large, args.ros, reported=12)
                print(f"(generated {args.ros:,} RO x 12 months in {time.perf_counter() - start:.1f} s)")
            bench(f"large ({args.ros:,} RO x 12 months)", large, max(1, min(args.runs, 2)), work)


if __name__ == "__main__":
    main()
