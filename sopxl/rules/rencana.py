"""Rules of the rencana group (see ../shared/spec/rules.md): the monthly plan."""

from __future__ import annotations

from collections.abc import Iterator

from sopxl.core import spec
from sopxl.core.findings import Finding
from sopxl.read.workbook import CellError, Row, is_blank
from sopxl.rules.base import Context, rule
from sopxl.rules.referensi import code_key, num, number_or_text, rupiah, show, typed, usable


def _reference_keys(ctx: Context) -> dict[str, Row] | None:
    table = ctx.data.referensi
    if not usable(table, spec.COL_KODE_RO):
        return None
    result: dict[str, Row] = {}
    for code, row in ctx.reference.items():
        result.setdefault(code_key(code), row)
    return result


def _month_list(months: list[int]) -> str:
    return ", ".join(spec.MONTHS[m - 1] for m in months)


@rule("REN-RO", "error", "Rencana tidak lengkap atau memuat RO asing")
def rencana_ro(ctx: Context) -> Iterator[Finding]:
    """Rencana names an RO unknown to Referensi RO, or lacks an RO's plan for a month.

    Periksa: Lembar Rencana memuat satu baris untuk setiap RO dari Referensi RO pada setiap bulan
        Januari sampai Desember; setiap baris memiliki Kode RO yang ada di Referensi RO dan Bulan
        berupa nama bulan atau angka 1–12, tanpa baris ganda.
    Contoh salah: RO 013.07.WA.4293.EBA.962 hanya direncanakan Januari sampai November, atau
        baris rencana dengan Kode RO 013.07.WA.4293.EBA.999 yang tidak ada di Referensi RO.
    Contoh benar: 12 baris rencana RO 013.07.WA.4293.EBA.962, Bulan Januari sampai Desember.
    Perbaikan: Tambahkan baris rencana bulan yang kurang (dengan Target Progres dan Rencana
        Penarikan Dana), perbaiki Kode RO atau Bulan yang salah, dan hapus baris ganda.
    """
    plan = ctx.plan
    table = ctx.data.rencana
    if plan is None or table is None:
        return
    reference = _reference_keys(ctx)
    found: list[tuple[int, int, Finding]] = []  # (sheet row, order within the row, finding)
    for row in map(table.at, plan.blank_code):
        found.append((row.r, 0, ctx.finding(
            table.sheet, row.ref(spec.COL_KODE_RO),
            f"Baris rencana {row.r} tidak memuat Kode RO.",
            suggestion="Isi Kode RO yang ada di lembar Referensi RO, atau hapus baris ini.",
        )))
    if reference is not None:
        unknown = {key for key in plan.by_ro if key not in reference}
        for key, rows in plan.rows_naming(unknown).items():
            code = plan.codes[key]
            for row in map(table.at, rows):
                found.append((row.r, 0, ctx.finding(
                    table.sheet, row.ref(spec.COL_KODE_RO),
                    f"RO {code} pada rencana tidak ada di lembar {spec.SHEET_REFERENSI}.",
                    ro=code, value=code,
                    suggestion=f"Perbaiki Kode RO agar sama dengan {spec.SHEET_REFERENSI}, atau "
                    f"tambahkan RO ini ke {spec.SHEET_REFERENSI}.",
                )))
    for i, code in plan.bad_month:
        row = table.at(i)
        month_value = row.get(spec.COL_BULAN)
        found.append((row.r, 1, ctx.finding(
            table.sheet, row.ref(spec.COL_BULAN),
            f"Bulan {show(month_value)} pada rencana RO {code} tidak dikenali.",
            ro=code, value=month_value,
            suggestion="Isi nama bulan (Januari … Desember) atau angka 1–12.",
        )))
    for i, code, month, j in plan.duplicates:
        row, earlier = table.at(i), table.at(j)
        found.append((row.r, 1, ctx.finding(
            table.sheet, row.ref(spec.COL_KODE_RO),
            f"Rencana RO {code} bulan {spec.MONTHS[month - 1]} ganda: sudah ada di baris "
            f"{earlier.r}.",
            ro=code, value=code,
            suggestion=f"Hapus baris {row.r} atau gabungkan dengan baris {earlier.r}.",
        )))
    found.sort(key=lambda item: (item[0], item[1]))
    yield from (finding for _, _, finding in found)
    if reference is None or ctx.data.referensi is None:
        return
    ref_sheet = ctx.data.referensi.sheet
    for key, ref_row in reference.items():
        have = plan.by_ro.get(key, {})
        missing = [m for m in range(1, 13) if m not in have]
        if not missing:
            continue
        code = ref_row.kode or key
        what = "sama sekali tidak ada" if len(missing) == 12 else f"tidak ada untuk bulan {_month_list(missing)}"
        yield ctx.finding(
            ref_sheet, ref_row.ref(spec.COL_KODE_RO),
            f"Rencana RO {code} {what} di lembar {table.sheet}.",
            ro=code, value=code,
            suggestion=f"Tambahkan baris rencana RO {code} di lembar {table.sheet} untuk bulan "
            f"{_month_list(missing)} (Target Progres dan Rencana Penarikan Dana).",
        )


