"""Writers that never lose each other, readers that never see a half-replaced file.

Every test runs the real CLI in subprocesses on the sample workbook with errors (a validation
writes marks, a consolidation writes its report sheet; sopxl's state records both).
"""

from __future__ import annotations

import os
import random
import shutil
import subprocess
import sys
import time
import zipfile
from pathlib import Path

import pytest

from sopxl.core.errors import WorkbookChanged
from sopxl.ooxml import WorkbookPackage
from sopxl.ooxml.atomic import LOCK_PREFIX, TEMP_PREFIX, atomic_write, writer_lock
from sopxl.read.state import REPORTS_KEY, read_state
from sopxl.read.workbook import WorkbookReader, read_workbook

ROOT = Path(__file__).resolve().parents[1]
SAMPLE = ROOT / "samples" / "contoh-dengan-kesalahan-2026.xlsx"
TODAY = "2026-08-10"
CLI = [sys.executable, "-c", "from sopxl.frontends.cli import main; main()"]
ENV = {**os.environ, "PYTHONPATH": str(ROOT), "SOPXL_SPEC_DIR": os.environ.get("SOPXL_SPEC_DIR", "")}
ENV = {k: v for k, v in ENV.items() if v}


def start(*args: str, env: dict[str, str] | None = None) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [*CLI, *args], env={**ENV, **(env or {})}, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )


def validate(path: Path, *extra: str, env: dict[str, str] | None = None) -> subprocess.Popen[str]:
    return start("validate", str(path), "--set", f"today={TODAY}", *extra, env=env)


def consolidate(path: Path, *extra: str, env: dict[str, str] | None = None) -> subprocess.Popen[str]:
    return start("consolidate", str(path), "--periode", "semester1", "--paksa", "--set", f"today={TODAY}",
                 *extra, env=env)


def finish(proc: subprocess.Popen[str]) -> tuple[int, str]:
    out, err = proc.communicate(timeout=60)
    return proc.returncode, out + err


def runs_recorded(path: Path) -> int:
    """How many validations wrote their marks into the workbook (sopxl's run history)."""
    return len(read_state(WorkbookPackage.open(path)).get("riwayat") or [])


def has_report(path: Path) -> bool:
    pkg = WorkbookPackage.open(path)
    return pkg.find_sheet("Laporan Semester I") is not None and "semester1" in (read_state(pkg).get(REPORTS_KEY) or {})


def no_debris(folder: Path) -> None:
    left = [p.name for p in folder.iterdir() if p.name.startswith((TEMP_PREFIX, LOCK_PREFIX))]
    assert left == [], left


@pytest.mark.parametrize("pair", ["validate+validate", "validate+consolidate"])
def test_two_writers_at_once_never_lose_work(tmp_path: Path, pair: str) -> None:
    rng = random.Random(pair)
    for round_ in range(6):
        path = tmp_path / f"r{round_}" / "capaian.xlsx"
        path.parent.mkdir()
        shutil.copyfile(SAMPLE, path)
        first = validate(path)
        time.sleep(rng.uniform(0, 0.15))
        second = validate(path) if pair == "validate+validate" else consolidate(path)
        (code1, out1), (code2, out2) = finish(first), finish(second)
        validated = int(code1 == 1) + int(pair == "validate+validate" and code2 == 1)
        for code, out in ((code1, out1), (code2, out2)):
            assert code in (0, 1, 2), out
            assert "Traceback" not in out
            if code == 2:
                assert "sedang ditulis oleh proses sopxl lain" in out, out
        # every command that reported success has its work in the file
        assert runs_recorded(path) == validated, (out1, out2)
        if pair == "validate+consolidate":
            assert has_report(path) == (code2 == 0), out2
        with zipfile.ZipFile(path) as zf:
            assert zf.testzip() is None
        no_debris(path.parent)


def test_second_writer_refuses_after_the_wait(tmp_path: Path) -> None:
    """A writer still busy after `lock_wait_s`: the other says so and refuses, exit 2, and
    writes nothing; it never reports success for work that is not in the file."""
    path = tmp_path / "capaian.xlsx"
    shutil.copyfile(SAMPLE, path)
    slow = validate(path, env={"SOPXL_TEST_PAUSE_BEFORE_RENAME": "3"})
    deadline = time.monotonic() + 30
    while not any(p.name.startswith(LOCK_PREFIX) for p in tmp_path.iterdir()):
        assert time.monotonic() < deadline and slow.poll() is None
        time.sleep(0.02)
    for other in (validate(path, "--set", "lock_wait_s=0.5"),
                  consolidate(path, "--set", "lock_wait_s=0.5")):
        code, out = finish(other)
        assert code == 2, out
        assert "Menunggu: buku kerja 'capaian.xlsx' sedang ditulis oleh proses sopxl lain" in out
        assert "Galat: Buku kerja 'capaian.xlsx' sedang ditulis oleh proses sopxl lain" in out
        assert "belum selesai setelah ditunggu 0,5 detik" in out
        assert "Excel" not in out  # sopxl's own lock is not Excel's
    code, out = finish(slow)
    assert code == 1, out
    assert runs_recorded(path) == 1 and not has_report(path)
    no_debris(tmp_path)


def test_readers_during_writes_never_see_damage(tmp_path: Path) -> None:
    path = tmp_path / "capaian.xlsx"
    shutil.copyfile(SAMPLE, path)
    writers = [validate(path)]
    readers = []
    for k in range(12):
        readers.append(validate(path, "--no-write", "--format", "json"))
        if k % 3 == 2:
            writers.append(validate(path) if k % 2 else consolidate(path))
        time.sleep(0.05)
    for proc in readers:
        code, out = finish(proc)
        assert code == 1, out  # the sample has errors; never 2 (damaged)
        assert "rusak" not in out
    for proc in writers:
        code, out = finish(proc)
        assert code in (0, 1), out


