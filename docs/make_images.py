"""Regenerate the pictures of the user guide (`docs/gambar/*.png`) from real sopxl output.

Steps:

1. run ``sopxl demo`` into a temporary folder (the clean sample workbook with its
   ``Laporan Semester I``, the flawed sample already marked by validation, and the
   standalone report ``laporan-semester-i-2026.xlsx``);
2. for each picture, copy the workbook with every sheet but one hidden (and the other
   sheets' print areas dropped, because LibreOffice prints print areas of hidden sheets),
   so the PDF holds only that sheet;
3. render it to PDF with LibreOffice (``sopxl.report.libreoffice.convert``, private profile),
   find the drawn area of the chosen page from a small greyscale render, and write a
   cropped PNG of it with ``pdftoppm``.

Usage (from the repository root)::

    .venv/bin/python docs/make_images.py              # writes docs/gambar/*.png
    .venv/bin/python docs/make_images.py --keep tmp   # also keep the demo output in ./tmp

Needs LibreOffice (``soffice``) and poppler (``pdftoppm``). No imaging library is used.
"""

from __future__ import annotations

import argparse
import re
import shutil
import subprocess
import sys
import tempfile
import zipfile
from dataclasses import dataclass
from pathlib import Path

from sopxl.report.libreoffice import convert

DOCS = Path(__file__).resolve().parent
MAX_BYTES = 250_000

CLEAN = "contoh-capaian-2026.xlsx"
FLAWED = "contoh-dengan-kesalahan-2026.xlsx"
REPORT = "laporan-semester-i-2026.xlsx"


@dataclass(frozen=True)
class Picture:
    """One picture: which sheet of which demo workbook, and how to frame it."""

    name: str  # file name under docs/gambar/
    workbook: str  # file name in the demo folder
    sheet: str
    page: int = 1  # page of that sheet's PDF
    dpi: int = 80
    keep_top: float = 1.0  # fraction of the drawn height to keep (from the top)
    keep_left: float = 1.0  # fraction of the drawn width to keep (from the left)


PICTURES: tuple[Picture, ...] = (
    Picture("petunjuk.png", CLEAN, "Petunjuk", dpi=72),
    Picture("petunjuk-warna.png", CLEAN, "Petunjuk", page=2, dpi=80),
    Picture("lembar-bulan-maret.png", CLEAN, "Maret", dpi=120, keep_top=0.78),
    Picture("lembar-bulan-bertanda.png", FLAWED, "September", dpi=120, keep_top=0.8),
    Picture("catatan-koreksi.png", FLAWED, "Catatan Koreksi", dpi=90, keep_top=0.6),
    # The flawed sample: validation has written the date and status of SOP step 3.
    Picture("kendali-sop.png", FLAWED, "Kendali SOP", dpi=110),
    Picture("laporan-semester-i.png", REPORT, "Laporan Semester I", dpi=100),
)


def run_demo(outdir: Path) -> None:
    """Run `sopxl demo OUTDIR` with the Python running this script."""
    cmd = [sys.executable, "-c", "from sopxl.frontends.cli import main; main()", "demo", str(outdir)]
    proc = subprocess.run(cmd, capture_output=True, text=True)
    if proc.returncode != 0:
        raise SystemExit(f"sopxl demo failed ({proc.returncode}):\n{proc.stderr or proc.stdout}")


def only_sheet(source: Path, sheet: str, target: Path) -> None:
    """Copy `source` to `target` with only `sheet` visible, active and printable."""
    with zipfile.ZipFile(source) as zin, zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as zout:
        for item in zin.infolist():
            data = zin.read(item.filename)
            if item.filename == "xl/workbook.xml":
                data = _only_sheet_xml(data.decode("utf-8"), sheet).encode("utf-8")
            zout.writestr(item, data)


def _only_sheet_xml(text: str, sheet: str) -> str:
    names = re.findall(r'<sheet\b[^>]*\bname="([^"]+)"', text)
    if sheet not in names:
        raise SystemExit(f"sheet {sheet!r} not found; the workbook has {names}")
    index = names.index(sheet)

    def sheet_tag(match: re.Match[str]) -> str:
        tag = re.sub(r'\sstate="[^"]*"', "", match.group(0))
        if match.group(1) != sheet:
            tag = tag.replace("<sheet ", '<sheet state="hidden" ', 1)
        return tag

    def view_tag(match: re.Match[str]) -> str:
        attrs = re.sub(r'\s(activeTab|firstSheet)="\d+"', "", match.group(1))
        return f'<workbookView{attrs} activeTab="{index}" firstSheet="{index}"/>'

    def defined_name(match: re.Match[str]) -> str:
        local = re.search(r'localSheetId="(\d+)"', match.group(0))
        if local and int(local.group(1)) != index and "_xlnm.Print" in match.group(0):
            return ""
        return match.group(0)

    text = re.sub(r'<sheet\b[^>]*\bname="([^"]+)"[^>]*/>', sheet_tag, text)
    text = re.sub(r"<workbookView([^>]*?)/>", view_tag, text)
    return re.sub(r"<definedName\b[^>]*>[^<]*</definedName>", defined_name, text)


