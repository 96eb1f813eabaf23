"""A month's copies of the references: Satuan and Target Volume of Referensi RO, Target
Progres of Rencana."""

from __future__ import annotations

from collections.abc import Iterator
from operator import ne
from typing import Any

from sopxl.core import spec
from sopxl.core.findings import Finding
from sopxl.core.parse import format_number, format_percent, format_value
from sopxl.read.workbook import CellError
from sopxl.rules.base import Context
from sopxl.rules.capaian.facts import Month, cap_rule, facts, same


def _differing(md: Month, by_code: dict[str, Any], values: list[Any]) -> list[tuple[str, int, Any]]:
    """(code, row, expected) of the first rows whose value is not exactly `by_code`'s value
    for their RO (ROs without a value are left out)."""
    expected = md.along(by_code)
    codes = md.codes
    return [
        (code, i, expected[i])
        for i in md.first_where(map(ne, expected, values))
        if expected[i] is not None and (code := codes[i]) is not None
    ]


@cap_rule("CAP-SATUAN", "error", "Satuan berbeda dengan Referensi RO")
def cap_satuan(ctx: Context) -> Iterator[Finding]:
    """Satuan differs from Referensi RO (compared ignoring case and spacing).

    Periksa: Satuan di lembar bulan sama dengan Satuan RO itu di lembar Referensi RO.
    Contoh salah: Satuan "Paket" untuk RO yang di Referensi RO bersatuan "Orang".
    Contoh benar: Satuan "Orang", sama dengan Referensi RO.
    Perbaikan: salin Satuan dari lembar Referensi RO; bila Satuan DIPA berubah, ubah dulu Referensi RO.
    """
    f = facts(ctx)
    wanted: dict[str, str] = {}  # the Satuan as written in Referensi RO
    for code, ref_row in f.reference.items():
        satuan = ref_row.get(spec.COL_SATUAN)
        if isinstance(satuan, str) and satuan.strip():
            wanted[code] = satuan
        elif isinstance(satuan, int | float) and not isinstance(satuan, bool):
            wanted[code] = str(satuan)
    for md in f.checked():
        if not wanted or not md.has(spec.COL_SATUAN):
            continue
        raws = md.raw(spec.COL_SATUAN)
        for code, i, target in _differing(md, wanted, raws):
            value = raws[i]
            if isinstance(value, CellError) or (value is not None and spec.norm(value) == spec.norm(target)):
                continue
            shown = target.strip()
            yield ctx.finding(
                md.sheet,
                md.row(i).ref(spec.COL_SATUAN),
                f"Satuan RO {code} bulan {md.name} ({format_value(value)}) berbeda dengan "
                f"Referensi RO (\"{shown}\").",
                ro=code,
                value=value,
                suggestion=f'tulis Satuan "{shown}"',
            )


@cap_rule("CAP-TARGET", "error", "Target Volume atau Target Progres berbeda dengan Referensi RO/Rencana")
def cap_target(ctx: Context) -> Iterator[Finding]:
    """Target Volume differs from Referensi RO, or Target Progres from Rencana.

    Periksa: Target Volume sama dengan Referensi RO dan Target Progres (%) sama dengan lembar Rencana untuk RO dan bulan itu.
    Contoh salah: Target Volume 250 padahal Referensi RO menulis 240; Target Progres 40 padahal Rencana bulan itu 50.
    Contoh benar: Target Volume 240 dan Target Progres 50, sesuai Referensi RO dan Rencana.
    Perbaikan: salin target dari Referensi RO dan Rencana (atau pakai rumus yang merujuk ke lembar itu); bila DIPA direvisi, ubah Referensi RO dan Rencana lebih dulu.
    """
    f = facts(ctx)
    volumes = f.ref_numbers(spec.COL_TARGET_VOLUME)
    for md in f.checked():
        if md.has(spec.COL_TARGET_VOLUME):
            raws, nums = md.raw(spec.COL_TARGET_VOLUME), md.num(spec.COL_TARGET_VOLUME)
            for code, i, expected in _differing(md, volumes, nums):
                found = nums[i]
                if found is None and raws[i] is not None:
                    continue  # not a number: CAP-ANGKA
                if found is not None and same(found, expected):
                    continue
                yield ctx.finding(
                    md.sheet,
                    md.row(i).ref(spec.COL_TARGET_VOLUME),
                    f"Target Volume RO {code} bulan {md.name} ({format_value(raws[i])}) berbeda "
                    f"dengan Referensi RO ({format_number(expected)}).",
                    ro=code,
                    value=raws[i],
                    suggestion=f"Target Volume seharusnya {format_number(expected)} (sesuai Referensi RO)",
                )
        if md.has(spec.COL_TARGET_PROGRES):
            plan = f.plan_numbers(md.number, spec.COL_TARGET_PROGRES)
            raws, nums = md.raw(spec.COL_TARGET_PROGRES), md.num(spec.COL_TARGET_PROGRES)
            for code, i, expected in _differing(md, plan, nums):
                found = nums[i]
                if found is None and raws[i] is not None:
                    continue
                if found is not None and (same(found, expected) or (0 < found < 1 and same(found * 100, expected))):
                    continue  # equal, or written as a fraction: CAP-PERSEN-PECAHAN says so
                yield ctx.finding(
                    md.sheet,
                    md.row(i).ref(spec.COL_TARGET_PROGRES),
                    f"Target Progres RO {code} bulan {md.name} ({format_value(raws[i])}) berbeda "
                    f"dengan lembar Rencana ({format_percent(expected)}).",
                    ro=code,
                    value=raws[i],
                    suggestion=f"Target Progres seharusnya {format_number(expected)} (sesuai lembar Rencana)",
                )
