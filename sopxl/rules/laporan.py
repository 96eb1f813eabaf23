"""Rules of the report sheets (rules.md, "Report sheets"; SOP step 5).

They look only at report sheets that exist (`Laporan Semester I`, `Laporan Semester II`,
`Laporan Tahunan`), found by name with the usual matching.

* **LAP-ANGKA** finds the per-RO table by its header row (the row holding `Kode RO` and
  `Capaian (%)`), its columns by header text, and compares every figure cell of each RO row
  and of the `Jumlah / Rata-rata` row with the figures recomputed now (sopxl.calc.figures),
  rounded half up to 2 decimals (money: to whole rupiah). The finding names the cell and
  its suggestion states the right value. An RO of the report that is no longer in
  `Referensi RO` is named at its Kode RO cell; an RO missing from the report at the header.
* **A missing source sheet.** When a sheet the report is made from (Identitas, Referensi
  RO, Rencana, a month from Januari to the period's end) is missing or has no table, the
  figures cannot be recomputed: LAP-ANGKA gives one finding at the report sheet's `A1`
  naming the missing sheets (STR-SHEET / STR-COLUMN name them too), and neither LAP-ANGKA
  nor LAP-USANG compares anything: the figures "recomputed" without the sheet would tell
  the user to write wrong numbers, or to consolidate from incomplete data.
* **LAP-USANG** compares the data hash recorded in sopxl's state at consolidation with the
  hash of the data now; the message names the sheets that changed. A report without a
  record in the state (made by hand, or the state was removed) is left to LAP-ANGKA.
* **LAP-NARASI**: a narrative's text is the first non-empty cell right of its label on the
  same row, else the cell below (sopxl.report.sheet). An empty one is named at the cell
  where the text goes.
* **LAP-PENGESAHAN**: one finding per incomplete sign-off, at its first empty cell.
"""

from __future__ import annotations

import weakref
from collections.abc import Iterator
from typing import Any

from sopxl.calc.figures import PeriodFigures, compute_figures, data_hashes
from sopxl.calc.scores import round_half_up
from sopxl.core import spec
from sopxl.core.findings import Finding
from sopxl.core.parse import as_number, format_number
from sopxl.read.tables import is_blank
from sopxl.rules.base import Context, rule

_FIGURES: weakref.WeakKeyDictionary[Context, dict[str, PeriodFigures]] = weakref.WeakKeyDictionary()


def _reports(ctx: Context) -> Iterator[tuple[str, str, list[list[Any]]]]:
    """(periode, actual sheet name, grid) of each report sheet present."""
    for periode, (name, _a, _b) in spec.PERIODS.items():
        actual = ctx.data.sheet(name)
        if actual is None:
            continue
        grid = ctx.data.grids.get(actual)
        if grid is not None:
            yield periode, actual, grid


def _figures(ctx: Context, periode: str) -> PeriodFigures:
    cache = _FIGURES.setdefault(ctx, {})
    if periode not in cache:
        cache[periode] = compute_figures(ctx.data, periode, ctx.settings)
    return cache[periode]


def missing_sources(ctx: Context, periode: str) -> list[str]:
    """The sheets a period's report is made from that are missing or have no table (their
    canonical names, in workbook.md order): Identitas, Referensi RO, Rencana and the months
    from Januari to the period's end (`sopxl.calc.figures.data_hashes`' parts)."""
    _, _start, end = spec.PERIODS[periode]
    data = ctx.data
    sources = [
        (spec.SHEET_IDENTITAS, data.identitas),
        (spec.SHEET_REFERENSI, data.referensi),
        (spec.SHEET_RENCANA, data.rencana),
        *((spec.MONTHS[m - 1], data.months.get(m)) for m in range(1, end + 1)),
    ]
    return [name for name, table in sources if table is None or table.header_row is None]


def _ref(r0: int, c0: int) -> str:
    return spec.cell_ref(r0 + 1, c0 + 1)



def _same(found: float, expected: float, money: bool) -> bool:
    if money:
        return abs(found - expected) < 0.5
    return round_half_up(found) == round_half_up(expected)


def _show(x: float, money: bool) -> str:
    return format_number(round(x) if money else round_half_up(x), max_decimals=0 if money else 2)


