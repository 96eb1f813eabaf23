"""Texts users read: exact suggestions, and the user guide agreeing with what the tools print."""

from __future__ import annotations

from pathlib import Path

from wbfactory import standard_book

from sopxl.core import spec
from sopxl.core.config import Settings
from sopxl.read.workbook import read_workbook
from sopxl.rules.base import run_rules

ROOT = Path(__file__).resolve().parents[1]
PANDUAN = ROOT / "docs" / "panduan.md"


def _satker_suggestion(value: object, tmp_path: Path) -> str | None:
    book = standard_book()
    book.identitas[spec.ID_KODE_SATKER] = value
    data = read_workbook(book.write(tmp_path / "satker.xlsx"))
    (finding,) = run_rules(data, Settings(today="2026-06-15"), only=["ID-SATKER"])
    return finding.suggestion


def test_kode_satker_suggestion_has_no_stray_quote(tmp_path: Path) -> None:
    assert _satker_suggestion("41172", tmp_path) == "Isi Kode Satker dengan tepat 6 digit angka, mis. 411724."
    # the text-prefix apostrophe stays where the suggestion explains it
    assert _satker_suggestion(11724, tmp_path) == "Tulis sebagai teks: '011724 (awali dengan tanda petik)."


def test_guide_quotes_the_consolidation_refusal_as_printed(tmp_path: Path) -> None:
    """The guide promised a `Ditolak:` prefix the CLI never prints: it quotes the real start."""
    from click.testing import CliRunner

    from sopxl.frontends.cli import cli

    book = standard_book(months=3)
    book.identitas[spec.ID_KODE_SATKER] = "4117"
    path = book.write(tmp_path / "capaian.xlsx")
    res = CliRunner().invoke(cli, ["consolidate", str(path), "--periode", "semester1", "--no-write"])
    assert res.exit_code == 1
    printed = res.stderr.strip()
    assert printed.startswith("Konsolidasi Laporan Semester I ditolak: data 'capaian.xlsx' masih memiliki ")
    guide = PANDUAN.read_text(encoding="utf-8")
    assert "Ditolak:" not in guide
    assert "pesan `Konsolidasi Laporan Semester I ditolak: data\n'…' masih memiliki N kesalahan (…)`" in guide
    assert "| `Konsolidasi Laporan … ditolak: data '…' masih memiliki N kesalahan (…)` |" in guide
    assert "Pesan **`Konsolidasi Laporan … ditolak: …`**" in guide


def test_guide_names_both_lock_files_and_the_debian_package() -> None:
    from sopxl.ooxml.atomic import lock_files

    guide = PANDUAN.read_text(encoding="utf-8")
    locks = [p.name for p in lock_files(Path("nama.xlsx"))]
    assert "~$nama.xlsx" in locks and ".~lock.nama.xlsx#" in locks
    assert "`~$nama.xlsx` (Excel) atau `.~lock.nama.xlsx#` (LibreOffice)" in guide
    assert "sudo apt install libreoffice-script-provider-python" in guide
    assert "Debian/Ubuntu" in guide
