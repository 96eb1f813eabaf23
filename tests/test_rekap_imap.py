"""`sopxl rekap --imap` against a real IMAP server: Dovecot on 127.0.0.1 with a test user and
a test CA (trustme), holding the drafts the real `sopxl kirim` wrote (APPENDed over IMAP, with
flags). The recap equals the one of the same messages as .eml files, and no message's flags
change.

Skipped where Dovecot is not installed, unless SOPXL_REQUIRE_DOVECOT=1 (CI), where its absence
is a failure.
"""

from __future__ import annotations

import imaplib
import json
import os
import re
import shutil
import socket
import ssl
import subprocess
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from test_rekap import kirim_draft, satker_book, without_files

from sopxl.core import spec
from sopxl.frontends.cli import cli

USER = "badiklat"
PASSWORD = "rahasia-uji-123"
MAIL_UID = 65534  # nobody: Dovecot never serves mail as root


def _dovecot() -> str:
    found = shutil.which("dovecot") or ("/usr/sbin/dovecot" if Path("/usr/sbin/dovecot").exists() else None)
    if found is None:
        if os.environ.get("SOPXL_REQUIRE_DOVECOT") == "1":
            pytest.fail("Dovecot is required (SOPXL_REQUIRE_DOVECOT=1) but not installed")
        pytest.skip("Dovecot is not installed")
    if os.geteuid() != 0:
        pytest.skip("this Dovecot set-up runs as root (it serves mail as another user)")
    return found


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


CONFIG = """\
base_dir = {root}/run
state_dir = {root}/state
log_path = {root}/dovecot.log
info_log_path = {root}/dovecot.log
protocols = imap
listen = 127.0.0.1
ssl = required
ssl_cert = <{root}/cert.pem
ssl_key = <{root}/key.pem
disable_plaintext_auth = yes
auth_mechanisms = plain
first_valid_uid = {uid}
mail_location = maildir:{root}/mail/%u
passdb {{
  driver = passwd-file
  args = scheme=PLAIN username_format=%u {root}/passwd
}}
userdb {{
  driver = static
  args = uid={uid} gid={uid} home={root}/home/%u
}}
service imap-login {{
  inet_listener imap {{
    port = 0
  }}
  inet_listener imaps {{
    port = {port}
    ssl = yes
  }}
}}
service anvil {{
  chroot =
}}
service imap-login {{
  chroot =
}}
"""


# the flags each draft is APPENDed with: a draft as a mail program saves it, one flagged, one
# without any; none is \\Seen, so a recap that marked a message read would show
FLAGS = ("(\\Draft)", "(\\Flagged \\Draft)", "()")


def drafts(folder: Path) -> list[bytes]:
    """What `sopxl kirim` drafts for three satker: a clean workbook, one with an error (sent
    with --paksa), and one whose X-Sopxl-Sha256 no longer matches (damaged on the way)."""
    out = []
    for i, kode in enumerate(("421001", "421002", "421003")):
        book = satker_book(kode, f"Balai Imap {i}")
        if kode == "421002":
            book.months[2][0][spec.COL_RVRO] = "sepuluh"
        (folder / kode).mkdir()
        raw = kirim_draft(book.write(folder / kode / f"capaian-{kode}.xlsx"))
        if kode == "421003":
            head, sep, rest = raw.partition(b"\r\nX-Sopxl-Sha256: ")
            assert sep
            raw = head + sep + b"f" * 64 + rest[64:]
        out.append(raw)
    return out


def connect(server: dict[str, Any]) -> imaplib.IMAP4_SSL:
    ctx = ssl.create_default_context(cafile=str(server["ca"]))
    conn = imaplib.IMAP4_SSL("127.0.0.1", server["port"], ssl_context=ctx)
    conn.login(USER, PASSWORD)
    return conn


