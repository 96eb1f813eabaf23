"""Rules of the reconciliation with the SAKTI/OMSPAN export (rules.md, "REK"; SOP steps 2-3).

They check only when an export is given (`sopxl validate --ekspor`, `WorkbookData.ekspor`).
Without one nothing is compared, and nothing is taken as fixed either: the REK findings the
last run wrote into the workbook (sopxl's state, `temuan`) are given again as they were,
saying they were not checked this time, so that their marks stay and Catatan Koreksi does
not list them as `Selesai` until a run with the export says so. The export is set beside the month it reports
(`sopxl.read.ekspor.reconcile`): a cumulative-only figure is turned into the month's own one
with the workbook's earlier months, split codes are matched with the workbook's codes.

* **REK-RO**: an RO of the month sheet the export lacks is named at its Kode RO cell; an RO
  of the export the month sheet lacks at the sheet's `Kode RO` header cell (it has no row).
* **REK-NILAI**: for an RO on both sides, each of Realisasi Volume Bulan Ini, Progres Capaian
  (%) and Realisasi Anggaran Bulan Ini (Rp) the export gives is compared with the cell
  (`sopxl.read.ekspor.same_value`); the finding, at the cell, gives both values.

Both are errors of the month's data and block the report like the CAP errors: a workbook
that differs from what the ministry sees must not be consolidated.
"""

from __future__ import annotations

import weakref
from collections.abc import Iterator
from typing import TYPE_CHECKING

from sopxl.core import spec
from sopxl.core.errors import InvalidInput
from sopxl.core.findings import Finding
from sopxl.core.parse import format_value
from sopxl.rules.base import Context, rule

if TYPE_CHECKING:
    # sopxl.read.ekspor is imported where an export is given: most runs have none (and a
    # recap's workers, and the Kasi's button, would import it for nothing)
    from sopxl.read.ekspor import Reconciliation

_RECONCILED: weakref.WeakKeyDictionary[Context, Reconciliation | None] = weakref.WeakKeyDictionary()


def _carried(ctx: Context) -> Iterator[Finding]:
    """Without an export: the running REK rule's findings of the last run, still open."""
    from sopxl.read.state import FINDINGS_KEY, load_state

    for item in load_state(ctx.data).get(FINDINGS_KEY) or []:
        if not (isinstance(item, list) and len(item) >= 7 and item[5] == ctx.rule_id):
            continue
        _, _, sheet, cell, ro, _, message = item[:7]
        if ctx.data.sheet(str(sheet)) is None:
            continue
        yield ctx.finding(
            str(sheet),
            str(cell),
            f"{message} (dari validasi terakhir dengan ekspor SAKTI; belum diperiksa ulang)",
            ro=None if ro is None else str(ro),
            suggestion="jalankan sopxl validate … --ekspor BERKAS dengan ekspor terbaru untuk memeriksanya lagi",
        )


def _reconciliation(ctx: Context) -> Reconciliation | None:
    """The export beside its month (None without an export, or without that month's table:
    STR-SHEET / STR-COLUMN name the missing sheet)."""
    if ctx not in _RECONCILED:
        export = ctx.data.ekspor
        found: Reconciliation | None = None
        if export is not None:
            from sopxl.read.ekspor import reconcile

            try:
                found = reconcile(export, ctx.data)
            except InvalidInput:
                found = None
        _RECONCILED[ctx] = found
    return _RECONCILED[ctx]


