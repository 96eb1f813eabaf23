"""Which rows a month has: unknown, missing, repeated ROs, empty required values, and
entries in months after the reporting month."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Final

from sopxl.core import spec
from sopxl.core.findings import Finding
from sopxl.core.parse import format_date
from sopxl.read.workbook import CellError
from sopxl.rules.base import Context
from sopxl.rules.capaian.facts import Month, cap_rule, code_key, facts

_REQUIRED_VALUES: Final = (spec.COL_RVRO, spec.COL_PROGRES, spec.COL_ANGGARAN, spec.COL_TANGGAL)
_ENTRY_COLUMNS: Final = (spec.COL_RVRO, spec.COL_PROGRES, spec.COL_ANGGARAN, spec.COL_TANGGAL)

_KOSONG_SUGGESTION: Final[dict[str, str]] = {
    spec.COL_RVRO: "isi realisasi volume bulan {month}; tulis 0 bila tidak ada",
    spec.COL_PROGRES: "isi progres capaian kumulatif sampai bulan {month} (0–100)",
    spec.COL_ANGGARAN: "isi realisasi anggaran bulan {month}; tulis 0 bila tidak ada",
    spec.COL_TANGGAL: "isi tanggal capaian output bulan {month} direkam di SAKTI",
}


@cap_rule("CAP-RO-ASING", "error", "Kode RO tidak terdapat di Referensi RO")
def cap_ro_asing(ctx: Context) -> Iterator[Finding]:
    """A month row names an RO that Referensi RO does not have, or no RO at all.

    Periksa: setiap baris lembar bulan memuat Kode RO yang terdaftar di lembar Referensi RO.
    Contoh salah: Kode RO "013.07.WA.4293.EBA.999" di lembar Maret, padahal RO itu tidak ada di Referensi RO.
    Contoh benar: Kode RO "013.07.WA.4293.EBA.962", persis seperti di Referensi RO.
    Perbaikan: salin Kode RO dari lembar Referensi RO; bila RO itu memang ada di DIPA, tambahkan dulu ke Referensi RO, atau hapus baris yang bukan RO.
    """
    f = facts(ctx)
    reference = f.reference
    if not reference:
        return
    for md in f.checked():
        raws, codes = md.raw(spec.COL_KODE_RO), md.codes
        for i in [i for i, code in enumerate(codes) if code is None or code not in reference]:
            code, row = codes[i], md.row(i)
            if code is None:
                if isinstance(raws[i], CellError):
                    continue
                yield ctx.finding(
                    md.sheet,
                    row.ref(),
                    f"Baris {row.r} lembar {md.sheet} berisi data tetapi Kode RO kosong.",
                    value=None,
                    suggestion="isi Kode RO sesuai lembar Referensi RO, atau hapus baris ini",
                )
                continue
            guess = f.reference_keys.get(code_key(code))
            yield ctx.finding(
                md.sheet,
                row.ref(),
                f"Kode RO {code} di lembar {md.sheet} tidak terdapat di lembar Referensi RO.",
                ro=code,
                value=raws[i],
                suggestion=f"tulis Kode RO persis seperti di Referensi RO: {guess}"
                if guess
                else "periksa Kode RO; bila RO ini memang ada di DIPA, tambahkan ke lembar Referensi RO",
            )


@cap_rule("CAP-RO-HILANG", "error", "RO dari Referensi RO tidak memiliki baris di lembar bulan")
def cap_ro_hilang(ctx: Context) -> Iterator[Finding]:
    """An RO of Referensi RO has no row in a month (a whole-sheet finding at A1).

    Periksa: setiap RO di lembar Referensi RO mempunyai satu baris di setiap lembar bulan yang dilaporkan.
    Contoh salah: RO "013.07.WA.4293.EBA.956" (Layanan BMN) tidak ada di lembar Juni.
    Contoh benar: lembar Juni memuat satu baris untuk setiap RO di Referensi RO, termasuk EBA.956.
    Perbaikan: tambahkan baris untuk RO yang hilang di lembar bulan itu dan isi capaiannya.
    """
    f = facts(ctx)
    for md in f.checked():
        missing = f.reference.keys() - md.first.keys()
        for code in [code for code in f.reference if code in missing] if missing else []:
            uraian = f.reference[code].get(spec.COL_URAIAN_RO)
            name = f" ({uraian})" if isinstance(uraian, str) and uraian.strip() else ""
            yield ctx.finding(
                md.sheet,
                "A1",
                f"RO {code}{name} dari Referensi RO tidak memiliki baris di lembar {md.sheet}.",
                ro=code,
                value=None,
                suggestion=f"tambahkan baris untuk RO {code} di lembar {md.sheet} dan isi capaiannya",
            )


@cap_rule("CAP-DUPLIKAT", "error", "RO yang sama muncul lebih dari sekali dalam satu bulan")
def cap_duplikat(ctx: Context) -> Iterator[Finding]:
    """The same RO has a second row in a month (the repeated row is reported).

    Periksa: satu RO hanya mempunyai satu baris di setiap lembar bulan.
    Contoh salah: RO "013.07.DL.4290.SCM.001" tercatat di baris 6 dan lagi di baris 21 lembar September.
    Contoh benar: RO "013.07.DL.4290.SCM.001" hanya di baris 6.
    Perbaikan: hapus baris yang berulang, atau gabungkan isinya ke baris pertama RO itu.
    """
    for md in facts(ctx).checked():
        for i in md.repeated:
            code = md.codes[i]
            assert code is not None
            row, first_row = md.row(i), md.row(md.first[code])
            yield ctx.finding(
                md.sheet,
                row.ref(),
                f"RO {code} muncul lebih dari sekali di lembar {md.sheet}: baris {row.r} "
                f"mengulang baris {first_row.r}.",
                ro=code,
                value=code,
                suggestion=f"hapus baris {row.r} atau gabungkan isinya ke baris {first_row.r}",
            )


@cap_rule("CAP-KOSONG", "error", "Nilai wajib di lembar bulan kosong")
def cap_kosong(ctx: Context) -> Iterator[Finding]:
    """A required value of a reported month is empty (one finding per empty cell; one per month at its first data cell when the whole month is empty).

    Periksa: Realisasi Volume Bulan Ini, Progres Capaian, Realisasi Anggaran dan Tanggal Entri SAKTI terisi untuk setiap RO pada bulan yang wajib dilaporkan: Januari sampai Bulan Pelaporan, atau, bila Bulan Pelaporan kosong dan belum ada bulan yang diisi, setiap bulan yang batas entrinya sudah lewat (paling sedikit Januari). Lembar bulan yang seluruhnya kosong disebut sekali, pada sel data pertamanya.
    Contoh salah: Tanggal Entri SAKTI RO "013.07.WA.4293.EBA.994" bulan Agustus kosong; atau buku kerja tanpa isian sama sekali diperiksa pada 20 Desember 2026.
    Contoh benar: Tanggal Entri SAKTI berisi 4 September 2026; lembar Januari sampai November terisi.
    Perbaikan: isi nilai yang kosong; untuk volume atau anggaran yang memang tidak ada bulan itu, tulis 0.
    """
    # A wholly empty month is one finding, not four per RO: the Bendahara has a whole sheet
    # to fill, and thousands of marked cells would bury every other finding.
    f = facts(ctx)
    reference = f.reference
    for md in f.checked():
        columns = [(c, md.raw(c)) for c in _REQUIRED_VALUES if md.has(c)]
        first, codes = md.first, md.codes
        if columns and md.n and all(raws.count(None) == md.n for _, raws in columns):
            yield _empty_month(ctx, md, [c for c, _ in columns])
            continue
        empty = sorted({i for _, raws in columns if None in raws for i, v in enumerate(raws) if v is None})
        for i in empty:
            code = codes[i]
            if code is None or first[code] != i or (reference and code not in reference):
                continue  # no RO, a repeated row (CAP-DUPLIKAT), an unknown RO (CAP-RO-ASING)
            row = md.row(i)
            for column, raws in columns:
                if raws[i] is None:
                    yield ctx.finding(
                        md.sheet,
                        row.ref(column),
                        f"{column} RO {code} bulan {md.name} kosong.",
                        ro=code,
                        value=None,
                        suggestion=_KOSONG_SUGGESTION[column].format(month=md.name),
                    )


def _empty_month(ctx: Context, md: Month, columns: list[str]) -> Finding:
    """The one CAP-KOSONG finding of a month whose required values are all empty, at its
    first data cell (the first row's first required column, in sheet order)."""
    first_column = min(columns, key=md.table.columns.__getitem__)
    ros = len(md.first)
    if ctx.nothing_reported:
        if md.number <= ctx.due_month:
            due = facts(ctx).month_dates(facts(ctx).year or ctx.today.year, md.number)[1]
            basis = f"belum ada bulan yang diisi dan batas entri bulan {md.name} ({format_date(due)}) sudah lewat"
        else:
            basis = "belum ada bulan yang diisi sama sekali"
    else:
        basis = f"bulan pelaporan adalah {spec.MONTHS[ctx.reporting_month - 1]}"
    return ctx.finding(
        md.sheet,
        md.row(0).ref(first_column),
        f"Lembar {md.sheet} belum diisi: {_and(columns)} kosong untuk semua RO ({ros} RO), "
        f"padahal {basis}.",
        value=None,
        suggestion=f"isi capaian bulan {md.name} untuk setiap RO: realisasi volume dan anggaran (tulis 0 "
        "bila tidak ada), progres capaian kumulatif dan tanggal entri SAKTI",
    )


def _and(items: list[str]) -> str:
    return items[0] if len(items) == 1 else f"{', '.join(items[:-1])} dan {items[-1]}"


@cap_rule("CAP-MENDAHULUI", "warning", "Bulan setelah bulan pelaporan sudah berisi data")
def cap_mendahului(ctx: Context) -> Iterator[Finding]:
    """A month after the reporting month already has entries.

    Periksa: lembar bulan setelah Bulan Pelaporan masih kosong (belum ada realisasi, progres, anggaran atau tanggal entri).
    Contoh salah: Bulan Pelaporan September, tetapi lembar Oktober sudah berisi Realisasi Volume Bulan Ini 1.
    Contoh benar: lembar Oktober hanya berisi Kode RO, Satuan dan target sampai bulan itu dilaporkan.
    Perbaikan: pindahkan data yang salah lembar ke bulannya; bila bulan itu memang dilaporkan, ubah Bulan Pelaporan di lembar Identitas.
    """
    # Once per month, at its first entered cell (row by row, left to right).
    f = facts(ctx)
    reporting = ctx.reporting_month
    for number in range(ctx.last_checked_month + 1, 13):
        md = f.month(number)
        if md is None:
            continue
        columns = sorted((c for c in _ENTRY_COLUMNS if md.has(c)), key=md.table.columns.__getitem__)
        raws = [md.raw(c) for c in columns]
        nothing = (None,) * len(raws)
        entered = md.where(map(nothing.__ne__, zip(*raws, strict=True))) if raws else []
        if not entered:
            continue
        i = entered[0]
        column = next(c for c, values in zip(columns, raws, strict=True) if values[i] is not None)
        row = md.row(i)
        basis = (
            f"bulan pelaporan adalah {spec.MONTHS[reporting - 1]}" if reporting else "belum ada bulan dilaporkan"
        )
        yield ctx.finding(
            md.sheet,
            row.ref(column),
            f"Lembar {md.sheet} sudah berisi data ({len(entered)} baris) padahal {basis}.",
            ro=md.codes[i],
            value=row.get(column),
            suggestion=f"periksa apakah data ini salah lembar; bila bulan {md.name} memang dilaporkan, "
            "ubah Bulan Pelaporan di lembar Identitas",
        )
