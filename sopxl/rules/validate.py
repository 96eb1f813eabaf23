"""Validation (SOP step 3 and 5): read a workbook, run every rule, return one result."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sopxl.core import spec
from sopxl.core.config import Settings
from sopxl.core.findings import Finding, ValidationResult
from sopxl.core.gcpause import paused_gc
from sopxl.read.settings import reading_settings, resolve_settings
from sopxl.read.workbook import WorkbookData, read_workbook

if TYPE_CHECKING:
    from sopxl.read.ekspor import ExportSource


def check(data: WorkbookData, settings: Settings) -> ValidationResult:
    """Run the whole catalogue on already-read data."""
    from sopxl.rules.base import run_rules

    with paused_gc():
        findings = list(run_rules(data, settings))
    # Workbook order, as the Kasi reads it: sheet by sheet (missing sheets first), then row
    # and column; the sort is stable, so findings on one cell keep the catalogue's order.
    position = {spec.norm(name): i for i, name in enumerate(data.sheet_names)}

    def where(finding: Finding) -> tuple[int, int, int]:
        try:
            row, col = spec.parse_ref(finding.cell)
        except ValueError:
            row, col = 0, 0
        return position.get(spec.norm(finding.sheet), -1), row, col

    findings.sort(key=where)
    return ValidationResult(file=str(data.path), findings=findings)


def validate_path(
    path: Path | str,
    file_overrides: Mapping[str, Any] | None = None,
    run_overrides: Mapping[str, Any] | None = None,
    ekspor: ExportSource | None = None,
) -> tuple[ValidationResult, WorkbookData, Settings]:
    """Read and check one workbook; the library entry point behind `sopxl validate`. With
    `ekspor`, the month it reports is reconciled with it too (the REK rules)."""
    path = Path(path)
    # the export first: a file that cannot be used is refused before the workbook is read
    export = ekspor.read() if ekspor is not None else None
    # The reader's own guards (row limits, size) obey the file and run overrides too.
    data = read_workbook(path, reading_settings(file_overrides, run_overrides))
    data.ekspor = export
    settings = resolve_settings(data, file_overrides, run_overrides)
    return check(data, settings), data, settings


__all__ = ["check", "reading_settings", "resolve_settings", "spec", "validate_path"]