@rule("REK-RO", "error", "RO di buku kerja dan di ekspor SAKTI tidak sama")
def rek_ro(ctx: Context) -> Iterator[Finding]:
    """An RO is in the month sheet but not in the SAKTI export, or the other way round.

    Periksa: Setiap RO pada lembar bulan yang dilaporkan ada pada ekspor Capaian Output SAKTI/OMSPAN
        bulan itu (sopxl validate … --ekspor), dan setiap RO ekspor ada pada lembar bulan itu. RO yang
        tidak ada di ekspor ditandai pada sel Kode RO-nya; RO ekspor yang tidak ada di buku kerja
        ditandai pada judul kolom Kode RO.
    Contoh salah: Ekspor SAKTI Juni memuat RO 013.07.WA.4293.SBA.002, tetapi lembar Juni tidak.
    Contoh benar: RO lembar Juni dan RO ekspor SAKTI Juni sama.
    Perbaikan: Periksa Kode RO yang disebut (salah ketik, RO baru hasil revisi DIPA): perbaiki Referensi
        RO dan lembar bulan, atau lengkapi entri di SAKTI, lalu unduh ulang ekspornya.
    """
    if ctx.data.ekspor is None:
        yield from _carried(ctx)
        return
    rec = _reconciliation(ctx)
    if rec is None:
        return
    name = spec.MONTHS[rec.month - 1]
    for code in rec.missing_in_export:
        row = rec.table.at(rec.index[code])
        yield ctx.finding(
            rec.sheet,
            row.ref(spec.COL_KODE_RO),
            f"RO {code} ada di lembar {name}, tetapi tidak ada di ekspor SAKTI bulan {name}.",
            ro=code,
            value=code,
            suggestion="lengkapi entri Capaian Output RO ini di SAKTI, atau periksa Kode RO-nya",
        )
    header = spec.cell_ref(rec.table.header_row or 1, rec.table.columns[spec.COL_KODE_RO])
    for code in rec.missing_in_workbook:
        yield ctx.finding(
            rec.sheet,
            header,
            f"RO {code} ada di ekspor SAKTI bulan {name}, tetapi tidak ada di lembar {name}.",
            ro=code,
            value=code,
            suggestion="tambahkan RO ini ke Referensi RO dan lembar bulan, atau periksa entri SAKTI-nya",
        )


@rule("REK-NILAI", "error", "Angka buku kerja berbeda dengan ekspor SAKTI")
def rek_nilai(ctx: Context) -> Iterator[Finding]:
    """A figure of the month differs between the workbook and the SAKTI export.

    Periksa: Untuk setiap RO yang ada di buku kerja dan di ekspor SAKTI/OMSPAN bulan itu, Realisasi
        Volume Bulan Ini, Progres Capaian (%) dan Realisasi Anggaran Bulan Ini (Rp) sama dengan angka
        ekspor (volume dan persen sampai 2 desimal, anggaran sampai rupiah; angka ekspor yang hanya
        kumulatif dikurangi bulan-bulan sebelumnya). Catatan sel menyebut kedua angka.
    Contoh salah: Realisasi Anggaran Juni di buku kerja 12.500.000, di ekspor SAKTI 12.750.000.
    Contoh benar: Keduanya 12.750.000.
    Perbaikan: Cari mana yang benar (SPJ, SP2D): perbaiki sel buku kerja (atau isi dengan sopxl impor …
        --timpa), atau perbaiki entri di SAKTI lalu unduh ulang ekspornya.
    """
    if ctx.data.ekspor is None:
        yield from _carried(ctx)
        return
    rec = _reconciliation(ctx)
    if rec is None:
        return
    from sopxl.read.ekspor import FIELD_COLUMNS, FIGURE_FIELDS, same_value

    name = spec.MONTHS[rec.month - 1]
    columns = [FIELD_COLUMNS[f] for f in FIGURE_FIELDS]
    for code, figures in rec.figures.items():
        i = rec.index[code]
        row = rec.table.at(i)
        for column in columns:
            if column not in figures.values or column not in rec.table.columns:
                continue
            value = figures.values[column]
            held = row.get(column)
            if same_value(column, held, value):
                continue
            yield ctx.finding(
                rec.sheet,
                row.ref(column),
                f"{column} RO {code} bulan {name}: buku kerja {format_value(held)}, ekspor SAKTI "
                f"{format_value(value)}.",
                ro=code,
                value=held,
                suggestion=f"samakan dengan ekspor SAKTI ({format_value(value)}), atau perbaiki entri SAKTI",
            )
