"""Rules of the identitas group (see ../shared/spec/rules.md): who and when."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator
from typing import Any

from sopxl.core import spec
from sopxl.core.findings import Finding
from sopxl.read.workbook import CellError, is_blank
from sopxl.rules.base import Context, rule

_EMAIL = re.compile(r"[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]+@[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?)*\.[A-Za-z]{2,}")


def _item(ctx: Context, item: str) -> tuple[str, str, Any, bool] | None:
    """(sheet, cell, value, present) of an Identitas item; None when the sheet/header is absent.

    When the item's row is absent the cell is the header cell of the table.
    """
    table = ctx.data.identitas
    if table is None or table.header_row is None or table.missing:
        return None  # STR-SHEET / STR-COLUMN report it
    found = ctx.data.identity.get(item)
    if found is None:
        return table.sheet, table.header_ref, None, False
    return table.sheet, found.cell, found.value, True


def _missing_row(ctx: Context, sheet: str, cell: str, item: str, what: str) -> Finding:
    return ctx.finding(
        sheet,
        cell,
        f"Baris '{item}' tidak ada di tabel Identitas, sehingga {what} tidak dapat diperiksa.",
        suggestion=f"Tambahkan baris dengan Uraian '{item}' dan isinya di kolom Isi.",
    )


def _show(value: Any) -> str:
    from sopxl.core.parse import format_value

    return format_value(value)


def _integral(value: Any) -> int | None:
    """A whole number given as a number (not bool); None otherwise."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    if isinstance(value, float) and not value.is_integer():
        return None
    return int(value)


@rule("ID-SATKER", "error", "Kode Satker bukan 6 digit")
def kode_satker(ctx: Context) -> Iterator[Finding]:
    """Kode Satker of Identitas is not six digits.

    Periksa: Kode Satker di lembar Identitas terisi tepat 6 digit angka.
    Contoh salah: 41172 (Kode Satker 041172 diketik sebagai angka sehingga nol di depannya
        hilang), atau 0411-72.
    Contoh benar: '041172 (diketik sebagai teks, diawali tanda petik).
    Perbaikan: Tulis Kode Satker sebagai teks 6 digit: awali dengan tanda petik ', tanpa spasi,
        titik, tanda hubung atau huruf.
    """
    got = _item(ctx, spec.ID_KODE_SATKER)
    if got is None or isinstance(got[2], CellError):
        return
    sheet, cell, value, present = got
    if not present:
        yield _missing_row(ctx, sheet, cell, spec.ID_KODE_SATKER, "Kode Satker")
        return
    if is_blank(value):
        yield ctx.finding(
            sheet, cell, "Kode Satker kosong.",
            suggestion="Isi Kode Satker 6 digit sebagai teks, mis. '411724.",
        )
        return
    number = _integral(value)
    if number is not None and 0 <= number <= 999_999:
        if number >= 100_000:
            return  # six digits stored as a number: still the right code
        padded = f"{number:06d}"
        yield ctx.finding(
            sheet, cell,
            f"Kode Satker {number} tersimpan sebagai angka dan kurang dari 6 digit "
            "(angka nol di depan hilang).",
            value=value,
            suggestion=f"Tulis sebagai teks: '{padded} (awali dengan tanda petik).",
        )
        return
    text = str(value).strip() if not isinstance(value, float | int) else _show(value)
    if re.fullmatch(r"\d{6}", text):
        return
    digits = re.sub(r"\D", "", text) if isinstance(value, str) else ""
    suggestion = "Isi Kode Satker dengan tepat 6 digit angka, mis. 411724."
    if len(digits) == 6:
        suggestion = f"Tulis '{digits}' (6 digit tanpa spasi, titik atau huruf)."
    yield ctx.finding(
        sheet, cell,
        f"Kode Satker {_show(value)} bukan 6 digit angka.",
        value=value,
        suggestion=suggestion,
    )


@rule("ID-TAHUN", "error", "Tahun Anggaran tidak sah")
def tahun_anggaran(ctx: Context) -> Iterator[Finding]:
    """Tahun Anggaran of Identitas is not a year between 2000 and 2100.

    Periksa: Tahun Anggaran di lembar Identitas berupa tahun antara 2000 dan 2100.
    Contoh salah: TA 2026
    Contoh benar: 2026
    Perbaikan: Tulis tahunnya saja sebagai angka 4 digit.
    """
    got = _item(ctx, spec.ID_TAHUN)
    if got is None or isinstance(got[2], CellError):
        return
    sheet, cell, value, present = got
    if not present:
        yield _missing_row(ctx, sheet, cell, spec.ID_TAHUN, "Tahun Anggaran")
        return
    if is_blank(value):
        yield ctx.finding(
            sheet, cell, "Tahun Anggaran kosong.",
            suggestion=f"Isi tahun anggaran, mis. {ctx.today.year}.",
        )
        return
    year = _integral(value)
    suggestion = f"Isi tahun anggaran 4 digit antara 2000 dan 2100, mis. {ctx.today.year}."
    if year is None and isinstance(value, str) and re.fullmatch(r"\s*\d{4}\s*", value):
        year = int(value)
    if isinstance(value, dt.date):
        suggestion = f"Tulis tahunnya saja sebagai angka: {value.year}."
    elif isinstance(value, str):
        m = re.search(r"\b(20\d{2}|2100)\b", value)
        if m:
            suggestion = f"Tulis tahunnya saja sebagai angka: {m.group(1)}."
    if year is not None and 2000 <= year <= 2100:
        return
    yield ctx.finding(
        sheet, cell,
        f"Tahun Anggaran {_show(value)} bukan tahun antara 2000 dan 2100.",
        value=value,
        suggestion=suggestion,
    )


