"""Where a workbook stands in the SOP (`sopxl status`): read only, it never writes.

Per month of the budget year: whether it is entered, its deadline (the 5th working day of the
next month with Indonesian holidays, `sopxl.core.calendar.deadline_for`), the latest Tanggal
Entri SAKTI and whether that was late, and the last validation's result for its sheet (from
sopxl's state: `riwayat` gives the time of the last validation, `temuan` its findings). Then
the next deadline from today (`sopxl.core.calendar.today`, so `--set today=` fixes it) with
the working days left, each report (written, stale as LAP-USANG sees it, sent as `sopxl
kirim` recorded it in the state key `kiriman`), and the Kendali SOP steps.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sopxl.calc.figures import data_hash
from sopxl.core import spec
from sopxl.core.calendar import deadline_for, is_working_day, today
from sopxl.core.config import Settings
from sopxl.core.parse import as_date
from sopxl.read.period import budget_year, reported_months, reporting_month
from sopxl.read.state import FINDINGS_KEY, HISTORY_KEY, REPORTS_KEY, load_state
from sopxl.read.workbook import WorkbookData, read_workbook

SENDS_KEY = "kiriman"  # written by sopxl kirim (sopxl.send.kirim.STATE_KEY; send is above this layer)


@dataclass
class MonthStatus:
    bulan: int
    terisi: bool
    tenggat: dt.date
    tanggal_entri: dt.date | None  # the latest Tanggal Entri SAKTI of the month's ROs
    terlambat: bool | None  # None: not entered and its deadline not passed, or no entry date
    validasi: dict[str, Any] | None  # {"tanggal", "kesalahan", "peringatan"} of the last run


@dataclass
class NextDeadline:
    bulan: int
    tanggal: dt.date
    hari_kerja_tersisa: int


@dataclass
class ReportStatus:
    periode: str
    ada: bool
    usang: bool | None  # None: no report, or no record of its consolidation
    dikirim: str | None  # time of the last successful send of this period


@dataclass
class KendaliStep:
    langkah: int
    tanggal: str | None
    status: str | None


@dataclass
class WorkbookStatus:
    file: str
    tahun: int
    bulan_pelaporan: int | None
    hari_ini: dt.date
    bulan: list[MonthStatus] = field(default_factory=list)
    tenggat_berikutnya: NextDeadline | None = None
    laporan: list[ReportStatus] = field(default_factory=list)
    kendali: list[KendaliStep] = field(default_factory=list)

    def to_json_dict(self) -> dict[str, Any]:
        """The exact contract of `sopxl status --format json`."""
        nxt = self.tenggat_berikutnya
        return {
            "file": self.file,
            "tahun": self.tahun,
            "bulan_pelaporan": self.bulan_pelaporan,
            "bulan": [
                {
                    "bulan": m.bulan,
                    "terisi": m.terisi,
                    "tenggat": m.tenggat.isoformat(),
                    "tanggal_entri": m.tanggal_entri.isoformat() if m.tanggal_entri else None,
                    "terlambat": m.terlambat,
                    "validasi": m.validasi,
                }
                for m in self.bulan
            ],
            "tenggat_berikutnya": None if nxt is None else {
                "bulan": nxt.bulan,
                "tanggal": nxt.tanggal.isoformat(),
                "hari_kerja_tersisa": nxt.hari_kerja_tersisa,
            },
            "laporan": [
                {"periode": r.periode, "ada": r.ada, "usang": r.usang, "dikirim": r.dikirim} for r in self.laporan
            ],
            "kendali": [{"langkah": k.langkah, "tanggal": k.tanggal, "status": k.status} for k in self.kendali],
        }


def working_days_left(start: dt.date, deadline: dt.date) -> int:
    """Working days from `start` to `deadline`, both included (0 once the deadline passed)."""
    count = 0
    day = start
    while day <= deadline:
        if is_working_day(day):
            count += 1
        day += dt.timedelta(days=1)
    return count


def next_deadline(year: int, on: dt.date, settings: Settings) -> NextDeadline | None:
    """The first deadline of the budget year's months on or after `on` (None after the last)."""
    for m in range(1, 13):
        deadline = deadline_for(year, m, settings)
        if deadline >= on:
            return NextDeadline(m, deadline, working_days_left(on, deadline))
    return None


