"""A workbook's settings, resolved in one place: defaults, the regulation parameters of its
budget year, its own `Pengaturan` sheet, a settings file, `--set` values.

In the read layer (not with the rules): `sopxl status` and other commands that run no rule
need them without importing the rule catalogue.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sopxl.core import regulasi
from sopxl.core.config import Settings
from sopxl.read.period import budget_year
from sopxl.read.workbook import WorkbookData


def workbook_pairs(data: WorkbookData) -> dict[str, Any]:
    """The workbook's own `Pengaturan` sheet (Kunci | Nilai) as key -> value."""
    table = data.pengaturan
    if table is None:
        return {}
    return {
        str(row.get("Kunci")).strip(): row.get("Nilai")
        for row in table.rows
        if row.get("Kunci") is not None and row.get("Nilai") is not None
    }


def resolve_settings(
    data: WorkbookData,
    file_overrides: Mapping[str, Any] | None = None,
    run_overrides: Mapping[str, Any] | None = None,
) -> Settings:
    """Defaults, then the regulation parameters of the workbook's budget year
    (`sopxl/core/regulasi.py`), then the workbook's settings, then a settings file, then `--set`
    values. The result records the table row used (`regulasi_tahun`), the regulations'
    names, and `regulasi_catatan`: what the report must say about the choice (a year outside
    the table, another year's row chosen by the user, parameters changed over the row's)."""
    layers = [pairs for pairs in (workbook_pairs(data), file_overrides, run_overrides) if pairs]
    year = budget_year(data)
    row, note = regulasi.choose(year)
    notes = [note] if note else []
    asked = _asked_regulation_year(layers)
    if asked is not None and regulasi.row_for(asked) != row:
        # the user's choice wins over the workbook's year, and the report says whose it is
        row = regulasi.row_for(asked)
        notes = [
            f"Dipakai parameter Tahun Anggaran {row.dari} ({row.names}) sesuai pengaturan "
            f"regulasi_tahun = {asked}"
            + (f", bukan Tahun Anggaran buku kerja ({year})." if year is not None else ".")
        ]
    of_row = Settings().with_overrides(
        {**row.pengaturan, "regulasi_ikpa": row.ikpa, "regulasi_nka": row.nka}
    )
    settings = of_row
    for pairs in layers:
        settings = settings.with_overrides(pairs)
    changed = [key for key in regulasi.PARAMETER_KEYS if getattr(settings, key) != getattr(of_row, key)]
    if changed:
        notes.append(
            f"Diubah lewat pengaturan dari nilai tabel regulasi Tahun Anggaran {row.dari}: "
            + ", ".join(changed) + "."
        )
    return settings.derive(regulasi_tahun=row.dari, regulasi_catatan=" ".join(notes) or None)


def _asked_regulation_year(layers: list[Mapping[str, Any]]) -> int | None:
    """`regulasi_tahun` as the last layer that sets it gives it (validated), else None."""
    raw = [pairs[key] for pairs in layers for key in pairs if str(key).strip() == "regulasi_tahun"]
    if not raw:
        return None
    return Settings().with_overrides({"regulasi_tahun": raw[-1]}).regulasi_tahun


def reading_settings(
    file_overrides: Mapping[str, Any] | None = None,
    run_overrides: Mapping[str, Any] | None = None,
) -> Settings:
    """The settings the reader's guards obey (max_rows_per_sheet, ...): known before the
    workbook is read, so from a settings file and `--set` only."""
    return Settings().with_overrides({**(file_overrides or {}), **(run_overrides or {})})


__all__ = ["reading_settings", "resolve_settings", "workbook_pairs"]
