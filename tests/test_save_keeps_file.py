"""The save replaces the content and nothing else: a symlink stays a link, mode and owner stay,
the backup gets them too; a refused write says why in Indonesian and leaves no debris."""

from __future__ import annotations

import contextlib
import hashlib
import os
import re
import shutil
import subprocess
import sys
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

from sopxl.ooxml import WorkbookPackage
from sopxl.ooxml.atomic import LOCK_PREFIX, TEMP_PREFIX, backup_path
from sopxl.read.state import read_state

ROOT = Path(__file__).resolve().parents[1]
SAMPLE = ROOT / "samples" / "contoh-dengan-kesalahan-2026.xlsx"
TODAY = "2026-08-10"
CLI = [sys.executable, "-c", "from sopxl.frontends.cli import main; main()"]
ENV = {k: v for k, v in {**os.environ, "PYTHONPATH": str(ROOT)}.items() if v}
ENGLISH = re.compile(r"No space|Permission denied|Errno|Is a directory|Read-only file system|\(None\)|Traceback")

posix = pytest.mark.skipif(os.name != "posix", reason="links, modes and owners are POSIX")
root_only = pytest.mark.skipif(os.name != "posix" or os.geteuid() != 0, reason="changing a file's owner needs root")


def run(*args: str, env: dict[str, str] | None = None) -> tuple[int, str]:
    proc = subprocess.run([*CLI, *args], env={**ENV, **(env or {})}, capture_output=True, text=True, timeout=120)
    return proc.returncode, proc.stdout + proc.stderr


def validate(path: Path) -> tuple[int, str]:
    return run("validate", str(path), "--set", f"today={TODAY}")


def sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def marked(path: Path) -> bool:
    return bool(read_state(WorkbookPackage.open(path)).get("riwayat"))


def debris(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir() if p.name.startswith((TEMP_PREFIX, LOCK_PREFIX)))


@posix
def test_symlink_stays_a_link_and_its_target_is_marked(tmp_path: Path) -> None:
    real_dir = tmp_path / "data"
    real_dir.mkdir()
    real = real_dir / "capaian-asli.xlsx"
    shutil.copyfile(SAMPLE, real)
    original = real.read_bytes()
    link = tmp_path / "capaian.xlsx"
    link.symlink_to(real)
    code, out = validate(link)
    assert code == 1, out
    assert link.is_symlink() and link.resolve() == real.resolve()
    assert marked(real)
    assert backup_path(real).read_bytes() == original  # the backup is beside the real file
    assert debris(tmp_path) == [] and debris(real_dir) == []


@posix
def test_mode_kept_and_backup_gets_it(tmp_path: Path) -> None:
    path = tmp_path / "capaian.xlsx"
    shutil.copyfile(SAMPLE, path)
    path.chmod(0o640)
    old = os.umask(0o077)
    try:
        code, out = validate(path)
    finally:
        os.umask(old)
    assert code == 1, out
    assert path.stat().st_mode & 0o7777 == 0o640
    assert backup_path(path).stat().st_mode & 0o7777 == 0o640


@root_only
def test_owner_kept_and_backup_gets_it(tmp_path: Path) -> None:
    path = tmp_path / "capaian.xlsx"
    shutil.copyfile(SAMPLE, path)
    os.chown(path, 4321, 4322)
    code, out = validate(path)
    assert code == 1, out
    assert marked(path)
    for made in (path, backup_path(path)):
        st = made.stat()
        assert (st.st_uid, st.st_gid) == (4321, 4322)


@posix
def test_consolidate_output_is_saved_like_the_workbook(tmp_path: Path) -> None:
    """--output: refused while open in Excel, replaced atomically with its previous version kept
    as backup, its mode kept; nothing left in the folder but the report and its backup."""
    path = tmp_path / "capaian.xlsx"
    shutil.copyfile(SAMPLE, path)
    out_dir = tmp_path / "laporan"
    out_dir.mkdir()
    report = out_dir / "laporan.xlsx"
    args = ("consolidate", str(path), "--periode", "semester1", "--paksa", "--no-write", "--output", str(report))
    code, out = run(*args)
    assert code == 0, out
    report.chmod(0o640)
    first = report.read_bytes()
    (out_dir / "~$laporan.xlsx").write_bytes(b"x")
    code, out = run(*args)
    assert code == 2 and "sedang dibuka di Excel" in out, out
    (out_dir / "~$laporan.xlsx").unlink()
    code, out = run(*args)
    assert code == 0, out
    assert backup_path(report).read_bytes() == first
    assert report.stat().st_mode & 0o7777 == 0o640
    assert sorted(p.name for p in out_dir.iterdir()) == ["laporan.sopxl-cadangan.xlsx", "laporan.xlsx"]
    assert debris(tmp_path) == []


