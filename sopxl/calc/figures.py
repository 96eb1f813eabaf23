"""The figures of a period, computed from an already-read workbook (scores.md, "Figures").

Every figure is as at the end of the period, cumulative from Januari. The period's end is the
period's last month, or the reporting month when that comes earlier (a Semester I report made
in April shows "s.d. April"); see :func:`effective_end`.

ROs are those of `Referensi RO` (in its order). Target volume and pagu come from Referensi RO
(the month sheet's Target Volume when Referensi has none); a month's value of an RO is read
from its row in that month's sheet; cumulative values (RVRO kumulatif, progres, target
progres) are those of the last month up to the period's end that holds one.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from typing import Any

from sopxl.calc import scores
from sopxl.core import spec
from sopxl.core.config import Settings
from sopxl.core.findings import json_safe
from sopxl.core.parse import as_date, as_number
from sopxl.read.period import budget_year, reporting_month
from sopxl.read.workbook import CellError, Table, WorkbookData, first_rows_by_code


@dataclass
class RoFigures:
    kode: str
    uraian: str
    satuan: str
    jenis: str
    target_volume: float
    realisasi_volume_kumulatif: float
    progres_capaian: float
    target_progres: float
    capaian_persen: float
    pagu: float
    realisasi_anggaran: float
    penyerapan_persen: float
    kendala: list[str] = field(default_factory=list)  # unique, latest first
    tindak_lanjut: list[str] = field(default_factory=list)
    # The Kendala the report shows: that of the period's last reported month, and only when
    # the RO is behind its Target Progres in that month (an RO back on plan has none left).
    kendala_akhir: str = ""


@dataclass
class MonthFigures:
    bulan: int
    realisasi: float  # this month's realised budget, all ROs
    rpd: float  # this month's RPD, all ROs
    realisasi_kumulatif: float
    rpd_kumulatif: float
    deviasi_persen: float | None  # |real_cum - rpd_cum| / rpd_cum x 100 (None when rpd_cum is 0)
    rata_progres: float  # average Progres Capaian of the ROs in that month


@dataclass
class NkaFigures:
    nilai: float
    penyerapan: float
    konsistensi: float
    capaian_ro: float
    efisiensi: float
    nilai_efisiensi: float

    @classmethod
    def of(cls, p: float, k: float, cro: float, e: float, ne: float, settings: Settings) -> NkaFigures:
        """The NKA of its four components (the year-based one and the plan-based one alike)."""
        return cls(
            nilai=scores.nka(p, k, cro, ne, settings),
            penyerapan=p,
            konsistensi=k,
            capaian_ro=cro,
            efisiensi=e,
            nilai_efisiensi=ne,
        )

    def to_json_dict(self) -> dict[str, float | int]:
        return {
            "nilai": _num(self.nilai),
            "penyerapan": _num(self.penyerapan),
            "konsistensi": _num(self.konsistensi),
            "capaian_ro": _num(self.capaian_ro),
            "nilai_efisiensi": _num(self.nilai_efisiensi),
        }


@dataclass
class PeriodFigures:
    file: str
    periode: str
    sheet: str  # the report sheet
    bulan_awal: int
    bulan_akhir: int  # effective end (see effective_end)
    tahun: int | None
    kode_satker: str
    nama_satker: str
    ro: list[RoFigures]
    bulanan: list[MonthFigures]
    ikpa: scores.IkpaPeriod
    nka: NkaFigures
    nka_rencana: NkaFigures  # against the plan up to bulan_akhir (sopxl's mid-year reading)
    data_hash: str
    part_hashes: dict[str, str] = field(default_factory=dict)

    @property
    def total_pagu(self) -> float:
        return sum(r.pagu for r in self.ro)

    @property
    def total_realisasi(self) -> float:
        return sum(r.realisasi_anggaran for r in self.ro)

    def to_json_dict(self) -> dict[str, Any]:
        """The exact contract of `sopxl consolidate --format json`."""
        return {
            "file": self.file,
            "periode": self.periode,
            "bulan_awal": self.bulan_awal,
            "bulan_akhir": self.bulan_akhir,
            "ro": [
                {
                    "kode": r.kode,
                    "target_volume": _num(r.target_volume),
                    "realisasi_volume_kumulatif": _num(r.realisasi_volume_kumulatif),
                    "progres_capaian": _num(r.progres_capaian),
                    "target_progres": _num(r.target_progres),
                    "capaian_persen": _num(r.capaian_persen),
                    "pagu": _num(r.pagu),
                    "realisasi_anggaran": _num(r.realisasi_anggaran),
                    "penyerapan_persen": _num(r.penyerapan_persen),
                }
                for r in self.ro
            ],
            "ikpa_capaian_output": {
                "nilai": _num(self.ikpa.nilai),
                "tepat_waktu": _num(self.ikpa.tepat_waktu),
                "capaian": _num(self.ikpa.capaian),
                "bulanan": [{"bulan": m.bulan, "nilai": _num(m.nilai)} for m in self.ikpa.bulanan],
            },
            "nka": self.nka.to_json_dict(),
            "nka_rencana": self.nka_rencana.to_json_dict(),
        }

    def summary(self) -> dict[str, Any]:
        """The headline numbers kept in sopxl's state next to the data hash (rounded)."""
        r2 = scores.round_half_up
        return {
            "bulan_akhir": self.bulan_akhir,
            "ikpa": r2(self.ikpa.nilai),
            "nka": r2(self.nka.nilai),
            "pagu": self.total_pagu,
            "realisasi": self.total_realisasi,
        }


