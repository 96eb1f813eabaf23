"""Period figures (sopxl.calc.figures) against an independent pandas computation over the sheets.

`varied_book` makes a workbook whose numbers differ RO by RO and month by month: uneven
volumes and spending, a Dinamis RO passing its target, a special ZZ RO (left out of IKPA),
late entries, a month without progress, Kendala repeated over months. The expected figures
are recomputed here from `pd.read_excel` with the formulas of scores.md written out again.
"""

from __future__ import annotations

import datetime as dt
import random
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
from wbfactory import Book, plan_progress, standard_book

from sopxl.calc.figures import compute_figures, data_hash
from sopxl.core import spec
from sopxl.core.calendar import deadline_for
from sopxl.core.config import Settings
from sopxl.read.workbook import read_workbook

RO_ZZ = "013.07.WA.4293.EBA.ZZ1"
RO_EXTRA = "013.07.WA.4293.QDC.051"

REFS: list[dict[str, Any]] = [
    {spec.COL_KODE_RO: "013.07.WA.4293.EBA.962", spec.COL_URAIAN_RO: "Layanan Dukungan Manajemen",
     spec.COL_SATUAN: "Layanan", spec.COL_JENIS_RO: "Statis", spec.COL_TARGET_VOLUME: 12,
     spec.COL_PAGU: 120_000_000},
    {spec.COL_KODE_RO: "013.07.WA.4293.SBA.001", spec.COL_URAIAN_RO: "Pelatihan Teknis",
     spec.COL_SATUAN: "Orang", spec.COL_JENIS_RO: "Dinamis", spec.COL_TARGET_VOLUME: 120,
     spec.COL_PAGU: 600_000_000},
    {spec.COL_KODE_RO: RO_ZZ, spec.COL_URAIAN_RO: "RO Khusus", spec.COL_SATUAN: "Paket",
     spec.COL_JENIS_RO: "Statis", spec.COL_TARGET_VOLUME: 4, spec.COL_PAGU: 40_000_000},
    {spec.COL_KODE_RO: RO_EXTRA, spec.COL_URAIAN_RO: "Sarana Prasarana",
     spec.COL_SATUAN: "Unit", spec.COL_JENIS_RO: "Statis", spec.COL_TARGET_VOLUME: 30,
     spec.COL_PAGU: 250_000_000},
]
KENDALA = ["Peserta belum lengkap", "Anggaran terlambat cair", "Narasumber berhalangan"]
TINDAK = ["Koordinasi dengan unit", "Percepatan pencairan", "Menjadwal ulang"]


def varied_book(months: int, seed: int = 7) -> Book:
    """A workbook (TA 2025) with uneven, RO-specific figures for months 1..`months`; no
    rule finds an error in it (warnings only: late entries, deviations from the RPD)."""
    rng = random.Random(seed)
    book = standard_book(months=months, year=2025, referensi=[dict(r) for r in REFS])
    for ref in REFS:
        code = ref[spec.COL_KODE_RO]
        tv = ref[spec.COL_TARGET_VOLUME]
        cum = 0.0
        progres = 0.0
        for m in range(1, months + 1):
            row = book.row_of(m, code)
            add = rng.choice([0, 1, 2, 3]) * (tv / 12)
            if ref[spec.COL_JENIS_RO] == "Dinamis":
                add *= 1.6  # passes its target by the end of the year
            elif cum + add > tv:
                add = max(0.0, tv - cum)
            cum += add
            if m == 3 and code == RO_EXTRA:
                progres_m = progres  # no progress this month
            else:
                progres_m = min(100.0, round(progres + rng.uniform(2, 14), 2))
            progres = progres_m
            late = rng.random() < 0.3
            deadline = deadline_for(book.identitas[spec.ID_TAHUN], m, Settings())
            row.update(
                {
                    spec.COL_RVRO: add,
                    spec.COL_RVRO_KUM: cum,
                    spec.COL_PROGRES: progres_m,
                    spec.COL_ANGGARAN: float(round(ref[spec.COL_PAGU] / 12 * rng.uniform(0.2, 1.0), -3)),
                    spec.COL_TANGGAL: deadline + dt.timedelta(days=3 if late else -1),
                    spec.COL_KENDALA: rng.choice(KENDALA) if progres_m < plan_progress(m) else None,
                    spec.COL_TINDAK_LANJUT: rng.choice(TINDAK) if progres_m < plan_progress(m) else None,
                }
            )
    return book


