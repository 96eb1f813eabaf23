"""Safe writing: one writer at a time, no lost update, and a save that leaves the old or the
new file and nothing else.

- Refusals before anything is written: Excel or LibreOffice holds the workbook open (their
  lock files), the workbook or its folder is read-only.
- One writer at a time: a writer holds `.~sopxl-lock.<name>` beside the real file (a kernel
  lock on it, so a killed writer's lock is free at once; the file says who holds it and is
  removed on release). Another sopxl waits up to `lock_wait_s`, then refuses.
- No lost update: what a writer read is stamped (size, mtime_ns, SHA-256 of the bytes read);
  just before the rename the file must still carry that stamp, or nothing is written
  (WorkbookChanged). While a process holds the lock every read of the file is stamped too, so
  a command that reads the workbook twice (the check, then the package edit) notices a change
  made by another program in between.
- The save keeps what the file is: a symlink is followed (the real file is replaced, the link
  stays a link), mode and owner are kept where the process may, the backup gets them too.
- Debris: temporary files and scratch folders are named `.~sopxl-<host>-<pid>-<random>.tmp`
  beside the target and removed on every exit path; those of a killed run (a dead pid of this
  host, or older than STALE_SECONDS) are removed by the next write into that folder.
- System errors become WriteFailed with an Indonesian sentence naming the file.

Backup ("cadangan"): before sopxl overwrites `laporan.xlsx` it keeps the previous version as
`laporan.sopxl-cadangan.xlsx` in the same folder (one copy, replaced on every run).
"""

from __future__ import annotations

import contextlib
import datetime as dt
import errno
import hashlib
import os
import secrets
import shutil
import signal
import socket
import stat
import sys
import threading
import time
import zlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from types import FrameType
from typing import Any, BinaryIO

from sopxl.core.errors import (
    SopxlError,
    WorkbookBusy,
    WorkbookChanged,
    WorkbookLocked,
    WriteFailed,
    os_advice,
    os_reason,
)

BACKUP_TAG = ".sopxl-cadangan"
LOCK_PREFIX = ".~sopxl-lock."
TEMP_PREFIX = ".~sopxl-"
TEMP_SUFFIX = ".tmp"
STALE_SECONDS = 3600  # a temporary file of a live writer on another host is never this old
# Test and benchmark hooks (environment): seconds to sleep just before the rename, and a switch
# that leaves out the lock and the check before the rename (the benchmark's baseline).
PAUSE_ENV = "SOPXL_TEST_PAUSE_BEFORE_RENAME"
NO_LOCK_ENV = "SOPXL_BENCH_NO_LOCK"


def backup_path(path: Path) -> Path:
    """Where the previous version of `path` is kept: `<stem>.sopxl-cadangan<ext>` beside it."""
    return path.with_name(path.stem + BACKUP_TAG + path.suffix)


def real_file(path: Path | str) -> Path:
    """The file a path names once symlinks are followed (the path itself when it is none)."""
    return Path(os.path.realpath(path))


def lock_path(path: Path) -> Path:
    """sopxl's own writer lock for `path`, beside the real file."""
    real = real_file(path)
    return real.with_name(LOCK_PREFIX + real.name)


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
    real = real_file(path)
    candidates = lock_files(path) + ([] if real == Path(os.path.abspath(path)) else lock_files(real))
    for lock in candidates:
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
    real = real_file(path)
    folder = real.parent if str(real.parent) else Path(".")
    if not os.access(folder, os.W_OK):
        shown = path.parent if str(path.parent) else Path(".")
        raise WorkbookBusy(
            f"Folder '{shown if real.parent == shown.resolve() else folder}' tidak dapat ditulisi, jadi "
            f"buku kerja '{path.name}' tidak dapat diperbarui. Gunakan --output ke folder lain."
        )


# -- what was read -------------------------------------------------------------------------


@dataclass(frozen=True)
class FileStamp:
    """What a file was when sopxl read it: size, modification time and the hash of its bytes."""

    size: int
    mtime_ns: int
    digest: bytes

    @classmethod
    def of(cls, data: bytes, st: os.stat_result) -> FileStamp:
        return cls(st.st_size, st.st_mtime_ns, hashlib.sha256(data).digest())


def read_snapshot(path: Path) -> tuple[bytes, FileStamp]:
    """The whole file through one handle, and its stamp (noted for a writer lock held on it).

    Everything read from these bytes is one version of the file, whatever another program
    renames into place meanwhile.
    """
    with open(path, "rb") as fh:
        st = os.fstat(fh.fileno())
        data = fh.read()
    stamp = FileStamp.of(data, st)
    note_read(path, stamp)
    return data, stamp


