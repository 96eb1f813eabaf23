"""How an RO progresses over the months: Progres Capaian, the running volume and the
running budget against each other, the targets and the plan."""

from __future__ import annotations

import math
from collections.abc import Iterator
from itertools import repeat
from operator import and_, eq, ge, gt, lt, mul, ne, or_, sub

from sopxl.core import spec
from sopxl.core.findings import Finding
from sopxl.core.parse import format_number, format_percent, format_rupiah, format_value
from sopxl.read.formulas import column_formulas, moved
from sopxl.read.tables import is_blank
from sopxl.rules.base import Context
from sopxl.rules.capaian.facts import (
    ALMOST_100,
    TOLERANCE,
    above,
    below,
    cap_rule,
    facts,
    fill,
    same,
)


@cap_rule("CAP-PROGRES-TURUN", "error", "Progres Capaian turun dari bulan sebelumnya")
def cap_progres_turun(ctx: Context) -> Iterator[Finding]:
    """Progres Capaian is lower than the RO's last Progres Capaian of an earlier month.

    Periksa: Progres Capaian bersifat kumulatif, jadi tidak boleh lebih rendah dari bulan sebelumnya.
    Contoh salah: Progres Capaian Mei 40 padahal April 50.
    Contoh benar: Progres Capaian Mei 50 atau lebih (misalnya 60).
    Perbaikan: tulis progres kumulatif sampai bulan ini, paling sedikit progres bulan sebelumnya; bila bulan lalu yang salah, perbaiki bulan lalu.
    """
    last: dict[str, float] = {}  # RO -> its last Progres Capaian so far
    seen: list[tuple[str, dict[str, float]]] = []  # (month, its Progres Capaian by RO) so far
    for md in facts(ctx).checked():
        if not md.has(spec.COL_PROGRES):
            continue
        nums = md.num(spec.COL_PROGRES)
        before = md.along(last)
        for i in md.first_where(map(lt, md.filled(spec.COL_PROGRES, math.inf), fill(before, -math.inf))):
            code, number, prior = md.codes[i], nums[i], before[i]
            assert code is not None and number is not None
            if below(number, prior):
                prior_month = next(name for name, values in reversed(seen) if code in values)
                yield ctx.finding(
                    md.sheet,
                    md.row(i).ref(spec.COL_PROGRES),
                    f"Progres Capaian RO {code} bulan {md.name} ({format_percent(number)}) lebih "
                    f"rendah dari bulan {prior_month} ({format_percent(prior)}); progres bersifat "
                    "kumulatif.",
                    ro=code,
                    value=number,
                    suggestion=f"tulis progres kumulatif paling sedikit {format_number(prior, thousands=False)}",
                )
        now = md.by_code(spec.COL_PROGRES)
        last.update(now)
        seen.append((md.name, now))


