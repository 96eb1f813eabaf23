"""The report sheet's layout as both its writer (sopxl.report.sheet) and its readers (the
LAP-* rules, consolidation keeping what people typed) know it.

Readers find labels by text, never by position: a narrative's text is the first non-empty
cell right of its label on the same row (else the cell below it); a sign-off's
Nama/NIP/Tanggal are the rows below its label whose cell in the label's column reads
`Nama`/`NIP`/`Tanggal`, value in the next cell right.
"""

from __future__ import annotations

from typing import Any

from sopxl.calc.figures import RoFigures
from sopxl.core import spec
from sopxl.read.tables import is_blank

SIGNOFF_FIELDS: tuple[str, ...] = ("Nama", "NIP", "Tanggal")

# The per-RO table: header text -> RoFigures attribute ("" for the running number).
RO_COLUMNS: tuple[tuple[str, str], ...] = (
    ("No", ""),
    ("Kode RO", "kode"),
    ("Uraian RO", "uraian"),
    ("Satuan", "satuan"),
    ("Target Volume", "target_volume"),
    ("Realisasi Volume Kumulatif", "realisasi_volume_kumulatif"),
    ("Progres Capaian (%)", "progres_capaian"),
    ("Target Progres (%)", "target_progres"),
    ("Capaian (%)", "capaian_persen"),
    ("Pagu (Rp)", "pagu"),
    ("Realisasi Anggaran (Rp)", "realisasi_anggaran"),
    ("Penyerapan (%)", "penyerapan_persen"),
    ("Kendala", "kendala"),
    ("Tindak Lanjut", "tindak_lanjut"),
)
RO_NUMBER_FIELDS: frozenset[str] = frozenset(
    {
        "target_volume",
        "realisasi_volume_kumulatif",
        "progres_capaian",
        "target_progres",
        "capaian_persen",
        "pagu",
        "realisasi_anggaran",
        "penyerapan_persen",
    }
)
MONEY_FIELDS: frozenset[str] = frozenset({"pagu", "realisasi_anggaran"})
TOTAL_LABEL = "Jumlah / Rata-rata"


def is_ro_header(row: list[Any]) -> bool:
    """Whether `row` is the per-RO table's header row: it holds `Kode RO` and `Capaian (%)`.

    The printed report writes that row again at the top of every page the table continues
    on, so a reader of the table skips such rows between the RO rows.
    """
    keys = {spec.norm(v) for v in row if isinstance(v, str)}
    return spec.norm("Kode RO") in keys and spec.norm("Capaian (%)") in keys



def totals_of(ros: list[RoFigures]) -> dict[str, float]:
    """The totals row's figures by RoFigures attribute (averages for percents, sums for money)."""
    n = len(ros)
    pagu = sum(x.pagu for x in ros)
    real = sum(x.realisasi_anggaran for x in ros)
    return {
        "progres_capaian": sum(x.progres_capaian for x in ros) / n if n else 0.0,
        "target_progres": sum(x.target_progres for x in ros) / n if n else 0.0,
        "capaian_persen": sum(x.capaian_persen for x in ros) / n if n else 0.0,
        "pagu": pagu,
        "realisasi_anggaran": real,
        "penyerapan_persen": real / pagu * 100.0 if pagu > 0 else 0.0,
    }


# --- reading what people typed -----------------------------------------------------------------


def _cell(grid: list[list[Any]], r: int, c: int) -> Any:
    if 0 <= r < len(grid) and 0 <= c < len(grid[r]):
        return grid[r][c]
    return None


def find_label(grid: list[list[Any]], label: str) -> tuple[int, int] | None:
    """0-based (row, col) of the first cell reading `label` (spec.norm matching)."""
    key = spec.norm(label)
    for r, row in enumerate(grid):
        for c, v in enumerate(row):
            if isinstance(v, str) and spec.norm(v) == key:
                return r, c
    return None


def narrative_value(grid: list[list[Any]], at: tuple[int, int]) -> tuple[Any, tuple[int, int]]:
    """The text of a narrative label at `at`: first non-empty cell right of it, else the cell
    below; returns (value or None, 0-based cell where it is or would be typed)."""
    r, c = at
    row = grid[r] if r < len(grid) else []
    for j in range(c + 1, len(row)):
        if not is_blank(row[j]):
            return row[j], (r, j)
    below = _cell(grid, r + 1, c)
    labels = {spec.norm(x) for x in (*spec.REPORT_NARRATIVES, *spec.REPORT_SIGNOFFS)}
    if not is_blank(below) and not (isinstance(below, str) and spec.norm(below) in labels):
        return below, (r + 1, c)
    return None, (r, c + 1)


def signoff_values(grid: list[list[Any]], at: tuple[int, int]) -> dict[str, tuple[Any, tuple[int, int]]]:
    """Nama/NIP/Tanggal under a sign-off label: (value or None, 0-based value cell)."""
    r, c = at
    wanted = {spec.norm(f): f for f in SIGNOFF_FIELDS}
    found: dict[str, tuple[Any, tuple[int, int]]] = {}
    for k in range(1, 6):
        v = _cell(grid, r + k, c)
        if not isinstance(v, str):
            continue
        key = spec.norm(v).rstrip(":").strip()
        name = wanted.get(key)
        if name is None or name in found:
            continue
        value = None
        where = (r + k, c + 1)
        for j in range(c + 1, min(c + 4, len(grid[r + k]))):
            cand = grid[r + k][j]
            if not is_blank(cand):
                if isinstance(cand, str) and spec.norm(cand).rstrip(":") in wanted:
                    break  # the next block's sub-label
                value, where = cand, (r + k, j)
                break
        found[name] = (value, where)
    return found


def read_people_cells(grid: list[list[Any]] | None) -> tuple[dict[str, Any], dict[str, dict[str, Any]]]:
    """Narratives and sign-offs typed into an existing report sheet, to write back."""
    narratives: dict[str, Any] = {}
    signoffs: dict[str, dict[str, Any]] = {}
    if not grid:
        return narratives, signoffs
    for label in spec.REPORT_NARRATIVES:
        at = find_label(grid, label)
        if at is not None:
            value, _ = narrative_value(grid, at)
            if not is_blank(value):
                narratives[label] = value
    for label in spec.REPORT_SIGNOFFS:
        at = find_label(grid, label)
        if at is not None:
            kept = {name: v for name, (v, _) in signoff_values(grid, at).items() if not is_blank(v)}
            if kept:
                signoffs[label] = kept
    return narratives, signoffs
