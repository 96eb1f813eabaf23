"""`sopxl rekap`: the receiving office's recap of many satker workbooks, from a folder of
files, `.eml` messages, an mbox file and a Maildir folder."""

from __future__ import annotations

import datetime as dt
import email.policy
import email.utils
import hashlib
import json
import mailbox
import os
import shutil
import subprocess
import zipfile
from collections.abc import Callable
from email.message import EmailMessage
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from wbfactory import standard_book

from sopxl.core import spec
from sopxl.frontends.cli import cli
from sopxl.recap import RekapResult, cache_path, rekap, write_recap
from sopxl.recap.pool import run_pool
from sopxl.recap.worker import examine

XLSX_TYPE = ("application", "vnd.openxmlformats-officedocument.spreadsheetml.sheet")
SHEET1 = "xl/worksheets/sheet1.xml"


def satker_book(kode: str, nama: str, *, months: int = 6, year: int = 2026) -> Any:
    book = standard_book(months=months, year=year)
    book.identitas[spec.ID_KODE_SATKER] = kode
    book.identitas[spec.ID_NAMA_SATKER] = nama
    return book


def message(kode: str, attachment: bytes, name: str, *, when: dt.datetime, sha: str | None = None) -> EmailMessage:
    """A message as `sopxl kirim` drafts it (issue 12's headers)."""
    msg = EmailMessage()
    msg["From"] = f"satker{kode}@example.go.id"
    msg["To"] = "badiklat@example.go.id"
    msg["Subject"] = f"Capaian Output s.d. Juni 2026 - {kode}"
    msg["Date"] = email.utils.format_datetime(when)
    msg["Message-ID"] = email.utils.make_msgid(domain="example.go.id")
    msg["X-Sopxl-Satker"] = kode
    msg["X-Sopxl-Tahun"] = "2026"
    msg["X-Sopxl-Periode"] = "bulan-06"
    msg["X-Sopxl-Sha256"] = sha or hashlib.sha256(attachment).hexdigest()
    msg.set_content("Laporan capaian output terlampir.")
    msg.add_attachment(attachment, maintype=XLSX_TYPE[0], subtype=XLSX_TYPE[1], filename=name)
    return msg


KIRIM_TODAY = "today=2026-07-20"


def kirim_draft(workbook: Path) -> bytes:
    """The message the real `sopxl kirim` drafts for `workbook`: without smtp_host it writes a
    draft .eml (into the archive beside the workbook). --paksa: a workbook with errors is
    drafted too (its body says so), as a satker may still send it."""
    result = CliRunner().invoke(cli, ["kirim", str(workbook), "--paksa", "--format", "json", "--set", KIRIM_TODAY])
    assert result.exit_code == 0, result.output
    out = json.loads(result.stdout.splitlines()[0])
    assert out["mode"] == "draf" and out["status"] == "draf", out
    return Path(out["eml"]).read_bytes()


def without_files(payload: dict[str, Any]) -> dict[str, Any]:
    """The recap without the places its workbooks came from (a path, a message in a file or
    an IMAP address), which differ between sources of the same messages."""
    out = json.loads(json.dumps(payload))
    for s in out["satker"]:
        s["file"] = s["file"] is not None
    for m in out["masalah"]:
        m["file"] = None
    for d in out["duplikat"]:
        d["file"] = None
    return out


def rezip(src: Path, dst: Path, replace: dict[str, bytes]) -> Path:
    with zipfile.ZipFile(src) as zin, zipfile.ZipFile(dst, "w", zipfile.ZIP_DEFLATED) as zout:
        for info in zin.infolist():
            zout.writestr(info.filename, replace.get(info.filename, zin.read(info.filename)))
    return dst


T0 = dt.datetime(2026, 7, 3, 9, 0, tzinfo=dt.UTC)


