"""Regulation parameters by budget year (issue 15): the bundled table, the row a workbook's
Tahun Anggaran picks, overrides over it, and the regulation named in the JSON, the terminal
summary and the report sheet's footnote."""

from __future__ import annotations

import datetime as dt
import json
import tomllib
from importlib import resources
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from openpyxl import load_workbook
from wbfactory import standard_book

from sopxl.core import regulasi, spec
from sopxl.core.config import Settings
from sopxl.core.errors import InvalidInput
from sopxl.frontends.cli import cli
from sopxl.read.workbook import read_workbook
from sopxl.report.consolidate import consolidate
from sopxl.report.status import workbook_status
from sopxl.rules.validate import resolve_settings

NOTE_2031 = (
    "Tahun Anggaran 2031 belum ada di tabel regulasi sopxl; dipakai parameter Tahun Anggaran 2024 "
    "(PER-5/PB/2024, PMK 62/2023)."
)
# A date after every month of the year, so no entry date is "in the future"
AFTER = {2023: "2024-02-01", 2026: "2027-02-01", 2031: "2032-02-01"}


def _raw_table() -> dict[str, Any]:
    return tomllib.loads(resources.files("sopxl.data").joinpath("regulasi.toml").read_text("utf-8"))


def _book(tmp_path: Path, year: int, months: int = 6, pengaturan: dict[str, Any] | None = None) -> Path:
    book = standard_book(months=months, year=year)
    if pengaturan:
        book.extra_sheets[spec.SHEET_PENGATURAN] = [["Kunci", "Nilai"], *([k, v] for k, v in pengaturan.items())]
    return book.write(tmp_path / f"capaian-{year}.xlsx")


def _resolved(path: Path, run: dict[str, Any] | None = None, file: dict[str, Any] | None = None) -> Settings:
    return resolve_settings(read_workbook(path), file, run)


# --- the table ---------------------------------------------------------------------------------


def test_table_loads_and_every_row_is_complete() -> None:
    rows = regulasi.table()
    assert [r.dari for r in rows] == [2021, 2024]
    assert [(r.dari, r.sampai) for r in rows] == [(2021, 2023), (2024, _raw_table()["diperiksa_sampai"])]
    for row in rows:
        assert set(row.pengaturan) == set(regulasi.PARAMETER_KEYS)
        assert row.ikpa and row.nka and row.keterangan
        # every value is a valid setting
        applied = Settings().with_overrides(row.pengaturan)
        assert applied.deadline_day == row.pengaturan["deadline_day"]
    # the regulations are named differently; the numbers could not be verified to differ
    old, new = rows
    assert (old.ikpa, old.nka) == ("PER-4/PB/2021", "PMK 22/PMK.02/2021")
    assert (new.ikpa, new.nka) == ("PER-5/PB/2024", "PMK 62/2023")
    assert "PMK 62 Tahun 2023" in new.keterangan and "PMK 62" not in old.keterangan


def test_newest_row_is_the_spec_defaults() -> None:
    defaults = Settings()
    newest = Settings().with_overrides(regulasi.newest().pengaturan)
    for key in regulasi.PARAMETER_KEYS:
        assert getattr(newest, key) == getattr(defaults, key), key
    assert (defaults.regulasi_tahun, defaults.regulasi_ikpa, defaults.regulasi_nka) == (2024, "PER-5/PB/2024", "PMK 62/2023")
    assert defaults.regulasi_catatan is None


@pytest.mark.parametrize(
    "broken",
    [
        lambda t: t["regulasi"][0]["pengaturan"].pop("nka_bands"),
        lambda t: t["regulasi"][1]["pengaturan"].update(tenggat=5),
        lambda t: t["regulasi"][1].pop("nka"),
        lambda t: t["regulasi"].reverse(),
        lambda t: t.update(diperiksa_sampai=2022),
    ],
)
def test_an_incomplete_or_unordered_table_is_refused(broken: Any) -> None:
    doc = _raw_table()
    broken(doc)
    with pytest.raises(regulasi.BrokenTable):
        regulasi.parse_table(doc)


@pytest.mark.parametrize(
    ("year", "row", "note"),
    [
        (2019, 2021, "Tahun Anggaran 2019 tidak ada di tabel regulasi sopxl (tabel mulai Tahun Anggaran 2021); "
                     "dipakai parameter Tahun Anggaran 2021 (PER-4/PB/2021, PMK 22/PMK.02/2021)."),
        (2020, 2021, "Tahun Anggaran 2020 tidak ada di tabel regulasi sopxl (tabel mulai Tahun Anggaran 2021); "
                     "dipakai parameter Tahun Anggaran 2021 (PER-4/PB/2021, PMK 22/PMK.02/2021)."),
        (2021, 2021, None),
        (2023, 2021, None),
        (2024, 2024, None),
        (2026, 2024, None),
        (2031, 2024, NOTE_2031),
        (None, 2024, "Tahun Anggaran buku kerja tidak terbaca; dipakai parameter Tahun Anggaran 2024 "
                     "(PER-5/PB/2024, PMK 62/2023)."),
    ],
)
def test_the_year_picks_its_row_and_says_when_outside(year: int | None, row: int, note: str | None) -> None:
    got, said = regulasi.choose(year)
    assert got.dari == row
    assert said == note


