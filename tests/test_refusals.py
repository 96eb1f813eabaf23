"""A refusal writes nothing: for every command that writes (init, validate, consolidate, demo),
each refusal leaves the folder listing and every file byte-identical.

Refusals: the workbook open in Excel (`~$W`) or LibreOffice (`.~lock.W#`), an output open,
month errors without --paksa, --pdf without LibreOffice, a read-only target.
"""

from __future__ import annotations

import stat
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from wbfactory import standard_book

from sopxl.core import spec
from sopxl.core.findings import Finding
from sopxl.frontends.cli import cli

REPO = Path(__file__).resolve().parents[1]
LOCKS = ("~${}", ".~lock.{}#")


def snapshot(folder: Path) -> dict[str, bytes]:
    """Every file under `folder` (relative path -> bytes): the listing and the contents."""
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def invoke(*args: str) -> Any:
    return CliRunner().invoke(cli, list(args))


def refused(folder: Path, *args: str, code: int = 2) -> Any:
    before = snapshot(folder)
    res = invoke(*args)
    assert res.exit_code == code, res.output
    assert "Traceback" not in res.output
    assert snapshot(folder) == before, "a refusal changed files"
    return res


@pytest.fixture
def workbook(tmp_path: Path) -> Path:
    return standard_book(months=6).write(tmp_path / "W.xlsx")


def read_only(path: Path) -> None:
    path.chmod(stat.S_IRUSR | stat.S_IRGRP | stat.S_IROTH)


# --- consolidate -------------------------------------------------------------------------------


@pytest.mark.parametrize("lock", LOCKS)
def test_consolidate_refuses_a_workbook_open_and_writes_nothing(workbook: Path, lock: str) -> None:
    (workbook.parent / lock.format(workbook.name)).write_bytes(b"x")
    out = workbook.parent / "l.xlsx"
    res = refused(workbook.parent, "consolidate", str(workbook), "--periode", "semester1",
                  "--output", str(out), "--pdf")
    assert "Galat:" in res.output and "sedang dibuka" in res.output


@pytest.mark.parametrize("lock", LOCKS)
def test_consolidate_refuses_an_output_open_and_writes_nothing(workbook: Path, lock: str) -> None:
    out = workbook.parent / "l.xlsx"
    out.write_bytes(b"the report open in Excel")
    (workbook.parent / lock.format(out.name)).write_bytes(b"x")
    res = refused(workbook.parent, "consolidate", str(workbook), "--periode", "semester1", "--output", str(out))
    assert "sedang dibuka" in res.output and out.name in res.output


def test_consolidate_refuses_a_pdf_open_and_writes_nothing(workbook: Path) -> None:
    out = workbook.parent / "l.xlsx"
    (workbook.parent / ".~lock.l.pdf#").write_bytes(b"x")
    refused(workbook.parent, "consolidate", str(workbook), "--periode", "semester1", "--output", str(out), "--pdf")


def test_consolidate_refuses_month_errors_and_writes_nothing(tmp_path: Path) -> None:
    book = standard_book(months=6)
    book.months[2][0][spec.COL_RVRO] = "1 layanan"
    path = book.write(tmp_path / "W.xlsx")
    refused(tmp_path, "consolidate", str(path), "--periode", "semester1", "--output",
            str(tmp_path / "l.xlsx"), "--pdf", code=1)


