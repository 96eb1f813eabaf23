"""`sopxl impor` and `sopxl validate --ekspor`: filling a month from the SAKTI export, the
REK findings, `--timpa`, the fidelity of the write, hostile exports."""

from __future__ import annotations

import json
import shutil
import zipfile
from pathlib import Path
from typing import Any

from click.testing import CliRunner
from python_calamine import CalamineWorkbook
from test_ekspor import (
    FIGURES,
    MARCH,
    cumulative_only,
    empty_march,
    grouped_openpyxl,
    march_values,
    one_header_xlsxwriter,
)
from test_fidelity import build_decorated, parts_of, sheet_map
from wbfactory import RO_DINAMIS, RO_STATIS, Formula, standard_book

from sopxl.core import spec
from sopxl.frontends.cli import cli
from sopxl.ooxml.zipio import read_members

TODAY = "2026-04-20"
UNKNOWN = "013.07.WA.4293.EBA.999"


def sakti_csv(path: Path, rows: dict[str, tuple[Any, ...]], title: str = "Bulan Maret 2026") -> Path:
    lines = [title, "Kode RO;RVRO;PCRO;Realisasi Anggaran RO"]
    lines += [";".join(str(v) for v in (code, *values)) for code, values in rows.items()]
    path.write_text("\n".join(lines), encoding="utf-8")
    return path


def standard_rows(**changes: tuple[Any, ...] | None) -> dict[str, tuple[Any, ...]]:
    rows: dict[str, tuple[Any, ...] | None] = {code: (f[0], f[2], f[3]) for code, f in FIGURES.items()}
    rows.update({{"statis": RO_STATIS, "dinamis": RO_DINAMIS, "unknown": UNKNOWN}[k]: v for k, v in changes.items()})
    return {code: v for code, v in rows.items() if v is not None}