# --- resolve_settings ------------------------------------------------------------------------------


def test_workbooks_of_2023_and_2031_pick_their_rows(tmp_path: Path) -> None:
    s23 = _resolved(_book(tmp_path, 2023))
    assert (s23.regulasi_tahun, s23.regulasi_ikpa, s23.regulasi_nka, s23.regulasi_catatan) == (
        2021, "PER-4/PB/2021", "PMK 22/PMK.02/2021", None)
    s31 = _resolved(_book(tmp_path, 2031))
    assert (s31.regulasi_tahun, s31.regulasi_ikpa, s31.regulasi_nka) == (2024, "PER-5/PB/2024", "PMK 62/2023")
    assert s31.regulasi_catatan == NOTE_2031


def test_workbook_and_run_overrides_win_over_the_year_row(tmp_path: Path) -> None:
    path = _book(tmp_path, 2023, pengaturan={"ikpa_weight_timeliness": 0.4, "ikpa_weight_achievement": 0.6,
                                             "deadline_day": 7})
    s = _resolved(path)
    assert (s.ikpa_weight_timeliness, s.ikpa_weight_achievement, s.deadline_day) == (0.4, 0.6, 7)
    assert s.regulasi_tahun == 2021  # still the year's row, and the report says what was changed
    assert s.regulasi_catatan == (
        "Diubah lewat pengaturan dari nilai tabel regulasi Tahun Anggaran 2021: "
        "ikpa_weight_timeliness, ikpa_weight_achievement, deadline_day."
    )
    # a settings file over the sheet, --set over both
    s = _resolved(path, file={"deadline_day": 8}, run={"deadline_day": "9", "nka_efficiency_clamp": "25"})
    assert (s.deadline_day, s.nka_efficiency_clamp, s.ikpa_weight_timeliness) == (9, 25.0, 0.4)
    assert "nka_efficiency_clamp" in (s.regulasi_catatan or "")
    # a value set equal to the row's is no change
    assert _resolved(_book(tmp_path, 2026), run={"deadline_day": "5"}).regulasi_catatan is None


def test_another_years_row_can_be_chosen_per_workbook_and_per_run(tmp_path: Path) -> None:
    path = _book(tmp_path, 2026, pengaturan={"regulasi_tahun": 2022})
    s = _resolved(path)
    assert (s.regulasi_tahun, s.regulasi_ikpa) == (2021, "PER-4/PB/2021")
    assert s.regulasi_catatan == (
        "Dipakai parameter Tahun Anggaran 2021 (PER-4/PB/2021, PMK 22/PMK.02/2021) sesuai pengaturan "
        "regulasi_tahun = 2022, bukan Tahun Anggaran buku kerja (2026)."
    )
    # --set over the sheet: back to the workbook's own row, nothing to say
    s = _resolved(path, run={"regulasi_tahun": "2026"})
    assert (s.regulasi_tahun, s.regulasi_ikpa, s.regulasi_catatan) == (2024, "PER-5/PB/2024", None)
    # the names can be set for a regulation the table does not hold yet
    assert _resolved(path, run={"regulasi_ikpa": "PER-9/PB/2031"}).regulasi_ikpa == "PER-9/PB/2031"
    with pytest.raises(InvalidInput, match="maksimal 2100"):
        _resolved(path, run={"regulasi_tahun": "3000"})
    with pytest.raises(InvalidInput, match="diisi sopxl sendiri"):
        _resolved(path, run={"regulasi_catatan": "semua beres"})


