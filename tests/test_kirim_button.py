"""The Kirim button's entry point (sopxl.excel.kirim) on the recording stand-in of an open
workbook: it drafts the same message as the CLI and opens it; where SMTP is set up it sends,
and step 6 goes into the open workbook (the file on disk is Excel's)."""

from __future__ import annotations

import email
import email.policy
import json
from email.message import EmailMessage
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from kirim_stand import USER, smtp_server
from test_excel_entry import open_book
from uno_driver import driver
from wbfactory import standard_book

import sopxl.excel
from sopxl.core import spec
from sopxl.frontends import excel
from sopxl.frontends.cli import cli

TODAY = "2026-07-20"


def _book(tmp_path: Path, settings: dict[str, str]) -> Path:
    b = standard_book(months=6)
    b.extra_sheets[spec.SHEET_KENDALI] = [
        ["KENDALI SOP"], [], list(spec.KENDALI_COLUMNS),
        *[[step, actor, activity, minutes, output] for step, actor, activity, minutes, output in spec.SOP_STEPS],
    ]
    b.extra_sheets[spec.SHEET_PENGATURAN] = [["Kunci", "Nilai"], *([k, v] for k, v in {"today": TODAY, **settings}.items())]
    return b.write(tmp_path / "capaian.xlsm")


def parse(data: bytes) -> EmailMessage:
    msg = email.message_from_bytes(data, policy=email.policy.default)
    assert isinstance(msg, EmailMessage)
    return msg


def _same_message(a: EmailMessage, b: EmailMessage) -> None:
    for name in ("Subject", "To", "Cc", "From", "X-Unsent", "X-Sopxl-Satker", "X-Sopxl-Tahun",
                 "X-Sopxl-Periode", "X-Sopxl-Sha256"):
        assert a[name] == b[name], name

    def parts(m: EmailMessage) -> dict[str, bytes]:
        return {str(p.get_filename()): p.get_payload(decode=True) for p in m.iter_attachments()}  # type: ignore[misc]

    assert parts(a) == parts(b)

    def body(m: EmailMessage) -> list[str]:
        part = m.get_body(("plain",))
        assert part is not None
        return [line for line in part.get_content().splitlines() if not line.startswith("Diperiksa oleh")]

    assert body(a) == body(b)