def impor(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(cli, ["impor", *args])
    return result.exit_code, result.output


def validate_json(path: Path, *args: str) -> dict[str, Any]:
    result = CliRunner().invoke(cli, ["validate", str(path), "--no-write", "--format", "json",
                                      "--set", f"today={TODAY}", *args])
    assert result.exit_code in (0, 1), result.output
    payload: dict[str, Any] = json.loads(result.output)
    return payload


def rek(payload: dict[str, Any]) -> list[tuple[str, str, str]]:
    return [(f["rule"], f["sheet"], f["cell"]) for f in payload["findings"] if f["rule"].startswith("REK-")]


def test_impor_json_then_validate_finds_nothing(tmp_path: Path) -> None:
    book = empty_march(tmp_path)
    export = one_header_xlsxwriter(tmp_path / "sakti.xlsx")
    code, out = impor(str(book), "--ekspor", str(export), "--format", "json")
    assert code == 0, out
    payload = json.loads(out)
    assert payload == {
        "file": str(book), "ekspor": str(export), "bulan": 3, "diisi": 8, "sama": 0, "berbeda": [],
        "ro_tidak_ada_di_buku_kerja": [], "ro_tidak_ada_di_ekspor": [],
    }
    # the whole workbook is consistent again: the standard March, no finding of any rule
    checked = validate_json(book, "--ekspor", str(export))
    assert [f for f in checked["findings"] if f["severity"] == "error"] == []
    assert rek(checked) == []
    # importing again changes nothing: every cell is the same
    code, out = impor(str(book), "--ekspor", str(export), "--format", "json")
    assert json.loads(out)["diisi"] == 0 and json.loads(out)["sama"] == 8


def test_one_changed_number_gives_one_rek_nilai(tmp_path: Path) -> None:
    book = standard_book(months=MARCH).write(tmp_path / "b.xlsx")
    same = sakti_csv(tmp_path / "same.csv", standard_rows())
    assert rek(validate_json(book, "--ekspor", str(same))) == []
    changed = sakti_csv(tmp_path / "changed.csv", standard_rows(dinamis=(10, 25, "55.000.000")))
    payload = validate_json(book, "--ekspor", str(changed))
    findings = [f for f in payload["findings"] if f["rule"].startswith("REK-")]
    assert [(f["rule"], f["sheet"], f["cell"]) for f in findings] == [("REK-NILAI", "Maret", "I3")]
    assert "50.000.000" in findings[0]["message"] and "55.000.000" in findings[0]["message"]
    assert findings[0]["severity"] == "error"


def test_validate_marks_rek_findings_into_the_workbook(tmp_path: Path) -> None:
    book = standard_book(months=MARCH).write(tmp_path / "b.xlsx")
    changed = sakti_csv(tmp_path / "changed.csv", standard_rows(dinamis=(10, 25, 55_000_000)))
    result = CliRunner().invoke(cli, ["validate", str(book), "--ekspor", str(changed), "--set", f"today={TODAY}"])
    assert result.exit_code == 1, result.output
    import openpyxl

    wb = openpyxl.load_workbook(book)
    note = wb["Maret"]["I3"].comment
    assert note is not None and "REK-NILAI" in note.text and "55.000.000" in note.text
    catatan = [r for r in wb[spec.SHEET_CATATAN].iter_rows(values_only=True) if "REK-NILAI" in r]
    assert catatan


def test_missing_ro_gives_rek_ro_both_ways(tmp_path: Path) -> None:
    book = standard_book(months=MARCH).write(tmp_path / "b.xlsx")
    export = sakti_csv(tmp_path / "e.csv", standard_rows(dinamis=None, unknown=(1, 25, 1000)))
    assert sorted(rek(validate_json(book, "--ekspor", str(export)))) == [
        ("REK-RO", "Maret", "A1"), ("REK-RO", "Maret", "A3"),
    ]
    code, out = impor(str(book), "--ekspor", str(export), "--format", "json", "--no-write")
    assert code == 0, out
    payload = json.loads(out)
    assert payload["ro_tidak_ada_di_buku_kerja"] == [UNKNOWN]
    assert payload["ro_tidak_ada_di_ekspor"] == [RO_DINAMIS]


def test_without_export_rek_rules_are_silent(tmp_path: Path) -> None:
    book = empty_march(tmp_path)
    assert rek(validate_json(book)) == []


def test_timpa_absent_and_present(tmp_path: Path) -> None:
    book = standard_book(months=MARCH).write(tmp_path / "b.xlsx")
    before = book.read_bytes()
    export = sakti_csv(tmp_path / "e.csv", standard_rows(statis=(2, 25, 10_000_000)))
    code, out = impor(str(book), "--ekspor", str(export), "--format", "json")
    payload = json.loads(out)
    assert payload["berbeda"] == [
        {"ro": RO_STATIS, "kolom": spec.COL_RVRO, "buku_kerja": 1, "ekspor": 2},
    ]
    assert payload["diisi"] == 0 and payload["sama"] == 5
    assert book.read_bytes() == before  # nothing to write: the file is untouched
    code, out = impor(str(book), "--ekspor", str(export), "--format", "json", "--timpa")
    payload = json.loads(out)
    assert payload["berbeda"] == [{"ro": RO_STATIS, "kolom": spec.COL_RVRO, "buku_kerja": 1, "ekspor": 2}]
    assert payload["diisi"] == 1
    assert march_values(book)[RO_STATIS][spec.COL_RVRO] == 2
    code, out = impor(str(book), "--ekspor", str(export))
    assert code == 0 and "0 sel diisi, 6 sel sudah sama" in out


def test_no_write_leaves_the_workbook(tmp_path: Path) -> None:
    book = empty_march(tmp_path)
    before = book.read_bytes()
    code, out = impor(str(book), "--ekspor", str(cumulative_only(tmp_path / "k.xlsx")), "--bulan", "3", "--no-write")
    assert code == 0 and "6 sel diisi" in out and "--no-write" in out
    assert book.read_bytes() == before


def test_month_is_asked_for_when_the_title_has_none(tmp_path: Path) -> None:
    book = empty_march(tmp_path)
    code, out = impor(str(book), "--ekspor", str(cumulative_only(tmp_path / "k.xlsx")))
    assert code == 2 and "--bulan" in out


def test_cached_running_sum_follows_the_import(tmp_path: Path) -> None:
    """A Kumulatif formula keeps its formula and shows the new running sum as its cached value."""
    book = standard_book(months=MARCH)
    for i, row in enumerate(book.months[MARCH]):
        for column in (spec.COL_RVRO, spec.COL_PROGRES, spec.COL_ANGGARAN, spec.COL_TANGGAL):
            row[column] = None
        r = book.header_row(spec.MONTHS[2]) + i + 1
        # an old running sum, and the "" a formula shows before the month is entered
        row[spec.COL_RVRO_KUM] = Formula(f"=Februari!F{r}+E{r}", 2 if i == 0 else "")
    path = book.write(tmp_path / "b.xlsx")
    impor(str(path), "--ekspor", str(grouped_openpyxl(tmp_path / "g.xlsx")))
    grid = CalamineWorkbook.from_path(str(path)).get_sheet_by_name("Maret").to_python()
    assert [grid[1][5], grid[2][5]] == [3, 30]
    xml = parts_of(path)[sheet_map(path)["Maret"]]
    assert b"<f>Februari!F2+E2</f>" in xml and b"<f>Februari!F3+E3</f>" in xml
    # the running sums are right: only the Tanggal Entri the grouped export lacks is missing
    maret = [(f["rule"], f["cell"]) for f in validate_json(path)["findings"] if f["sheet"] == "Maret"]
    assert maret == [("CAP-KOSONG", "L2"), ("CAP-KOSONG", "L3")]


def test_the_write_changes_only_the_filled_cells(tmp_path: Path) -> None:
    """The decorated workbook of the fidelity tests, Februari of one RO emptied and imported:
    every other part keeps its compressed bytes, every other cell its value (cached formula
    results included)."""
    book = standard_book(months=MARCH)
    for column in (spec.COL_RVRO, spec.COL_PROGRES, spec.COL_ANGGARAN):
        book.months[2][1][column] = None
    path = build_decorated(tmp_path / "capaian.xlsm", book, xlsm=True)
    original = tmp_path / "original.xlsm"
    shutil.copyfile(path, original)
    rows = {code: (f[0], round(f[2] * 2 / 3, 2), f[3]) for code, f in FIGURES.items()}
    export = sakti_csv(tmp_path / "feb.csv", rows, "Bulan Februari 2026")
    code, out = impor(str(path), "--ekspor", str(export), "--format", "json")
    payload = json.loads(out)
    assert code == 0 and payload["diisi"] == 3 and payload["berbeda"] == [], out
    feb = sheet_map(path)["Februari"]
    before = {m.name: m.raw for m in read_members(original)}
    after = {m.name: m.raw for m in read_members(path)}
    assert set(before) == set(after)
    changed = {name for name in before if before[name] != after[name]}
    assert changed <= {feb, "xl/styles.xml"}, changed
    old = CalamineWorkbook.from_path(str(original))
    new = CalamineWorkbook.from_path(str(path))
    for sheet in old.sheet_names:
        a = old.get_sheet_by_name(sheet).to_python()
        b = new.get_sheet_by_name(sheet).to_python()
        diff = {
            (r, c)
            for r in range(max(len(a), len(b)))
            for c in range(max(len(a[0]) if a else 0, len(b[0]) if b else 0))
            if (a[r][c] if r < len(a) and c < len(a[r]) else "") != (b[r][c] if r < len(b) and c < len(b[r]) else "")
        }
        assert diff == ({(2, 4), (2, 6), (2, 8)} if sheet == "Februari" else set()), sheet
    grid = new.get_sheet_by_name("Februari").to_python()
    assert grid[2][14] == 132  # cached formula result O3 kept
    assert [grid[2][4], grid[2][8]] == [10, 50_000_000]


def hostile(tmp_path: Path) -> dict[str, Path]:
    good = grouped_openpyxl(tmp_path / "good.xlsx")
    files: dict[str, Path] = {}
    files["bukan zip"] = tmp_path / "acak.xlsx"
    files["bukan zip"].write_bytes(b"bukan excel sama sekali " * 20)
    files["xls"] = tmp_path / "lama.xls"
    files["xls"].write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 504 + "Workbook".encode("utf-16-le"))
    files["terenkripsi"] = tmp_path / "sandi.xlsx"
    names = "".join(f"{n}\0" for n in ("EncryptionInfo", "EncryptedPackage")).encode("utf-16-le")
    files["terenkripsi"].write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 1016 + names)
    files["bom"] = tmp_path / "bom.xlsx"
    with zipfile.ZipFile(good) as src, zipfile.ZipFile(files["bom"], "w", zipfile.ZIP_DEFLATED) as dst:
        for item in src.infolist():
            data = src.read(item.filename)
            if item.filename == "xl/worksheets/sheet1.xml":
                data = data.replace(b"</worksheet>", b" " * (64 * 1024 * 1024) + b"</worksheet>")
            dst.writestr(item.filename, data)
    files["pdf"] = tmp_path / "ekspor.pdf"
    files["pdf"].write_bytes(b"%PDF-1.4\n")
    return files


