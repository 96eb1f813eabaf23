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
    totals_of,
)
from sopxl.core import regulasi, spec
from sopxl.core.config import Settings
from sopxl.read.tables import is_blank

MAX_CHART_ROS = 100  # a bar per RO stops being readable (and cheap to render) beyond this

# Paper: A4 landscape printed at 100 % (a "fit to page" scale would make Excel ignore the
# manual page breaks below and shrink the text). The widths fit the printable width in both
# Excel and LibreOffice: the report's font is Arial (LibreOffice: the metric-compatible
# Liberation Sans), whose digit, the unit of a column width, LibreOffice draws 5.56 pt wide
# plus about 3.8 pt of padding per column (Excel: 5.25 pt + 3.75 pt).
FONT = "Arial"
WIDTHS: tuple[float, ...] = (3.5, 17, 16, 7.5, 6.5, 7, 6.5, 6.5, 6.5, 11, 11, 8.5, 13, 13)
LAST_COL = len(WIDTHS) - 1  # N
MARGINS = {"left": 0.2, "right": 0.2, "top": 0.4, "bottom": 0.55}  # inches
PAGE_HEIGHT = 595.0  # A4 landscape, points
# Room for rows on a page: the page less its margins and a little for rounding of row heights.
PAGE_ROOM = PAGE_HEIGHT - 72 * (MARGINS["top"] + MARGINS["bottom"]) - 14
TABLE_PT = 8  # the tables' text: the smallest on the page
TEXT_PT = 9  # notes, scores, footnotes
MAX_ROW = 220.0  # a row never taller than this (always fits a page with the table header)

NKA_REGULATION = "Nilai Kinerja Anggaran, aspek implementasi (PMK 22/PMK.02/2021)"
K_FOOTNOTE = (
    "* Rumus Konsistensi (K) yang tepat dalam PMK 22/PMK.02/2021 belum dapat dipastikan; di sini "
    "K = 100 − rata-rata deviasi kumulatif realisasi terhadap RPD tiap bulan periode (tidak kurang dari 0)."
)


def ikpa_title(s: Settings) -> str:
    """The IKPA block's title, naming the regulation of the settings' table row."""
    return f"IKPA Capaian Output (Peraturan Dirjen Perbendaharaan {s.regulasi_ikpa}, praktik penilaian)"


def nka_footnotes(s: Settings) -> tuple[str, ...]:
    """The footnotes under the scores: the K formula, the regulations the figures follow (the
    table row `resolve_settings` chose), and what it noted about that choice."""
    row = regulasi.row_for(s.regulasi_tahun)
    basis = (
        f"Dasar perhitungan: regulasi yang berlaku mulai Tahun Anggaran {row.dari} — IKPA Capaian "
        f"Output menurut {s.regulasi_ikpa}, Nilai Kinerja Anggaran menurut {s.regulasi_nka}."
    )
    if (s.regulasi_ikpa, s.regulasi_nka) == (row.ikpa, row.nka):
        # the row's explanation names its regulations: only when the user did not rename them
        basis += " " + row.keterangan
    notes = [K_FOOTNOTE, basis]
    if s.regulasi_catatan:
        notes.append(f"Catatan regulasi: {s.regulasi_catatan}")
    return tuple(notes)


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


# --- measuring text, so that every row gets the height its wrapped text needs -----------------

_NARROW = dict.fromkeys("ijl'|", 0.222) | dict.fromkeys("ftI!.,:; /", 0.278) | dict.fromkeys("r()-[]", 0.333)
_WIDE = {"m": 0.833, "w": 0.722, "M": 0.833, "W": 0.944, "%": 0.889, "@": 1.015, "—": 1.0}


def _char_em(ch: str) -> float:
    """Width of `ch` in Arial (em), rounded up to the wider glyphs of its kind."""
    if ch in _NARROW:
        return _NARROW[ch]
    if ch in _WIDE:
        return _WIDE[ch]
    if ch.isdigit():
        return 0.556
    if ch.isupper():
        return 0.722
    if ch.islower():
        return 0.556
    return 0.6


def text_width(text: str, size: float, bold: bool = False) -> float:
    """Width of one line of `text` in points (Arial at `size`), slightly generous."""
    return sum(_char_em(ch) for ch in text) * size * (1.06 if bold else 1.0)