@cap_rule("CAP-KUMULATIF", "error", "Realisasi Volume Kumulatif tidak sama dengan jumlah bulanan")
def cap_kumulatif(ctx: Context) -> Iterator[Finding]:
    """Realisasi Volume Kumulatif is not the running sum of Realisasi Volume Bulan Ini.

    Periksa: Realisasi Volume Kumulatif sama dengan jumlah Realisasi Volume Bulan Ini dari Januari sampai bulan ini (tidak dinilai selama Realisasi Volume Bulan Ini RO itu masih berupa teks: CAP-ANGKA lebih dulu).
    Contoh salah: Realisasi Volume Bulan Ini Januari 10, Februari 15, Maret 20, tetapi Kumulatif Maret 40.
    Contoh benar: Realisasi Volume Kumulatif Maret 45 (10 + 15 + 20).
    Perbaikan: pakai rumus penjumlahan bulan sebelumnya, atau tulis jumlah yang benar; periksa juga realisasi bulan-bulan sebelumnya. Bila baris lain kolom ini berisi rumus dan sel ini berisi angka yang diketik di atas rumusnya, kembalikan rumusnya (catatan sel menyebut rumus baris itu), jangan mengetik angka lain.
    """
    # A number typed over the column's formula (other rows of the month hold one, this row a
    # constant) is answered with the formula to restore, moved to the row, not a number: a
    # typed number would stay wrong as soon as an earlier month changes.
    f = facts(ctx)
    for md in f.checked():
        if not md.has(spec.COL_RVRO_KUM) or not md.has(spec.COL_RVRO):
            continue
        cum = f.cum_volume[md.number]
        raws, nums = md.raw(spec.COL_RVRO_KUM), md.num(spec.COL_RVRO_KUM)
        month_raws = md.raw(spec.COL_RVRO)
        formulas: dict[int, str] | None = None  # read once per month, when first needed
        for i in md.first_where(map(ne, md.along(cum), nums)):
            code, found = md.codes[i], nums[i]
            assert code is not None
            expected = cum.get(code, 0.0)
            if expected is None or found == expected:
                continue  # unknown running sum, or right
            if found is None:
                if raws[i] is not None or month_raws[i] is None:
                    continue  # text or error (CAP-ANGKA), or the whole entry is empty (CAP-KOSONG)
            elif same(found, expected):
                continue
            span = "Januari" if md.number == 1 else f"Januari–{md.name}"
            note = f.read_from_text(spec.COL_RVRO, code, md.number)
            row = md.row(i)
            message = (
                f"Realisasi Volume Kumulatif RO {code} bulan {md.name} ({format_value(raws[i])}) "
                f"tidak sama dengan jumlah Realisasi Volume Bulan Ini {span} ({format_number(expected)}){note}."
            )
            suggestion = f"Realisasi Volume Kumulatif seharusnya {format_number(expected)}"
            if formulas is None:
                formulas = column_formulas(ctx.data.path, md.sheet, md.table.columns[spec.COL_RVRO_KUM])
            restore = formula_to_restore(formulas, row.r)
            if restore is not None:
                held = "kosong" if found is None else "berisi angka yang diketik"
                message += f" Sel ini {held}, sedangkan baris lain kolom ini berisi rumus."
                suggestion = (
                    f"kembalikan rumus kolom ini: ={restore} (hasilnya {format_number(expected)}); "
                    "jangan mengetik angka di atas rumus"
                )
            yield ctx.finding(
                md.sheet,
                row.ref(spec.COL_RVRO_KUM),
                message,
                ro=code,
                value=raws[i],
                suggestion=suggestion,
            )


def formula_to_restore(formulas: dict[int, str], row: int) -> str | None:
    """The formula the neighbours of `row` hold in a column, moved to `row` (the nearest one
    above, else below), when `row` holds none while other rows do; else None."""
    if not formulas or row in formulas:
        return None
    above_rows = [r for r in formulas if r < row]
    source = max(above_rows) if above_rows else min(formulas)
    return moved(formulas[source], row - source)


@cap_rule("CAP-MELEBIHI-TARGET", "error", "Realisasi volume kumulatif melebihi Target Volume")
def cap_melebihi_target(ctx: Context) -> Iterator[Finding]:
    """The running Realisasi Volume goes over Target Volume (Statis: error, Dinamis: warning).

    Periksa: jumlah Realisasi Volume Bulan Ini sejak Januari tidak melebihi Target Volume; RO Dinamis boleh melebihi tetapi perlu diperiksa. Realisasi yang tertulis sebagai teks ("60 orang") dihitung dengan angkanya (60), dan pesannya menyebut hal itu.
    Contoh salah: RO Statis dengan Target Volume 240 Orang, realisasi sampai Juli sudah 250 Orang.
    Contoh benar: realisasi kumulatif paling banyak 240 Orang; Realisasi Volume Bulan Ini Juli paling banyak sisa target.
    Perbaikan: periksa realisasi bulanan (angka ganda atau salah ketik); RO Statis tidak boleh melebihi target, pada RO Dinamis jelaskan di Keterangan.
    """
    # Once per RO, in the month whose entry takes the running sum over the target.
    f = facts(ctx)
    targets = f.ref_numbers(spec.COL_TARGET_VOLUME)
    dinamis_key = spec.norm(spec.JENIS_DINAMIS)
    for md, code, i, total, target, previous in f.first_excess(f.cum_volume, targets, spec.COL_RVRO):
        ref_row = f.reference[code]
        dinamis = spec.norm(ref_row.get(spec.COL_JENIS_RO) or "") == dinamis_key
        row = md.row(i)
        satuan = ref_row.get(spec.COL_SATUAN)
        unit = f" {satuan.strip()}" if isinstance(satuan, str) and satuan.strip() else ""
        if dinamis:
            suggestion = "RO Dinamis boleh melebihi target; pastikan angkanya benar dan jelaskan di Keterangan"
        else:
            suggestion = (
                "RO Statis tidak boleh melebihi target: Realisasi Volume Bulan Ini paling banyak "
                f"{format_number(max(0.0, target - previous))}"
            )
        yield ctx.finding(
            md.sheet,
            row.ref(spec.COL_RVRO),
            f"Realisasi volume kumulatif RO {code} sampai bulan {md.name} "
            f"({format_number(total)}{unit}){f.read_from_text(spec.COL_RVRO, code, md.number)} melebihi "
            f"Target Volume ({format_number(target)}{unit}); "
            f"jenis RO {'Dinamis' if dinamis else 'Statis'}.",
            ro=code,
            value=row.get(spec.COL_RVRO),
            suggestion=suggestion,
            severity="warning" if dinamis else "error",
        )


