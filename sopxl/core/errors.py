"""Exceptions whose message is a sentence a Kasi understands (Bahasa Indonesia)."""

from __future__ import annotations

import errno


class SopxlError(Exception):
    """Any refusal sopxl explains to the user. The CLI shows the message and exits 2."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class UnreadableWorkbook(SopxlError):
    """The file is not a workbook sopxl can check (not a zip, encrypted, .xls, bomb, ...)."""


class WorkbookBusy(SopxlError):
    """The workbook is open in Excel (lock file) or read-only: sopxl will not write into it."""


class WorkbookLocked(WorkbookBusy):
    """Another sopxl process is writing the workbook and did not finish within `lock_wait_s`."""


class WorkbookChanged(WorkbookBusy):
    """The workbook changed on disk after sopxl read it: writing would erase that change."""


class WriteFailed(SopxlError):
    """The operating system refused a write (disk full, permission, folder, ...); nothing changed."""


class InvalidInput(SopxlError):
    """An input file (CSV/XLSX of ROs or plan, settings) has bad content."""


# The operating system's reasons for a failed file operation, in Indonesian (strerror is English).
OS_REASONS = {
    errno.ENOENT: "berkas atau foldernya tidak ditemukan",
    errno.EACCES: "tidak ada izin akses",
    errno.EPERM: "tidak ada izin akses",
    errno.EISDIR: "yang dituju adalah folder",
    errno.ENOTDIR: "salah satu bagian jalurnya bukan folder",
    errno.ENAMETOOLONG: "nama atau jalurnya terlalu panjang",
    errno.ELOOP: "jalurnya berisi tautan yang berputar",
    errno.EIO: "terjadi galat baca pada perangkat penyimpanan",
    errno.EBUSY: "berkas sedang dipakai program lain",
    errno.ETXTBSY: "berkas sedang dipakai program lain",
    errno.EROFS: "perangkat penyimpanannya hanya dapat dibaca",
    errno.ENOSPC: "ruang penyimpanan penuh",
    errno.EDQUOT: "kuota ruang penyimpanan habis",
    errno.EFBIG: "berkasnya terlalu besar untuk perangkat penyimpanan ini",
    errno.EMFILE: "terlalu banyak berkas terbuka",
}

# What the user can do about each reason (a sentence ending with a full stop).
OS_ADVICE = {
    errno.ENOENT: "Periksa bahwa berkas dan foldernya masih ada dan tidak dipindahkan, lalu jalankan lagi.",
    errno.EACCES: "Periksa hak akses berkas dan foldernya, lalu jalankan lagi.",
    errno.EPERM: "Periksa hak akses berkas dan foldernya, lalu jalankan lagi.",
    errno.EISDIR: "Pindahkan atau ganti nama folder itu, lalu jalankan lagi.",
    errno.EROFS: "Salin buku kerja ke folder yang dapat ditulisi, lalu jalankan lagi.",
    errno.ENOSPC: "Kosongkan ruang penyimpanan (hapus berkas yang tidak perlu), lalu jalankan lagi.",
    errno.EDQUOT: "Kosongkan ruang penyimpanan (hapus berkas yang tidak perlu), lalu jalankan lagi.",
    errno.EBUSY: "Tutup program yang memakainya, lalu jalankan lagi.",
    errno.ETXTBSY: "Tutup program yang memakainya, lalu jalankan lagi.",
}


def os_reason(exc: OSError) -> str:
    """Why the operating system refused, as an Indonesian phrase for a refusal sentence."""
    if exc.errno in OS_REASONS:
        return OS_REASONS[exc.errno]
    if isinstance(exc, PermissionError):
        return "tidak ada izin akses"
    return f"sistem operasi menolaknya (kode galat {exc.errno})" if exc.errno else "sistem operasi menolaknya"


def os_advice(exc: OSError) -> str:
    """What to do about a refused file operation, as an Indonesian sentence."""
    if exc.errno in OS_ADVICE:
        return OS_ADVICE[exc.errno]
    if isinstance(exc, PermissionError):
        return OS_ADVICE[errno.EACCES]
    return "Jalankan lagi; bila galat ini berulang, salin buku kerja ke folder lain."
