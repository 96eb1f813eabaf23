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
