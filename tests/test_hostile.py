"""Hostile and wrong input to `sopxl validate`: exit 2, an Indonesian sentence naming the
kind of problem, no traceback, and the file left byte for byte as it was."""

from __future__ import annotations

import io
import os
import re
import shutil
import stat
import struct
import subprocess
import sys
import tempfile
import time
import zipfile
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
import xlsxwriter
from click.testing import CliRunner
from wbfactory import standard_book

from sopxl.frontends.cli import cli

SHEET1 = "xl/worksheets/sheet1.xml"


@pytest.fixture(scope="module")
def good(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return standard_book().write(tmp_path_factory.mktemp("good") / "baik.xlsx")


def rezip(src: Path, dst: Path, replace: dict[str, bytes] | None = None, add: dict[str, bytes] | None = None) -> Path:
    """A copy of the package `src` with some parts replaced or added (deflated)."""
    replace = replace or {}
    with zipfile.ZipFile(src) as zin, zipfile.ZipFile(dst, "w", zipfile.ZIP_DEFLATED) as zout:
        for info in zin.infolist():
            zout.writestr(info.filename, replace.get(info.filename, zin.read(info.filename)))
        for name, data in (add or {}).items():
            zout.writestr(name, data)
    return dst


def invoke(path: Path | str) -> tuple[int, str]:
    result = CliRunner().invoke(cli, ["validate", str(path), "--no-write"])
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        raise AssertionError(f"unexpected exception {result.exception!r}\n{result.output}")
    return result.exit_code, result.output


# Words of library and OS messages (calamine, zipfile, lxml, strerror) that must not reach users.
ENGLISH_INTERNALS = re.compile(
    r"\b(?:error|invalid|signature|errno|not found|denied|no such|file name|is a directory|"
    r"not a directory|too long|zip file|cfb|ole|bad|unexpected|failed|cannot)\b",
    re.IGNORECASE,
)


def refused(path: Path | str, *words: str) -> str:
    """Run the CLI on `path`; assert the refusal contract; return the output."""
    p = Path(path)
    before = p.read_bytes() if p.is_file() and os.access(p, os.R_OK) else None
    code, output = invoke(p)
    assert code == 2, output
    assert "Traceback" not in output
    assert output.startswith("Galat: "), output
    leaks = ENGLISH_INTERNALS.findall(output)
    assert not leaks, f"English internals {leaks} in {output!r}"
    low = output.lower()
    for word in words:
        assert word.lower() in low, f"{word!r} not in {output!r}"
    if before is not None:
        assert p.read_bytes() == before
    assert not list(p.parent.glob("~$*")), "no lock or temp file left behind"
    return output


# ---- not a workbook at all ---------------------------------------------------------------


def test_random_bytes(tmp_path: Path) -> None:
    path = tmp_path / "acak.xlsx"
    path.write_bytes(bytes(range(256)) * 20)
    refused(path, "bukan buku kerja Excel", "acak.xlsx")


def test_csv_renamed(tmp_path: Path) -> None:
    path = tmp_path / "data.xlsx"
    path.write_text("Kode RO;Bulan;Target\n013.07.WA.4293.EBA.962;Januari;10\n", encoding="utf-8")
    refused(path, "CSV", "bukan buku kerja Excel")


def test_html_renamed(tmp_path: Path) -> None:
    path = tmp_path / "ekspor.xlsx"
    path.write_text("<html><body><table><tr><td>1</td></tr></table></body></html>")
    refused(path, "HTML")


def test_empty_file(tmp_path: Path) -> None:
    path = tmp_path / "kosong.xlsx"
    path.write_bytes(b"")
    refused(path, "kosong (0 byte)")


def test_missing_file(tmp_path: Path) -> None:
    refused(tmp_path / "tidak-ada.xlsx", "tidak ditemukan")


def test_directory(tmp_path: Path) -> None:
    folder = tmp_path / "folder.xlsx"
    folder.mkdir()
    refused(folder, "adalah folder")


# ---- broken packages -----------------------------------------------------------------------


def test_truncated_zip(good: Path, tmp_path: Path) -> None:
    path = tmp_path / "terpotong.xlsx"
    path.write_bytes(good.read_bytes()[: good.stat().st_size // 2])
    refused(path, "rusak atau terpotong")


def test_corrupted_member(good: Path, tmp_path: Path) -> None:
    """The zip directory is intact but a sheet's compressed data is damaged."""
    data = bytearray(good.read_bytes())
    with zipfile.ZipFile(good) as zf:
        info = zf.getinfo(SHEET1)
    # local header: 30 bytes + name + extra, then the compressed data
    name_len, extra_len = struct.unpack("<HH", data[info.header_offset + 26 : info.header_offset + 30])
    start = info.header_offset + 30 + name_len + extra_len
    for i in range(start + 10, start + min(info.compress_size, 200)):
        data[i] ^= 0x5A
    path = tmp_path / "rusak.xlsx"
    path.write_bytes(bytes(data))
    refused(path, "rusak")


def test_zip_without_workbook(tmp_path: Path) -> None:
    path = tmp_path / "arsip.xlsx"
    with zipfile.ZipFile(path, "w") as zf:
        zf.writestr("dokumen.txt", "bukan excel")
    refused(path, "arsip zip", "bukan buku kerja Excel")


def test_zip_bomb_ratio(good: Path, tmp_path: Path) -> None:
    """64 MB of blanks in a sheet part: a file of under 100 kB that expands 800-fold."""
    with zipfile.ZipFile(good) as zf:
        sheet = zf.read(SHEET1)
    bomb = sheet.replace(b"</worksheet>", b" " * (64 * 1024 * 1024) + b"</worksheet>")
    path = rezip(good, tmp_path / "bom.xlsx", {SHEET1: bomb})
    assert path.stat().st_size < 200_000
    t0 = time.perf_counter()
    refused(path, "zip bomb")
    assert time.perf_counter() - t0 < 5


def test_zip_bomb_total_size(good: Path, tmp_path: Path) -> None:
    """A central directory declaring more than the limit (1 GB) in total is refused unread."""
    path = rezip(good, tmp_path / "besar.xlsx")
    data = bytearray(path.read_bytes())
    # Patch every central-directory entry's uncompressed size to 300 MB.
    for m in re.finditer(rb"PK\x01\x02", bytes(data)):
        struct.pack_into("<I", data, m.start() + 24, 300 * 1024 * 1024)
    path.write_bytes(bytes(data))
    refused(path, "zip bomb")


def test_xml_entity_bomb(good: Path, tmp_path: Path) -> None:
    """Billion laughs in a worksheet part of an otherwise valid workbook."""
    with zipfile.ZipFile(good) as zf:
        sheet = zf.read(SHEET1)
    entities = b"".join(
        b'<!ENTITY lol%d "%s">' % (i, (b"&lol%d;" % (i - 1)) * 10) for i in range(1, 10)
    )
    doctype = b'<!DOCTYPE worksheet [<!ENTITY lol0 "lol">' + entities + b"]>"
    decl, body = sheet.split(b"?>", 1)
    body = body.replace(b"<v>", b"<v>&lol9;", 1)
    path = rezip(good, tmp_path / "lol.xlsx", {SHEET1: decl + b"?>\n" + doctype + body})
    refused(path, "entitas XML", SHEET1)


def test_xml_entity_bomb_after_long_prolog(good: Path, tmp_path: Path) -> None:
    """A DOCTYPE pushed far from the start by comments is still seen."""
    with zipfile.ZipFile(good) as zf:
        sheet = zf.read(SHEET1)
    decl, body = sheet.split(b"?>", 1)
    prolog = b"".join(b"<!-- %s -->\n" % (b"x" * 900) for _ in range(10))
    doctype = b'<!DOCTYPE worksheet [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;">]>'
    path = rezip(good, tmp_path / "lol2.xlsx", {SHEET1: decl + b"?>" + prolog + doctype + body})
    refused(path, "entitas XML")


def test_workbook_with_zero_sheets(good: Path, tmp_path: Path) -> None:
    with zipfile.ZipFile(good) as zf:
        wb = zf.read("xl/workbook.xml")
    wb = re.sub(rb"<sheets>.*</sheets>", b"<sheets/>", wb, flags=re.DOTALL)
    path = rezip(good, tmp_path / "nol.xlsx", {"xl/workbook.xml": wb})
    refused(path, "tidak memiliki lembar kerja")


def test_broken_workbook_xml(good: Path, tmp_path: Path) -> None:
    path = rezip(good, tmp_path / "wbrusak.xlsx", {"xl/workbook.xml": b"<workbook><sheets>"})
    refused(path, "rusak")


# ---- other formats ---------------------------------------------------------------------------


def test_xls_ole_header(tmp_path: Path) -> None:
    path = tmp_path / "lama.xlsx"
    path.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 504 + "Workbook".encode("utf-16-le"))
    refused(path, "Excel lama (.xls)")


def test_encrypted_workbook(good: Path, tmp_path: Path) -> None:
    """A real password-protected workbook (Agile encryption, made with msoffcrypto-tool)."""
    ooxml = pytest.importorskip("msoffcrypto.format.ooxml")
    path = tmp_path / "sandi.xlsx"
    with good.open("rb") as src, path.open("wb") as dst:
        ooxml.OOXMLFile(src).encrypt("rahasia", dst)
    assert path.read_bytes()[:8] == b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
    refused(path, "kata sandi", "terenkripsi")


def test_encrypted_detection_without_msoffcrypto(tmp_path: Path) -> None:
    """The detection only needs the OLE streams' names, as every encrypted OOXML has."""
    path = tmp_path / "sandi2.xlsx"
    names = "".join(f"{n}\0" for n in ("EncryptionInfo", "EncryptedPackage")).encode("utf-16-le")
    path.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 1016 + names)
    refused(path, "terenkripsi")


def test_xlsb_renamed(tmp_path: Path) -> None:
    path = tmp_path / "biner.xlsx"
    with zipfile.ZipFile(path, "w") as zf:
        zf.writestr("[Content_Types].xml", "<Types/>")
        zf.writestr("xl/workbook.bin", b"\x83\x01\x00")
        zf.writestr("xl/worksheets/sheet1.bin", b"\x81\x01\x00")
    refused(path, "Excel Binary (.xlsb)")


def test_ods_renamed_crafted(tmp_path: Path) -> None:
    path = tmp_path / "calc.xlsx"
    with zipfile.ZipFile(path, "w") as zf:
        zf.writestr("mimetype", "application/vnd.oasis.opendocument.spreadsheet", zipfile.ZIP_STORED)
        zf.writestr("content.xml", "<office:document-content/>")
        zf.writestr("META-INF/manifest.xml", "<manifest/>")
    refused(path, "OpenDocument (.ods)")


@pytest.mark.libreoffice
def test_ods_renamed_from_libreoffice(good: Path, lo_convert: Callable[..., Path], tmp_path: Path) -> None:
    ods = lo_convert(good, "ods")
    assert ods.suffix == ".ods"
    renamed = tmp_path / "dari-libreoffice.xlsx"
    shutil.copyfile(ods, renamed)
    refused(renamed, "OpenDocument (.ods)")


@pytest.mark.libreoffice
def test_real_xls_from_libreoffice(good: Path, lo_convert: Callable[..., Path], tmp_path: Path) -> None:
    xls = lo_convert(good, "xls:MS Excel 97")
    renamed = tmp_path / "lama-asli.xlsx"
    shutil.copyfile(xls, renamed)
    refused(renamed, "Excel lama (.xls)")


# ---- an extension that lies -----------------------------------------------------------------


@pytest.mark.parametrize("suffix", [".xls", ".XLS", ".xlsb", ".ods", ".xla"])
def test_xlsx_renamed_to_another_format(good: Path, tmp_path: Path, suffix: str) -> None:
    path = tmp_path / f"capaian-2026{suffix}"
    shutil.copyfile(good, path)
    out = refused(path)
    assert out.strip() == (
        f"Galat: Berkas 'capaian-2026{suffix}' sebenarnya buku kerja Excel 2007 atau yang lebih baru "
        f"(.xlsx), tetapi namanya berakhiran {suffix}. Ganti nama berkasnya menjadi "
        "'capaian-2026.xlsx', lalu jalankan lagi."
    )


def test_xlsm_renamed_xls_is_told_to_be_xlsm(good: Path, tmp_path: Path) -> None:
    path = rezip(good, tmp_path / "bermakro.xls", add={"xl/vbaProject.bin": b"\xd0\xcf\x11\xe0"})
    refused(path, "sebenarnya buku kerja Excel 2007", "(.xlsm)", "'bermakro.xlsm'")


def test_renamed_xlsx_still_validates_under_its_right_name(good: Path, tmp_path: Path) -> None:
    """The refusal is about the name only: renamed back as told, the same bytes are read."""
    path = tmp_path / "capaian.xls"
    shutil.copyfile(good, path)
    refused(path, "'capaian.xlsx'")
    code, output = invoke(path.rename(path.with_suffix(".xlsx")))
    assert code in (0, 1), output


def test_old_xls_named_xls_and_named_xlsx(tmp_path: Path) -> None:
    ole = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 504 + "Workbook".encode("utf-16-le")
    honest = tmp_path / "lama.xls"
    honest.write_bytes(ole)
    out = refused(honest, "Excel lama (.xls)", "simpan sebagai Excel Workbook (.xlsx)")
    assert "walau" not in out
    lying = tmp_path / "lama.xlsx"
    lying.write_bytes(ole)
    refused(lying, "berformat Excel lama (.xls), walau namanya berakhiran .xlsx")


def test_encrypted_named_xls(tmp_path: Path) -> None:
    path = tmp_path / "sandi.xls"
    names = "".join(f"{n}\0" for n in ("EncryptionInfo", "EncryptedPackage")).encode("utf-16-le")
    path.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 1016 + names)
    refused(path, "dilindungi kata sandi (terenkripsi)")


