"""The recap workbook, written whole with XlsxWriter: Rekap Satker, Rekap RO, Belum Mengirim,
Masalah and Grafik (Indonesian throughout)."""

from __future__ import annotations

import io
import math
import re
import zipfile
from pathlib import Path
from typing import Any, BinaryIO

from sopxl.calc.scores import band
from sopxl.core import spec
from sopxl.core.config import Settings
from sopxl.core.errors import InvalidInput
from sopxl.ooxml.atomic import atomic_write, check_writable
from sopxl.ooxml.cells import clip_text
from sopxl.ooxml.xmltext import xml_text
from sopxl.recap.rekap import (
    ADA_KESALAHAN,
    BELUM_MENGIRIM,
    SESUAI,
    TAHUN_BERBEDA,
    TIDAK_TERBACA,
    RekapResult,
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


def write_recap(result: RekapResult, output: Path | str, settings: Settings | None = None) -> Path:
    """Write the recap workbook to `output` (a new .xlsx, replaced whole, atomically)."""
    out = check_output(output)
    out.parent.mkdir(parents=True, exist_ok=True)
    check_writable(out)  # not while it is open in Excel
    atomic_write(out, lambda fh: _build(result, fh, settings or Settings()), backup=False)
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


def _build(result: RekapResult, target: BinaryIO, settings: Settings) -> None:
    import xlsxwriter

    buffer = io.BytesIO()
    wb = xlsxwriter.Workbook(buffer, {"nan_inf_to_errors": True, "constant_memory": True})
    head = wb.add_format({"bold": True, "bg_color": "#1F4E78", "font_color": "#FFFFFF", "text_wrap": True,
                          "valign": "top", "border": 1})
    title = wb.add_format({"bold": True, "font_size": 13})
    num2 = wb.add_format({"num_format": "0.00"})
    rupiah = wb.add_format({"num_format": "#,##0"})
    status_fmt = {k: wb.add_format({"bg_color": v}) for k, v in STATUS_FILL.items()}
    band_fmt = {k: wb.add_format({"bg_color": v, "num_format": "0.00"}) for k, v in BAND_FILL.items()}
    band_text = {k: wb.add_format({"bg_color": v}) for k, v in BAND_FILL.items()}
    periode_name = spec.PERIODS[result.periode][0]

    # --- Rekap Satker -------------------------------------------------------------------------
    ws = wb.add_worksheet(SHEET_SATKER)
    ws.write_row(0, 0, SATKER_HEADERS, head)
    ws.set_row(0, 30)
    for r, s in enumerate(result.satker, start=1):
        ws.write_string(r, 0, s.kode)
        ws.write_string(r, 1, s.nama or "")
        ws.write_string(r, 2, s.file or "")
        _write_opt(ws, r, 3, s.tahun)
        ws.write_string(r, 4, STATUS_LABEL.get(s.status, s.status), status_fmt.get(s.status))
        ws.write_number(r, 5, s.errors)
        ws.write_number(r, 6, s.warnings)
        ws.write_string(r, 7, spec.MONTHS[s.bulan_pelaporan - 1] if s.bulan_pelaporan else "")
        ws.write_string(r, 8, _months(s.bulan_terlambat))
        for col, value, bands in ((9, s.ikpa, settings.ikpa_bands), (11, s.nka, settings.nka_bands)):
            if value is None:
                continue
            label = band(value, bands)
            ws.write_number(r, col, value, band_fmt.get(label, num2))
            ws.write_string(r, col + 1, label, band_text.get(label))
        _write_opt(ws, r, 13, s.penyerapan_persen, num2)
        _write_opt(ws, r, 14, s.capaian_persen, num2)
        ws.write_string(r, 15, s.alasan or "")
        ws.write_string(r, 16, s.sha256 or "")
    ws.freeze_panes(1, 2)
    ws.autofilter(0, 0, max(len(result.satker), 1), len(SATKER_HEADERS) - 1)
    for col, width in enumerate((12, 36, 40, 9, 15, 10, 10, 12, 22, 11, 12, 9, 13, 12, 12, 40, 20)):
        ws.set_column(col, col, width)

    # --- Rekap RO ----------------------------------------------------------------------------
    wr = wb.add_worksheet(SHEET_RO)
    wr.write_row(0, 0, RO_HEADERS, head)
    wr.set_row(0, 30)
    ro_rows = [_ro_values(s.kode, s.nama, ro) for s in result.satker for ro in s.ro]
    if ro_rows:
        # XlsxWriter writes the first row, with its formats; the others are appended to the
        # sheet's XML in the same styles by _append_rows (XlsxWriter's per-cell cost would
        # dominate a recap of thousands of satker)
        for col, value in enumerate(ro_rows[0]):
            if isinstance(value, str):
                wr.write_string(1, col, value)
            else:
                fmt = num2 if col in (7, 8, 9, 12) else rupiah if col in (10, 11) else None
                _write_opt(wr, 1, col, value, fmt)
    wr.freeze_panes(1, 3)
    wr.autofilter(0, 0, max(len(ro_rows), 1), len(RO_HEADERS) - 1)
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
    scored = [s for s in result.satker if s.ikpa is not None]
    # the charts read a small table of their own on this sheet (label, IKPA, serapan, capaian)
    wg.write_row(2, 0, ("Satker", "IKPA", "Penyerapan (%)", "Capaian Output (%)"), head)
    for i, s in enumerate(scored, start=3):
        wg.write_string(i, 0, f"{s.kode} {s.nama or ''}".strip())
        wg.write_number(i, 1, s.ikpa or 0.0, num2)
        wg.write_number(i, 2, s.penyerapan_persen or 0.0, num2)
        wg.write_number(i, 3, s.capaian_persen or 0.0, num2)
    first, last = 3, 3 + max(len(scored), 1) - 1
    wg.set_column(0, 0, 40)
    wg.set_column(1, 3, 14)
    height = max(320, 22 * len(scored) + 120)
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
    target.write(_append_rows(buffer.getvalue(), SHEETS.index(SHEET_RO) + 1, ro_rows[1:]))


RO_NUMBERS = (
    "target_volume", "realisasi_volume_kumulatif", "progres_capaian", "target_progres",
    "capaian_persen", "pagu", "realisasi_anggaran", "penyerapan_persen",
)
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")


def _ro_values(kode: str, nama: str | None, ro: dict[str, Any]) -> list[Any]:
    texts = [kode, nama or "", str(ro.get("kode") or ""), str(ro.get("uraian") or ""), str(ro.get("satuan") or "")]
    numbers = [ro.get(key) for key in RO_NUMBERS]
    return [_CONTROL.sub("", t) for t in texts] + [
        float(v) if isinstance(v, int | float) and math.isfinite(v) else None for v in numbers
    ]


def _append_rows(package: bytes, sheet_index: int, rows: list[list[Any]]) -> bytes:
    """`package` with `rows` appended from row 3 on to worksheet `sheet_index` (1-based),
    each cell in the style of its column in row 2 (written by XlsxWriter)."""
    part = f"xl/worksheets/sheet{sheet_index}.xml"
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(package)) as zin, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zout:
        for info in zin.infolist():
            data = zin.read(info.filename)
            if info.filename == part and rows:
                data = _with_rows(data, rows)
            zout.writestr(info, data, compress_type=zipfile.ZIP_DEFLATED, compresslevel=1)
    return out.getvalue()


