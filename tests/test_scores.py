"""The pure score functions (sopxl.calc.scores) on the worked examples of scores.md and edge cases."""

from __future__ import annotations

import datetime as dt

import pytest

from sopxl.calc import scores
from sopxl.core.config import Settings


def test_ikpa_worked_example() -> None:
    month = scores.ikpa_month(6, [100, 100, 100], [100, 100, 80.95])
    assert scores.round_half_up(month.capaian) == 93.65
    assert scores.round_half_up(month.nilai) == 95.56


def test_nka_worked_example() -> None:
    assert scores.round_half_up(scores.nka(95.53, 99.61, 99.72, 59.98)) == 87.93


def test_round_half_up_not_bankers() -> None:
    assert scores.round_half_up(0.125) == 0.13
    assert scores.round_half_up(2.675) == 2.68  # 2.67499999... in binary
    assert scores.round_half_up(95.555) == 95.56
    assert scores.round_half_up(1.004) == 1.0


def test_weights_come_from_settings() -> None:
    s = Settings().with_overrides({"ikpa_weight_timeliness": 0.5, "ikpa_weight_achievement": 0.5})
    assert scores.ikpa_month(1, [100], [50], s).nilai == pytest.approx(75)
    s2 = Settings().with_overrides({"nka_weight_p": 1, "nka_weight_k": 0, "nka_weight_cro": 0, "nka_weight_ne": 0})
    assert scores.nka(40, 90, 90, 90, s2) == pytest.approx(40)


@pytest.mark.parametrize(
    ("value", "label"),
    [(95, "Sangat Baik"), (94.99, "Baik"), (89, "Baik"), (88.99, "Cukup"), (70, "Cukup"), (69.99, "Kurang"), (0, "Kurang")],
)
def test_ikpa_bands(value: float, label: str) -> None:
    assert scores.band(value, Settings().ikpa_bands) == label


@pytest.mark.parametrize(
    ("value", "label"),
    [(90, "Sangat Baik"), (89.99, "Baik"), (80, "Baik"), (79.9, "Cukup"), (60, "Cukup"),
     (59.9, "Kurang"), (50, "Kurang"), (49.9, "Sangat Kurang")],
)
def test_nka_bands(value: float, label: str) -> None:
    assert scores.band(value, Settings().nka_bands) == label


def test_ikpa_achievement_rules() -> None:
    f = scores.ikpa_ro_achievement
    assert f(5, 40, 50, 3, 12) == pytest.approx(80)  # PCRO / TPCRO
    assert f(5, 60, 50, 3, 12) == 100  # capped
    assert f(5, 100, 50, 6, 12) == pytest.approx(50)  # PCRO 100: volume-based
    assert f(12, 90, 100, 9, 12) == pytest.approx(75)  # December: volume-based
    assert f(12, 90, 100, 20, 12) == 100  # capped
    assert f(3, None, 20, 1, 12) == 0  # missing
    assert f(3, 0, 20, 1, 12) == 0  # no progress
    assert f(3, 5, 0, 1, 12) == 100  # nothing planned yet
    assert f(12, 0, 100, 12, 12) == 0  # PCRO 0 in December


def test_timeliness() -> None:
    deadline = dt.date(2026, 2, 6)
    assert scores.timeliness(dt.date(2026, 2, 6), deadline) == 100
    assert scores.timeliness(dt.datetime(2026, 2, 6, 23, 0), deadline) == 100
    assert scores.timeliness(dt.date(2026, 2, 7), deadline) == 0
    assert scores.timeliness(None, deadline) == 0


def test_special_ro() -> None:
    assert scores.is_special_ro("013.07.WA.4293.EBA.ZZ1")
    assert not scores.is_special_ro("013.07.WA.4293.EBA.962")
    assert not scores.is_special_ro("013.07.ZZ.4293.EBA.962")  # only the RO part counts


def test_efficiency_formula_and_clamp() -> None:
    # pagu 100 at 50 % achievement = 50 expected; 40 spent -> E = 20 %; NE = 100
    e, ne = scores.efficiency([(100.0, 50.0, 40.0)])
    assert e == pytest.approx(20) and ne == pytest.approx(100)
    e, ne = scores.efficiency([(100.0, 50.0, 45.0)])
    assert e == pytest.approx(10) and ne == pytest.approx(75)
    e, ne = scores.efficiency([(100.0, 50.0, 500.0)])
    assert e == -20 and ne == 0
    # achievement above 100 % counts as 100 %
    assert scores.efficiency([(100.0, 150.0, 90.0)])[0] == pytest.approx(10)
    # nothing achieved: spending is the worst case, no spending is neutral
    assert scores.efficiency([(100.0, 0.0, 10.0)]) == (-20.0, 0.0)
    assert scores.efficiency([(100.0, 0.0, 0.0)]) == (0.0, 50.0)


def test_consistency_skips_months_without_rpd() -> None:
    k, devs = scores.consistency([(10.0, 0.0), (90.0, 100.0), (330.0, 300.0)])
    assert devs == [None, pytest.approx(10), pytest.approx(10)]
    assert k == pytest.approx(90)
    assert scores.consistency([(500.0, 100.0)])[0] == 0  # floored at 0
    assert scores.consistency([])[0] == 100


def test_penyerapan_and_capaian_ro() -> None:
    assert scores.penyerapan(25, 100) == 25
    assert scores.penyerapan(25, 0) == 0
    assert scores.nka_capaian_ro([(6, 12), (30, 20)]) == pytest.approx(75)
