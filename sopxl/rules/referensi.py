"""Rules of the referensi group (see ../shared/spec/rules.md): the DIPA's ROs."""

from __future__ import annotations

import math
import re
from collections.abc import Iterator
from typing import Any

from sopxl.core import spec
from sopxl.core.findings import Finding
from sopxl.read.workbook import CellError, Row, Table, is_blank
from sopxl.rules.base import Context, rule


def usable(table: Table | None, *columns: str) -> bool:
    """A table whose header row was found and that has the given columns."""
    return (
        table is not None
        and table.header_row is not None
        and all(column in table.columns for column in columns)
    )


def number_or_text(value: Any) -> tuple[float | None, float | None]:
    """(the number a cell holds, the number its text most likely means)."""
    if type(value) is float and math.isfinite(value):  # the common case, without a call
        return value, None
    from sopxl.core.parse import as_number, parse_number

    number = as_number(value)
    if number is not None:
        return number, None
    if isinstance(value, str):
        return None, parse_number(value)
    return None, None


def show(value: Any) -> str:
    from sopxl.core.parse import format_value

    return format_value(value)


def num(x: float) -> str:
    from sopxl.core.parse import format_number

    return format_number(x)


def typed(x: float) -> str:
    """A number as a person types it into a cell: "1234,5", "5000000"."""
    from sopxl.core.parse import format_number

    return format_number(x, thousands=False)


def rupiah(x: float) -> str:
    from sopxl.core.parse import format_rupiah

    return format_rupiah(x)


def code_key(value: Any) -> str:
    """Kode RO as compared between sheets: trimmed, upper case."""
    return str(value).strip().upper()


def suggest_code(text: str) -> str | None:
    """A well-formed Kode RO that `text` most likely means (spaces, commas, lower case), or None."""
    candidate = re.sub(r"\s*[.,/\-\s]\s*", ".", text.strip().upper()).strip(".")
    if candidate != text and spec.RO_PATTERN.fullmatch(candidate):
        return candidate
    return None


@rule("REF-KODE", "error", "Kode RO tidak sesuai pola")
def kode_ro(ctx: Context) -> Iterator[Finding]:
    """A Kode RO of Referensi RO is empty or does not match the RO pattern.

    Periksa: Setiap Kode RO di lembar Referensi RO terisi dan mengikuti pola
        000.00.XX.0000.XXX.000 (bagian anggaran, eselon I, program, kegiatan, KRO, RO) dengan
        huruf besar.
    Contoh salah: 013.07.wa.4293.eba.962, atau 013 07 WA 4293 EBA 962
    Contoh benar: 013.07.WA.4293.EBA.962
    Perbaikan: Tulis Kode RO lengkap sesuai DIPA, dengan titik sebagai pemisah dan huruf besar;
        hapus baris yang tidak berisi RO.
    """
    table = ctx.data.referensi
    if not usable(table, spec.COL_KODE_RO):
        return
    assert table is not None
    for row in table.rows:
        value = row.get(spec.COL_KODE_RO)
        if isinstance(value, CellError):
            continue  # STR-FORMULA-ERROR
        cell = row.ref(spec.COL_KODE_RO)
        if is_blank(value):
            yield ctx.finding(
                table.sheet, cell,
                f"Kode RO kosong pada baris {row.r}, padahal baris ini berisi data RO.",
                suggestion="Isi Kode RO dengan pola 000.00.XX.0000.XXX.000, mis. "
                "013.07.WA.4293.EBA.962, atau hapus baris ini.",
            )
            continue
        text = str(value) if isinstance(value, str) else show(value)
        if spec.RO_PATTERN.fullmatch(text.strip()):
            continue
        fixed = suggest_code(text) if isinstance(value, str) else None
        suggestion = (
            f"Tulis '{fixed}'."
            if fixed
            else "Tulis Kode RO lengkap dengan pola 000.00.XX.0000.XXX.000 (bagian anggaran, "
            "eselon I, program, kegiatan, KRO, RO), mis. 013.07.WA.4293.EBA.962."
        )
        yield ctx.finding(
            table.sheet, cell,
            f"Kode RO {show(value)} tidak sesuai pola Kode RO (000.00.XX.0000.XXX.000).",
            ro=text.strip(),
            value=value,
            suggestion=suggestion,
        )


@rule("REF-DUPLIKAT", "error", "Kode RO ganda di Referensi RO")
def duplikat(ctx: Context) -> Iterator[Finding]:
    """The same Kode RO is listed twice in Referensi RO.

    Periksa: Setiap Kode RO hanya muncul satu kali di lembar Referensi RO (huruf besar/kecil dan
        spasi di tepi tidak membedakan).
    Contoh salah: 013.07.WA.4293.EBA.962 pada baris 2 dan sekali lagi pada baris 9.
    Contoh benar: 013.07.WA.4293.EBA.962 hanya pada baris 2.
    Perbaikan: Hapus baris yang berulang, atau gabungkan isinya dengan baris pertama.
    """
    table = ctx.data.referensi
    if not usable(table, spec.COL_KODE_RO):
        return
    assert table is not None
    first: dict[str, Row] = {}
    for row in table.rows:
        code = row.kode
        if code is None:
            continue
        key = code_key(code)
        if key not in first:
            first[key] = row
            continue
        earlier = first[key]
        yield ctx.finding(
            table.sheet, row.ref(spec.COL_KODE_RO),
            f"Kode RO {code} sudah ada di baris {earlier.r} ({earlier.ref(spec.COL_KODE_RO)}); "
            "setiap RO hanya boleh satu baris.",
            ro=code,
            value=code,
            suggestion=f"Hapus baris {row.r} atau gabungkan isinya dengan baris {earlier.r}.",
        )


