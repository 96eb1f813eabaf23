"""LibreOffice headless as a converter: xlsx -> pdf/xlsx, with a private profile per run."""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from pathlib import Path

from sopxl.core.errors import SopxlError

# Profile setting that makes LibreOffice recalculate every formula on load (0 = always).
_RECALC_XCU = """<?xml version="1.0" encoding="UTF-8"?>
<oor:items xmlns:oor="http://openoffice.org/2001/registry" xmlns:xs="http://www.w3.org/2001/XMLSchema" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">
<item oor:path="/org.openoffice.Office.Calc/Formula/Load"><prop oor:name="OOXMLRecalcMode" oor:op="fuse"><value>0</value></prop></item>
<item oor:path="/org.openoffice.Office.Calc/Formula/Load"><prop oor:name="ODFRecalcMode" oor:op="fuse"><value>0</value></prop></item>
</oor:items>
"""


def find_soffice() -> str | None:
    """Path of the LibreOffice binary, or None when it is not installed."""
    for name in ("soffice", "libreoffice"):
        found = shutil.which(name)
        if found:
            return found
    for candidate in ("/usr/bin/soffice", "/usr/lib/libreoffice/program/soffice",
                      "/Applications/LibreOffice.app/Contents/MacOS/soffice",
                      r"C:\Program Files\LibreOffice\program\soffice.exe"):
        if Path(candidate).exists():
            return candidate
    return None


def require_soffice() -> str:
    """The LibreOffice binary; SopxlError (Indonesian) when it is not installed."""
    soffice = find_soffice()
    if soffice is None:
        raise SopxlError(
            "LibreOffice tidak terpasang, jadi PDF tidak dapat dibuat. Pasang LibreOffice "
            "(https://www.libreoffice.org) lalu jalankan lagi."
        )
    return soffice


def make_profile(folder: Path, recalc: bool = True) -> str:
    """A fresh user profile (as a file URL) in `folder`, set to recalculate on load."""
    user = folder / "user"
    user.mkdir(parents=True, exist_ok=True)
    if recalc:
        (user / "registrymodifications.xcu").write_text(_RECALC_XCU, encoding="utf-8")
    return folder.resolve().as_uri()


def convert(
    source: Path,
    fmt: str,
    outdir: Path,
    *,
    recalc: bool = True,
    timeout: float = 180.0,
) -> Path:
    """Convert `source` with LibreOffice headless (fmt: 'pdf', 'xlsx', 'calc_pdf_Export', ...).

    Returns the written file. Raises SopxlError (Indonesian) when LibreOffice is absent or fails.
    """
    soffice = require_soffice()
    outdir.mkdir(parents=True, exist_ok=True)
    ext = fmt.split(":", 1)[0]
    with tempfile.TemporaryDirectory(prefix="sopxl-lo-") as tmp:
        profile = make_profile(Path(tmp), recalc=recalc)
        env = {**os.environ, "HOME": tmp}
        cmd = [
            soffice,
            f"-env:UserInstallation={profile}",
            "--headless",
            "--norestore",
            "--nolockcheck",
            "--convert-to",
            fmt,
            "--outdir",
            str(outdir),
            str(source),
        ]
        try:
            proc = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout, env=env)
        except subprocess.TimeoutExpired:
            raise SopxlError(f"LibreOffice tidak selesai mengonversi '{source.name}' dalam {timeout:.0f} detik.") from None
    target = outdir / (source.stem + "." + ext)
    if proc.returncode != 0 or not target.exists():
        raise SopxlError(
            f"LibreOffice gagal mengonversi '{source.name}' ke {ext.upper()}: "
            f"{(proc.stderr or proc.stdout).strip()[:300]}"
        )
    return target