def col_points(c0: int, c1: int | None = None) -> float:
    """The width, in points, text can use in columns c0..c1 (the narrower of Excel and LibreOffice)."""
    c1 = c0 if c1 is None else c1
    return sum(5.25 * WIDTHS[c] + 3.75 for c in range(c0, c1 + 1)) - 5.0


def wrapped_lines(text: str, width: float, size: float, bold: bool = False) -> int:
    """The number of lines `text` takes when wrapped at word boundaries into `width` points."""
    total = 0
    for part in (text or "").split("\n"):
        lines, used = 1, 0.0
        space = text_width(" ", size, bold)
        for word in part.split():
            w = text_width(word, size, bold)
            if used and used + space + w <= width:
                used += space + w
                continue
            if used:
                lines += 1
            while w > width:  # a word longer than the line is broken
                lines += 1
                w -= width
            used = w
        total += lines
    return max(1, total)


def line_height(size: float) -> float:
    """Points per line of wrapped text at `size` (Arial's line spacing, a little generous)."""
    return size * 1.2


def row_height(lines: int, size: float) -> float:
    """A row holding `lines` lines at `size`, with the cell's padding."""
    return min(MAX_ROW, round(lines * line_height(size) + 3.5, 2))


class _Pages:
    """Row heights set explicitly and the printed pages they make.

    Every row written gets its height here, so where a page ends is known: a block that does
    not fit the rest of the page starts a new one (a manual page break, which Excel and
    LibreOffice both keep at a 100 % print scale).
    """

    def __init__(self, ws: Any) -> None:
        self.ws = ws
        self.used = 0.0
        self.breaks: list[int] = []

    def fits(self, height: float) -> bool:
        return self.used + height <= PAGE_ROOM

    def new_page(self, row: int) -> None:
        if row > 0 and (not self.breaks or self.breaks[-1] != row):
            self.breaks.append(row)
        self.used = 0.0

    def keep(self, row: int, height: float) -> None:
        """Start a new page at `row` unless `height` points still fit on this one."""
        if self.used and not self.fits(height):
            self.new_page(row)

    def set(self, row: int, height: float) -> None:
        self.ws.set_row(row, height)
        self.used += height


def volume_decimals(*values: float) -> int:
    """Decimals that show every value of an RO's volumes exactly (at most 2): whole units
    (orang, dokumen, layanan) print without decimals."""
    places = 0
    for value in values:
        for d in range(0, 3):
            if abs(value * 10**d - round(value * 10**d)) < 1e-6:
                places = max(places, d)
                break
        else:
            places = 2
    return places


def capaian_notes(ros: list[RoFigures]) -> list[str]:
    """A line for each RO whose Capaian (%) and Progres Capaian (%) legitimately differ, saying
    what its Capaian (%) measures (volume finished) against Progres (work done)."""
    notes: list[str] = []
    for ro in ros:
        if _r2(ro.capaian_persen) == _r2(ro.progres_capaian) or ro.target_volume <= 0:
            continue
        d = volume_decimals(ro.target_volume, ro.realisasi_volume_kumulatif)
        satuan = ro.satuan or "satuan"
        notes.append(
            f"RO {ro.kode} ({ro.uraian or satuan}): Capaian {_fmt(ro.capaian_persen)} % = "
            f"{_fmt(ro.realisasi_volume_kumulatif, d)} dari {_fmt(ro.target_volume, d)} {satuan} "
            f"sudah selesai; Progres Capaian {_fmt(ro.progres_capaian)} % adalah kemajuan "
            f"pelaksanaan yang dilaporkan (pekerjaan menuju {satuan.lower()} berikutnya sudah berjalan)."
        )
    return notes


def _fmt(value: float, decimals: int | None = None) -> str:
    """A number as the report's readers write it (1.234,5)."""
    if decimals is None:
        text = f"{_r2(value):,.2f}".rstrip("0").rstrip(".")
    else:
        text = f"{value:,.{decimals}f}"
    return text.replace(",", "\x00").replace(".", ",").replace("\x00", ".")


CAPAIAN_NOTE = (
    "Catatan: Capaian (%) = Realisasi Volume Kumulatif ÷ Target Volume × 100, yaitu volume yang "
    "sudah selesai; Progres Capaian (%) adalah kemajuan pelaksanaan RO yang dilaporkan di SAKTI. "
    "Keduanya wajar berbeda selama satuan output belum selesai seluruhnya:"
)