@rule("LAP-ANGKA", "error", "Angka pada tabel laporan berbeda dengan hasil lembar bulanan saat ini", blocks_report=False)
def lap_angka(ctx: Context) -> Iterator[Finding]:
    """A figure of a report table differs from what the monthly sheets give now.

    Periksa: Setiap angka pada tabel RO lembar laporan (Laporan Semester I, Laporan Semester II,
        Laporan Tahunan), termasuk baris Jumlah / Rata-rata, sama dengan hasil hitung lembar
        bulanan saat ini (persen dibulatkan 2 desimal, uang ke rupiah), dan setiap RO dari
        Referensi RO ada pada tabel itu. Bila lembar sumber laporan (Identitas, Referensi RO,
        Rencana, lembar bulan dalam periode) hilang atau berganti nama, laporan tidak dapat
        diperiksa: satu temuan di sel A1 lembar laporan menyebut lembar yang hilang, tanpa
        temuan per angka.
    Contoh salah: Capaian (%) suatu RO diubah dengan tangan menjadi 100, padahal lembar bulanan
        memberi 45,5.
    Contoh benar: Capaian (%) 45,5, sesuai hasil konsolidasi.
    Perbaikan: Jangan mengubah angka laporan dengan tangan: konsolidasi ulang (sopxl consolidate
        … --periode …), atau tulis nilai yang disebut pada catatan sel. Bila lembar sumber hilang,
        kembalikan lembar itu (atau namanya) lebih dulu; jangan mengubah angka laporan.
    """
    from sopxl.calc.report_layout import (
        MONEY_FIELDS,
        RO_COLUMNS,
        RO_NUMBER_FIELDS,
        TOTAL_LABEL,
        is_ro_header,
        totals_of,
    )

    by_label = {spec.norm(label): attr for label, attr in RO_COLUMNS if attr}
    label_of = {attr: label for label, attr in RO_COLUMNS if attr}
    for periode, sheet, grid in _reports(ctx):
        missing = missing_sources(ctx, periode)
        if missing:
            names = ", ".join(f"'{name}'" for name in missing)
            yield ctx.finding(
                sheet, "A1",
                f"Angka {sheet} tidak dapat diperiksa: lembar sumber {names} tidak ada atau tidak "
                "memiliki tabel (lihat temuan STR-SHEET/STR-COLUMN).",
                suggestion=f"kembalikan lembar {names} (atau perbaiki namanya), lalu validasi ulang; "
                "jangan mengubah angka laporan",
            )
            continue
        header = next((r for r, row in enumerate(grid) if is_ro_header(row)), None)
        if header is None:
            continue
        cols: dict[str, int] = {}
        for c, v in enumerate(grid[header]):
            if isinstance(v, str) and spec.norm(v) in by_label:
                cols.setdefault(by_label[spec.norm(v)], c)
        if "kode" not in cols:
            continue
        fig = _figures(ctx, periode)
        expected = {ro.kode: ro for ro in fig.ro}
        seen: set[str] = set()
        for r in range(header + 1, len(grid)):
            row = grid[r]
            if is_ro_header(row):
                continue  # the header written again where the table goes on to a new page
            kode_cell = row[cols["kode"]] if cols["kode"] < len(row) else None
            if any(isinstance(v, str) and spec.norm(v) == spec.norm(TOTAL_LABEL) for v in row):
                totals = totals_of(fig.ro)
                for attr, value in totals.items():
                    yield from _compare(ctx, sheet, grid, r, cols.get(attr), value, attr in MONEY_FIELDS,
                                        f"{label_of[attr]} baris {TOTAL_LABEL}", None)
                break
            if is_blank(kode_cell):
                break
            kode = str(kode_cell).strip()
            ro = expected.get(kode)
            if ro is None:
                yield ctx.finding(
                    sheet, _ref(r, cols["kode"]),
                    f"RO {kode} pada laporan tidak ada (lagi) di Referensi RO.",
                    ro=kode, value=kode,
                    suggestion=f"konsolidasi ulang: sopxl consolidate --periode {periode}",
                )
                continue
            seen.add(kode)
            for attr in RO_NUMBER_FIELDS:
                yield from _compare(ctx, sheet, grid, r, cols.get(attr), float(getattr(ro, attr)),
                                    attr in MONEY_FIELDS, f"{label_of[attr]} RO {kode}", kode)
        for kode in expected:
            if kode not in seen:
                yield ctx.finding(
                    sheet, _ref(header, cols["kode"]),
                    f"RO {kode} dari Referensi RO tidak ada pada tabel laporan.",
                    ro=kode,
                    suggestion=f"konsolidasi ulang: sopxl consolidate --periode {periode}",
                )


def _compare(
    ctx: Context,
    sheet: str,
    grid: list[list[Any]],
    r: int,
    c: int | None,
    expected: float,
    money: bool,
    what: str,
    kode: str | None,
) -> Iterator[Finding]:
    if c is None:
        return
    value = grid[r][c] if c < len(grid[r]) else None
    number = as_number(value)
    right = _show(expected, money)
    if number is None:
        yield ctx.finding(
            sheet, _ref(r, c),
            f"{what} bukan angka; lembar bulanan memberi {right}.",
            ro=kode, value=value, suggestion=f"tulis {right}",
        )
    elif not _same(number, expected, money):
        yield ctx.finding(
            sheet, _ref(r, c),
            f"{what} tertulis {_show(number, money)}, sedangkan lembar bulanan saat ini memberi {right}.",
            ro=kode, value=value, suggestion=f"tulis {right} (atau konsolidasi ulang)",
        )