def test_button_drafts_the_cli_message_and_opens_it(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = _book(tmp_path, {})
    original = path.read_bytes()
    opened: list[Path] = []
    monkeypatch.setattr(excel, "open_draft", opened.append)
    book = open_book(path)
    result = sopxl.excel.kirim(book)
    assert result is not None and result.status == "draf"
    assert opened == [Path(result.eml)]
    assert "Draf e-mail untuk kepala.badiklat@example.go.id" in book.app.alerts[-1][0]
    assert path.read_bytes() == original
    cli_draft = tmp_path / "cli.eml"
    res = CliRunner().invoke(cli, ["kirim", str(path), "--draf", str(cli_draft), "--format", "json"])
    assert res.exit_code == 0, res.output
    assert json.loads(res.stdout)["status"] == "draf"
    _same_message(parse(Path(result.eml).read_bytes()), parse(cli_draft.read_bytes()))


def test_button_sends_and_writes_step_6_into_the_open_book(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("SOPXL_SMTP_PASSWORD", raising=False)
    with smtp_server(tmp_path) as stand:
        path = _book(tmp_path, {"smtp_host": "127.0.0.1", "smtp_port": str(stand.port), "smtp_security": "none",
                                "email_from": USER})
        original = path.read_bytes()
        book = open_book(path)
        result: Any = sopxl.excel.kirim(book)
        assert result is not None and result.status == "terkirim", book.app.alerts
        assert len(stand.received) == 1
    assert path.read_bytes() == original  # Excel's file: the user saves
    kendali = book.sheets[spec.SHEET_KENDALI]
    assert kendali.range("G9").value == "Dikirim ke kepala.badiklat@example.go.id"
    assert kendali.range("F9").value is not None
    state_sheet = book.sheets[spec.SHEET_STATE]
    from sopxl.read.state import decode_grid

    state = decode_grid(state_sheet.used_range.value)
    assert state["kiriman"][-1]["message_id"] == result.message_id
    assert "Terkirim ke" in book.app.alerts[-1][0]


def test_button_with_errors_says_refused(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(excel, "open_draft", lambda p: pytest.fail("nothing to open"))
    b = standard_book(months=6)
    b.months[2][0][spec.COL_RVRO] = "sepuluh"
    path = b.write(tmp_path / "capaian.xlsm")
    book = open_book(path)
    result = sopxl.excel.kirim(book)
    assert result is not None and result.status == "ditolak"
    prompt, _title, _buttons, mode = book.app.alerts[-1]
    assert "ditolak" in prompt and mode == "critical"


LO_DRIVER = driver(r'''
import sopxl_lo

doc = desktop.loadComponentFromURL(uno.systemPathToFileUrl(args["workbook"]), "_blank", 0,
                                   (prop("Hidden", True),))
out = {}
doc.getSheets().getByName("Identitas").getCellRangeByName("Z1").setString("belum disimpan")
try:
    sopxl_lo.kirim_document(doc, args["command"], open_mail=False)
except sopxl_lo.MacroMessage as exc:
    out["unsaved"] = str(exc)
doc.setModified(False)
out["result"] = sopxl_lo.kirim_document(doc, args["command"], open_mail=False)
doc.close(True)
print(json.dumps(out))''')


def test_lo_macro_headless_drafts_the_cli_message(soffice: str, tmp_path: Path) -> None:
    import os
    import subprocess

    from test_lo_macro import MACRO_DIR, ROOT, SYSTEM_PYTHON, _sopxl_command, _system_uno

    _system_uno()
    path = _book(tmp_path, {})
    script = tmp_path / "driver.py"
    script.write_text(LO_DRIVER, encoding="utf-8")
    args = {"soffice": soffice, "workbook": str(path), "macro_dir": str(MACRO_DIR), "sopxl_root": str(ROOT),
            "command": _sopxl_command()}
    proc = subprocess.run(
        [SYSTEM_PYTHON, str(script), json.dumps(args)], capture_output=True, text=True, timeout=240,
        env={k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "PYTHONHOME")},
    )
    assert proc.returncode == 0, proc.stderr[-3000:]
    out = json.loads(proc.stdout.strip().splitlines()[-1])
    assert "belum disimpan" in out["unsaved"]
    result = out["result"]
    assert result["status"] == "draf" and result["mode"] == "draf"
    cli_draft = tmp_path / "cli.eml"
    res = CliRunner().invoke(cli, ["kirim", str(path), "--draf", str(cli_draft), "--format", "json"])
    assert res.exit_code == 0, res.output
    _same_message(parse(Path(result["eml"]).read_bytes()), parse(cli_draft.read_bytes()))


def test_cli_tanda_format_sends_without_writing_and_plans_step_6(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """`kirim --format tanda` (the LibreOffice macro's call): the file stays as it is and the
    JSON carries SOP step 6 for the open document; a draft carries no plan."""
    monkeypatch.delenv("SOPXL_SMTP_PASSWORD", raising=False)
    with smtp_server(tmp_path) as stand:
        path = _book(tmp_path, {"smtp_host": "127.0.0.1", "smtp_port": str(stand.port), "smtp_security": "none",
                                "email_from": USER})
        original = path.read_bytes()
        res = CliRunner().invoke(cli, ["kirim", str(path), "--format", "tanda"])
        assert res.exit_code == 0, res.output
        assert len(stand.received) == 1
    assert path.read_bytes() == original
    out = json.loads(res.stdout.splitlines()[0])
    assert out["status"] == "terkirim"
    cells = {c["cell"]: c for c in out["plan"]["kendali"]["cells"]}
    assert out["plan"]["kendali"]["sheet"] == spec.SHEET_KENDALI
    assert cells["G9"]["value"] == "Dikirim ke kepala.badiklat@example.go.id"
    assert "date" in cells["F9"] and out["message_id"] in cells["H9"]["value"]
    from sopxl.read.state import decode_grid

    state = decode_grid(out["plan"]["state"]["rows"])
    assert state["kiriman"][-1]["message_id"] == out["message_id"]
    draft = CliRunner().invoke(cli, ["kirim", str(path), "--draf", str(tmp_path / "d.eml"), "--format", "tanda"])
    assert draft.exit_code == 0, draft.output
    assert json.loads(draft.stdout.splitlines()[0])["plan"] is None


LO_SEND_DRIVER = driver(r'''
import sopxl_lo

doc = desktop.loadComponentFromURL(uno.systemPathToFileUrl(args["workbook"]), "_blank", 0,
                                   (prop("Hidden", True),))
out = {"result": sopxl_lo.kirim_document(doc, args["command"], open_mail=False)}
kendali = doc.getSheets().getByName("Kendali SOP")
out["status"] = kendali.getCellRangeByName("G9").getString()
out["tanggal"] = kendali.getCellRangeByName("F9").getValue()
out["modified"] = doc.isModified()
out["summary"] = sopxl_lo.kirim_summary(out["result"])
state = doc.getSheets().getByName("sopxl_state")
out["state_visible"] = state.IsVisible
out["state"] = [list(row) for row in state.getCellRangeByName("A1:B200").getDataArray()]
# what the user's Ctrl+S would write, into a copy (the test checks the original is untouched)
doc.storeToURL(uno.systemPathToFileUrl(args["saved"]), (prop("FilterName", "Calc MS Excel 2007 XML"),))
doc.close(True)
print(json.dumps(out))''')


def test_lo_macro_headless_sends_and_writes_step_6_into_the_open_document(
    soffice: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import os
    import subprocess

    from test_lo_macro import MACRO_DIR, ROOT, SYSTEM_PYTHON, _sopxl_command, _system_uno

    _system_uno()
    monkeypatch.delenv("SOPXL_SMTP_PASSWORD", raising=False)
    with smtp_server(tmp_path) as stand:
        path = _book(tmp_path, {"smtp_host": "127.0.0.1", "smtp_port": str(stand.port), "smtp_security": "none",
                                "email_from": USER})
        original = path.read_bytes()
        script = tmp_path / "driver.py"
        script.write_text(LO_SEND_DRIVER, encoding="utf-8")
        saved = tmp_path / "disimpan.xlsx"
        args = {"soffice": soffice, "workbook": str(path), "macro_dir": str(MACRO_DIR), "sopxl_root": str(ROOT),
                "command": _sopxl_command(), "saved": str(saved)}
        proc = subprocess.run(
            [SYSTEM_PYTHON, str(script), json.dumps(args)], capture_output=True, text=True, timeout=240,
            env={k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "PYTHONHOME")},
        )
        assert proc.returncode == 0, proc.stderr[-3000:]
        assert len(stand.received) == 1
    out = json.loads(proc.stdout.strip().splitlines()[-1])
    assert out["result"]["status"] == "terkirim", out
    assert out["status"] == "Dikirim ke kepala.badiklat@example.go.id"
    assert out["tanggal"] > 40000  # a date serial
    assert out["modified"] is True and "simpan (Ctrl+S)" in out["summary"]
    assert path.read_bytes() == original  # LibreOffice's file: the user saves it
    from sopxl.read.state import decode_grid

    state = decode_grid([row for row in out["state"] if row[0]])
    assert state["kiriman"][-1]["message_id"] == out["result"]["message_id"]
    assert out["state_visible"] is False
    # saved by LibreOffice, the send is in the file's state and Kendali SOP for the next command
    from sopxl.ooxml import WorkbookPackage
    from sopxl.read.state import read_state

    assert read_state(WorkbookPackage.open(saved))["kiriman"][-1]["message_id"] == out["result"]["message_id"]
    res = CliRunner().invoke(cli, ["validate", str(saved), "--no-write", "--format", "json"])
    assert res.exit_code in (0, 1), res.output
    assert not [f for f in json.loads(res.stdout)["findings"] if f["rule"].startswith("STR-")]