def test_the_year_row_drives_the_deadline_of_status_and_the_scores(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A row that differs from today's (as a future correction of the table would): a 2023
    workbook follows it in `sopxl status`, the rules' settings and the report's weights."""
    doc = _raw_table()
    old = doc["regulasi"][0]["pengaturan"]
    old.update(deadline_day=10, deadline_days="calendar", ikpa_weight_timeliness=0.5, ikpa_weight_achievement=0.5)
    rows = regulasi.parse_table(doc)
    monkeypatch.setattr(regulasi, "table", lambda: rows)

    path = _book(tmp_path, 2023)
    run = {"today": AFTER[2023]}
    status = workbook_status(path, run_overrides=run)
    assert status.bulan[0].tenggat == dt.date(2023, 2, 10)  # 10th calendar day, not the 5th working day
    assert workbook_status(_book(tmp_path, 2026), run_overrides={"today": AFTER[2026]}).bulan[0].tenggat == dt.date(
        2026, 2, 6)  # 5th working day (2 Feb is a Monday)
    out = tmp_path / "laporan-2023.xlsx"
    consolidate(path, "semester1", write=False, output=out, run_overrides=run)
    texts = _sheet_texts(out, spec.PERIODS["semester1"][0])
    assert any(t.startswith("bobot 50%; tepat waktu bila Tanggal Entri SAKTI paling lambat") for t in texts)


# --- what users read ----------------------------------------------------------------------------


def _sheet_texts(path: Path, sheet: str) -> list[str]:
    wb = load_workbook(path, read_only=True)
    try:
        return [str(v) for row in wb[sheet].iter_rows(values_only=True) for v in row if isinstance(v, str)]
    finally:
        wb.close()


def _footnotes(texts: list[str]) -> tuple[str, str | None]:
    (basis,) = [t for t in texts if t.startswith("Dasar perhitungan:")]
    notes = [t for t in texts if t.startswith("Catatan regulasi:")]
    assert len(notes) <= 1
    return basis, (notes[0] if notes else None)


@pytest.mark.parametrize("periode", ["semester1", "tahunan"])
def test_report_sheet_names_the_regulation_of_the_year(tmp_path: Path, periode: str) -> None:
    months = 6 if periode == "semester1" else 12
    sheet = spec.PERIODS[periode][0]
    for year in (2023, 2031):
        path = _book(tmp_path, year, months=months)
        result = consolidate(path, periode, run_overrides={"today": AFTER[year]})
        assert result.written == path
        texts = _sheet_texts(path, sheet)  # the sheet written into the workbook, read back
        basis, note = _footnotes(texts)
        if year == 2023:
            assert basis.startswith(
                "Dasar perhitungan: regulasi yang berlaku mulai Tahun Anggaran 2021 — IKPA Capaian Output "
                "menurut PER-4/PB/2021, Nilai Kinerja Anggaran menurut PMK 22/PMK.02/2021. TA 2021 s.d. 2023"
            )
            assert "PMK 62" not in basis and "PER-5" not in " ".join(texts)
            assert note is None
            assert "IKPA Capaian Output (Peraturan Dirjen Perbendaharaan PER-4/PB/2021, praktik penilaian)" in texts
        else:
            assert basis.startswith(
                "Dasar perhitungan: regulasi yang berlaku mulai Tahun Anggaran 2024 — IKPA Capaian Output "
                "menurut PER-5/PB/2024, Nilai Kinerja Anggaran menurut PMK 62/2023. Mulai TA 2024 berlaku PMK 62"
            )
            assert note == f"Catatan regulasi: {NOTE_2031}"
            assert "IKPA Capaian Output (Peraturan Dirjen Perbendaharaan PER-5/PB/2024, praktik penilaian)" in texts
        # the library's JSON says the same
        got = result.to_json_dict()["regulasi"]
        assert got == (
            {"tahun_tabel": 2021, "ikpa": "PER-4/PB/2021", "nka": "PMK 22/PMK.02/2021", "catatan": None}
            if year == 2023 else
            {"tahun_tabel": 2024, "ikpa": "PER-5/PB/2024", "nka": "PMK 62/2023", "catatan": NOTE_2031}
        )


def test_cli_json_and_summary_name_the_regulation(tmp_path: Path) -> None:
    runner = CliRunner()
    for year, want in (
        (2023, {"tahun_tabel": 2021, "ikpa": "PER-4/PB/2021", "nka": "PMK 22/PMK.02/2021", "catatan": None}),
        (2031, {"tahun_tabel": 2024, "ikpa": "PER-5/PB/2024", "nka": "PMK 62/2023", "catatan": NOTE_2031}),
    ):
        path = str(_book(tmp_path, year))
        args = ["consolidate", path, "--periode", "semester1", "--no-write", "--set", f"today={AFTER[year]}"]
        res = runner.invoke(cli, [*args, "--format", "json"])
        assert res.exit_code == 0, res.output
        assert json.loads(res.stdout)["regulasi"] == want
        res = runner.invoke(cli, args)
        assert res.exit_code == 0, res.output
        lines = res.stdout.splitlines()
        assert (
            f"Dasar perhitungan: IKPA {want['ikpa']}, Nilai Kinerja Anggaran {want['nka']} "
            f"(parameter regulasi yang berlaku mulai Tahun Anggaran {want['tahun_tabel']})"
        ) in lines
        notes = [line for line in lines if line.startswith("Catatan regulasi:")]
        assert notes == ([] if want["catatan"] is None else [f"Catatan regulasi: {NOTE_2031}"])