@cap_rule("CAP-PROGRES-VOLUME", "warning", "Progres Capaian tidak sejalan dengan realisasi volume")
def cap_progres_volume(ctx: Context) -> Iterator[Finding]:
    """Progres Capaian 100 with volume short of the target, or the target reached below 100.

    Periksa: Progres Capaian 100 tepat ketika realisasi volume kumulatif mencapai Target Volume. Tidak dinilai bila Realisasi Volume RO itu sudah mendapat temuan (CAP-ANGKA, CAP-NEGATIF, CAP-KUMULATIF, CAP-MELEBIHI-TARGET) atau Progres Capaian ditulis sebagai pecahan (CAP-PERSEN-PECAHAN): temuan itu yang menunjuk sel yang salah.
    Contoh salah: Progres Capaian 100 padahal realisasi volume kumulatif baru 180 dari target 240 Orang.
    Contoh benar: Progres Capaian 75 untuk 180 dari 240 Orang; Progres Capaian 100 setelah 240 Orang tercapai.
    Perbaikan: periksa keduanya: bila volumenya benar, samakan Progres Capaian dengan kemajuan volume; bila progresnya yang benar, perbaiki Realisasi Volume.
    """
    f = facts(ctx)
    targets = f.ref_numbers(spec.COL_TARGET_VOLUME)
    # a running sum below this is still short of the target
    shrunk = {code: t - TOLERANCE * max(t, 1.0) for code, t in targets.items() if t > 0}
    for md in f.checked():
        if not md.has(spec.COL_PROGRES):
            continue
        cum = f.cum_volume[md.number]
        nums = md.num(spec.COL_PROGRES)
        # only rows at 100 % or whose volume reached the target need a look (an empty Progres
        # is never at 100 %, an unknown sum never reached, no target never)
        at_100 = map(ge, md.filled(spec.COL_PROGRES, -1.0), repeat(ALMOST_100))
        reached = map(ge, fill(md.along(cum), -math.inf), md.along(shrunk, math.inf))
        for i in md.first_where(map(or_, at_100, reached)):
            code, progres = md.codes[i], nums[i]
            assert code is not None
            if progres is None or progres < 0:
                continue
            target = targets.get(code)
            total = cum.get(code, 0.0)
            if target is None or target <= 0 or total is None:
                continue
            short = target - total > TOLERANCE * max(target, 1.0)  # volume still below target
            note = f.read_from_text(spec.COL_RVRO, code, md.number)
            if progres < ALMOST_100:
                if short:
                    continue  # both still on the way
                # Either cell may be the wrong one: both readings are offered, neither asserted.
                message = (
                    f"Realisasi volume kumulatif RO {code} sampai bulan {md.name} ({format_number(total)}){note} "
                    f"sudah mencapai Target Volume ({format_number(target)}) tetapi Progres Capaian baru "
                    f"{format_percent(progres)}."
                )
                suggestion = (
                    f"periksa Progres Capaian atau Realisasi Volume: bila volume {format_number(total)} benar, "
                    f"Progres Capaian 100; bila progres {format_percent(progres)} benar, realisasi volume "
                    f"kumulatif sekitar {format_number(progres / 100 * target, max_decimals=2)}"
                )
            elif short and same(progres, 100):
                message = (
                    f"Progres Capaian RO {code} bulan {md.name} 100 % padahal realisasi volume "
                    f"kumulatif baru {format_number(total)}{note} dari Target Volume {format_number(target)}."
                )
                suggestion = (
                    f"periksa Progres Capaian atau Realisasi Volume: volume {format_number(total)} dari "
                    f"{format_number(target)} setara {format_percent(total / target * 100)}"
                )
            else:
                continue
            yield ctx.finding(
                md.sheet,
                md.row(i).ref(spec.COL_PROGRES),
                message,
                ro=code,
                value=progres,
                suggestion=suggestion,
            )


