"""How fast does `sopxl --help` answer? Whole process, against a bare Python start.

    python benchmarks/bench_cli.py [--runs 9]

Prints the medians and the ratio to `python -c pass` measured in the same run; the target
is well under half a second, because people type `sopxl --help` to find their way.
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bytecode import ensure_bytecode


def median_seconds(cmd: list[str], runs: int) -> float:
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        subprocess.run(cmd, check=True, capture_output=True)
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def main() -> None:
    ensure_bytecode()
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=9)
    args = parser.parse_args()
    bare = median_seconds([sys.executable, "-c", "pass"], args.runs)
    help_ = median_seconds([sys.executable, "-m", "sopxl.frontends.cli", "--help"], args.runs)
    verdict = "OK" if help_ < 0.5 else "MISSED"
    print(
        f"sopxl --help {help_:.3f} s, python -c pass {bare:.3f} s -> ratio {help_ / bare:.2f}; "
        f"target < 0.5 s: {verdict}"
    )


if __name__ == "__main__":
    main()
