"""What `sopxl status` costs on a normal workbook: a fresh process that reads the sample
(12 months reported, 17 ROs; sopxl.build.samples) and reports the months, the next deadline,
the reports and Kendali SOP, against `sopxl validate --no-write` of the same file, both as
fresh processes, one run each.

    .venv/bin/python benchmarks/bench_status.py

Target: ratio status / validate at most 1.0.
"""

from __future__ import annotations

import datetime as dt
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
for folder in (ROOT, ROOT / "benchmarks"):
    if str(folder) not in sys.path:
        sys.path.insert(0, str(folder))

from bytecode import ensure_bytecode  # noqa: E402

TODAY = "2027-01-06"
TARGET_RATIO = 1.0


def _process(args: list[str]) -> float:
    start = time.perf_counter()
    proc = subprocess.run(args, capture_output=True, text=True, cwd=ROOT)
    elapsed = time.perf_counter() - start
    if proc.returncode not in (0, 1):
        raise SystemExit(f"{args[3]} failed ({proc.returncode}): {proc.stderr or proc.stdout}")
    return elapsed


def main(argv: list[str] | None = None) -> None:
    import argparse
    import statistics

    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--repeat", type=int, default=7, help="runs of each command (medians compared)")
    args = parser.parse_args(argv)
    ensure_bytecode()
    from sopxl.build.samples import build_sample

    sopxl = [sys.executable, "-c", "from sopxl.frontends.cli import main; main()"]
    with tempfile.TemporaryDirectory(prefix="sopxl-bench-status-") as tmp:
        book = Path(tmp) / "capaian-2026.xlsx"
        build_sample(book, months=12, today=dt.date.fromisoformat(TODAY))
        validates: list[float] = []
        statuses: list[float] = []
        for _ in range(max(1, args.repeat)):
            validates.append(_process([*sopxl, "validate", str(book), "--no-write", "--format", "json",
                                       "--set", f"today={TODAY}"]))
            statuses.append(_process([*sopxl, "status", str(book), "--format", "json", "--set", f"today={TODAY}"]))
        validate, status = statistics.median(validates), statistics.median(statuses)
    print(
        f"normal (sample, 12 months), median of {len(statuses)}  status {status:6.3f} s  "
        f"validate --no-write {validate:6.3f} s  "
        f"ratio {status / validate:5.2f} (target <= {TARGET_RATIO})"
    )


if __name__ == "__main__":
    main()
