"""The real cycle: sopxl marks, another program saves (renumbering every cell format), the
user fixes some cells, sopxl validates again. Fixed cells get their original look back,
unfixed ones stay marked, a cell the user restyled stays as they left it.

The styles table is renumbered by LibreOffice (convert xlsx -> xlsx) and, without it, by
`renumber_styles` (a permutation of cellXfs with every s= remapped: the workbook looks
exactly the same), either of every entry or of the workbook's own entries only while those
sopxl added keep their numbers (what LibreOffice did to a `sopxl init` workbook).
"""

from __future__ import annotations

import datetime as dt
import re
import shutil
import zipfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from click.testing import CliRunner

from sopxl.core import spec
from sopxl.frontends.cli import cli
from sopxl.ooxml import WorkbookPackage
from sopxl.read.state import read_state, write_state
from sopxl.writeback.catatan import CATATAN_HEADER_ROW, STATUS_SELESAI
from sopxl.writeback.look import FILLS, hex_color
from sopxl.writeback.restore import LOOKS_KEY, MARKS_KEY, VERSION_KEY

DATA = Path(__file__).resolve().parent.parent / "sopxl" / "data"
TODAY = "2026-02-20"
FIXES = {"L6": dt.date(2026, 2, 3), "L7": dt.date(2026, 2, 4), "D6": 240}  # Januari
STILL_WRONG = ("E12", "I12", "L12")  # Januari: CAP-KOSONG, left as they are
MARK_HEX = {hex_color(argb) for argb in FILLS.values()}
DATA_SHEETS = (spec.SHEET_IDENTITAS, spec.SHEET_REFERENSI, spec.SHEET_RENCANA, "Januari", "Februari")


def validate(path: Path) -> None:
    run = CliRunner().invoke(cli, ["validate", str(path), "--set", f"today={TODAY}"])
    assert run.exit_code in (0, 1), run.output


def init_book(path: Path) -> Path:
    """A `sopxl init` workbook with January filled in: wrong dates in L6 and L7 (Tanggal Entri
    SAKTI), a changed target volume in D6 (a cell copied from Referensi RO), rows 12.. empty."""
    run = CliRunner().invoke(
        cli,
        ["init", str(path), "--ro", str(DATA / "referensi_ro.csv"), "--rencana", str(DATA / "rencana.csv"),
         "--satker", "411724", "--nama", "Balai Contoh", "--tahun", "2026"],
    )
    assert run.exit_code == 0, run.output
    values: dict[str, Any] = {}
    for r in range(6, 12):
        values.update({f"E{r}": 10, f"G{r}": 5, f"I{r}": 1_000_000, f"L{r}": dt.date(2026, 2, 3)})
    values.update({"L6": "5 Februari 2026", "L7": "kemarin", "D6": 999})
    pkg = WorkbookPackage.open(path)
    pkg.set_cell_values("Januari", values)
    pkg.save(backup=False)
    return path


def fix(path: Path) -> None:
    pkg = WorkbookPackage.open(path)
    pkg.set_cell_values("Januari", FIXES)
    pkg.save(backup=False)


Look = tuple[Any, ...]


def looks(path: Path, sheets: tuple[str, ...] = DATA_SHEETS) -> dict[tuple[str, str], Look]:
    """What every cell looks like, resolved (fill, number format, font, border, alignment,
    protection), whatever the styles table's numbering."""
    wb = openpyxl.load_workbook(path)
    out: dict[tuple[str, str], Look] = {}

    def color(c: Any) -> Any:
        return None if c is None else (c.rgb if c.type == "rgb" else (c.type, c.theme if c.type == "theme" else c.indexed))

    for name in sheets:
        for row in wb[name].iter_rows():
            for cell in row:
                f = cell.fill
                fill = (f.fill_type, color(f.fgColor)) if f.fill_type else None
                b = cell.border
                out[(name, cell.coordinate)] = (
                    fill,
                    cell.number_format,
                    (cell.font.b, cell.font.i, color(cell.font.color), cell.font.sz),
                    tuple(getattr(b, side).style for side in ("left", "right", "top", "bottom")),
                    (cell.alignment.horizontal, cell.alignment.vertical, cell.alignment.wrap_text),
                    cell.protection.locked,
                )
    return out


def notes(path: Path, sheet: str) -> dict[str, str]:
    ws = openpyxl.load_workbook(path)[sheet]
    return {c.coordinate: c.comment.text for row in ws.iter_rows() for c in row if c.comment}


