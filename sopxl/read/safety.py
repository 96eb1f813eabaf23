"""The gate every input workbook passes before it is read: say clearly what a bad file is.

The file is read once, through one handle (read_checked: its bytes, as stored, are what the
reader then works on). Checks run on the zip directory and a few bytes of each part, never on
the uncompressed content, so a good workbook pays almost nothing and a hostile one is refused
before it costs memory; a file that is no zip is judged by its first bytes alone.
"""

from __future__ import annotations

import io
import os
import stat
import zipfile
import zlib
from pathlib import Path
from typing import Protocol

from sopxl.core.config import Settings
from sopxl.core.errors import OS_REASONS, UnreadableWorkbook, os_reason
from sopxl.ooxml.atomic import FileStamp, note_read
from sopxl.ooxml.deflate import ERRORS as DEFLATE_ERRORS
from sopxl.ooxml.deflate import Inflater
from sopxl.ooxml.zipio import read_raw

__all__ = ["OS_REASONS", "check_readable", "os_reason", "read_checked"]

OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
ZIP_MAGIC = b"PK\x03\x04"
MAX_RATIO = 200  # uncompressed / compressed per XML part; real sheets stay far below
# Extensions calamine trusts over the content: a zip workbook named so is read as that format.
MISREAD_SUFFIXES = {".xls", ".xla", ".xlsb", ".ods"}
OLD_EXCEL_SUFFIXES = {".xls", ".xla", ".xlt"}
# What is read before the content is known to be a zip: enough for the OLE and text checks.
HEAD_BYTES = 1024 * 1024

def _named(path: Path) -> str:
    """', walau namanya berakhiran .xlsx' for a file whose content is not what its name says."""
    return f", walau namanya berakhiran {path.suffix}" if path.suffix else ""


def check_readable(path: Path, settings: Settings | None = None) -> None:
    """Raise UnreadableWorkbook with an Indonesian sentence when `path` is not a usable workbook."""
    read_checked(path, settings)


def read_checked(path: Path, settings: Settings | None = None) -> tuple[bytes, FileStamp]:
    """The bytes of the workbook at `path`, read through one handle, and their stamp, once they
    passed every check of check_readable (UnreadableWorkbook otherwise).

    Everything after works on these bytes, so a program replacing the file meanwhile (Excel's
    save, a sync client, another sopxl) never makes the read see parts of two versions.
    """
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
    data = b""
    try:
        with path.open("rb") as fh:
            opened = os.fstat(fh.fileno())
            head = fh.read(HEAD_BYTES)
            if head.startswith(ZIP_MAGIC):
                data = head + fh.read()
    except PermissionError:
        raise UnreadableWorkbook(
            f"Berkas '{name}' tidak dapat dibaca: tidak ada izin akses. Periksa hak akses berkas."
        ) from None
    except FileNotFoundError:
        raise UnreadableWorkbook(f"Berkas '{path}' tidak ditemukan.") from None
    except OSError as exc:
        raise UnreadableWorkbook(f"Berkas '{name}' tidak dapat dibuka: {os_reason(exc)}.") from None
    if not head:
        raise UnreadableWorkbook(f"Berkas '{name}' kosong (0 byte), bukan buku kerja Excel.")
    if head.startswith(OLE_MAGIC):
        if _is_encrypted_ooxml(head):
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
        kind = _guess_text_kind(path, head)
        raise UnreadableWorkbook(
            f"Berkas '{name}' bukan buku kerja Excel (.xlsx/.xlsm){kind}. "
            "Simpan ulang sebagai Excel Workbook (.xlsx)."
        )
    stamp = FileStamp.of(data, opened)
    note_read(path, stamp)
    try:
        # one archive object for the listing and the prologs below (its directory is parsed once)
        zf = zipfile.ZipFile(io.BytesIO(data))
        infos = zf.infolist()
        names = {info.filename for info in infos}
    except (zipfile.BadZipFile, OSError, ValueError):
        raise UnreadableWorkbook(
            f"Berkas '{name}' rusak atau terpotong (arsip zip tidak utuh). Ambil salinan yang "
            "utuh atau simpan ulang dari Excel."
        ) from None
    suffix = path.suffix.lower()
    with zf:
        _check_parts(zf, data, infos, names, name, settings)
    if suffix in MISREAD_SUFFIXES:
        # Sound inside, but readers that go by the name would take it for another format.
        right = ".xlsm" if "xl/vbaProject.bin" in names else ".xlsx"
        raise UnreadableWorkbook(
            f"Berkas '{name}' sebenarnya buku kerja Excel 2007 atau yang lebih baru ({right}), "
            f"tetapi namanya berakhiran {path.suffix}. Ganti nama berkasnya menjadi "
            f"'{path.stem}{right}', lalu jalankan lagi."
        )
    return data, stamp


def _check_parts(
    zf: zipfile.ZipFile, data: bytes, infos: list[zipfile.ZipInfo], names: set[str], name: str, settings: Settings
) -> None:
    """The package-level refusals: another format in a zip, a zip bomb, an XML entity bomb."""
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
    source = io.BytesIO(data)
    for info in infos:
        if info.filename.endswith((".xml", ".rels", ".vml")):
            try:
                if info.compress_type == zipfile.ZIP_DEFLATED and not info.flag_bits & 0x1:
                    # the usual part: its first kilobytes inflated straight from the bytes read
                    bad = _prolog_declares_entities(Inflater(read_raw(source, info)))
                else:
                    with zf.open(info) as part:
                        bad = _prolog_declares_entities(part)
            except _PART_ERRORS:
                raise UnreadableWorkbook(
                    f"Berkas '{name}' rusak atau terpotong: bagian '{info.filename}' tidak "
                    "dapat dibaca."
                ) from None
            if bad:
                raise UnreadableWorkbook(
                    f"Berkas '{name}' mengandung deklarasi entitas XML pada bagian "
                    f"'{info.filename}' (pola serangan 'XML bomb'). Berkas tidak diproses."
                )


# What reading a damaged part raises (the zip module's errors, zlib's, ISA-L's).
_PART_ERRORS: tuple[type[BaseException], ...] = (
    zipfile.BadZipFile, OSError, EOFError, ValueError, zlib.error, *DEFLATE_ERRORS
)

PROLOG_LIMIT = 64 * 1024  # a real part's prolog (declaration, comments) is a few hundred bytes


class _Readable(Protocol):
    def read(self, n: int, /) -> bytes: ...


def _prolog_declares_entities(stream: _Readable) -> bool:
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


def _is_encrypted_ooxml(head: bytes) -> bool:
    """An encrypted .xlsx is an OLE container holding an 'EncryptionInfo' stream."""
    return "EncryptionInfo".encode("utf-16-le") in head or b"EncryptedPackage" in head


def _guess_text_kind(path: Path, head: bytes) -> str:
    """What a file that is neither zip nor OLE holds, as a parenthesised phrase ("" if binary)."""
    sample = head[:4096]
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
