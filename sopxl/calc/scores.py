"""The two scores of the semester and annual reports (../shared/spec/scores.md), as pure functions.

Nothing here reads a workbook: callers pass numbers, and every weight and threshold comes
from `Settings` (regulations change almost yearly).

- IKPA Capaian Output (DJPb, PER-5/PB/2024 practice): per month, over the ROs that must be
  reported (RO part not starting with ``ZZ``), ``0.30 x timeliness + 0.70 x mean(CRO)``.
- Nilai Kinerja Anggaran, implementation aspect (PMK 22/PMK.02/2021):
  ``0.097 P + 0.182 K + 0.435 CRO + 0.286 NE``.
- NKA against the plan to date (sopxl's own mid-year reading, not a regulation): the same
  components and weights with the plan up to the period's end as the yardstick.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from sopxl.core.config import Settings


def round_half_up(value: float, places: int = 2) -> float:
    """Round half up (not banker's rounding) for display: 95.555 -> 95.56.

    The value is first snapped to 9 decimals so that binary noise (65.55499999999) does not
    turn a true half into a round-down.
    """
    snapped = Decimal(repr(float(value))).quantize(Decimal("1e-9"), rounding=ROUND_HALF_UP)
    return float(snapped.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP))


def _mean(values: Sequence[float]) -> float:
    return sum(values) / len(values) if values else 0.0


def is_special_ro(kode: str) -> bool:
    """Special ROs (RO part, the last segment, starting with ZZ) are left out of IKPA."""
    return kode.strip().rsplit(".", 1)[-1].upper().startswith("ZZ")


def band(value: float, bands: Sequence[tuple[float, str]]) -> str:
    """The category of a score: the first band (highest threshold first) whose floor it reaches."""
    for floor, label in sorted(bands, key=lambda b: b[0], reverse=True):
        if value >= floor:
            return label
    return sorted(bands, key=lambda b: b[0])[0][1] if bands else ""


# --- IKPA Capaian Output ---------------------------------------------------------------------


def timeliness(entered: dt.date | None, deadline: dt.date) -> float:
    """100 when the month was entered in SAKTI on or before the deadline, else 0 (missing: 0)."""
    if entered is None:
        return 0.0
    if isinstance(entered, dt.datetime):
        entered = entered.date()
    return 100.0 if entered <= deadline else 0.0


def ikpa_ro_achievement(
    month: int,
    pcro: float | None,
    tpcro: float | None,
    rvro_kumulatif: float | None,
    tvro: float | None,
) -> float:
    """CRO of one RO in one month for IKPA (0-100).

    - PCRO missing: 0.
    - December, or any month once PCRO >= 100: ``min(RVRO_kumulatif / TVRO x 100, 100)``.
    - January-November while PCRO < 100: ``min(PCRO / TPCRO x 100, 100)``; TPCRO = 0 gives 100
      (the RO is on plan when nothing was planned yet, PCRO >= 0 included).
    - Otherwise PCRO = 0 gives 0.
    """
    if pcro is None:
        return 0.0
    if month == 12 or pcro >= 100:
        if pcro == 0 or not tvro or tvro <= 0:
            return 0.0
        return min((rvro_kumulatif or 0.0) / tvro * 100.0, 100.0)
    if not tpcro:
        return 100.0 if pcro >= 0 else 0.0
    if pcro == 0:
        return 0.0
    return max(0.0, min(pcro / tpcro * 100.0, 100.0))


@dataclass(frozen=True)
class IkpaMonth:
    """IKPA Capaian Output of one month."""

    bulan: int
    tepat_waktu: float  # NK_tepat_waktu: average timeliness of the ROs (0-100)
    capaian: float  # average CRO of the ROs (0-100)
    nilai: float  # 0.30 x tepat_waktu + 0.70 x capaian
    jumlah_ro: int


def ikpa_month(
    bulan: int,
    timeliness_scores: Sequence[float],
    achievement_scores: Sequence[float],
    settings: Settings | None = None,
) -> IkpaMonth:
    """Combine the per-RO timeliness and achievement of one month."""
    s = settings or Settings()
    tw = _mean(timeliness_scores)
    cro = _mean(achievement_scores)
    nilai = s.ikpa_weight_timeliness * tw + s.ikpa_weight_achievement * cro
    return IkpaMonth(bulan, tw, cro, nilai, len(achievement_scores))


@dataclass(frozen=True)
class IkpaPeriod:
    """IKPA Capaian Output of a period: means over its months of the monthly figures."""

    nilai: float
    tepat_waktu: float
    capaian: float
    bulanan: tuple[IkpaMonth, ...]


def ikpa_period(months: Sequence[IkpaMonth]) -> IkpaPeriod:
    return IkpaPeriod(
        nilai=_mean([m.nilai for m in months]),
        tepat_waktu=_mean([m.tepat_waktu for m in months]),
        capaian=_mean([m.capaian for m in months]),
        bulanan=tuple(months),
    )


# --- Nilai Kinerja Anggaran (PMK 22/PMK.02/2021, implementation aspect) -------------------------


def penyerapan(realisasi_total: float, pagu_total: float) -> float:
    """P = sum of realisasi / sum of pagu x 100 (0 when there is no pagu)."""
    return realisasi_total / pagu_total * 100.0 if pagu_total > 0 else 0.0


def capped_achievement(rvro_kumulatif: float, tvro: float) -> float:
    """min(RVRO_kumulatif / TVRO x 100, 100); 0 when the target is not positive."""
    if tvro <= 0:
        return 0.0
    return max(0.0, min(rvro_kumulatif / tvro * 100.0, 100.0))


def nka_capaian_ro(pairs: Sequence[tuple[float, float]]) -> float:
    """CRO = average over ROs of min(RVRO_kumulatif / TVRO x 100, 100); pairs are (RVRO, TVRO)."""
    return _mean([capped_achievement(r, t) for r, t in pairs])


def efficiency(
    rows: Sequence[tuple[float, float, float]], clamp: float = 20.0
) -> tuple[float, float]:
    """(E, NE) from rows of (pagu, capaian in percent, realisasi).

    ``E = sum(pagu x c - realisasi) / sum(pagu x c) x 100`` with c the capped achievement as a
    fraction; E clamped to [-clamp, clamp]; ``NE = 50 + E / clamp x 50``. When nothing was
    achieved, E is -clamp if money was spent and 0 otherwise.
    """
    expected = sum(p * min(max(c, 0.0), 100.0) / 100.0 for p, c, _ in rows)
    spent = sum(r for _, _, r in rows)
    e = (expected - spent) / expected * 100.0 if expected > 0 else (-clamp if spent > 0 else 0.0)
    e = max(-clamp, min(clamp, e))
    ne = 50.0 + (e / clamp) * 50.0 if clamp else 50.0
    return e, ne


def consistency(cumulative: Sequence[tuple[float, float]]) -> tuple[float, list[float | None]]:
    """K from (cumulative realisasi, cumulative RPD) per month of the period.

    ``d_m = |real - rpd| / rpd x 100``; months whose cumulative RPD is 0 are skipped (their
    d is None); ``K = max(0, 100 - mean(d))``; K = 100 when no month can be measured.
    """
    deviations: list[float | None] = []
    for real, rpd in cumulative:
        deviations.append(abs(real - rpd) / rpd * 100.0 if rpd > 0 else None)
    measured = [d for d in deviations if d is not None]
    k = max(0.0, 100.0 - _mean(measured)) if measured else 100.0
    return k, deviations


def nka(p: float, k: float, cro: float, ne: float, settings: Settings | None = None) -> float:
    """NKA = 0.097 P + 0.182 K + 0.435 CRO + 0.286 NE (weights from settings)."""
    s = settings or Settings()
    return s.nka_weight_p * p + s.nka_weight_k * k + s.nka_weight_cro * cro + s.nka_weight_ne * ne


# --- NKA against the plan to date (scores.md, "NKA against the plan to date") ----------------------


def plan_absorption(realisasi_total: float, rpd_total: float) -> float:
    """P_r = min(sum realisasi / sum RPD x 100, 100), both Januari..m; no RPD yet gives 100."""
    if rpd_total <= 0:
        return 100.0
    return max(0.0, min(realisasi_total / rpd_total * 100.0, 100.0))


def plan_fraction(pcro: float | None, tpcro: float | None) -> float:
    """c_i = min(PCRO / TPCRO, 1) at the period's end (0-1); TPCRO 0 or missing gives 1,
    PCRO missing gives 0."""
    if pcro is None:
        return 0.0
    if not tpcro or tpcro <= 0:
        return 1.0
    return max(0.0, min(pcro / tpcro, 1.0))


def plan_efficiency(
    rows: Sequence[tuple[float, float, float]], clamp: float = 20.0
) -> tuple[float, float]:
    """(E_r, NE_r) from rows of (RPD Januari..m, c as a fraction, realisasi Januari..m).

    ``E_r = sum(RPD x c - realisasi) / sum(RPD x c) x 100`` clamped to [-clamp, clamp] (0 when
    nothing was planned and achieved); ``NE_r = 50 + E_r / clamp x 50``.
    """
    expected = sum(rpd * c for rpd, c, _ in rows)
    spent = sum(r for _, _, r in rows)
    e = (expected - spent) / expected * 100.0 if expected > 0 else 0.0
    e = max(-clamp, min(clamp, e))
    ne = 50.0 + (e / clamp) * 50.0 if clamp else 50.0
    return e, ne


__all__ = [
    "IkpaMonth",
    "IkpaPeriod",
    "band",
    "capped_achievement",
    "consistency",
    "efficiency",
    "ikpa_month",
    "ikpa_period",
    "ikpa_ro_achievement",
    "is_special_ro",
    "nka",
    "nka_capaian_ro",
    "penyerapan",
    "plan_absorption",
    "plan_efficiency",
    "plan_fraction",
    "round_half_up",
    "timeliness",
]