def test_hostile_exports_are_refused_and_nothing_changes(tmp_path: Path) -> None:
    book = empty_march(tmp_path)
    before = book.read_bytes()
    for kind, export in hostile(tmp_path).items():
        content = export.read_bytes()
        for command in (["impor", str(book), "--ekspor", str(export), "--bulan", "3"],
                        ["validate", str(book), "--ekspor", str(export), "--bulan", "3"]):
            result = CliRunner().invoke(cli, command)
            assert result.exit_code == 2, (kind, result.output)
            assert result.output.startswith("Galat: ") and "Traceback" not in result.output, (kind, result.output)
            assert book.read_bytes() == before and export.read_bytes() == content, kind
    assert not list(tmp_path.glob("*.bak*"))


def test_a_bad_profile_or_a_lone_bulan_is_refused_clearly(tmp_path: Path) -> None:
    book = empty_march(tmp_path)
    before = book.read_bytes()
    export = cumulative_only(tmp_path / "k.xlsx")
    broken = tmp_path / "rusak.toml"
    broken.write_text("[kolom\nkode_ro = 1", encoding="utf-8")
    unknown = tmp_path / "asing.toml"
    unknown.write_text('[kolom]\nkode_satker = ["Satker"]\n', encoding="utf-8")
    for profile, words in ((broken, "bukan TOML"), (unknown, "kode_satker"), (tmp_path / "tidak-ada.toml", "tidak ditemukan")):
        code, out = impor(str(book), "--ekspor", str(export), "--bulan", "3", "--profil", str(profile))
        assert code == 2 and words in out, out
    result = CliRunner().invoke(cli, ["validate", str(book), "--bulan", "3"])
    assert result.exit_code == 2 and "--ekspor" in result.output
    assert book.read_bytes() == before