def fill_hex(look: Look) -> str | None:
    fill = look[0]
    return None if fill is None or not isinstance(fill[1], str) else "#" + fill[1][-6:].upper()


def catatan_status(path: Path) -> dict[tuple[str, str, str], str]:
    ws = openpyxl.load_workbook(path)[spec.SHEET_CATATAN]
    rows = [r for r in ws.iter_rows(min_row=CATATAN_HEADER_ROW + 1, values_only=True) if r[0] is not None]
    return {(r[2], r[3], r[5]): r[8] for r in rows}


def renumber_styles(path: Path, own_only: bool = False) -> None:
    """Permute cellXfs and remap every s= (cells, rows, columns): the workbook looks the same.
    `own_only`: only the entries `sopxl init` wrote move (the state's count of them: those
    before sopxl's first added format), sopxl's added ones keep their numbers."""
    with zipfile.ZipFile(path) as zf:
        parts = {i.filename: zf.read(i.filename) for i in zf.infolist()}
    styles = parts["xl/styles.xml"].decode("utf-8")
    m = re.search(r"(<cellXfs[^>]*>)(.*?)(</cellXfs>)", styles, re.S)
    assert m
    xfs = re.findall(r"<xf\b[^>]*/>|<xf\b.*?</xf>", m.group(2), re.S)
    n = len(xfs)
    moving = OWN_COUNT[path] if own_only else n
    order = [*range(1, moving), 0, *range(moving, n)]  # a rotation: each moving entry moves
    new_index = {old: new for new, old in enumerate(order)}
    parts["xl/styles.xml"] = (styles[: m.start(2)] + "".join(xfs[i] for i in order) + styles[m.end(2) :]).encode()

    def remap(data: bytes) -> bytes:
        data = re.sub(
            rb'(<(?:\w+:)?(?:c|row)\b[^>]*?\ss=")(\d+)"',
            lambda g: g.group(1) + str(new_index[int(g.group(2))]).encode() + b'"',
            data,
        )
        return re.sub(
            rb'(<(?:\w+:)?col\b[^>]*?\sstyle=")(\d+)"',
            lambda g: g.group(1) + str(new_index[int(g.group(2))]).encode() + b'"',
            data,
        )

    for name in parts:
        if name.startswith("xl/worksheets/") and name.endswith(".xml"):
            parts[name] = remap(parts[name])
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, data in parts.items():
            zf.writestr(name, data)


OWN_COUNT: dict[Path, int] = {}


def cellxfs_count(path: Path) -> int:
    return len(WorkbookPackage.open(path).styles().items("cellXfs"))


def to_first_state_format(path: Path) -> None:
    """Rewrite sopxl's state as the first format recorded marks: style indexes."""
    pkg = WorkbookPackage.open(path)
    state = read_state(pkg)
    styles = pkg.styles()
    looks_table = state.pop(LOOKS_KEY)
    assert state.pop(VERSION_KEY) == 2
    for sheet, records in state[MARKS_KEY].items():
        values = pkg.read(pkg.sheet_part(sheet))
        for ref, rec in records.items():
            marked = int(re.search(rb'<c r="%s" s="(\d+)"' % ref.encode(), values).group(1))  # type: ignore[union-attr]
            original = None if rec[0] is None else styles.xf_for_look(looks_table[rec[0]])
            records[ref] = [original, marked, rec[1], rec[2], styles.fill_xml(original)]
    write_state(pkg, state)
    pkg.save(backup=False)


def check_cycle(
    before: dict[tuple[str, str], Look], saved: dict[tuple[str, str], Look], path: Path, exact: bool = True
) -> None:
    """After fixing FIXES and validating: fixed cells look as before their mark (`exact`: in
    every respect; else their fill and number format: LibreOffice also turns theme colours of
    fonts into RGB) and have no note; the cells still wrong are marked; Catatan Koreksi says
    Selesai for the fixed ones; every other unmarked cell is as the saving program left it."""
    after = looks(path)
    jan = notes(path, "Januari")
    for ref in FIXES:
        key = ("Januari", ref)
        assert fill_hex(after[key]) == fill_hex(before[key]), ref
        assert after[key][1] == before[key][1], ref  # number format
        if exact:
            assert after[key] == before[key], ref
        assert ref not in jan, ref
    for ref in STILL_WRONG:
        assert fill_hex(after[("Januari", ref)]) in MARK_HEX, ref
        assert jan[ref].startswith("sopxl:"), ref
    statuses = catatan_status(path)
    for ref, rule in (("L6", "CAP-TANGGAL"), ("L7", "CAP-TANGGAL"), ("D6", "CAP-TARGET")):
        assert statuses[("Januari", ref, rule)] == STATUS_SELESAI, ref
    for key, look in after.items():
        if fill_hex(look) in MARK_HEX or key not in saved:
            continue
        if fill_hex(saved[key]) in MARK_HEX:  # a mark taken off (its finding is gone)
            assert look[:2] == before[key][:2], key
            if exact:
                assert look == before[key], key
        else:
            assert look == saved[key], key