@rule("LAP-USANG", "error", "Data bulanan berubah sejak laporan dikonsolidasi", blocks_report=False)
def lap_usang(ctx: Context) -> Iterator[Finding]:
    """The data changed since the report was consolidated.

    Periksa: Data yang dipakai laporan (Identitas, Referensi RO, Rencana dan lembar bulan dalam
        periode laporan) tidak berubah sejak laporan dikonsolidasi. Bila lembar sumber hilang atau
        berganti nama, LAP-ANGKA yang menyebutnya (konsolidasi ulang tanpa lembar itu salah).
    Contoh salah: Realisasi Anggaran Maret diperbaiki setelah Laporan Semester I dibuat.
    Contoh benar: Laporan Semester I dikonsolidasi ulang setelah perbaikan itu.
    Perbaikan: Konsolidasi ulang periode itu (sopxl consolidate … --periode semester1, atau tombol
        Konsolidasi); narasi dan pengesahan yang sudah diisi tetap tersimpan.
    """
    from sopxl.read.state import stored_report

    for periode, sheet, _grid in _reports(ctx):
        stored = stored_report(ctx.data, periode)
        if stored is None or not isinstance(stored.get("hash"), str) or missing_sources(ctx, periode):
            continue  # no record; or a source sheet is missing: LAP-ANGKA says so
        parts = data_hashes(ctx.data, periode)
        fig_hash = _figures(ctx, periode).data_hash
        if stored["hash"] == fig_hash:
            continue
        before = stored.get("hash_bagian")
        changed: list[str] = []
        if isinstance(before, dict):
            changed = [name for name in parts if before.get(name) != parts[name]]
        where = f" (berubah: {', '.join(changed)})" if changed else ""
        made = stored.get("dibuat")
        when = f" pada {str(made)[:16].replace('T', ' ')}" if made else ""
        yield ctx.finding(
            sheet, "A1",
            f"Data bulanan berubah sejak {sheet} dikonsolidasi{when}{where}; angka laporan sudah usang.",
            suggestion=f"konsolidasi ulang: sopxl consolidate {ctx.data.path.name} --periode {periode}",
        )


@rule("LAP-NARASI", "error", "Analisis Capaian, Kendala Umum atau Rekomendasi belum diisi", blocks_report=False)
def lap_narasi(ctx: Context) -> Iterator[Finding]:
    """Analisis Capaian, Kendala Umum or Rekomendasi of a report is empty.

    Periksa: Analisis Capaian, Kendala Umum dan Rekomendasi pada lembar laporan terisi (teks di
        sel sebelah kanan labelnya, atau di sel bawahnya).
    Contoh salah: Sel di sebelah kanan label Rekomendasi kosong.
    Contoh benar: Rekomendasi: "Percepat pelaksanaan pelatihan pada triwulan III."
    Perbaikan: Tulis narasinya di sel sebelah kanan label; bila labelnya hilang, konsolidasi ulang.
    """
    from sopxl.calc.report_layout import find_label, narrative_value

    for _periode, sheet, grid in _reports(ctx):
        for label in spec.REPORT_NARRATIVES:
            at = find_label(grid, label)
            if at is None:
                yield ctx.finding(
                    sheet, "A1",
                    f"Isian '{label}' tidak ditemukan pada {sheet}.",
                    suggestion="konsolidasi ulang agar isian laporan dibuat kembali",
                )
                continue
            value, cell = narrative_value(grid, at)
            if is_blank(value):
                yield ctx.finding(
                    sheet, _ref(*cell),
                    f"{label} pada {sheet} belum diisi.",
                    suggestion=f"tulis {label.lower()} di sel {_ref(*cell)} (sebelah kanan label)",
                )


@rule("LAP-PENGESAHAN", "warning", "Pengesahan laporan (nama, NIP, tanggal) belum lengkap", blocks_report=False)
def lap_pengesahan(ctx: Context) -> Iterator[Finding]:
    """A sign-off of a report (name, NIP, date) is incomplete.

    Periksa: Setiap blok pengesahan lembar laporan (Disusun oleh, Diperiksa oleh, Disetujui oleh)
        berisi Nama, NIP dan Tanggal.
    Contoh salah: Disetujui oleh: Nama terisi, NIP dan Tanggal kosong.
    Contoh benar: Nama Dr. Budi Santoso, NIP '197001012000031001, Tanggal 10 Juli 2026.
    Perbaikan: Lengkapi Nama, NIP dan Tanggal blok pengesahan; bila bloknya hilang, konsolidasi
        ulang.
    """
    from sopxl.calc.report_layout import SIGNOFF_FIELDS, find_label, signoff_values

    for _periode, sheet, grid in _reports(ctx):
        for label in spec.REPORT_SIGNOFFS:
            at = find_label(grid, label)
            if at is None:
                yield ctx.finding(
                    sheet, "A1",
                    f"Blok pengesahan '{label}' tidak ditemukan pada {sheet}.",
                    suggestion="konsolidasi ulang agar blok pengesahan dibuat kembali",
                )
                continue
            found = signoff_values(grid, at)
            missing = [name for name in SIGNOFF_FIELDS if is_blank(found.get(name, (None, None))[0])]
            if not missing:
                continue
            first = found.get(missing[0])
            cell = _ref(*first[1]) if first is not None else _ref(*at)
            yield ctx.finding(
                sheet, cell,
                f"Pengesahan '{label}' belum lengkap: {', '.join(missing)} belum diisi.",
                suggestion=f"isi {', '.join(missing)} {label.lower()}",
            )