@cap_rule("CAP-KENDALA", "error", "Progres di bawah target tanpa Kendala dan Tindak Lanjut")
def cap_kendala(ctx: Context) -> Iterator[Finding]:
    """Progres Capaian below Target Progres while Kendala or Tindak Lanjut is empty.

    Periksa: RO yang progresnya di bawah Target Progres bulan itu mempunyai Kendala dan Tindak Lanjut. Progres yang ditulis sebagai pecahan (0,25 untuk 25 %) atau di luar 0–100 dilaporkan CAP-PERSEN-PECAHAN atau CAP-PERSEN, bukan di sini.
    Contoh salah: Progres Capaian 40 dengan Target Progres 55, Kendala dan Tindak Lanjut kosong.
    Contoh benar: Kendala "Angkatan pelatihan diundur karena narasumber berhalangan", Tindak Lanjut "Menjadwalkan ulang angkatan pada bulan berikutnya".
    Perbaikan: tulis kendala yang membuat progres tertinggal dan langkah tindak lanjutnya.
    """
    # Target Progres of Rencana, else of the month's own column.
    f = facts(ctx)
    for md in f.checked():
        text_columns = [c for c in (spec.COL_KENDALA, spec.COL_TINDAK_LANJUT) if md.has(c)]
        if not md.has(spec.COL_PROGRES) or not text_columns:
            continue
        nums = md.num(spec.COL_PROGRES)
        plan = f.plan_numbers(md.number, spec.COL_TARGET_PROGRES)
        own_targets = md.num(spec.COL_TARGET_PROGRES) if md.has(spec.COL_TARGET_PROGRES) else None
        texts = [(c, md.raw(c)) for c in text_columns]
        # the rows below their plan, or without a plan (an empty Progres is never below; no
        # plan is always "below" and looked at with the month's own Target Progres)
        planned = md.along(plan)
        for i in md.first_where(map(lt, md.filled(spec.COL_PROGRES, math.inf), fill(planned, math.inf))):
            code, progres, target = md.codes[i], nums[i], planned[i]
            assert code is not None and progres is not None
            if target is None and own_targets is not None:
                target = own_targets[i]
            if target is None or progres >= target or not below(progres, target):
                continue
            empty = [c for c, values in texts if is_blank(values[i])]
            if not empty:
                continue
            which = " dan ".join(empty)
            yield ctx.finding(
                md.sheet,
                md.row(i).ref(empty[0]),
                f"Progres Capaian RO {code} bulan {md.name} ({format_percent(progres)}) di bawah "
                f"Target Progres ({format_percent(target)}) tetapi {which} kosong.",
                ro=code,
                value=progres,
                suggestion=f"isi {which} karena progres {format_percent(progres)} di bawah target "
                f"{format_percent(target)}",
            )


@cap_rule("CAP-PROGRES-ANGGARAN", "warning", "Progres Capaian tidak sejalan dengan penyerapan anggaran")
def cap_progres_anggaran(ctx: Context) -> Iterator[Finding]:
    """Progres Capaian and the RO's budget absorption differ beyond the limit, Keterangan empty.

    Periksa: Progres Capaian sejalan dengan penyerapan anggaran RO (realisasi anggaran kumulatif dibagi Pagu); selisih lebih dari 20 poin (5 poin untuk RO Prioritas Nasional) perlu dijelaskan di Keterangan. Tidak dinilai selama Realisasi Anggaran RO itu masih berupa teks (CAP-ANGKA lebih dulu).
    Contoh salah: Progres Capaian 80 padahal realisasi anggaran kumulatif baru Rp 300.000.000 dari Pagu Rp 1.000.000.000 (penyerapan 30 %), Keterangan kosong.
    Contoh benar: Progres Capaian 35 dengan penyerapan 30 %, atau Keterangan "Pembayaran honor narasumber menunggu SPM bulan depan".
    Perbaikan: periksa Progres Capaian dan Realisasi Anggaran; bila keduanya benar, tulis alasan selisihnya di Keterangan.
    """
    # Absorption: running Realisasi Anggaran / Pagu x 100; limit: `selisih_progres_anggaran`,
    # `selisih_progres_anggaran_pn` for an RO of Prioritas Nasional. Progres Capaian 0 with money
    # spent is CAP-BELANJA-TANPA-PROGRES's; a percent other rules reject (below 1:
    # CAP-PERSEN-PECAHAN, above 100: CAP-PERSEN) is left to them.
    f = facts(ctx)
    settings = ctx.settings
    pagus = {code: p for code, p in f.ref_numbers(spec.COL_PAGU).items() if p > 0}
    per_rupiah = {code: 100 / p for code, p in pagus.items()}  # absorption points per rupiah spent
    limits = {
        code: settings.selisih_progres_anggaran_pn if code in f.prioritas_nasional else settings.selisih_progres_anggaran
        for code in pagus
    }
    for md in f.checked():
        if not md.has(spec.COL_PROGRES) or not pagus:
            continue
        cum = f.cum_budget[md.number]
        nums = md.num(spec.COL_PROGRES)
        notes = md.notes()
        # the rows whose |progres - spent x 100 / pagu| > limit (a missing number, sum, pagu
        # or limit is NaN, and NaN compares false)
        absorption = map(mul, fill(md.along(cum, 0.0), math.nan), md.along(per_rupiah, math.nan))
        gaps = map(abs, map(sub, md.filled(spec.COL_PROGRES, math.nan), absorption))
        for i in md.first_where(map(gt, gaps, md.along(limits, math.nan))):
            code, progres = md.codes[i], nums[i]
            assert code is not None and progres is not None
            total = cum.get(code, 0.0)
            if total is None or progres < 1 or above(progres, 100):
                continue
            pagu, limit = pagus[code], limits[code]
            spent = total / pagu * 100
            gap = abs(progres - spent)
            if not above(gap, limit) or (notes is not None and not is_blank(notes[i])):
                continue
            pn = " untuk RO Prioritas Nasional" if code in f.prioritas_nasional else ""
            yield ctx.finding(
                md.sheet,
                md.row(i).ref(spec.COL_PROGRES),
                f"Progres Capaian RO {code} bulan {md.name} ({format_percent(progres)}) berselisih "
                f"{format_number(gap, max_decimals=2)} poin dengan penyerapan anggarannya "
                f"({format_percent(spent)}: realisasi kumulatif {format_rupiah(total)} dari Pagu "
                f"{format_rupiah(pagu)}); batas {format_number(limit)} poin{pn}, Keterangan kosong.",
                ro=code,
                value=progres,
                suggestion=f"periksa Progres Capaian dan Realisasi Anggaran; bila keduanya benar, "
                f"{md.explain_hint()} dengan alasan progres {format_percent(progres)} sedangkan "
                f"penyerapan {format_percent(spent)}",
            )


