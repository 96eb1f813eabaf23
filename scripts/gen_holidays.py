"""Regenerate sopxl/data/libur_nasional_id.json from the `holidays` package.

The table spares every validation run the import of `holidays` (about 100 ms, it loads
every country); years outside it still come from the package. tests/test_deadline.py
checks that the table equals what the installed package says.

    python scripts/gen_holidays.py
"""

from __future__ import annotations

import json
from pathlib import Path

import holidays

FIRST, LAST = 2020, 2035
TARGET = Path(__file__).resolve().parents[1] / "sopxl" / "data" / "libur_nasional_id.json"


def table() -> dict[str, list[str]]:
    return {
        str(year): sorted(d.isoformat() for d in holidays.country_holidays("ID", years=year))
        for year in range(FIRST, LAST + 1)
    }


if __name__ == "__main__":
    TARGET.write_text(json.dumps(table(), indent=0) + "\n", encoding="utf-8")
    print(f"ditulis: {TARGET}")
