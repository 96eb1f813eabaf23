"""How fast and lean is writing the marks back? sopxl's package-level write against openpyxl.

On a generated workbook (12 months x N ROs, an Excel error value planted in `--errors` % of
the reported rows, so that about 1 % of the monthly cells are flagged), each measurement runs in its own
subprocess, which reports its wall time and its peak RSS (getrusage):

- `sopxl validate PATH` (read + every rule + write marks, notes, Catatan Koreksi, state);
- `sopxl validate PATH --no-write` (to show what the write itself costs);
- openpyxl: load the same file, fill and note the same cells, save (what sopxl would cost
  if it used openpyxl, and it would also lose parts: see measured.md).

sopxl validate (write) and openpyxl run in alternation, `--repeat` rounds: each round's speed
ratio compares two runs made under the same load, and the median round is the result.

Targets: sopxl validate (write) >= 10x faster than openpyxl, <= 1/3 of its peak memory.

    python benchmarks/bench_write.py [--ros 20000] [--errors 13] [--repeat 3] [--source F] [--keep DIR]
"""

from __future__ import annotations

import argparse
import json
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
for folder in (ROOT, ROOT / "benchmarks"):
    if str(folder) not in sys.path:
        sys.path.insert(0, str(folder))

from bytecode import ensure_bytecode  # noqa: E402

TODAY = "2027-03-01"

# What `sopxl validate PATH` does (validate_cmd), through the library so that the row limit
# can be raised for Rencana (the default is 500,000 rows per sheet).
# Peak RSS from /proc (VmHWM): getrusage's ru_maxrss keeps the parent's high-water mark
# across fork+exec on Linux, which would charge the benchmark's own memory to the child.
HWM = """
def hwm():
    for line in open("/proc/self/status"):
        if line.startswith("VmHWM:"):
            return int(line.split()[1])
    import resource
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
"""

CHILD_SOPXL = HWM + """
import sys, time
t0 = time.perf_counter()
from sopxl.core.config import Settings
from sopxl.read.workbook import read_workbook
from sopxl.rules.validate import check, resolve_settings
path, write, today = sys.argv[1], sys.argv[2] == "write", sys.argv[3]
overrides = {"today": today, "max_rows_per_sheet": 300000}
data = read_workbook(path, Settings(**overrides))
settings = resolve_settings(data, None, overrides)
result = check(data, settings)
w0 = time.perf_counter()
if write:
    from sopxl.writeback.marks import apply_marks
    data.release_tables()
    apply_marks(data.path, result, settings)
t1 = time.perf_counter()
print(f"RESULT {t1 - t0:.3f} {hwm()} {t1 - w0:.3f}")
"""

# The write alone, in its own process: the findings come from a JSON file.
CHILD_WRITE_ONLY = HWM + """
import sys, time
t0 = time.perf_counter()
from pathlib import Path
from sopxl.core.config import Settings
from sopxl.core.findings import ValidationResult
from sopxl.writeback.marks import apply_marks
result = ValidationResult.model_validate_json(Path(sys.argv[2]).read_text(encoding="utf-8"))
w0 = time.perf_counter()
apply_marks(Path(sys.argv[1]), result, Settings(today=sys.argv[3]))
t1 = time.perf_counter()
print(f"RESULT {t1 - t0:.3f} {hwm()} {t1 - w0:.3f}")
"""

CHILD_OPENPYXL = HWM + """
import json, sys, time
t0 = time.perf_counter()
import openpyxl
from openpyxl.comments import Comment
from openpyxl.styles import PatternFill
marks = json.load(open(sys.argv[2]))
wb = openpyxl.load_workbook(sys.argv[1])
red = PatternFill("solid", fgColor="FFFFC7CE")
yellow = PatternFill("solid", fgColor="FFFFEB9C")
for sheet, ref, severity, text in marks:
    cell = wb[sheet][ref]
    cell.fill = red if severity == "error" else yellow
    cell.comment = Comment(text, "sopxl", width=260, height=120)
wb.save(sys.argv[3])
dt = time.perf_counter() - t0
print(f"RESULT {dt:.3f} {hwm()}")
"""


def run_child(code: str, *args: str) -> tuple[float, float, float]:
    """(seconds, peak RSS in MB, seconds of the write part) of one measurement in its own process."""
    proc = subprocess.run(
        [sys.executable, "-c", code, *args], capture_output=True, text=True, cwd=ROOT, check=False
    )
    line = next((ln for ln in proc.stdout.splitlines() if ln.startswith("RESULT")), None)
    if line is None:
        raise RuntimeError(proc.stderr[-2000:])
    fields = line.split()
    secs, rss_kb = float(fields[1]), int(fields[2])
    return secs, rss_kb / 1024, float(fields[3]) if len(fields) > 3 else secs


