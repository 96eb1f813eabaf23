"""Kendali SOP rows carry explicit heights fitting their wrapped text (LibreOffice does not
grow a row to its text, so a one-line row would hide the step and the Status)."""

from __future__ import annotations

import math
from pathlib import Path

import openpyxl

from sopxl.build.workbook import KENDALI_FILL_LINES, KENDALI_LINE, build_content, write_workbook
from sopxl.core import spec


def test_every_step_row_is_as_tall_as_its_text(tmp_path: Path) -> None:
    path = tmp_path / "capaian.xlsx"
    write_workbook(path, build_content(ro_file=None, rencana_file=None, satker="411724", nama="Balai Contoh", tahun=2026))
    ws = openpyxl.load_workbook(path)[spec.SHEET_KENDALI]
    for i, step in enumerate(spec.SOP_STEPS, start=2):
        height = ws.row_dimensions[i].height
        assert height is not None, f"row {i} has no height"
        assert height >= KENDALI_LINE * KENDALI_FILL_LINES  # room for Status and Catatan
        for col, text in zip("BCDE", step[1:], strict=True):
            width = ws.column_dimensions[col].width
            # at most about width characters a line: the row holds every line
            assert height >= KENDALI_LINE * math.ceil(len(text) / width), (i, col)