# --- the independent computation ----------------------------------------------------------------


def _month_no(value: Any) -> int:
    if isinstance(value, int | float):
        return int(value)
    return spec.MONTHS.index(str(value).strip()) + 1


def _read(path: Path, sheet: str, key: str = "Kode RO") -> pd.DataFrame:
    """A sheet as a DataFrame whose header is the row holding `key` (title rows skipped)."""
    raw = pd.read_excel(path, sheet_name=sheet, engine="openpyxl", header=None, nrows=20)
    header = next(i for i, row in raw.iterrows() if key in [str(v).strip() for v in row])
    return pd.read_excel(path, sheet_name=sheet, engine="openpyxl", header=int(header))


def expected_json(path: Path, periode: str) -> dict[str, Any]:
    """Recompute the consolidate JSON figures with pandas, following scores.md literally."""
    _, start, end = spec.PERIODS[periode]
    ident = _read(path, spec.SHEET_IDENTITAS, "Uraian")
    items = dict(zip(ident["Uraian"], ident["Isi"], strict=True))
    bulan = items["Bulan Pelaporan"]
    year = int(items["Tahun Anggaran"])
    end = min(end, _month_no(bulan))
    ref = _read(path, spec.SHEET_REFERENSI)
    ren = _read(path, spec.SHEET_RENCANA)
    ren["m"] = ren["Bulan"].map(_month_no)
    sheets = {
        m: _read(path, spec.MONTHS[m - 1]).dropna(subset=["Kode RO"]).set_index("Kode RO")
        for m in range(1, end + 1)
    }

    def val(m: int, code: str, col: str) -> float:
        v = sheets[m].loc[code, col]
        return 0.0 if pd.isna(v) else float(v)

    ro = []
    for _, r in ref.iterrows():
        code = r["Kode RO"]
        tv = float(r["Target Volume"])
        pagu = float(r["Pagu (Rp)"])
        rv = val(end, code, spec.COL_RVRO_KUM)
        real = sum(val(m, code, spec.COL_ANGGARAN) for m in range(1, end + 1))
        ro.append(
            {
                "kode": code,
                "target_volume": tv,
                "realisasi_volume_kumulatif": rv,
                "progres_capaian": val(end, code, spec.COL_PROGRES),
                "target_progres": val(end, code, spec.COL_TARGET_PROGRES),
                "capaian_persen": rv / tv * 100,
                "pagu": pagu,
                "realisasi_anggaran": real,
                "penyerapan_persen": real / pagu * 100,
            }
        )

    # IKPA per month
    monthly = []
    tws, cros = [], []
    for m in range(start, end + 1):
        deadline = pd.Timestamp(deadline_for(year, m, Settings()))
        df = sheets[m][[not k.split(".")[-1].startswith("ZZ") for k in sheets[m].index]]
        tw = (pd.to_datetime(df[spec.COL_TANGGAL]) <= deadline).astype(float).mean() * 100
        cro_values = []
        for code, row in df.iterrows():
            p, t = float(row[spec.COL_PROGRES]), float(row[spec.COL_TARGET_PROGRES])
            tv = float(ref.set_index("Kode RO").loc[code, "Target Volume"])
            if m == 12 or p >= 100:
                c = 0.0 if p == 0 else min(float(row[spec.COL_RVRO_KUM]) / tv * 100, 100)
            elif t == 0:
                c = 100.0
            else:
                c = min(p / t * 100, 100)
            cro_values.append(c)
        cro = sum(cro_values) / len(cro_values)
        monthly.append({"bulan": m, "nilai": 0.3 * tw + 0.7 * cro})
        tws.append(tw)
        cros.append(cro)
    n = len(monthly)

    # NKA
    total_pagu = sum(x["pagu"] for x in ro)
    total_real = sum(x["realisasi_anggaran"] for x in ro)
    p_score = total_real / total_pagu * 100
    caps = [min(x["capaian_persen"], 100) for x in ro]
    cro_nka = sum(caps) / len(caps)
    exp = sum(x["pagu"] * c / 100 for x, c in zip(ro, caps, strict=True))
    e = max(-20.0, min(20.0, (exp - total_real) / exp * 100))
    ne = 50 + e / 20 * 50
    devs = []
    for m in range(start, end + 1):
        cum_real = sum(sheets[mm][spec.COL_ANGGARAN].fillna(0).sum() for mm in range(1, m + 1))
        cum_rpd = ren[ren["m"] <= m][spec.COL_RPD].sum()
        if cum_rpd:
            devs.append(abs(cum_real - cum_rpd) / cum_rpd * 100)
    k = max(0.0, 100 - sum(devs) / len(devs))
    # NKA against the plan to date (scores.md, "NKA against the plan to date")
    total_rpd = ren[ren["m"] <= end][spec.COL_RPD].sum()
    p_r = 100.0 if total_rpd == 0 else min(total_real / total_rpd * 100, 100)
    fractions = []
    for x in ro:
        p, t = float(x["progres_capaian"]), float(x["target_progres"])
        fractions.append(1.0 if t == 0 else min(p / t, 1.0))
    cro_r = sum(fractions) / len(fractions) * 100
    rpd_ro = [
        float(ren[(ren["m"] <= end) & (ren["Kode RO"] == x["kode"])][spec.COL_RPD].sum()) for x in ro
    ]
    exp_r = sum(rpd * c for rpd, c in zip(rpd_ro, fractions, strict=True))
    e_r = 0.0 if exp_r == 0 else max(-20.0, min(20.0, (exp_r - total_real) / exp_r * 100))
    ne_r = 50 + e_r / 20 * 50

    return {
        "file": str(path),
        "periode": periode,
        "bulan_awal": start,
        "bulan_akhir": end,
        "ro": ro,
        "ikpa_capaian_output": {
            "nilai": sum(x["nilai"] for x in monthly) / n,
            "tepat_waktu": sum(tws) / n,
            "capaian": sum(cros) / n,
            "bulanan": monthly,
        },
        "nka": {
            "nilai": 0.097 * p_score + 0.182 * k + 0.435 * cro_nka + 0.286 * ne,
            "penyerapan": p_score,
            "konsistensi": k,
            "capaian_ro": cro_nka,
            "nilai_efisiensi": ne,
        },
        "nka_rencana": {
            "nilai": 0.097 * p_r + 0.182 * k + 0.435 * cro_r + 0.286 * ne_r,
            "penyerapan": p_r,
            "konsistensi": k,
            "capaian_ro": cro_r,
            "nilai_efisiensi": ne_r,
        },
    }


