"""`sopxl rekap` over Outlook `.msg` messages: real .msg files (tests/msgfile.py writes them
after MS-CFB and MS-OXMSG) of the messages `sopxl kirim` drafts give the same recap as those
messages saved as `.eml`; broken ones are listed in `masalah` without stopping the run; an
installation without extract-msg says so in Indonesian."""

from __future__ import annotations

import datetime as dt
import email
import email.message
import email.policy
import email.utils
import hashlib
import json
import sys
from pathlib import Path
from typing import Any

import extract_msg  # the `outlook` extra, in the dev extra too
import msgfile
import olefile
import pytest
from click.testing import CliRunner
from test_rekap import kirim_draft, satker_book, snapshot, without_files

from sopxl.core import spec
from sopxl.frontends.cli import cli
from sopxl.recap.sources import collect

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
DAMAGED = "431005"  # its X-Sopxl-Sha256 no longer matches the attachment
LOST = "431006"  # its attachment was lost on the way


def _tampered_hash(raw: bytes) -> bytes:
    head, sep, rest = raw.partition(b"\r\nX-Sopxl-Sha256: ")
    assert sep
    return head + sep + b"0" * 64 + rest[64:]


def _without_attachment(raw: bytes) -> bytes:
    msg = email.message_from_bytes(raw, policy=email.policy.default)
    parts = [p for p in msg.get_payload() if not p.is_attachment()]
    msg.set_payload(parts)
    return msg.as_bytes(policy=email.policy.SMTP)


def _plain_message() -> bytes:
    """A message that is not from sopxl, without a workbook: skipped in every format."""
    msg = email.message.EmailMessage()
    msg["From"] = "teman@example.go.id"
    msg["To"] = "badiklat@example.go.id"
    msg["Subject"] = "Undangan rapat"
    msg["Date"] = "Fri, 03 Jul 2026 09:00:00 +0700"
    msg.set_content("Rapat koordinasi hari Senin.")
    return msg.as_bytes(policy=email.policy.SMTP)


