"""Generate a standard workbook (workbook.md) of 12 months x N ROs, fast, with XlsxWriter.

Values are realistic and consistent (a linear plan, cumulative volumes as formulas with
their cached results, entry dates on time); `--errors PCT` puts Excel error values
(#DIV/0!, #N/A, ...) into about PCT % of the monthly number cells.

    python benchmarks/gen_large.py out.xlsx --ros 20000 [--reported 12] [--errors 1]
"""

from __future__ import annotations

import argparse
import datetime as dt
import random
import sys
from pathlib import Path

import xlsxwriter

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from sopxl.core import spec  # noqa: E402

ERROR_CODES = ("#DIV/0!", "#N/A", "#VALUE!", "#REF!", "#NAME?")
KRO = ("EBA", "EBB", "EBD", "SBA", "QDC", "RAB")
SATUAN = ("Layanan", "Orang", "Dokumen", "Paket", "Kegiatan")


def ro_code(i: int) -> str:
    """A unique, well-formed Kode RO for the i-th RO (i < 6,000,000)."""
    kegiatan = 4000 + i // (1000 * len(KRO))
    kro = KRO[(i // 1000) % len(KRO)]
    return f"013.07.WA.{kegiatan:04d}.{kro}.{i % 1000:03d}"


def generate(path: Path, ros: int, reported: int = 12, errors_pct: float = 0.0, year: int = 2026,
             seed: int = 1) -> Path:
    rnd = random.Random(seed)
    wb = xlsxwriter.Workbook(str(path), {"constant_memory": True})
    date_fmt = wb.add_format({"num_format": "d mmmm yyyy"})
    bold = wb.add_format({"bold": True})

    ws = wb.add_worksheet(spec.SHEET_IDENTITAS)
    ws.write_row(0, 0, spec.IDENTITAS_COLUMNS, bold)
    ident = {
        spec.ID_KODE_SATKER: "411724",
        spec.ID_NAMA_SATKER: "Balai Diklat Hukum dan HAM Contoh",
        spec.ID_TAHUN: year,
        spec.ID_KEPALA: "Dr. Budi Santoso, S.H., M.H.",
        spec.ID_NIP_KEPALA: "197001012000031001",
        spec.ID_KASI: "Siti Rahmawati, S.E.",
        spec.ID_NIP_KASI: "198005052005012002",
        spec.ID_BENDAHARA: "Andi Wijaya",
        spec.ID_EMAIL: "kepala.badiklat@example.go.id",
        spec.ID_BULAN: spec.MONTHS[reported - 1] if reported else None,
    }
    for r, (k, v) in enumerate(ident.items(), start=1):
        ws.write_string(r, 0, k)
        if isinstance(v, str):
            ws.write_string(r, 1, v)
        elif v is not None:
            ws.write_number(r, 1, v)

    refs = []
    for i in range(ros):
        target = rnd.choice((1, 2, 4, 6, 12, 24, 60, 120, 240, 480))
        pagu = rnd.randrange(12, 2_400) * 1_000_000
        satuan = rnd.choice(SATUAN)
        if target % 12:  # a twelfth of it a month is no whole count: a unit CAP-DESIMAL leaves alone
            satuan = "Bulan Layanan"
        refs.append((ro_code(i), f"Rincian Output nomor {i + 1}", satuan,
                     rnd.choice((spec.JENIS_STATIS, spec.JENIS_DINAMIS)), target, pagu))

    ws = wb.add_worksheet(spec.SHEET_REFERENSI)
    ws.write_row(0, 0, spec.REFERENSI_COLUMNS, bold)
    for r, row in enumerate(refs, start=1):
        ws.write_row(r, 0, row)

    ws = wb.add_worksheet(spec.SHEET_RENCANA)
    ws.write_row(0, 0, spec.RENCANA_COLUMNS, bold)
    r = 1
    for code, *_rest, pagu in refs:
        monthly = pagu // 12
        for m in range(1, 13):
            rpd = monthly if m < 12 else pagu - monthly * 11
            ws.write_row(r, 0, (code, spec.MONTHS[m - 1], _plan(m), rpd))
            r += 1

    columns = list(spec.MONTH_COLUMNS)
    col = {c: i for i, c in enumerate(columns)}
    number_cols = [col[c] for c in (spec.COL_RVRO, spec.COL_PROGRES, spec.COL_ANGGARAN)]
    letter_rvro = spec.col_letter(col[spec.COL_RVRO] + 1)
    for m, name in enumerate(spec.MONTHS, start=1):
        ws = wb.add_worksheet(name)
        ws.write_row(0, 0, columns, bold)
        for r, (code, uraian, satuan, _jenis, target, pagu) in enumerate(refs, start=1):
            ws.write_string(r, col[spec.COL_KODE_RO], code)
            ws.write_string(r, col[spec.COL_URAIAN_RO], uraian)
            ws.write_string(r, col[spec.COL_SATUAN], satuan)
            ws.write_number(r, col[spec.COL_TARGET_VOLUME], target)
            ws.write_formula(r, col[spec.COL_TARGET_PROGRES], f"=ROUND(100*{m}/12,2)", None, _plan(m))
            if m > reported:
                continue
            per = target / 12
            error_col = (
                rnd.choice(number_cols) if errors_pct and rnd.random() * 100 < errors_pct else None
            )
            values = {
                col[spec.COL_RVRO]: per,
                col[spec.COL_PROGRES]: _plan(m),
                col[spec.COL_ANGGARAN]: pagu // 12,
            }
            for c, v in values.items():
                if c == error_col:
                    ws.write_formula(r, c, "=1/0", None, rnd.choice(ERROR_CODES))
                else:
                    ws.write_number(r, c, v)
            ref = f"{letter_rvro}{r + 1}"
            kum = f"={per * (m - 1)}+{ref}" if m > 1 else f"={ref}"
            ws.write_formula(r, col[spec.COL_RVRO_KUM], kum, None, per * m)
            ws.write_string(r, col[spec.COL_KENDALA], "-")
            ws.write_string(r, col[spec.COL_TINDAK_LANJUT], "-")
            entry = dt.datetime(year + 1, 1, 2) if m == 12 else dt.datetime(year, m + 1, 2)
            ws.write_datetime(r, col[spec.COL_TANGGAL], entry, date_fmt)
    wb.close()
    return path


def _plan(m: int) -> float:
    return 100.0 if m == 12 else round(100.0 * m / 12, 2)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("path", type=Path)
    parser.add_argument("--ros", type=int, default=25)
    parser.add_argument("--reported", type=int, default=12, help="months with entries (0-12)")
    parser.add_argument("--errors", type=float, default=0.0, help="percent of rows with an error value")
    parser.add_argument("--year", type=int, default=2026)
    args = parser.parse_args(argv)
    generate(args.path, args.ros, args.reported, args.errors, args.year)
    print(f"{args.path}: {args.ros} RO x 12 bulan, {args.path.stat().st_size / 1e6:.1f} MB")


if __name__ == "__main__":
    main()