def approx_tree(expected: Any) -> Any:
    if isinstance(expected, dict):
        return {k: approx_tree(v) for k, v in expected.items()}
    if isinstance(expected, list):
        return [approx_tree(v) for v in expected]
    if isinstance(expected, float):
        return pytest.approx(expected, rel=1e-9, abs=1e-9)
    return expected


@pytest.mark.parametrize(
    ("months", "periode"),
    [
        (12, "semester1"),
        (12, "semester2"),
        (12, "tahunan"),
        (4, "semester1"),
        (4, "tahunan"),
        (9, "semester2"),
    ],
)
def test_figures_equal_independent_pandas_computation(tmp_path: Path, months: int, periode: str) -> None:
    path = varied_book(months, seed=months).write(tmp_path / "wb.xlsx")
    got = compute_figures(read_workbook(path), periode, Settings()).to_json_dict()
    want = expected_json(path, periode)
    assert got == approx_tree(want)
    # the data really varies: not every RO has the same achievement, some entries are late
    assert len({round(r["capaian_persen"], 6) for r in got["ro"]}) > 1


def test_partial_year_runs_to_the_reporting_month(tmp_path: Path) -> None:
    path = varied_book(4).write(tmp_path / "wb.xlsx")
    fig = compute_figures(read_workbook(path), "semester1")
    assert (fig.bulan_awal, fig.bulan_akhir) == (1, 4)
    assert [m.bulan for m in fig.ikpa.bulanan] == [1, 2, 3, 4]
    assert [m.bulan for m in fig.bulanan] == [1, 2, 3, 4]


