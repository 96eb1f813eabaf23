"""The stable module the workbook buttons call: `RunPython "import sopxl.excel; sopxl.excel.validasi()"`.

Workbooks already handed out carry that string in their VBA, so this name never moves; it is
the same module object as `sopxl.frontends.excel`, where the entry points live.
"""

import sys

from sopxl.frontends import excel as _excel

sys.modules[__name__] = _excel