@rule("REF-NILAI", "error", "Nilai Referensi RO tidak sah")
def nilai(ctx: Context) -> Iterator[Finding]:
    """A value of a Referensi RO row is invalid (Satuan, Jenis RO, Target Volume, Pagu).

    Periksa: Setiap baris RO di lembar Referensi RO memiliki Satuan, Jenis RO Statis atau
        Dinamis, Target Volume berupa angka lebih dari 0 dan Pagu (Rp) berupa angka 0 atau lebih.
    Contoh salah: Jenis RO "Tetap", Target Volume "12 layanan", Pagu "Rp 120.000.000".
    Contoh benar: Jenis RO Statis, Target Volume 12, Pagu 120000000.
    Perbaikan: Isi nilai sesuai DIPA: Satuan (mis. Layanan, Orang), Jenis RO Statis (realisasi
        tidak boleh melebihi target) atau Dinamis (boleh melebihi), Target Volume dan Pagu sebagai
        angka tanpa satuan, "Rp" atau titik pemisah.
    """
    table = ctx.data.referensi
    if not usable(table):
        return
    assert table is not None
    for row in table.rows:
        if row.kode is None and all(
            is_blank(row.get(c)) for c in table.columns if c != spec.COL_KODE_RO
        ):
            continue
        yield from _satuan(ctx, table, row)
        yield from _jenis(ctx, table, row)
        yield from _target_volume(ctx, table, row)
        yield from _pagu(ctx, table, row)


def _satuan(ctx: Context, table: Table, row: Row) -> Iterator[Finding]:
    if spec.COL_SATUAN not in table.columns:
        return
    value = row.get(spec.COL_SATUAN)
    if is_blank(value):
        yield ctx.finding(
            table.sheet, row.ref(spec.COL_SATUAN),
            "Satuan RO kosong.",
            ro=row.kode,
            suggestion="Isi satuan sesuai DIPA, mis. Orang, Dokumen, Layanan, Paket.",
        )


def _jenis(ctx: Context, table: Table, row: Row) -> Iterator[Finding]:
    if spec.COL_JENIS_RO not in table.columns:
        return
    value = row.get(spec.COL_JENIS_RO)
    if isinstance(value, CellError):
        return
    # Case and spacing variants ("statis", " DINAMIS ") are accepted, as for headers.
    if isinstance(value, str) and spec.norm(value) in (
        spec.norm(spec.JENIS_STATIS),
        spec.norm(spec.JENIS_DINAMIS),
    ):
        return
    suggestion = f"Isi '{spec.JENIS_STATIS}' (realisasi tidak boleh melebihi target) atau " \
        f"'{spec.JENIS_DINAMIS}' (boleh melebihi target)."
    if isinstance(value, str):
        key = spec.norm(value)
        for option in (spec.JENIS_STATIS, spec.JENIS_DINAMIS):
            if key and (option.lower().startswith(key[:3]) or key.startswith(option.lower()[:4])):
                suggestion = f"Tulis '{option}'."
                break
    what = "kosong" if is_blank(value) else f"{show(value)}, bukan {spec.JENIS_STATIS}/{spec.JENIS_DINAMIS}"
    yield ctx.finding(
        table.sheet, row.ref(spec.COL_JENIS_RO),
        f"Jenis RO {what}.",
        ro=row.kode,
        value=value,
        suggestion=suggestion,
    )


def _target_volume(ctx: Context, table: Table, row: Row) -> Iterator[Finding]:
    if spec.COL_TARGET_VOLUME not in table.columns:
        return
    value = row.get(spec.COL_TARGET_VOLUME)
    if isinstance(value, CellError):
        return
    cell = row.ref(spec.COL_TARGET_VOLUME)
    number, meant = number_or_text(value)
    if number is not None:
        if number > 0:
            return
        yield ctx.finding(
            table.sheet, cell,
            f"Target Volume {num(number)} tidak lebih dari 0.",
            ro=row.kode, value=value,
            suggestion="Isi target volume RO sesuai DIPA (lebih dari 0).",
        )
        return
    if meant is not None and meant > 0:
        suggestion = f"Tulis {typed(meant)} sebagai angka (tanpa satuan atau teks)."
    else:
        suggestion = "Isi target volume RO sesuai DIPA sebagai angka lebih dari 0."
    what = "kosong" if is_blank(value) else f"{show(value)} bukan angka"
    yield ctx.finding(
        table.sheet, cell,
        f"Target Volume {what}.",
        ro=row.kode, value=value, suggestion=suggestion,
    )


def _pagu(ctx: Context, table: Table, row: Row) -> Iterator[Finding]:
    if spec.COL_PAGU not in table.columns:
        return
    value = row.get(spec.COL_PAGU)
    if isinstance(value, CellError):
        return
    cell = row.ref(spec.COL_PAGU)
    number, meant = number_or_text(value)
    if number is not None:
        if number >= 0:
            return
        yield ctx.finding(
            table.sheet, cell,
            f"Pagu {rupiah(number)} negatif.",
            ro=row.kode, value=value,
            suggestion=f"Isi pagu RO sesuai DIPA (0 atau lebih), mis. {typed(-number)} bila "
            "tanda minus salah ketik.",
        )
        return
    if meant is not None and meant >= 0:
        suggestion = f"Tulis {typed(meant)} sebagai angka (tanpa 'Rp' dan titik pemisah)."
    else:
        suggestion = "Isi pagu RO sesuai DIPA dalam rupiah, sebagai angka."
    what = "kosong" if is_blank(value) else f"{show(value)} bukan angka"
    yield ctx.finding(
        table.sheet, cell,
        f"Pagu {what}.",
        ro=row.kode, value=value, suggestion=suggestion,
    )
