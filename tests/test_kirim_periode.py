"""`sopxl kirim --periode`: the report sheet must be there, fresh and without LAP errors; the
PDF of the report goes along (LibreOffice), or the body says it is missing."""

from __future__ import annotations

import email
import email.policy
import json
from email.message import EmailMessage
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from wbfactory import standard_book

from sopxl.core import spec
from sopxl.frontends.cli import cli
from sopxl.report import libreoffice

TODAY = ["--set", "today=2026-07-20"]


def kirim(*args: str) -> tuple[int, dict[str, Any]]:
    result = CliRunner().invoke(cli, ["kirim", *args, "--format", "json", *TODAY])
    assert result.exception is None or isinstance(result.exception, SystemExit), result.output
    return result.exit_code, json.loads(result.stdout.splitlines()[0])


def consolidated(tmp_path: Path) -> Path:
    path = standard_book(months=6).write(tmp_path / "b.xlsx")
    result = CliRunner().invoke(cli, ["consolidate", str(path), "--periode", "semester1", *TODAY])
    assert result.exit_code == 0, result.output
    return path


def parse(path: Path) -> EmailMessage:
    msg = email.message_from_bytes(path.read_bytes(), policy=email.policy.default)
    assert isinstance(msg, EmailMessage)
    return msg


def test_missing_report_sheet_is_refused(tmp_path: Path) -> None:
    path = standard_book(months=6).write(tmp_path / "b.xlsx")
    code, out = kirim(str(path), "--periode", "semester1")
    assert code == 1
    assert out["status"] == "ditolak"
    assert "Laporan Semester I belum ada" in out["reason"]
    assert not (tmp_path / "arsip").exists()


def test_stale_report_is_refused(tmp_path: Path) -> None:
    path = consolidated(tmp_path)
    b = standard_book(months=6)
    b.months[2][0][spec.COL_ANGGARAN] = 12_000_000  # the data changed after consolidation
    changed = b.write(tmp_path / "baru.xlsx")
    # graft the old report into the changed data: consolidate the changed workbook's sibling
    from sopxl.ooxml import WorkbookPackage

    pkg = WorkbookPackage.open(changed)
    src = WorkbookPackage.open(path)
    from sopxl.read.state import read_state, write_state

    pkg.replace_sheet_from_xlsx("Laporan Semester I", path, source_sheet="Laporan Semester I", state="visible")
    write_state(pkg, read_state(src))
    pkg.save(backup=False)
    code, out = kirim(str(changed), "--periode", "semester1")
    assert code == 1
    assert "laporan sudah usang" in out["reason"]


def _send_report(tmp_path: Path) -> tuple[Path, dict[str, Any]]:
    path = consolidated(tmp_path)
    # the fresh report's narratives are still empty (LAP-NARASI errors): refused unless forced
    code, out = kirim(str(path), "--periode", "semester1", "--draf", str(tmp_path / "lap.eml"))
    assert code == 1 and "(Laporan Semester I 3)" in out["reason"]
    assert not (tmp_path / "lap.eml").exists()
    code, out = kirim(str(path), "--periode", "semester1", "--paksa", "--draf", str(tmp_path / "lap.eml"))
    assert code == 0, out
    return path, out


def test_report_with_pdf(tmp_path: Path, soffice: str) -> None:
    path, _out = _send_report(tmp_path)
    msg = parse(tmp_path / "lap.eml")
    assert msg["Subject"] == "Laporan Semester I 2026 - 411724 Balai Diklat Hukum dan HAM Contoh"
    assert msg["X-Sopxl-Periode"] == "semester1"
    parts = {str(p.get_filename()): p for p in msg.iter_attachments()}
    assert set(parts) == {path.name, f"{path.stem} - Laporan Semester I.pdf"}
    pdf = parts[f"{path.stem} - Laporan Semester I.pdf"]
    assert pdf.get_content_type() == "application/pdf"
    payload = pdf.get_payload(decode=True)
    assert isinstance(payload, bytes) and payload.startswith(b"%PDF")
    body = msg.get_body(("plain",))
    assert body is not None
    text = body.get_content()
    assert "IKPA Capaian Output:" in text and "Nilai Kinerja Anggaran:" in text
    assert "Laporan Semester I 2026" in text


def test_report_without_libreoffice_says_pdf_missing(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(libreoffice, "find_soffice", lambda: None)
    path, out = _send_report(tmp_path)
    assert [a["name"] for a in out["attachments"]] == [path.name]
    body = parse(tmp_path / "lap.eml").get_body(("plain",))
    assert body is not None
    text = body.get_content()
    assert "PDF Laporan Semester I tidak terlampir: LibreOffice tidak terpasang" in text
    assert "IKPA Capaian Output:" in text
