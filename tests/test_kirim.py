"""`sopxl kirim` against a real SMTP server (aiosmtpd on 127.0.0.1): what arrives, every
failure (exit 3, cause named, outbox, --ulang), refusals, drafts and header injection."""

from __future__ import annotations

import email
import email.policy
import hashlib
import json
import zipfile
from email.message import EmailMessage
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from kirim_stand import PASSWORD, REFUSED, USER, free_port, silent_server, smtp_server
from wbfactory import standard_book

from sopxl.core import spec
from sopxl.frontends.cli import cli
from sopxl.ooxml import WorkbookPackage
from sopxl.read.state import read_state
from sopxl.send import archive as arsip

TODAY = ["--set", "today=2026-07-20"]
TO = "kepala.badiklat@example.go.id"


@pytest.fixture(autouse=True)
def _no_password(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("SOPXL_SMTP_PASSWORD", raising=False)


def book(tmp_path: Path, name: str = "capaian-2026.xlsx", **identitas: Any) -> Path:
    b = standard_book(months=6)
    b.identitas.update(identitas)
    b.extra_sheets[spec.SHEET_KENDALI] = [
        ["KENDALI SOP"], [], list(spec.KENDALI_COLUMNS),
        *[[step, actor, activity, minutes, output] for step, actor, activity, minutes, output in spec.SOP_STEPS],
    ]
    return b.write(tmp_path / name)


def run(*args: str) -> tuple[int, dict[str, Any], str]:
    result = CliRunner().invoke(cli, ["kirim", *args, "--format", "json", *TODAY])
    assert result.exception is None or isinstance(result.exception, SystemExit), result.output
    out = result.stdout.strip().splitlines()
    return result.exit_code, (json.loads(out[0]) if out and out[0].startswith("{") else {}), result.stderr


def parse(data: bytes) -> EmailMessage:
    msg = email.message_from_bytes(data, policy=email.policy.default)
    assert isinstance(msg, EmailMessage)
    return msg


def attachments(msg: EmailMessage) -> dict[str, bytes]:
    out = {}
    for part in msg.iter_attachments():
        payload = part.get_payload(decode=True)
        assert isinstance(payload, bytes)
        out[str(part.get_filename())] = payload
    return out


def history(path: Path) -> list[dict[str, Any]]:
    result = CliRunner().invoke(cli, ["arsip", str(path), "--format", "json"])
    assert result.exit_code == 0, result.output
    found = json.loads(result.stdout)
    assert found["file"] == str(path)
    kiriman: list[dict[str, Any]] = found["kiriman"]
    return kiriman


def check_received(data: bytes, path: Path, original: bytes) -> EmailMessage:
    msg = parse(data)
    assert msg["Subject"] == "Capaian Output s.d. Juni 2026 - 411724 Balai Diklat Hukum dan HAM Contoh"
    assert msg["To"] == TO
    assert msg["From"] == USER
    assert msg["Message-ID"].startswith("<") and msg["Message-ID"].endswith(">")
    assert msg["Date"] is not None
    assert msg["X-Sopxl-Satker"] == "411724"
    assert msg["X-Sopxl-Tahun"] == "2026"
    assert msg["X-Sopxl-Periode"] == "bulan-06"
    assert msg["X-Sopxl-Sha256"] == hashlib.sha256(original).hexdigest()
    assert msg["X-Unsent"] is None
    got = attachments(msg)
    assert got == {path.name: original}
    part = next(iter(msg.iter_attachments()))
    assert part.get_content_type() == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    body = msg.get_body(("plain",))
    assert body is not None
    text = body.get_content()
    assert "Bersama ini kami sampaikan Capaian Output s.d. bulan Juni 2026" in text
    assert "0 kesalahan, 0 peringatan" in text
    assert "Siti Rahmawati" in text
    return msg


@pytest.mark.parametrize("security", ["none", "starttls", "ssl"])
def test_sends_plain_starttls_and_implicit_tls(tmp_path: Path, security: str) -> None:
    path = book(tmp_path)
    original = path.read_bytes()
    with smtp_server(tmp_path, tls=security) as stand:
        code, out, err = run(str(path), *stand.settings(security))
        assert code == 0, err
        assert len(stand.received) == 1
    got = stand.received[0]
    assert got.rcpt_tos == [TO]
    msg = check_received(got.data, path, original)
    assert out["status"] == "terkirim" and out["mode"] == "smtp" and out["reason"] is None
    assert set(out) == {"file", "mode", "status", "to", "cc", "subject", "message_id", "attachments", "eml",
                        "errors", "warnings", "reason"}
    assert out["message_id"] == msg["Message-ID"]
    assert out["attachments"] == [{"name": path.name, "bytes": len(original),
                                   "sha256": hashlib.sha256(original).hexdigest()}]
    # archived: the message as sent and the exact attachment
    assert Path(out["eml"]).read_bytes() == got.data
    archived = parse(Path(out["eml"]).read_bytes())
    assert attachments(archived) == {path.name: original}
    assert (Path(out["eml"]).parent / path.name).read_bytes() == original
    [rec] = history(path)
    assert rec["status"] == "terkirim" and rec["message_id"] == out["message_id"] and rec["to"] == [TO]
    # Kendali SOP step 6 and the state record the send
    pkg = WorkbookPackage.open(path)
    state = read_state(pkg)
    assert state["kiriman"][-1]["message_id"] == out["message_id"]
    values = pkg.read_values(spec.SHEET_KENDALI)
    step6 = 3 + 6  # title, blank, header, then steps 1..6
    assert values[(step6, 1)] == 6
    assert values[(step6, 7)] == f"Dikirim ke {TO}"
    assert isinstance(values[(step6, 6)], float)  # a date serial
    assert out["message_id"] in values[(step6, 8)]


def test_starttls_without_the_ca_fails_naming_tls(tmp_path: Path) -> None:
    path = book(tmp_path)
    with smtp_server(tmp_path, tls="starttls") as stand:
        stand.cafile = None  # the system's CAs only: the test CA is unknown to them
        code, out, _err = run(str(path), *stand.settings("starttls"))
        assert stand.received == []
    assert code == 3
    assert "TLS" in out["reason"] and "sertifikat" in out["reason"]


def test_auth_right_and_wrong_password(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = book(tmp_path)
    original = path.read_bytes()
    with smtp_server(tmp_path, tls="starttls", auth=True) as stand:
        monkeypatch.setenv("SOPXL_SMTP_PASSWORD", "salah")
        code, out, _err = run(str(path), *stand.settings("starttls", smtp_user=USER))
        assert code == 3
        assert "Autentikasi" in out["reason"] and USER in out["reason"]
        assert out["status"] == "gagal"
        assert stand.received == []
        assert len(arsip.waiting(arsip.archive_dir(path, _settings()), path)) == 1
        monkeypatch.setenv("SOPXL_SMTP_PASSWORD", PASSWORD)
        code2, out2, err2 = run(str(path), "--ulang", *stand.settings("starttls", smtp_user=USER))
        assert code2 == 0, err2
        assert len(stand.received) == 1
    assert out2["message_id"] == out["message_id"]
    check_received(stand.received[0].data, path, original)
    assert [r["status"] for r in history(path)] == ["gagal", "terkirim"]
    assert arsip.waiting(arsip.archive_dir(path, _settings()), path) == []


def _settings() -> Any:
    from sopxl.core.config import Settings

    return Settings()


def test_no_password_anywhere_is_refused_before_anything(tmp_path: Path) -> None:
    path = book(tmp_path)
    with smtp_server(tmp_path, auth=True) as stand:
        result = CliRunner().invoke(cli, ["kirim", str(path), *stand.settings(smtp_user=USER), *TODAY])
        assert stand.received == []
    assert result.exit_code == 2
    assert "SOPXL_SMTP_PASSWORD" in result.stderr
    assert history(path) == []


@pytest.mark.parametrize("key", ["smtp_password", "password", "kata_sandi"])
def test_a_password_setting_is_refused(tmp_path: Path, key: str) -> None:
    b = standard_book(months=6)
    b.extra_sheets[spec.SHEET_PENGATURAN] = [["Kunci", "Nilai"], [key, "rahasia"]]
    path = b.write(tmp_path / "b.xlsx")
    result = CliRunner().invoke(cli, ["kirim", str(path), *TODAY])
    assert result.exit_code == 2
    assert "kata sandi SMTP tidak boleh disimpan" in result.stderr
    cfg = tmp_path / "surel.toml"
    cfg.write_text(f'{key} = "rahasia"\n', encoding="utf-8")
    result = CliRunner().invoke(cli, ["kirim", str(book(tmp_path, "c.xlsx")), "--config", str(cfg), *TODAY])
    assert result.exit_code == 2
    assert "kata sandi SMTP tidak boleh disimpan" in result.stderr


def _fails_then_resends(tmp_path: Path, path: Path, first: tuple[int, dict[str, Any], str], words: list[str]) -> None:
    code, out, _ = first
    assert code == 3
    assert out["status"] == "gagal"
    for word in words:
        assert word in out["reason"]
    settings = _settings()
    waiting = arsip.waiting(arsip.archive_dir(path, settings), path)
    assert len(waiting) == 1
    sent_bytes = waiting[0].message
    with smtp_server(tmp_path) as stand:
        code2, out2, err2 = run(str(path), "--ulang", *stand.settings())
        assert code2 == 0, err2
        assert [r.data for r in stand.received] == [sent_bytes]
    assert out2["message_id"] == out["message_id"]
    check_received(sent_bytes, path, parse(sent_bytes) and attachments(parse(sent_bytes))[path.name])
    assert [r["status"] for r in history(path)] == ["gagal", "terkirim"]
    assert arsip.waiting(arsip.archive_dir(path, settings), path) == []


def test_nothing_listening(tmp_path: Path) -> None:
    path = book(tmp_path)
    port = free_port()
    first = run(str(path), "--set", "smtp_host=127.0.0.1", "--set", f"smtp_port={port}", "--set",
                "smtp_security=none", "--set", f"email_from={USER}")
    _fails_then_resends(tmp_path, path, first, ["ditolak", f"127.0.0.1:{port}", "tidak ada layanan"])


def test_server_that_never_answers(tmp_path: Path) -> None:
    path = book(tmp_path)
    with silent_server() as port:
        first = run(str(path), "--set", "smtp_host=127.0.0.1", "--set", f"smtp_port={port}", "--set",
                    "smtp_security=none", "--set", f"email_from={USER}", "--set", "smtp_timeout_s=0.5")
    _fails_then_resends(tmp_path, path, first, ["tidak menjawab", "0.5 detik"])


def test_recipient_refused_delivers_to_nobody(tmp_path: Path) -> None:
    path = book(tmp_path)
    with smtp_server(tmp_path) as stand:
        first = run(str(path), "--ke", TO, "--cc", REFUSED, *stand.settings())
        assert stand.received == []
    assert REFUSED in first[1]["reason"] and "menolak penerima" in first[1]["reason"]
    assert first[0] == 3
    with smtp_server(tmp_path) as stand:
        # the same message, the same recipients: refused again, nothing delivered twice
        code, _out, _ = run(str(path), "--ulang", *stand.settings())
        assert code == 3 and stand.received == []
    assert [r["status"] for r in history(path)] == ["gagal", "gagal"]


def test_message_over_the_servers_size(tmp_path: Path) -> None:
    path = book(tmp_path)
    with smtp_server(tmp_path, size=2000) as stand:
        first = run(str(path), *stand.settings())
        assert stand.received == []
    _fails_then_resends(tmp_path, path, first, ["terlalu besar"])


def test_errors_refuse_and_paksa_sends_saying_so(tmp_path: Path) -> None:
    b = standard_book(months=6)
    b.months[3][0][spec.COL_RVRO] = "sepuluh"
    path = b.write(tmp_path / "b.xlsx")
    with smtp_server(tmp_path) as stand:
        code, out, err = run(str(path), *stand.settings())
        assert code == 1
        assert out["status"] == "ditolak" and out["errors"] >= 1
        assert "ditolak" in out["reason"] and "Maret" in out["reason"]
        assert stand.received == []
        assert history(path) == []
        code, out, err = run(str(path), "--paksa", *stand.settings())
        assert code == 0, err
        assert len(stand.received) == 1
    body = parse(stand.received[0].data).get_body(("plain",))
    assert body is not None
    assert "PERHATIAN: dikirim dengan --paksa" in body.get_content()


def test_invalid_recipients_exit_2_naming_them(tmp_path: Path) -> None:
    path = book(tmp_path)
    result = CliRunner().invoke(cli, ["kirim", str(path), "--ke", "kepala(at)contoh.go.id", *TODAY])
    assert result.exit_code == 2 and "kepala(at)contoh.go.id" in result.stderr
    path2 = book(tmp_path, "b.xlsx", **{spec.ID_EMAIL: "a@contoh.go.id; bukan-alamat"})
    result = CliRunner().invoke(cli, ["kirim", str(path2), *TODAY])
    assert result.exit_code == 2 and "bukan-alamat" in result.stderr and spec.ID_EMAIL in result.stderr
    path3 = book(tmp_path, "c.xlsx", **{spec.ID_EMAIL: None})
    result = CliRunner().invoke(cli, ["kirim", str(path3), *TODAY])
    assert result.exit_code == 2 and "Tidak ada penerima" in result.stderr
    assert history(path) == [] and history(path2) == []


def test_recipients_from_identitas_comma_and_semicolon(tmp_path: Path) -> None:
    path = book(tmp_path, **{spec.ID_EMAIL: "a@contoh.go.id, b@contoh.go.id;c@contoh.go.id"})
    with smtp_server(tmp_path) as stand:
        code, out, err = run(str(path), "--cc", "d@contoh.go.id", *stand.settings())
        assert code == 0, err
    assert stand.received[0].rcpt_tos == ["a@contoh.go.id", "b@contoh.go.id", "c@contoh.go.id", "d@contoh.go.id"]
    msg = parse(stand.received[0].data)
    assert msg["Cc"] == "d@contoh.go.id"
    assert out["to"] == ["a@contoh.go.id", "b@contoh.go.id", "c@contoh.go.id"] and out["cc"] == ["d@contoh.go.id"]


def test_draft_parses_with_x_unsent_and_identical_attachment(tmp_path: Path) -> None:
    path = book(tmp_path, "capaian.xlsm")
    original = path.read_bytes()
    target = tmp_path / "keluar" / "draf.eml"
    code, out, err = run(str(path), "--draf", str(target))
    assert code == 0, err
    assert out["mode"] == "draf" and out["status"] == "draf" and out["eml"] == str(target)
    msg = parse(target.read_bytes())
    assert msg["X-Unsent"] == "1"
    assert attachments(msg) == {path.name: original}
    assert next(iter(msg.iter_attachments())).get_content_type() == "application/vnd.ms-excel.sheet.macroenabled.12"
    assert msg["X-Sopxl-Sha256"] == hashlib.sha256(original).hexdigest()
    # the check wrote nothing into the workbook
    assert path.read_bytes() == original
    [rec] = history(path)
    assert rec["status"] == "draf" and rec["mode"] == "draf"
    assert Path(rec["eml"]).read_bytes() == target.read_bytes()


def test_draft_is_the_default_without_smtp_host(tmp_path: Path) -> None:
    path = book(tmp_path)
    code, out, _err = run(str(path))
    assert code == 0 and out["mode"] == "draf"
    assert Path(out["eml"]).is_file() and Path(out["eml"]).is_relative_to(tmp_path / "arsip")


def test_header_injection_adds_no_header(tmp_path: Path) -> None:
    path = book(
        tmp_path,
        **{
            spec.ID_NAMA_SATKER: "Balai Contoh\r\nBcc: penyusup@jahat.example\r\nX-Evil: 1",
            spec.ID_KODE_SATKER: "411724\nBcc: penyusup2@jahat.example",
        },
    )
    code, _out, err = run(str(path), "--draf", str(tmp_path / "d.eml"), "--paksa")
    assert code == 0, err
    msg = parse((tmp_path / "d.eml").read_bytes())
    assert msg["Bcc"] is None and msg["X-Evil"] is None
    assert "penyusup" not in " ".join(str(v) for k, v in msg.items() if k.lower() not in ("subject", "x-sopxl-satker"))
    assert "\n" not in msg["Subject"] and "\r" not in msg["Subject"]
    # recipients with CR/LF are refused outright
    result = CliRunner().invoke(cli, ["kirim", str(path), "--ke", "a@contoh.go.id\r\nBcc: x@jahat.example", *TODAY])
    assert result.exit_code == 2
    path2 = book(tmp_path, "b.xlsx", **{spec.ID_EMAIL: "a@contoh.go.id\nBcc: x@jahat.example"})
    result = CliRunner().invoke(cli, ["kirim", str(path2), *TODAY])
    assert result.exit_code == 2


def test_too_large_zips_then_refuses_with_sizes(tmp_path: Path) -> None:
    path = book(tmp_path)
    original = path.read_bytes()
    # over the limit as it is, under it zipped? the xlsx is already compressed: refused with sizes
    result = CliRunner().invoke(cli, ["kirim", str(path), "--set", "email_max_mb=0.005", *TODAY])
    assert result.exit_code == 2
    assert "terlalu besar" in result.stderr and "MB" in result.stderr
    assert history(path) == []
    # a limit the zip fits under (a workbook stored uncompressed)
    raw = tmp_path / "raw.xlsx"
    with zipfile.ZipFile(path) as src, zipfile.ZipFile(raw, "w", zipfile.ZIP_STORED) as dst:
        for info in src.infolist():
            dst.writestr(info.filename, src.read(info.filename))
    size = raw.stat().st_size
    limit = (size * 1.2) / (1024 * 1024)  # base64 makes the plain message ~1.37x
    code, out, err = run(str(raw), "--set", f"email_max_mb={limit:.4f}")
    assert code == 0, err
    assert [a["name"] for a in out["attachments"]] == ["raw.zip"]
    with zipfile.ZipFile(Path(out["eml"]).parent / "raw.zip") as zf:
        assert zf.read("raw.xlsx") == raw.read_bytes()
    assert original