@rule("REN-TARGET", "error", "Target Progres rencana tidak sah")
def rencana_target(ctx: Context) -> Iterator[Finding]:
    """A Target Progres of Rencana is outside 0-100, decreases, or is not 100 in December.

    Periksa: Target Progres (%) setiap RO di lembar Rencana berupa angka 0–100 yang tidak turun
        dari bulan ke bulan (kumulatif) dan bernilai 100 pada Desember.
    Contoh salah: Target Progres Juni 50 lalu Juli 45, atau Desember 95.
    Contoh benar: Juni 50, Juli 58,33, …, Desember 100.
    Perbaikan: Isi target progres kumulatif sebagai angka persen 0–100 (45 berarti 45 %, bukan
        0,45) yang naik atau tetap setiap bulan sampai 100 pada Desember.
    """
    table = ctx.data.rencana
    plan = ctx.plan
    if plan is None or table is None or spec.COL_TARGET_PROGRES not in table.columns:
        return
    targets = table.column(spec.COL_TARGET_PROGRES)
    for key, months in plan.by_ro.items():
        code = plan.codes[key]
        previous: tuple[int, float] | None = None
        for month in sorted(months):
            i = months[month]
            value = targets[i]
            if (
                type(value) is float
                and 0.0 <= value <= 100.0
                and (previous is None or value >= previous[1])
                and (month != 12 or value == 100.0)
            ):
                previous = (month, value)  # the common, correct case
                continue
            if isinstance(value, CellError):
                continue
            cell = table.ref_at(i, spec.COL_TARGET_PROGRES)
            name = spec.MONTHS[month - 1]
            number, meant = number_or_text(value)
            if number is None:
                what = "kosong" if is_blank(value) else f"{show(value)} bukan angka"
                suggestion = (
                    f"Tulis {typed(meant)} sebagai angka."
                    if meant is not None and 0 <= meant <= 100
                    else "Isi target progres kumulatif bulan ini (0–100) sebagai angka."
                )
                yield ctx.finding(
                    table.sheet, cell,
                    f"Target Progres RO {code} bulan {name} {what}.",
                    ro=code, value=value, suggestion=suggestion,
                )
                continue
            if not 0 <= number <= 100:
                yield ctx.finding(
                    table.sheet, cell,
                    f"Target Progres RO {code} bulan {name} = {num(number)}, di luar 0–100.",
                    ro=code, value=value,
                    suggestion="Isi persen kumulatif antara 0 dan 100 (45 berarti 45 %).",
                )
            elif previous is not None and number < previous[1]:
                yield ctx.finding(
                    table.sheet, cell,
                    f"Target Progres RO {code} turun dari {num(previous[1])} "
                    f"({spec.MONTHS[previous[0] - 1]}) menjadi {num(number)} ({name}); target "
                    "progres bersifat kumulatif.",
                    ro=code, value=value,
                    suggestion=f"Isi paling sedikit {typed(previous[1])} (target kumulatif tidak "
                    "boleh turun).",
                )
            if month == 12 and number != 100:
                fraction = 0 < number <= 1
                yield ctx.finding(
                    table.sheet, cell,
                    f"Target Progres RO {code} bulan Desember {num(number)}, bukan 100.",
                    ro=code, value=value,
                    suggestion="Isi 100 (persen ditulis 0–100, bukan pecahan)."
                    if fraction
                    else "Isi 100: pada akhir tahun target progres kumulatif harus 100 %.",
                )
            if 0 <= number <= 100:
                previous = (month, number)