def test_consolidate_pdf_without_libreoffice_writes_nothing(
    workbook: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import sopxl.report.libreoffice

    # find_soffice also looks in the usual install folders, so PATH alone cannot hide it
    monkeypatch.setattr(sopxl.report.libreoffice, "find_soffice", lambda: None)
    res = refused(workbook.parent, "consolidate", str(workbook), "--periode", "semester1",
                  "--output", str(workbook.parent / "l.xlsx"), "--pdf")
    assert "LibreOffice tidak terpasang" in res.output


def test_consolidate_refuses_a_read_only_workbook_or_output(workbook: Path) -> None:
    read_only(workbook)
    refused(workbook.parent, "consolidate", str(workbook), "--periode", "semester1",
            "--output", str(workbook.parent / "l.xlsx"))
    workbook.chmod(0o644)
    out = workbook.parent / "l.xlsx"
    out.write_bytes(b"kept")
    read_only(out)
    refused(workbook.parent, "consolidate", str(workbook), "--periode", "semester1", "--output", str(out))


def test_refusal_counts_sheets_in_month_order() -> None:
    from sopxl.report.consolidate import _refusal_message

    def at(sheet: str, rule: str) -> Finding:
        return Finding(rule=rule, severity="error", sheet=sheet, cell="B5", message="x")

    found = [at("Maret", "CAP-ANGKA"), at("Januari", "CAP-KUMULATIF"), at("Maret", "CAP-KUMULATIF"),
             at("Referensi RO", "REF-KODE"), at("Desember", "CAP-ANGKA"), at("Februari", "CAP-TANGGAL")]
    message = _refusal_message(Path("W.xlsx"), "tahunan", found)
    assert "(Referensi RO 1, Januari 1, Februari 1, Maret 2, Desember 1)" in message


# --- validate ------------------------------------------------------------------------------------


@pytest.mark.parametrize("lock", LOCKS)
def test_validate_refuses_a_workbook_open(workbook: Path, lock: str) -> None:
    (workbook.parent / lock.format(workbook.name)).write_bytes(b"x")
    refused(workbook.parent, "validate", str(workbook))


@pytest.mark.parametrize("lock", LOCKS)
def test_validate_refuses_an_output_open(workbook: Path, lock: str) -> None:
    out = workbook.parent / "bertanda.xlsx"
    out.write_bytes(b"open")
    (workbook.parent / lock.format(out.name)).write_bytes(b"x")
    refused(workbook.parent, "validate", str(workbook), "--output", str(out))


def test_validate_refuses_a_read_only_workbook(workbook: Path) -> None:
    read_only(workbook)
    refused(workbook.parent, "validate", str(workbook))


# --- init ------------------------------------------------------------------------------------------


def init_args(out: Path, *extra: str) -> list[str]:
    return ["init", str(out), "--satker", "411724", "--nama", "Balai Contoh", "--tahun", "2026",
            "--ro", str(REPO / "samples" / "referensi_ro.csv"),
            "--rencana", str(REPO / "samples" / "rencana.csv"), *extra]


@pytest.mark.parametrize("lock", LOCKS)
def test_init_refuses_a_target_open(tmp_path: Path, lock: str) -> None:
    out = tmp_path / "capaian.xlsx"
    out.write_bytes(b"open")
    (tmp_path / lock.format(out.name)).write_bytes(b"x")
    refused(tmp_path, *init_args(out, "--force"))


def test_init_refuses_a_read_only_target(tmp_path: Path) -> None:
    out = tmp_path / "capaian.xlsx"
    out.write_bytes(b"keep me")
    read_only(out)
    res = refused(tmp_path, *init_args(out, "--force"))
    assert "hanya-baca" in res.output


def test_init_refuses_an_existing_target_without_force(tmp_path: Path) -> None:
    out = tmp_path / "capaian.xlsx"
    out.write_bytes(b"keep me")
    refused(tmp_path, *init_args(out))


# --- demo ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize("lock", LOCKS)
@pytest.mark.parametrize("name", ["contoh-capaian-2026.xlsx", "contoh-dengan-kesalahan-2026.xlsx",
                                  "laporan-semester-i-2026.xlsx"])
def test_demo_refuses_a_workbook_open_in_its_folder(tmp_path: Path, lock: str, name: str) -> None:
    (tmp_path / name).write_bytes(b"open")
    (tmp_path / lock.format(name)).write_bytes(b"x")
    refused(tmp_path, "demo", str(tmp_path))


def test_demo_refuses_a_read_only_workbook_in_its_folder(tmp_path: Path) -> None:
    target = tmp_path / "contoh-dengan-kesalahan-2026.xlsx"
    target.write_bytes(b"keep me")
    read_only(target)
    refused(tmp_path, "demo", str(tmp_path))
