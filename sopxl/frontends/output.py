"""Terminal rendering of findings: grouped by sheet, with counts."""

from __future__ import annotations

import shutil
import textwrap
from collections import defaultdict

from sopxl.core.findings import SEVERITY_LABEL, Finding, ValidationResult


def table_width() -> int:
    """The terminal's width (COLUMNS first), kept between 80 and 160 columns."""
    return max(80, min(shutil.get_terminal_size((120, 20)).columns, 160))


def render_table(result: ValidationResult, width: int | None = None) -> str:
    """A readable listing: one block per sheet, then the totals. The cell, severity and rule
    columns stay on the finding's first line; the message wraps between words under them
    (a single word longer than the room is left whole rather than cut)."""
    width = table_width() if width is None else width
    lines = [f"Berkas: {result.file}"]
    if not result.findings:
        lines.append("Tidak ada kesalahan maupun peringatan. Data sesuai.")
        return "\n".join(lines)
    by_sheet: dict[str, list[Finding]] = defaultdict(list)
    for finding in result.findings:
        by_sheet[finding.sheet].append(finding)
    for sheet, items in by_sheet.items():
        errors = sum(1 for f in items if f.severity == "error")
        warnings = len(items) - errors
        lines.append("")
        lines.append(f"== {sheet} ({errors} kesalahan, {warnings} peringatan)")
        for f in items:
            head = f"  {f.cell:<7} {SEVERITY_LABEL[f.severity]:<10} {f.rule:<20} "
            text = f.message + (f" -> {f.suggestion}" if f.suggestion else "")
            if f.ro:
                text = f"[{f.ro}] " + text
            room = max(20, width - len(head))
            # no hyphen breaks either: "Jan-Jun", cell ranges and rule ids stay whole
            chunks = textwrap.wrap(text, room, break_long_words=False, break_on_hyphens=False) or [""]
            lines.append(head + chunks[0])
            lines.extend(" " * len(head) + chunk for chunk in chunks[1:])
    lines.append("")
    status = "TIDAK SESUAI: perbaiki kesalahan di atas." if result.errors else "SESUAI (ada peringatan)."
    lines.append(f"Jumlah: {result.errors} kesalahan, {result.warnings} peringatan. {status}")
    return "\n".join(lines)
