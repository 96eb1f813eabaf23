"""Findings come in workbook order (sheet by sheet, then row and column), the way a Kasi reads."""

from __future__ import annotations

from pathlib import Path

from sopxl.build.samples import SAMPLE_TODAY, build_sample
from sopxl.core import spec
from sopxl.rules.validate import validate_path


def test_findings_follow_the_workbook_order(tmp_path: Path) -> None:
    path = tmp_path / "salah.xlsx"
    build_sample(path, months=9, plant=True, today=SAMPLE_TODAY)
    result, data, _settings = validate_path(path, None, {"today": SAMPLE_TODAY.isoformat()})
    assert len({f.sheet for f in result.findings}) > 5
    position = {spec.norm(name): i for i, name in enumerate(data.sheet_names)}
    keys = [(position.get(spec.norm(f.sheet), -1), *spec.parse_ref(f.cell)) for f in result.findings]
    assert keys == sorted(keys)
    # a missing sheet (STR-SHEET) is listed before every sheet that exists
    missing = [i for i, f in enumerate(result.findings) if f.rule == "STR-SHEET"]
    assert missing and max(missing) < min(i for i, k in enumerate(keys) if k[0] >= 0)