def test_consolidate_leaves_nothing_in_the_system_temp_folder(tmp_path: Path) -> None:
    systmp = tmp_path / "systmp"
    systmp.mkdir()
    work = tmp_path / "work"
    work.mkdir()
    path = work / "capaian.xlsx"
    shutil.copyfile(SAMPLE, path)
    env = {"TMPDIR": str(systmp)}
    code, out = run("consolidate", str(path), "--periode", "semester1", "--paksa", "--output",
                    str(work / "laporan.xlsx"), env=env)
    assert code == 0, out
    code, out = run("validate", str(path), "--set", f"today={TODAY}", env=env)
    assert code == 1, out
    assert list(systmp.iterdir()) == []
    assert sorted(p.name for p in work.iterdir()) == ["capaian.sopxl-cadangan.xlsx", "capaian.xlsx", "laporan.xlsx"]


def test_backup_path_is_a_folder(tmp_path: Path) -> None:
    path = tmp_path / "capaian.xlsx"
    shutil.copyfile(SAMPLE, path)
    digest = sha(path)
    backup_path(path).mkdir()
    code, out = validate(path)
    assert code == 2, out
    assert "Cadangan" in out and "capaian.sopxl-cadangan.xlsx" in out and "adalah folder" in out
    assert not ENGLISH.search(out), out
    assert TEMP_PREFIX not in out  # the temporary file is no business of the user
    assert sha(path) == digest
    assert debris(tmp_path) == []


@contextlib.contextmanager
def small_tmpfs(where: Path, size: str) -> Iterator[Path]:
    where.mkdir()
    if shutil.which("mount") is None:
        pytest.skip("no mount command")
    made = subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={size}", f"sopxl-{uuid.uuid4().hex[:6]}", str(where)],
                          capture_output=True, text=True)
    if made.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here ({made.stderr.strip() or made.returncode}); needs root")
    try:
        yield where
    finally:
        subprocess.run(["umount", "-l", str(where)], capture_output=True)


def fill(folder: Path, leave: int) -> None:
    """Fill the file system of `folder` until about `leave` bytes stay free."""
    st = os.statvfs(folder)
    free = st.f_bavail * st.f_frsize
    with open(folder / "pengisi.bin", "wb") as fh:
        fh.write(b"\0" * max(free - leave, 0))


def test_disk_full(tmp_path: Path) -> None:
    with small_tmpfs(tmp_path / "kecil", "1m") as disk:
        path = disk / "capaian.xlsx"
        shutil.copyfile(SAMPLE, path)
        digest = sha(path)
        fill(disk, SAMPLE.stat().st_size + 24 * 1024)  # room for the backup, not for the result
        code, out = validate(path)
        assert code == 2, out
        assert "Galat: Buku kerja" in out and "capaian.xlsx" in out
        assert "ruang penyimpanan penuh" in out and "Kosongkan ruang penyimpanan" in out
        assert not ENGLISH.search(out), out
        assert sha(path) == digest
        assert not backup_path(path).exists() or sha(backup_path(path)) == digest
        assert debris(disk) == []


def test_read_only_file_system(tmp_path: Path) -> None:
    with small_tmpfs(tmp_path / "ro", "1m") as disk:
        path = disk / "capaian.xlsx"
        shutil.copyfile(SAMPLE, path)
        digest = sha(path)
        remount = subprocess.run(["mount", "-o", "remount,ro", str(disk)], capture_output=True)
        if remount.returncode != 0:
            pytest.skip("cannot remount read-only")
        code, out = validate(path)
        assert code == 2, out
        assert "hanya-baca" in out or "tidak dapat ditulisi" in out, out
        assert not ENGLISH.search(out), out
        assert sha(path) == digest
        code, out = validate(path.with_name("tidak-ada.xlsx"))
        assert code == 2 and "tidak ditemukan" in out


def test_os_errors_unforeseen_are_indonesian() -> None:
    import errno

    from sopxl.frontends.cli.common import os_error_sentence

    disk = os_error_sentence(OSError(errno.ENOSPC, "No space left on device"))
    assert disk.startswith("Berkas tidak dapat diakses: ruang penyimpanan penuh. Kosongkan")
    named = os_error_sentence(OSError(errno.EROFS, "Read-only file system", "/data/x.xlsx"))
    assert named.startswith("Berkas '/data/x.xlsx' tidak dapat diakses: perangkat penyimpanannya hanya dapat dibaca.")
    assert os_error_sentence(PermissionError(errno.EACCES, "Permission denied", "/data/x.xlsx")).startswith(
        "Tidak ada izin untuk mengakses '/data/x.xlsx'."
    )
    for sentence in (disk, named):
        assert not ENGLISH.search(sentence)
