"""The digital archive: the SQLite index and the files agree after a mix of sends, drafts and
failures, after concurrent sends and after a process killed in the middle of an archive write;
the index is append-only; `sopxl arsip` lists a workbook's history oldest first."""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from kirim_stand import USER, free_port, smtp_server
from wbfactory import standard_book

from sopxl.core.config import Settings
from sopxl.frontends.cli import cli
from sopxl.send import archive as arsip

TODAY = ["--set", "today=2026-07-20"]
ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(autouse=True)
def _no_password(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("SOPXL_SMTP_PASSWORD", raising=False)


def kirim(*args: str) -> tuple[int, dict[str, Any]]:
    result = CliRunner().invoke(cli, ["kirim", *args, "--format", "json", *TODAY])
    return result.exit_code, json.loads(result.stdout.splitlines()[0])


def assert_agree(archive: Path) -> list[arsip.Record]:
    """Every record names files that are there, with the attachments it lists."""
    recs = arsip.records(archive)
    for rec in recs:
        eml = archive / rec.eml
        assert eml.is_file(), rec
        for name in rec.attachments:
            assert (eml.parent / name).is_file(), (rec, name)
    named = {archive / rec.eml for rec in recs}
    assert len(named) == len(recs)  # one folder per record
    return recs


def test_mix_of_sends_drafts_and_failures_agree(tmp_path: Path) -> None:
    path = standard_book(months=6).write(tmp_path / "b.xlsx")
    other = standard_book(months=3).write(tmp_path / "lain.xlsx")
    assert kirim(str(path))[0] == 0
    dead = free_port()
    code, failed = kirim(str(path), "--set", "smtp_host=127.0.0.1", "--set", f"smtp_port={dead}",
                         "--set", "smtp_security=none", "--set", f"email_from={USER}")
    assert code == 3
    with smtp_server(tmp_path) as stand:
        assert kirim(str(path), "--ulang", *stand.settings())[0] == 0
        assert kirim(str(other), *stand.settings())[0] == 0
        assert kirim(str(path), "--draf", str(tmp_path / "d.eml"))[0] == 0
    archive = tmp_path / "arsip"
    recs = assert_agree(archive)
    assert [r.status for r in recs] == ["draf", "gagal", "terkirim", "terkirim", "draf"]
    result = CliRunner().invoke(cli, ["arsip", str(path), "--format", "json"])
    assert result.exit_code == 0
    listed = json.loads(result.stdout)
    assert [k["status"] for k in listed["kiriman"]] == ["draf", "gagal", "terkirim", "draf"]
    assert set(listed["kiriman"][0]) == {"waktu", "status", "mode", "to", "cc", "subject", "message_id",
                                         "periode", "sha256", "eml", "reason"}
    assert listed["kiriman"][1]["reason"] == failed["reason"]
    assert listed["kiriman"][1]["message_id"] == listed["kiriman"][2]["message_id"]
    assert [k["mode"] for k in listed["kiriman"]] == ["draf", "smtp", "smtp", "draf"]
    table = CliRunner().invoke(cli, ["arsip", str(path)])
    assert table.exit_code == 0
    assert "gagal" in table.stdout and "terkirim" in table.stdout and "sebab:" in table.stdout


def test_index_is_append_only(tmp_path: Path) -> None:
    path = standard_book(months=6).write(tmp_path / "b.xlsx")
    assert kirim(str(path))[0] == 0
    con = sqlite3.connect(tmp_path / "arsip" / arsip.INDEX_NAME)
    try:
        with pytest.raises(sqlite3.DatabaseError, match="hanya dapat ditambah"):
            con.execute("UPDATE kiriman SET status = 'terkirim'")
        with pytest.raises(sqlite3.DatabaseError, match="hanya dapat ditambah"):
            con.execute("DELETE FROM kiriman")
    finally:
        con.close()


def test_arsip_dir_setting_relative_to_the_workbook(tmp_path: Path) -> None:
    path = standard_book(months=6).write(tmp_path / "b.xlsx")
    code, out = kirim(str(path), "--set", "arsip_dir=simpanan/kiriman")
    assert code == 0
    assert Path(out["eml"]).is_relative_to(tmp_path / "simpanan" / "kiriman")
    result = CliRunner().invoke(cli, ["arsip", str(path), "--format", "json", "--set", "arsip_dir=simpanan/kiriman"])
    assert len(json.loads(result.stdout)["kiriman"]) == 1
    assert json.loads(CliRunner().invoke(cli, ["arsip", str(path), "--format", "json"]).stdout)["kiriman"] == []


def _env() -> dict[str, str]:
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join([str(ROOT), env.get("PYTHONPATH", "")])
    env.pop("SOPXL_SMTP_PASSWORD", None)
    return env


def test_concurrent_sends_all_land(tmp_path: Path) -> None:
    path = standard_book(months=6).write(tmp_path / "b.xlsx")
    procs = [
        subprocess.Popen(
            [sys.executable, "-m", "sopxl", "kirim", str(path), "--draf", str(tmp_path / f"d{i}.eml"), *TODAY],
            env=_env(), stdout=subprocess.PIPE, stderr=subprocess.PIPE,
        )
        for i in range(4)
    ]
    for p in procs:
        _out, err = p.communicate(timeout=120)
        assert p.returncode == 0, err.decode()
    recs = assert_agree(tmp_path / "arsip")
    assert len(recs) == 4
    assert len({r.message_id for r in recs}) == 4


KILL = """
import os, signal, sys
from sopxl.send import archive
point = sys.argv[1]
def hook(name):
    if name == point:
        os.kill(os.getpid(), signal.SIGKILL)
archive.hook = hook
if point == "berkas":
    real = archive._fsync_file
    count = [0]
    def dying(path, data):
        count[0] += 1
        if count[0] == 2:  # after the .eml, in the middle of the attachments
            os.kill(os.getpid(), signal.SIGKILL)
        real(path, data)
    archive._fsync_file = dying
from sopxl.send import kirim
kirim(sys.argv[2], run_overrides={"today": "2026-07-20"})
"""


@pytest.mark.skipif(os.name == "nt", reason="SIGKILL")
@pytest.mark.parametrize("point", ["berkas", "arsip-sebelum-indeks", "arsip-sesudah-indeks"])
def test_killed_in_the_middle_of_an_archive_write(tmp_path: Path, point: str) -> None:
    path = standard_book(months=6).write(tmp_path / "b.xlsx")
    assert kirim(str(path))[0] == 0
    proc = subprocess.run([sys.executable, "-c", KILL, point, str(path)], env=_env(), capture_output=True, timeout=120)
    assert proc.returncode == -9, proc.stderr.decode()
    archive = tmp_path / "arsip"
    recs = assert_agree(archive)
    assert len(recs) == (2 if point == "arsip-sesudah-indeks" else 1)
    # the archive still takes new records, and the history reads
    assert kirim(str(path))[0] == 0
    assert len(assert_agree(archive)) == len(recs) + 1
    assert len(arsip.records(archive, path)) == len(recs) + 1


def test_outbox_beside_the_archive(tmp_path: Path) -> None:
    settings = Settings()
    archive = arsip.archive_dir(tmp_path / "b.xlsx", settings)
    assert archive == tmp_path.resolve() / "arsip"
    assert arsip.outbox_dir(archive) == tmp_path.resolve() / "kotak-keluar"