def test_not_a_workbook_named_xls(tmp_path: Path) -> None:
    binary = tmp_path / "acak.xls"
    binary.write_bytes(bytes(range(256)) * 20)
    refused(binary, "Berkas 'acak.xls' bukan buku kerja Excel")
    text = tmp_path / "data.xls"
    text.write_text("Kode RO;Bulan\n013.07.WA.4293.EBA.962;Januari\n", encoding="utf-8")
    refused(text, "bukan buku kerja Excel", "(isinya teks CSV, walau namanya berakhiran .xls)")


def test_os_refusals_are_indonesian(tmp_path: Path) -> None:
    """The operating system's reason is told in Indonesian, never as its English strerror."""
    import errno

    from sopxl.read.safety import os_reason

    code, out = invoke(tmp_path / ("n" * 300 + ".xlsx"))
    assert code == 2 and "tidak dapat dibuka: nama atau jalurnya terlalu panjang." in out
    assert not ENGLISH_INTERNALS.findall(out), out
    blocker = tmp_path / "berkas-biasa"
    blocker.write_text("x")
    refused(blocker / "capaian.xlsx", "tidak dapat dibuka: salah satu bagian jalurnya bukan folder")
    assert os_reason(OSError(errno.EIO, "Input/output error")) == "terjadi galat baca pada perangkat penyimpanan"
    assert os_reason(OSError(errno.EXDEV, "Invalid cross-device link")) == "sistem operasi menolaknya (kode galat 18)"