def write_report_sheet(workbook: Any, inputs: ReportInputs) -> None:
    """Add the report sheet of `inputs.figures` to an open xlsxwriter Workbook."""
    fig = inputs.figures
    s = inputs.settings
    ws = workbook.add_worksheet(fig.sheet)
    F = _formats(workbook)
    for i, w in enumerate(WIDTHS):
        ws.set_column(i, i, w)
    pages = _Pages(ws)
    full = col_points(0, LAST_COL)

    def text_row(r: int, text: str, fmt: Any, size: float, c0: int = 0, bold: bool = False) -> None:
        ws.merge_range(r, c0, r, LAST_COL, text, fmt)
        pages.set(r, row_height(wrapped_lines(text, col_points(c0, LAST_COL), size, bold), size))

    def gap(r: int, height: float = 8.0) -> None:
        pages.set(r, height)

    periode_label = {
        "semester1": "LAPORAN SEMESTER I",
        "semester2": "LAPORAN SEMESTER II",
        "tahunan": "LAPORAN TAHUNAN",
    }[fig.periode]
    tahun = str(fig.tahun) if fig.tahun else "-"
    r = 0
    text_row(r, f"{periode_label} CAPAIAN OUTPUT DAN KINERJA ANGGARAN TA {tahun}", F["title"], 14, bold=True)
    r += 1
    text_row(
        r, f"Satker: {fig.kode_satker or '-'} — {fig.nama_satker or '-'}    Tahun Anggaran: {tahun}",
        F["subtitle"], 11, bold=True,
    )
    r += 1
    periode_text = (
        f"Periode: {month_name(fig.bulan_awal)} s.d. {month_name(fig.bulan_akhir)} {tahun} "
        f"(angka kumulatif sejak Januari s.d. {month_name(fig.bulan_akhir)})"
    )
    nominal_end = spec.PERIODS[fig.periode][2]
    if fig.bulan_akhir < nominal_end:
        periode_text += f"; data baru tersedia s.d. {month_name(fig.bulan_akhir)}"
    text_row(r, periode_text, F["subtitle"], 11, bold=True)
    r += 1
    text_row(
        r,
        f"Dikonsolidasi oleh sopxl pada {inputs.generated.strftime('%d-%m-%Y %H:%M')} dari lembar "
        f"bulanan Januari s.d. {month_name(fig.bulan_akhir)}.",
        F["note"], TEXT_PT,
    )
    r += 1
    if inputs.open_errors:
        text_row(
            r,
            f"PERHATIAN: laporan ini disusun dengan --paksa; data bulanan masih memiliki "
            f"{inputs.open_errors} kesalahan terbuka saat konsolidasi. Angka dapat berubah setelah "
            "data diperbaiki.",
            F["warning"], 10, bold=True,
        )
        r += 1
    gap(r)
    r += 1

    # --- A. per-RO table: its header written again at the top of each page it goes on to ----
    header_h = row_height(
        max(wrapped_lines(label, col_points(c), TABLE_PT, True) for c, (label, _a) in enumerate(RO_COLUMNS)),
        TABLE_PT,
    )

    def ro_header(r: int) -> None:
        for c, (label, _attr) in enumerate(RO_COLUMNS):
            ws.write_string(r, c, label, F["header"])
        pages.set(r, header_h)

    def ro_row_height(ro: RoFigures) -> float:
        lines = 1
        for c, (_label, attr) in enumerate(RO_COLUMNS):
            if attr in ("uraian", "satuan", "tindak_lanjut") or attr == "kendala":
                lines = max(lines, wrapped_lines(_ro_text(ro, attr), col_points(c), TABLE_PT))
        return row_height(lines, TABLE_PT)

    heights = [ro_row_height(ro) for ro in fig.ro]
    section_h = row_height(1, 11)
    pages.keep(r, section_h + header_h + (heights[0] if heights else 0.0))
    text_row(r, "A. CAPAIAN OUTPUT DAN REALISASI ANGGARAN PER RINCIAN OUTPUT (RO)", F["section"], 11, bold=True)
    r += 1
    ro_header(r)
    r += 1
    first_ro_row = r
    ro_rows: list[int] = []
    for i, (ro, height) in enumerate(zip(fig.ro, heights, strict=True), start=1):
        if not pages.fits(height):
            pages.new_page(r)
            ro_header(r)
            r += 1
        _write_ro_row(ws, F, r, i, ro)
        pages.set(r, height)
        ro_rows.append(r)
        r += 1
    total_h = row_height(1, TABLE_PT)
    if not pages.fits(total_h):
        pages.new_page(r)
        ro_header(r)
        r += 1
    _write_totals(ws, F, r, fig.ro)
    pages.set(r, total_h)
    r += 1
    notes = capaian_notes(fig.ro)
    if notes:
        for text in (CAPAIAN_NOTE, *notes):
            height = row_height(wrapped_lines(text, col_points(1, LAST_COL), TEXT_PT), TEXT_PT)
            pages.keep(r, height)
            text_row(r, text, F["footnote"], TEXT_PT, c0=1)
            r += 1
    gap(r)
    r += 1

    # --- B. month by month (one block: it moves to the next page whole) ----------------------
    # (header, first column, last column): the amounts get two of the per-RO table's columns
    month_columns = (
        ("Bulan", 1, 1),
        ("Realisasi Anggaran (Rp)", 2, 2),
        ("RPD (Rp)", 3, 4),
        ("Realisasi Kumulatif (Rp)", 5, 6),
        ("RPD Kumulatif (Rp)", 7, 8),
        ("Deviasi Kumulatif (%)", 9, 9),
        ("Rata-rata Progres Capaian (%)", 10, 10),
        ("IKPA: Ketepatan Waktu", 11, 11),
        ("IKPA: Capaian RO", 12, 12),
        ("IKPA Capaian Output", 13, 13),
    )
    month_header_h = row_height(
        max(wrapped_lines(label, col_points(c0, c1), TABLE_PT, True) for label, c0, c1 in month_columns), TABLE_PT
    )
    month_h = row_height(1, TABLE_PT)
    pages.keep(r, section_h + month_header_h + month_h * len(fig.bulanan))
    text_row(r, "B. REALISASI ANGGARAN TERHADAP RENCANA PENARIKAN DANA (RPD) PER BULAN", F["section"], 11, bold=True)
    r += 1
    for label, c0, c1 in month_columns:
        _cell(ws, r, c0, c1, label, F["header"])
    pages.set(r, month_header_h)
    r += 1
    ikpa_by_month = {m.bulan: m for m in fig.ikpa.bulanan}
    first_month_row = r
    for mf in fig.bulanan:
        im = ikpa_by_month.get(mf.bulan)
        values: tuple[Any, ...] = (
            month_name(mf.bulan),
            mf.realisasi,
            mf.rpd,
            mf.realisasi_kumulatif,
            mf.rpd_kumulatif,
            "-" if mf.deviasi_persen is None else _r2(mf.deviasi_persen),
            _r2(mf.rata_progres),
            None if im is None else _r2(im.tepat_waktu),
            None if im is None else _r2(im.capaian),
            None if im is None else _r2(im.nilai),
        )
        for (label, c0, c1), value in zip(month_columns, values, strict=True):
            money = "(Rp)" in label
            fmt = F["text"] if isinstance(value, str) or value is None else F["money" if money else "num"]
            _cell(ws, r, c0, c1, value, fmt)
        pages.set(r, month_h)
        r += 1
    last_month_row = r - 1
    gap(r)
    r += 1

    # --- C. scores (each block moves to the next page whole) ---------------------------------
    ikpa_band = scores.band(fig.ikpa.nilai, s.ikpa_bands)
    nka_band = scores.band(fig.nka.nilai, s.nka_bands)
    from sopxl.core.calendar import deadline_label

    ikpa_rows: list[tuple[str, Any, str]] = [
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
    ]
    nka_rows: list[tuple[str, Any, str]] = [
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
    ]
    nka_formula = (
        f"{_pct(s.nka_weight_p)} P + {_pct(s.nka_weight_k)} K + {_pct(s.nka_weight_cro)} CRO + "
        f"{_pct(s.nka_weight_ne)} NE"
    )
    plan_rows: list[tuple[str, Any, str]] = []
    plan_title = ""
    if fig.bulan_akhir < 12:
        # Mid-year the year-based NKA measures half a year against the whole year's pagu and
        # targets, so its band would mislead: the band goes with the reading against the plan
        # to date (scores.md, "NKA against the plan to date").
        until = month_name(fig.bulan_akhir)
        nr = fig.nka_rencana
        plan_title = f"Nilai Kinerja Anggaran: perkiraan terhadap rencana s.d. {until} (ukuran sopxl, bukan ketentuan PMK)"
        plan_rows = [
            ("Penyerapan terhadap RPD (P)", nr.penyerapan,
             f"bobot {_pct(s.nka_weight_p)}; min(Σ realisasi / Σ RPD Januari s.d. {until} × 100, 100)"),
            ("Konsistensi Penyerapan terhadap RPD (K) *", nr.konsistensi,
             f"bobot {_pct(s.nka_weight_k)}; sama dengan K aspek implementasi PMK 22 (sudah diukur terhadap rencana)"),
            ("Capaian RO terhadap Target Progres (CRO)", nr.capaian_ro,
             f"bobot {_pct(s.nka_weight_cro)}; rata-rata min(Progres Capaian / Target Progres, 1) × 100 "
             f"bulan {until}"),
            ("Efisiensi (E)", nr.efisiensi,
             f"Σ(RPD × c − realisasi) / Σ(RPD × c) × 100 s.d. {until}, c = min(Progres / Target Progres, 1); "
             f"dibatasi −{s.nka_efficiency_clamp:g} s.d. {s.nka_efficiency_clamp:g}"),
            ("Nilai Efisiensi (NE)", nr.nilai_efisiensi,
             f"bobot {_pct(s.nka_weight_ne)}; NE = 50 + (E / {s.nka_efficiency_clamp:g}) × 50"),
            ("NKA terhadap rencana", nr.nilai, nka_formula),
            (f"Kategori (perkiraan terhadap rencana s.d. {until})", scores.band(nr.nilai, s.nka_bands),
             _bands_text(s.nka_bands)),
        ]
        nka_rows += [
            ("Nilai Kinerja Anggaran (NKA) terhadap pagu dan target setahun", fig.nka.nilai,
             f"{nka_formula}; mengukur capaian s.d. {until} terhadap pagu dan target volume setahun "
             "penuh, sehingga wajar rendah di tengah tahun; kategori hanya untuk akhir tahun"),
        ]
    else:
        nka_rows += [
            ("Nilai Kinerja Anggaran (NKA)", fig.nka.nilai, nka_formula),
            ("Kategori NKA", nka_band, _bands_text(s.nka_bands)),
        ]
    ikpa_heights = _score_heights(ikpa_rows)
    pages.keep(r, section_h + sum(ikpa_heights))
    text_row(r, "C. NILAI KINERJA", F["section"], 11, bold=True)
    r += 1
    r = _score_block(ws, F, pages, r, ikpa_title(s), ikpa_rows, ikpa_heights)
    gap(r)
    r += 1
    nka_heights = _score_heights(nka_rows)
    footnotes = nka_footnotes(s)
    footnote_heights = [
        row_height(wrapped_lines(note, col_points(1, LAST_COL), TEXT_PT), TEXT_PT) for note in footnotes
    ]
    if plan_rows:
        plan_heights = _score_heights(plan_rows)
        pages.keep(r, sum(plan_heights))
        r = _score_block(ws, F, pages, r, plan_title, plan_rows, plan_heights)
        gap(r)
        r += 1
    pages.keep(r, sum(nka_heights) + sum(footnote_heights))
    r = _score_block(ws, F, pages, r, NKA_REGULATION, nka_rows, nka_heights)
    for note, height in zip(footnotes, footnote_heights, strict=True):
        ws.merge_range(r, 1, r, LAST_COL, note, F["footnote"])
        pages.set(r, height)
        r += 1

    # --- D. charts (a printed page of their own, so no chart is cut at a page end) -----------
    pages.new_page(r)
    text_row(r, "D. GRAFIK", F["section"], 11, bold=True)
    r += 1
    chart_width = int((full + 5.0) / 0.75) - 20  # pixels
    chart_top = r
    for k in range(26):  # 26 rows of 15 pt hold both charts, one under the other
        pages.set(r + k, 15.0)
    if fig.ro:
        shown = min(len(fig.ro), MAX_CHART_ROS)
        bar = workbook.add_chart({"type": "column"})
        rows = ro_rows[:shown]
        # The bars read the RO rows; a header written again between them is left out.
        spans = _row_spans(rows)
        bar.add_series(
            {
                "name": "Capaian (%)",
                "categories": _multi_range(fig.sheet, spans, 1) if len(spans) > 1 else
                [fig.sheet, first_ro_row, 1, first_ro_row + shown - 1, 1],
                "values": _multi_range(fig.sheet, spans, 8) if len(spans) > 1 else
                [fig.sheet, first_ro_row, 8, first_ro_row + shown - 1, 8],
                "fill": {"color": "#2E75B6"},
                "border": {"color": "#1F4E79"},
            }
        )
        title = "Capaian Volume per RO (%)"
        if shown < len(fig.ro):
            title += f" — {shown} RO pertama dari {len(fig.ro):,}".replace(",", ".")
        bar.set_title({"name": title, "name_font": {"size": 12, "name": FONT}})
        bar.set_x_axis({"num_font": {"size": 8, "rotation": -45, "name": FONT}})
        bar.set_y_axis({"name": "%", "min": 0, "num_font": {"size": 8, "name": FONT},
                        "name_font": {"size": 9, "name": FONT}})
        bar.set_legend({"none": True})
        bar.set_size({"width": chart_width, "height": 270})
        ws.insert_chart(chart_top, 1, bar, {"x_offset": 5, "y_offset": 4})
    if fig.bulanan:
        line = workbook.add_chart({"type": "line"})
        for name, col, color, marker, dash in (
            ("Realisasi kumulatif", 5, "#C00000", "circle", None),
            ("RPD kumulatif", 7, "#548235", "square", "dash"),
        ):
            series: dict[str, Any] = {
                "name": name,
                "categories": [fig.sheet, first_month_row, 1, last_month_row, 1],
                "values": [fig.sheet, first_month_row, col, last_month_row, col],
                "line": {"color": color, "width": 2.25, **({"dash_type": dash} if dash else {})},
                "marker": {"type": marker, "fill": {"color": color}, "border": {"color": color}},
            }
            line.add_series(series)
        line.set_title({"name": "Realisasi Anggaran vs RPD Kumulatif (Rp)", "name_font": {"size": 12, "name": FONT}})
        line.set_x_axis({"num_font": {"size": 9, "name": FONT}})
        line.set_y_axis({"num_format": "#,##0", "min": 0, "num_font": {"size": 8, "name": FONT}})
        line.set_legend({"position": "bottom", "font": {"size": 9, "name": FONT}})
        line.set_size({"width": chart_width, "height": 230})
        ws.insert_chart(chart_top + 13, 1, line, {"x_offset": 5, "y_offset": 12})
    r += 26

    # --- E. narratives (a new printed page: narratives and sign-offs stay together) ----------
    pages.new_page(r)
    text_row(
        r,
        "E. ANALISIS DAN REKOMENDASI (diisi oleh Pelaksana/JF; isian tetap tersimpan saat konsolidasi ulang)",
        F["section"], 11, bold=True,
    )
    r += 1
    narrative_width = col_points(2, LAST_COL)
    for label in spec.REPORT_NARRATIVES:
        ws.write_string(r, 1, label, F["label"])
        typed = inputs.narratives.get(label)
        _write_merged_value(ws, r, 2, LAST_COL, typed, F["fill"], F["fill_date"])
        text = "" if typed is None else str(typed)
        pages.set(r, max(60.0, min(row_height(wrapped_lines(text, narrative_width, 10), 10), 110.0)))
        r += 1
    gap(r)
    r += 1

    # --- F. sign-offs ------------------------------------------------------------------------------
    text_row(r, "F. PENGESAHAN", F["section"], 11, bold=True)
    r += 1
    prefill = {
        "Diperiksa oleh": inputs.kasi,
        "Disetujui oleh": inputs.kepala,
    }
    spans3 = ((1, 2, 4), (6, 7, 9), (10, 11, LAST_COL))  # label col, value first col, value last col
    for (label_col, v0, v1), label in zip(spans3, spec.REPORT_SIGNOFFS, strict=True):
        ws.write_string(r, label_col, label, F["label"])
        kept = inputs.signoffs.get(label, {})
        for k, name in enumerate(SIGNOFF_FIELDS, start=1):
            ws.write_string(r + k, label_col, name, F["sublabel"])
            typed = kept.get(name)
            if is_blank(typed) and label in prefill:
                pre = prefill[label][0 if name == "Nama" else 1] if name != "Tanggal" else ""
                typed = pre or None
            _write_merged_value(ws, r + k, v0, v1, typed, F["fill"], F["fill_date"])
    pages.set(r, row_height(1, 10))
    for k in range(1, 4):
        pages.set(r + k, 22)
    r += 4
    last_row = r - 1

    # --- page setup -------------------------------------------------------------------------------
    ws.set_landscape()
    ws.set_paper(9)  # A4
    ws.set_margins(**MARGINS)
    ws.set_header("", {"margin": 0.2})
    ws.set_footer(f"&L&\"{FONT}\"&9{fig.sheet}&R&\"{FONT}\"&9Halaman &P dari &N", {"margin": 0.25})
    ws.print_area(0, 0, last_row, LAST_COL)
    ws.set_print_scale(100)
    ws.set_h_pagebreaks(pages.breaks)


