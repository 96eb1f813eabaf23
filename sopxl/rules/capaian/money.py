"""Realisasi Anggaran against the RO's Pagu and the month's Rencana Penarikan Dana."""

from __future__ import annotations

import math
from collections.abc import Iterator
from itertools import repeat
from operator import gt, mul, sub

from sopxl.core import spec
from sopxl.core.findings import Finding
from sopxl.core.parse import format_number, format_percent, format_rupiah
from sopxl.read.tables import is_blank
from sopxl.rules.base import Context
from sopxl.rules.capaian.facts import above, cap_rule, facts


@cap_rule("CAP-PAGU", "error", "Realisasi Anggaran kumulatif melebihi Pagu")
def cap_pagu(ctx: Context) -> Iterator[Finding]:
    """The running Realisasi Anggaran of an RO goes over its Pagu.

    Periksa: jumlah Realisasi Anggaran Bulan Ini sejak Januari tidak melebihi Pagu RO di Referensi RO. Realisasi yang tertulis sebagai teks ("Rp 5.000.000") dihitung dengan angkanya, dan pesannya menyebut hal itu.
    Contoh salah: Pagu Rp 128.300.000, realisasi sampai Agustus Rp 130.800.000.
    Contoh benar: realisasi kumulatif paling banyak Rp 128.300.000; realisasi Agustus paling banyak sisa pagu.
    Perbaikan: periksa realisasi bulanan (angka ganda, salah RO, salah ketik nol); bila pagu direvisi, ubah Pagu di Referensi RO.
    """
    # Once per RO, in the month whose entry takes the running sum over the pagu.
    f = facts(ctx)
    pagus = f.ref_numbers(spec.COL_PAGU)
    for md, code, i, total, pagu, previous in f.first_excess(f.cum_budget, pagus, spec.COL_ANGGARAN):
        row = md.row(i)
        yield ctx.finding(
            md.sheet,
            row.ref(spec.COL_ANGGARAN),
            f"Realisasi Anggaran kumulatif RO {code} sampai bulan {md.name} "
            f"({format_rupiah(total)}){f.read_from_text(spec.COL_ANGGARAN, code, md.number)} melebihi "
            f"Pagu ({format_rupiah(pagu)}) sebesar "
            f"{format_rupiah(total - pagu)}.",
            ro=code,
            value=row.get(spec.COL_ANGGARAN),
            suggestion=f"Realisasi Anggaran bulan {md.name} paling banyak "
            f"{format_rupiah(max(0.0, pagu - previous))} agar tidak melebihi Pagu",
        )


@cap_rule("CAP-DEVIASI-RPD", "warning", "Realisasi Anggaran menyimpang dari RPD tanpa keterangan")
def cap_deviasi_rpd(ctx: Context) -> Iterator[Finding]:
    """The month's Realisasi Anggaran deviates from its RPD beyond the limit, Keterangan empty.

    Periksa: Realisasi Anggaran bulan itu tidak menyimpang lebih dari 5 % dari Rencana Penarikan Dana (RPD) bulan itu, kecuali Keterangan menjelaskan alasannya.
    Contoh salah: RPD April Rp 39.000.000, realisasi Rp 27.300.000 (menyimpang 30 %), Keterangan kosong.
    Contoh benar: realisasi Rp 38.500.000, atau Keterangan "Pembayaran honor narasumber bergeser ke bulan Mei".
    Perbaikan: periksa angka realisasi; bila benar, tulis alasan penyimpangan dari RPD di Keterangan.
    """
    # Limit: setting `rpd_deviation_pct`; any amount against an RPD of 0 deviates.
    f = facts(ctx)
    limit = ctx.settings.rpd_deviation_pct
    ratio = limit / 100
    for md in f.checked():
        if not md.has(spec.COL_ANGGARAN):
            continue
        notes = md.notes()
        # the rows whose |realisation - RPD| > RPD x ratio (a missing number or plan is NaN,
        # and NaN compares false)
        spent_all = md.filled(spec.COL_ANGGARAN, math.nan)
        planned = md.along(f.plan_numbers(md.number, spec.COL_RPD), math.nan)
        away = map(gt, map(abs, map(sub, spent_all, planned)), map(mul, planned, repeat(ratio)))
        for i in md.first_where(away):
            code, spent, rpd = md.codes[i], spent_all[i], planned[i]
            if rpd < 0:
                continue  # a negative plan is the plan's problem (REN rules)
            if rpd > 0:
                deviation = abs(spent - rpd) / rpd * 100
                if not above(deviation, limit):
                    continue
                shown = f"menyimpang {format_percent(deviation)}"
            else:
                if not above(spent, 0.0):
                    continue
                shown = "padahal RPD bulan ini 0"
            if notes is not None and not is_blank(notes[i]):
                continue
            yield ctx.finding(
                md.sheet,
                md.row(i).ref(spec.COL_ANGGARAN),
                f"Realisasi Anggaran RO {code} bulan {md.name} ({format_rupiah(spent)}) {shown} dari "
                f"Rencana Penarikan Dana ({format_rupiah(rpd)}); batas {format_number(limit)} %, "
                "Keterangan kosong.",
                ro=code,
                value=spent,
                suggestion=f"{md.explain_hint()} dengan alasan realisasi {format_rupiah(spent)} berbeda dari RPD "
                f"{format_rupiah(rpd)}",
            )