def flagged_cells(path: Path, result_file: Path) -> list[tuple[str, str, str, str]]:
    from sopxl.core.config import Settings
    from sopxl.read.workbook import read_workbook
    from sopxl.rules.validate import check, resolve_settings
    from sopxl.writeback.marks import note_text

    overrides = {"today": TODAY, "max_rows_per_sheet": 300_000}
    data = read_workbook(path, Settings(**overrides))
    result = check(data, resolve_settings(data, None, overrides))
    result_file.write_text(result.model_dump_json(), encoding="utf-8")
    by_cell: dict[tuple[str, str], list] = {}
    for f in result.findings:
        by_cell.setdefault((f.sheet, f.cell), []).append(f)
    return [
        (sheet, cell, "error" if any(f.severity == "error" for f in fs) else "warning", note_text(fs))
        for (sheet, cell), fs in by_cell.items()
    ]


def main(argv: list[str] | None = None) -> None:
    ensure_bytecode()
    argv = sys.argv[1:] if argv is None else argv
    if argv and argv[0] == "--findings-only":
        marks = flagged_cells(Path(argv[1]), Path(argv[2]))
        Path(argv[3]).write_text(json.dumps(marks), encoding="utf-8")
        return
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--ros", type=int, default=20_000)
    parser.add_argument("--errors", type=float, default=13.0, help="%% of reported rows given one error cell (13 %% of rows = 1 %% of cells)")
    parser.add_argument("--keep", type=Path, help="keep the generated files in this folder")
    parser.add_argument("--source", type=Path, help="use this generated workbook instead of generating one")
    parser.add_argument("--repeat", type=int, default=3, help="rounds of sopxl validate and openpyxl (medians kept)")
    args = parser.parse_args(argv)

    from gen_large import generate

    folder = Path(tempfile.mkdtemp(prefix="sopxl-bench-write-"))
    try:
        source = folder / "besar.xlsx"
        t0 = time.perf_counter()
        if args.source:
            shutil.copyfile(args.source, source)
        else:
            generate(source, args.ros, reported=12, errors_pct=args.errors)
        gen_s = time.perf_counter() - t0
        result_file = folder / "result.json"
        # in a subprocess, so that this process stays small (see HWM)
        subprocess.run(
            [sys.executable, __file__, "--findings-only", str(source), str(result_file), str(folder / "marks.json")],
            check=True,
        )
        marks = json.loads((folder / "marks.json").read_text(encoding="utf-8"))
        marks_file = folder / "marks.json"
        month_cells = 12 * args.ros * 13
        print(f"workbook: {args.ros} RO x 12 months, {source.stat().st_size / 1e6:.1f} MB, generated in {gen_s:.1f} s")
        print(f"flagged cells: {len(marks)} ({100 * len(marks) / month_cells:.2f} % of the monthly cells)")

        work = folder / "sopxl.xlsx"
        shutil.copyfile(source, work)
        nowrite_s, nowrite_mb, _ = run_child(CHILD_SOPXL, str(work), "no-write", TODAY)
        # The machine is shared and its speed drifts by tens of percent within minutes: sopxl
        # and openpyxl run in alternation, `--repeat` rounds, and each round's ratio compares
        # two runs made under the same conditions; the medians are reported.
        runs: list[tuple[float, float, float]] = []
        baseline: list[tuple[float, float, float]] = []
        ratios: list[float] = []
        for _ in range(args.repeat):
            shutil.copyfile(source, work)
            runs.append(run_child(CHILD_SOPXL, str(work), "write", TODAY))
            baseline.append(
                run_child(CHILD_OPENPYXL, str(source), str(marks_file), str(folder / "openpyxl.xlsx"))
            )
            ratios.append(baseline[-1][0] / runs[-1][0])
        write_s, write_mb, write_only = sorted(runs)[len(runs) // 2]
        opx_s, opx_mb, _ = sorted(baseline)[len(baseline) // 2]
        shutil.copyfile(source, work)
        wo_s, wo_mb, _ = run_child(CHILD_WRITE_ONLY, str(work), str(result_file), TODAY)

        rows = [
            ("sopxl validate --no-write", nowrite_s, nowrite_mb),
            ("sopxl validate (writes marks)", write_s, write_mb),
            ("  of which the write (in process)", write_only, float("nan")),
            ("sopxl write only (own process)", wo_s, wo_mb),
            ("openpyxl load+fill+note+save", opx_s, opx_mb),
        ]
        print(f"{'measurement':34} {'seconds':>8} {'peak MB':>8}")
        for name, s, mb in rows:
            print(f"{name:34} {s:8.2f} {mb:8.0f}")
        print("rounds (openpyxl / sopxl validate): " + ", ".join(f"{r:.1f}x" for r in ratios))
        print(f"speed: openpyxl / sopxl validate (write) = {sorted(ratios)[len(ratios) // 2]:.1f}x  "
              "(median of the rounds; target >= 10x)")
        print(f"speed: openpyxl / sopxl write part only  = {opx_s / write_only:.1f}x")
        print(f"speed: openpyxl / sopxl write process    = {opx_s / wo_s:.1f}x")
        print(f"memory: sopxl validate / openpyxl peak   = {write_mb / opx_mb:.2f}  (target <= 0.33)")
        print(f"memory: sopxl write / openpyxl peak      = {wo_mb / opx_mb:.2f}")
        if args.keep:
            args.keep.mkdir(parents=True, exist_ok=True)
            for p in folder.iterdir():
                shutil.copy2(p, args.keep / p.name)
    finally:
        shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    main()
