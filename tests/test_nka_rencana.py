"""NKA against the plan to date (scores.md, "NKA against the plan to date"): the mid-year
reading beside the year-based NKA, in the JSON, the terminal summary and the report sheet."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner
from openpyxl import load_workbook
from test_figures import expected_json
from wbfactory import standard_book

from sopxl.calc import scores
from sopxl.calc.figures import compute_figures
from sopxl.core import spec
from sopxl.core.config import Settings
from sopxl.frontends.cli import cli
from sopxl.read.workbook import read_workbook

SAMPLE = Path(__file__).resolve().parent.parent / "samples" / "contoh-capaian-2026.xlsx"
KEYS = {"nilai", "penyerapan", "konsistensi", "capaian_ro", "nilai_efisiensi"}


def _consolidate_json(path: Path, periode: str) -> dict[str, object]:
    res = CliRunner().invoke(cli, ["consolidate", str(path), "--periode", periode, "--no-write", "--format", "json"])
    assert res.exit_code == 0, res.output
    return json.loads(res.stdout)


def test_sample_at_end_of_june_is_fair_on_plan_and_low_on_the_year() -> None:
    got = _consolidate_json(SAMPLE, "semester1")
    assert got["bulan_akhir"] == 6
    assert set(got["nka_rencana"]) == KEYS
    want = expected_json(SAMPLE, "semester1")
    for key in KEYS:
        assert got["nka_rencana"][key] == pytest.approx(want["nka_rencana"][key], rel=1e-9, abs=1e-9)
        assert got["nka"][key] == pytest.approx(want["nka"][key], rel=1e-9, abs=1e-9)
    bands = Settings().nka_bands
    assert scores.band(got["nka_rencana"]["nilai"], bands) in {"Cukup", "Baik", "Sangat Baik"}
    assert got["nka"]["nilai"] < 50


@pytest.mark.parametrize("periode", ["semester1", "semester2", "tahunan"])
def test_every_period_carries_nka_rencana(periode: str) -> None:
    got = _consolidate_json(SAMPLE, periode)
    if got["bulan_akhir"] >= got["bulan_awal"]:
        want = expected_json(SAMPLE, periode)
        assert got["nka_rencana"] == pytest.approx(want["nka_rencana"], rel=1e-9, abs=1e-9)
    assert set(got["nka_rencana"]) == KEYS


def test_satker_exactly_on_plan_scores_100_on_absorption_and_ro(tmp_path: Path) -> None:
    path = standard_book(months=6).write(tmp_path / "wb.xlsx")
    fig = compute_figures(read_workbook(path), "semester1")
    assert fig.nka_rencana.penyerapan == pytest.approx(100.0)
    assert fig.nka_rencana.capaian_ro == pytest.approx(100.0)
    assert fig.nka.nilai < 60  # the year-based NKA is low for the same satker


def test_annual_plan_based_and_year_based_agree(tmp_path: Path) -> None:
    book = standard_book(months=12)
    # spend a little under the RPD in some months: RPD still sums to pagu, December progress 100
    for m in (3, 7, 11):
        for row in book.months[m]:
            row[spec.COL_ANGGARAN] = row[spec.COL_ANGGARAN] * 0.8
    path = book.write(tmp_path / "wb.xlsx")
    fig = compute_figures(read_workbook(path), "tahunan")
    assert fig.bulan_akhir == 12
    assert fig.nka.penyerapan < 100
    assert abs(fig.nka_rencana.nilai - fig.nka.nilai) <= 1.0


def _sheet_texts(path: Path, sheet: str) -> list[str]:
    ws = load_workbook(path, read_only=True)[sheet]
    return [str(v) for row in ws.iter_rows(values_only=True) for v in row if isinstance(v, str)]


def test_mid_year_report_bands_the_plan_reading_and_explains_the_year_one(tmp_path: Path) -> None:
    out = tmp_path / "laporan.xlsx"
    res = CliRunner().invoke(cli, ["consolidate", str(SAMPLE), "--periode", "semester1", "--no-write",
                                    "--output", str(out)])
    assert res.exit_code == 0, res.output
    texts = _sheet_texts(out, spec.PERIODS["semester1"][0])
    assert any("perkiraan terhadap rencana s.d. Juni" in t for t in texts)
    assert "Kategori NKA" not in texts  # the year-based NKA has no band mid-year
    assert any("terhadap pagu dan target setahun" in t for t in texts)
    assert "Nilai Kinerja Anggaran, perkiraan terhadap rencana s.d. Juni" in res.stdout
    assert "terhadap pagu dan target setahun: 39,22;" in res.stdout


def test_annual_report_keeps_the_year_based_band(tmp_path: Path) -> None:
    path = standard_book(months=12).write(tmp_path / "wb.xlsx")
    out = tmp_path / "laporan.xlsx"
    res = CliRunner().invoke(cli, ["consolidate", str(path), "--periode", "tahunan", "--no-write",
                                    "--paksa", "--output", str(out)])
    assert res.exit_code == 0, res.output
    texts = _sheet_texts(out, spec.PERIODS["tahunan"][0])
    assert "Kategori NKA" in texts
    assert not any("perkiraan terhadap rencana" in t for t in texts)
    assert "Nilai Kinerja Anggaran (PMK 22/PMK.02/2021): " in res.stdout
