"""The gate every input workbook passes before it is read: say clearly what a bad file is.

Checks run on the zip directory and a few bytes of each part, never on the whole content,
so a good workbook pays almost nothing and a hostile one is refused before it costs memory.
"""

from __future__ import annotations

import errno
import os
import stat
import zipfile
import zlib
from pathlib import Path
from typing import IO

from sopxl.core.config import Settings
from sopxl.core.errors import UnreadableWorkbook

OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
ZIP_MAGIC = b"PK\x03\x04"
MAX_RATIO = 200  # uncompressed / compressed per XML part; real sheets stay far below
# Extensions calamine trusts over the content: a zip workbook named so is read as that format.
MISREAD_SUFFIXES = {".xls", ".xla", ".xlsb", ".ods"}
OLD_EXCEL_SUFFIXES = {".xls", ".xla", ".xlt"}

# The operating system's reasons for a failed open, in Indonesian (strerror is English).
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
    errno.EMFILE: "terlalu banyak berkas terbuka",
}


def os_reason(exc: OSError) -> str:
    """Why the operating system refused, as an Indonesian phrase for a refusal sentence."""
    if exc.errno in OS_REASONS:
        return OS_REASONS[exc.errno]
    if isinstance(exc, PermissionError):
        return "tidak ada izin akses"
    return f"sistem operasi menolaknya (kode galat {exc.errno})" if exc.errno else "sistem operasi menolaknya"


def _named(path: Path) -> str:
    """', walau namanya berakhiran .xlsx' for a file whose content is not what its name says."""
    return f", walau namanya berakhiran {path.suffix}" if path.suffix else ""


def check_readable(path: Path, settings: Settings | None = None) -> None:
    """Raise UnreadableWorkbook with an Indonesian sentence when `path` is not a usable workbook."""
    settings = settings or Settings()
    name = path.name
    try:
        st = path.stat()
    except FileNotFoundError:
        raise UnreadableWorkbook(f"Berkas '{path}' tidak ditemukan.") from None
    except PermissionError:
        raise UnreadableWorkbook(
            f"Berkas '{path}' tidak dapat dibaca: tidak ada izin akses ke foldernya. Periksa hak "
            "akses folder dan berkas."
        ) from None
    except OSError as exc:
        raise UnreadableWorkbook(f"Berkas '{path}' tidak dapat dibuka: {os_reason(exc)}.") from None
    if stat.S_ISDIR(st.st_mode):
        raise UnreadableWorkbook(f"'{path}' adalah folder, bukan berkas buku kerja Excel.")
    if not stat.S_ISREG(st.st_mode):
        raise UnreadableWorkbook(f"'{path}' bukan berkas biasa, jadi bukan buku kerja Excel.")
    if not os.access(path, os.R_OK):
        raise UnreadableWorkbook(
            f"Berkas '{name}' tidak dapat dibaca: tidak ada izin akses. Periksa hak akses berkas."
        )
    try:
        with path.open("rb") as fh:
            head = fh.read(8)
    except PermissionError:
        raise UnreadableWorkbook(
            f"Berkas '{name}' tidak dapat dibaca: tidak ada izin akses. Periksa hak akses berkas."
        ) from None
    except OSError as exc:
        raise UnreadableWorkbook(f"Berkas '{name}' tidak dapat dibuka: {os_reason(exc)}.") from None
    if not head:
        raise UnreadableWorkbook(f"Berkas '{name}' kosong (0 byte), bukan buku kerja Excel.")
    if head.startswith(OLE_MAGIC):
        if _is_encrypted_ooxml(path):
            raise UnreadableWorkbook(
                f"Buku kerja '{name}' dilindungi kata sandi (terenkripsi). Buka di Excel, hapus "
                "kata sandinya (File > Info > Protect Workbook), simpan, lalu jalankan lagi."
            )
        named = "" if path.suffix.lower() in OLD_EXCEL_SUFFIXES else _named(path)
        raise UnreadableWorkbook(
            f"Berkas '{name}' berformat Excel lama (.xls){named}. Buka di Excel lalu simpan "
            "sebagai Excel Workbook (.xlsx) atau .xlsm."
        )
    if not head.startswith(ZIP_MAGIC):
        kind = _guess_text_kind(path)
        raise UnreadableWorkbook(
            f"Berkas '{name}' bukan buku kerja Excel (.xlsx/.xlsm){kind}. "
            "Simpan ulang sebagai Excel Workbook (.xlsx)."
        )
    try:
        with zipfile.ZipFile(path) as zf:
            infos = zf.infolist()
            names = {info.filename for info in infos}
    except (zipfile.BadZipFile, OSError, ValueError):
        raise UnreadableWorkbook(
            f"Berkas '{name}' rusak atau terpotong (arsip zip tidak utuh). Ambil salinan yang "
            "utuh atau simpan ulang dari Excel."
        ) from None
    if "mimetype" in names and "content.xml" in names:
        raise UnreadableWorkbook(
            f"Berkas '{name}' berformat OpenDocument (.ods), bukan .xlsx. Di LibreOffice pilih "
            "File > Save As > Excel 2007-365 (.xlsx)."
        )
    if "xl/workbook.bin" in names:
        raise UnreadableWorkbook(
            f"Berkas '{name}' berformat Excel Binary (.xlsb), bukan .xlsx. Buka di Excel lalu "
            "simpan sebagai Excel Workbook (.xlsx) atau .xlsm."
        )
    if "[Content_Types].xml" not in names or not any(n.startswith("xl/") for n in names):
        raise UnreadableWorkbook(
            f"Berkas '{name}' adalah arsip zip, tetapi bukan buku kerja Excel (.xlsx/.xlsm)."
        )
    suffix = path.suffix.lower()
    total = 0
    limit = settings.max_uncompressed_mb * 1024 * 1024
    for info in infos:
        total += info.file_size
        ratio = info.file_size / max(info.compress_size, 1)
        if total > limit or (info.file_size > 10 * 1024 * 1024 and ratio > MAX_RATIO):
            raise UnreadableWorkbook(
                f"Berkas '{name}' mencurigakan: isinya mengembang menjadi sangat besar saat dibuka "
                "(zip bomb). Berkas tidak diproses."
            )
    with zipfile.ZipFile(path) as zf:
        for info in infos:
            if info.filename.endswith((".xml", ".rels", ".vml")):
                try:
                    with zf.open(info) as part:
                        bad = _prolog_declares_entities(part)
                except (zipfile.BadZipFile, OSError, EOFError, ValueError, zlib.error):
                    raise UnreadableWorkbook(
                        f"Berkas '{name}' rusak atau terpotong: bagian '{info.filename}' tidak "
                        "dapat dibaca."
                    ) from None
                if bad:
                    raise UnreadableWorkbook(
                        f"Berkas '{name}' mengandung deklarasi entitas XML pada bagian "
                        f"'{info.filename}' (pola serangan 'XML bomb'). Berkas tidak diproses."
                    )
    if suffix in MISREAD_SUFFIXES:
        # Sound inside, but readers that go by the name would take it for another format.
        right = ".xlsm" if "xl/vbaProject.bin" in names else ".xlsx"
        raise UnreadableWorkbook(
            f"Berkas '{name}' sebenarnya buku kerja Excel 2007 atau yang lebih baru ({right}), "
            f"tetapi namanya berakhiran {path.suffix}. Ganti nama berkasnya menjadi "
            f"'{path.stem}{right}', lalu jalankan lagi."
        )