def _last_validation(state: Mapping[str, Any]) -> str | None:
    history = state.get(HISTORY_KEY)
    if not isinstance(history, list):
        return None
    for entry in reversed(history):
        if isinstance(entry, dict) and entry.get("langkah") == 3 and isinstance(entry.get("waktu"), str):
            return str(entry["waktu"])
    return None


def _month_counts(state: Mapping[str, Any]) -> dict[int, tuple[int, int]]:
    """(errors, warnings) of the last validation's findings per month sheet."""
    counts: dict[int, tuple[int, int]] = {}
    findings = state.get(FINDINGS_KEY)
    for item in findings if isinstance(findings, list) else []:
        month = spec.month_number(item[2]) if isinstance(item, list) and len(item) > 2 else None
        if month is None:
            continue
        errors, warnings = counts.get(month, (0, 0))
        if item[1] == "error":
            errors += 1
        elif item[1] == "warning":
            warnings += 1
        counts[month] = (errors, warnings)
    return counts


def _months(data: WorkbookData, state: Mapping[str, Any], year: int, on: dt.date, settings: Settings) -> list[MonthStatus]:
    entered = set(reported_months(data))
    validated = _last_validation(state)
    counts = _month_counts(state)
    result: list[MonthStatus] = []
    for m in range(1, 13):
        deadline = deadline_for(year, m, settings)
        table = data.months.get(m)
        dates: list[dt.date] = []
        for value in table.column(spec.COL_TANGGAL) if table is not None else []:
            day = as_date(value)
            if day is not None:
                dates.append(day)
        terisi = m in entered
        if dates:
            late: bool | None = any(day > deadline for day in dates)
        else:
            late = True if not terisi and on > deadline else None
        errors, warnings = counts.get(m, (0, 0))
        result.append(
            MonthStatus(
                bulan=m,
                terisi=terisi,
                tenggat=deadline,
                tanggal_entri=max(dates) if dates else None,
                terlambat=late,
                validasi=(
                    {"tanggal": validated, "kesalahan": errors, "peringatan": warnings}
                    if validated is not None and terisi
                    else None
                ),
            )
        )
    return result


def _reports(data: WorkbookData, state: Mapping[str, Any]) -> list[ReportStatus]:
    records = state.get(REPORTS_KEY)
    sends = state.get(SENDS_KEY)
    result: list[ReportStatus] = []
    for periode, (sheet, _start, _end) in spec.PERIODS.items():
        ada = data.sheet(sheet) is not None
        record = records.get(periode) if isinstance(records, dict) else None
        usang: bool | None = None
        if ada and isinstance(record, dict) and isinstance(record.get("hash"), str):
            usang = record["hash"] != data_hash(data, periode)
        sent = [
            s for s in (sends if isinstance(sends, list) else [])
            if isinstance(s, dict) and s.get("periode") == periode and s.get("status") == "terkirim"
        ]
        result.append(ReportStatus(periode, ada, usang, str(sent[-1].get("waktu")) if sent else None))
    return result


def _text(value: Any) -> str | None:
    if value is None:
        return None
    text = str(value).strip()
    return text or None


