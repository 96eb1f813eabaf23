"""Rules of the structure group (see ../shared/spec/rules.md): sheets, columns, error values."""

from __future__ import annotations

from collections.abc import Iterator

from sopxl.core import spec
from sopxl.core.findings import Finding
from sopxl.read.workbook import Table
from sopxl.rules.base import Context, rule


def _quote_list(items: list[str]) -> str:
    return ", ".join(f"'{item}'" for item in items) if items else "(tidak ada)"


def data_tables(ctx: Context) -> list[tuple[str, Table]]:
    """(canonical sheet name, table) of every required sheet that exists, in workbook.md order."""
    data = ctx.data
    tables: list[tuple[str, Table | None]] = [
        (spec.SHEET_IDENTITAS, data.identitas),
        (spec.SHEET_REFERENSI, data.referensi),
        (spec.SHEET_RENCANA, data.rencana),
    ]
    tables.extend((name, data.months.get(i)) for i, name in enumerate(spec.MONTHS, start=1))
    return [(name, table) for name, table in tables if table is not None]


@rule("STR-SHEET", "error", "Lembar wajib tidak ada")
def missing_sheet(ctx: Context) -> Iterator[Finding]:
    """A required sheet is missing from the workbook.

    Periksa: Buku kerja memuat semua lembar wajib: Identitas, Referensi RO, Rencana dan dua
        belas lembar bulan Januari sampai Desember (huruf besar/kecil dan spasi berlebih pada
        nama lembar tidak berpengaruh).
    Contoh salah: Lembar bulan Maret terhapus, atau diberi nama "Mar".
    Contoh benar: Lembar bernama "Maret" dengan tabel lembar bulan.
    Perbaikan: Tambahkan lembar yang hilang dengan tabel sesuai format buku kerja standar (salin
        dari templat `sopxl init`), atau ganti nama lembar yang salah ketik.
    """
    data = ctx.data
    present = [name for name in data.sheet_names if name not in (spec.SHEET_STATE,)]
    unmatched = [
        name for name in present if all(spec.norm(name) != spec.norm(req) for req in spec.REQUIRED_SHEETS)
    ]
    for required in spec.REQUIRED_SHEETS:
        if data.sheet(required) is not None:
            continue
        suggestion = (
            f"Tambahkan lembar '{required}' dengan tabel sesuai format buku kerja standar "
            f"(mis. salin dari templat `sopxl init`)."
        )
        import difflib  # only when a sheet is missing

        close = difflib.get_close_matches(
            spec.norm(required), [spec.norm(n) for n in unmatched], n=1, cutoff=0.6
        )
        if close:
            actual = next(n for n in unmatched if spec.norm(n) == close[0])
            suggestion = f"Ganti nama lembar '{actual}' menjadi '{required}'."
        yield ctx.finding(
            required,
            "A1",
            f"Lembar '{required}' tidak ada di buku kerja.",
            value=None,
            suggestion=suggestion,
        )
    yield from _damaged_state(ctx)


def _damaged_state(ctx: Context) -> Iterator[Finding]:
    """A warning when sopxl's own hidden sheet is damaged (sopxl.read.state.check_state): the
    sheet is not as sopxl needs it, the nearest concern of STR-SHEET; what was damaged is
    ignored and the marks are recognised from the sheets (sopxl.writeback.restore)."""
    from sopxl.read.state import load_state_checked

    damage = load_state_checked(ctx.data)[1]
    if not damage:
        return
    sheet = ctx.data.sheet(spec.SHEET_STATE) or spec.SHEET_STATE
    yield ctx.finding(
        sheet,
        "A1",
        f"Catatan tersembunyi sopxl (lembar '{sheet}') rusak: {'; '.join(damage)}. Bagian yang "
        "rusak diabaikan; tanda koreksi sebelumnya dikenali dari warna dan catatan sel.",
        suggestion="Jalankan pemeriksaan sekali lagi tanpa --no-write agar sopxl menulis ulang "
        "catatan tersembunyinya; jangan mengubah lembar itu secara manual.",
        severity="warning",
    )


@rule("STR-COLUMN", "error", "Kolom wajib tidak ada")
def missing_column(ctx: Context) -> Iterator[Finding]:
    """A required sheet lacks its header row or a required column.

    Periksa: Setiap lembar wajib memiliki baris judul kolom pada 20 baris pertamanya (baris yang
        memuat "Kode RO", di lembar Identitas "Uraian") dengan semua kolom wajib lembar itu;
        urutan kolom bebas.
    Contoh salah: Baris judul lembar Januari tidak memuat "Tanggal Entri SAKTI" karena judulnya
        ditulis "Tgl Entri".
    Contoh benar: Baris judul lembar Januari memuat "Tanggal Entri SAKTI".
    Perbaikan: Tambahkan kolom yang hilang pada baris judul, atau tulis judulnya persis seperti
        nama kolom yang diharapkan (huruf besar/kecil tidak berpengaruh).
    """
    for canonical, table in data_tables(ctx):
        if not table.missing:
            continue
        key = spec.COL_URAIAN if canonical == spec.SHEET_IDENTITAS else spec.COL_KODE_RO
        if table.header_row is None:
            yield ctx.finding(
                table.sheet,
                "A1",
                f"Baris judul kolom tidak ditemukan di lembar '{table.sheet}': tidak ada sel "
                f"'{key}' pada {spec.HEADER_SCAN_ROWS} baris pertama. Kolom yang diharapkan: "
                f"{_quote_list(_expected(canonical))}.",
                suggestion=f"Tulis baris judul kolom yang memuat '{key}' di salah satu dari "
                f"{spec.HEADER_SCAN_ROWS} baris pertama lembar ini.",
            )
            continue
        yield ctx.finding(
            table.sheet,
            table.header_ref,
            f"Kolom wajib tidak ada di lembar '{table.sheet}': {_quote_list(table.missing)}. "
            f"Kolom yang diharapkan: {_quote_list(_expected(canonical))}. "
            f"Kolom yang ditemukan (baris {table.header_row}): {_quote_list(table.found)}.",
            value=", ".join(table.missing),
            suggestion=f"Tambahkan kolom {_quote_list(table.missing)} pada baris judul "
            f"(baris {table.header_row}); urutan kolom bebas, huruf besar/kecil tidak berpengaruh.",
        )