# ---- too big -----------------------------------------------------------------------------------


def test_million_rows_declared(tmp_path: Path) -> None:
    """A sheet with a cell in row 1,000,000 (XlsxWriter writes the dimension) is refused fast."""
    path = tmp_path / "sejuta.xlsx"
    wb = xlsxwriter.Workbook(str(path), {"constant_memory": True})
    ws = wb.add_worksheet("Januari")
    ws.write_row(0, 0, ["Kode RO", "Satuan"])
    ws.write_row(1, 0, ["013.07.WA.4293.EBA.962", "Layanan"])
    ws.write(999_999, 0, "akhir")
    wb.close()
    t0 = time.perf_counter()
    out = refused(path, "'Januari'", "1.000.000 baris", "500.000")
    assert time.perf_counter() - t0 < 2
    assert "baris, melebihi" in out


def test_million_rows_without_dimension(good: Path, tmp_path: Path) -> None:
    """Crafted XML with no <dimension>: the rows themselves are counted before loading."""
    rows = b"".join(b'<row r="%d"><c r="A%d"><v>1</v></c></row>' % (i, i) for i in range(1, 1_000_001))
    sheet = (
        b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<worksheet '
        b'xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>'
        + rows + b"</sheetData></worksheet>"
    )
    path = rezip(good, tmp_path / "sejuta2.xlsx", {"xl/worksheets/sheet5.xml": sheet})
    t0 = time.perf_counter()
    refused(path, "'Februari'", "1.000.000 baris")
    assert time.perf_counter() - t0 < 3


