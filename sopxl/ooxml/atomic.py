"""Safe writing: refuse a workbook that Excel holds open or that is read-only; replace files
atomically (temporary file in the same folder, fsync, os.replace) and keep one backup.

Backup ("cadangan"): before sopxl overwrites `laporan.xlsx` it keeps the previous version as
`laporan.sopxl-cadangan.xlsx` in the same folder (one copy, replaced on every run).
"""

from __future__ import annotations

import contextlib
import os
import stat
import tempfile
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import BinaryIO

from sopxl.core.errors import WorkbookBusy

BACKUP_TAG = ".sopxl-cadangan"


def backup_path(path: Path) -> Path:
    """Where the previous version of `path` is kept: `<stem>.sopxl-cadangan<ext>` beside it."""
    return path.with_name(path.stem + BACKUP_TAG + path.suffix)


def lock_files(path: Path) -> list[Path]:
    """Office lock files that would exist while Excel (or LibreOffice) has `path` open."""
    name = path.name
    candidates = [path.with_name("~$" + name), path.with_name(".~lock." + name + "#")]
    if len(name) > 2:
        candidates.append(path.with_name("~$" + name[2:]))
    return candidates


def refuse_if_open(path: Path) -> None:
    """Raise WorkbookBusy (Indonesian) when Excel or LibreOffice holds `path` open: replacing
    it then would be lost (or refused) when the application saves its copy."""
    for lock in lock_files(path):
        if lock.exists():
            raise WorkbookBusy(
                f"Buku kerja '{path.name}' sedang dibuka di Excel atau LibreOffice (ada berkas kunci "
                f"'{lock.name}'). Tutup buku kerja itu dulu, lalu jalankan lagi."
            )


def check_writable(path: Path) -> None:
    """Raise WorkbookBusy (Indonesian) when sopxl must not write `path`."""
    refuse_if_open(path)
    if path.exists():
        mode = path.stat().st_mode
        if not os.access(path, os.W_OK) or not mode & (stat.S_IWUSR | stat.S_IWGRP | stat.S_IWOTH):
            raise WorkbookBusy(
                f"Buku kerja '{path.name}' hanya-baca (read-only), jadi tanda koreksi tidak dapat "
                "ditulis. Hapus atribut hanya-baca atau gunakan --output untuk menulis salinan."
            )
    folder = path.parent if str(path.parent) else Path(".")
    if not os.access(folder, os.W_OK):
        raise WorkbookBusy(
            f"Folder '{folder}' tidak dapat ditulisi, jadi buku kerja '{path.name}' tidak dapat "
            "diperbarui. Gunakan --output ke folder lain."
        )


@contextlib.contextmanager
def _temp_beside(path: Path) -> Iterator[tuple[BinaryIO, Path]]:
    fd, name = tempfile.mkstemp(prefix=".~sopxl-", suffix=path.suffix + ".tmp", dir=path.parent)
    tmp = Path(name)
    try:
        with os.fdopen(fd, "wb") as fh:
            yield fh, tmp
    except BaseException:
        with contextlib.suppress(OSError):
            tmp.unlink()
        raise


def _fsync_dir(folder: Path) -> None:
    with contextlib.suppress(OSError):
        fd = os.open(folder, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


STALE_SECONDS = 3600


def _remove_stale_temps(folder: Path) -> None:
    """Temporary files left by a writer that was killed (the workbook itself is intact)."""
    now = time.time()
    for tmp in folder.glob(".~sopxl-*.tmp"):
        with contextlib.suppress(OSError):
            if now - tmp.stat().st_mtime > STALE_SECONDS:
                tmp.unlink()


def _file_mode(path: Path) -> int:
    """The mode of the file being replaced, or the mode a plain new file gets: the temporary
    file is private (0600) while it is written, the result must not be."""
    try:
        return path.stat().st_mode & 0o7777
    except OSError:
        umask = os.umask(0)
        os.umask(umask)
        return 0o666 & ~umask


def _install(tmp: Path, target: Path, mode: int) -> None:
    """Give the finished temporary file its mode and move it over `target` in one step."""
    try:
        os.chmod(tmp, mode)
        os.replace(tmp, target)
    except BaseException:
        with contextlib.suppress(OSError):
            tmp.unlink()
        raise


def atomic_write(
    path: Path,
    write: Callable[[BinaryIO], None],
    backup: bool = True,
    mode_from: Path | None = None,
) -> Path:
    """Write `path` through `write(fh)` so that an interruption leaves the old or the new file.

    With `backup`, the previous content of `path` is kept at backup_path(path) first, with the
    same permission bits. The result keeps the mode of the file it replaces; with `mode_from`
    (a copy written elsewhere, `validate --output`) it takes that file's mode instead, plus the
    owner's write bit so that the next run can replace the copy.
    """
    path = Path(path)
    _remove_stale_temps(path.parent)
    if backup and path.exists():
        target = backup_path(path)
        with _temp_beside(target) as (fh, tmp), path.open("rb") as src:
            while chunk := src.read(1 << 20):
                fh.write(chunk)
            fh.flush()
            os.fsync(fh.fileno())
        _install(tmp, target, _file_mode(path))
    mode = _file_mode(path) if mode_from is None else _file_mode(Path(mode_from)) | stat.S_IWUSR
    with _temp_beside(path) as (fh, tmp):
        write(fh)
        fh.flush()
        os.fsync(fh.fileno())
    _install(tmp, path, mode)
    _fsync_dir(path.parent)
    return path
