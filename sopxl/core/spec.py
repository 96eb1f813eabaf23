"""The contracts of the standard workbook (../shared/spec/workbook.md): names, columns, patterns.

Everything a user or another program relies on by name lives here, so that a sheet or a
column is renamed in one place only.
"""

from __future__ import annotations

import re
from typing import Final

MONTHS: Final[tuple[str, ...]] = (
    "Januari",
    "Februari",
    "Maret",
    "April",
    "Mei",
    "Juni",
    "Juli",
    "Agustus",
    "September",
    "Oktober",
    "November",
    "Desember",
)

SHEET_PETUNJUK: Final = "Petunjuk"
SHEET_IDENTITAS: Final = "Identitas"
SHEET_REFERENSI: Final = "Referensi RO"
SHEET_RENCANA: Final = "Rencana"
SHEET_PENGATURAN: Final = "Pengaturan"  # optional per-workbook settings (Kunci | Nilai)
SHEET_CATATAN: Final = "Catatan Koreksi"
SHEET_KENDALI: Final = "Kendali SOP"
SHEET_STATE: Final = "sopxl_state"  # very hidden; sopxl's own state

PERIODS: Final[dict[str, tuple[str, int, int]]] = {
    # periode key -> (report sheet name, bulan_awal, bulan_akhir)
    "semester1": ("Laporan Semester I", 1, 6),
    "semester2": ("Laporan Semester II", 7, 12),
    "tahunan": ("Laporan Tahunan", 1, 12),
}
REPORT_SHEETS: Final[tuple[str, ...]] = tuple(v[0] for v in PERIODS.values())


def check_periode(periode: str) -> None:
    """Refuse a period name that is not one of PERIODS."""
    if periode not in PERIODS:
        from sopxl.core.errors import InvalidInput

        raise InvalidInput(f"Periode '{periode}' tidak dikenal. Pilih salah satu: {', '.join(PERIODS)}.")

REQUIRED_SHEETS: Final[tuple[str, ...]] = (SHEET_IDENTITAS, SHEET_REFERENSI, SHEET_RENCANA, *MONTHS)

HEADER_SCAN_ROWS: Final = 20

# --- Identitas -------------------------------------------------------------------------
COL_URAIAN: Final = "Uraian"
COL_ISI: Final = "Isi"
ID_KODE_SATKER: Final = "Kode Satker"
ID_NAMA_SATKER: Final = "Nama Satker"
ID_TAHUN: Final = "Tahun Anggaran"
ID_KEPALA: Final = "Kepala Satker"
ID_NIP_KEPALA: Final = "NIP Kepala Satker"
ID_KASI: Final = "Kasi Program dan Evaluasi"
ID_NIP_KASI: Final = "NIP Kasi Program dan Evaluasi"
ID_BENDAHARA: Final = "Bendahara"
ID_EMAIL: Final = "Email Penerima Laporan"
ID_BULAN: Final = "Bulan Pelaporan"
IDENTITAS_ITEMS: Final[tuple[str, ...]] = (
    ID_KODE_SATKER,
    ID_NAMA_SATKER,
    ID_TAHUN,
    ID_KEPALA,
    ID_NIP_KEPALA,
    ID_KASI,
    ID_NIP_KASI,
    ID_BENDAHARA,
    ID_EMAIL,
    ID_BULAN,
)