def _versions(tmp_path: Path) -> tuple[Path, Path]:
    """Two versions of one workbook: the sample and the sample with marks."""
    old = tmp_path / "lama.xlsx"
    shutil.copyfile(SAMPLE, old)
    new = tmp_path / "baru.xlsx"
    shutil.copyfile(SAMPLE, new)
    assert finish(validate(new))[0] == 1
    return old, new


def test_reader_keeps_one_version_while_the_file_is_replaced(tmp_path: Path) -> None:
    """The reader works on what it read first, whatever is renamed into place between sheets."""
    old, new = _versions(tmp_path)
    path = tmp_path / "capaian.xlsx"
    shutil.copyfile(old, path)
    with WorkbookReader(old) as reference:
        expected = {name: reference.grid(name) for name in reference.sheet_names}
    with WorkbookReader(path) as reader:
        staged = tmp_path / "staged.xlsx"
        for k, name in enumerate(reader.sheet_names):
            shutil.copyfile(new if k % 2 == 0 else old, staged)
            os.replace(staged, path)  # what Excel's save and sync clients do
            assert reader.grid(name) == expected[name]
            reader.error_cells(name)
        assert "Catatan Koreksi" not in reader.sheet_names  # still the old version
    shutil.copyfile(new, path)
    assert "Catatan Koreksi" in read_workbook(path).sheet_names


def test_a_change_between_read_and_save_is_not_erased(tmp_path: Path) -> None:
    """A package saved over a file that changed since it was read refuses, and the change stays."""
    old, new = _versions(tmp_path)
    path = tmp_path / "capaian.xlsx"
    shutil.copyfile(old, path)
    pkg = WorkbookPackage.open(path)
    pkg.set_cell_values("Identitas", {"D20": "sopxl"})
    shutil.copyfile(new, path)  # another program saved meanwhile
    with pytest.raises(WorkbookChanged, match="diubah oleh program lain sejak sopxl membacanya"):
        pkg.save()
    assert path.read_bytes() == new.read_bytes()
    no_debris(tmp_path)


def test_a_change_between_two_reads_under_the_lock_is_noticed(tmp_path: Path) -> None:
    """A command reads the workbook twice (the check, then the package edit): another program
    saving in between is noticed before anything is written."""
    old, new = _versions(tmp_path)
    path = tmp_path / "capaian.xlsx"
    shutil.copyfile(old, path)
    with writer_lock(path):
        read_workbook(path)
        shutil.copyfile(new, path)
        with pytest.raises(WorkbookChanged):
            WorkbookPackage.open(path)
    no_debris(tmp_path)


def test_vanished_file_is_told(tmp_path: Path) -> None:
    path = tmp_path / "capaian.xlsx"
    shutil.copyfile(SAMPLE, path)
    pkg = WorkbookPackage.open(path)
    path.unlink()
    with pytest.raises(WorkbookChanged, match="dihapus atau dipindahkan"):
        pkg.save()
    assert not path.exists()
    no_debris(tmp_path)


def test_lock_is_reentrant_and_removed(tmp_path: Path) -> None:
    path = tmp_path / "a.xlsx"
    path.write_bytes(b"old")
    with writer_lock(path) as outer:
        assert outer is not None
        lock = tmp_path / (LOCK_PREFIX + "a.xlsx")
        text = lock.read_text()
        assert f"pid={os.getpid()}" in text and "host=" in text and "sejak=" in text
        atomic_write(path, lambda fh: fh.write(b"new"), backup=False)  # takes the same lock
        with writer_lock(path) as inner:
            assert inner is outer
    assert path.read_bytes() == b"new"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a.xlsx"]


def kirim(path: Path) -> subprocess.Popen[str]:
    return start("kirim", str(path), "--paksa", "--format", "json", "--set", f"today={TODAY}")


def test_consolidate_and_kirim_at_once_never_lose_work(tmp_path: Path) -> None:
    """`sopxl kirim` drafts from the bytes it read and then writes Kendali SOP step 6 and its
    state record through the same locked, verified save: whatever order the two commands
    take, each one's reported work is in the file (or kirim says step 6 was not written)."""
    import json

    from sopxl.send.kirim import STATE_KEY

    rng = random.Random("kirim")
    for round_ in range(4):
        path = tmp_path / f"r{round_}" / "capaian.xlsx"
        path.parent.mkdir()
        shutil.copyfile(SAMPLE, path)
        first = consolidate(path)
        time.sleep(rng.uniform(0, 0.15))
        second = kirim(path)
        code1, out1 = finish(first)
        stdout2, stderr2 = second.communicate(timeout=60)
        code2, out2 = second.returncode, stdout2 + stderr2
        assert "Traceback" not in out1 + out2
        assert code1 in (0, 2) and code2 in (0, 2), (out1, out2)
        if code1 == 2:
            assert "sedang ditulis oleh proses sopxl lain" in out1, out1
        assert has_report(path) == (code1 == 0), out1
        sends = read_state(WorkbookPackage.open(path)).get(STATE_KEY) or []
        if code2 == 0:
            result = json.loads(stdout2)
            assert result["status"] == "draf"
            written = any(s.get("message_id") == result["message_id"] for s in sends if isinstance(s, dict))
            assert written or "langkah 6 Kendali SOP tidak dapat ditulis" in out2, out2
        else:
            assert sends == []
        with zipfile.ZipFile(path) as zf:
            assert zf.testzip() is None
        no_debris(path.parent)
