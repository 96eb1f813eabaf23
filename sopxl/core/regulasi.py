"""Regulation parameters by budget year: the table bundled as `sopxl/data/regulasi.toml`.

The IKPA and NKA weights and bands, the deadline rule and the thresholds change with the
regulations, and a workbook of an earlier budget year is judged by the rules of its year. Each
row of the table applies from its Tahun Anggaran (`dari`) up to the next row's; the last row up
to `diperiksa_sampai`, the last year the table was checked. :func:`choose` picks the row for a
year and says, in Indonesian, when the year is outside the table; `resolve_settings`
(`sopxl/rules/validate.py`) lays the row between the spec defaults and the user's overrides.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from types import MappingProxyType
from typing import Any, Final

DATA_FILE: Final = "regulasi.toml"

# The settings a row must give (sopxl/core/config.py names them).
PARAMETER_KEYS: Final = (
    "ikpa_weight_timeliness",
    "ikpa_weight_achievement",
    "ikpa_bands",
    "nka_weight_p",
    "nka_weight_k",
    "nka_weight_cro",
    "nka_weight_ne",
    "nka_efficiency_clamp",
    "nka_bands",
    "deadline_day",
    "deadline_days",
    "rpd_deviation_pct",
    "selisih_progres_anggaran",
    "selisih_progres_anggaran_pn",
)


@dataclass(frozen=True)
class Regulasi:
    """One row: the regulations of budget years `dari` .. `sampai` and their parameters."""

    dari: int
    sampai: int  # the last year of the row (the last row: the year the table was checked to)
    ikpa: str  # the IKPA regulation, short ("PER-5/PB/2024")
    nka: str  # the budget performance evaluation regulation, short ("PMK 62/2023")
    keterangan: str  # the report's footnote on what the figures follow
    pengaturan: Mapping[str, Any]  # setting name -> value, every PARAMETER_KEYS

    @property
    def names(self) -> str:
        """Both regulations, as a sentence names them: "PER-5/PB/2024, PMK 62/2023"."""
        return f"{self.ikpa}, {self.nka}"


class BrokenTable(RuntimeError):
    """The bundled table is incomplete or out of order: a defect of sopxl, not of the user's data."""


@lru_cache(maxsize=1)
def table() -> tuple[Regulasi, ...]:
    """The rows, ascending by `dari` (read and checked once)."""
    import tomllib  # here, not at import: every command imports this module, few read TOML

    # beside the package's modules (importlib.resources would import tempfile and shutil on
    # every run for one file a wheel always unpacks)
    text = (Path(__file__).resolve().parent.parent / "data" / DATA_FILE).read_text("utf-8")
    return parse_table(tomllib.loads(text))


def parse_table(doc: Mapping[str, Any]) -> tuple[Regulasi, ...]:
    """The rows of a parsed table; :class:`BrokenTable` when a row lacks a field or a
    parameter, or the rows are not in strictly ascending `dari`."""
    checked = doc.get("diperiksa_sampai")
    raw = doc.get("regulasi")
    if not isinstance(checked, int) or not isinstance(raw, list) or not raw:
        raise BrokenTable(f"{DATA_FILE}: 'diperiksa_sampai' and at least one [[regulasi]] row are required")
    starts: list[int] = []
    for row in raw:
        start = row.get("dari") if isinstance(row, dict) else None
        if not isinstance(start, int):
            raise BrokenTable(f"{DATA_FILE}: a row without an integer 'dari'")
        starts.append(start)
    if starts != sorted(set(starts)) or checked < starts[-1]:
        raise BrokenTable(f"{DATA_FILE}: rows must ascend by 'dari' and end at or before 'diperiksa_sampai'")
    rows = []
    for i, row in enumerate(raw):
        for key in ("ikpa", "nka", "keterangan"):
            if not isinstance(row.get(key), str) or not row[key].strip():
                raise BrokenTable(f"{DATA_FILE}: row {starts[i]} lacks '{key}'")
        params = row.get("pengaturan")
        missing = [k for k in PARAMETER_KEYS if not isinstance(params, dict) or k not in params]
        unknown = [k for k in params or {} if k not in PARAMETER_KEYS]
        if missing or unknown:
            raise BrokenTable(f"{DATA_FILE}: row {starts[i]} misses {missing}, has unknown {unknown}")
        assert isinstance(params, dict)
        rows.append(
            Regulasi(
                dari=starts[i],
                sampai=starts[i + 1] - 1 if i + 1 < len(starts) else checked,
                ikpa=row["ikpa"].strip(),
                nka=row["nka"].strip(),
                keterangan=" ".join(row["keterangan"].split()),
                pengaturan=MappingProxyType({k: params[k] for k in PARAMETER_KEYS}),
            )
        )
    return tuple(rows)


def newest() -> Regulasi:
    """The last row: today's regulations (the spec defaults)."""
    return table()[-1]


def row_for(year: int) -> Regulasi:
    """The row whose years hold `year`; outside the table the nearest one (the last row after
    it, the first before it)."""
    rows = table()
    found = rows[0]
    for row in rows:
        if row.dari <= year:
            found = row
    return found


def choose(year: int | None) -> tuple[Regulasi, str | None]:
    """The row for a workbook of budget year `year` (None: not readable) and the sentence the
    report prints when the year is not in the table (None when it is)."""
    if year is None:
        row = newest()
        return row, (
            f"Tahun Anggaran buku kerja tidak terbaca; dipakai parameter Tahun Anggaran {row.dari} "
            f"({row.names})."
        )
    row = row_for(year)
    if row.dari <= year <= row.sampai:
        return row, None
    if year < row.dari:
        missing = f"tidak ada di tabel regulasi sopxl (tabel mulai Tahun Anggaran {row.dari})"
    else:
        missing = "belum ada di tabel regulasi sopxl"
    return row, f"Tahun Anggaran {year} {missing}; dipakai parameter Tahun Anggaran {row.dari} ({row.names})."


__all__ = ["PARAMETER_KEYS", "BrokenTable", "Regulasi", "choose", "newest", "parse_table", "row_for", "table"]