def test_dinamis_achievement_is_not_capped_but_scores_are(tmp_path: Path) -> None:
    path = varied_book(12, seed=3).write(tmp_path / "wb.xlsx")
    fig = compute_figures(read_workbook(path), "tahunan")
    dinamis = next(r for r in fig.ro if r.jenis == "Dinamis")
    assert dinamis.capaian_persen > 100
    assert fig.nka.capaian_ro <= 100
    assert all(0 <= m.capaian <= 100 for m in fig.ikpa.bulanan)


def test_special_zz_ro_is_left_out_of_ikpa_only(tmp_path: Path) -> None:
    book = varied_book(6)
    for m in range(1, 7):
        book.row_of(m, RO_ZZ)[spec.COL_TANGGAL] = None  # would be 0 for timeliness if counted
        book.row_of(m, RO_ZZ)[spec.COL_PROGRES] = 0
    path = book.write(tmp_path / "wb.xlsx")
    fig = compute_figures(read_workbook(path), "semester1")
    assert all(m.jumlah_ro == 3 for m in fig.ikpa.bulanan)
    assert RO_ZZ in [r.kode for r in fig.ro]  # still reported and in NKA


def test_kendala_compiled_unique_latest_first(tmp_path: Path) -> None:
    book = standard_book(months=6)
    code = book.referensi[0][spec.COL_KODE_RO]
    texts = {1: "Lama", 2: "Sama", 3: "sama ", 5: "Terbaru", 6: None}
    for m, text in texts.items():
        book.row_of(m, code)[spec.COL_KENDALA] = text
    book.row_of(5, code)[spec.COL_TINDAK_LANJUT] = "Tindak"
    path = book.write(tmp_path / "wb.xlsx")
    ro = compute_figures(read_workbook(path), "semester1").ro[0]
    assert ro.kendala == ["Terbaru", "sama", "Lama"]
    assert ro.tindak_lanjut == ["Tindak"]


def test_data_hash_changes_with_month_data_not_with_later_months(tmp_path: Path) -> None:
    book = standard_book(months=8)
    a = read_workbook(book.write(tmp_path / "a.xlsx"))
    changed = book.copy()
    changed.months[3][0][spec.COL_ANGGARAN] = 1.0
    b = read_workbook(changed.write(tmp_path / "b.xlsx"))
    later = book.copy()
    later.months[8][0][spec.COL_ANGGARAN] = 1.0
    c = read_workbook(later.write(tmp_path / "c.xlsx"))
    assert data_hash(a, "semester1") != data_hash(b, "semester1")
    assert data_hash(a, "semester1") == data_hash(c, "semester1")
    assert data_hash(a, "tahunan") != data_hash(c, "tahunan")


@pytest.mark.parametrize(
    ("months", "periode"), [(12, "tahunan"), (12, "semester1"), (12, "semester2"), (4, "semester1")]
)
def test_sample_workbook_figures_equal_pandas(tmp_path: Path, months: int, periode: str) -> None:
    from sopxl.build.samples import build_sample

    path = tmp_path / "sample.xlsx"
    build_sample(path, months=months, today=dt.date(2027, 3, 1))
    got = compute_figures(read_workbook(path), periode).to_json_dict()
    assert got == approx_tree(expected_json(path, periode))
    assert got["bulan_akhir"] == min(months, spec.PERIODS[periode][2])


def test_report_kendala_is_the_last_months_and_only_when_behind(tmp_path: Path) -> None:
    from wbfactory import plan_progress

    book = standard_book(months=6)
    behind, recovered = book.referensi[0][spec.COL_KODE_RO], book.referensi[1][spec.COL_KODE_RO]
    book.row_of(5, behind)[spec.COL_KENDALA] = "Mei"
    book.row_of(6, behind)[spec.COL_KENDALA] = "Juni"
    book.row_of(6, behind)[spec.COL_PROGRES] = plan_progress(6) - 10
    book.row_of(5, recovered)[spec.COL_PROGRES] = plan_progress(5) - 10
    book.row_of(5, recovered)[spec.COL_KENDALA] = "Mei saja"  # back on plan in Juni
    path = book.write(tmp_path / "wb.xlsx")
    ros = {ro.kode: ro for ro in compute_figures(read_workbook(path), "semester1").ro}
    assert ros[behind].kendala_akhir == "Juni"
    assert ros[recovered].kendala_akhir == ""
    assert ros[recovered].kendala == ["Mei saja"]  # the compiled list is unchanged
