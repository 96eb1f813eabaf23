"""A writer killed at any moment leaves the old or the new workbook, and the next normal run
leaves no temporary file, scratch folder or lock behind (kill -9 cannot clean up; SIGTERM can)."""

from __future__ import annotations

import hashlib
import os
import random
import shutil
import signal
import subprocess
import sys
import time
import zipfile
from pathlib import Path

import pytest

from sopxl.ooxml.atomic import LOCK_PREFIX, PAUSE_ENV, TEMP_PREFIX, backup_path

ROOT = Path(__file__).resolve().parents[1]
SAMPLE = ROOT / "samples" / "contoh-dengan-kesalahan-2026.xlsx"
TODAY = "2026-08-10"
CLI = [sys.executable, "-c", "from sopxl.frontends.cli import main; main()"]
ENV = {k: v for k, v in {**os.environ, "PYTHONPATH": str(ROOT)}.items() if v}

pytestmark = pytest.mark.skipif(os.name != "posix", reason="signals are POSIX")


def sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def start(path: Path, env: dict[str, str] | None = None) -> subprocess.Popen[bytes]:
    return subprocess.Popen([*CLI, "validate", str(path), "--set", f"today={TODAY}"],
                            env={**ENV, **(env or {})}, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)


def normal_run(path: Path, env: dict[str, str] | None = None) -> None:
    proc = subprocess.run([*CLI, "validate", str(path), "--set", f"today={TODAY}"], env={**ENV, **(env or {})},
                          capture_output=True, text=True, timeout=60)
    assert proc.returncode == 1, proc.stdout + proc.stderr


def debris(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir() if p.name.startswith((TEMP_PREFIX, LOCK_PREFIX)))


def intact(path: Path) -> None:
    with zipfile.ZipFile(path) as zf:
        assert zf.testzip() is None


def test_kill_at_random_moments_then_a_normal_run(tmp_path: Path) -> None:
    systmp = tmp_path / "systmp"  # the system's temporary folder of the runs: stays empty
    systmp.mkdir()
    env = {"TMPDIR": str(systmp)}
    work = tmp_path / "work"
    work.mkdir()
    path = work / "capaian.xlsx"
    shutil.copyfile(SAMPLE, path)
    old = sha(path)
    began = time.perf_counter()
    normal_run(path, env)
    full = time.perf_counter() - began
    new = sha(path)
    assert new != old
    rng = random.Random(20260810)
    seen = {"old": 0, "new": 0}
    for _ in range(8):
        shutil.copyfile(SAMPLE, path)
        backup_path(path).unlink(missing_ok=True)
        proc = start(path, env)
        time.sleep(rng.uniform(0.05, full))
        proc.send_signal(signal.SIGKILL)
        proc.wait()
        intact(path)
        digest = sha(path)
        assert digest in (old, new)
        seen["old" if digest == old else "new"] += 1
        normal_run(path, env)  # finds what the killed run left, cleans it and writes
        intact(path)
        assert debris(work) == []
        assert list(systmp.iterdir()) == []
    assert sum(seen.values()) == 8


def wait_for_pause(folder: Path, proc: subprocess.Popen[bytes], workbook: Path) -> None:
    """Until the writer sleeps just before renaming its finished file into place (the backup is
    made and the temporary file of the workbook exists)."""
    deadline = time.monotonic() + 30
    while not (backup_path(workbook).exists() and any(n.endswith(".xlsx.tmp") for n in debris(folder))):
        assert proc.poll() is None and time.monotonic() < deadline
        time.sleep(0.01)
    time.sleep(0.2)


def test_kill_just_before_the_rename(tmp_path: Path) -> None:
    path = tmp_path / "capaian.xlsx"
    for _ in range(3):
        shutil.copyfile(SAMPLE, path)
        old = sha(path)
        proc = start(path, {PAUSE_ENV: "20"})
        wait_for_pause(tmp_path, proc, path)
        left = debris(tmp_path)
        assert any(n.startswith(LOCK_PREFIX) for n in left) and any(n.endswith(".xlsx.tmp") for n in left)
        proc.send_signal(signal.SIGKILL)
        proc.wait()
        assert sha(path) == old  # killed before the rename: the old workbook, whole
        assert debris(tmp_path) != []  # kill -9 leaves its temporary file and lock
        normal_run(path)
        intact(path)
        assert sha(path) != old
        assert debris(tmp_path) == []


def test_sigterm_during_the_write_cleans_up(tmp_path: Path) -> None:
    path = tmp_path / "capaian.xlsx"
    shutil.copyfile(SAMPLE, path)
    old = sha(path)
    proc = start(path, {PAUSE_ENV: "20"})
    wait_for_pause(tmp_path, proc, path)
    proc.send_signal(signal.SIGTERM)
    proc.wait(timeout=30)
    assert proc.returncode == -signal.SIGTERM
    assert sha(path) == old
    assert debris(tmp_path) == []