@cap_rule("CAP-BELANJA-TANPA-PROGRES", "warning", "Anggaran terserap tetapi Progres Capaian masih 0")
def cap_belanja_tanpa_progres(ctx: Context) -> Iterator[Finding]:
    """Money spent on an RO while its Progres Capaian is 0 or empty, Keterangan empty.

    Periksa: RO yang anggarannya sudah terpakai mempunyai Progres Capaian, atau Keterangan yang menjelaskan mengapa belum ada progres. Tidak dinilai selama Realisasi Anggaran RO itu masih berupa teks (CAP-ANGKA lebih dulu).
    Contoh salah: realisasi anggaran sampai Februari Rp 78.000.000, Progres Capaian 0, Keterangan kosong.
    Contoh benar: Progres Capaian sesuai pekerjaan yang sudah selesai, atau Keterangan "Belanja persiapan pelatihan; angkatan pertama dimulai Maret".
    Perbaikan: isi Progres Capaian sesuai kemajuan pekerjaan; bila memang belum ada output, tulis alasan belanjanya di Keterangan.
    """
    f = facts(ctx)
    for md in f.checked():
        if not md.has(spec.COL_PROGRES):
            continue
        cum = f.cum_budget[md.number]
        raws, nums = md.raw(spec.COL_PROGRES), md.num(spec.COL_PROGRES)
        notes = md.notes()
        nothing = map(eq, md.filled(spec.COL_PROGRES, 0.0), repeat(0.0))  # 0, empty, or not a number (below)
        spent = map(gt, fill(md.along(cum), math.nan), repeat(0.0))
        for i in md.first_where(map(and_, nothing, spent)):
            code, total = md.codes[i], cum.get(md.codes[i] or "")
            assert code is not None and total is not None
            if (nums[i] is None and raws[i] is not None) or not above(total, 0.0):
                continue  # text or an error value: CAP-ANGKA, STR-FORMULA-ERROR
            if notes is not None and not is_blank(notes[i]):
                continue
            shown = "kosong" if raws[i] is None else "0 %"
            yield ctx.finding(
                md.sheet,
                md.row(i).ref(spec.COL_PROGRES),
                f"Realisasi Anggaran kumulatif RO {code} sampai bulan {md.name} sudah {format_rupiah(total)} "
                f"tetapi Progres Capaian {shown}; Keterangan kosong.",
                ro=code,
                value=raws[i],
                suggestion=f"isi Progres Capaian sesuai kemajuan pekerjaan; bila memang belum ada output, "
                f"{md.explain_hint()} dengan alasan belanja {format_rupiah(total)} tanpa progres "
                "(misalnya belanja persiapan kegiatan)",
            )
