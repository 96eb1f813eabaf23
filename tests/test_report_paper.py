"""The semester and annual reports on paper: LibreOffice renders them to PDF (and pdftoppm to
PNG); the pages are counted, no text is smaller than 8 pt, and a section's table header
appears only over its own table (never over the charts or the sign-off page)."""

from __future__ import annotations

import datetime as dt
import math
import re
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

from sopxl.build.samples import build_sample
from sopxl.calc.report_layout import RO_COLUMNS
from sopxl.report.consolidate import consolidate
from sopxl.report.libreoffice import convert, find_soffice

pdfminer = pytest.importorskip("pdfminer", reason="pdfminer.six (dev extras) reads the PDF's text sizes")
from pdfminer.high_level import extract_pages  # noqa: E402
from pdfminer.layout import LTChar, LTPage  # noqa: E402

pytestmark = pytest.mark.libreoffice


def _chars(node: object) -> Iterator[LTChar]:
    if isinstance(node, LTChar):
        yield node
    elif hasattr(node, "__iter__"):
        for child in node:  # type: ignore[attr-defined]
            yield from _chars(child)


def printed_size(ch: LTChar) -> float:
    """The font size of `ch` on paper, also for rotated text (an axis' labels): the text-space
    box (0, d)-(adv, d + size) is mapped by the matrix; undo that mapping's rotation."""
    a, b, c, d, _e, _f = ch.matrix
    scale = math.hypot(c, d)
    if abs(d) >= abs(c):
        return (ch.height - abs(b) * ch.adv) * scale / abs(d)
    return (ch.width - abs(a) * ch.adv) * scale / abs(c)


def page_texts(pdf: Path) -> list[tuple[str, float]]:
    """(text, smallest printed size) per page."""
    pages = []
    for page in extract_pages(str(pdf)):
        assert isinstance(page, LTPage)
        chars = [ch for ch in _chars(page) if ch.get_text().strip()]
        text = "".join(ch.get_text() for ch in chars)
        pages.append((text, min((printed_size(ch) for ch in chars), default=99.0)))
    return pages


@pytest.fixture(scope="module")
def reports(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    if find_soffice() is None or shutil.which("pdftoppm") is None:
        pytest.skip("LibreOffice and pdftoppm are needed")
    tmp = tmp_path_factory.mktemp("paper")
    workbook = tmp / "contoh.xlsx"
    build_sample(workbook, months=12, today=dt.date(2027, 3, 1))
    out: dict[str, Path] = {}
    for periode in ("semester1", "tahunan"):
        xlsx = tmp / f"{periode}.xlsx"
        consolidate(workbook, periode, write=False, output=xlsx,
                    run_overrides={"today": "2027-03-01"})
        out[periode] = convert(xlsx, "pdf", tmp)
    return out


@pytest.mark.parametrize("periode", ["semester1", "tahunan"])
def test_report_pages_are_readable(reports: dict[str, Path], periode: str, tmp_path: Path) -> None:
    pdf = reports[periode]
    pages = page_texts(pdf)
    # title with table A over two pages, B and C, the charts, the narratives and sign-offs
    assert 4 <= len(pages) <= 7, len(pages)
    for number, (_text, smallest) in enumerate(pages, start=1):
        assert smallest >= 7.95, f"page {number}: text of {smallest:.2f} pt"
    subprocess.run(["pdftoppm", "-r", "30", "-png", str(pdf), str(tmp_path / "p")], check=True)
    assert len(list(tmp_path.glob("p*.png"))) == len(pages)


def squeeze(text: str) -> str:
    return "".join(text.split())


@pytest.mark.parametrize("periode", ["semester1", "tahunan"])
def test_section_headers_only_over_their_own_table(reports: dict[str, Path], periode: str) -> None:
    pages = [squeeze(text) for text, _s in page_texts(reports[periode])]
    ro_header = [squeeze(label) for label, _attr in RO_COLUMNS if label not in ("No",)]
    charts = next(i for i, text in enumerate(pages) if "D.GRAFIK" in text)
    signoff = next(i for i, text in enumerate(pages) if "F.PENGESAHAN" in text)
    assert signoff > charts
    for i in (charts, signoff):
        assert not any(h in pages[i] for h in ("KodeRO", "Penyerapan(%)", "TargetVolume", "DeviasiKumulatif(%)")), pages[i][:300]
    # the per-RO table's header heads every page holding RO rows (the table goes on over pages)
    ro_pages = [text for text in pages[:charts] if re.search(r"(?<!RO)013\.07\.", text)]
    assert len(ro_pages) >= 2
    for text in ro_pages:
        assert all(h in text for h in ro_header), text[:300]
        first_row = re.search(r"(?<!RO)013\.07\.", text)
        assert first_row is not None and text.index("KodeRO") < first_row.start()


def test_section_b_headers_are_whole(reports: dict[str, Path]) -> None:
    text = squeeze("".join(t for t, _s in page_texts(reports["tahunan"])))
    for header in ("Rata-rataProgresCapaian(%)", "IKPA:KetepatanWaktu", "IKPACapaianOutput", "RPDKumulatif(Rp)"):
        assert header in text, header