def _ro_text(ro: RoFigures, attr: str) -> str:
    """The text an RO's row shows in a text column."""
    if attr == "kendala":
        return ro.kendala_akhir
    if attr == "tindak_lanjut":
        return "\n".join(ro.tindak_lanjut)
    return str(getattr(ro, attr))


def _write_ro_row(ws: Any, F: dict[str, Any], r: int, number: int, ro: RoFigures) -> None:
    volume = F[f"vol{volume_decimals(ro.target_volume, ro.realisasi_volume_kumulatif)}"]
    for c, (_label, attr) in enumerate(RO_COLUMNS):
        if not attr:
            ws.write_number(r, c, number, F["int"])
        elif attr in RO_NUMBER_FIELDS:
            value = float(getattr(ro, attr))
            if attr in MONEY_FIELDS:
                ws.write_number(r, c, value, F["money"])
            elif attr in ("target_volume", "realisasi_volume_kumulatif"):
                ws.write_number(r, c, value, volume)
            else:
                ws.write_number(r, c, _r2(value), F["num"])
        else:
            wrap = attr in ("uraian", "satuan", "kendala", "tindak_lanjut")
            ws.write_string(r, c, _ro_text(ro, attr), F["wrap"] if wrap else F["text"])


def _cell(ws: Any, r: int, c0: int, c1: int, value: Any, fmt: Any) -> None:
    """One value in columns c0..c1 (merged when more than one)."""
    if c1 > c0:
        ws.merge_range(r, c0, r, c1, "", fmt)
    if value is None:
        ws.write_blank(r, c0, None, fmt)
    elif isinstance(value, str):
        ws.write_string(r, c0, value, fmt)
    else:
        ws.write_number(r, c0, value, fmt)


