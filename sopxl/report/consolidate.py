"""Consolidation (SOP step 4): the months of a workbook into a semester or annual report.

`consolidate(path, periode)` reads the workbook and hands it to `consolidate_data`, which
refuses when the months up to the period's end still hold errors (unless forced), computes
the figures (sopxl.calc.figures), builds the report sheet with XlsxWriter (sopxl.report.sheet),
keeping what people typed into its narratives and sign-offs, and grafts it into the workbook
through the lossless package editor, recording the hash of the data it was made from in
sopxl's state (LAP-USANG compares against it). A caller that has already read and validated
the workbook (the Excel button, `sopxl demo`) calls `consolidate_data` with that data and
result, so the workbook is read and checked once.

Refusal: month errors give :class:`MonthErrors` (exit code 1 in the CLI); anything that makes
the file impossible to process is a SopxlError (exit code 2).
"""

from __future__ import annotations

import contextlib
import datetime as dt
import os
import shutil
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, BinaryIO

from sopxl.calc.figures import PeriodFigures, compute_figures, effective_end
from sopxl.core import spec
from sopxl.core.config import Settings
from sopxl.core.errors import InvalidInput, SopxlError, WorkbookBusy
from sopxl.core.findings import Finding, ValidationResult
from sopxl.core.gcpause import paused_gc
from sopxl.ooxml.atomic import atomic_write, check_writable, scratch_dir, writer_lock
from sopxl.read.state import REPORTS_KEY, read_state, write_state
from sopxl.read.workbook import WorkbookData
from sopxl.rules.base import CATALOGUE, run_rules


class MonthErrors(SopxlError):
    """The months up to the period's end hold errors; consolidation refused (exit code 1)."""

    exit_code = 1

    def __init__(self, message: str, findings: list[Finding]) -> None:
        super().__init__(message)
        self.findings = findings


@dataclass
class ConsolidationResult:
    file: str
    periode: str
    sheet: str
    figures: PeriodFigures
    open_errors: int = 0  # month errors left open (only when forced)
    written: Path | None = None  # the workbook the report was written into
    output: Path | None = None  # standalone report workbook
    pdf: Path | None = None
    blocking: list[Finding] = field(default_factory=list)
    settings: Settings = field(default_factory=lambda: Settings())

    def to_json_dict(self) -> dict[str, Any]:
        return {**self.figures.to_json_dict(), "regulasi": regulation_json(self.settings)}


def regulation_json(settings: Settings) -> dict[str, Any]:
    """The `regulasi` key of `consolidate --format json`: the table row the scores follow
    (its first Tahun Anggaran), the two regulations and the note on the choice (or null)."""
    return {
        "tahun_tabel": settings.regulasi_tahun,
        "ikpa": settings.regulasi_ikpa,
        "nka": settings.regulasi_nka,
        "catatan": settings.regulasi_catatan,
    }


def blocking_rules() -> list[str]:
    """The ids of the rules whose errors refuse consolidation (`Rule.blocks_report`)."""
    import sopxl.rules  # noqa: F401  (registers the catalogue)

    return [rid for rid, registered in CATALOGUE.items() if registered.blocks_report]


def blocking_findings(result: ValidationResult, periode: str) -> list[Finding]:
    """The errors of `result` that refuse consolidating `periode`, in catalogue order.

    Errors of rules that block the report do, except CAP ones on months after the period's
    end: those months are not in the report. Catalogue order (the order of a run of the
    blocking rules alone) whatever the order of `result`, so the refusal reads the same
    whether it comes from a full validation or from consolidation's own run.
    """
    order = {rid: i for i, rid in enumerate(blocking_rules())}
    _, _start, end = spec.PERIODS[periode]
    later = {spec.norm(m) for m in spec.MONTHS[end:]}
    out = [
        f
        for f in result.findings
        if f.severity == "error"
        and f.rule in order
        and not (f.rule.startswith("CAP-") and spec.norm(f.sheet) in later)
    ]
    out.sort(key=lambda f: order[f.rule])
    return out


def _refusal_message(path: Path, periode: str, found: list[Finding]) -> str:
    sheets: dict[str, int] = {}
    for f in found:
        sheets[f.sheet] = sheets.get(f.sheet, 0) + 1
    # the other sheets (Identitas, Referensi RO, Rencana) first, then the months Januari ... Desember
    ordered = sorted(sheets, key=lambda name: spec.month_number(name) or 0)
    per_sheet = ", ".join(f"{name} {sheets[name]}" for name in ordered)
    return (
        f"Konsolidasi {spec.PERIODS[periode][0]} ditolak: data '{path.name}' masih memiliki "
        f"{len(found)} kesalahan ({per_sheet}). Jalankan `sopxl validate {path.name}`, perbaiki "
        "sel yang ditandai merah, lalu konsolidasi lagi; atau tambahkan --paksa untuk tetap "
        "menyusun laporan (laporan akan mencantumkan bahwa data masih memiliki kesalahan)."
    )


