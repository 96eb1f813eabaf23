"""How fast is `sopxl impor`? One run each, as whole processes, on 20,000 ROs:

    sopxl impor WORKBOOK --ekspor EXPORT --bulan 6      (a two-row grouped export of Juni)
against
    sopxl validate WORKBOOK --no-write --format json    (of the same workbook)

The workbook (benchmarks/gen_large.py) has Januari..Mei reported; the export gives Juni's
"Bulan ini" and "s.d. Bulan ini" figures of every RO, with a title block and a totals row.
Target: ratio <= 1.5.

    python benchmarks/bench_impor.py [--ros 20000]
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

from bench_validate import sopxl_command  # noqa: E402
from bytecode import ensure_bytecode  # noqa: E402
from gen_large import generate  # noqa: E402

MONTH = 6
TODAY = "2026-07-20"


def write_export(workbook: Path, path: Path) -> Path:
    """Juni of every RO of `workbook`, as SAKTI prints it: title, grouped header, totals."""
    import xlsxwriter
    from python_calamine import CalamineWorkbook

    from sopxl.core import spec

    book = CalamineWorkbook.from_path(str(workbook))
    grid = book.get_sheet_by_name(spec.SHEET_REFERENSI).to_python()
    header = grid[0]
    kode, target, pagu = (header.index(c) for c in (spec.COL_KODE_RO, spec.COL_TARGET_VOLUME, spec.COL_PAGU))
    wb = xlsxwriter.Workbook(str(path), {"constant_memory": True})
    ws = wb.add_worksheet("Capaian RO")
    ws.write_string(0, 0, "MONITORING CAPAIAN OUTPUT RO")
    ws.write_string(1, 0, "Bulan Juni 2026")
    ws.write_row(3, 0, ["Kode RO", "Uraian RO", "RVRO", None, "PCRO", None, "Realisasi Anggaran RO", None])
    ws.write_row(4, 0, [None, None, "Bulan ini", "s.d. Bulan ini", "Bulan ini", "s.d. Bulan ini",
                        "Bulan ini", "s.d. Bulan ini"])
    r = 5
    for row in grid[1:]:
        if not row[kode]:
            continue
        per, monthly = float(row[target]) / 12, int(row[pagu]) // 12
        progress = round(100 * MONTH / 12, 2)
        ws.write_row(r, 0, [row[kode], "Uraian", per, per * MONTH, round(100 / 12, 2), progress,
                            monthly, monthly * MONTH])
        r += 1
    ws.write_row(r, 0, ["Jumlah", None, None, None, None, None, 0, 0])
    wb.close()
    return path


def run(command: list[str]) -> tuple[float, str]:
    t0 = time.perf_counter()
    proc = subprocess.run(command, capture_output=True, text=True, cwd=ROOT)
    elapsed = time.perf_counter() - t0
    if proc.returncode not in (0, 1):
        raise RuntimeError(proc.stderr)
    return elapsed, proc.stdout


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--ros", type=int, default=20_000)
    args = parser.parse_args()
    ensure_bytecode()
    with tempfile.TemporaryDirectory() as tmp:
        workbook = generate(Path(tmp) / "besar.xlsx", args.ros, reported=MONTH - 1)
        export = write_export(workbook, Path(tmp) / "sakti-juni.xlsx")
        target = Path(tmp) / "impor.xlsx"
        shutil.copyfile(workbook, target)
        validate_s, _ = run([*sopxl_command(), "validate", str(workbook), "--no-write", "--format", "json",
                             "--set", f"today={TODAY}"])
        impor_s, out = run([*sopxl_command(), "impor", str(target), "--ekspor", str(export),
                            "--bulan", str(MONTH), "--format", "json"])
        outcome = json.loads(out)
        assert outcome["diisi"] == 3 * args.ros and not outcome["berbeda"], outcome
    print(json.dumps({"ros": args.ros, "sopxl_impor_s": round(impor_s, 2),
                      "sopxl_validate_s": round(validate_s, 2), "ratio": round(impor_s / validate_s, 2),
                      "target": 1.5}, indent=2))


if __name__ == "__main__":
    main()