# --- columns ---------------------------------------------------------------------------
COL_KODE_RO: Final = "Kode RO"
COL_URAIAN_RO: Final = "Uraian RO"
COL_SATUAN: Final = "Satuan"
COL_JENIS_RO: Final = "Jenis RO"
COL_TARGET_VOLUME: Final = "Target Volume"
COL_PAGU: Final = "Pagu (Rp)"
COL_BULAN: Final = "Bulan"
COL_TARGET_PROGRES: Final = "Target Progres (%)"
COL_RPD: Final = "Rencana Penarikan Dana (Rp)"
COL_RVRO: Final = "Realisasi Volume Bulan Ini"
COL_RVRO_KUM: Final = "Realisasi Volume Kumulatif"
COL_PROGRES: Final = "Progres Capaian (%)"
COL_ANGGARAN: Final = "Realisasi Anggaran Bulan Ini (Rp)"
COL_KENDALA: Final = "Kendala"
COL_TINDAK_LANJUT: Final = "Tindak Lanjut"
COL_TANGGAL: Final = "Tanggal Entri SAKTI"
COL_KETERANGAN: Final = "Keterangan"
COL_PRIORITAS_NASIONAL: Final = "Prioritas Nasional"  # optional in Referensi RO: Ya / Tidak
PRIORITAS_YA: Final = "Ya"
PRIORITAS_TIDAK: Final = "Tidak"
PRIORITAS_VALUES: Final[tuple[str, ...]] = (PRIORITAS_YA, PRIORITAS_TIDAK)

IDENTITAS_COLUMNS: Final[tuple[str, ...]] = (COL_URAIAN, COL_ISI)
REFERENSI_COLUMNS: Final[tuple[str, ...]] = (
    COL_KODE_RO,
    COL_URAIAN_RO,
    COL_SATUAN,
    COL_JENIS_RO,
    COL_TARGET_VOLUME,
    COL_PAGU,
)
REFERENSI_OPTIONAL: Final[tuple[str, ...]] = (COL_PRIORITAS_NASIONAL,)
RENCANA_COLUMNS: Final[tuple[str, ...]] = (COL_KODE_RO, COL_BULAN, COL_TARGET_PROGRES, COL_RPD)
MONTH_COLUMNS: Final[tuple[str, ...]] = (
    COL_KODE_RO,
    COL_URAIAN_RO,
    COL_SATUAN,
    COL_TARGET_VOLUME,
    COL_RVRO,
    COL_RVRO_KUM,
    COL_PROGRES,
    COL_TARGET_PROGRES,
    COL_ANGGARAN,
    COL_KENDALA,
    COL_TINDAK_LANJUT,
    COL_TANGGAL,
    COL_KETERANGAN,
)
MONTH_OPTIONAL: Final[frozenset[str]] = frozenset({COL_URAIAN_RO, COL_KETERANGAN})
MONTH_NUMBER_COLUMNS: Final[tuple[str, ...]] = (
    COL_TARGET_VOLUME,
    COL_RVRO,
    COL_RVRO_KUM,
    COL_PROGRES,
    COL_TARGET_PROGRES,
    COL_ANGGARAN,
)
# A month counts as reported when any row has a value in one of these.
MONTH_REPORTED_COLUMNS: Final[tuple[str, ...]] = (COL_RVRO, COL_PROGRES, COL_TANGGAL)

JENIS_STATIS: Final = "Statis"
JENIS_DINAMIS: Final = "Dinamis"

RO_PATTERN: Final = re.compile(r"^\d{3}\.\d{2}\.[A-Z]{2}\.\d{4}\.[A-Z]{3}\.[A-Z0-9]{3}$")

# Report sheets: labelled cells people fill in.
REPORT_NARRATIVES: Final[tuple[str, ...]] = ("Analisis Capaian", "Kendala Umum", "Rekomendasi")
REPORT_SIGNOFFS: Final[tuple[str, ...]] = ("Disusun oleh", "Diperiksa oleh", "Disetujui oleh")

EXCEL_ERRORS: Final[frozenset[str]] = frozenset(
    {"#DIV/0!", "#REF!", "#N/A", "#VALUE!", "#NAME?", "#NUM!", "#NULL!", "#SPILL!", "#CALC!", "#GETTING_DATA"}
)


_NORMS: dict[str, str] = {}