def _pdftoppm(*args: str) -> None:
    subprocess.run(["pdftoppm", *args], check=True, capture_output=True)


def drawn_box(pdf: Path, page: int, dpi: int) -> tuple[int, int, int, int]:
    """(x, y, width, height) of the non-white area of `page`, in pixels at `dpi`."""
    with tempfile.TemporaryDirectory(prefix="sopxl-img-") as tmp:
        stem = Path(tmp) / "probe"
        _pdftoppm("-r", str(dpi), "-f", str(page), "-l", str(page), "-gray", "-singlefile",
                  str(pdf), str(stem))
        raw = (stem.with_suffix(".pgm")).read_bytes()
    width, height, pixels = _parse_pgm(raw)
    # Treat near-white as white, then look for rows/columns holding anything else.
    whiten = bytes(255 if value >= 245 else value for value in range(256))
    pixels = pixels.translate(whiten)
    top = bottom = -1
    left, right = width, -1
    for row in range(height):
        line = pixels[row * width:(row + 1) * width]
        stripped = line.lstrip(b"\xff")
        if not stripped:
            continue
        if top < 0:
            top = row
        bottom = row
        left = min(left, width - len(stripped))
        right = max(right, len(line.rstrip(b"\xff")) - 1)
    if top < 0:
        raise SystemExit(f"page {page} of {pdf.name} is blank")
    margin = max(4, dpi // 12)
    x, y = max(0, left - margin), max(0, top - margin)
    return x, y, min(width, right + margin + 1) - x, min(height, bottom + margin + 1) - y


def _parse_pgm(raw: bytes) -> tuple[int, int, bytes]:
    """Width, height and pixel bytes of a binary (P5, 8-bit) PGM."""
    fields: list[bytes] = []
    pos = 0
    while len(fields) < 4:
        while raw[pos:pos + 1].isspace():
            pos += 1
        if raw[pos:pos + 1] == b"#":
            pos = raw.index(b"\n", pos) + 1
            continue
        end = pos
        while not raw[end:end + 1].isspace():
            end += 1
        fields.append(raw[pos:end])
        pos = end
    if fields[0] != b"P5" or fields[3] != b"255":
        raise SystemExit("unexpected PGM from pdftoppm")
    width, height = int(fields[1]), int(fields[2])
    return width, height, raw[pos + 1:pos + 1 + width * height]


def render(picture: Picture, demo: Path, outdir: Path, work: Path) -> Path:
    """Write one picture; returns its path."""
    source = demo / picture.workbook
    single = work / f"{Path(picture.name).stem}.xlsx"
    only_sheet(source, picture.sheet, single)
    pdf = convert(single, "pdf", work)
    x, y, w, h = drawn_box(pdf, picture.page, picture.dpi)
    w = int(w * picture.keep_left)
    h = int(h * picture.keep_top)
    stem = work / Path(picture.name).stem
    _pdftoppm("-r", str(picture.dpi), "-f", str(picture.page), "-l", str(picture.page),
              "-x", str(x), "-y", str(y), "-W", str(w), "-H", str(h),
              "-png", "-singlefile", str(pdf), str(stem))
    target = outdir / picture.name
    shutil.copyfile(stem.with_suffix(".png"), target)
    size = target.stat().st_size
    if size > MAX_BYTES:
        raise SystemExit(f"{target.name} is {size} bytes (limit {MAX_BYTES}); lower its dpi")
    return target


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--out", type=Path, default=DOCS / "gambar", help="folder for the PNGs")
    parser.add_argument("--keep", type=Path, help="also copy the demo output into this folder")
    parser.add_argument("--only", action="append", default=[],
                        help="render only this picture (file name); repeatable")
    args = parser.parse_args(argv)
    for tool in ("pdftoppm",):
        if shutil.which(tool) is None:
            raise SystemExit(f"{tool} is not installed (poppler-utils)")
    args.out.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="sopxl-docs-") as tmp:
        demo, work = Path(tmp) / "demo", Path(tmp) / "work"
        work.mkdir()
        run_demo(demo)
        if args.keep:
            shutil.copytree(demo, args.keep, dirs_exist_ok=True)
        for picture in PICTURES:
            if args.only and picture.name not in args.only:
                continue
            target = render(picture, demo, args.out, work)
            print(f"{target}  ({target.stat().st_size // 1024} KB)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