def current_stamp(path: Path) -> FileStamp | None:
    """The stamp of the file at `path` now (None when there is none), read in chunks."""
    try:
        with open(path, "rb") as fh:
            st = os.fstat(fh.fileno())
            digest = hashlib.sha256()
            while chunk := fh.read(1 << 20):
                digest.update(chunk)
    except FileNotFoundError:
        return None
    return FileStamp(st.st_size, st.st_mtime_ns, digest.digest())


def _unchanged(path: Path, expect: FileStamp) -> bool:
    try:
        st = path.stat()
    except FileNotFoundError:
        return False
    if st.st_size != expect.size or st.st_mtime_ns != expect.mtime_ns:
        return False  # the common case of a change costs no read
    return current_stamp(path) == expect


def _changed_message(path: Path) -> str:
    if not path.exists():
        return (
            f"Buku kerja '{path.name}' dihapus atau dipindahkan oleh program lain selama sopxl "
            "bekerja, jadi hasil sopxl tidak ditulis. Periksa letak berkasnya, lalu jalankan lagi."
        )
    return (
        f"Buku kerja '{path.name}' diubah oleh program lain sejak sopxl membacanya (misalnya "
        "disimpan dari Excel atau diperbarui oleh sinkronisasi folder). Hasil sopxl tidak ditulis "
        "agar perubahan itu tidak hilang; buku kerja tidak diubah. Jalankan lagi."
    )


# -- one writer at a time ------------------------------------------------------------------


def _host_tag() -> str:
    return f"{zlib.crc32(socket.gethostname().encode('utf-8', 'replace')):08x}"


def _pid_alive(pid: int) -> bool:
    if pid <= 0:
        return False
    if os.name != "posix":
        return True  # no cheap check: the age bound decides
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _try_lock(fd: int) -> bool | None:
    """Take the kernel lock on an open lock file: True, False (held by another process), or
    None when this file system has no such locks (then the lock file alone is the lock)."""
    try:
        if os.name == "posix":
            import fcntl

            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        else:
            import msvcrt

            os.lseek(fd, 1 << 30, os.SEEK_SET)  # lock a byte far away: the holder text stays readable
            msvcrt.locking(fd, msvcrt.LK_NBLCK, 1)  # type: ignore[attr-defined]
    except (BlockingIOError, PermissionError):
        return False
    except OSError as exc:
        if exc.errno in (errno.EAGAIN, errno.EACCES, errno.EDEADLK):
            return False
        return None
    return True


@dataclass
class WriterLock:
    """sopxl's writer lock on one file, held by this process (re-entrant within it)."""

    path: Path  # the real file
    file: Path  # the lock file
    fd: int
    depth: int = 1
    # the stamp of what this process read of the file while holding the lock
    stamp: FileStamp | None = None


_HELD: dict[Path, WriterLock] = {}
_HELD_GUARD = threading.Lock()


def note_read(path: Path, stamp: FileStamp) -> None:
    """Record what was read of `path` under this process's writer lock; a second read under
    the same lock that finds another version means another program changed the file."""
    held = _HELD.get(real_file(path))
    if held is None:
        return
    if held.stamp is None:
        held.stamp = stamp
    elif held.stamp != stamp:
        raise WorkbookChanged(_changed_message(Path(path)))


def _holder(file: Path) -> str:
    """Who holds a lock file, as an Indonesian phrase: ' (proses 123, sejak 10:31:02)'."""
    try:
        text = file.read_text(encoding="utf-8", errors="replace")
    except OSError:
        return ""
    fields = dict(line.split("=", 1) for line in text.splitlines() if "=" in line)
    pid, since = fields.get("pid", ""), fields.get("sejak", "")
    parts = [f"proses {pid}" if pid else "", f"di komputer {fields['host']}" if fields.get("host") else "",
             f"sejak {since[11:19]}" if len(since) >= 19 else ""]
    shown = ", ".join(p for p in parts if p)
    return f" ({shown})" if shown else ""


def _open_lock(file: Path) -> int | None:
    try:
        return os.open(file, os.O_RDWR | os.O_CREAT, 0o644)
    except PermissionError:
        pass  # another user's lock file: locking needs no write access to it
    except OSError:
        return None  # no lock possible here (folder missing or read-only): the write refuses itself
    try:
        return os.open(file, os.O_RDONLY)
    except OSError:
        return None


