"""The recap workbook, written whole with XlsxWriter: Rekap Satker, Rekap RO, Belum Mengirim,
Masalah and Grafik (Indonesian throughout)."""

from __future__ import annotations

import datetime as dt
import functools
import hashlib
import io
import json
import math
import re
from collections.abc import Mapping
from pathlib import Path
from typing import Any, BinaryIO

from sopxl.calc.scores import band
from sopxl.core import spec
from sopxl.core.config import Settings
from sopxl.core.errors import InvalidInput
from sopxl.ooxml.atomic import atomic_write, check_writable
from sopxl.ooxml.deflate import BIG_LEVEL, Segment, deflate_segment
from sopxl.ooxml.zipio import RawMember, members_of, write_members
from sopxl.recap.pool import Cache
from sopxl.recap.rows import NUM2_XF, RUPIAH_XF, fill_ro_rows, number_cell, text_cell
from sopxl.recap.run import (
    ADA_KESALAHAN,
    BELUM_MENGIRIM,
    SESUAI,
    TAHUN_BERBEDA,
    TIDAK_TERBACA,
    RekapResult,
    SatkerRow,
    cache_path,
    load_stored,
)

SHEET_SATKER = "Rekap Satker"
SHEET_RO = "Rekap RO"
SHEET_BELUM = "Belum Mengirim"
SHEET_MASALAH = "Masalah"
SHEET_GRAFIK = "Grafik"
SHEETS = (SHEET_SATKER, SHEET_RO, SHEET_BELUM, SHEET_MASALAH, SHEET_GRAFIK)

CHART_IKPA = "IKPA Capaian Output per Satker"
CHART_SERAPAN = "Penyerapan Anggaran dan Capaian Output per Satker (%)"

STATUS_LABEL = {
    SESUAI: "Sesuai",
    ADA_KESALAHAN: "Ada kesalahan",
    BELUM_MENGIRIM: "Belum mengirim",
    TIDAK_TERBACA: "Tidak terbaca",
    TAHUN_BERBEDA: "Tahun berbeda",
}
STATUS_FILL = {
    SESUAI: "#C6EFCE",
    ADA_KESALAHAN: "#FFC7CE",
    BELUM_MENGIRIM: "#D9D9D9",
    TIDAK_TERBACA: "#F4B183",
    TAHUN_BERBEDA: "#FFEB9C",
}
BAND_FILL = {
    "Sangat Baik": "#63BE7B",
    "Baik": "#C6EFCE",
    "Cukup": "#FFEB9C",
    "Kurang": "#FFC7CE",
    "Sangat Kurang": "#F8696B",
}

SATKER_HEADERS = (
    "Kode Satker", "Nama Satker", "Berkas", "Tahun Anggaran", "Status", "Kesalahan", "Peringatan",
    "Bulan Pelaporan", "Bulan Terlambat", "IKPA Capaian Output", "Predikat IKPA", "NKA",
    "Predikat NKA", "Penyerapan (%)", "Capaian Output (%)", "Keterangan", "SHA-256",
)
RO_HEADERS = (
    "Kode Satker", "Nama Satker", "Kode RO", "Uraian RO", "Satuan", "Target Volume",
    "Realisasi Volume Kumulatif", "Progres Capaian (%)", "Target Progres (%)", "Capaian (%)",
    "Pagu (Rp)", "Realisasi Anggaran (Rp)", "Penyerapan (%)",
)


def _months(numbers: list[int]) -> str:
    return ", ".join(spec.MONTHS[n - 1] for n in numbers if 1 <= n <= 12)


def write_recap(
    result: RekapResult, output: Path | str, settings: Settings | None = None, *, cache: bool = True
) -> Path:
    """Write the recap workbook to `output` (a new .xlsx, replaced whole, atomically).

    With `cache`, XlsxWriter's frame of the workbook (below) is kept in the recap's cache
    (`cache_path`) and taken from there while what it depends on is the same."""
    out = check_output(output)
    out.parent.mkdir(parents=True, exist_ok=True)
    check_writable(out)  # not while it is open in Excel
    frames = Cache(cache_path(out)) if cache else None
    try:
        atomic_write(out, lambda fh: _build(result, fh, settings or Settings(), frames), backup=False)
    finally:
        if frames is not None:
            frames.close()
    return out


