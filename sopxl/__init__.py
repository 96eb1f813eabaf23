"""sopxl: the SMART Kemenkeu SOP (capaian output, validation, reports) in the Excel workbook.

The public library API (ARCHITECTURE.md); scripts outside the package use only these names:

    import sopxl
    result, data, settings = sopxl.validate_path("capaian-2026.xlsx")
    sopxl.apply_marks(data.path, result, settings)          # fills, notes, Catatan Koreksi, state
    made = sopxl.consolidate("capaian-2026.xlsx", "semester1", output="laporan.xlsx")
    for f in result.findings:                                # sopxl.Finding
        print(f.rule, f.sheet, f.cell, f.message)

Every refusal is a `sopxl.SopxlError` whose message is an Indonesian sentence for the user.
The names are imported on first use, so `import sopxl` stays as cheap as the CLI needs.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from sopxl.core.lazy import lazy_exports

__version__ = "0.1.0"

if TYPE_CHECKING:
    from sopxl.core.errors import SopxlError
    from sopxl.core.findings import Finding, ValidationResult
    from sopxl.report.consolidate import consolidate
    from sopxl.rules.validate import validate_path
    from sopxl.writeback.marks import apply_marks

# public name -> module that defines it
_API: dict[str, str] = {
    "validate_path": "sopxl.rules.validate",
    "apply_marks": "sopxl.writeback.marks",
    "consolidate": "sopxl.report.consolidate",
    "Finding": "sopxl.core.findings",
    "ValidationResult": "sopxl.core.findings",
    "SopxlError": "sopxl.core.errors",
}

__all__ = ["Finding", "SopxlError", "ValidationResult", "__version__", "apply_marks", "consolidate", "validate_path"]


__getattr__, __dir__ = lazy_exports(__name__, _API)
