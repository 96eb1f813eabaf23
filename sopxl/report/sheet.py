"""Build a report sheet (`Laporan Semester I` / `Laporan Semester II` / `Laporan Tahunan`).

One builder, used twice: into a standalone workbook (`--output`, the PDF) and into a
temporary one-sheet workbook that is grafted into the user's workbook by the package editor.

Layout (columns A..N; sections follow one another, so rows depend on the number of ROs):

- rows 1-4: title, identity, period, consolidation note (and the open-errors warning);
- A. the per-RO table: header row (repeated on every printed page), one row per RO, a
  `Jumlah / Rata-rata` row;
- B. the month-by-month table (realisasi vs RPD, cumulative both, average progress, IKPA);
- C. the two scores with all their inputs, regulation, band and footnotes;
- D. two charts: achievement per RO (bars) and cumulative realisasi vs RPD (lines);
- E. narratives people fill: the label (`Analisis Capaian`, `Kendala Umum`, `Rekomendasi`)
  in column B, **the text in the cell right of it** (C, merged C:N);
- F. sign-off block: `Disusun oleh` in B, `Diperiksa oleh` in G, `Disetujui oleh` in K; under
  each label three rows `Nama`, `NIP`, `Tanggal` in the same column, **the value in the cell
  right of them**.

Readers (`sopxl.calc.report_layout`: `read_people_cells`, LAP-NARASI, LAP-PENGESAHAN) find labels by text, never by
position: a narrative's text is the first non-empty cell right of its label on the same row
(else the cell below it); a sign-off's Nama/NIP/Tanggal are the rows below its label whose
cell in the label's column reads `Nama`/`NIP`/`Tanggal`, value in the next cell right.
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sopxl.calc import scores
from sopxl.calc.figures import PeriodFigures, RoFigures
from sopxl.calc.report_layout import (
    MONEY_FIELDS,
    RO_COLUMNS,
    RO_NUMBER_FIELDS,
    SIGNOFF_FIELDS,
    TOTAL_LABEL,
    blank,
    totals_of,
)
from sopxl.core import spec
from sopxl.core.config import Settings

MAX_CHART_ROS = 100  # a bar per RO stops being readable (and cheap to render) beyond this
WIDTHS: tuple[float, ...] = (5, 24, 30, 16, 16, 16, 12, 12, 12, 18, 18, 12, 32, 32)
LAST_COL = len(WIDTHS) - 1  # N

IKPA_REGULATION = "IKPA Capaian Output (Peraturan Dirjen Perbendaharaan PER-5/PB/2024, praktik penilaian)"
NKA_REGULATION = "Nilai Kinerja Anggaran, aspek implementasi (PMK 22/PMK.02/2021)"
NKA_FOOTNOTES: tuple[str, ...] = (
    "* Rumus Konsistensi (K) yang tepat dalam PMK 22/PMK.02/2021 belum dapat dipastikan; di sini "
    "K = 100 − rata-rata deviasi kumulatif realisasi terhadap RPD tiap bulan periode (tidak kurang dari 0).",
    "Mulai TA 2024 berlaku PMK 62 Tahun 2023: nilai kinerja anggaran ≈ 50% aspek perencanaan + 50% "
    "aspek pelaksanaan (IKPA). Buku kerja tidak memuat data aspek perencanaan, sehingga yang "
    "ditampilkan adalah nilai aspek implementasi menurut PMK 22/PMK.02/2021 dan indikator IKPA "
    "Capaian Output.",
)


@dataclass
class ReportInputs:
    figures: PeriodFigures
    settings: Settings
    narratives: dict[str, Any] = field(default_factory=dict)  # label -> text
    signoffs: dict[str, dict[str, Any]] = field(default_factory=dict)  # label -> {Nama, NIP, Tanggal}
    open_errors: int = 0  # month errors left open (consolidated with --paksa)
    generated: dt.datetime = field(default_factory=dt.datetime.now)
    kepala: tuple[str, str] = ("", "")  # (name, NIP) from Identitas, prefilled in Disetujui oleh
    kasi: tuple[str, str] = ("", "")  # prefilled in Diperiksa oleh


def month_name(m: int) -> str:
    return spec.MONTHS[m - 1] if 1 <= m <= 12 else str(m)


def _pct(weight: float) -> str:
    text = f"{weight * 100:.1f}".rstrip("0").rstrip(".")
    return text.replace(".", ",") + "%"


def _bands_text(bands: list[tuple[float, str]]) -> str:
    ordered = sorted(bands, key=lambda b: b[0], reverse=True)
    parts = []
    upper: float | None = None
    for floor, label in ordered:
        f = f"{floor:g}".replace(".", ",")
        if upper is None:
            parts.append(f"≥ {f} {label}")
        elif floor <= 0:
            parts.append(f"< {f'{upper:g}'.replace('.', ',')} {label}")
        else:
            parts.append(f"{f} s.d. < {f'{upper:g}'.replace('.', ',')} {label}")
        upper = floor
    return "; ".join(parts)


def _lines(text: str, width: float) -> int:
    if not text:
        return 1
    return sum(max(1, math.ceil(len(part) / max(width * 1.1, 1))) for part in text.split("\n"))


def write_report_sheet(workbook: Any, inputs: ReportInputs) -> None:
    """Add the report sheet of `inputs.figures` to an open xlsxwriter Workbook."""
    fig = inputs.figures
    s = inputs.settings
    ws = workbook.add_worksheet(fig.sheet)
    F = _formats(workbook)
    for i, w in enumerate(WIDTHS):
        ws.set_column(i, i, w)

    periode_label = {
        "semester1": "LAPORAN SEMESTER I",
        "semester2": "LAPORAN SEMESTER II",
        "tahunan": "LAPORAN TAHUNAN",
    }[fig.periode]
    tahun = str(fig.tahun) if fig.tahun else "-"
    r = 0
    ws.merge_range(r, 0, r, LAST_COL, f"{periode_label} CAPAIAN OUTPUT DAN KINERJA ANGGARAN TA {tahun}", F["title"])
    r += 1
    ws.merge_range(
        r, 0, r, LAST_COL,
        f"Satker: {fig.kode_satker or '-'} — {fig.nama_satker or '-'}    Tahun Anggaran: {tahun}",
        F["subtitle"],
    )
    r += 1
    periode_text = (
        f"Periode: {month_name(fig.bulan_awal)} s.d. {month_name(fig.bulan_akhir)} {tahun} "
        f"(angka kumulatif sejak Januari s.d. {month_name(fig.bulan_akhir)})"
    )
    nominal_end = spec.PERIODS[fig.periode][2]
    if fig.bulan_akhir < nominal_end:
        periode_text += f"; data baru tersedia s.d. {month_name(fig.bulan_akhir)}"
    ws.merge_range(r, 0, r, LAST_COL, periode_text, F["subtitle"])
    r += 1
    ws.merge_range(
        r, 0, r, LAST_COL,
        f"Dikonsolidasi oleh sopxl pada {inputs.generated.strftime('%d-%m-%Y %H:%M')} dari lembar "
        f"bulanan Januari s.d. {month_name(fig.bulan_akhir)}.",
        F["note"],
    )
    r += 1
    if inputs.open_errors:
        ws.merge_range(
            r, 0, r, LAST_COL,
            f"PERHATIAN: laporan ini disusun dengan --paksa; data bulanan masih memiliki "
            f"{inputs.open_errors} kesalahan terbuka saat konsolidasi. Angka dapat berubah setelah "
            "data diperbaiki.",
            F["warning"],
        )
        r += 1
    r += 1

    # --- A. per-RO table ---------------------------------------------------------------------
    ws.merge_range(r, 0, r, LAST_COL, "A. CAPAIAN OUTPUT DAN REALISASI ANGGARAN PER RINCIAN OUTPUT (RO)", F["section"])
    r += 1
    header_row = r
    for c, (label, _attr) in enumerate(RO_COLUMNS):
        ws.write_string(r, c, label, F["header"])
    ws.set_row(r, 32)
    r += 1
    first_ro_row = r
    for i, ro in enumerate(fig.ro, start=1):
        height = 1
        for c, (_label, attr) in enumerate(RO_COLUMNS):
            if not attr:
                ws.write_number(r, c, i, F["int"])
            elif attr in RO_NUMBER_FIELDS:
                value = float(getattr(ro, attr))
                if attr in MONEY_FIELDS:
                    ws.write_number(r, c, value, F["money"])
                else:
                    ws.write_number(r, c, _r2(value), F["num"])
            elif attr in ("kendala", "tindak_lanjut"):
                text = "\n".join(getattr(ro, attr))
                ws.write_string(r, c, text, F["wrap"])
                height = max(height, _lines(text, WIDTHS[c]))
            else:
                text = str(getattr(ro, attr))
                ws.write_string(r, c, text, F["wrap"] if attr == "uraian" else F["text"])
                if attr == "uraian":
                    height = max(height, _lines(text, WIDTHS[c]))
        if height > 1:
            ws.set_row(r, min(15 * height, 300))
        r += 1
    _write_totals(ws, F, r, fig.ro)
    r += 2

    # --- B. month by month ---------------------------------------------------------------------
    ws.merge_range(r, 0, r, LAST_COL, "B. REALISASI ANGGARAN TERHADAP RENCANA PENARIKAN DANA (RPD) PER BULAN", F["section"])
    r += 1
    month_headers = (
        "Bulan",
        "Realisasi Anggaran (Rp)",
        "RPD (Rp)",
        "Realisasi Kumulatif (Rp)",
        "RPD Kumulatif (Rp)",
        "Deviasi Kumulatif (%)",
        "Rata-rata Progres Capaian (%)",
        "IKPA: Ketepatan Waktu",
        "IKPA: Capaian RO",
        "IKPA Capaian Output",
    )
    for c, label in enumerate(month_headers, start=1):
        ws.write_string(r, c, label, F["header"])
    ws.set_row(r, 32)
    r += 1
    ikpa_by_month = {m.bulan: m for m in fig.ikpa.bulanan}
    first_month_row = r
    for mf in fig.bulanan:
        ws.write_string(r, 1, month_name(mf.bulan), F["text"])
        ws.write_number(r, 2, mf.realisasi, F["money"])
        ws.write_number(r, 3, mf.rpd, F["money"])
        ws.write_number(r, 4, mf.realisasi_kumulatif, F["money"])
        ws.write_number(r, 5, mf.rpd_kumulatif, F["money"])
        if mf.deviasi_persen is None:
            ws.write_string(r, 6, "-", F["text"])
        else:
            ws.write_number(r, 6, _r2(mf.deviasi_persen), F["num"])
        ws.write_number(r, 7, _r2(mf.rata_progres), F["num"])
        im = ikpa_by_month.get(mf.bulan)
        if im is not None:
            ws.write_number(r, 8, _r2(im.tepat_waktu), F["num"])
            ws.write_number(r, 9, _r2(im.capaian), F["num"])
            ws.write_number(r, 10, _r2(im.nilai), F["num"])
        r += 1
    last_month_row = r - 1
    r += 1

    # --- C. scores ---------------------------------------------------------------------------
    ws.merge_range(r, 0, r, LAST_COL, "C. NILAI KINERJA", F["section"])
    r += 1
    ikpa_band = scores.band(fig.ikpa.nilai, s.ikpa_bands)
    nka_band = scores.band(fig.nka.nilai, s.nka_bands)
    from sopxl.core.calendar import deadline_label

    r = _score_block(
        ws, F, r, IKPA_REGULATION,
        [
            ("Nilai Ketepatan Waktu (rata-rata NK tepat waktu per bulan)", fig.ikpa.tepat_waktu,
             f"bobot {_pct(s.ikpa_weight_timeliness)}; tepat waktu bila Tanggal Entri SAKTI paling lambat "
             f"{deadline_label(s)}"),
            ("Nilai Capaian RO (rata-rata CRO per bulan)", fig.ikpa.capaian,
             f"bobot {_pct(s.ikpa_weight_achievement)}; CRO = PCRO/TPCRO × 100 (Desember atau PCRO 100: "
             "RVRO/TVRO × 100), maks. 100; RO khusus (ZZ) tidak dihitung"),
            ("Nilai IKPA Capaian Output", fig.ikpa.nilai,
             f"{_pct(s.ikpa_weight_timeliness)} × ketepatan waktu + {_pct(s.ikpa_weight_achievement)} × "
             f"capaian RO; rata-rata {len(fig.ikpa.bulanan)} bulan periode"),
            ("Kategori IKPA", ikpa_band, _bands_text(s.ikpa_bands)),
        ],
    )
    r += 1
    r = _score_block(
        ws, F, r, NKA_REGULATION,
        [
            ("Penyerapan Anggaran (P)", fig.nka.penyerapan,
             f"bobot {_pct(s.nka_weight_p)}; Σ realisasi / Σ pagu × 100"),
            ("Konsistensi Penyerapan terhadap RPD (K) *", fig.nka.konsistensi,
             f"bobot {_pct(s.nka_weight_k)}; 100 − rata-rata |realisasi kumulatif − RPD kumulatif| / RPD kumulatif × 100"),
            ("Capaian RO (CRO)", fig.nka.capaian_ro,
             f"bobot {_pct(s.nka_weight_cro)}; rata-rata min(RVRO kumulatif / TVRO × 100, 100)"),
            ("Efisiensi (E)", fig.nka.efisiensi,
             "Σ(pagu × capaian − realisasi) / Σ(pagu × capaian) × 100, dibatasi "
             f"−{s.nka_efficiency_clamp:g} s.d. {s.nka_efficiency_clamp:g}"),
            ("Nilai Efisiensi (NE)", fig.nka.nilai_efisiensi,
             f"bobot {_pct(s.nka_weight_ne)}; NE = 50 + (E / {s.nka_efficiency_clamp:g}) × 50"),
            ("Nilai Kinerja Anggaran (NKA)", fig.nka.nilai,
             f"{_pct(s.nka_weight_p)} P + {_pct(s.nka_weight_k)} K + {_pct(s.nka_weight_cro)} CRO + "
             f"{_pct(s.nka_weight_ne)} NE"),
            ("Kategori NKA", nka_band, _bands_text(s.nka_bands)),
        ],
    )
    for note in NKA_FOOTNOTES:
        ws.merge_range(r, 1, r, LAST_COL, note, F["footnote"])
        ws.set_row(r, 30)
        r += 1
    r += 1

    # --- D. charts (a printed page of their own, so no chart is cut at a page end) -----------
    charts_row = r
    ws.merge_range(r, 0, r, LAST_COL, "D. GRAFIK", F["section"])
    r += 1
    if fig.ro:
        shown = min(len(fig.ro), MAX_CHART_ROS)
        bar = workbook.add_chart({"type": "column"})
        bar.add_series(
            {
                "name": "Capaian (%)",
                "categories": [fig.sheet, first_ro_row, 1, first_ro_row + shown - 1, 1],
                "values": [fig.sheet, first_ro_row, 8, first_ro_row + shown - 1, 8],
                "fill": {"color": "#2E75B6"},
                "border": {"color": "#1F4E79"},
            }
        )
        title = "Capaian Volume per RO (%)"
        if shown < len(fig.ro):
            title += f" — {shown} RO pertama dari {len(fig.ro):,}".replace(",", ".")
        bar.set_title({"name": title})
        bar.set_y_axis({"name": "%", "min": 0})
        bar.set_legend({"none": True})
        bar.set_size({"width": 640, "height": 340})
        ws.insert_chart(r, 1, bar, {"x_offset": 5, "y_offset": 5})
    if fig.bulanan:
        line = workbook.add_chart({"type": "line"})
        line.add_series(
            {
                "name": "Realisasi kumulatif",
                "categories": [fig.sheet, first_month_row, 1, last_month_row, 1],
                "values": [fig.sheet, first_month_row, 4, last_month_row, 4],
                "line": {"color": "#C00000", "width": 2.25},
                "marker": {"type": "circle", "fill": {"color": "#C00000"}, "border": {"color": "#C00000"}},
            }
        )
        line.add_series(
            {
                "name": "RPD kumulatif",
                "categories": [fig.sheet, first_month_row, 1, last_month_row, 1],
                "values": [fig.sheet, first_month_row, 5, last_month_row, 5],
                "line": {"color": "#548235", "width": 2.25, "dash_type": "dash"},
                "marker": {"type": "square", "fill": {"color": "#548235"}, "border": {"color": "#548235"}},
            }
        )
        line.set_title({"name": "Realisasi Anggaran vs RPD Kumulatif (Rp)"})
        line.set_y_axis({"num_format": "#,##0", "min": 0})
        line.set_legend({"position": "bottom"})
        line.set_size({"width": 640, "height": 340})
        ws.insert_chart(r, 9, line, {"x_offset": 5, "y_offset": 5})
    r += 19

    # --- E. narratives (a new printed page: narratives and sign-offs stay together) ----------
    ws.set_h_pagebreaks([charts_row, r])
    ws.merge_range(
        r, 0, r, LAST_COL,
        "E. ANALISIS DAN REKOMENDASI (diisi oleh Pelaksana/JF; isian tetap tersimpan saat konsolidasi ulang)",
        F["section"],
    )
    r += 1
    for label in spec.REPORT_NARRATIVES:
        ws.write_string(r, 1, label, F["label"])
        typed = inputs.narratives.get(label)
        _write_merged_value(ws, r, 2, LAST_COL, typed, F["fill"], F["fill_date"])
        text = "" if typed is None else str(typed)
        ws.set_row(r, max(60, min(15 * _lines(text, 200), 400)))
        r += 1
    r += 1

    # --- F. sign-offs ------------------------------------------------------------------------------
    ws.merge_range(r, 0, r, LAST_COL, "F. PENGESAHAN", F["section"])
    r += 1
    prefill = {
        "Diperiksa oleh": inputs.kasi,
        "Disetujui oleh": inputs.kepala,
    }
    spans = ((1, 2, 4), (6, 7, 9), (10, 11, LAST_COL))  # label col, value first col, value last col
    for (label_col, v0, v1), label in zip(spans, spec.REPORT_SIGNOFFS, strict=True):
        ws.write_string(r, label_col, label, F["label"])
        kept = inputs.signoffs.get(label, {})
        for k, name in enumerate(SIGNOFF_FIELDS, start=1):
            ws.write_string(r + k, label_col, name, F["sublabel"])
            typed = kept.get(name)
            if blank(typed) and label in prefill:
                pre = prefill[label][0 if name == "Nama" else 1] if name != "Tanggal" else ""
                typed = pre or None
            _write_merged_value(ws, r + k, v0, v1, typed, F["fill"], F["fill_date"])
    for k in range(1, 4):
        ws.set_row(r + k, 22)
    r += 4
    last_row = r - 1

    # --- page setup -------------------------------------------------------------------------------
    ws.set_landscape()
    ws.set_paper(9)  # A4
    ws.set_margins(left=0.4, right=0.4, top=0.5, bottom=0.6)
    ws.print_area(0, 0, last_row, LAST_COL)
    ws.repeat_rows(header_row)
    ws.fit_to_pages(1, 0)
    ws.set_footer(f"&L{fig.sheet}&RHalaman &P dari &N")


def _r2(value: float) -> float:
    """Percentages and scores are written rounded half up to 2 decimals (scores.md), so that
    what Excel displays is the half-up figure (95.555 shows 95.56, not 95.55)."""
    return scores.round_half_up(value)


def _write_merged_value(ws: Any, r: int, c0: int, c1: int, value: Any, fmt: Any, date_fmt: Any) -> None:
    """A fill-in cell (merged c0..c1) holding what people typed, as typed (text, number, date)."""
    if isinstance(value, dt.datetime | dt.date):
        stamp = value if isinstance(value, dt.datetime) else dt.datetime(value.year, value.month, value.day)
        if c1 > c0:
            ws.merge_range(r, c0, r, c1, "", date_fmt)
        ws.write_datetime(r, c0, stamp, date_fmt)
        return
    if isinstance(value, bool):
        value = str(value)
    if c1 > c0:
        ws.merge_range(r, c0, r, c1, "", fmt)
    if isinstance(value, int | float):
        ws.write_number(r, c0, value, fmt)
    elif value is None:
        ws.write_blank(r, c0, None, fmt)
    else:
        ws.write_string(r, c0, str(value), fmt)


def _write_totals(ws: Any, F: dict[str, Any], r: int, ros: list[RoFigures]) -> None:
    ws.merge_range(r, 0, r, 3, TOTAL_LABEL, F["total_label"])
    t = totals_of(ros)
    ws.write_blank(r, 4, None, F["total_num"])
    ws.write_blank(r, 5, None, F["total_num"])
    ws.write_number(r, 6, _r2(t["progres_capaian"]), F["total_num"])
    ws.write_number(r, 7, _r2(t["target_progres"]), F["total_num"])
    ws.write_number(r, 8, _r2(t["capaian_persen"]), F["total_num"])
    ws.write_number(r, 9, t["pagu"], F["total_money"])
    ws.write_number(r, 10, t["realisasi_anggaran"], F["total_money"])
    ws.write_number(r, 11, _r2(t["penyerapan_persen"]), F["total_num"])
    ws.write_blank(r, 12, None, F["total_num"])
    ws.write_blank(r, 13, None, F["total_num"])


def _score_block(ws: Any, F: dict[str, Any], r: int, title: str, rows: list[tuple[str, Any, str]]) -> int:
    ws.merge_range(r, 1, r, LAST_COL, title, F["subsection"])
    r += 1
    for label, value, note in rows:
        ws.merge_range(r, 1, r, 4, label, F["score_label"])
        if isinstance(value, str):
            ws.write_string(r, 5, value, F["score_text"])
        else:
            ws.write_number(r, 5, _r2(float(value)), F["score"])
        ws.merge_range(r, 6, r, LAST_COL, note, F["score_note"])
        r += 1
    return r


def _formats(wb: Any) -> dict[str, Any]:
    border = {"border": 1, "valign": "top", "font_size": 10}
    return {
        "title": wb.add_format({"bold": True, "font_size": 14, "align": "center"}),
        "subtitle": wb.add_format({"bold": True, "font_size": 11, "align": "center"}),
        "note": wb.add_format({"italic": True, "font_size": 9, "align": "center", "font_color": "#595959"}),
        "warning": wb.add_format({"bold": True, "font_color": "#C00000", "bg_color": "#FCE4D6", "text_wrap": True}),
        "section": wb.add_format({"bold": True, "font_size": 11, "bg_color": "#D9E1F2", "bottom": 1}),
        "subsection": wb.add_format({"bold": True, "font_size": 10, "bg_color": "#EDEDED", "border": 1}),
        "header": wb.add_format({**border, "bold": True, "bg_color": "#BDD7EE", "text_wrap": True,
                                  "align": "center", "valign": "vcenter"}),
        "int": wb.add_format({**border, "num_format": "0", "align": "center"}),
        "num": wb.add_format({**border, "num_format": "#,##0.00"}),
        "money": wb.add_format({**border, "num_format": "#,##0"}),
        "text": wb.add_format({**border}),
        "wrap": wb.add_format({**border, "text_wrap": True}),
        "total_label": wb.add_format({**border, "bold": True, "bg_color": "#F2F2F2"}),
        "total_num": wb.add_format({**border, "bold": True, "bg_color": "#F2F2F2", "num_format": "#,##0.00"}),
        "total_money": wb.add_format({**border, "bold": True, "bg_color": "#F2F2F2", "num_format": "#,##0"}),
        "score_label": wb.add_format({**border}),
        "score": wb.add_format({**border, "bold": True, "num_format": "0.00", "align": "center"}),
        "score_text": wb.add_format({**border, "bold": True, "align": "center"}),
        "score_note": wb.add_format({**border, "font_size": 9, "text_wrap": True}),
        "footnote": wb.add_format({"italic": True, "font_size": 9, "text_wrap": True, "valign": "top"}),
        "label": wb.add_format({"bold": True, "valign": "top"}),
        "sublabel": wb.add_format({"valign": "vcenter"}),
        "fill": wb.add_format({"border": 1, "text_wrap": True, "valign": "top", "bg_color": "#E2EFDA"}),
        "fill_date": wb.add_format({"border": 1, "valign": "top", "bg_color": "#E2EFDA",
                                     "num_format": "d mmmm yyyy", "align": "left"}),
    }


def build_report_workbook(path: Path, inputs: ReportInputs) -> None:
    """Write a workbook holding only the report sheet (standalone report or graft source)."""
    import xlsxwriter

    wb = xlsxwriter.Workbook(str(path), {"strings_to_numbers": False, "strings_to_formulas": False})
    wb.set_properties(
        {
            "title": f"{inputs.figures.sheet} {inputs.figures.tahun or ''}".strip(),
            "subject": "Laporan Capaian Output dan Kinerja Anggaran",
            "author": "sopxl",
        }
    )
    write_report_sheet(wb, inputs)
    wb.close()
