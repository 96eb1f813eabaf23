"""Regenerate the bundled sample workbooks from referensi_ro.csv and rencana.csv.

    .venv/bin/python samples/make_samples.py

Writes, beside this script:
- contoh-capaian-2026.xlsx: clean, Januari..Oktober filled; passes every rule.
- contoh-dengan-kesalahan-2026.xlsx: Januari..September with one mistake of every rule planted,
  and contoh-dengan-kesalahan-2026.tertanam.json listing where each must be found.
The package data sopxl/data/*.csv are symbolic links to the two CSVs here (one source).
"""

from __future__ import annotations

from pathlib import Path

from sopxl.build.samples import SAMPLE_TODAY, build_sample, write_planted_json

HERE = Path(__file__).resolve().parent


def main() -> None:
    clean = HERE / "contoh-capaian-2026.xlsx"
    build_sample(clean, months=10, today=SAMPLE_TODAY)
    wrong = HERE / "contoh-dengan-kesalahan-2026.xlsx"
    planted = build_sample(wrong, months=9, plant=True, today=SAMPLE_TODAY)
    write_planted_json(HERE / "contoh-dengan-kesalahan-2026.tertanam.json", planted)
    print(f"{clean.name}: bersih, 10 bulan")
    print(f"{wrong.name}: {len(planted)} kesalahan tertanam")


if __name__ == "__main__":
    main()
