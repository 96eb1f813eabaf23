"""Package-level editing of existing workbooks (the zip and its XML parts, never openpyxl).

    from sopxl.ooxml import WorkbookPackage
    pkg = WorkbookPackage.open(path)
    pkg.replace_sheet_from_xlsx("Laporan Tahunan", tmp_xlsx)
    pkg.set_cell_values("Kendali SOP", {"F5": datetime.date.today()})
    pkg.save()              # atomic, keeps one backup beside the file

`WorkbookPackage` is imported on first use, so that the reader can use the light modules of
this package (`zipio`, `deflate`) without loading the editor.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from sopxl.ooxml.editor import WorkbookPackage

__all__ = ["WorkbookPackage"]


def __getattr__(name: str) -> Any:
    if name == "WorkbookPackage":
        from sopxl.ooxml.editor import WorkbookPackage

        return WorkbookPackage
    raise AttributeError(f"module 'sopxl.ooxml' has no attribute {name!r}")