@pytest.fixture(scope="module")
def server() -> Iterator[dict[str, Any]]:
    binary = _dovecot()
    trustme = pytest.importorskip("trustme")
    root = Path(tempfile.mkdtemp(prefix="sopxl-dovecot-"))
    os.chmod(root, 0o755)
    ca = trustme.CA()
    cert = ca.issue_cert("127.0.0.1", "localhost")
    cert.private_key_pem.write_to_path(str(root / "key.pem"))
    cert.cert_chain_pems[0].write_to_path(str(root / "cert.pem"))
    ca.cert_pem.write_to_path(str(root / "ca.pem"))
    (root / "passwd").write_text(f"{USER}:{{PLAIN}}{PASSWORD}::::::\n")
    for sub in ("run", "state", "home", "mail", "satker"):
        (root / sub).mkdir()
    raw = drafts(root / "satker")
    for sub in ("home", "mail"):
        for path in [root / sub, *(root / sub).rglob("*")]:
            os.chown(path, MAIL_UID, MAIL_UID)
    port = _free_port()
    conf = root / "dovecot.conf"
    conf.write_text(CONFIG.format(root=root, port=port, uid=MAIL_UID))
    proc = subprocess.Popen([binary, "-F", "-c", str(conf)], stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    try:
        deadline = time.monotonic() + 20
        while True:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                break
            except OSError:
                if proc.poll() is not None or time.monotonic() > deadline:
                    log = (root / "dovecot.log").read_text() if (root / "dovecot.log").exists() else ""
                    out = proc.stdout.read().decode() if proc.stdout and proc.poll() is not None else ""
                    pytest.fail(f"Dovecot did not start:\n{out}\n{log}")
                time.sleep(0.1)
        found = {"port": port, "root": root, "ca": root / "ca.pem", "raw": raw}
        with connect(found) as conn:
            for data, flags in zip(raw, FLAGS, strict=True):
                status, _ = conn.append("INBOX", flags, None, data)
                assert status == "OK"
        yield found
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
        shutil.rmtree(root, ignore_errors=True)


def flags(server: dict[str, Any]) -> dict[int, set[str]]:
    """Every message's flags by UID (read through EXAMINE, which changes none)."""
    with connect(server) as conn:
        conn.select("INBOX", readonly=True)
        status, data = conn.uid("FETCH", "1:*", "(FLAGS)")
        assert status == "OK"
        out = {}
        for line in data:
            assert isinstance(line, bytes)
            uid, names = re.search(rb"UID (\d+)", line), re.search(rb"FLAGS \(([^)]*)\)", line)
            assert uid and names, line
            out[int(uid[1])] = set(names[1].decode().split())
        return out


def run(*args: str, env: dict[str, str] | None = None) -> tuple[int, str, str]:
    result = CliRunner(env=env).invoke(cli, ["rekap", *args])
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        raise AssertionError(f"unexpected {result.exception!r}\n{result.output}")
    return result.exit_code, result.stdout, result.stderr


def test_imap_recap_equals_files_and_changes_no_flag(server: dict[str, Any], tmp_path: Path) -> None:
    before = flags(server)
    assert [before[uid] - {"\\Recent"} for uid in sorted(before)] == [
        set(f.strip("()").split()) for f in FLAGS
    ]
    url = f"imaps://{USER}@127.0.0.1:{server['port']}/INBOX"
    env = {"SOPXL_IMAP_PASSWORD": PASSWORD}
    code, stdout, stderr = run(
        "--imap", url, "--output", str(tmp_path / "imap.xlsx"), "--format", "json",
        "--set", f"imap_cafile={server['ca']}", env=env,
    )
    assert code == 1, stderr
    from_imap = json.loads(stdout)
    status = {s["kode"]: s["status"] for s in from_imap["satker"]}
    assert status == {"421001": "sesuai", "421002": "ada-kesalahan", "421003": "tidak-terbaca"}
    assert any("rusak dalam pengiriman" in m["alasan"] for m in from_imap["masalah"])

    folder = tmp_path / "eml"
    folder.mkdir()
    for i, data in enumerate(server["raw"]):
        (folder / f"{i}.eml").write_bytes(data)
    code, stdout, _ = run(str(folder), "--output", str(tmp_path / "files.xlsx"), "--format", "json")
    assert code == 1
    from_files = json.loads(stdout)
    assert without_files(from_files) == without_files(from_imap)
    assert from_imap["satker"] and all(s["file"].startswith(url.replace("imaps", "imap")) for s in from_imap["satker"])

    assert flags(server) == before  # not even \\Seen


def test_imap_wrong_password_and_unknown_ca(server: dict[str, Any], tmp_path: Path) -> None:
    url = f"imaps://{USER}@127.0.0.1:{server['port']}/INBOX"
    code, _, stderr = run(
        "--imap", url, "--output", str(tmp_path / "r.xlsx"), "--set", f"imap_cafile={server['ca']}",
        env={"SOPXL_IMAP_PASSWORD": "salah"},
    )
    assert code == 2 and "ditolak" in stderr
    code, _, stderr = run("--imap", url, "--output", str(tmp_path / "r.xlsx"), env={"SOPXL_IMAP_PASSWORD": PASSWORD})
    assert code == 2 and "TLS" in stderr
