"""The bundled sample inputs and the sample generator (samples/, sopxl/build/samples.py)."""

from __future__ import annotations

import datetime as dt
import json
import re
from pathlib import Path
from typing import Any

import openpyxl
import pandas as pd
import pytest
from click.testing import CliRunner
from python_calamine import CalamineWorkbook
from test_spec_findings import rules_md_table

from sopxl.build.samples import (
    PLANTABLE_RULES,
    SAMPLE_TODAY,
    build_sample,
    is_working_day,
    month_end,
    sample_content,
    write_planted_json,
)
from sopxl.build.workbook import MONTH_HEADER_ROW
from sopxl.core import spec
from sopxl.core.calendar import deadline_for
from sopxl.frontends.cli import cli
from sopxl.read.inputs import read_referensi, read_rencana

REPO = Path(__file__).resolve().parents[1]
SAMPLES = REPO / "samples"
PLANTED_SECTIONS = ("Structure", "Identitas", "Referensi RO and Rencana", "Monthly sheets")


def test_sample_inputs_are_consistent() -> None:
    ros = read_referensi(SAMPLES / "referensi_ro.csv")
    plan = read_rencana(SAMPLES / "rencana.csv", ros)
    assert 12 <= len(ros) <= 20
    assert {r.jenis for r in ros} == {spec.JENIS_STATIS, spec.JENIS_DINAMIS}
    assert all(spec.RO_PATTERN.match(r.kode) for r in ros)
    assert any(r.kode.endswith(".EBA.994") for r in ros)
    for ro in ros:
        rows = sorted((p for p in plan if p.kode == ro.kode), key=lambda p: p.bulan)
        assert [p.bulan for p in rows] == list(range(1, 13))
        assert sum(p.rpd for p in rows) == ro.pagu  # exactly, in whole rupiah
        assert all(float(p.rpd).is_integer() and p.rpd > 0 for p in rows)
        targets = [p.target_progres for p in rows]
        assert targets == sorted(targets) and targets[-1] == 100
    # The package ships the same inputs (works when installed non-editable).
    for name in ("referensi_ro.csv", "rencana.csv"):
        assert (REPO / "sopxl" / "data" / name).read_bytes() == (SAMPLES / name).read_bytes()


def _month_frames(path: Path) -> dict[int, pd.DataFrame]:
    frames: dict[int, pd.DataFrame] = {}
    for number, month in enumerate(spec.MONTHS, start=1):
        df = pd.read_excel(path, sheet_name=month, header=MONTH_HEADER_ROW - 1, engine="calamine")
        frames[number] = df[df[spec.COL_KODE_RO].notna()].reset_index(drop=True)
    return frames


