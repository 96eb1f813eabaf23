"""Reading and checking one received workbook: what a pool worker does for one file.

`examine` never raises for anything the file holds: a refusal of the reader or the safety
gate comes back as `{"ok": False, "alasan": ...}` (the validation's own Indonesian sentence).
Its result is plain JSON data, so it crosses process boundaries and is cached as is.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from sopxl.core import spec
from sopxl.core.errors import SopxlError

# Bump when the shape or meaning of `examine`'s result changes: old cache rows are then ignored.
RESULT_VERSION = 5

LATE_RULE = "CAP-TERLAMBAT"


def _text(value: Any) -> str | None:
    from sopxl.read.tables import CellError

    if value is None or isinstance(value, CellError):
        return None
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    text = " ".join(str(value).split())
    return text or None


def examine(
    path: str,
    periode: str,
    file_overrides: Mapping[str, Any] | None = None,
    run_overrides: Mapping[str, Any] | None = None,
) -> dict[str, Any]:
    """Validate the workbook at `path` and compute `periode`'s figures as `sopxl consolidate
    --format json` does (up to the workbook's reporting month)."""
    try:
        return _examine(Path(path), periode, file_overrides, run_overrides)
    except SopxlError as exc:
        return {"ok": False, "alasan": exc.message}
    except MemoryError:
        return {"ok": False, "alasan": f"Berkas '{Path(path).name}' terlalu besar untuk dibaca (memori habis)."}
    except OSError as exc:
        from sopxl.read.safety import os_reason

        return {"ok": False, "alasan": f"Berkas '{Path(path).name}' tidak dapat dibaca: {os_reason(exc)}."}


def _examine(
    path: Path,
    periode: str,
    file_overrides: Mapping[str, Any] | None,
    run_overrides: Mapping[str, Any] | None,
) -> dict[str, Any]:
    from sopxl.calc.figures import compute_figures, effective_end
    from sopxl.calc.scores import penyerapan
    from sopxl.read.period import budget_year, reporting_month
    from sopxl.read.settings import reading_settings, resolve_settings
    from sopxl.read.workbook import read_workbook
    from sopxl.rules.validate import check

    # one thread: the pool already keeps every core busy with a workbook of its own
    data = read_workbook(path, reading_settings(file_overrides, run_overrides), threads=False)
    settings = resolve_settings(data, file_overrides, run_overrides)
    result = check(data, settings)
    late_months = sorted(
        {n for f in result.findings if f.rule == LATE_RULE and (n := spec.month_number(f.sheet)) is not None}
    )
    out: dict[str, Any] = {
        "ok": True,
        "kode": _text(data.identity_value(spec.ID_KODE_SATKER)),
        "nama": _text(data.identity_value(spec.ID_NAMA_SATKER)),
        "tahun": budget_year(data),
        "errors": result.errors,
        "warnings": result.warnings,
        "bulan_pelaporan": reporting_month(data) or None,
        "bulan_terlambat": late_months,
        "ikpa": None,
        "nka": None,
        "penyerapan_persen": None,
        "capaian_persen": None,
        "ro": [],
        "jumlah_ro": 0,  # len(ro): the recap numbers its rows without reading them (run.SatkerRow)
    }
    # consolidate's own preconditions: data in the period and ROs to report
    _, start, _end = spec.PERIODS[periode]
    if effective_end(data, periode) < start or data.referensi is None or not data.referensi.rows:
        return out
    fig = compute_figures(data, periode, settings, hashes=False)
    payload = fig.to_json_dict()  # the figures exactly as `consolidate --format json` gives them
    ros = payload["ro"]
    out["ikpa"] = float(payload["ikpa_capaian_output"]["nilai"])
    out["nka"] = float(payload["nka"]["nilai"])
    out["penyerapan_persen"] = penyerapan(
        sum(float(r["realisasi_anggaran"]) for r in ros), sum(float(r["pagu"]) for r in ros)
    )
    out["capaian_persen"] = (
        sum(float(r["capaian_persen"]) for r in ros) / len(ros) if ros else None
    )
    by_code = {r.kode: r for r in fig.ro}
    out["ro"] = [
        {
            **{k: float(v) if isinstance(v, int | float) else v for k, v in r.items()},
            "uraian": by_code[r["kode"]].uraian if r["kode"] in by_code else "",
            "satuan": by_code[r["kode"]].satuan if r["kode"] in by_code else "",
        }
        for r in ros
    ]
    out["jumlah_ro"] = len(out["ro"])
    from sopxl.recap.rows import ro_rows_template

    # the Rekap RO rows, made here in the pool rather than in the parent for every satker
    out["ro_xml"] = ro_rows_template(str(out["kode"] or ""), out["ro"])
    return out


def preload() -> None:
    """Import (and load the data of) what `examine` needs before a worker gets its first file:
    a worker's first file would otherwise pay for them, and forked workers of a pool made
    after this call in the parent inherit them instead of each importing them again."""
    import python_calamine  # noqa: F401  (the reader imports it on its first workbook)

    import sopxl.calc.figures
    import sopxl.calc.report_layout
    import sopxl.read.state
    import sopxl.read.workbook
    import sopxl.rules
    import sopxl.rules.validate  # noqa: F401
    from sopxl.core import calendar, regulasi

    calendar.national_holidays(calendar.today(None).year)
    regulasi.table()


__all__ = ["RESULT_VERSION", "examine", "preload"]