def _num(x: float) -> float | int:
    """Integral floats as int in JSON (whole rupiah), others as float with full precision."""
    return int(x) if float(x).is_integer() and abs(x) < 2**53 else float(x)


def _text(value: Any) -> str:
    if value is None or isinstance(value, CellError):
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def effective_end(data: WorkbookData, periode: str) -> int:
    """The last month the figures of `periode` run to: the period's end or the reporting month.

    Returns a month before the period's start when the period has no data yet.
    """
    _, _start, end = spec.PERIODS[periode]
    current = reporting_month(data)
    return min(end, current) if current else 0


def data_hashes(data: WorkbookData, periode: str) -> dict[str, str]:
    """sha256 per part of the data a period's report is made from: Identitas, Referensi RO,
    Rencana and each month from Januari to the period's nominal end (entering a later month
    of the period makes a partial report stale). Only the known columns count: reformatting
    or adding a remark column does not change a hash."""
    _, _start, end = spec.PERIODS[periode]

    def digest(table: Table | None, columns: tuple[str, ...]) -> str:
        rows = [] if table is None else [[row.values.get(c) for c in columns] for row in table.rows]
        text = json.dumps(rows, ensure_ascii=False, separators=(",", ":"), default=_canonical)
        return hashlib.sha256(text.encode("utf-8")).hexdigest()

    parts = {
        spec.SHEET_IDENTITAS: digest(data.identitas, spec.IDENTITAS_COLUMNS),
        spec.SHEET_REFERENSI: digest(data.referensi, spec.REFERENSI_COLUMNS),
        spec.SHEET_RENCANA: digest(data.rencana, spec.RENCANA_COLUMNS),
    }
    for m in range(1, end + 1):
        parts[spec.MONTHS[m - 1]] = digest(data.months.get(m), spec.MONTH_COLUMNS)
    return parts


def _canonical(value: Any) -> Any:
    """JSON form of the values json cannot carry itself (dates, Excel errors)."""
    return json_safe(value)