def _row_spans(rows: list[int]) -> list[tuple[int, int]]:
    """Consecutive runs (first, last) of `rows`."""
    spans: list[tuple[int, int]] = []
    for row in rows:
        if spans and spans[-1][1] == row - 1:
            spans[-1] = (spans[-1][0], row)
        else:
            spans.append((row, row))
    return spans


def _multi_range(sheet: str, spans: list[tuple[int, int]], col: int) -> str:
    """A chart range over several blocks of one column: ('Sheet'!$B$5:$B$9,'Sheet'!$B$12:$B$20)."""
    from xlsxwriter.utility import xl_range_abs

    quoted = "'" + sheet.replace("'", "''") + "'"
    return "(" + ",".join(f"{quoted}!{xl_range_abs(a, col, b, col)}" for a, b in spans) + ")"


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


def _score_heights(rows: list[tuple[str, Any, str]]) -> list[float]:
    """Heights of a score block's rows: its title, then one per score."""
    heights = [row_height(1, 10)]
    for label, _value, note in rows:
        lines = max(
            wrapped_lines(label, col_points(1, 3), TEXT_PT),
            wrapped_lines(note, col_points(6, LAST_COL), TEXT_PT),
        )
        heights.append(row_height(lines, TEXT_PT))
    return heights


def _score_block(
    ws: Any,
    F: dict[str, Any],
    pages: _Pages,
    r: int,
    title: str,
    rows: list[tuple[str, Any, str]],
    heights: list[float],
) -> int:
    """A score block: label in B:D, value in E:F, how it is computed in G:N."""
    ws.merge_range(r, 1, r, LAST_COL, title, F["subsection"])
    pages.set(r, heights[0])
    r += 1
    for (label, value, note), height in zip(rows, heights[1:], strict=True):
        ws.merge_range(r, 1, r, 3, label, F["score_label"])
        if isinstance(value, str):
            ws.merge_range(r, 4, r, 5, value, F["score_text"])
        else:
            ws.merge_range(r, 4, r, 5, "", F["score"])
            ws.write_number(r, 4, _r2(float(value)), F["score"])
        ws.merge_range(r, 6, r, LAST_COL, note, F["score_note"])
        pages.set(r, height)
        r += 1
    return r