def _release(held: WriterLock) -> None:
    if held.fd < 0:
        return
    if os.name == "posix":
        with contextlib.suppress(OSError):
            held.file.unlink()  # while still locked: a waiter then sees the file gone and retries
        os.close(held.fd)
    else:
        os.close(held.fd)  # Windows releases the lock with the handle; unlink only when closed
        with contextlib.suppress(OSError):
            held.file.unlink()


def _default_wait_s() -> float:
    from sopxl.core.config import default_of

    return float(default_of("lock_wait_s"))


def _say(message: str) -> None:
    with contextlib.suppress(OSError, ValueError):
        print(message, file=sys.stderr, flush=True)


@contextlib.contextmanager
def writer_lock(
    path: Path | str,
    wait_s: float | None = None,
    on_wait: Callable[[str], None] | None = None,
) -> Iterator[WriterLock | None]:
    """Hold sopxl's writer lock on `path` (its real file) for the block.

    Another sopxl holding it: say so (`on_wait`, default stderr), wait up to `wait_s`
    (default the `lock_wait_s` setting), then raise WorkbookLocked. Yields None when no lock
    can be made (folder missing or read-only: the write itself then refuses with its reason).
    Re-entrant within one process.
    """
    real = real_file(path)
    if os.environ.get(NO_LOCK_ENV):
        yield None
        return
    with _HELD_GUARD:
        held = _HELD.get(real)
        if held is not None:
            held.depth += 1
    if held is not None:
        try:
            yield held
        finally:
            held.depth -= 1
        return
    acquired = _acquire(real, Path(path), _default_wait_s() if wait_s is None else wait_s, on_wait or _say)
    if acquired is None:
        yield None
        return
    with _signals_as_exceptions():
        with _HELD_GUARD:
            _HELD[real] = acquired
        try:
            remove_stale_temps(real.parent)
            with _temp_folder_beside(real.parent):
                yield acquired
        finally:
            with _HELD_GUARD:
                _HELD.pop(real, None)
            _release(acquired)


def _acquire(real: Path, shown: Path, wait_s: float, on_wait: Callable[[str], None]) -> WriterLock | None:
    file = real.with_name(LOCK_PREFIX + real.name)
    deadline = time.monotonic() + max(wait_s, 0.0)
    told = False
    delay = 0.02
    while True:
        fd = _open_lock(file)
        if fd is None:
            return None
        got = _try_lock(fd)
        if got is False:
            os.close(fd)
            who = _holder(file)
            if time.monotonic() >= deadline:
                raise WorkbookLocked(
                    f"Buku kerja '{shown.name}' sedang ditulis oleh proses sopxl lain{who} dan belum "
                    f"selesai setelah ditunggu {_seconds(wait_s)} detik. Buku kerja tidak diubah oleh "
                    "proses ini; tunggu proses itu selesai, lalu jalankan lagi."
                )
            if not told:
                on_wait(
                    f"Menunggu: buku kerja '{shown.name}' sedang ditulis oleh proses sopxl lain{who} "
                    f"(paling lama {_seconds(wait_s)} detik)."
                )
                told = True
            time.sleep(min(delay, max(deadline - time.monotonic(), 0.0)))
            delay = min(delay * 2, 0.2)
            continue
        try:
            same = os.fstat(fd).st_ino == os.stat(file).st_ino
        except OSError:
            same = False
        if got and not same:
            os.close(fd)  # locked a file its holder removed on release: lock the current one
            continue
        host = socket.gethostname()
        since = dt.datetime.now().astimezone().isoformat(timespec="seconds")
        with contextlib.suppress(OSError):
            os.ftruncate(fd, 0)
            os.lseek(fd, 0, os.SEEK_SET)
            os.write(fd, f"pid={os.getpid()}\nhost={host}\nsejak={since}\n".encode())
        return WriterLock(real, file, fd)