@rule("REN-PAGU", "warning", "Jumlah RPD berbeda dengan pagu")
def rencana_pagu(ctx: Context) -> Iterator[Finding]:
    """The year's RPD of an RO in Rencana differs from its Pagu.

    Periksa: Jumlah Rencana Penarikan Dana (Rp) setahun setiap RO di lembar Rencana sama dengan
        Pagu (Rp) RO itu di Referensi RO (selisih di bawah Rp0,50 diabaikan).
    Contoh salah: Pagu 120.000.000, RPD Januari sampai Desember masing-masing 9.000.000 (jumlah
        108.000.000).
    Contoh benar: RPD masing-masing 10.000.000 (jumlah 120.000.000).
    Perbaikan: Sesuaikan RPD di lembar Rencana dengan halaman III DIPA, atau perbaiki Pagu di
        Referensi RO.
    """
    table = ctx.data.rencana
    plan = ctx.plan
    reference = _reference_keys(ctx)
    referensi = ctx.data.referensi
    if (
        plan is None
        or table is None
        or reference is None
        or referensi is None
        or spec.COL_RPD not in table.columns
        or spec.COL_PAGU not in referensi.columns
    ):
        return
    rpds = table.column(spec.COL_RPD)
    numbers = set(map(type, rpds)) == {float}  # every RPD a number: sums at C speed
    for key, ref_row in reference.items():
        pagu, _ = number_or_text(ref_row.get(spec.COL_PAGU))
        months = plan.by_ro.get(key)
        if pagu is None or not months:
            continue  # REF-NILAI / REN-RO report these
        if numbers and abs(sum(map(rpds.__getitem__, months.values())) - pagu) < 0.25:
            continue  # well within the 0.5 the exact sum below allows
        total = 0.0
        unreadable: list[str] = []
        for month, i in sorted(months.items()):
            value = rpds[i]
            number, meant = number_or_text(value)
            if number is not None:
                total += number
            elif meant is not None:
                total += meant
                unreadable.append(spec.MONTHS[month - 1])
        difference = total - pagu
        if abs(difference) < 0.5:
            continue
        code = ref_row.kode or key
        note = (
            f" (RPD bulan {', '.join(unreadable)} berupa teks dan dihitung sebagai angkanya)"
            if unreadable
            else ""
        )
        more_less = "lebih" if difference > 0 else "kurang"
        yield ctx.finding(
            referensi.sheet, ref_row.ref(spec.COL_PAGU),
            f"Jumlah Rencana Penarikan Dana RO {code} setahun {rupiah(total)} berbeda dengan "
            f"pagunya {rupiah(pagu)}{note}.",
            ro=code, value=ref_row.get(spec.COL_PAGU),
            suggestion=f"Jumlah RPD {rupiah(total)}, pagu {rupiah(pagu)}: RPD {more_less} "
            f"{rupiah(abs(difference))}. Sesuaikan RPD di lembar {table.sheet} (halaman III DIPA) "
            "atau pagu di Referensi RO.",
        )