def _formats(wb: Any) -> dict[str, Any]:
    """The report's cell formats (Arial, see FONT; no text under TABLE_PT)."""
    base = {"font_name": FONT, "font_size": TEXT_PT}
    cell = {**base, "border": 1, "valign": "top", "font_size": TABLE_PT}
    score = {**base, "border": 1, "valign": "top"}

    def fmt(props: dict[str, Any]) -> Any:
        return wb.add_format(props)

    return {
        "title": fmt({**base, "bold": True, "font_size": 14, "align": "center"}),
        "subtitle": fmt({**base, "bold": True, "font_size": 11, "align": "center"}),
        "note": fmt({**base, "italic": True, "align": "center", "font_color": "#595959"}),
        "warning": fmt({**base, "font_size": 10, "bold": True, "font_color": "#C00000", "bg_color": "#FCE4D6",
                        "text_wrap": True, "valign": "top"}),
        "section": fmt({**base, "bold": True, "font_size": 11, "bg_color": "#D9E1F2", "bottom": 1}),
        "subsection": fmt({**base, "bold": True, "font_size": 10, "bg_color": "#EDEDED", "border": 1}),
        "header": fmt({**cell, "bold": True, "bg_color": "#BDD7EE", "text_wrap": True,
                       "align": "center", "valign": "vcenter"}),
        "int": fmt({**cell, "num_format": "0", "align": "center"}),
        "num": fmt({**cell, "num_format": "#,##0.00"}),
        "money": fmt({**cell, "num_format": "#,##0"}),
        "vol0": fmt({**cell, "num_format": "#,##0"}),
        "vol1": fmt({**cell, "num_format": "#,##0.0"}),
        "vol2": fmt({**cell, "num_format": "#,##0.00"}),
        "text": fmt({**cell}),
        "wrap": fmt({**cell, "text_wrap": True}),
        "total_label": fmt({**cell, "bold": True, "bg_color": "#F2F2F2"}),
        "total_num": fmt({**cell, "bold": True, "bg_color": "#F2F2F2", "num_format": "#,##0.00"}),
        "total_money": fmt({**cell, "bold": True, "bg_color": "#F2F2F2", "num_format": "#,##0"}),
        "score_label": fmt({**score, "text_wrap": True}),
        "score": fmt({**score, "bold": True, "num_format": "0.00", "align": "center"}),
        "score_text": fmt({**score, "bold": True, "align": "center"}),
        "score_note": fmt({**score, "text_wrap": True}),
        "footnote": fmt({**base, "italic": True, "text_wrap": True, "valign": "top"}),
        "label": fmt({**base, "font_size": 10, "bold": True, "valign": "top"}),
        "sublabel": fmt({**base, "font_size": 10, "valign": "vcenter"}),
        "fill": fmt({**base, "font_size": 10, "border": 1, "text_wrap": True, "valign": "top", "bg_color": "#E2EFDA"}),
        "fill_date": fmt({**base, "font_size": 10, "border": 1, "valign": "top", "bg_color": "#E2EFDA",
                          "num_format": "d mmmm yyyy", "align": "left"}),
    }


def build_report_workbook(path: Path, inputs: ReportInputs) -> None:
    """Write a workbook holding only the report sheet (standalone report or graft source)."""
    import xlsxwriter

    wb = xlsxwriter.Workbook(
        str(path),
        {
            "strings_to_numbers": False,
            "strings_to_formulas": False,
            # the column width unit is the default font's digit: Arial's is as wide in Excel
            # and LibreOffice (which has no Calibri and would widen every column otherwise)
            "default_format_properties": {"font_name": FONT, "font_size": 10},
        },
    )
    wb.set_properties(
        {
            "title": f"{inputs.figures.sheet} {inputs.figures.tahun or ''}".strip(),
            "subject": "Laporan Capaian Output dan Kinerja Anggaran",
            "author": "sopxl",
        }
    )
    write_report_sheet(wb, inputs)
    wb.close()
