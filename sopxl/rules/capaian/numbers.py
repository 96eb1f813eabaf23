"""The numbers of a month, one cell at a time: text in a number column, negative
amounts, percents outside 0–100 or written as fractions, fractions of a countable unit."""

from __future__ import annotations

import math
from collections.abc import Iterator
from operator import gt, lt
from typing import Final, cast

from sopxl.core import spec
from sopxl.core.findings import Finding
from sopxl.core.parse import format_number, format_percent, format_rupiah, parse_number
from sopxl.read.workbook import CellError
from sopxl.rules.base import Context
from sopxl.rules.capaian.facts import TOLERANCE, above, cap_rule, facts, not_a_number

_VOLUME_AMOUNT_COLUMNS: Final = (spec.COL_TARGET_VOLUME, spec.COL_RVRO, spec.COL_RVRO_KUM, spec.COL_ANGGARAN)
_PERCENT_COLUMNS: Final = (spec.COL_PROGRES, spec.COL_TARGET_PROGRES)
_VOLUME_COLUMNS: Final = (spec.COL_RVRO, spec.COL_RVRO_KUM, spec.COL_TARGET_VOLUME)


@cap_rule("CAP-ANGKA", "error", "Kolom angka berisi teks")
def cap_angka(ctx: Context) -> Iterator[Finding]:
    """A number column holds text; the suggestion gives the number it most likely means.

    Periksa: kolom angka (target, volume, progres, anggaran) berisi angka, bukan teks.
    Contoh salah: Realisasi Anggaran Bulan Ini berisi teks "Rp 5.000.000", Realisasi Volume Bulan Ini berisi "10 paket".
    Contoh benar: Realisasi Anggaran Bulan Ini berisi angka 5000000; Realisasi Volume Bulan Ini berisi 10.
    Perbaikan: ketik ulang nilainya sebagai angka saja, tanpa "Rp", satuan atau titik ribuan; desimal memakai koma (12,5).
    """
    # Truth values and dates in a number column are reported too; NaN or infinity are not typed.
    for md in facts(ctx).checked():
        for column in [c for c in spec.MONTH_NUMBER_COLUMNS if md.has(c)]:
            raws = md.raw(column)
            for i in md.not_numbers(column):
                value = raws[i]
                if isinstance(value, CellError):
                    continue  # STR-FORMULA-ERROR's
                if isinstance(value, float | int) and not isinstance(value, bool):
                    continue  # NaN or infinity: not something a person typed
                guess = parse_number(value) if isinstance(value, str) else None
                yield ctx.finding(
                    md.sheet,
                    md.row(i).ref(column),
                    not_a_number(column, value),
                    ro=md.codes[i],
                    value=value,
                    suggestion=f"tulis {format_number(guess, thousands=False)} sebagai angka"
                    if guess is not None
                    else f"tulis {column} sebagai angka",
                )


@cap_rule("CAP-NEGATIF", "error", "Volume atau nilai uang negatif")
def cap_negatif(ctx: Context) -> Iterator[Finding]:
    """A volume or an amount is negative.

    Periksa: Target Volume, Realisasi Volume (bulan ini dan kumulatif) dan Realisasi Anggaran tidak bernilai negatif.
    Contoh salah: Realisasi Volume Bulan Ini -3.
    Contoh benar: Realisasi Volume Bulan Ini 3 (atau 0 bila bulan ini tidak ada realisasi).
    Perbaikan: hapus tanda minus yang salah ketik; koreksi bulan lalu dilakukan di lembar bulan lalu, bukan dengan angka negatif.
    """
    for md in facts(ctx).checked():
        for column in [c for c in _VOLUME_AMOUNT_COLUMNS if md.has(c)]:
            nums = md.num(column)
            for i in md.numbers_where(column, lt, 0.0):
                number = nums[i]
                assert number is not None
                shown = format_rupiah(number) if column == spec.COL_ANGGARAN else format_number(number)
                yield ctx.finding(
                    md.sheet,
                    md.row(i).ref(column),
                    f"{column} bernilai negatif ({shown}); volume dan nilai uang tidak boleh negatif.",
                    ro=md.codes[i],
                    value=number,
                    suggestion=f"tulis {format_number(-number, thousands=False)} bila tanda minus salah "
                    "ketik, atau 0",
                )


@cap_rule("CAP-PERSEN", "error", "Progres Capaian di luar 0–100")
def cap_persen(ctx: Context) -> Iterator[Finding]:
    """Progres Capaian is below 0 or above 100.

    Periksa: Progres Capaian (%) berada di antara 0 dan 100.
    Contoh salah: Progres Capaian 120.
    Contoh benar: Progres Capaian 100 (paling tinggi), atau progres kumulatif sebenarnya, misalnya 75.
    Perbaikan: tulis progres kumulatif RO sampai bulan ini sebagai persen 0–100.
    """
    for md in facts(ctx).checked():
        if not md.has(spec.COL_PROGRES):
            continue
        nums = md.num(spec.COL_PROGRES)
        for i in sorted(md.numbers_where(spec.COL_PROGRES, lt, 0.0) + md.numbers_where(spec.COL_PROGRES, gt, 100.0)):
            number = nums[i]
            assert number is not None
            if number >= 0 and not above(number, 100):
                continue
            yield ctx.finding(
                md.sheet,
                md.row(i).ref(spec.COL_PROGRES),
                f"Progres Capaian {format_percent(number)} di luar rentang 0–100 %.",
                ro=md.codes[i],
                value=number,
                suggestion="Progres Capaian tidak boleh negatif; tulis progres kumulatif 0–100"
                if number < 0
                else "Progres Capaian paling tinggi 100; tulis progres kumulatif 0–100",
            )


