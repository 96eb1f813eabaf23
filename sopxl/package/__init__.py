"""Package-level editing of existing workbooks (the zip and its XML parts, never openpyxl).

    from sopxl.package import WorkbookPackage
    pkg = WorkbookPackage.open(path)
    pkg.replace_sheet_from_xlsx("Laporan Tahunan", tmp_xlsx)
    pkg.set_cell_values("Kendali SOP", {"F5": datetime.date.today()})
    pkg.save()              # atomic, keeps one backup beside the file
"""

from __future__ import annotations

from sopxl.package.editor import WorkbookPackage

__all__ = ["WorkbookPackage"]