@contextlib.contextmanager
def _temp_folder_beside(folder: Path) -> Iterator[None]:
    """While a writer holds the lock, the temporary files of every library it uses
    (XlsxWriter's parts, scratch folders) go to a private folder beside the workbook instead
    of the system's temporary folder: removed at the end, and a killed run's by the next one."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    made = folder / _temp_name()
    try:
        made.mkdir(mode=0o700)
    except OSError:
        yield
        return
    try:
        with _tempdir_set(made):
            yield
    finally:
        shutil.rmtree(made, ignore_errors=True)


def _seconds(value: float) -> str:
    return f"{value:g}".replace(".", ",")


class _Terminated(BaseException):
    """SIGTERM during a write: unwinds like an interruption so that temporary files go."""


@contextlib.contextmanager
def _signals_as_exceptions() -> Iterator[None]:
    """Turn SIGTERM/SIGHUP into an exception for the block (main thread, default handler only),
    so that `finally` clauses remove temporary files and release the lock; the process then
    ends as the signal asked."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    caught: list[int] = []

    def handler(signum: int, frame: FrameType | None) -> None:
        caught.append(signum)
        raise _Terminated

    previous: dict[int, Any] = {}
    for name in ("SIGTERM", "SIGHUP"):
        signum = getattr(signal, name, None)
        if signum is None:
            continue
        with contextlib.suppress(ValueError, OSError):
            if signal.getsignal(signum) == signal.SIG_DFL:
                previous[signum] = signal.signal(signum, handler)
    try:
        yield
    except _Terminated:
        pass
    finally:
        for signum, old in previous.items():
            with contextlib.suppress(ValueError, OSError):
                signal.signal(signum, old)
    if caught:
        os.kill(os.getpid(), caught[0])  # the default action, now that everything is clean
        raise SystemExit(128 + caught[0])


# -- temporary files -----------------------------------------------------------------------


def _temp_name(suffix: str = "") -> str:
    return f"{TEMP_PREFIX}{_host_tag()}-{os.getpid()}-{secrets.token_hex(4)}{suffix}{TEMP_SUFFIX}"


def _is_stale(entry: Path, now: float) -> bool:
    """A temporary file or folder of sopxl whose writer is gone: a dead pid of this host, or
    too old for a live writer anywhere."""
    parts = entry.name[len(TEMP_PREFIX):].split("-")
    try:
        age = now - entry.lstat().st_mtime
    except OSError:
        return False
    if len(parts) >= 3 and parts[0] == _host_tag() and parts[1].isdigit():
        pid = int(parts[1])
        if pid == os.getpid():
            return False
        if not _pid_alive(pid):
            return True
    return age > STALE_SECONDS


def remove_stale_temps(folder: Path) -> None:
    """Remove what killed sopxl runs left in `folder` (the workbook itself is intact)."""
    now = time.time()
    try:
        entries = list(folder.glob(TEMP_PREFIX + "*" + TEMP_SUFFIX))
    except OSError:
        return
    for entry in entries:
        if entry.name.startswith(LOCK_PREFIX) or not _is_stale(entry, now):
            continue
        with contextlib.suppress(OSError):
            if entry.is_dir() and not entry.is_symlink():
                shutil.rmtree(entry, ignore_errors=True)
            else:
                entry.unlink()


@contextlib.contextmanager
def _temp_beside(path: Path) -> Iterator[tuple[BinaryIO, Path]]:
    tmp = path.with_name(_temp_name(path.suffix))
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0), 0o600)
    try:
        with os.fdopen(fd, "wb") as fh:
            yield fh, tmp
    finally:
        with contextlib.suppress(OSError):
            tmp.unlink()  # gone already when it was renamed into place


@contextlib.contextmanager
def scratch_dir(*folders: Path) -> Iterator[Path]:
    """A private scratch folder beside the files being written (the first of `folders` that
    can be written), removed on exit; a killed run's is removed by the next write there.
    Libraries' temporary files (XlsxWriter's) go there too for the block. Only when no folder
    can be written does it go to the system's temporary folder."""
    import tempfile

    for folder in folders:
        if folder.is_dir() and os.access(folder, os.W_OK | os.X_OK):
            remove_stale_temps(folder)
            made = folder / _temp_name()
            try:
                made.mkdir(mode=0o700)
            except OSError:
                continue
            try:
                with _tempdir_set(made):
                    yield made
            finally:
                shutil.rmtree(made, ignore_errors=True)
            return
    with tempfile.TemporaryDirectory(prefix="sopxl-") as tmp:
        yield Path(tmp)


@contextlib.contextmanager
def _tempdir_set(folder: Path) -> Iterator[None]:
    """The `tempfile` module's folder is `folder` for the block (main thread only: the
    setting is process-wide)."""
    import tempfile

    if threading.current_thread() is not threading.main_thread():
        yield
        return
    previous = tempfile.tempdir
    tempfile.tempdir = str(folder)
    try:
        yield
    finally:
        tempfile.tempdir = previous