@pytest.fixture(scope="module")
def clean(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("samples") / "clean.xlsx"
    assert build_sample(path, months=10, seed=5, today=SAMPLE_TODAY) == []
    return path


def test_clean_sample_is_internally_consistent(clean: Path) -> None:
    ref = pd.read_excel(clean, sheet_name=spec.SHEET_REFERENSI, engine="calamine").dropna(subset=[spec.COL_KODE_RO])
    plan = pd.read_excel(clean, sheet_name=spec.SHEET_RENCANA, engine="calamine").dropna(subset=[spec.COL_KODE_RO])
    ident = pd.read_excel(clean, sheet_name=spec.SHEET_IDENTITAS, engine="calamine")
    assert ident.set_index(spec.COL_URAIAN)[spec.COL_ISI][spec.ID_BULAN] == "Oktober"
    frames = _month_frames(clean)
    target = dict(zip(ref[spec.COL_KODE_RO], ref[spec.COL_TARGET_VOLUME], strict=True))
    pagu = dict(zip(ref[spec.COL_KODE_RO], ref[spec.COL_PAGU], strict=True))
    tp = {(k, int(b)): v for k, b, v in zip(plan[spec.COL_KODE_RO], plan[spec.COL_BULAN],
                                              plan[spec.COL_TARGET_PROGRES], strict=True)}
    rpd = {(k, int(b)): v for k, b, v in zip(plan[spec.COL_KODE_RO], plan[spec.COL_BULAN],
                                               plan[spec.COL_RPD], strict=True)}
    long = pd.concat([df.assign(bulan=m) for m, df in frames.items() if m <= 10], ignore_index=True)
    long = long.sort_values([spec.COL_KODE_RO, "bulan"])
    long["cum_check"] = long.groupby(spec.COL_KODE_RO)[spec.COL_RVRO].cumsum()
    long["anggaran_cum"] = long.groupby(spec.COL_KODE_RO)[spec.COL_ANGGARAN].cumsum()
    long["prev_progres"] = long.groupby(spec.COL_KODE_RO)[spec.COL_PROGRES].shift(1).fillna(0)
    assert len(long) == 10 * len(ref)
    assert (long[spec.COL_RVRO] >= 0).all()
    assert (long[spec.COL_RVRO_KUM] == long["cum_check"]).all()
    assert (long[spec.COL_PROGRES] >= long["prev_progres"]).all()
    assert long[spec.COL_PROGRES].between(0, 100).all()
    behind_seen = 0
    for _, row in long.iterrows():
        kode, month = row[spec.COL_KODE_RO], int(row["bulan"])
        reached = row[spec.COL_RVRO_KUM] == target[kode]
        assert (row[spec.COL_PROGRES] == 100) == reached, (kode, month)
        assert row[spec.COL_RVRO_KUM] <= target[kode]
        assert row[spec.COL_TARGET_PROGRES] == pytest.approx(tp[(kode, month)])
        if row[spec.COL_PROGRES] < row[spec.COL_TARGET_PROGRES]:
            behind_seen += 1
            assert isinstance(row[spec.COL_KENDALA], str) and isinstance(row[spec.COL_TINDAK_LANJUT], str)
        deviation = abs(row[spec.COL_ANGGARAN] - rpd[(kode, month)]) / rpd[(kode, month)]
        assert deviation <= 0.05 or isinstance(row[spec.COL_KETERANGAN], str)
        assert row["anggaran_cum"] <= pagu[kode]
        entered = pd.Timestamp(row[spec.COL_TANGGAL]).date()
        assert month_end(2026, month) < entered <= deadline_for(2026, month) <= SAMPLE_TODAY
        assert is_working_day(entered)
    assert behind_seen > 0  # the sample shows the Kendala path, not only perfect months
    for month in (11, 12):
        later = frames[month]
        assert len(later) == len(ref)
        assert later[[spec.COL_RVRO, spec.COL_PROGRES, spec.COL_ANGGARAN, spec.COL_TANGGAL]].isna().all().all()


def test_clean_sample_passes_the_validator(clean: Path) -> None:
    from sopxl.rules.validate import validate_path

    result, _data, _settings = validate_path(clean, None, {"today": SAMPLE_TODAY.isoformat()})
    assert [(f.rule, f.sheet, f.cell) for f in result.findings] == []


def _planted_rule_ids_of_rules_md() -> set[str]:
    """Ids of the rules.md sections the samples plant (skips, or fails in CI, without it)."""
    return {
        rule_id
        for rule_id, (title, _severity) in rules_md_table().items()
        if any(title.startswith(s) for s in PLANTED_SECTIONS)
    }


def test_plantable_rules_cover_the_catalogue() -> None:
    import sopxl.rules  # noqa: F401  (registers the catalogue)
    from sopxl.rules.base import CATALOGUE

    expected = {r for r in CATALOGUE if not r.startswith(("LAP-", "REK-"))}
    assert expected and expected <= set(PLANTABLE_RULES)
    assert _planted_rule_ids_of_rules_md() == set(PLANTABLE_RULES)


@pytest.fixture(scope="module")
def planted_book(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, list[Any]]:
    path = tmp_path_factory.mktemp("planted") / "planted.xlsx"
    planted = build_sample(path, months=9, plant=True, seed=0, today=SAMPLE_TODAY)
    return path, planted


def test_planted_list_covers_every_rule_and_cells_exist(planted_book: tuple[Path, list[Any]]) -> None:
    path, planted = planted_book
    assert {p.rule for p in planted} == set(PLANTABLE_RULES)
    assert len({(p.sheet, p.cell) for p in planted}) == len(planted)  # no two plants share a cell
    wb = openpyxl.load_workbook(path)
    empty_by_design = {"CAP-KOSONG", "CAP-KENDALA"}
    for p in planted:
        if p.rule == "STR-SHEET":
            assert p.sheet not in wb.sheetnames and p.cell == "A1"
            continue
        ws = wb[p.sheet]
        value = ws[p.cell].value
        if p.rule in empty_by_design:
            assert value is None, p
        else:
            assert value is not None, p
    assert [c.value for c in wb["November"][MONTH_HEADER_ROW]].count(spec.COL_TINDAK_LANJUT) == 0
    assert wb["Januari"]["A1"].value.startswith("CAPAIAN OUTPUT")


def test_planted_values_are_the_promised_kinds(planted_book: tuple[Path, list[Any]]) -> None:
    path, planted = planted_book
    wb = openpyxl.load_workbook(path)
    values: dict[str, list[Any]] = {}
    for p in planted:
        if p.rule != "STR-SHEET":
            values.setdefault(p.rule, []).append(wb[p.sheet][p.cell].value)
    angka = values["CAP-ANGKA"]
    assert any(isinstance(v, str) and v.startswith("Rp ") for v in angka)
    assert any(isinstance(v, str) and re.fullmatch(r"\d+,\d\d", v) for v in angka)
    assert any(isinstance(v, str) and re.fullmatch(r"\d+ \w+", v) for v in angka)
    assert all(0 < v < 1 for v in values["CAP-PERSEN-PECAHAN"])
    assert all(v < 0 for v in values["CAP-NEGATIF"])
    tanggal = values["CAP-TANGGAL"]
    assert any(isinstance(v, str) and "Januari" not in v and re.search(r"\d{4}$", v) for v in tanggal)
    assert any(isinstance(v, dt.datetime) and v.date() > SAMPLE_TODAY for v in tanggal)
    assert values["STR-FORMULA-ERROR"] == ["=1/0"]
    import zipfile

    with zipfile.ZipFile(path) as zf:
        sheet_xml = [zf.read(n) for n in zf.namelist() if n.startswith("xl/worksheets/sheet")]
    assert any(b't="e"' in x and b"#DIV/0!" in x for x in sheet_xml)
    assert openpyxl.load_workbook(path)[spec.SHEET_IDENTITAS]["B4"].value == "TA 2026"


def test_planted_findings_are_found_by_the_validator(planted_book: tuple[Path, list[Any]]) -> None:
    from sopxl.rules.validate import validate_path

    path, planted = planted_book
    result, _data, _settings = validate_path(path, None, {"today": SAMPLE_TODAY.isoformat()})
    found = {(f.rule, f.sheet, f.cell) for f in result.findings}
    missing = [p for p in planted if (p.rule, p.sheet, p.cell) not in found]
    assert missing == []


def test_plant_subset_and_limits(tmp_path: Path) -> None:
    content, planted = sample_content(months=10, plant=["CAP-ANGKA", "ID-SATKER"], today=SAMPLE_TODAY)
    assert {p.rule for p in planted} == {"CAP-ANGKA", "ID-SATKER"}
    assert content.identity[spec.ID_KODE_SATKER] == "41172"
    with pytest.raises(ValueError, match="months <= 9"):
        sample_content(months=10, plant=True, today=SAMPLE_TODAY)
    with pytest.raises(ValueError, match="tidak dikenal"):
        sample_content(months=5, plant=["CAP-TIDAK-ADA"], today=SAMPLE_TODAY)
    with pytest.raises(ValueError, match="belum dapat dilaporkan"):
        sample_content(months=10, today=dt.date(2026, 6, 1))


def test_samples_are_reproducible(tmp_path: Path) -> None:
    a, b = tmp_path / "a.xlsx", tmp_path / "b.xlsx"
    pa = build_sample(a, months=9, plant=True, seed=7, today=SAMPLE_TODAY)
    pb = build_sample(b, months=9, plant=True, seed=7, today=SAMPLE_TODAY)
    assert pa == pb and a.read_bytes() == b.read_bytes()
    write_planted_json(tmp_path / "p.json", pa)
    data = json.loads((tmp_path / "p.json").read_text(encoding="utf-8"))
    assert data[0].keys() == {"rule", "sheet", "cell"} and len(data) == len(pa)


def test_bundled_sample_files_are_current() -> None:
    """samples/*.xlsx match what make_samples.py produces now (regenerate when this fails)."""
    for name, months, plant in (("contoh-capaian-2026.xlsx", 10, False),
                                ("contoh-dengan-kesalahan-2026.xlsx", 9, True)):
        bundled = SAMPLES / name
        if not bundled.exists():
            pytest.skip("samples not generated")
        content, planted = sample_content(months=months, plant=plant, today=SAMPLE_TODAY)
        book = CalamineWorkbook.from_path(str(bundled))
        jan = book.get_sheet_by_name("Januari").to_python()
        rows = content.months[1].rows or []
        assert [r[0] for r in jan[MONTH_HEADER_ROW:] if r[0]] == [r.kode for r in rows]
        if plant:
            saved = json.loads((SAMPLES / "contoh-dengan-kesalahan-2026.tertanam.json").read_text(encoding="utf-8"))
            assert saved == [p.to_dict() for p in planted]


def test_demo_command(tmp_path: Path) -> None:
    out = tmp_path / "keluaran"
    result = CliRunner().invoke(cli, ["demo", str(out)])
    assert result.exit_code == 0, result.output
    clean = out / "contoh-capaian-2026.xlsx"
    wrong = out / "contoh-dengan-kesalahan-2026.xlsx"
    assert clean.exists() and wrong.exists()
    report = json.loads((out / "contoh-capaian-2026.validasi.json").read_text(encoding="utf-8"))
    assert report["errors"] == 0 and report["warnings"] == 0
    planted = json.loads((out / "contoh-dengan-kesalahan-2026.tertanam.json").read_text(encoding="utf-8"))
    assert f"{len(planted)} dari {len(planted)} kesalahan tertanam ditemukan" in result.output
    assert str(clean) in result.output
    # The flawed workbook carries the marks; the clean one the semester report.
    from python_calamine import CalamineWorkbook

    marked = CalamineWorkbook.from_path(str(wrong)).sheet_names
    assert "Catatan Koreksi" in marked
    assert "Laporan Semester I" in CalamineWorkbook.from_path(str(clean)).sheet_names
    assert (out / "laporan-semester-i-2026.xlsx").exists()
    assert "IKPA Capaian Output" in result.output
    # Running it again overwrites its own files.
    again = CliRunner().invoke(cli, ["demo", str(out)])
    assert again.exit_code == 0
