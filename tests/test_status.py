"""`sopxl status`: the SOP's clock (deadlines across Indonesian holidays, working days left),
the months, the reports and Kendali SOP, read only."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner
from wbfactory import standard_book

from sopxl.core import spec
from sopxl.frontends.cli import cli
from sopxl.ooxml import WorkbookPackage
from sopxl.read.state import read_state, write_state

SAMPLE = Path(__file__).resolve().parent.parent / "samples" / "contoh-capaian-2026.xlsx"


def _status(path: Path, *args: str) -> dict[str, object]:
    res = CliRunner().invoke(cli, ["status", str(path), "--format", "json", *args], catch_exceptions=False)
    assert res.exit_code == 0, res.output
    return json.loads(res.stdout)


# (today, month whose deadline is next, its deadline, working days left, today included)
# Holidays of the bundled table: 2026-03-19 Nyepi, 03-21/22 Idul Fitri, 04-03 Good Friday,
# 05-01 Labour Day, 06-01 Pancasila, 12-25; 2027-01-01 and 2027-01-05.
CLOCK = [
    ("2026-03-16", 3, "2026-04-08", 16),  # across Nyepi, Idul Fitri and Good Friday
    ("2026-04-08", 3, "2026-04-08", 1),  # the deadline day itself
    ("2026-04-09", 4, "2026-05-08", 21),  # May 1 pushes April's deadline to the 8th
    ("2026-05-04", 4, "2026-05-08", 5),
    ("2026-05-30", 5, "2026-06-08", 5),  # a Saturday; June 1 is a holiday
    ("2026-12-08", 12, "2027-01-11", 22),  # November's deadline (12-07) passed; Christmas
    ("2026-12-28", 12, "2027-01-11", 9),  # year end: 1 and 5 January are holidays
]


@pytest.mark.parametrize(("today", "bulan", "tanggal", "left"), CLOCK)
def test_next_deadline_and_working_days_left(tmp_path: Path, today: str, bulan: int, tanggal: str, left: int) -> None:
    got = _status(SAMPLE, "--set", f"today={today}")
    assert got["tenggat_berikutnya"] == {"bulan": bulan, "tanggal": tanggal, "hari_kerja_tersisa": left}


def test_no_deadline_left_after_the_year(tmp_path: Path) -> None:
    assert _status(SAMPLE, "--set", "today=2027-01-12")["tenggat_berikutnya"] is None


def test_json_contract_and_months_of_the_sample() -> None:
    got = _status(SAMPLE, "--set", "today=2026-11-20")
    assert set(got) == {"file", "tahun", "bulan_pelaporan", "bulan", "tenggat_berikutnya", "laporan", "kendali"}
    assert got["tahun"] == 2026 and got["bulan_pelaporan"] == 10
    months = got["bulan"]
    assert [m["bulan"] for m in months] == list(range(1, 13))
    assert set(months[0]) == {"bulan", "terisi", "tenggat", "tanggal_entri", "terlambat", "validasi"}
    assert [m["terisi"] for m in months] == [True] * 10 + [False] * 2
    assert months[2]["tenggat"] == "2026-04-08"
    assert all(m["terlambat"] is False for m in months[:10])
    assert months[10]["terlambat"] is None  # November not entered, its deadline not passed yet
    assert [r["periode"] for r in got["laporan"]] == ["semester1", "semester2", "tahunan"]
    assert all(set(r) == {"periode", "ada", "usang", "dikirim"} for r in got["laporan"])
    assert [k["langkah"] for k in got["kendali"]] == [1, 2, 3, 4, 5, 6]


def test_a_month_missed_after_its_deadline_is_late(tmp_path: Path) -> None:
    path = standard_book(months=2, year=2026).write(tmp_path / "wb.xlsx")
    got = _status(path, "--set", "today=2026-04-20")
    assert got["bulan"][2]["terisi"] is False and got["bulan"][2]["terlambat"] is True


def test_validation_and_reports_from_sopxl_state(tmp_path: Path) -> None:
    book = standard_book(months=6, year=2026)
    book_ref = book.month_ref(2, 0, spec.COL_RVRO)
    path = book.write(tmp_path / "wb.xlsx")
    runner = CliRunner()
    assert runner.invoke(cli, ["validate", str(path), "--set", "today=2026-07-08"]).exit_code == 0
    res = runner.invoke(cli, ["consolidate", str(path), "--periode", "semester1", "--set", "today=2026-07-08"])
    assert res.exit_code == 0, res.output
    got = _status(path, "--set", "today=2026-07-09")
    first = got["bulan"][0]["validasi"]
    assert first is not None and first["tanggal"].startswith("2026-07-08")
    assert (first["kesalahan"], first["peringatan"]) == (0, 0)
    assert got["bulan"][6]["validasi"] is None  # Juli not entered
    sem1 = got["laporan"][0]
    assert sem1 == {"periode": "semester1", "ada": True, "usang": False, "dikirim": None}
    step3 = next(k for k in got["kendali"] if k["langkah"] == 3)
    assert step3["tanggal"] == "2026-07-08" and step3["status"]

    # a send recorded by sopxl kirim (a failed one does not count), then a changed month
    pkg = WorkbookPackage.open(path)
    state = read_state(pkg)
    state["kiriman"] = [
        {"waktu": "2026-07-09T09:00:00", "status": "terkirim", "periode": "semester1"},
        {"waktu": "2026-07-10T09:00:00", "status": "gagal", "periode": "semester1"},
    ]
    write_state(pkg, state)
    pkg.set_cell_values(spec.MONTHS[1], {book_ref: 7})
    pkg.save(backup=False)
    got = _status(path, "--set", "today=2026-07-10")
    assert got["laporan"][0] == {"periode": "semester1", "ada": True, "usang": True, "dikirim": "2026-07-09T09:00:00"}
    assert got["laporan"][1] == {"periode": "semester2", "ada": False, "usang": None, "dikirim": None}


def test_status_writes_nothing(tmp_path: Path) -> None:
    path = tmp_path / "contoh.xlsx"
    shutil.copy2(SAMPLE, path)
    before = (path.read_bytes(), path.stat().st_mtime_ns)
    listing = sorted(p.name for p in tmp_path.iterdir())
    res = CliRunner().invoke(cli, ["status", str(path)], catch_exceptions=False)
    assert res.exit_code == 0, res.output
    assert "Tenggat berikutnya" in res.stdout
    _status(path)
    assert (path.read_bytes(), path.stat().st_mtime_ns) == before
    assert sorted(p.name for p in tmp_path.iterdir()) == listing


def test_help_has_an_example() -> None:
    res = CliRunner().invoke(cli, ["status", "--help"])
    assert res.exit_code == 0 and "Contoh:" in res.output and "sopxl status" in res.output


def test_status_button_shows_a_message_and_changes_nothing(tmp_path: Path) -> None:
    from test_excel_entry import FakeBook

    from sopxl.frontends import excel

    path = tmp_path / "contoh.xlsx"
    shutil.copy2(SAMPLE, path)
    before = (path.read_bytes(), path.stat().st_mtime_ns)
    book = FakeBook(str(path), ["Petunjuk"])
    result = excel.status(book)
    assert result is not None and result.tahun == 2026
    prompt, _title, _buttons, mode = book.app.alerts[-1]
    assert "Tenggat berikutnya" in prompt or result.tenggat_berikutnya is None
    assert "Bulan terisi: Januari" in prompt and mode == "info"
    assert book.log == []  # nothing written into the open workbook
    assert (path.read_bytes(), path.stat().st_mtime_ns) == before


def test_libreoffice_status_macro_shows_the_command_text() -> None:
    import sys

    from sopxl.frontends.lo_macro import sopxl_lo

    text = sopxl_lo.run_status(str(SAMPLE), [sys.executable, "-c", "from sopxl.frontends.cli import main; main()"])
    assert "Tenggat berikutnya" in text and "Kendali SOP" in text
    assert sopxl_lo.status in sopxl_lo.g_exportedScripts