def test_far_column_refused(good: Path, tmp_path: Path) -> None:
    """One cell in XFD100000 would make a dense grid of 1.6 billion cells."""
    with zipfile.ZipFile(good) as zf:
        sheet = zf.read(SHEET1)
    far = b'<row r="100000"><c r="XFD100000"><v>1</v></c></row></sheetData>'
    sheet = re.sub(rb"<dimension[^>]*/>", b"", sheet).replace(b"</sheetData>", far)
    path = rezip(good, tmp_path / "lebar.xlsx", {SHEET1: sheet})
    refused(path, "'Identitas'", "terlalu luas", "XFD")


# ---- valid zip, nothing to check --------------------------------------------------------------


def test_workbook_without_standard_sheets(tmp_path: Path) -> None:
    """A valid workbook with none of the standard sheets: checked, every missing sheet named."""
    path = tmp_path / "lain.xlsx"
    wb = xlsxwriter.Workbook(str(path))
    wb.add_worksheet("Sheet1").write(0, 0, "halo")
    wb.close()
    before = path.read_bytes()
    result = CliRunner().invoke(cli, ["validate", str(path), "--no-write", "--format", "json"])
    assert result.exit_code == 1, result.output
    import json

    report = json.loads(result.output)
    missing = [f["sheet"] for f in report["findings"] if f["rule"] == "STR-SHEET"]
    assert len(missing) == 15 and missing[0] == "Identitas" and missing[-1] == "Desember"
    assert path.read_bytes() == before