@pytest.fixture(scope="module")
def inbox(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A receiving office's folder: every kind of workbook and message it can get."""
    root = tmp_path_factory.mktemp("masuk")
    files = root / "berkas"
    (files / "sub").mkdir(parents=True)
    satker_book("411001", "Balai Bersih").write(files / "bersih.xlsx")
    bad = satker_book("411002", "Balai Salah")
    bad.months[2][0][spec.COL_RVRO] = "sepuluh"
    bad.write(files / "sub" / "salah.xlsx")
    late = satker_book("411003", "Balai Terlambat")
    for m in (2, 3):
        for row in late.months[m]:
            row[spec.COL_TANGGAL] = dt.date(2026, m + 1, 25)
    late.write(files / "terlambat.xlsx")
    satker_book("411004", "Balai Tahun Lalu", year=2025).write(files / "tahun-lalu.xlsx")
    # duplicated: an older and a newer workbook of the same satker
    old = satker_book("411005", "Balai Dobel", months=3).write(files / "dobel-lama.xlsx")
    new = satker_book("411005", "Balai Dobel", months=6).write(files / "sub" / "dobel-baru.xlsx")
    os.utime(old, (T0.timestamp() - 86400, T0.timestamp() - 86400))
    os.utime(new, (T0.timestamp(), T0.timestamp()))
    # hostile kinds
    good = files / "bersih.xlsx"
    hostile = root / "berkas" / "rusak"
    hostile.mkdir()
    (hostile / "acak.xlsx").write_bytes(bytes(range(256)) * 20)
    (hostile / "terpotong.xlsx").write_bytes(good.read_bytes()[: good.stat().st_size // 2])
    with zipfile.ZipFile(good) as zf:
        sheet = zf.read(SHEET1)
    rezip(good, hostile / "bom.xlsx", {SHEET1: sheet.replace(b"</worksheet>", b" " * (64 << 20) + b"</worksheet>")})
    names = "".join(f"{n}\0" for n in ("EncryptionInfo", "EncryptedPackage")).encode("utf-16-le")
    (hostile / "sandi.xlsx").write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 1016 + names)
    (hostile / "kosong.xlsx").write_bytes(b"")
    # messages
    mail = root / "surel"
    mail.mkdir()
    eml_book = satker_book("411006", "Balai Surel").write(root / "tmp-surel.xlsx").read_bytes()
    (mail / "411006.eml").write_bytes(
        message("411006", eml_book, "capaian-411006.xlsx", when=T0).as_bytes(policy=email.policy.SMTP)
    )
    damaged = satker_book("411007", "Balai Rusak Kirim").write(root / "tmp-rusak.xlsx").read_bytes()
    (mail / "411007.eml").write_bytes(
        message("411007", damaged, "capaian-411007.xlsx", when=T0, sha="0" * 64).as_bytes(policy=email.policy.SMTP)
    )
    (mail / "411010.eml").write_bytes(
        message("411010", b"PK\x03\x04 bukan zip utuh", "capaian-411010.xlsx", when=T0).as_bytes(policy=email.policy.SMTP)
    )
    (mail / "outlook.msg").write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 600)
    box = mailbox.mbox(root / "kotak.mbox")
    mbox_book = satker_book("411008", "Balai Mbox").write(root / "tmp-mbox.xlsx").read_bytes()
    box.add(message("411008", mbox_book, "capaian-411008.xlsx", when=T0))
    box.flush()
    box.close()
    md = mailbox.Maildir(root / "Maildir", create=True)
    md_book = satker_book("411009", "Balai Maildir").write(root / "tmp-md.xlsx").read_bytes()
    md.add(message("411009", md_book, "capaian-411009.xlsx", when=T0))
    # a newer copy of 411001 by mail: the message Date makes it the one that counts
    newer = satker_book("411001", "Balai Bersih").write(root / "tmp-bersih.xlsx").read_bytes()
    md.add(message("411001", newer, "capaian-411001.xlsx", when=dt.datetime.now(dt.UTC) + dt.timedelta(days=1)))
    md.close()
    for tmp in root.glob("tmp-*.xlsx"):
        tmp.unlink()
    (root / "daftar.csv").write_text(
        "Kode Satker,Nama Satker\n"
        + "".join(f"41100{i},Satker {i}\n" for i in range(1, 10))
        + "411010,Satker 10\n411099,Balai Belum Kirim\n",
        encoding="utf-8",
    )
    return root


def sources(root: Path) -> list[str]:
    return [str(root / "berkas"), str(root / "surel"), str(root / "kotak.mbox"), str(root / "Maildir")]


def snapshot(root: Path) -> dict[str, tuple[bytes, int]]:
    return {
        str(p): (p.read_bytes(), p.stat().st_mtime_ns)
        for p in sorted(root.rglob("*"))
        if p.is_file() and "keluar" not in p.parts
    }


def run_cli(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(cli, ["rekap", *args])
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        raise AssertionError(f"unexpected {result.exception!r}\n{result.output}")
    return result.exit_code, result.stdout, result.stderr


@pytest.fixture(scope="module")
def recap(inbox: Path, tmp_path_factory: pytest.TempPathFactory) -> tuple[dict[str, Any], Path, dict[str, tuple[bytes, int]]]:
    before = snapshot(inbox)
    out = tmp_path_factory.mktemp("keluar") / "rekap.xlsx"
    code, stdout, _ = run_cli(*sources(inbox), "--output", str(out), "--daftar", str(inbox / "daftar.csv"),
                              "--periode", "semester1", "--format", "json", "--jobs", "2")
    assert code == 1, stdout
    return json.loads(stdout), out, before


def by_kode(payload: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {s["kode"]: s for s in payload["satker"]}


def test_json_contract(recap: tuple[dict[str, Any], Path, Any]) -> None:
    payload, _, _ = recap
    assert list(payload) == ["periode", "tahun", "satker", "belum_mengirim", "masalah", "duplikat"]
    assert payload["periode"] == "semester1"
    assert payload["tahun"] == 2026
    for s in payload["satker"]:
        assert list(s) == [
            "kode", "nama", "file", "status", "errors", "warnings", "bulan_pelaporan", "ikpa", "nka",
            "penyerapan_persen", "capaian_persen", "sha256",
        ]
    for m in payload["masalah"]:
        assert list(m) == ["file", "alasan"]
    for d in payload["duplikat"]:
        assert list(d) == ["kode", "file"]


def test_statuses(recap: tuple[dict[str, Any], Path, Any]) -> None:
    payload, _, _ = recap
    rows = by_kode(payload)
    assert rows["411001"]["status"] == "sesuai"
    assert rows["411002"]["status"] == "ada-kesalahan"
    assert rows["411002"]["errors"] >= 1
    assert rows["411003"]["status"] == "sesuai"  # late entry is a warning
    assert rows["411003"]["warnings"] >= 1
    assert rows["411004"]["status"] == "tahun-berbeda"
    assert rows["411005"]["status"] == "sesuai"
    assert rows["411005"]["file"].endswith("dobel-baru.xlsx")
    assert rows["411005"]["bulan_pelaporan"] == 6
    assert rows["411006"]["status"] == "sesuai"  # .eml
    assert rows["411007"]["status"] == "tidak-terbaca"  # damaged in transit
    assert rows["411008"]["status"] == "sesuai"  # mbox
    assert rows["411009"]["status"] == "sesuai"  # Maildir
    assert rows["411010"]["status"] == "tidak-terbaca"  # broken attachment
    assert rows["411099"] == {
        "kode": "411099", "nama": "Balai Belum Kirim", "file": None, "status": "belum-mengirim",
        "errors": 0, "warnings": 0, "bulan_pelaporan": None, "ikpa": None, "nka": None,
        "penyerapan_persen": None, "capaian_persen": None, "sha256": None,
    }
    assert payload["belum_mengirim"] == [{"kode": "411099", "nama": "Balai Belum Kirim"}]
    # the Maildir copy of 411001 is newer than the file: it counts, the file is a duplicate
    assert "Maildir" in rows["411001"]["file"]
    dups = {(d["kode"], Path(d["file"]).name) for d in payload["duplikat"]}
    assert dups == {("411005", "dobel-lama.xlsx"), ("411001", "bersih.xlsx")}


def test_masalah_reasons(recap: tuple[dict[str, Any], Path, Any]) -> None:
    payload, _, _ = recap
    reasons = {Path(m["file"].split(": ")[0]).name: m["alasan"] for m in payload["masalah"]}
    assert "bukan buku kerja Excel" in reasons["acak.xlsx"]
    assert "rusak atau terpotong" in reasons["terpotong.xlsx"]
    assert "zip bomb" in reasons["bom.xlsx"]
    assert "terenkripsi" in reasons["sandi.xlsx"]
    assert "kosong" in reasons["kosong.xlsx"]
    assert "rusak" in reasons["outlook.msg"]  # without extract-msg: tests/test_rekap_msg.py
    assert "rusak dalam pengiriman" in reasons["411007.eml"]
    assert "X-Sopxl-Sha256" in reasons["411007.eml"]
    assert any("Tahun Anggaran 2025" in m["alasan"] for m in payload["masalah"])
    for m in payload["masalah"]:
        assert "Traceback" not in m["alasan"]


def test_figures_equal_consolidate_json(inbox: Path, recap: tuple[dict[str, Any], Path, Any], tmp_path: Path) -> None:
    payload, _, _ = recap
    rows = by_kode(payload)
    for kode, name in (("411003", "terlambat.xlsx"), ("411002", "sub/salah.xlsx"), ("411004", "tahun-lalu.xlsx")):
        result = CliRunner().invoke(
            cli, ["consolidate", str(inbox / "berkas" / name), "--periode", "semester1", "--no-write",
                  "--format", "json", "--paksa"]
        )
        assert result.exit_code == 0, result.output
        fig = json.loads(result.stdout)
        row = rows[kode]
        assert row["ikpa"] == float(fig["ikpa_capaian_output"]["nilai"])
        assert row["nka"] == float(fig["nka"]["nilai"])
        ros = fig["ro"]
        assert row["penyerapan_persen"] == pytest.approx(
            sum(r["realisasi_anggaran"] for r in ros) / sum(r["pagu"] for r in ros) * 100, rel=1e-12
        )
        assert row["capaian_persen"] == pytest.approx(sum(r["capaian_persen"] for r in ros) / len(ros), rel=1e-12)
    # an attachment's figures equal those of its bytes saved as a file
    md = mailbox.Maildir(inbox / "Maildir", create=False)
    for key in md.iterkeys():
        msg = email.message_from_bytes(md.get_bytes(key), policy=email.policy.default)
        if msg["X-Sopxl-Satker"] != "411009":
            continue
        part = next(p for p in msg.walk() if p.get_filename())
        path = tmp_path / "411009.xlsx"
        path.write_bytes(part.get_payload(decode=True))
        result = CliRunner().invoke(cli, ["consolidate", str(path), "--periode", "semester1", "--no-write", "--format", "json"])
        fig = json.loads(result.stdout)
        assert rows["411009"]["ikpa"] == float(fig["ikpa_capaian_output"]["nilai"])
        assert rows["411009"]["nka"] == float(fig["nka"]["nilai"])
        assert rows["411009"]["sha256"] == hashlib.sha256(path.read_bytes()).hexdigest()


def test_sources_untouched(inbox: Path, recap: tuple[dict[str, Any], Path, dict[str, tuple[bytes, int]]]) -> None:
    _, _, before = recap
    after = snapshot(inbox)
    assert after.keys() == before.keys()
    for name, (data, mtime) in before.items():
        assert after[name][0] == data, name
        assert after[name][1] == mtime, name
    # Maildir messages stay in new/ (reading does not move them to cur/ nor flag them)
    assert len(list((inbox / "Maildir" / "new").iterdir())) == 2


def test_recap_workbook_sheets(recap: tuple[dict[str, Any], Path, Any]) -> None:
    from python_calamine import CalamineWorkbook

    payload, out, _ = recap
    book = CalamineWorkbook.from_path(str(out))
    assert book.sheet_names == ["Rekap Satker", "Rekap RO", "Belum Mengirim", "Masalah", "Grafik"]
    satker = book.get_sheet_by_name("Rekap Satker").to_python()
    assert satker[0][:5] == ["Kode Satker", "Nama Satker", "Berkas", "Tahun Anggaran", "Status"]
    assert len(satker) == 1 + len(payload["satker"])
    status = {row[0]: row[4] for row in satker[1:]}
    assert status["411002"] == "Ada kesalahan"
    assert status["411099"] == "Belum mengirim"
    belum = book.get_sheet_by_name("Belum Mengirim").to_python()
    assert belum[1][:2] == ["411099", "Balai Belum Kirim"]
    masalah = book.get_sheet_by_name("Masalah").to_python()
    assert len(masalah) == 1 + len(payload["masalah"])
    ro = book.get_sheet_by_name("Rekap RO").to_python()
    assert len(ro) > 1 and ro[0][2] == "Kode RO"
    with zipfile.ZipFile(out) as zf:
        names = zf.namelist()
        assert sum(n.startswith("xl/charts/chart") for n in names) == 2
        sheet1 = zf.read("xl/worksheets/sheet1.xml")
        assert b"<pane" in sheet1 and b"autoFilter" in sheet1


def test_cache_rereads_only_what_changed(inbox: Path, tmp_path: Path) -> None:
    folder = tmp_path / "masuk"
    shutil.copytree(inbox / "berkas", folder)
    out = tmp_path / "rekap.xlsx"
    first = rekap([folder], output=out, jobs=1)
    assert first.from_cache == 0
    second = rekap([folder], output=out, jobs=1)
    files = len(list(folder.rglob("*.xlsx")))
    assert second.from_cache == files  # good and refused files alike
    assert second.to_json_dict() == first.to_json_dict()
    changed = satker_book("411001", "Balai Bersih", months=5)
    changed.write(folder / "bersih.xlsx")
    third = rekap([folder], output=out, jobs=1)
    assert third.from_cache == files - 1
    assert {s.kode: s.bulan_pelaporan for s in third.satker}["411001"] == 5


def _dies_on_bom(path: str, *args: Any) -> dict[str, Any]:
    if Path(path).name == "bom.xlsx":
        os._exit(13)  # a worker killed mid-file
    return examine(path, *args)


def test_dead_worker_takes_only_its_file(inbox: Path) -> None:
    files = sorted((inbox / "berkas").rglob("*.xlsx"))
    tasks = [(str(p), str(p)) for p in files]
    results = run_pool(tasks, "tahunan", None, None, 2, func=_dies_on_bom)
    assert set(results) == {str(p) for p in files}
    for path, res in results.items():
        if Path(path).name == "bom.xlsx":
            assert res["ok"] is False and "menghentikan proses pembaca" in res["alasan"]
        elif Path(path).parent.name != "rusak":
            assert res["ok"] is True, res


def _hangs_on_bom(path: str, *args: Any) -> dict[str, Any]:
    if Path(path).name == "bom.xlsx":
        import time

        time.sleep(120)  # a worker stuck on one file
    return examine(path, *args)


def test_hung_worker_takes_only_its_file(inbox: Path) -> None:
    import time

    files = sorted((inbox / "berkas").rglob("*.xlsx"))
    tasks = [(str(p), str(p)) for p in files]
    t0 = time.monotonic()
    results = run_pool(tasks, "tahunan", None, None, 2, func=_hangs_on_bom, timeout=3)
    assert time.monotonic() - t0 < 60
    assert set(results) == {str(p) for p in files}
    for path, res in results.items():
        if Path(path).name == "bom.xlsx":
            assert res["ok"] is False and "lebih dari 3 detik" in res["alasan"], res
            assert res["transient"] is True  # not cached: the next run tries again
        elif Path(path).parent.name != "rusak":
            assert res["ok"] is True, res


def _unsendable_on_bom(path: str, *args: Any) -> dict[str, Any]:
    if Path(path).name == "bom.xlsx":
        return {"ok": True, "hasil": threading_lock()}  # cannot be sent back to the parent
    return examine(path, *args)


def threading_lock() -> Any:
    import threading

    return threading.Lock()


def test_a_result_the_pool_cannot_return_is_listed_in_indonesian(inbox: Path) -> None:
    files = sorted((inbox / "berkas").rglob("*.xlsx"))
    tasks = [(str(p), str(p)) for p in files]
    results = run_pool(tasks, "tahunan", None, None, 2, func=_unsendable_on_bom)
    bom = next(res for path, res in results.items() if Path(path).name == "bom.xlsx")
    assert bom["ok"] is False and "gagal diproses oleh pembaca rekap" in bom["alasan"], bom
    assert "Error" not in bom["alasan"] and "pickle" not in bom["alasan"].lower()
    assert bom["transient"] is True
    others = [res for path, res in results.items() if Path(path).parent.name != "rusak" and Path(path).name != "bom.xlsx"]
    assert others and all(res["ok"] for res in others)


def test_exit_codes(inbox: Path, tmp_path: Path) -> None:
    folder = tmp_path / "baik"
    folder.mkdir()
    shutil.copy(inbox / "berkas" / "bersih.xlsx", folder)
    daftar = tmp_path / "daftar.csv"
    daftar.write_text("Kode Satker,Nama Satker\n411001,Balai Bersih\n", encoding="utf-8")
    code, stdout, stderr = run_cli(str(folder), "--output", str(tmp_path / "r.xlsx"), "--daftar", str(daftar))
    assert code == 0, stdout
    assert "Sesuai" in stdout
    assert stderr == ""  # no progress bar when stderr is not a terminal
    daftar.write_text("Kode Satker,Nama Satker\n411001,A\n411002,B\n", encoding="utf-8")
    code, _, _ = run_cli(str(folder), "--output", str(tmp_path / "r.xlsx"), "--daftar", str(daftar))
    assert code == 1
    code, _, err = run_cli(str(inbox / "berkas" / "rusak"), "--output", str(tmp_path / "r2.xlsx"))
    assert code == 2 and "tidak ada buku kerja" in err
    code, _, err = run_cli(str(folder), "--output", str(tmp_path / "r.csv"))
    assert code == 2 and ".xlsx" in err
    code, _, _ = run_cli("--output", str(tmp_path / "r.xlsx"))
    assert code == 2


def test_to_pandas(inbox: Path, tmp_path: Path) -> None:
    pytest.importorskip("pandas")
    result = rekap([inbox / "berkas"], periode="semester1", jobs=1)
    satker, ro = result.to_pandas()
    assert list(satker.columns)[:12] == [
        "kode", "nama", "file", "status", "errors", "warnings", "bulan_pelaporan", "ikpa", "nka",
        "penyerapan_persen", "capaian_persen", "sha256",
    ]
    assert len(satker) == len(result.satker)
    assert len(ro) == sum(len(s.ro) for s in result.satker)
    assert set(ro["kode_satker"]) <= set(satker["kode"])
    # the recap's Rekap RO sheet holds exactly these rows (its rows after the first are
    # appended to the sheet XML in bulk)
    from python_calamine import CalamineWorkbook

    out = write_recap(result, tmp_path / "rekap.xlsx")
    sheet = CalamineWorkbook.from_path(str(out)).get_sheet_by_name("Rekap RO").to_python()
    assert len(sheet) == 1 + len(ro)
    for got, (_, want) in zip(sheet[1:], ro.iterrows(), strict=True):
        assert str(got[0]) == want["kode_satker"] and got[2] == want["kode"] and got[3] == want["uraian"]
        assert [float(x) for x in got[5:]] == pytest.approx([float(want[k]) for k in (
            "target_volume", "realisasi_volume_kumulatif", "progres_capaian", "target_progres",
            "capaian_persen", "pagu", "realisasi_anggaran", "penyerapan_persen")], rel=1e-15)


@pytest.mark.libreoffice
def test_libreoffice_opens_recap_with_charts(
    inbox: Path, tmp_path: Path, lo_convert: Callable[..., Path]
) -> None:
    result = rekap([inbox / "berkas"], periode="semester1", jobs=1)
    out = write_recap(result, tmp_path / "rekap.xlsx")
    pdf = lo_convert(out, "pdf")
    text = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
    assert "Balai Bersih" in text
    from sopxl.recap.workbook import CHART_IKPA, CHART_SERAPAN

    flat = " ".join(text.split())
    assert CHART_IKPA in flat
    assert CHART_SERAPAN in flat


def test_library_received_bytes(inbox: Path, tmp_path: Path) -> None:
    """A caller's own received workbooks (bytes, e.g. from another mail API) are recapped
    like files; a declared hash that does not match marks them damaged."""
    from sopxl.recap.sources import Received

    data = (inbox / "berkas" / "bersih.xlsx").read_bytes()
    good = Received(label="api#1: a.xlsx", name="a.xlsx", data=data, when=T0,
                    declared_sha256=hashlib.sha256(data).hexdigest())
    bad = Received(label="api#2: b.xlsx", name="b.xlsx", data=data, when=T0, satker="411777",
                   declared_sha256="1" * 64)
    result = rekap([], received=[good, bad], output=tmp_path / "r.xlsx", jobs=1)
    rows = {s.kode: s for s in result.satker}
    assert rows["411001"].status == "sesuai" and rows["411001"].file == "api#1: a.xlsx"
    assert rows["411777"].status == "tidak-terbaca"
    assert "rusak dalam pengiriman" in (rows["411777"].alasan or "")


def test_changed_file_is_hashed_again_even_with_its_old_time(inbox: Path, tmp_path: Path) -> None:
    """A re-run trusts a file's earlier hash only while its stat signature is unchanged; a
    file rewritten and given back its modification time still changes its change time."""
    import os

    from sopxl.recap.pool import Cache
    from sopxl.recap.run import cache_path

    folder = tmp_path / "masuk"
    folder.mkdir()
    target = folder / "bersih.xlsx"
    satker_book("411001", "Balai Bersih", months=3).write(target)
    out = tmp_path / "rekap.xlsx"
    first = rekap([folder], output=out, jobs=1)
    assert {s.kode: s.bulan_pelaporan for s in first.satker}["411001"] == 3
    known = Cache(cache_path(out)).known_hashes()
    assert str(target) in known  # the signature and hash were remembered
    again = rekap([folder], output=out, jobs=1)
    assert again.from_cache == 1

    st = target.stat()
    satker_book("411001", "Balai Bersih", months=5).write(target)
    os.utime(target, ns=(st.st_atime_ns, st.st_mtime_ns))  # the old modification time back
    third = rekap([folder], output=out, jobs=1)
    assert third.from_cache == 0
    assert {s.kode: s.bulan_pelaporan for s in third.satker}["411001"] == 5


def test_file_signature_changes_on_a_same_size_rewrite_with_the_old_time(tmp_path: Path) -> None:
    import os
    import time

    from sopxl.recap.run import file_signature

    f = tmp_path / "a.xlsx"
    f.write_bytes(b"A" * 100)
    st = f.stat()
    before = file_signature(f)
    time.sleep(0.01)
    f.write_bytes(b"B" * 100)  # same size
    os.utime(f, ns=(st.st_atime_ns, st.st_mtime_ns))  # same modification time
    assert f.stat().st_size == st.st_size and f.stat().st_mtime_ns == st.st_mtime_ns
    assert file_signature(f) != before  # the change time gives the rewrite away
    assert file_signature(tmp_path / "gone.xlsx") == ""


def test_kept_frame_gives_the_workbook_xlsxwriter_would(inbox: Path, tmp_path: Path) -> None:
    """A re-run whose counts and small sheets are the same takes XlsxWriter's frame from the
    cache: every part is the one a fresh frame gives, but for the document's times; a
    recap with another count (here, fewer satker) gets a frame of its own."""
    from sopxl.recap.pool import Cache

    result = rekap([inbox / "berkas"], periode="semester1", jobs=1)
    fresh = write_recap(result, tmp_path / "baru" / "rekap.xlsx", cache=False)
    out = tmp_path / "rekap.xlsx"
    write_recap(result, out)  # makes the frame and keeps it
    store = Cache(cache_path(out))
    kept_rows = store._db.execute("SELECT count(*) FROM kerangka").fetchone()[0] if store._db else 0
    store.close()
    assert kept_rows == 1
    write_recap(result, out)  # takes it
    with zipfile.ZipFile(fresh) as a, zipfile.ZipFile(out) as b:
        assert a.namelist() == b.namelist()
        for name in a.namelist():
            if name != "docProps/core.xml":
                assert a.read(name) == b.read(name), name
        core = b.read("docProps/core.xml").decode()
        assert dt.datetime.now(dt.UTC).strftime("%Y-%m-%dT") in core

    fewer = RekapResult(
        periode=result.periode, tahun=result.tahun, satker=result.satker[:2], belum_mengirim=[],
        masalah=[], duplikat=[], read=2,
    )
    write_recap(fewer, out)
    with zipfile.ZipFile(out) as b:
        sheet = b.read("xl/worksheets/sheet1.xml").decode()
    assert '<autoFilter ref="A1:Q3"/>' in sheet
    assert sheet.count("<row ") == 3


def _parts(path: Path) -> dict[str, bytes]:
    with zipfile.ZipFile(path) as zf:
        return {n: zf.read(n) for n in zf.namelist() if n != "docProps/core.xml"}


def _first_rows(result: RekapResult) -> dict[str, int]:
    """Where each satker's Rekap RO rows start."""
    first, r = {}, 2
    for s in result.satker:
        if s.ro_count():
            first[s.kode], r = r, r + s.ro_count()
    return first


def test_second_recap_makes_only_the_rows_that_changed(
    inbox: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Rekap RO's rows are kept compressed per satker in the cache: a re-run numbers and
    compresses again only the satker whose result, first row or name changed, and writes the
    workbook a recap without cache writes."""
    from wbfactory import DEFAULT_REFERENSI

    import sopxl.recap.workbook as recap_workbook

    folder = tmp_path / "masuk"
    shutil.copytree(inbox / "berkas", folder)
    out = tmp_path / "rekap.xlsx"
    write_recap(rekap([folder], output=out, jobs=1), out)
    made: list[str] = []
    fill = recap_workbook.fill_ro_rows

    def counted(blob: bytes, first: int, nama: str | None) -> tuple[bytes, int]:
        made.append(str(nama))
        return fill(blob, first, nama)

    monkeypatch.setattr(recap_workbook, "fill_ro_rows", counted)

    def recap_again() -> RekapResult:
        made.clear()
        result = rekap([folder], output=out, jobs=1)
        write_recap(result, out)
        kept = list(made)
        fresh = write_recap(result, tmp_path / "tanpa-cache" / "rekap.xlsx", cache=False)
        assert _parts(out) == _parts(fresh)
        made[:] = kept
        return result

    first = recap_again()
    assert made == []  # nothing changed: every satker's rows as kept
    with_ro = [s for s in first.satker if s.ro_count()]
    assert len(with_ro) >= 3

    # the last satker's workbook changed: its rows only
    last = with_ro[-1]
    changed = next(p for p in folder.rglob("*.xlsx") if last.file and Path(last.file) == p)
    book = satker_book(last.kode, "Balai Berubah", months=5)
    book.write(changed)
    second = recap_again()
    assert made == ["Balai Berubah"]
    assert _first_rows(second) == _first_rows(first)

    # the first satker now has one RO fewer: every satker's rows after it move up one row
    head = with_ro[0]
    book = standard_book(months=6, referensi=[dict(DEFAULT_REFERENSI[0])])
    book.identitas[spec.ID_KODE_SATKER] = head.kode
    book.identitas[spec.ID_NAMA_SATKER] = head.nama
    book.write(next(p for p in folder.rglob("*.xlsx") if head.file and Path(head.file) == p))
    third = recap_again()
    assert sorted(made) == sorted(str(s.nama) for s in third.satker if s.ro_count())
    moved = _first_rows(third)
    assert [moved[k] for k in list(moved)[1:]] == [_first_rows(second)[k] - 1 for k in list(moved)[1:]]


def test_cached_results_give_their_ro_on_demand(inbox: Path, tmp_path: Path) -> None:
    """A re-run leaves the satker's RO figures in the cache until something asks for them:
    `to_pandas` reads them all at once and they equal the first run's; without the cache
    they are refused in Indonesian, never given as empty."""
    pytest.importorskip("pandas")
    from sopxl.core.errors import InvalidInput

    out = tmp_path / "rekap.xlsx"
    first = rekap([inbox / "berkas"], periode="semester1", output=out, jobs=1)
    second = rekap([inbox / "berkas"], periode="semester1", output=out, jobs=1)
    assert first.from_cache == 0 and second.from_cache > 0
    assert all(s.ro_list is None for s in second.satker if s.sha256 and s.status != "tidak-terbaca")
    _, ro_first = first.to_pandas()
    _, ro_second = second.to_pandas()
    assert len(ro_second) > 0
    assert ro_second.to_dict("records") == ro_first.to_dict("records")

    third = rekap([inbox / "berkas"], periode="semester1", output=out, jobs=1)
    cache_path(out).unlink()
    with pytest.raises(InvalidInput, match="Jalankan rekap sekali lagi"):
        third.to_pandas()


def test_interrupted_recap_keeps_what_it_read(inbox: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Results are kept in the cache as they come (in batches), not only at the end: a recap
    stopped after two workbooks (Ctrl-C) leaves those two for the next run."""
    import sopxl.recap.run as recap_run

    monkeypatch.setattr(recap_run, "SAVE_BATCH", 1)
    out = tmp_path / "rekap.xlsx"
    seen: list[int] = []

    def progress(total: int, cached: int) -> Callable[[int], None]:
        def tick(n: int) -> None:
            seen.append(n)
            if len(seen) == 2:
                raise KeyboardInterrupt

        return tick

    with pytest.raises(KeyboardInterrupt):
        rekap([inbox / "berkas"], output=out, jobs=1, progress=progress)
    again = rekap([inbox / "berkas"], output=out, jobs=1)
    assert again.from_cache == 2


def _mark_done(path: str, *args: Any) -> dict[str, Any]:
    Path(path).with_suffix(".selesai").touch()
    return {"ok": False, "alasan": "uji"}


def test_pool_reads_tasks_as_they_come(tmp_path: Path) -> None:
    """A generator of tasks is handed to the workers as it yields (a first recap reads its
    first files while the rest are still hashed): the second task is asked for only once
    the first was read, which would never happen if the pool took them all first."""
    import time

    first, second = tmp_path / "a.xlsx", tmp_path / "b.xlsx"

    def tasks() -> Any:
        yield ("a", str(first))
        deadline = time.monotonic() + 60
        while not first.with_suffix(".selesai").exists():
            assert time.monotonic() < deadline, "the first task was not read before the second was asked for"
            time.sleep(0.01)
        yield ("b", str(second))

    results = run_pool(tasks(), "tahunan", None, None, 1, func=_mark_done)
    assert set(results) == {"a", "b"}
    assert second.with_suffix(".selesai").exists()


def test_cache_forgets_the_results_of_earlier_days(inbox: Path, tmp_path: Path) -> None:
    """A result holds the day it was made for (date rules compare with today): the first
    recap of a new day reads every workbook again and forgets the earlier days' results and
    their Rekap RO rows, so a recap run daily keeps one day's worth in its cache."""
    import sqlite3

    out = tmp_path / "rekap.xlsx"

    def recap_on(day: str) -> RekapResult:
        result = rekap([inbox / "berkas"], output=out, jobs=1, run_overrides={"today": day})
        write_recap(result, out)
        return result

    def kept() -> tuple[list[str], set[str], set[str]]:
        with sqlite3.connect(cache_path(out)) as db:
            days = [d for (d,) in db.execute("SELECT hari FROM hasil_v4")]
            results = {s for (s,) in db.execute("SELECT sha256 FROM hasil_v4")}
            rows = {s for (s,) in db.execute("SELECT sha256 FROM segmen_ro")}
        return days, results, rows

    first = recap_on("2026-07-20")
    days, results, rows = kept()
    assert set(days) == {"2026-07-20"} and rows and rows <= results
    again = recap_on("2026-07-20")
    assert first.from_cache == 0
    assert again.from_cache == len(list((inbox / "berkas").rglob("*.xlsx")))  # the same day: all kept
    assert kept()[0] == days

    second = recap_on("2026-07-21")
    assert second.from_cache == 0  # another day: read again
    later_days, later_results, later_rows = kept()
    assert set(later_days) == {"2026-07-21"} and len(later_days) == len(days)
    assert later_rows and later_rows <= later_results