def test_a_later_run_without_the_export_keeps_rek_findings_open(tmp_path: Path) -> None:
    """Without --ekspor nothing is reconciled, so nothing is taken as fixed: the REK findings
    written by the last run with the export stay marked and `Belum diperbaiki`; a run with a
    matching export then lists them as `Selesai`."""
    import openpyxl

    book = standard_book(months=MARCH).write(tmp_path / "b.xlsx")
    changed = sakti_csv(tmp_path / "changed.csv", standard_rows(dinamis=(10, 25, 55_000_000)))
    first = CliRunner().invoke(cli, ["validate", str(book), "--ekspor", str(changed), "--set", f"today={TODAY}"])
    assert first.exit_code == 1, first.output
    again = CliRunner().invoke(cli, ["validate", str(book), "--format", "json", "--set", f"today={TODAY}"])
    payload = json.loads(again.stdout)
    carried = [f for f in payload["findings"] if f["rule"] == "REK-NILAI"]
    assert [(f["sheet"], f["cell"]) for f in carried] == [("Maret", "I3")]
    assert "belum diperiksa ulang" in carried[0]["message"] and "55.000.000" in carried[0]["message"]
    wb = openpyxl.load_workbook(book)
    assert wb["Maret"]["I3"].comment is not None and "REK-NILAI" in wb["Maret"]["I3"].comment.text
    rows = [r for r in wb[spec.SHEET_CATATAN].iter_rows(values_only=True) if "REK-NILAI" in r]
    assert rows and all("Belum diperbaiki" in r and "Selesai" not in r for r in rows)
    same = sakti_csv(tmp_path / "same.csv", standard_rows())
    done = CliRunner().invoke(cli, ["validate", str(book), "--ekspor", str(same), "--format", "json",
                                    "--set", f"today={TODAY}"])
    assert [f for f in json.loads(done.stdout)["findings"] if f["rule"].startswith("REK-")] == []
    wb = openpyxl.load_workbook(book)
    assert wb["Maret"]["I3"].comment is None
    rows = [r for r in wb[spec.SHEET_CATATAN].iter_rows(values_only=True) if "REK-NILAI" in r]
    assert rows and all("Selesai" in r for r in rows)