def norm(text: object) -> str:
    """Matching key: case-insensitive, leading/trailing/repeated white space ignored."""
    if type(text) is str:
        # headers, sheet names, month names and remarks recur: each is normalised once
        key = _NORMS.get(text)
        if key is None:
            key = " ".join(text.split()).casefold()
            if len(_NORMS) < 100_000:
                _NORMS[text] = key
        return key
    return " ".join(str(text).split()).casefold()


def month_number(value: object) -> int | None:
    """A month given as a name (any case/spacing) or a number 1-12; None when it is neither."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int | float):
        if float(value).is_integer() and 1 <= int(value) <= 12:
            return int(value)
        return None
    if isinstance(value, str):
        key = norm(value)
        for i, name in enumerate(MONTHS, start=1):
            if norm(name) == key:
                return i
        if key.isdigit() and 1 <= int(key) <= 12:
            return int(key)
    return None


def col_letter(col: int) -> str:
    """1-based column index to letters (1 -> A, 27 -> AA)."""
    letters = ""
    while col > 0:
        col, rem = divmod(col - 1, 26)
        letters = chr(65 + rem) + letters
    return letters


def cell_ref(row: int, col: int) -> str:
    """1-based row and column to an A1 reference."""
    return f"{col_letter(col)}{row}"


_REF = re.compile(r"\$?([A-Za-z]{1,3})\$?(\d+)")
_PARSED: dict[str, tuple[int, int]] = {}


def parse_ref(ref: str) -> tuple[int, int]:
    """An A1 reference to 1-based (row, col)."""
    # A marked workbook's references are parsed four times each (sorting the findings,
    # marking, Catatan Koreksi, its links): remembered, as few distinct ones recur.
    at = _PARSED.get(ref)
    if at is not None:
        return at
    m = _REF.fullmatch(ref)
    if not m:
        raise ValueError(f"bukan referensi sel: {ref!r}")
    col = 0
    for ch in m.group(1).upper():
        col = col * 26 + (ord(ch) - 64)
    at = int(m.group(2)), col
    if len(_PARSED) < 200_000:
        _PARSED[ref] = at
    return at


# --- Kendali SOP: the SOP's six steps (domain.md) -------------------------------------------
KENDALI_COLUMNS: Final[tuple[str, ...]] = (
    "Langkah",
    "Pelaksana",
    "Kegiatan",
    "Waktu Standar",
    "Keluaran",
    "Tanggal",
    "Status",
    "Catatan",
)
# (step, actor, activity, standard time, output)
SOP_STEPS: Final[tuple[tuple[int, str, str, str, str], ...]] = (
    (1, "Kepala Balai",
     "Memberikan disposisi kepada Kasi Program dan Evaluasi untuk melakukan penyusunan dan "
     "pemantauan evaluasi kinerja SMART Kemenkeu", "15 menit", "Disposisi surat"),
    (2, "Bendahara", "Mengentri data Capaian Output pada aplikasi SAKTI setiap bulan",
     "30 menit", "Capaian output terentri pada aplikasi"),
    (3, "Kasi Program dan Evaluasi",
     "Memonitor hasil pengisian data capaian output yang terintegrasi otomatis pada SMART "
     "Kemenkeu; jika sesuai dilanjutkan, jika tidak sesuai diperintahkan untuk diperbaiki",
     "30 menit", "Capaian output terentri pada aplikasi"),
    (4, "Pelaksana / JF", "Mengisi Laporan Semester / Laporan Tahunan dan menyampaikan kepada atasan",
     "30 menit", "Laporan Semester / Laporan Tahunan terentri"),
    (5, "Kasi Program dan Evaluasi",
     "Mengecek kesesuaian isi Laporan Semester / Laporan Tahunan; jika sesuai disampaikan ke "
     "Kepala Badiklat, jika tidak sesuai dikembalikan untuk diperbaiki",
     "15 menit", "Laporan Semester / Laporan Tahunan terentri"),
    (6, "Kepala Balai", "Melaporkan kepada Pimpinan", "-", "Laporan tersampaikan"),
)