def _fsync_dir(folder: Path) -> None:
    with contextlib.suppress(OSError):
        fd = os.open(folder, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


# -- the save ------------------------------------------------------------------------------


def _new_file_mode() -> int:
    umask = os.umask(0)
    os.umask(umask)
    return 0o666 & ~umask


def _keep_owner(tmp: Path, like: os.stat_result | None) -> None:
    """Give the new file the owner and group of the one it replaces, where this process may
    (root, or the owner giving it one of its own groups)."""
    if like is None or not hasattr(os, "chown"):
        return
    if (like.st_uid, like.st_gid) == (os.geteuid(), os.getegid()):
        return
    uid = like.st_uid if os.geteuid() == 0 else -1
    with contextlib.suppress(OSError):
        os.chown(tmp, uid, like.st_gid)


def _install(tmp: Path, target: Path, mode: int, like: os.stat_result | None, expect: FileStamp | None) -> None:
    """Give the finished temporary file owner and mode, check that `target` is still what was
    read, and move the file over it in one step."""
    _keep_owner(tmp, like)
    os.chmod(tmp, mode)  # after chown, which clears set-id bits
    if expect is not None and not _unchanged(target, expect):
        raise WorkbookChanged(_changed_message(target))
    os.replace(tmp, target)


def _stat(path: Path) -> os.stat_result | None:
    try:
        return path.stat()
    except FileNotFoundError:
        return None


def _os_error_in(exc: BaseException) -> OSError | None:
    """The OSError behind an exception a library wrapped it in (XlsxWriter's FileCreateError)."""
    seen: set[int] = set()
    todo: list[object] = [exc]
    while todo:
        item = todo.pop()
        if not isinstance(item, BaseException) or id(item) in seen:
            continue
        seen.add(id(item))
        if isinstance(item, OSError) and item.errno is not None:
            return item
        todo += [*item.args[:1], item.__cause__, item.__context__]
    return None


def _failed(exc: OSError, path: Path, what: str) -> WriteFailed:
    """The Indonesian sentence for a refused write of `path` (`what` names it for the user)."""
    return WriteFailed(
        f"{what} '{path}' tidak dapat disimpan: {os_reason(exc)}. {os_advice(exc)} "
        "Buku kerja tidak diubah."
    )


def atomic_write(
    path: Path,
    write: Callable[[BinaryIO], None],
    backup: bool = True,
    mode_from: Path | None = None,
    expect: FileStamp | None = None,
    wait_s: float | None = None,
) -> Path:
    """Write `path` through `write(fh)` so that an interruption leaves the old or the new file.

    Holds the writer lock for `path` meanwhile; with `expect` (the stamp of what was read), a
    file changed since is not replaced (WorkbookChanged). A symlink is followed: the file it
    points to is replaced. With `backup`, the previous content is kept at backup_path() first,
    with the same mode and owner. The result keeps the mode and owner of the file it replaces;
    with `mode_from` (a copy written elsewhere, `validate --output`) it takes that file's mode
    instead, plus the owner's write bit so that the next run can replace the copy.
    Returns `path` as given.
    """
    path = Path(path)
    target = real_file(path)
    if os.environ.get(NO_LOCK_ENV):
        expect = None
    with writer_lock(path, wait_s) as held:
        if expect is None and held is not None and held.stamp is not None:
            expect = held.stamp  # this process read the file under the lock: it must still be that
        remove_stale_temps(target.parent)
        before = _stat(target)
        if expect is not None and not _unchanged(target, expect):
            raise WorkbookChanged(_changed_message(path))
        if backup and before is not None:
            kept = backup_path(target)
            try:
                with _temp_beside(kept) as (fh, tmp), target.open("rb") as src:
                    shutil.copyfileobj(src, fh, 1 << 20)
                    fh.flush()
                    os.fsync(fh.fileno())
                    fh.close()
                    _install(tmp, kept, before.st_mode & 0o7777, before, None)
            except OSError as exc:
                raise _failed(exc, kept, "Cadangan") from None
        if mode_from is None:
            mode = before.st_mode & 0o7777 if before is not None else _new_file_mode()
            like = before
        else:
            source = _stat(Path(mode_from))
            mode = (source.st_mode & 0o7777 if source else _new_file_mode()) | stat.S_IWUSR
            like = before
        try:
            with _temp_beside(target) as (fh, tmp):
                write(fh)
                fh.flush()
                os.fsync(fh.fileno())
                fh.close()
                pause = os.environ.get(PAUSE_ENV)
                if pause:
                    time.sleep(float(pause))
                _install(tmp, target, mode, like, expect)
        except SopxlError:
            raise
        except Exception as exc:
            cause = _os_error_in(exc)
            if cause is None:
                raise
            raise _failed(cause, path, "Buku kerja" if path.suffix.lower() in (".xlsx", ".xlsm") else "Berkas") from None
        _fsync_dir(target.parent)
        if held is not None:
            held.stamp = None  # what this process wrote is the version any later read starts from
    return path