def _identity_pair(data: WorkbookData, name_item: str, nip_item: str) -> tuple[str, str]:
    def text(item: str) -> str:
        v = data.identity_value(item)
        if v is None:
            return ""
        if isinstance(v, float) and v.is_integer():
            return str(int(v))
        return str(v).strip()

    return text(name_item), text(nip_item)


def consolidate(
    path: Path | str,
    periode: str,
    *,
    write: bool = True,
    output: Path | str | None = None,
    pdf: bool = False,
    force: bool = False,
    file_overrides: Mapping[str, Any] | None = None,
    run_overrides: Mapping[str, Any] | None = None,
) -> ConsolidationResult:
    """Consolidate `periode` ('semester1', 'semester2', 'tahunan') of the workbook at `path`:
    read it, then `consolidate_data`."""
    from sopxl.read.settings import reading_settings, resolve_settings
    from sopxl.read.workbook import read_workbook

    spec.check_periode(periode)
    reading = reading_settings(file_overrides, run_overrides)
    # Writing into the workbook: hold sopxl's writer lock from the read to the save, so that
    # another sopxl writing it (a validation's marks) waits instead of being erased.
    locked = writer_lock(path, reading.lock_wait_s) if write and Path(path).is_file() else contextlib.nullcontext()
    with locked:
        data = read_workbook(path, reading)
        settings = resolve_settings(data, file_overrides, run_overrides)
        return consolidate_data(data, periode, settings, write=write, output=output, pdf=pdf, force=force)


def consolidate_data(
    data: WorkbookData,
    periode: str,
    settings: Settings,
    *,
    validation: ValidationResult | None = None,
    write: bool = True,
    output: Path | str | None = None,
    pdf: bool = False,
    force: bool = False,
) -> ConsolidationResult:
    """Consolidate `periode` of already-read `data` (its tables intact) with `settings`.

    `validation` is a run of the catalogue on this data with these settings (validate_path's);
    without it the blocking rules run here. The report rules are not needed: they judge the
    report sheet this run replaces.
    """
    from sopxl.calc.report_layout import read_people_cells
    from sopxl.report.sheet import ReportInputs, build_report_workbook

    spec.check_periode(periode)
    path = data.path
    sheet, start, end = spec.PERIODS[periode]

    if validation is None:
        with paused_gc():
            found = list(run_rules(data, settings, blocking_rules()))
        validation = ValidationResult(file=str(path), findings=found)
    blocking = blocking_findings(validation, periode)
    if blocking and not force:
        raise MonthErrors(_refusal_message(path, periode, blocking), blocking)

    last = effective_end(data, periode)
    if last < start:
        raise InvalidInput(
            f"Belum ada data bulanan untuk {sheet} ({spec.MONTHS[start - 1]} s.d. "
            f"{spec.MONTHS[end - 1]}) di '{path.name}': isi dulu lembar bulan "
            f"{spec.MONTHS[start - 1]} atau isi Bulan Pelaporan pada lembar Identitas."
        )
    if data.referensi is None or not data.referensi.rows:
        raise InvalidInput(f"Lembar Referensi RO di '{path.name}' tidak ada atau kosong: tidak ada RO untuk dilaporkan.")

    figures = compute_figures(data, periode, settings)
    actual_sheet = data.sheet(sheet)
    narratives, signoffs = read_people_cells(data.grids.get(actual_sheet) if actual_sheet else None)
    inputs = ReportInputs(
        figures=figures,
        settings=settings,
        narratives=narratives,
        signoffs=signoffs,
        open_errors=len(blocking),
        generated=dt.datetime.now(),
        kepala=_identity_pair(data, spec.ID_KEPALA, spec.ID_NIP_KEPALA),
        kasi=_identity_pair(data, spec.ID_KASI, spec.ID_NIP_KASI),
    )
    result = ConsolidationResult(
        file=str(path),
        periode=periode,
        sheet=sheet,
        figures=figures,
        open_errors=len(blocking),
        blocking=blocking,
        settings=settings,
    )

    # Everything that could refuse is checked before the first file is written: a refusal
    # leaves every file as it was (the guide: nothing changes on a Galat).
    out = _check_output(path, output)
    if write:
        check_writable(path)
    pdf_target: Path | None = None
    if pdf:
        from sopxl.report.libreoffice import require_soffice

        require_soffice()
        pdf_target = (out.with_suffix(".pdf") if out is not None
                      else path.parent / f"{path.stem} - {sheet}.pdf")
        _check_new_file(pdf_target)

    # scratch files beside what is written (a killed run's are removed by the next one there)
    near = [p.parent for p in (path if write else None, out, pdf_target) if p is not None]
    with scratch_dir(*near) as tmpdir:
        staged: Path | None = None
        staged_pdf: Path | None = None
        if out is not None or pdf:
            staged = tmpdir / (out.name if out is not None else f"{path.stem} - {sheet}.xlsx")
            build_report_workbook(staged, inputs)
        if pdf and staged is not None:
            from sopxl.report.libreoffice import convert

            staged_pdf = convert(staged, "pdf", tmpdir / "pdf")
        graft_source: Path | None = None
        if write:
            graft_source = tmpdir / "graft.xlsx"
            build_report_workbook(graft_source, inputs)

        # the writes, once nothing is left to refuse
        if write and graft_source is not None:
            _write_into_workbook(path, sheet, actual_sheet, graft_source, periode, figures)
            result.written = path
        # the report and its PDF are saved like the workbook: locked, atomic, the report's
        # previous version kept as its backup
        if out is not None and staged is not None:
            out.parent.mkdir(parents=True, exist_ok=True)
            atomic_write(out, _copy_of(staged), backup=True)
            result.output = out
        if pdf_target is not None and staged_pdf is not None:
            pdf_target.parent.mkdir(parents=True, exist_ok=True)
            atomic_write(pdf_target, _copy_of(staged_pdf), backup=False)
            result.pdf = pdf_target
    return result


