"""Regenerate the blank standard workbooks of this folder with the writer `sopxl init` uses.

    python workbook_templates/make_templates.py          # rewrite both files
    python workbook_templates/make_templates.py --check  # exit 1 if a committed file differs

`capaian-kosong.xlsx` and `capaian-kosong.xlsm` (with the Validasi / Konsolidasi buttons) are
`sopxl.build.workbook.write_workbook` applied to a workbook content without identity values,
ROs or plan rows. The document's creation time is fixed, and no Python interpreter of the
machine that makes them is written into the buttons' settings, so the same code gives the
same bytes on any machine. Tahun Anggaran stays empty: one template serves every year, and
regenerating it never depends on today's date.
"""

from __future__ import annotations

import argparse
import datetime as dt
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))  # the sopxl beside this script, not another installed one

from sopxl.build.workbook import WorkbookContent, identity, write_workbook  # noqa: E402

# file name -> with the VBA project and buttons
TEMPLATES: dict[str, bool] = {"capaian-kosong.xlsx": False, "capaian-kosong.xlsm": True}
# Document creation time of the templates (docProps/core.xml): fixed, for reproducible bytes.
CREATED = dt.datetime(2026, 1, 1, 0, 0, 0)


def blank_content() -> WorkbookContent:
    """A standard workbook with empty Identitas values, no RO and no plan row."""
    return WorkbookContent(identity=identity(), created=CREATED)


def make_templates(folder: Path = HERE) -> list[Path]:
    """Write every template into `folder`; returns their paths."""
    paths = []
    for name, macro in TEMPLATES.items():
        path = folder / name
        write_workbook(path, blank_content(), macro=macro, portable=True)
        paths.append(path)
    return paths


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="compare with the committed files, write nothing")
    args = parser.parse_args(argv)
    if not args.check:
        for path in make_templates():
            print(f"written: {path}")
        return 0
    with tempfile.TemporaryDirectory() as tmp:
        stale = [
            path.name
            for path in make_templates(Path(tmp))
            if not (HERE / path.name).exists() or (HERE / path.name).read_bytes() != path.read_bytes()
        ]
    for name in stale:
        print(f"differs from what the code writes today: {name} (run without --check)")
    return 1 if stale else 0


if __name__ == "__main__":
    raise SystemExit(main())