@pytest.fixture(scope="module")
def mail(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """The same received messages twice: as .eml files and as Outlook .msg files."""
    root = tmp_path_factory.mktemp("surel")
    books = root / "satker"
    books.mkdir()
    raw: dict[str, bytes] = {}
    for kode, nama in (("431001", "Balai Bersih"), ("431002", "Balai Salah"), ("431003", "Balai Terlambat"),
                       ("431004", "Balai Tahun Lalu"), (DAMAGED, "Balai Rusak Kirim"), (LOST, "Balai Hilang")):
        book = satker_book(kode, nama, year=2025 if kode == "431004" else 2026)
        if kode == "431002":
            book.months[2][0][spec.COL_RVRO] = "sepuluh"
        if kode == "431003":
            for row in book.months[3]:
                row[spec.COL_TANGGAL] = dt.date(2026, 4, 25)
        (books / kode).mkdir()
        raw[kode] = kirim_draft(book.write(books / kode / f"capaian-{kode}.xlsx"))
    raw[DAMAGED] = _tampered_hash(raw[DAMAGED])
    raw[LOST] = _without_attachment(raw[LOST])
    raw["rapat"] = _plain_message()
    eml, msg = root / "eml", root / "msg"
    eml.mkdir()
    msg.mkdir()
    for name, data in raw.items():
        (eml / f"{name}.eml").write_bytes(data)
        (msg / f"{name}.msg").write_bytes(msgfile.from_rfc822(data))
    daftar = root / "daftar.csv"
    daftar.write_text("Kode Satker,Nama Satker\n" + "".join(f"43100{i},Satker {i}\n" for i in range(1, 8)),
                      encoding="utf-8")
    return {"root": root, "eml": eml, "msg": msg, "raw": raw, "daftar": daftar}


def run_rekap(*args: str) -> tuple[int, dict[str, Any], str]:
    result = CliRunner().invoke(cli, ["rekap", *args, "--format", "json", "--jobs", "1"])
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        raise AssertionError(f"unexpected {result.exception!r}\n{result.output}")
    return result.exit_code, json.loads(result.stdout) if result.stdout.startswith("{") else {}, result.stderr


def test_generated_msg_is_read_by_extract_msg_and_olefile(mail: dict[str, Any]) -> None:
    """The generator is checked by two readers of its own: what they read back is what the
    message holds."""
    raw = mail["raw"]["431001"]
    sent = email.message_from_bytes(raw, policy=email.policy.default)
    attachment = next(sent.iter_attachments())
    data = attachment.get_payload(decode=True)
    path = mail["msg"] / "431001.msg"

    msg = extract_msg.openMsg(str(path))
    try:
        assert msg.subject == sent["Subject"]
        assert msg.body.strip() == sent.get_body(("plain",)).get_content().strip()
        assert msg.header["X-Sopxl-Satker"] == "431001"
        assert msg.header["X-Sopxl-Sha256"] == hashlib.sha256(data).hexdigest() == sent["X-Sopxl-Sha256"]
        assert msg.header["Message-ID"] == sent["Message-ID"]
        assert msg.date == email.utils.parsedate_to_datetime(sent["Date"])
        assert [a.longFilename for a in msg.attachments] == ["capaian-431001.xlsx"]
        assert msg.attachments[0].data == data and len(data) > 4096  # regular sectors, not the mini stream
        assert msg.attachments[0].mimetype == XLSX
        assert [(r.email, r.type) for r in msg.recipients] == [("kepala.badiklat@example.go.id", 1)]  # To
    finally:
        msg.close()

    with olefile.OleFileIO(str(path), raise_defects=olefile.DEFECT_INCORRECT) as ole:
        names = {"/".join(p) for p in ole.listdir()}
        assert {"__properties_version1.0", "__substg1.0_007D001F", "__nameid_version1.0/__substg1.0_00020102",
                "__attach_version1.0_#00000000/__substg1.0_37010102",
                "__recip_version1.0_#00000000/__substg1.0_39FE001F"} <= names
        assert ole.openstream("__attach_version1.0_#00000000/__substg1.0_37010102").read() == data
        assert ole.openstream("__attach_version1.0_#00000000/__substg1.0_3707001F").read().decode(
            "utf-16-le") == "capaian-431001.xlsx"
        headers = ole.openstream("__substg1.0_007D001F").read().decode("utf-16-le")
        assert headers.startswith("X-Unsent: 1\r\n") and f"X-Sopxl-Sha256: {sent['X-Sopxl-Sha256']}\r\n" in headers
        _check_red_black(ole)


def _check_red_black(ole: Any) -> None:
    """Every storage's children form a red-black tree in MS-CFB order (2.6.4)."""

    def key(sid: int) -> tuple[int, str]:
        name = ole.direntries[sid].name
        return len(name), name.upper()

    def walk(sid: int, low: tuple[int, str] | None, high: tuple[int, str] | None) -> int:
        if sid == olefile.NOSTREAM:
            return 1
        entry = ole.direntries[sid]
        assert (low is None or key(sid) > low) and (high is None or key(sid) < high), entry.name
        if entry.color == 0:  # red: no red child
            for child in (entry.sid_left, entry.sid_right):
                assert child == olefile.NOSTREAM or ole.direntries[child].color == 1, entry.name
        left = walk(entry.sid_left, low, key(sid))
        assert left == walk(entry.sid_right, key(sid), high), entry.name  # equal black heights
        if entry.sid_child != olefile.NOSTREAM:
            walk(entry.sid_child, None, None)
        return left + entry.color

    walk(ole.root.sid_child, None, None)


def test_compound_file_trees_of_every_size(tmp_path: Path) -> None:
    """Storages of 1..40 children, streams on both sides of the mini stream cutoff."""
    for count in (1, 2, 3, 4, 7, 8, 9, 15, 16, 40):
        children: dict[str, msgfile.Storage | bytes] = {f"s{i:02d}": bytes([i]) * (i * 300) for i in range(count)}
        children["Sub"] = msgfile.Storage({"x": b"x" * 5000, "Y": b""})
        path = tmp_path / f"{count}.cfb"
        path.write_bytes(msgfile.compound_file(msgfile.Storage(children)))
        with olefile.OleFileIO(str(path), raise_defects=olefile.DEFECT_INCORRECT) as ole:
            assert sorted("/".join(p) for p in ole.listdir()) == sorted(
                [f"s{i:02d}" for i in range(count)] + ["Sub/x", "Sub/Y"])
            for i in range(count):
                assert ole.openstream(f"s{i:02d}").read() == bytes([i]) * (i * 300)
            assert ole.openstream("Sub/x").read() == b"x" * 5000
            _check_red_black(ole)


def test_msg_recap_equals_eml_recap(mail: dict[str, Any], tmp_path: Path) -> None:
    before = snapshot(mail["root"])
    common = ("--daftar", str(mail["daftar"]), "--periode", "semester1")
    code, from_eml, _ = run_rekap(str(mail["eml"]), "--output", str(tmp_path / "eml.xlsx"), *common)
    assert code == 1
    code, from_msg, err = run_rekap(str(mail["msg"]), "--output", str(tmp_path / "msg.xlsx"), *common)
    assert code == 1, err
    status = {s["kode"]: s["status"] for s in from_msg["satker"]}
    assert status == {
        "431001": "sesuai", "431002": "ada-kesalahan", "431003": "sesuai", "431004": "tahun-berbeda",
        DAMAGED: "tidak-terbaca", LOST: "tidak-terbaca", "431007": "belum-mengirim",
    }
    rows = {s["kode"]: s for s in from_msg["satker"]}
    assert rows["431002"]["errors"] >= 1 and rows["431003"]["warnings"] >= 1
    assert rows["431001"]["file"] == f"{mail['msg'] / '431001.msg'}: capaian-431001.xlsx"
    assert rows["431001"]["ikpa"] is not None and rows["431001"]["nka"] is not None
    reasons = {Path(m["file"].split(": ")[0]).name: m["alasan"] for m in from_msg["masalah"]}
    assert "rusak dalam pengiriman" in reasons[f"{DAMAGED}.msg"]
    assert "lampiran hilang di jalan" in reasons[f"{LOST}.msg"]
    assert "rapat.msg" not in reasons  # not from sopxl and no workbook: not the office's business
    # the same statuses, figures, hashes, problems and duplicates as the same messages as .eml
    assert without_files(from_msg) == without_files(from_eml)
    assert json.dumps(from_msg).count(".eml") == 0 and json.dumps(from_eml).count(".msg") == 0
    after = snapshot(mail["root"])
    assert after == before  # bytes and modification times


def test_msg_headers_decoded_like_eml(tmp_path: Path) -> None:
    """An X-Sopxl-Satker sopxl had to encode (a satker without a code, a name with non-ASCII
    letters: kirim writes the name) reads the same from .msg as from .eml; so do folded
    headers and Exchange's header prefix."""
    book = satker_book("", "Balai Diklat Ünggul")
    (tmp_path / "satker").mkdir()
    raw = kirim_draft(book.write(tmp_path / "satker" / "capaian.xlsx"))
    assert b"X-Sopxl-Satker: Balai Diklat =?utf-8?q?=C3=9Cnggul?=\r\n" in raw  # RFC 2047
    sha = email.message_from_bytes(raw, policy=email.policy.default)["X-Sopxl-Sha256"]
    # a relay may fold a header at its whitespace (RFC 5322 2.2.3)
    folded = raw.replace(f"X-Sopxl-Sha256: {sha}".encode(), f"X-Sopxl-Sha256:\r\n\t{sha}".encode())
    assert folded != raw
    (tmp_path / "a.eml").write_bytes(folded)
    (tmp_path / "a.msg").write_bytes(msgfile.from_rfc822(folded))
    (tmp_path / "b.msg").write_bytes(msgfile.from_rfc822(folded, "Microsoft Mail Internet Headers Version 2.0\r\n"))
    got = collect([tmp_path / "a.eml", tmp_path / "a.msg", tmp_path / "b.msg"])
    assert got.problems == []
    fields = [(r.name, r.satker, r.tahun, r.periode, r.declared_sha256, r.when, r.content()) for r in got.received]
    assert fields[0][1] == "Balai Diklat Ünggul" and fields[0][4] == sha
    assert fields[1] == fields[0] and fields[2] == fields[0]


def test_broken_msg_listed_run_goes_on(mail: dict[str, Any], tmp_path: Path) -> None:
    good = (mail["msg"] / "431001.msg").read_bytes()
    broken = tmp_path / "rusak"
    broken.mkdir()
    (broken / "acak.msg").write_bytes(bytes(range(256)) * 8)  # not a compound file
    (broken / "terpotong.msg").write_bytes(good[: len(good) // 2])
    (broken / "kosong.msg").write_bytes(b"")
    (broken / "bukan-pesan.msg").write_bytes(msgfile.compound_file(msgfile.Storage({"Isi": b"bukan pesan"})))
    before = snapshot(tmp_path) | snapshot(mail["root"])
    (tmp_path / "keluar").mkdir()  # snapshot() leaves out a folder of this name: the recap and its cache
    code, out, err = run_rekap(str(mail["msg"]), str(broken), "--output", str(tmp_path / "keluar" / "rekap.xlsx"))
    assert code == 1, err
    status = {s["kode"]: s["status"] for s in out["satker"]}
    assert status["431001"] == "sesuai" and status["431002"] == "ada-kesalahan"
    reasons = {Path(m["file"]).name: m["alasan"] for m in out["masalah"] if m["file"].startswith(str(broken))}
    assert set(reasons) == {"acak.msg", "terpotong.msg", "kosong.msg", "bukan-pesan.msg"}
    for name, reason in reasons.items():
        assert reason == f"Pesan Outlook '{name}' rusak atau tidak dapat dibaca.", reason
    assert snapshot(tmp_path) | snapshot(mail["root"]) == before


def test_without_extract_msg_reason_in_indonesian(
    mail: dict[str, Any], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(sys.modules, "extract_msg", None)  # `import extract_msg` raises ImportError
    with pytest.raises(ImportError):
        import extract_msg as _  # noqa: F401
    folder = tmp_path / "masuk"
    folder.mkdir()
    (folder / "431001.msg").write_bytes((mail["msg"] / "431001.msg").read_bytes())
    (folder / "431002.eml").write_bytes((mail["eml"] / "431002.eml").read_bytes())
    code, out, err = run_rekap(str(folder), "--output", str(tmp_path / "r.xlsx"))
    assert code == 1, err
    assert [s["kode"] for s in out["satker"]] == ["431002"]  # the run went on
    [problem] = out["masalah"]
    assert problem == {
        "file": str(folder / "431001.msg"),
        "alasan": "Pesan Outlook '431001.msg' tidak didukung di instalasi ini (pasang "
                  "`pip install sopxl[outlook]`), atau simpan lampirannya lalu rekap berkasnya.",
    }
