"""The receiving office: one recap of many satker workbooks, from files or a mailbox.

    from sopxl.recap import rekap, write_recap
    result = rekap(["masuk/"], periode="semester1", daftar="satker.csv", output="rekap.xlsx")
    write_recap(result, "rekap.xlsx")
    satker, ro = result.to_pandas()   # needs pandas

The names below are imported on first use: a recap's pool workers import
`sopxl.recap.worker` only, and with it this package, but need none of the recap's own
modules (15–20 ms of every worker's start, which a re-run of a few files waits for).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from sopxl.core.lazy import lazy_exports

if TYPE_CHECKING:
    from sopxl.recap.run import STATUSES, RekapResult, SatkerRow, cache_path, read_daftar, rekap
    from sopxl.recap.workbook import write_recap

_HOME = {
    "STATUSES": "sopxl.recap.run",
    "RekapResult": "sopxl.recap.run",
    "SatkerRow": "sopxl.recap.run",
    "cache_path": "sopxl.recap.run",
    "read_daftar": "sopxl.recap.run",
    "rekap": "sopxl.recap.run",
    "write_recap": "sopxl.recap.workbook",
}


__getattr__, __dir__ = lazy_exports(__name__, _HOME)


__all__ = ["STATUSES", "RekapResult", "SatkerRow", "cache_path", "read_daftar", "rekap", "write_recap"]