PROLOG_LIMIT = 64 * 1024  # a real part's prolog (declaration, comments) is a few hundred bytes


def _prolog_declares_entities(stream: IO[bytes]) -> bool:
    """True when an XML part has a DOCTYPE/ENTITY before its root element (or an absurd prolog).

    A DOCTYPE may only appear in the prolog, so reading up to the first element start is
    enough, however many comments or processing instructions come before it.
    """
    buf = b""
    pos = 0
    while True:
        if len(buf) - pos < 16:
            chunk = stream.read(4096)
            if not chunk:
                return False
            buf += chunk
            if len(buf) > PROLOG_LIMIT:
                return True
            continue
        lt = buf.find(b"<", pos)
        if lt < 0:
            pos = len(buf)
            continue
        if lt + 9 > len(buf):
            pos = lt
            buf += stream.read(4096) or b" " * 16
            continue
        if buf.startswith(b"<!DOCTYPE", lt) or buf.startswith(b"<!ENTITY", lt):
            return True
        if buf.startswith(b"<?", lt):
            end = buf.find(b"?>", lt)
        elif buf.startswith(b"<!--", lt):
            end = buf.find(b"-->", lt)
        else:
            return False  # the root element: the prolog is over
        if end < 0:
            chunk = stream.read(4096)
            if not chunk:
                return False
            buf += chunk
            if len(buf) > PROLOG_LIMIT:
                return True
            pos = lt
            continue
        pos = end + 2


def _is_encrypted_ooxml(path: Path) -> bool:
    """An encrypted .xlsx is an OLE container holding an 'EncryptionInfo' stream."""
    try:
        with path.open("rb") as fh:
            data = fh.read(1024 * 1024)
    except OSError:
        return False
    return "EncryptionInfo".encode("utf-16-le") in data or b"EncryptedPackage" in data


def _guess_text_kind(path: Path) -> str:
    """What a file that is neither zip nor OLE holds, as a parenthesised phrase ("" if binary)."""
    try:
        with path.open("rb") as fh:
            sample = fh.read(4096)
    except OSError:
        return ""
    try:
        text = sample.decode("utf-8")
    except UnicodeDecodeError:
        return ""
    stripped = text.lstrip().lower()
    if stripped.startswith(("<html", "<!doctype html")):
        return f" (isinya halaman HTML{_named(path)})"
    if stripped.startswith("<?xml"):
        return f" (isinya XML biasa{_named(path)})"
    if "," in text or ";" in text or "\t" in text:
        return f" (isinya teks CSV{_named(path)})"
    return f" (isinya teks biasa{_named(path)})"
