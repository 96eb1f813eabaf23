"""Safe writing: refusals (lock file, read-only, damaged workbook) and interruption at any moment."""

from __future__ import annotations

import hashlib
import os
import random
import re
import shutil
import signal
import subprocess
import sys
import textwrap
import time
import zipfile
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner
from wbfactory import standard_book

from sopxl.core import spec
from sopxl.core.errors import WorkbookBusy
from sopxl.frontends.cli import cli
from sopxl.ooxml.atomic import atomic_write, backup_path, check_writable, lock_files, refuse_if_open

TODAY = "2026-04-20"


def planted(path: Path) -> Path:
    book = standard_book(months=3)
    book.months[2][0][spec.COL_RVRO] = "1.234,5"
    book.months[3][0][spec.COL_TANGGAL] = None
    return book.write(path)


def sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def invoke(path: Path) -> tuple[int, str]:
    result = CliRunner().invoke(cli, ["validate", str(path), "--set", f"today={TODAY}"])
    return result.exit_code, result.output


@pytest.mark.parametrize("lock_name", ["~$capaian.xlsx", "~$paian.xlsx", ".~lock.capaian.xlsx#"])
def test_refuses_when_open_in_excel(tmp_path: Path, lock_name: str) -> None:
    path = planted(tmp_path / "capaian.xlsx")
    (tmp_path / lock_name).write_bytes(b"x")
    digest = sha(path)
    code, output = invoke(path)
    assert code == 2
    assert "sedang dibuka" in output
    assert sha(path) == digest
    assert not backup_path(path).exists()


def test_lock_names() -> None:
    names = {p.name for p in lock_files(Path("/x/Capaian 2026.xlsx"))}
    assert {"~$Capaian 2026.xlsx", "~$paian 2026.xlsx"} <= names


def test_refuses_read_only(tmp_path: Path) -> None:
    path = planted(tmp_path / "capaian.xlsx")
    digest = sha(path)
    path.chmod(0o444)
    try:
        code, output = invoke(path)
    finally:
        path.chmod(0o644)
    assert code == 2
    assert "hanya-baca" in output
    assert sha(path) == digest


def test_check_writable_read_only_raises(tmp_path: Path) -> None:
    path = tmp_path / "a.xlsx"
    path.write_bytes(b"x")
    path.chmod(0o400)
    with pytest.raises(WorkbookBusy):
        check_writable(path)