def _with_rows(xml: bytes, rows: list[list[Any]]) -> bytes:
    probe = re.search(rb'<row r="2"[ >].*?</row>', xml, re.S)
    styles: dict[int, int] = {}
    if probe is not None:
        for ref, style in re.findall(rb'<c r="([A-Z]+)2" s="(\d+)"', probe.group(0)):
            styles[spec.parse_ref(ref.decode() + "1")[1]] = int(style)
    width = len(rows[0])
    letters = [spec.col_letter(c) for c in range(1, width + 1)]
    # The cells of value_cell, formatted a row at a time: the bulk of a national recap
    # (hundreds of thousands of cells) in a fraction of the per-cell cost.
    number = [
        f'<c r="{letters[c]}%d"' + (f' s="{styles[c + 1]}"' if c + 1 in styles else "") + "><v>%s</v></c>"
        for c in range(width)
    ]
    text = [
        f'<c r="{letters[c]}%d"' + (f' s="{styles[c + 1]}"' if c + 1 in styles else "")
        + ' t="inlineStr"><is><t xml:space="preserve">%s</t></is></c>'
        for c in range(width)
    ]
    parts: list[str] = []
    for r, row in enumerate(rows, start=3):
        cells: list[str] = [f'<row r="{r}">']
        for c, value in enumerate(row):
            if value is None:
                continue
            if isinstance(value, str):
                cells.append(text[c] % (r, xml_text(clip_text(value))))
            else:
                v = float(value)
                cells.append(number[c] % (r, repr(int(v)) if v.is_integer() and abs(v) < 2**53 else repr(v)))
        cells.append("</row>")
        parts.append("".join(cells))
    xml = xml.replace(b"</sheetData>", "".join(parts).encode("utf-8") + b"</sheetData>", 1)
    last = 2 + len(rows)
    return re.sub(rb'<dimension ref="[^"]*"/>', f'<dimension ref="A1:{letters[-1]}{last}"/>'.encode(), xml, count=1)


def _write_opt(ws: Any, r: int, c: int, value: Any, fmt: Any = None) -> None:
    if value is None:
        return
    ws.write_number(r, c, float(value), fmt)


__all__ = ["CHART_IKPA", "CHART_SERAPAN", "SHEETS", "check_output", "write_recap"]