def check_output(output: Path | str) -> Path:
    """Refuse a recap path that cannot be one (checked before the sources are read)."""
    out = Path(output)
    if out.suffix.lower() != ".xlsx":
        raise InvalidInput(f"Berkas rekap '{out.name}' harus berakhiran .xlsx.")
    if out.is_dir():
        raise InvalidInput(f"'{out}' adalah folder; beri nama berkas rekap.")
    if out.exists():
        check_writable(out)
    return out


def _build(result: RekapResult, target: BinaryIO, settings: Settings, frames: Cache | None = None) -> None:
    """The workbook: XlsxWriter's frame (each sheet's header, widths, panes, filter and print
    setup, the styles, the small sheets, the charts), with the rows of the three big sheets
    put in as XML made here (XlsxWriter's per-cell cost would dominate a recap of thousands of
    satker). The frame depends on a few counts and the two small lists only: a re-run whose
    are the same takes it from the cache and does without XlsxWriter."""
    scored = [s for s in result.satker if s.ikpa is not None]
    ro_count = sum(s.ro_count() for s in result.satker)
    key = _frame_key(result, ro_count, len(scored))
    kept = frames.frame(key) if frames is not None else None
    if kept is not None:
        package, styles = kept
        members = _dated_now(members_of(package))
    else:
        package, styles = _frame(result, ro_count, len(scored))
        if frames is not None:
            frames.keep_frame(key, package, styles)
        members = members_of(package)
    num2 = styles["num2"]
    satker_xml = _satker_rows(result, settings, num2, styles["status"], styles["band"], styles["band_text"])
    chart_xml = _chart_rows(scored, num2)
    rows_of = {
        SHEETS.index(SHEET_SATKER) + 1: ([deflate_segment(satker_xml, BIG_LEVEL)], 1 + len(result.satker)),
        SHEETS.index(SHEET_RO) + 1: _ro_segments(result, frames),
        SHEETS.index(SHEET_GRAFIK) + 1: ([deflate_segment(chart_xml, BIG_LEVEL)], 3 + len(scored)),
    }
    write_members(target, _with_rows(members, rows_of))


def _frame_key(result: RekapResult, ro_count: int, scored: int) -> str:
    """Everything the frame depends on: this module's code, the counts that size the
    filters and charts, the title and the two small sheets' rows."""
    return json.dumps(
        [_code_mark(), result.periode, result.tahun, len(result.satker), ro_count, scored,
         result.belum_mengirim, result.masalah],
        ensure_ascii=False, sort_keys=True,
    )


@functools.cache
def _code_mark() -> str:
    """The version of this module and of the rows it writes: a changed frame or row is never
    taken from an older cache."""
    from sopxl import __version__
    from sopxl.recap import rows

    digest = hashlib.sha256(Path(__file__).read_bytes())
    digest.update(Path(rows.__file__).read_bytes())
    return f"{__version__}:{digest.hexdigest()[:16]}:{SEGMENT_LEVEL}"


