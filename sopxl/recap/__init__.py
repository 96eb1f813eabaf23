"""The receiving office: one recap of many satker workbooks, from files or a mailbox.

    from sopxl.recap import rekap, write_recap
    result = rekap(["masuk/"], periode="semester1", daftar="satker.csv", output="rekap.xlsx")
    write_recap(result, "rekap.xlsx")
    satker, ro = result.to_pandas()   # needs pandas
"""

from sopxl.recap.rekap import STATUSES, RekapResult, SatkerRow, cache_path, read_daftar, rekap
from sopxl.recap.workbook import write_recap

__all__ = ["STATUSES", "RekapResult", "SatkerRow", "cache_path", "read_daftar", "rekap", "write_recap"]
