"""Regenerate the rule reference for users, `docs/aturan.md`, from the rule catalogue.

The text comes from `sopxl.rules.reference.render_markdown` (each rule's registration and the
documentation fields of its docstring); a test fails while the file is not current.

Usage (from the repository root)::

    .venv/bin/python docs/make_aturan.py            # writes docs/aturan.md
    .venv/bin/python docs/make_aturan.py --check    # exit 1 when docs/aturan.md is not current
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from sopxl.rules.reference import render_markdown

TARGET = Path(__file__).resolve().parent / "aturan.md"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--check", action="store_true", help="only compare, do not write")
    args = parser.parse_args(argv)
    text = render_markdown()
    if args.check:
        current = TARGET.read_text(encoding="utf-8") if TARGET.exists() else ""
        if current != text:
            print(f"{TARGET} is not current: run python docs/make_aturan.py", file=sys.stderr)
            return 1
        return 0
    TARGET.write_text(text, encoding="utf-8", newline="\n")
    print(f"wrote {TARGET}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