def _expected(canonical: str) -> list[str]:
    if canonical == spec.SHEET_IDENTITAS:
        return list(spec.IDENTITAS_COLUMNS)
    if canonical == spec.SHEET_REFERENSI:
        return list(spec.REFERENSI_COLUMNS)
    if canonical == spec.SHEET_RENCANA:
        return list(spec.RENCANA_COLUMNS)
    return [c for c in spec.MONTH_COLUMNS if c not in spec.MONTH_OPTIONAL]


@rule("STR-FORMULA-ERROR", "error", "Sel berisi nilai galat Excel")
def formula_error(ctx: Context) -> Iterator[Finding]:
    """A cell of a required sheet holds an Excel error value.

    Periksa: Tidak ada sel di lembar wajib yang berisi nilai galat Excel (#DIV/0!, #REF!, #N/A,
        #VALUE!, #NAME?, #NUM!, #NULL!, juga galat Excel yang lebih baru seperti #SPILL!,
        #CALC!, #FIELD!, #BLOCKED!, #CONNECT!, #BUSY!, #UNKNOWN! dan #GETTING_DATA).
    Contoh salah: Progres Capaian berisi rumus =E5/F5 yang menghasilkan #DIV/0! karena F5 kosong.
    Contoh benar: Rumus =IFERROR(E5/F5;0), atau angka 45 diketik langsung.
    Perbaikan: Perbaiki rumus atau rujukannya (catatan sel menjelaskan arti galatnya), atau ganti
        dengan nilai yang benar.
    """
    data = ctx.data
    tables = {table.sheet: table for _, table in data_tables(ctx)}
    for required in spec.REQUIRED_SHEETS:
        actual = data.sheet(required)
        if actual is None:
            continue
        errors = data.error_cells.get(actual) or {}
        if not errors:
            continue
        table = tables.get(actual)
        codes_by_row: dict[int, str | None] = {}
        names: dict[int, str] = {}  # column number -> canonical name (the first, if repeated)
        header_row = 0
        if table is not None:
            codes_by_row = dict(zip(table.row_numbers, table.codes, strict=True))
            if table.header_row is not None:
                header_row = table.header_row
                for name, col in table.columns.items():
                    names.setdefault(col, name)
        for (r, c), code in sorted(errors.items()):
            ref = spec.cell_ref(r, c)
            ro = codes_by_row.get(r)
            column = names.get(c) if header_row and r > header_row else None
            where = f" (kolom '{column}')" if column else ""
            yield ctx.finding(
                actual,
                ref,
                f"Sel {ref}{where} berisi nilai galat Excel {code}.",
                ro=ro,
                value=code,
                suggestion=_error_hint(code),
            )


_ERROR_HINTS = {
    "#DIV/0!": "rumus membagi dengan nol atau sel kosong; isi nilai pembaginya atau ganti rumus "
    "dengan =IFERROR(...;0)",
    "#REF!": "rumus merujuk sel atau lembar yang sudah dihapus; perbaiki rujukan rumusnya",
    "#N/A": "pencarian (VLOOKUP/XLOOKUP) tidak menemukan nilainya; periksa Kode RO yang dicari",
    "#VALUE!": "rumus menghitung teks sebagai angka; pastikan sel yang dirujuk berisi angka",
    "#NAME?": "nama fungsi atau nama rentang dalam rumus salah ketik; perbaiki rumusnya",
    "#NUM!": "hasil perhitungan bukan angka yang sah; periksa nilai masukannya",
    "#NULL!": "rentang dalam rumus tidak bersilangan; periksa pemisah rentang pada rumus",
    "#SPILL!": "hasil rumus larik tidak muat karena sel tujuannya sudah berisi; kosongkan sel di "
    "bawah atau di kanan rumus",
    "#CALC!": "rumus larik tidak dapat dihitung (mis. FILTER tanpa hasil); periksa rumusnya",
    "#FIELD!": "rumus merujuk bidang tipe data yang tidak ada; perbaiki nama bidangnya",
    "#BLOCKED!": "rumus memerlukan fitur atau sumber yang diblokir; ganti dengan nilai yang benar",
    "#CONNECT!": "sumber data luar tidak dapat dihubungi; ganti dengan nilai yang benar",
    "#BUSY!": "rumus masih menghitung saat berkas disimpan; hitung ulang lalu simpan lagi",
    "#UNKNOWN!": "tipe data sel tidak dikenali versi Excel ini; ganti dengan nilai yang benar",
    "#GETTING_DATA": "data masih diambil saat berkas disimpan; tunggu sampai selesai lalu simpan lagi",
}


def _error_hint(code: str) -> str:
    hint = _ERROR_HINTS.get(code.upper(), "perbaiki rumus atau ganti dengan nilai yang benar")
    return f"Perbaiki sel ini: {hint}."