@rule("ID-NIP", "warning", "NIP bukan 18 digit")
def nip(ctx: Context) -> Iterator[Finding]:
    """A NIP of Identitas is not 18 digits.

    Periksa: NIP Kepala Satker dan NIP Kasi Program dan Evaluasi di lembar Identitas berisi 18
        digit angka yang disimpan sebagai teks (spasi di antara kelompok digit boleh).
    Contoh salah: 1,98001E+17 (NIP diketik sebagai angka, Excel hanya menyimpan 15 digit), atau
        19800101 200501 1 (kurang digit).
    Contoh benar: '198001012005011001
    Perbaikan: Ketik ulang NIP 18 digit sebagai teks, diawali tanda petik '.
    """
    for item, person in ((spec.ID_NIP_KEPALA, spec.ID_KEPALA), (spec.ID_NIP_KASI, spec.ID_KASI)):
        got = _item(ctx, item)
        if got is None or isinstance(got[2], CellError):
            continue
        sheet, cell, value, present = got
        if not present:
            yield _missing_row(ctx, sheet, cell, item, f"NIP {person}")
            continue
        if is_blank(value):
            yield ctx.finding(
                sheet, cell, f"{item} kosong.",
                suggestion="Isi NIP 18 digit sebagai teks (awali dengan tanda petik ').",
            )
            continue
        if isinstance(value, int | float) and not isinstance(value, bool):
            yield ctx.finding(
                sheet, cell,
                f"{item} tersimpan sebagai angka ({_show(value)}). Excel hanya menyimpan 15 digit "
                "angka, sehingga digit akhir NIP 18 digit berubah atau hilang.",
                value=value,
                suggestion="Ketik ulang NIP sebagai teks: awali dengan tanda petik ', "
                "mis. '198001012005011001.",
            )
            continue
        text = str(value).strip()
        # NIPs are often written in groups: "19800101 200501 1 001"; spaces are accepted.
        compact = re.sub(r"\s+", "", text)
        if re.fullmatch(r"\d{18}", compact):
            continue
        digits = re.sub(r"\D", "", text)
        if len(digits) == 18:
            suggestion = f"Tulis NIP hanya dengan angka: '{digits}."
        else:
            suggestion = (
                f"NIP harus 18 digit angka (ditemukan {len(digits)} digit); periksa kembali NIP "
                f"{person} dan tulis sebagai teks."
            )
        yield ctx.finding(
            sheet, cell,
            f"{item} {_show(value)} bukan 18 digit angka.",
            value=value,
            suggestion=suggestion,
        )


@rule("ID-EMAIL", "warning", "Email Penerima Laporan kosong atau tidak sah")
def email(ctx: Context) -> Iterator[Finding]:
    """Email Penerima Laporan of Identitas is empty or not an e-mail address.

    Periksa: Email Penerima Laporan di lembar Identitas berisi alamat e-mail yang sah; beberapa
        alamat dipisah koma atau titik koma.
    Contoh salah: kepala.badiklat(at)contoh.go.id, atau sel kosong.
    Contoh benar: kepala.badiklat@contoh.go.id, program@contoh.go.id
    Perbaikan: Tulis alamat lengkap berbentuk nama@domain; hapus spasi, tanda kurung sudut dan
        koma yang berlebih.
    """
    got = _item(ctx, spec.ID_EMAIL)
    if got is None or isinstance(got[2], CellError):
        return
    sheet, cell, value, present = got
    if not present:
        yield _missing_row(ctx, sheet, cell, spec.ID_EMAIL, "alamat e-mail penerima laporan")
        return
    if is_blank(value):
        yield ctx.finding(
            sheet, cell,
            "Email Penerima Laporan kosong: laporan tidak dapat dikirim ke atasan.",
            suggestion="Isi alamat e-mail atasan penerima laporan; beberapa alamat dipisah koma, "
            "mis. kepala@contoh.go.id, program@contoh.go.id.",
        )
        return
    text = str(value)
    parts = re.split(r"[,;]", text)
    for index, raw in enumerate(parts, start=1):
        address = raw.strip()
        if not address:
            if index == len(parts) and len(parts) > 1:
                continue  # a trailing comma is harmless
            yield ctx.finding(
                sheet, cell,
                f"Email Penerima Laporan memuat alamat kosong (urutan ke-{index}, dua pemisah "
                "berurutan).",
                value=text,
                suggestion="Hapus koma yang berlebih.",
            )
            continue
        if _EMAIL.fullmatch(address):
            continue
        yield ctx.finding(
            sheet, cell,
            f"'{address}' pada Email Penerima Laporan bukan alamat e-mail yang sah.",
            value=address,
            suggestion=_email_hint(address),
        )


def _email_hint(address: str) -> str:
    fixed = re.sub(r"\s+", "", address).strip("<>\"'").replace("(at)", "@").replace("[at]", "@")
    m = re.search(r"<([^<>]+)>", address)
    if m and _EMAIL.fullmatch(m.group(1).strip()):
        return f"Tulis alamatnya saja: {m.group(1).strip()}."
    if fixed != address and _EMAIL.fullmatch(fixed):
        return f"Tulis {fixed}."
    return (
        "Tulis alamat lengkap berbentuk nama@domain, mis. kepala@contoh.go.id; beberapa alamat "
        "dipisah koma."
    )