def _kendali(data: WorkbookData) -> list[KendaliStep]:
    """The Kendali SOP rows by their headers (Langkah, Tanggal, Status), from the grid read once."""
    actual = data.sheet(spec.SHEET_KENDALI)
    grid = data.grids.get(actual) if actual else None
    if not grid:
        return []
    keys = {spec.norm(k): k for k in ("Langkah", "Tanggal", "Status")}
    header = next(
        (i for i, row in enumerate(grid[: spec.HEADER_SCAN_ROWS])
         if any(isinstance(v, str) and spec.norm(v) == spec.norm("Langkah") for v in row)),
        None,
    )
    if header is None:
        return []
    cols = {keys[spec.norm(v)]: c for c, v in enumerate(grid[header]) if isinstance(v, str) and spec.norm(v) in keys}
    steps: list[KendaliStep] = []
    for row in grid[header + 1:]:

        def cell(name: str, row: list[Any] = row) -> Any:
            c = cols.get(name)
            return row[c] if c is not None and c < len(row) else None

        step = cell("Langkah")
        if isinstance(step, float) and step.is_integer():
            step = int(step)
        if not isinstance(step, int) or isinstance(step, bool):
            continue
        day = as_date(cell("Tanggal"))
        steps.append(KendaliStep(step, day.isoformat() if day else _text(cell("Tanggal")), _text(cell("Status"))))
    return steps


def workbook_status(
    path: Path | str,
    file_overrides: Mapping[str, Any] | None = None,
    run_overrides: Mapping[str, Any] | None = None,
) -> WorkbookStatus:
    """The SOP status of the workbook at `path`; reads it, writes nothing."""
    from sopxl.read.settings import reading_settings, resolve_settings

    path = Path(path)
    data = read_workbook(path, reading_settings(file_overrides, run_overrides))
    settings = resolve_settings(data, file_overrides, run_overrides)
    on = today(settings)
    year = budget_year(data) or on.year
    state = load_state(data)
    return WorkbookStatus(
        file=str(path),
        tahun=year,
        bulan_pelaporan=reporting_month(data) or None,
        hari_ini=on,
        bulan=_months(data, state, year, on, settings),
        tenggat_berikutnya=next_deadline(year, on, settings),
        laporan=_reports(data, state),
        kendali=_kendali(data),
    )


def status_message(result: WorkbookStatus) -> str:
    """A short summary for a message box (the Status button), in Bahasa Indonesia."""
    names = spec.MONTHS
    entered = [m.bulan for m in result.bulan if m.terisi]
    lines = [f"Tahun Anggaran {result.tahun}, per {result.hari_ini.isoformat()}."]
    lines.append(
        f"Bulan terisi: {', '.join(names[b - 1] for b in entered)}." if entered else "Belum ada bulan yang terisi."
    )
    late = [names[m.bulan - 1] for m in result.bulan if m.terlambat]
    if late:
        lines.append(f"Terlambat: {', '.join(late)}.")
    checked = [m for m in result.bulan if m.validasi is not None]
    if checked:
        v = checked[-1].validasi or {}
        errors = sum(int((m.validasi or {}).get("kesalahan", 0)) for m in checked)
        warnings = sum(int((m.validasi or {}).get("peringatan", 0)) for m in checked)
        lines.append(f"Validasi terakhir {str(v.get('tanggal', ''))[:10]}: {errors} kesalahan, "
                     f"{warnings} peringatan pada lembar bulan.")
    else:
        lines.append("Belum pernah divalidasi dengan sopxl.")
    nxt = result.tenggat_berikutnya
    if nxt is not None:
        lines.append(f"Tenggat berikutnya: {names[nxt.bulan - 1]} paling lambat {nxt.tanggal.isoformat()} "
                     f"({nxt.hari_kerja_tersisa} hari kerja lagi).")
    labels = {"semester1": "Laporan Semester I", "semester2": "Laporan Semester II", "tahunan": "Laporan Tahunan"}
    for r in result.laporan:
        if not r.ada:
            continue
        state = {True: "usang, konsolidasi ulang", False: "sesuai data", None: "disusun"}[r.usang]
        sent = f", dikirim {r.dikirim[:10]}" if r.dikirim else ", belum dikirim"
        lines.append(f"{labels.get(r.periode, r.periode)}: {state}{sent}.")
    return "\n".join(lines)


__all__ = ["KendaliStep", "MonthStatus", "NextDeadline", "ReportStatus", "WorkbookStatus",
           "next_deadline", "status_message", "workbook_status", "working_days_left"]
