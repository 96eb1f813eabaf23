"""What `sopxl kirim` costs when it drafts (no SMTP, no PDF): a fresh process that reads the
workbook's bytes, validates it (nothing written), composes the message and writes the draft
and its archive record, against `sopxl validate --no-write` on the same file, as fresh
processes, in one run.

    .venv/bin/python benchmarks/bench_kirim.py [--runs 5]

The workbook: the clean sample (sopxl.build.samples, 12 months, 17 ROs). Target: ratio
kirim / validate at most 1.5.
"""

from __future__ import annotations

import argparse
import datetime as dt
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))
if str(ROOT / "benchmarks") not in sys.path:
    sys.path.insert(0, str(ROOT / "benchmarks"))

from bytecode import ensure_bytecode  # noqa: E402

TODAY = "2027-01-20"
TARGET_RATIO = 1.5


def _median_process(args: list[str], runs: int) -> float:
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        subprocess.run(args, check=False, capture_output=True, cwd=ROOT)
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    ensure_bytecode()
    from sopxl.build.samples import build_sample

    sopxl = [sys.executable, "-c", "from sopxl.frontends.cli import main; main()"]
    with tempfile.TemporaryDirectory(prefix="sopxl-bench-kirim-") as tmp:
        work = Path(tmp)
        book = work / "capaian-2026.xlsx"
        build_sample(book, months=12, today=dt.date.fromisoformat(TODAY))
        validate = [*sopxl, "validate", str(book), "--no-write", "--format", "json", "--set", f"today={TODAY}"]
        kirim = [*sopxl, "kirim", str(book), "--draf", str(work / "draf.eml"), "--paksa", "--format", "json",
                 "--set", f"today={TODAY}"]
        check = subprocess.run(kirim, capture_output=True, cwd=ROOT, text=True)
        if check.returncode != 0:
            raise SystemExit(f"sopxl kirim failed ({check.returncode}): {check.stderr or check.stdout}")
        theirs = _median_process(validate, args.runs)
        ours = _median_process(kirim, args.runs)
    ratio = ours / theirs
    print(
        f"normal (sample, 12 months)  kirim --draf {ours:6.3f} s  validate --no-write {theirs:6.3f} s  "
        f"ratio {ratio:5.2f} (target <= {TARGET_RATIO})"
    )


if __name__ == "__main__":
    main()