@pytest.mark.parametrize("mode", ["all", "own", "own-first-format"])
def test_renumbered_styles_cycle(tmp_path: Path, mode: str) -> None:
    path = init_book(tmp_path / "capaian.xlsx")
    OWN_COUNT[path] = cellxfs_count(path)
    before = looks(path)
    validate(path)
    if mode == "own-first-format":
        to_first_state_format(path)
    marked = looks(path)
    renumber_styles(path, own_only=mode != "all")
    assert looks(path) == marked  # the same workbook, other numbers
    if mode != "all":
        # the dangerous case: a mark's format keeps its number, the original's number now
        # names another cell's format
        pkg = WorkbookPackage.open(path)
        xml = pkg.read(pkg.sheet_part("Januari"))
        assert int(re.search(rb'<c r="L6" s="(\d+)"', xml).group(1)) >= OWN_COUNT[path]  # type: ignore[union-attr]
    saved = looks(path)
    fix(path)
    validate(path)
    check_cycle(before, saved, path)

    # a second round trip without any change leaves every cell as it is
    first = looks(path)
    renumber_styles(path, own_only=mode != "all")
    validate(path)
    assert looks(path) == first


@pytest.mark.libreoffice
def test_libreoffice_cycle(tmp_path: Path, lo_convert: Callable[..., Path]) -> None:
    path = init_book(tmp_path / "capaian.xlsx")
    before = looks(path)
    validate(path)
    shutil.copyfile(lo_convert(path, "xlsx", tmp_path / "lo1"), path)
    saved = looks(path)
    fix(path)
    validate(path)
    check_cycle(before, saved, path, exact=False)

    # a second round trip without any change: sopxl changes no cell of what LibreOffice saved
    shutil.copyfile(lo_convert(path, "xlsx", tmp_path / "lo2"), path)
    saved = looks(path)
    validate(path)
    assert looks(path) == saved


def test_user_restyled_or_unmarked_cells_stay_as_left(tmp_path: Path) -> None:
    """L6: the user took the mark off by hand (no fill); L7: gave it a fill of their own. Both
    are fixed too: their look stays as the user left it, sopxl's note goes."""
    path = init_book(tmp_path / "capaian.xlsx")
    validate(path)
    pkg = WorkbookPackage.open(path)
    styles = pkg.styles()
    part = pkg.sheet_part("Januari")
    xml = pkg.read(part)

    def restyle(data: bytes, ref: str, fill: str | None) -> bytes:
        s = int(re.search(rb'<c r="%s" s="(\d+)"' % ref.encode(), data).group(1))  # type: ignore[union-attr]
        new = styles.with_fill(s, fill) if fill else styles.with_fill_xml(s, None)
        return re.sub(rb'(<c r="%s" s=")\d+"' % ref.encode(), rb'\g<1>%d"' % new, data)

    xml = restyle(restyle(xml, "L6", None), "L7", "FFFFFF00")
    pkg.write(part, xml)
    pkg.save(backup=False)
    left = looks(path)
    fix(path)
    validate(path)
    after = looks(path)
    assert after[("Januari", "L6")] == left[("Januari", "L6")] and fill_hex(after[("Januari", "L6")]) is None
    assert after[("Januari", "L7")] == left[("Januari", "L7")] and fill_hex(after[("Januari", "L7")]) == "#FFFF00"
    jan = notes(path, "Januari")
    assert "L6" not in jan and "L7" not in jan
    assert fill_hex(after[("Januari", "D6")]) == "#DDEBF7"  # fixed, untouched by the user: restored


def test_state_records_looks_not_indexes(tmp_path: Path) -> None:
    path = init_book(tmp_path / "capaian.xlsx")
    validate(path)
    state = read_state(WorkbookPackage.open(path))
    assert state[VERSION_KEY] == 2
    rec = state[MARKS_KEY]["Januari"]["L6"]
    look = state[LOOKS_KEY][rec[0]]
    assert look["fmt"] == "dd/mm/yyyy" and "FFE2EFDA" in look["fill"]