@cap_rule("CAP-PERSEN-PECAHAN", "warning", "Persen kemungkinan ditulis sebagai pecahan")
def cap_persen_pecahan(ctx: Context) -> Iterator[Finding]:
    """A percent between 0 and 1 exclusive: probably a fraction (0,45 for 45 %).

    Periksa: kolom persen (Progres Capaian, Target Progres) ditulis 0–100, bukan pecahan 0–1.
    Contoh salah: Progres Capaian 0,45 (maksudnya 45 %).
    Contoh benar: Progres Capaian 45.
    Perbaikan: kalikan 100: tulis 45, bukan 0,45; jangan memakai format persen Excel pada sel ini.
    """
    for md in facts(ctx).checked():
        for column in [c for c in _PERCENT_COLUMNS if md.has(c)]:
            nums = md.num(column)
            for i in md.numbers_where(column, lt, 1.0):
                number = nums[i]
                assert number is not None
                if number <= 0:
                    continue
                meant = number * 100
                yield ctx.finding(
                    md.sheet,
                    md.row(i).ref(column),
                    f"{column} bernilai {format_number(number)}: kemungkinan ditulis sebagai pecahan "
                    "(kolom persen berisi 0–100, 45 berarti 45 %).",
                    ro=md.codes[i],
                    value=number,
                    suggestion=f"bila maksudnya {format_percent(meant)}, tulis "
                    f"{format_number(meant, thousands=False)}",
                )


@cap_rule("CAP-DESIMAL", "warning", "Volume pecahan untuk satuan yang dihitung utuh")
def cap_desimal(ctx: Context) -> Iterator[Finding]:
    """A volume is not a whole number while the RO's unit is counted in whole units.

    Periksa: Realisasi Volume Bulan Ini, Realisasi Volume Kumulatif dan Target Volume berupa bilangan bulat bila satuannya dihitung utuh (Orang, Dokumen, Laporan, Layanan, Unit, Paket, Kegiatan, Rekomendasi, Sarana, Peserta).
    Contoh salah: Realisasi Volume Bulan Ini 2,5 untuk RO bersatuan Orang.
    Contoh benar: Realisasi Volume Bulan Ini 2 atau 3 Orang, sesuai jumlah yang benar-benar selesai.
    Perbaikan: tulis jumlah utuh yang sudah tercapai; sisa yang belum selesai dicatat pada bulan berikutnya.
    """
    # Units: setting `satuan_bulat`, matched with the Satuan of Referensi RO (a month's own
    # Satuan is CAP-SATUAN's). A Realisasi Volume Kumulatif whose fraction comes from the entries
    # (their running sum is not whole either) is left alone: the entry that brought it is reported.
    f = facts(ctx)
    countable = {spec.norm(name) for name in ctx.settings.satuan_bulat}
    units = {  # the ROs counted in whole units, with their Satuan
        code: unit.strip()
        for code, row in f.reference.items()
        if isinstance(unit := row.get(spec.COL_SATUAN), str) and spec.norm(unit) in countable
    }
    for md in f.checked():
        cum = f.cum_volume[md.number]
        counted = md.where(map(units.__contains__, md.codes))
        for column in [c for c in _VOLUME_COLUMNS if md.has(c)]:
            nums = md.num(column)
            for i in md.fractional(column, counted):
                number, code = nums[i], md.codes[i]
                if number is None or not math.isfinite(number) or _whole(number):
                    continue
                if column == spec.COL_RVRO_KUM and not _whole(cum.get(cast(str, code))):
                    continue  # the fraction of an entry, reported at the entry
                assert code is not None
                unit = units[code]
                low, high = math.floor(number), math.ceil(number)
                yield ctx.finding(
                    md.sheet,
                    md.row(i).ref(column),
                    f"{column} RO {code} bulan {md.name} bernilai {format_number(number)}, padahal "
                    f"satuan {unit} dihitung utuh.",
                    ro=code,
                    value=number,
                    suggestion=f"tulis bilangan bulat {unit}: {format_number(low, thousands=False)} atau "
                    f"{format_number(high, thousands=False)}, sesuai jumlah yang benar-benar tercapai",
                )


def _whole(number: float | None) -> bool:
    """A whole number within the tolerance (an unknown number counts as whole)."""
    return number is None or abs(number - round(number)) <= TOLERANCE * max(1.0, abs(number))