def _copy_of(source: Path) -> Callable[[BinaryIO], None]:
    def write(fh: BinaryIO) -> None:
        with source.open("rb") as src:
            shutil.copyfileobj(src, fh, 1 << 20)

    return write


def _check_output(path: Path, output: Path | str | None) -> Path | None:
    """The standalone report's path, refused (InvalidInput, WorkbookBusy) before anything is written."""
    if output is None:
        return None
    out = Path(output)
    if out.suffix.lower() != ".xlsx":
        raise InvalidInput(f"Berkas laporan '{out.name}' harus berakhiran .xlsx.")
    if out.resolve() == path.resolve():
        raise InvalidInput("--output tidak boleh sama dengan buku kerja sumber.")
    _check_new_file(out)
    return out


def _check_new_file(target: Path) -> None:
    """Refuse a file sopxl would (over)write: open in Excel/LibreOffice, read-only, or in a
    folder (or the nearest existing folder above it) that cannot be written."""
    if target.is_dir():
        raise InvalidInput(f"'{target}' adalah folder; beri nama berkas.")
    folder = target.parent if str(target.parent) else Path(".")
    while not folder.exists() and folder != folder.parent:
        folder = folder.parent
    if folder == target.parent or folder.resolve() == target.parent.resolve():
        check_writable(target)
        return
    if not os.access(folder, os.W_OK):
        raise WorkbookBusy(
            f"Folder '{folder}' tidak dapat ditulisi, jadi '{target.name}' tidak dapat dibuat."
        )


def record_report_state(state: dict[str, Any], periode: str, sheet: str, figures: PeriodFigures) -> None:
    """Record a new report sheet in sopxl's state (the CLI on disk and the Excel button alike):
    the data hash LAP-USANG compares, and validation marks on the old sheet forgotten."""
    # validation's marks on the old report sheet belong to cells that no longer exist: forget
    # them, or the next validation would "restore" old styles (or drop rows) in the new sheet
    marks = state.get("tanda")
    if isinstance(marks, dict):
        replaced = spec.norm(sheet)
        for key in [k for k in marks if spec.norm(k) == replaced]:
            del marks[key]
    reports = state.get(REPORTS_KEY)
    if not isinstance(reports, dict):
        reports = {}
    reports[periode] = {
        "hash": figures.data_hash,
        "dibuat": dt.datetime.now().astimezone().isoformat(timespec="seconds"),
        "lembar": sheet,
        "hash_bagian": figures.part_hashes,
        "angka": figures.summary(),
    }
    state[REPORTS_KEY] = reports


def _write_into_workbook(
    path: Path,
    sheet: str,
    actual_sheet: str | None,
    graft_source: Path,
    periode: str,
    figures: PeriodFigures,
) -> None:
    """Graft the report sheet into the user's workbook and record the data hash in the state."""
    from sopxl.ooxml import WorkbookPackage

    pkg = WorkbookPackage.open(path)
    # a new report sheet goes after Desember and the report sheets before it in PERIODS order
    order = [spec.MONTHS[-1], *spec.REPORT_SHEETS]
    after = None
    for candidate in order[: order.index(sheet)]:
        found = pkg.find_sheet(candidate)
        if found is not None:
            after = found.name
    pkg.replace_sheet_from_xlsx(
        actual_sheet or sheet, graft_source, source_sheet=sheet, state="visible", after=after
    )
    state = read_state(pkg)
    record_report_state(state, periode, actual_sheet or sheet, figures)
    write_state(pkg, state)
    pkg.save(backup=True)