def data_hash(data: WorkbookData, periode: str, parts: dict[str, str] | None = None) -> str:
    """sha256 of the canonical JSON of :func:`data_hashes` (one hash for the whole input)."""
    parts = parts if parts is not None else data_hashes(data, periode)
    text = json.dumps(parts, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def _unique_latest_first(items: list[tuple[int, str]]) -> list[str]:
    seen: set[str] = set()
    result: list[str] = []
    for _, text in sorted(items, key=lambda t: -t[0]):
        key = spec.norm(text)
        if text and key not in seen:
            seen.add(key)
            result.append(text)
    return result


def compute_figures(
    data: WorkbookData, periode: str, settings: Settings | None = None, *, hashes: bool = True
) -> PeriodFigures:
    """All figures of `periode` ('semester1', 'semester2', 'tahunan'). Without `hashes`,
    `data_hash` and `part_hashes` stay empty: they tell whether a written report is stale,
    which a reader of the figures alone (the recap) does not ask, and they cost a JSON dump of
    every table."""
    from sopxl.core.calendar import deadline_for

    settings = settings or Settings()
    sheet, start, _nominal_end = spec.PERIODS[periode]
    end = effective_end(data, periode)
    year = budget_year(data)

    ref_rows = first_rows_by_code(data.referensi)
    codes = list(ref_rows)
    # Rencana: target progres and RPD by (code, month).
    plan_target: dict[tuple[str, int], float] = {}
    plan_rpd: dict[tuple[str, int], float] = {}
    months_of: dict[Any, int | None] = {}
    if data.rencana is not None:
        plan = data.rencana
        for code, bulan, target, rpd_value in zip(
            plan.codes,
            plan.column(spec.COL_BULAN),
            plan.column(spec.COL_TARGET_PROGRES),
            plan.column(spec.COL_RPD),
            strict=True,
        ):
            try:
                month = months_of[bulan]
            except KeyError:
                month = months_of[bulan] = spec.month_number(bulan)
            except TypeError:  # unhashable: never for cell values, but be safe
                month = spec.month_number(bulan)
            if code is None or month is None:
                continue
            tp = as_number(target)
            if tp is not None:
                plan_target.setdefault((code, month), tp)
            rpd = as_number(rpd_value)
            if rpd is not None:
                plan_rpd[(code, month)] = plan_rpd.get((code, month), 0.0) + rpd

    # A month's column as numbers by Kode RO (first row of each code), made once per column:
    # the figures ask for the same few columns of every RO many times.
    by_code: dict[tuple[int, str, bool], dict[str, Any]] = {}

    def month_column(month: int, column: str, number: bool = True) -> dict[str, Any]:
        """Kode RO -> the value (as_number of it with `number`) of its first row in `month`,
        for the months up to `end`."""
        found = by_code.get((month, column, number))
        if found is None:
            found = by_code[(month, column, number)] = {}
            table = data.months.get(month) if 1 <= month <= end else None
            if table is not None:
                values = table.column(column)
                found.update((code, as_number(values[i]) if number else values[i]) for code, i in table.first_of_code.items())
        return found

    def value_at(code: str, month: int, column: str) -> float | None:
        v: float | None = month_column(month, column).get(code)
        return v

    newest_first: dict[str, list[dict[str, Any]]] = {}

    def latest(code: str, column: str) -> float | None:
        """The value of the latest month up to `end` that has one."""
        columns = newest_first.get(column)
        if columns is None:
            columns = newest_first[column] = [month_column(m, column) for m in range(end, 0, -1)]
        for values in columns:
            v: float | None = values.get(code)
            if v is not None:
                return v
        return None

    def target_progres_at(code: str, month: int) -> float | None:
        v = value_at(code, month, spec.COL_TARGET_PROGRES)
        return v if v is not None else plan_target.get((code, month))

    ro_list: list[RoFigures] = []
    tvro_of: dict[str, float] = {}
    spending = [month_column(m, spec.COL_ANGGARAN) for m in range(1, end + 1)]
    for code in codes:
        ref = ref_rows[code]
        tvro = as_number(ref.get(spec.COL_TARGET_VOLUME))
        if tvro is None:
            tvro = latest(code, spec.COL_TARGET_VOLUME) or 0.0
        tvro_of[code] = tvro
        pagu = as_number(ref.get(spec.COL_PAGU)) or 0.0
        rv = latest(code, spec.COL_RVRO_KUM) or 0.0
        pcro = latest(code, spec.COL_PROGRES) or 0.0
        tp = None
        for m in range(end, 0, -1):
            tp = target_progres_at(code, m)
            if tp is not None:
                break
        real = sum(values.get(code) or 0.0 for values in spending)
        kendala: list[tuple[int, str]] = []
        tindak: list[tuple[int, str]] = []
        for m in range(start, end + 1):
            ken = month_column(m, spec.COL_KENDALA, False)
            if code not in ken:
                continue
            kendala.append((m, _text(ken[code])))
            tindak.append((m, _text(month_column(m, spec.COL_TINDAK_LANJUT, False)[code])))
        last = month_column(end, spec.COL_KENDALA, False)
        progres_end = value_at(code, end, spec.COL_PROGRES)
        target_end = target_progres_at(code, end)
        behind = (
            progres_end is not None
            and target_end is not None
            and scores.round_half_up(progres_end) < scores.round_half_up(target_end)
        )
        ro_list.append(
            RoFigures(
                kode=code,
                uraian=_text(ref.get(spec.COL_URAIAN_RO)),
                satuan=_text(ref.get(spec.COL_SATUAN)),
                jenis=_text(ref.get(spec.COL_JENIS_RO)),
                target_volume=tvro,
                realisasi_volume_kumulatif=rv,
                progres_capaian=pcro,
                target_progres=tp or 0.0,
                capaian_persen=rv / tvro * 100.0 if tvro > 0 else 0.0,
                pagu=pagu,
                realisasi_anggaran=real,
                penyerapan_persen=real / pagu * 100.0 if pagu > 0 else 0.0,
                kendala=_unique_latest_first(kendala),
                tindak_lanjut=_unique_latest_first(tindak),
                kendala_akhir=_text(last[code]) if behind and code in last else "",
            )
        )

    # Month-by-month satker totals, Januari .. end (the report shows the period's months).
    monthly: list[MonthFigures] = []
    cum_real = cum_rpd = 0.0
    for m in range(1, end + 1):
        spent, progres = month_column(m, spec.COL_ANGGARAN), month_column(m, spec.COL_PROGRES)
        real_m = sum(spent.get(c) or 0.0 for c in codes)
        rpd_m = sum(plan_rpd.get((c, m), 0.0) for c in codes)
        cum_real += real_m
        cum_rpd += rpd_m
        progs = [progres.get(c) for c in codes]
        known = [p for p in progs if p is not None]
        if m >= start:
            monthly.append(
                MonthFigures(
                    bulan=m,
                    realisasi=real_m,
                    rpd=rpd_m,
                    realisasi_kumulatif=cum_real,
                    rpd_kumulatif=cum_rpd,
                    deviasi_persen=abs(cum_real - cum_rpd) / cum_rpd * 100.0 if cum_rpd > 0 else None,
                    rata_progres=sum(known) / len(known) if known else 0.0,
                )
            )

    # IKPA Capaian Output, per month of the period.
    ikpa_codes = [c for c in codes if not scores.is_special_ro(c)]
    months_ikpa: list[scores.IkpaMonth] = []
    for m in range(start, end + 1):
        deadline = deadline_for(year, m, settings) if year is not None else None
        tw: list[float] = []
        cro: list[float] = []
        dates = month_column(m, spec.COL_TANGGAL, False)
        for c in ikpa_codes:
            entered = as_date(dates.get(c))
            tw.append(scores.timeliness(entered, deadline) if deadline is not None else 0.0)
            cro.append(
                scores.ikpa_ro_achievement(
                    m,
                    value_at(c, m, spec.COL_PROGRES),
                    target_progres_at(c, m),
                    value_at(c, m, spec.COL_RVRO_KUM),
                    tvro_of[c],
                )
            )
        months_ikpa.append(scores.ikpa_month(m, tw, cro, settings))
    ikpa = scores.ikpa_period(months_ikpa)

    # NKA, implementation aspect.
    p = scores.penyerapan(sum(r.realisasi_anggaran for r in ro_list), sum(r.pagu for r in ro_list))
    cro_nka = scores.nka_capaian_ro([(r.realisasi_volume_kumulatif, r.target_volume) for r in ro_list])
    e, ne = scores.efficiency(
        [(r.pagu, r.capaian_persen, r.realisasi_anggaran) for r in ro_list],
        settings.nka_efficiency_clamp,
    )
    k, _dev = scores.consistency([(mf.realisasi_kumulatif, mf.rpd_kumulatif) for mf in monthly])
    nka = NkaFigures.of(p, k, cro_nka, e, ne, settings)

    # NKA against the plan up to the period's end: P_r, CRO_r and E_r measure against RPD and
    # Target Progres Januari..end; K already measures against the plan.
    rpd_ro = {c: sum(plan_rpd.get((c, m), 0.0) for m in range(1, end + 1)) for c in codes}
    fractions = {
        c: scores.plan_fraction(value_at(c, end, spec.COL_PROGRES), target_progres_at(c, end)) for c in codes
    }
    p_r = scores.plan_absorption(sum(r.realisasi_anggaran for r in ro_list), sum(rpd_ro.values()))
    cro_r = 100.0 * sum(fractions.values()) / len(codes) if codes else 0.0
    e_r, ne_r = scores.plan_efficiency(
        [(rpd_ro[r.kode], fractions[r.kode], r.realisasi_anggaran) for r in ro_list],
        settings.nka_efficiency_clamp,
    )
    nka_rencana = NkaFigures.of(p_r, k, cro_r, e_r, ne_r, settings)

    parts = data_hashes(data, periode) if hashes else {}
    return PeriodFigures(
        file=str(data.path),
        periode=periode,
        sheet=sheet,
        bulan_awal=start,
        bulan_akhir=end,
        tahun=year,
        kode_satker=_text(data.identity_value(spec.ID_KODE_SATKER)),
        nama_satker=_text(data.identity_value(spec.ID_NAMA_SATKER)),
        ro=ro_list,
        bulanan=monthly,
        ikpa=ikpa,
        nka=nka,
        nka_rencana=nka_rencana,
        data_hash=data_hash(data, periode, parts) if hashes else "",
        part_hashes=parts,
    )