# ---- permissions ---------------------------------------------------------------------------------


@pytest.fixture
def unreadable(good: Path) -> Iterator[Path]:
    """A workbook with mode 000 in a world-traversable folder."""
    folder = Path(tempfile.mkdtemp(prefix="sopxl-perm-"))
    folder.chmod(0o755)
    path = folder / "terkunci.xlsx"
    shutil.copyfile(good, path)
    path.chmod(0)
    try:
        yield path
    finally:
        path.chmod(stat.S_IRUSR | stat.S_IWUSR)
        shutil.rmtree(folder)


def _cli_cmd(*args: str) -> list[str]:
    return [sys.executable, "-c", "from sopxl.frontends.cli import main; main()", *args]


def test_no_read_permission(unreadable: Path) -> None:
    """Root reads any file, so as root the CLI runs with CAP_DAC_OVERRIDE and
    CAP_DAC_READ_SEARCH dropped (setpriv): a real permission refusal, not a simulated one."""
    if os.geteuid() != 0:
        refused(unreadable, "tidak ada izin")
        return
    setpriv = shutil.which("setpriv")
    if setpriv is None:
        pytest.skip("running as root and setpriv is absent: cannot drop the right to read")
    cmd = [setpriv, "--bounding-set", "-dac_override,-dac_read_search", "--", *_cli_cmd(
        "validate", str(unreadable), "--no-write"
    )]
    proc = subprocess.run(cmd, capture_output=True, text=True, timeout=60, cwd=str(Path(__file__).parents[1]))
    assert proc.returncode == 2, proc.stderr + proc.stdout
    assert "Traceback" not in proc.stderr
    assert proc.stderr.startswith("Galat: ")
    assert "tidak ada izin" in proc.stderr
    assert stat.S_IMODE(unreadable.stat().st_mode) == 0


# ---- as a real process ------------------------------------------------------------------------


@pytest.mark.parametrize("kind", ["csv", "truncated", "missing"])
def test_subprocess_refusals(good: Path, tmp_path: Path, kind: str) -> None:
    path = tmp_path / f"{kind}.xlsx"
    expect = {"csv": "CSV", "truncated": "rusak atau terpotong", "missing": "tidak ditemukan"}[kind]
    if kind == "csv":
        path.write_text("a,b\n1,2\n")
    elif kind == "truncated":
        path.write_bytes(good.read_bytes()[:1000])
    before = path.read_bytes() if path.exists() else None
    proc = subprocess.run(
        _cli_cmd("validate", str(path), "--no-write"),
        capture_output=True, text=True, timeout=60, cwd=str(Path(__file__).parents[1]),
    )
    assert proc.returncode == 2
    assert proc.stdout == ""
    assert proc.stderr.startswith("Galat: ") and expect in proc.stderr
    assert "Traceback" not in proc.stderr
    assert len(proc.stderr.strip().splitlines()) == 1
    if before is not None:
        assert path.read_bytes() == before


def test_library_raises_unreadable_not_other_errors(tmp_path: Path) -> None:
    """The library entry point gives UnreadableWorkbook (a SopxlError) for the same inputs."""
    from sopxl.core.errors import UnreadableWorkbook
    from sopxl.rules.validate import validate_path

    path = tmp_path / "x.xlsx"
    for content in (b"", b"PK\x03\x04garbage", io.BytesIO(b"a,b\n").getvalue()):
        path.write_bytes(content)
        with pytest.raises(UnreadableWorkbook):
            validate_path(path)