def _dated_now(members: list[RawMember]) -> list[RawMember]:
    """A kept frame's members with the document's creation and modification times of now."""
    now = dt.datetime.now(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ").encode()
    out = []
    for m in members:
        if m.name == "docProps/core.xml":
            xml = _CORE_TIMES.sub(lambda g: g.group(1) + now + g.group(2), m.data())
            m = RawMember.from_data(m.name, xml, m.date_time)
        out.append(m)
    return out


_CORE_TIMES = re.compile(rb"(<dcterms:(?:created|modified)\b[^>]*>)[^<]*(</dcterms:)")


def _frame(result: RekapResult, ro_count: int, scored: int) -> tuple[bytes, dict[str, Any]]:
    """XlsxWriter's package of the recap without the big sheets' rows, and the style indices
    those rows use."""
    import xlsxwriter

    buffer = io.BytesIO()
    wb = xlsxwriter.Workbook(buffer, {"nan_inf_to_errors": True, "in_memory": True})
    num2 = wb.add_format({"num_format": "0.00"})
    rupiah = wb.add_format({"num_format": "#,##0"})
    xf = _XfIndex()
    # first, so they get the indices the cached Rekap RO rows were made with
    if (xf(num2), xf(rupiah)) != (NUM2_XF, RUPIAH_XF):
        raise RuntimeError("XlsxWriter numbered the recap's number formats differently")
    head = wb.add_format({"bold": True, "bg_color": "#1F4E78", "font_color": "#FFFFFF", "text_wrap": True,
                          "valign": "top", "border": 1})
    title = wb.add_format({"bold": True, "font_size": 13})
    status_fmt = {k: wb.add_format({"bg_color": v}) for k, v in STATUS_FILL.items()}
    band_fmt = {k: wb.add_format({"bg_color": v, "num_format": "0.00"}) for k, v in BAND_FILL.items()}
    band_text = {k: wb.add_format({"bg_color": v}) for k, v in BAND_FILL.items()}
    periode_name = spec.PERIODS[result.periode][0]

    # --- Rekap Satker ------------------------------------------------------------------------
    ws = wb.add_worksheet(SHEET_SATKER)
    ws.write_row(0, 0, SATKER_HEADERS, head)
    ws.set_row(0, 30)
    ws.freeze_panes(1, 2)
    ws.autofilter(0, 0, max(len(result.satker), 1), len(SATKER_HEADERS) - 1)
    for col, width in enumerate((12, 36, 40, 9, 15, 10, 10, 12, 22, 11, 12, 9, 13, 12, 12, 40, 20)):
        ws.set_column(col, col, width)
    styles: dict[str, Any] = {
        "num2": xf(num2),
        "status": {k: xf(f) for k, f in status_fmt.items()},
        "band": {k: xf(f) for k, f in band_fmt.items()},
        "band_text": {k: xf(f) for k, f in band_text.items()},
    }

    # --- Rekap RO ----------------------------------------------------------------------------
    wr = wb.add_worksheet(SHEET_RO)
    wr.write_row(0, 0, RO_HEADERS, head)
    wr.set_row(0, 30)
    wr.freeze_panes(1, 3)
    wr.autofilter(0, 0, max(ro_count, 1), len(RO_HEADERS) - 1)
    for col, width in enumerate((12, 30, 26, 40, 10, 10, 12, 11, 11, 11, 16, 16, 11)):
        wr.set_column(col, col, width)
    # --- Belum Mengirim ----------------------------------------------------------------------
    wbm = wb.add_worksheet(SHEET_BELUM)
    wbm.write_row(0, 0, ("Kode Satker", "Nama Satker"), head)
    for i, item in enumerate(result.belum_mengirim, start=1):
        wbm.write_string(i, 0, item["kode"])
        wbm.write_string(i, 1, item["nama"])
    wbm.freeze_panes(1, 0)
    wbm.set_column(0, 0, 12)
    wbm.set_column(1, 1, 50)

    # --- Masalah -----------------------------------------------------------------------------
    wm = wb.add_worksheet(SHEET_MASALAH)
    wm.write_row(0, 0, ("Berkas", "Alasan"), head)
    wrap = wb.add_format({"text_wrap": True, "valign": "top"})
    for i, item in enumerate(result.masalah, start=1):
        wm.write_string(i, 0, item["file"], wrap)
        wm.write_string(i, 1, item["alasan"], wrap)
    wm.freeze_panes(1, 0)
    wm.set_column(0, 0, 50)
    wm.set_column(1, 1, 90)

    # --- Grafik ------------------------------------------------------------------------------
    wg = wb.add_worksheet(SHEET_GRAFIK)
    wg.write_string(0, 0, f"Grafik Rekap {periode_name} {result.tahun or ''}".strip(), title)
    # the charts read a small table of their own on this sheet (label, IKPA, serapan, capaian)
    wg.write_row(2, 0, ("Satker", "IKPA", "Penyerapan (%)", "Capaian Output (%)"), head)
    first, last = 3, 3 + max(scored, 1) - 1
    wg.set_column(0, 0, 40)
    wg.set_column(1, 3, 14)
    height = max(320, 22 * scored + 120)
    ikpa = wb.add_chart({"type": "bar"})
    ikpa.add_series({
        "name": "IKPA Capaian Output",
        "categories": [SHEET_GRAFIK, first, 0, last, 0],
        "values": [SHEET_GRAFIK, first, 1, last, 1],
        "fill": {"color": "#2E75B6"},
        "data_labels": {"value": True, "num_format": "0.00"},
    })
    ikpa.set_title({"name": CHART_IKPA})
    ikpa.set_x_axis({"min": 0, "max": 100, "name": "Nilai"})
    ikpa.set_y_axis({"reverse": True})
    ikpa.set_legend({"none": True})
    ikpa.set_size({"width": 720, "height": height})
    wg.insert_chart(2, 5, ikpa)
    serapan = wb.add_chart({"type": "column"})
    for col, name, color in ((2, "Penyerapan (%)", "#ED7D31"), (3, "Capaian Output (%)", "#70AD47")):
        serapan.add_series({
            "name": name,
            "categories": [SHEET_GRAFIK, first, 0, last, 0],
            "values": [SHEET_GRAFIK, first, col, last, col],
            "fill": {"color": color},
        })
    serapan.set_title({"name": CHART_SERAPAN})
    serapan.set_y_axis({"min": 0, "name": "%"})
    serapan.set_legend({"position": "bottom"})
    serapan.set_size({"width": 720, "height": 400})
    wg.insert_chart(2 + int(height / 20) + 2, 5, serapan)
    wg.set_landscape()
    wg.fit_to_pages(1, 0)
    wb.close()
    return buffer.getvalue(), styles


class _XfIndex:
    """The cell style index XlsxWriter gives a format (given on first use, as when a cell is
    written with it, so the format is in the workbook's styles)."""

    def __call__(self, fmt: Any) -> int:
        return int(fmt._get_xf_index())


# Rekap RO's rows are kept compressed per satker, so zlib's level of an ordinary part costs
# only the first recap (about 0.1 s per 1,000 satker) and the sheet is no bigger than one
# stream compressed fast would be (benchmarks/README.md).
SEGMENT_LEVEL = 6


def _ro_segments(result: RekapResult, frames: Cache | None) -> tuple[list[Segment], int]:
    """Rekap RO from row 2 on as compressed segments, one per satker, and the last row's number.

    A satker's rows depend on its result, its first row and its name only: rows written
    before at the same place under the same name are taken from the cache (`frames`) as they
    were compressed, so a re-run after a few files changed numbers and compresses only those
    (and any satker whose rows moved)."""
    placed: list[tuple[SatkerRow, int]] = []
    r = 2
    for s in result.satker:
        n = s.ro_count()
        if n:
            placed.append((s, r))
            r += n
    mark = _code_mark()
    kept: dict[tuple[str, str], tuple[int, str, Segment]] = {}
    if frames is not None:
        by_context: dict[str, list[str]] = {}
        for s, _ in placed:
            if s.sha256 and s.stored is not None:
                by_context.setdefault(s.stored.konteks, []).append(s.sha256)
        for context, shas in by_context.items():  # one context in a recap
            for sha, found in frames.segments(shas, context, mark).items():
                kept[(sha, context)] = found
    segments: list[Segment | None] = []
    todo: list[tuple[int, SatkerRow, int]] = []
    for s, first in placed:
        hit = kept.get((s.sha256, s.stored.konteks)) if s.sha256 and s.stored is not None else None
        if hit is not None and hit[:2] == (first, s.nama or ""):
            segments.append(hit[2])
        else:
            todo.append((len(segments), s, first))
            segments.append(None)
    load_stored(s for _, s, _ in todo if s.ro_xml is None)  # the others' templates, in one read
    level = SEGMENT_LEVEL if frames is not None else BIG_LEVEL
    new: list[tuple[str, str, str, int, str, Segment]] = []
    for at, s, first in todo:
        xml, after = fill_ro_rows(s.ro_template(), first, s.nama)
        if after != first + s.ro_count():
            raise RuntimeError(f"Rekap RO rows of satker {s.kode} do not match its count of ROs")
        segments[at] = seg = deflate_segment(xml, level)
        if s.sha256 and s.stored is not None:
            new.append((s.sha256, s.stored.konteks, mark, first, s.nama or "", seg))
    if frames is not None:
        frames.keep_segments(new)
    return [seg for seg in segments if seg is not None], r - 1


def _satker_rows(
    result: RekapResult,
    settings: Settings,
    num2: int,
    status_xf: Mapping[str, int],
    band_xf: Mapping[str, int],
    band_text_xf: Mapping[str, int],
) -> bytes:
    """Rekap Satker from row 2 on, a row per satker (status and score bands in colour): text
    as text, numbers as numbers, an empty value as no cell."""
    parts: list[str] = []
    add = parts.append
    months = spec.MONTHS
    ikpa_bands, nka_bands = settings.ikpa_bands, settings.nka_bands
    status_style = {k: str(v) for k, v in status_xf.items()}
    band_text_style = {k: str(v) for k, v in band_text_xf.items()}
    isfinite = math.isfinite

    for r, s in enumerate(result.satker, start=2):
        add(f'<row r="{r}">')
        if s.kode:
            add(text_cell("A", s.kode, row=r))
        if s.nama:
            add(text_cell("B", s.nama, row=r))
        if s.file:
            add(text_cell("C", s.file, row=r))
        if s.tahun is not None:
            add(number_cell("D", s.tahun, row=r))
        add(text_cell("E", STATUS_LABEL.get(s.status, s.status), status_style.get(s.status, ""), row=r))
        add(number_cell("F", s.errors, row=r))
        add(number_cell("G", s.warnings, row=r))
        if s.bulan_pelaporan:
            add(text_cell("H", months[s.bulan_pelaporan - 1], row=r))
        if s.bulan_terlambat:
            add(text_cell("I", _months(s.bulan_terlambat), row=r))
        for letter, label_letter, score, bands in (("J", "K", s.ikpa, ikpa_bands), ("L", "M", s.nka, nka_bands)):
            if score is not None:
                label = band(score, bands)
                if isfinite(score):
                    add(number_cell(letter, score, band_xf.get(label, num2), row=r))
                add(text_cell(label_letter, label, band_text_style.get(label, ""), row=r))
        for letter, value in (("N", s.penyerapan_persen), ("O", s.capaian_persen)):
            if value is not None and isfinite(value):
                add(number_cell(letter, value, num2, row=r))
        if s.alasan:
            add(text_cell("P", s.alasan, row=r))
        if s.sha256:
            add(text_cell("Q", s.sha256, row=r))
        add("</row>")
    return "".join(parts).encode("utf-8")


def _chart_rows(scored: list[SatkerRow], num2: int) -> bytes:
    """The charts' table on Grafik from row 4 on: satker, IKPA, penyerapan, capaian."""
    parts: list[str] = []
    for r, s in enumerate(scored, start=4):
        label = f"{s.kode} {s.nama or ''}".strip()
        parts.append(
            f'<row r="{r}">{text_cell("A", label, row=r) if label else ""}'
            f'{number_cell("B", s.ikpa or 0.0, num2, row=r)}'
            f'{number_cell("C", s.penyerapan_persen or 0.0, num2, row=r)}'
            f'{number_cell("D", s.capaian_persen or 0.0, num2, row=r)}</row>'
        )
    return "".join(parts).encode("utf-8")


def _with_rows(members: list[RawMember], rows_of: Mapping[int, tuple[list[Segment], int]]) -> list[RawMember]:
    """The package's members with worksheet n's rows `rows_of[n]` (compressed segments of XML
    rows, and the last row's number) put at the end of its sheetData, its dimension widened to
    them."""
    out: list[RawMember] = []
    for m in members:
        match = _SHEET_PART.fullmatch(m.name)
        segments, last = rows_of.get(int(match.group(1)), ([], 0)) if match else ([], 0)
        segments = [seg for seg in segments if seg.size]
        if not segments:
            out.append(m)
            continue
        xml = m.data()
        end = xml.index(b"</sheetData>")
        head, tail = xml[:end], xml[end:]
        dim = re.search(rb'<dimension ref="[A-Z]+\d+(?::([A-Z]+)\d+)?"/>', head)
        if dim is not None and last:
            width = dim.group(1) or b"A"
            head = head[: dim.start()] + b'<dimension ref="A1:%s%d"/>' % (width, last) + head[dim.end() :]
        out.append(
            RawMember.from_segments(m.name, [deflate_segment(head), *segments], tail, m.date_time)
        )
    return out


_SHEET_PART = re.compile(r"xl/worksheets/sheet(\d+)\.xml")


__all__ = ["CHART_IKPA", "CHART_SERAPAN", "SHEETS", "check_output", "write_recap"]
