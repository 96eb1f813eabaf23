"""Which cells of one column hold a formula, and the formula's text, read from the sheet XML.

The reader (python-calamine) gives cached values only. A rule that must tell a formula from
a number typed over it (CAP-KUMULATIF: the running-sum formula overwritten by a constant)
asks here, for one column of one sheet, only when it has something to say: the sheet's part
is read once more from the package, and only `<c>` elements of that column are looked at.
"""

from __future__ import annotations

import re
import zipfile
from pathlib import Path
from typing import Final

from sopxl.core import spec
from sopxl.ooxml.names import sheet_parts
from sopxl.ooxml.xmltext import unescape

_F_ELEMENT: Final = re.compile(rb"<f\b([^>]*?)(/>|>(.*?)</f>)", re.DOTALL)
_SHARED_INDEX: Final = re.compile(rb'\bsi="(\d+)"')
_SHARED: Final = re.compile(rb'\bt="shared"')
# A cell reference in a formula, with its optional "$" marks; not inside a name or a
# function ("LOG10(") and not a column range ("$A:$A", no row).
_REF: Final = re.compile(r"(?<![A-Za-z0-9_.])(\$?)([A-Z]{1,3})(\$?)([0-9]+)(?![0-9(A-Za-z_])")
_QUOTED_SHEET: Final = re.compile(r"'([A-Za-z_][A-Za-z0-9_.]*)'!")
_REF_LIKE: Final = re.compile(r"[A-Za-z]{1,3}[0-9]+|[RrCc][0-9]*")


def column_formulas(path: Path, sheet: str, column: int) -> dict[int, str]:
    """Row (1-based) -> formula (without "=") of every cell of `column` (1-based) of `sheet`
    that holds one; a cell of a shared formula gets its master's text moved to its row.
    {} when the sheet's part cannot be read (the values were read already; this is advice)."""
    letters = spec.col_letter(column).encode()
    try:
        with zipfile.ZipFile(path) as zf:
            part = next((p.part for p in sheet_parts(zf) if p.name == sheet), None)
            if part is None:
                return {}
            data = zf.read(part)
    except (OSError, KeyError, ValueError, zipfile.BadZipFile):
        return {}
    found: dict[int, str] = {}
    masters: dict[bytes, tuple[int, str]] = {}  # shared index -> (row, text)
    children: list[tuple[int, bytes]] = []
    needle = b' r="' + letters
    pos = data.find(needle)
    while pos >= 0:
        after = pos + len(needle)
        digits = re.match(rb"[0-9]+", data[after : after + 8])
        start = data.rfind(b"<", 0, pos)
        end = data.find(b">", pos)
        if digits is None or start < 0 or end < 0 or data[start : start + 3] not in (b"<c ", b"<c\t", b"<c\n"):
            pos = data.find(needle, after)
            continue
        row = int(digits.group(0))
        if data[end - 1 : end] != b"/":  # a cell with content
            close = data.find(b"</c>", end)
            f = _F_ELEMENT.search(data, end, close) if close >= 0 else None
            if f is not None:
                attrs, body = f.group(1), f.group(3)
                index = _SHARED_INDEX.search(attrs)
                if body is not None and body.strip():
                    text = unescape(body.decode("utf-8", "replace"))
                    found[row] = text
                    if index is not None and _SHARED.search(attrs):
                        masters[index.group(1)] = (row, text)
                elif index is not None:
                    children.append((row, index.group(1)))
        pos = data.find(needle, end)
    for row, shared in children:
        if shared in masters:
            source, text = masters[shared]
            found[row] = moved(text, row - source)
    return found


def moved(formula: str, rows: int) -> str:
    """`formula` copied `rows` rows down (up when negative), as Excel copies it: relative row
    numbers move, "$"-fixed ones and text in quotes (sheet names, strings) stay. A sheet name
    that needs no quotes loses them ('Mei'!A1 -> Mei!A1), as Excel and LibreOffice write it,
    so that the same formula reads the same whichever program saved the file."""
    formula = _QUOTED_SHEET.sub(lambda m: m.group(0) if _REF_LIKE.fullmatch(m.group(1)) else f"{m.group(1)}!", formula)
    parts = re.split(r"('[^']*'|\"[^\"]*\")", formula)
    for k in range(0, len(parts), 2):  # outside quotes
        parts[k] = _REF.sub(
            lambda m: f"{m.group(1)}{m.group(2)}{m.group(3)}"
            + (m.group(4) if m.group(3) else str(max(1, int(m.group(4)) + rows))),
            parts[k],
        )
    return "".join(parts)


__all__ = ["column_formulas", "moved"]
