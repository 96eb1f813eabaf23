"""The LibreOffice macro run with no Calc document open says so in Indonesian (a message box)
instead of silently doing nothing."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from test_lo_macro import MACRO_DIR, SYSTEM_PYTHON, _system_uno
from uno_driver import driver

DRIVER = driver(r'''
url = "vnd.sun.star.script:sopxl_lo.py$validasi?language=Python&location=user"
smgr = ctx.ServiceManager
# no document at all: the user's macro library, as from the Start Center
factory = smgr.createInstanceWithContext("com.sun.star.script.provider.MasterScriptProviderFactory", ctx)
factory.createScriptProvider("").getScript(url).invoke((), (), ())
print(json.dumps({"ok": True}))''')


def _macro_module() -> Any:
    sys.path.insert(0, str(MACRO_DIR))
    try:
        import sopxl_lo
    finally:
        sys.path.remove(str(MACRO_DIR))
    return sopxl_lo


class _Desktop:  # UNO method names below
    def getCurrentFrame(self) -> None:
        return None


class _Context:
    def __init__(self, doc: object) -> None:
        self.doc = doc

    def getDocument(self) -> object:
        return self.doc

    def getDesktop(self) -> _Desktop:
        return _Desktop()


class _WriterDocument:
    """Has no getSheets: not a spreadsheet."""


@pytest.mark.parametrize("doc", [None, _WriterDocument()])
def test_no_calc_document_gives_a_message(
    doc: object, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    sopxl_lo = _macro_module()
    log = tmp_path / "pesan.txt"
    monkeypatch.setenv("SOPXL_LO_LOG", str(log))
    monkeypatch.setattr(sopxl_lo, "XSCRIPTCONTEXT", _Context(doc), raising=False)
    called: list[object] = []
    monkeypatch.setattr(sopxl_lo, "validate_document", lambda *a: called.append(a))
    sopxl_lo.validasi()
    assert not called, "nothing is validated"
    assert log.read_text(encoding="utf-8") == sopxl_lo.NO_DOCUMENT + "\n---\n"
    assert sopxl_lo.NO_DOCUMENT.startswith("Tidak ada buku kerja LibreOffice Calc yang sedang dibuka")
    assert "My Macros > sopxl_lo > validasi" in sopxl_lo.NO_DOCUMENT
    # outside LibreOffice there is no window: the text still reaches the user
    assert sopxl_lo.NO_DOCUMENT in capsys.readouterr().err


@pytest.mark.libreoffice
def test_installed_macro_without_a_calc_document(soffice: str, tmp_path: Path) -> None:
    """LibreOffice itself runs the installed `validasi` with no document open."""
    _system_uno()
    from sopxl.frontends.cli.lo_cmd import install

    profile = tmp_path / "profile"
    install(profile / "user")
    script = tmp_path / "driver.py"
    script.write_text(DRIVER, encoding="utf-8")
    log = tmp_path / "pesan.txt"
    args = {"soffice": soffice, "profile": str(profile), "log": str(log)}
    proc = subprocess.run(
        [SYSTEM_PYTHON, str(script), json.dumps(args)],
        capture_output=True,
        text=True,
        timeout=240,
        env={k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "PYTHONHOME")},
    )
    assert proc.returncode == 0, proc.stderr[-3000:]
    assert json.loads(proc.stdout.strip().splitlines()[-1]) == {"ok": True}
    assert log.read_text(encoding="utf-8") == _macro_module().NO_DOCUMENT + "\n---\n"