@pytest.mark.parametrize("damage", ["garbage", "styles", "workbook"])
def test_refuses_unparseable(tmp_path: Path, damage: str) -> None:
    path = planted(tmp_path / "capaian.xlsx")
    if damage == "garbage":
        path.write_bytes(b"PK\x03\x04 this is not really a zip file" * 10)
    else:
        member = "xl/styles.xml" if damage == "styles" else "xl/workbook.xml"
        with zipfile.ZipFile(path) as zf:
            parts = {n: zf.read(n) for n in zf.namelist()}
        parts[member] = parts[member][: len(parts[member]) // 2]
        with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
            for n, d in parts.items():
                zf.writestr(n, d)
    digest = sha(path)
    code, output = invoke(path)
    assert code == 2, output
    assert "Galat:" in output
    assert sha(path) == digest


def test_backup_is_kept_and_rotated(tmp_path: Path) -> None:
    path = planted(tmp_path / "capaian.xlsx")
    first = path.read_bytes()
    invoke(path)
    assert backup_path(path).read_bytes() == first
    second = path.read_bytes()
    invoke(path)
    assert backup_path(path).read_bytes() == second
    assert sorted(p.name for p in tmp_path.iterdir()) == ["capaian.sopxl-cadangan.xlsx", "capaian.xlsx"]


def test_atomic_write_failure_leaves_old_file(tmp_path: Path) -> None:
    path = tmp_path / "f.xlsx"
    path.write_bytes(b"old")

    def boom(fh: object) -> None:
        fh.write(b"half")  # type: ignore[attr-defined]
        raise RuntimeError("interrupted")

    with pytest.raises(RuntimeError):
        atomic_write(path, boom, backup=False)
    assert path.read_bytes() == b"old"
    assert [p.name for p in tmp_path.iterdir()] == ["f.xlsx"]


@pytest.mark.skipif(os.name != "posix", reason="file modes are POSIX")
def test_atomic_write_modes(tmp_path: Path) -> None:
    """A new file gets a plain file's mode, not the private mode of its temporary file; a
    replaced file keeps its own."""
    umask = os.umask(0)
    os.umask(umask)
    new = atomic_write(tmp_path / "new.xlsx", lambda fh: fh.write(b"new"), backup=False)
    assert new.stat().st_mode & 0o777 == 0o666 & ~umask
    kept = tmp_path / "kept.xlsx"
    kept.write_bytes(b"old")
    kept.chmod(0o640)
    atomic_write(kept, lambda fh: fh.write(b"new"), backup=False)
    assert kept.stat().st_mode & 0o777 == 0o640 and kept.read_bytes() == b"new"


@pytest.fixture
def private_umask() -> Iterator[None]:
    """A umask under which a plain new file would be 0600: modes seen then were copied."""
    old = os.umask(0o077)
    try:
        yield
    finally:
        os.umask(old)


@pytest.mark.skipif(os.name != "posix", reason="file modes are POSIX")
@pytest.mark.parametrize("mode", [0o644, 0o664])
def test_backup_keeps_the_original_mode(tmp_path: Path, mode: int, private_umask: None) -> None:
    path = planted(tmp_path / "capaian.xlsx")
    path.chmod(mode)
    invoke(path)
    assert backup_path(path).stat().st_mode & 0o7777 == mode
    assert path.stat().st_mode & 0o7777 == mode


@pytest.mark.skipif(os.name != "posix", reason="file modes are POSIX")
@pytest.mark.parametrize("mode", [0o644, 0o664])
def test_output_copy_keeps_the_original_mode(tmp_path: Path, mode: int, private_umask: None) -> None:
    path = planted(tmp_path / "capaian.xlsx")
    path.chmod(mode)
    copy = tmp_path / "salinan.xlsx"
    for _ in range(2):  # a new copy, then a replaced one
        result = CliRunner().invoke(cli, ["validate", str(path), "--output", str(copy), "--set", f"today={TODAY}"])
        assert result.exit_code == 1, result.output
        assert copy.stat().st_mode & 0o7777 == mode
    assert path.stat().st_mode & 0o7777 == mode


@pytest.mark.skipif(os.name != "posix", reason="file modes are POSIX")
def test_copy_of_a_read_only_original_stays_writable_by_its_owner(tmp_path: Path, private_umask: None) -> None:
    source = tmp_path / "sumber.xlsx"
    source.write_bytes(b"old")
    source.chmod(0o444)
    copy = atomic_write(tmp_path / "salinan.xlsx", lambda fh: fh.write(b"new"), backup=False, mode_from=source)
    assert copy.stat().st_mode & 0o7777 == 0o644
    check_writable(copy)  # the next run may replace it


@pytest.mark.parametrize("lock_name", ["~$capaian.xlsx", ".~lock.capaian.xlsx#"])
def test_refuse_if_open_names_the_lock(tmp_path: Path, lock_name: str) -> None:
    path = tmp_path / "capaian.xlsx"
    refuse_if_open(path)  # no lock file: nothing to say
    (tmp_path / lock_name).write_bytes(b"x")
    with pytest.raises(WorkbookBusy, match=re.escape(f"'{lock_name}'")):
        refuse_if_open(path)


WRITER = textwrap.dedent(
    """
    import sys
    from pathlib import Path
    from sopxl.core.config import Settings
    from sopxl.writeback.marks import apply_marks
    from sopxl.rules.validate import validate_path

    result, data, settings = validate_path(sys.argv[1], run_overrides={"today": sys.argv[2]})
    data.release_tables()
    print("ready", flush=True)
    apply_marks(data.path, result, settings)
    """
)


@pytest.mark.slow
def test_kill_at_random_moments_leaves_old_or_new(tmp_path: Path) -> None:
    from python_calamine import CalamineWorkbook

    original = planted(tmp_path / "original.xlsx")
    work = tmp_path / "work"
    work.mkdir()
    target = work / "capaian.xlsx"
    script = tmp_path / "writer.py"
    script.write_text(WRITER)
    env = {**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parents[1])}

    # one uninterrupted run: the new version and how long the write takes
    shutil.copyfile(original, target)
    start = time.perf_counter()
    subprocess.run([sys.executable, str(script), str(target), TODAY], check=True, env=env, capture_output=True)
    full = time.perf_counter() - start
    new_hash, old_hash = sha(target), sha(original)
    assert new_hash != old_hash

    rng = random.Random(20260420)
    outcomes = {"old": 0, "new": 0}
    for _ in range(30):
        shutil.copyfile(original, target)
        proc = subprocess.Popen(
            [sys.executable, str(script), str(target), TODAY], env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE
        )
        assert proc.stdout is not None
        proc.stdout.readline()  # validation done: the write starts now
        time.sleep(rng.uniform(0, max(full * 0.5, 0.05)))
        proc.send_signal(signal.SIGKILL)
        proc.wait()
        with zipfile.ZipFile(target) as zf:
            assert zf.testzip() is None
        CalamineWorkbook.from_path(str(target)).get_sheet_by_name("Februari").to_python()
        digest = sha(target)
        assert digest in (old_hash, new_hash)
        outcomes["old" if digest == old_hash else "new"] += 1
        for stale in work.glob(".~sopxl-*"):
            # a killed writer leaves its temporary file (and scratch folder); the workbook is intact
            shutil.rmtree(stale) if stale.is_dir() else stale.unlink()
    print("outcomes", outcomes)
    assert outcomes["old"] + outcomes["new"] == 30


@pytest.mark.skipif(os.name != "posix", reason="pids are checked on POSIX")
def test_stale_temps_of_dead_writers_are_removed(tmp_path: Path) -> None:
    from sopxl.ooxml.atomic import TEMP_PREFIX, _host_tag, remove_stale_temps

    dead = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True)
    pid = int(dead.stdout)
    host = _host_tag()
    gone_file = tmp_path / f"{TEMP_PREFIX}{host}-{pid}-0a0b0c0d.xlsx.tmp"
    gone_file.write_bytes(b"x" * 1000)
    gone_dir = tmp_path / f"{TEMP_PREFIX}{host}-{pid}-0a0b0c0e.tmp"
    (gone_dir / "sub").mkdir(parents=True)
    live = tmp_path / f"{TEMP_PREFIX}{host}-{os.getppid()}-0a0b0c0f.xlsx.tmp"  # pytest's parent lives
    live.write_bytes(b"x")
    other_host = tmp_path / f"{TEMP_PREFIX}00000000-{pid}-0a0b0c10.xlsx.tmp"  # can't tell: by age
    other_host.write_bytes(b"x")
    old = tmp_path / f"{TEMP_PREFIX}tua.xlsx.tmp"
    old.write_bytes(b"x")
    os.utime(old, (time.time() - 7200, time.time() - 7200))
    remove_stale_temps(tmp_path)
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted([live.name, other_host.name])
