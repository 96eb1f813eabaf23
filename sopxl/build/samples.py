"""Realistic sample workbooks: clean ones that pass every rule, and ones with planted mistakes.

`build_sample(path, months=N)` writes the standard workbook (same writer as `sopxl init`) for
the fictional satker of `sopxl/data/` (copies of `samples/referensi_ro.csv` and
`samples/rencana.csv`) and fills Januari..N with plausible monthly entries. A clean sample
passes every rule of rules.md with zero errors and zero warnings: cumulative volumes follow the
entries, progres never decreases and is 100 exactly when the target volume is reached, Kendala
and Tindak Lanjut are filled whenever progres is below the plan, realisation stays within 5 %
of the RPD (or Keterangan explains why) and within the pagu, and Tanggal Entri SAKTI is a
working day after the month ended and on or before the 5th working day (also the 5th calendar
day where possible) of the next month, and Keterangan explains money spent while progres is
still 0 and progres far from the budget absorption. Bulan Pelaporan is month N; later months are empty.

With `plant=True` (or an iterable of rule ids) it plants mistakes of every rule of the
Structure, Identitas, Referensi RO / Rencana and Monthly-sheet sections of rules.md at known
cells, chosen so that plants do not mask each other, and returns them as `Planted` items.

Cell convention (the validator follows the same one): a planted finding names the sheet and
cell the validator must report:

- a finding about one value names that value's cell: CAP-ANGKA, CAP-NEGATIF, CAP-SATUAN,
  CAP-TARGET, CAP-PERSEN, CAP-PERSEN-PECAHAN, CAP-DESIMAL (on `Realisasi Volume Bulan Ini`),
  CAP-PROGRES-TURUN, CAP-PROGRES-VOLUME, CAP-PROGRES-ANGGARAN and CAP-BELANJA-TANPA-PROGRES (on
  `Progres Capaian (%)`), CAP-KUMULATIF (on `Realisasi Volume Kumulatif`), CAP-MELEBIHI-TARGET
  (on the `Realisasi Volume Bulan Ini` of the month whose entry first takes the running sum over
  the target), CAP-PAGU (on the `Realisasi Anggaran Bulan Ini (Rp)` of the month whose entry
  first takes the running sum over the pagu), CAP-DEVIASI-RPD (that month's
  `Realisasi Anggaran Bulan Ini (Rp)`), CAP-KOSONG (the empty cell), CAP-KENDALA (`Kendala` when
  it is empty, else `Tindak Lanjut`), CAP-TANGGAL and CAP-TERLAMBAT (`Tanggal Entri SAKTI`),
  STR-FORMULA-ERROR (the error cell), REF-NILAI (the bad value), REN-TARGET (the
  `Target Progres (%)` of the plan row that breaks the rule);
- ID-* name the `Isi` cell of the item on `Identitas`;
- a finding about a whole row names the row's first cell, `A{row}`: REF-KODE, REF-DUPLIKAT and
  CAP-DUPLIKAT (the second occurrence), REN-RO (a plan row of an unknown RO), CAP-RO-ASING;
- REN-PAGU names the RO's `Pagu (Rp)` cell on `Referensi RO`;
- CAP-MENDAHULUI names the first entered cell (row by row, left to right) of a month after the
  reporting month;
- CAP-RO-HILANG has no row to name: a whole-sheet finding, `A1` (rules.md);
- STR-COLUMN names the first cell of the header row of the sheet lacking a column,
  `A{header_row}` (`A5` in the standard workbook);
- STR-SHEET names `A1` with sheet = the missing sheet's name.

ID-TAHUN is planted as the text "TA 2026": not a year, yet it still holds one. Date rules should
keep working on a workbook with a bad Tahun Anggaran (take the four digits of the text, or the
year of the dates), or the planted date mistakes would be masked.

Dates are relative to `today` (default: the real date); the future-date plant uses a far
future year (digits swapped: 2026 -> 2062) so it stays in the future.
"""

from __future__ import annotations

import datetime as dt
import json
import math
import random
from collections.abc import Iterable
from dataclasses import dataclass, replace
from functools import cache
from pathlib import Path
from typing import Any, cast

from sopxl.build.workbook import (
    MONTH_HEADER_ROW,
    TABLE_HEADER_ROW,
    Formula,
    MonthRow,
    MonthSheet,
    WorkbookContent,
    identity,
    write_workbook,
)
from sopxl.core import spec
from sopxl.core.config import Settings
from sopxl.read.inputs import PlanEntry, RoEntry, read_referensi, read_rencana

DATA_DIR = Path(__file__).resolve().parents[1] / "data"
REFERENSI_CSV = "referensi_ro.csv"
RENCANA_CSV = "rencana.csv"

SAMPLE_YEAR = 2026
# "Today" of the bundled samples and the demo: after every month of SAMPLE_YEAR could be entered.
SAMPLE_TODAY = dt.date(SAMPLE_YEAR + 1, 1, 20)
SAMPLE_IDENTITY: dict[str, Any] = identity(
    kode_satker="411724",
    nama_satker="Balai Pendidikan dan Pelatihan Hukum dan HAM Sumatera Tengah",
    tahun=SAMPLE_YEAR,
    kepala="Dr. Rahmat Hidayat, S.H., M.H.",
    nip_kepala="197305121998031002",
    kasi="Siti Nurhaliza, S.E., M.M.",
    nip_kasi="198211042006042001",
    bendahara="Agus Setiawan, A.Md.",
    email="program.evaluasi@bdk-sumteng.example.go.id",
)

# Every rule id the planted sample covers (the Structure, Identitas, Referensi RO / Rencana and
# Monthly-sheet sections of rules.md).
PLANTABLE_RULES: tuple[str, ...] = (
    "STR-SHEET", "STR-COLUMN", "STR-FORMULA-ERROR",
    "ID-SATKER", "ID-TAHUN", "ID-NIP", "ID-EMAIL",
    "REF-KODE", "REF-DUPLIKAT", "REF-NILAI", "REN-RO", "REN-TARGET", "REN-PAGU",
    "CAP-RO-ASING", "CAP-RO-HILANG", "CAP-DUPLIKAT", "CAP-KOSONG", "CAP-ANGKA", "CAP-NEGATIF",
    "CAP-SATUAN", "CAP-TARGET", "CAP-PERSEN", "CAP-PERSEN-PECAHAN", "CAP-PROGRES-TURUN",
    "CAP-KUMULATIF", "CAP-MELEBIHI-TARGET", "CAP-PROGRES-VOLUME", "CAP-KENDALA", "CAP-TANGGAL",
    "CAP-TERLAMBAT", "CAP-PAGU", "CAP-DEVIASI-RPD", "CAP-MENDAHULUI", "CAP-DESIMAL",
    "CAP-PROGRES-ANGGARAN", "CAP-BELANJA-TANPA-PROGRES",
)

UNKNOWN_RO_MONTH = "013.07.DL.4290.SCM.010"  # planted in a month sheet (CAP-RO-ASING)
UNKNOWN_RO_PLAN = "013.07.DL.4290.SCM.099"  # planted in Rencana (REN-RO)

_KENDALA_PELATIHAN = (
    ("Pelaksanaan angkatan pelatihan diundur karena jadwal narasumber bertabrakan dengan kegiatan Kanwil.",
     "Menjadwalkan ulang angkatan pada bulan berikutnya dan mengonfirmasi narasumber pengganti."),
    ("Jumlah peserta yang hadir kurang dari kuota karena peserta dari UPT belum mendapat izin atasan.",
     "Berkoordinasi dengan Kanwil agar surat pemanggilan peserta dikirim lebih awal."),
    ("Sertifikat belum terbit sehingga peserta belum dapat dihitung lulus.",
     "Mempercepat rapat kelulusan dan penerbitan sertifikat."),
)
_KENDALA_LAYANAN = (
    ("Proses pengadaan masih dalam tahap pemilihan penyedia.",
     "Memantau jadwal pengadaan bersama Pejabat Pengadaan setiap minggu."),
    ("Dokumen pertanggungjawaban dari unit pelaksana belum lengkap.",
     "Meminta kelengkapan dokumen dan menetapkan batas waktu penyerahan."),
)
_KETERANGAN_DEVIASI = (
    "Pembayaran honor narasumber dan uang saku peserta bergeser ke bulan berikutnya.",
    "Sebagian belanja bahan menunggu tagihan penyedia yang baru diterima bulan berikutnya.",
    "Penghematan belanja perjalanan dinas karena kegiatan dilaksanakan secara daring.",
)
# Why money was spent before any output (CAP-BELANJA-TANPA-PROGRES), and why progres and budget
# absorption part ways (CAP-PROGRES-ANGGARAN); chosen by month, so the random draws of the
# sample stay as they are.
_KETERANGAN_PERSIAPAN = (
    "Belanja persiapan kegiatan (rapat panitia, ATK, undangan); output dihitung setelah kegiatan selesai.",
    "Pembayaran honor panitia dan penggandaan bahan ajar sebelum angkatan pertama dimulai.",
)
_KETERANGAN_SELISIH = (
    "Pembayaran kegiatan mengikuti termin kontrak sehingga penyerapan tidak sejalan dengan progres fisik.",
    "Sebagian belanja dibayar di muka sesuai jadwal pencairan, sementara output diselesaikan bertahap.",
)
_KETERANGAN_PROGRES = "Progres dihitung ulang berdasarkan laporan pelaksana kegiatan bulan ini."
# The sample's margin under the 20-point gap of CAP-PROGRES-ANGGARAN.
_SELISIH_DIJELASKAN = 15.0


@dataclass(frozen=True)
class Planted:
    """A finding the validator must produce at exactly this sheet and cell."""

    rule: str
    sheet: str
    cell: str

    def to_dict(self) -> dict[str, str]:
        return {"rule": self.rule, "sheet": self.sheet, "cell": self.cell}


# --- inputs and calendar -----------------------------------------------------------------------


def data_file(name: str) -> Path:
    """A bundled sample input: samples/ of a repository checkout, else the package copy."""
    checkout = Path(__file__).resolve().parents[2] / "samples" / name
    return checkout if checkout.exists() else DATA_DIR / name


def sample_inputs() -> tuple[list[RoEntry], list[PlanEntry]]:
    ros = read_referensi(data_file(REFERENSI_CSV))
    plan = read_rencana(data_file(RENCANA_CSV), ros)
    return ros, plan


@cache
def _holidays(year: int) -> frozenset[dt.date]:
    import holidays

    return frozenset(holidays.country_holidays("ID", years=[year]).keys())


def is_working_day(day: dt.date) -> bool:
    return day.weekday() < 5 and day not in _holidays(day.year)


def month_end(year: int, month: int) -> dt.date:
    first_next = dt.date(year + (month == 12), month % 12 + 1, 1)
    return first_next - dt.timedelta(days=1)


def working_days_after(year: int, month: int, count: int) -> list[dt.date]:
    """The first `count` working days after the end of month `month` of `year`."""
    day = month_end(year, month)
    found: list[dt.date] = []
    while len(found) < count:
        day += dt.timedelta(days=1)
        if is_working_day(day):
            found.append(day)
    return found


def indonesian_date(day: dt.date) -> str:
    return f"{day.day} {spec.MONTHS[day.month - 1]} {day.year}"


def _id_number(value: float, decimals: int = 0) -> str:
    text = f"{value:,.{decimals}f}"
    return text.replace(",", "_").replace(".", ",").replace("_", ".")


# --- the clean data ---------------------------------------------------------------------------------


@dataclass
class _Ro:
    entry: RoEntry
    target: float
    pagu: float
    tp: list[float]  # index 1..12 (0 unused)
    rpd: list[float]
    progres: list[float]
    cum: list[float]
    training: bool
    spent: list[float]  # cumulative Realisasi Anggaran, index 1..12


def _volume(target: float, progres: float) -> float:
    """Cumulative volume matching a progres: the target exactly when progres is 100, below it otherwise."""
    if progres >= 100:
        return target
    vol = float(round(target * progres / 100))
    return min(vol, math.ceil(target) - 1.0) if target >= 1 else 0.0


class _Sample:
    def __init__(self, months: int, seed: int, today: dt.date) -> None:
        self.n = months
        self.rng = random.Random(seed)
        self.today = today
        self.year = SAMPLE_YEAR
        ros, plan = sample_inputs()
        self.ros_in = ros
        self.plan = [replace(p) for p in plan]
        by: dict[tuple[str, int], PlanEntry] = {(str(p.kode), int(p.bulan)): p for p in plan}
        self.ros: list[_Ro] = []
        for ro in ros:
            tp = [0.0] + [float(by[(ro.kode, m)].target_progres) for m in range(1, 13)]
            rpd = [0.0] + [float(by[(ro.kode, m)].rpd) for m in range(1, 13)]
            self.ros.append(_Ro(ro, float(ro.target), float(ro.pagu), tp, rpd, [0.0] * 13, [0.0] * 13,
                                ".DL." in ro.kode, [0.0] * 13))
        self.dates = {m: self._entry_date(m) for m in range(1, months + 1)}
        self.months: dict[int, list[MonthRow]] = {}
        self._fill()

    def _entry_date(self, month: int) -> dt.date:
        days = working_days_after(self.year, month, 5)
        early = [d for d in days if d.day <= 5] or days[:1]
        choices = [d for d in early if d <= self.today]
        if not choices:
            raise ValueError(
                f"Bulan {spec.MONTHS[month - 1]} {self.year} belum dapat dilaporkan pada {self.today}: "
                "kurangi jumlah bulan atau ubah tanggal 'today'."
            )
        return self.rng.choice(choices)

    def _fill(self) -> None:
        rng = self.rng
        for ro in self.ros:
            lag_chance = 0.3 if ro.training else 0.1
            best = 0.0
            for m in range(1, 13):
                if m > self.n:
                    break
                planned = ro.tp[m]
                lagging = planned > ro.tp[m - 1] and planned < 100 and rng.random() < lag_chance
                actual = ro.tp[m - 1] if lagging else planned
                best = max(best, actual)
                ro.progres[m] = best
                ro.cum[m] = _volume(ro.target, best)
        for m in range(1, 13):
            rows: list[MonthRow] = []
            for ro in self.ros:
                row = MonthRow(ro.entry.kode)
                if m <= self.n:
                    self._fill_row(row, ro, m)
                rows.append(row)
            self.months[m] = rows

    def _fill_row(self, row: MonthRow, ro: _Ro, m: int) -> None:
        rng = self.rng
        row.rvro = _plain(ro.cum[m] - ro.cum[m - 1])
        row.progres = _plain(ro.progres[m])
        behind = ro.progres[m] < ro.tp[m]
        if behind:
            kendala, tindak = rng.choice(_KENDALA_PELATIHAN if ro.training else _KENDALA_LAYANAN)
            row.kendala, row.tindak_lanjut = kendala, tindak
        rpd = ro.rpd[m]
        if behind or rng.random() < 0.08:
            factor = rng.uniform(0.70, 0.90)
            row.keterangan = rng.choice(_KETERANGAN_DEVIASI)
        else:
            factor = rng.uniform(0.97, 1.0)
        row.anggaran = _plain(math.floor(rpd * factor / 1000) * 1000)
        row.tanggal = self.dates[m]
        ro.spent[m] = ro.spent[m - 1] + row.anggaran
        absorption = ro.spent[m] / ro.pagu * 100
        if row.keterangan is None and ro.spent[m] > 0:
            if ro.progres[m] == 0:
                row.keterangan = _KETERANGAN_PERSIAPAN[m % len(_KETERANGAN_PERSIAPAN)]
            elif abs(ro.progres[m] - absorption) > _SELISIH_DIJELASKAN:
                row.keterangan = _KETERANGAN_SELISIH[m % len(_KETERANGAN_SELISIH)]

    # ---- content ---------------------------------------------------------------------------------

    def content(self, ident: dict[str, Any], ros: list[RoEntry], plan: list[PlanEntry],
                omit_columns: dict[int, tuple[str, ...]], omit_sheets: tuple[str, ...]) -> WorkbookContent:
        return WorkbookContent(
            identity=ident,
            ros=ros,
            plan=plan,
            months={m: MonthSheet(rows, omit_columns.get(m, ())) for m, rows in self.months.items()},
            omit_sheets=omit_sheets,
            created=dt.datetime(SAMPLE_YEAR, 1, 2, 8, 0, 0),
        )


def _plain(value: float) -> int | float:
    return int(value) if float(value).is_integer() else round(value, 2)


# --- planting ----------------------------------------------------------------------------------------


class _Planter:
    """Plants mistakes into a clean _Sample and remembers where each must be found."""

    def __init__(self, sample: _Sample, rules: set[str]) -> None:
        self.s = sample
        self.rules = rules
        self.n = sample.n
        self.ident = dict(SAMPLE_IDENTITY)
        self.ident[spec.ID_BULAN] = spec.MONTHS[self.n - 1]
        self.ros: list[RoEntry] = [replace(r) for r in sample.ros_in]
        self.plan = sample.plan
        self.omit_columns: dict[int, tuple[str, ...]] = {}
        self.omit_sheets: tuple[str, ...] = ()
        self.used: set[tuple[int, int]] = set()
        self.excluded: set[int] = set()
        # (rule, locator): locator resolved to a sheet and cell after all changes.
        self.marks: list[tuple[str, tuple[Any, ...]]] = []

    def want(self, rule: str) -> bool:
        return rule in self.rules

    def mark(self, rule: str, *locator: Any) -> None:
        self.marks.append((rule, locator))

    def row(self, month: int, i: int) -> MonthRow:
        return self.s.months[month][i]

    def pick(self, month: int, ok: Any, neighbours: bool = False) -> int:
        for i, ro in enumerate(self.s.ros):
            if i in self.excluded or (month, i) in self.used:
                continue
            if neighbours and ((month - 1, i) in self.used or (month + 1, i) in self.used):
                continue
            if ok(i, ro):
                self.used.add((month, i))
                return i
        raise ValueError(f"tidak ada RO yang cocok untuk ditanami kesalahan pada bulan {month}")

    def plant(self) -> None:
        n = self.n
        needs_late = {"CAP-MENDAHULUI": n + 1, "STR-COLUMN": n + 2, "STR-SHEET": 12}
        for rule, month in needs_late.items():
            if self.want(rule) and (month > 12 or (rule == "STR-COLUMN" and self.want("STR-SHEET") and month >= 12)):
                raise ValueError(
                    f"Kesalahan {rule} memerlukan bulan setelah Bulan Pelaporan; pakai months <= 9."
                )
        if any(r.startswith("CAP-") for r in self.rules) and n < 5:
            raise ValueError("Penanaman kesalahan bulanan memerlukan months >= 5.")
        self.identitas()
        self.referensi()
        self.monthly()

    # ---- Identitas ------------------------------------------------------------------------------

    def identitas(self) -> None:
        for rule, item, value in (
            ("ID-SATKER", spec.ID_KODE_SATKER, "41172"),
            ("ID-TAHUN", spec.ID_TAHUN, f"TA {SAMPLE_YEAR}"),
            ("ID-NIP", spec.ID_NIP_KEPALA, "19730512199803100"),
            ("ID-EMAIL", spec.ID_EMAIL, "program.evaluasi.bdk-sumteng.example.go.id"),
        ):
            if self.want(rule):
                self.ident[item] = value
                self.mark(rule, "identitas", item)

    # ---- Referensi RO and Rencana ------------------------------------------------------------------

    def referensi(self) -> None:
        ros = self.s.ros
        last = len(ros) - 1
        if self.want("REF-KODE"):
            # A dot forgotten, consistently in every sheet, so only REF-KODE fires.
            i = last
            bad = ros[i].entry.kode[:-4] + ros[i].entry.kode[-3:]
            old = self.ros[i].kode
            self.ros[i].kode = bad
            for p in self.plan:
                if p.kode == old:
                    p.kode = bad
            for rows in self.s.months.values():
                for r in rows:
                    if r.kode == old:
                        r.kode = bad
            self.excluded.add(i)
            self.mark("REF-KODE", "ref", self.ros[i], spec.COL_KODE_RO)
        if self.want("REF-NILAI"):
            i = last - 1
            self.ros[i].jenis = "Tetap"
            self.excluded.add(i)
            self.mark("REF-NILAI", "ref", self.ros[i], spec.COL_JENIS_RO)
        if self.want("REF-DUPLIKAT"):
            i = last - 2
            dup = replace(self.ros[i])
            self.ros.append(dup)
            self.excluded.add(i)
            self.mark("REF-DUPLIKAT", "ref", dup, spec.COL_KODE_RO)
        if self.want("REN-RO"):
            extra = PlanEntry(UNKNOWN_RO_PLAN, 12, 100, 15_000_000)
            self.plan.append(extra)
            self.mark("REN-RO", "plan", extra, spec.COL_KODE_RO)
        if self.want("REN-TARGET"):
            for i, ro in enumerate(ros):
                if i in self.excluded or ro.tp[10] < 10:
                    continue
                entry = next(p for p in self.plan if p.kode == self.ros[i].kode and int(p.bulan) == 11)
                entry.target_progres = _plain(ro.tp[10] - 10)
                self.mark("REN-TARGET", "plan", entry, spec.COL_TARGET_PROGRES)
                break
        if self.want("REN-PAGU"):
            i = 0
            entry = next(p for p in self.plan if p.kode == self.ros[i].kode and int(p.bulan) == 12)
            entry.rpd = _plain(float(entry.rpd) + 1_000_000)
            self.mark("REN-PAGU", "ref", self.ros[i], spec.COL_PAGU)

    # ---- monthly sheets -------------------------------------------------------------------------

    def _behind_note(self, row: MonthRow, ro: _Ro) -> None:
        if row.kendala is None:
            row.kendala, row.tindak_lanjut = (_KENDALA_PELATIHAN if ro.training else _KENDALA_LAYANAN)[0]

    def _progres_note(self, row: MonthRow) -> None:
        """A Keterangan for a planted Progres Capaian, so that it does not also part ways with
        the budget absorption unexplained (CAP-PROGRES-ANGGARAN, CAP-BELANJA-TANPA-PROGRES)."""
        if row.keterangan is None:
            row.keterangan = _KETERANGAN_PROGRES

    def monthly(self) -> None:
        s, n = self.s, self.n
        num = _is_num
        if self.want("CAP-PERSEN-PECAHAN"):
            i = self.pick(1, lambda i, ro: 0 < ro.progres[1] < 100)
            row = self.row(1, i)
            row.progres = round(s.ros[i].progres[1] / 100, 4)
            self._behind_note(row, s.ros[i])
            self.mark("CAP-PERSEN-PECAHAN", "month", 1, row, spec.COL_PROGRES)
        if self.want("CAP-TANGGAL"):
            i = self.pick(1, lambda i, ro: True)
            row = self.row(1, i)
            row.tanggal = indonesian_date(s.dates[1])
            self.mark("CAP-TANGGAL", "month", 1, row, spec.COL_TANGGAL)
        if self.want("CAP-SATUAN"):
            i = self.pick(2, lambda i, ro: True)
            row = self.row(2, i)
            row.satuan = "Paket" if s.ros[i].entry.satuan != "Paket" else "Orang"
            self.mark("CAP-SATUAN", "month", 2, row, spec.COL_SATUAN)
        if self.want("CAP-TERLAMBAT"):
            i = self.pick(2, lambda i, ro: True)
            row = self.row(2, i)
            late = working_days_after(s.year, 2, 12)[-1]
            row.tanggal = late
            self.mark("CAP-TERLAMBAT", "month", 2, row, spec.COL_TANGGAL)
        if self.want("CAP-TARGET"):
            i = self.pick(3, lambda i, ro: ro.progres[3] < 100)
            row = self.row(3, i)
            row.target = _plain(s.ros[i].target + 10)
            self.mark("CAP-TARGET", "month", 3, row, spec.COL_TARGET_VOLUME)
        if self.want("CAP-TANGGAL"):
            i = self.pick(3, lambda i, ro: True)
            row = self.row(3, i)
            row.tanggal = dt.date(s.year, 3, 25)  # before March ended
            self.mark("CAP-TANGGAL", "month", 3, row, spec.COL_TANGGAL)
        if self.want("CAP-DEVIASI-RPD"):
            i = self.pick(4, lambda i, ro: ro.rpd[4] > 0 and self.row(4, i).keterangan is None)
            row = self.row(4, i)
            row.anggaran = _plain(math.floor(s.ros[i].rpd[4] * 0.7 / 1000) * 1000)
            self.mark("CAP-DEVIASI-RPD", "month", 4, row, spec.COL_ANGGARAN)
        m = n - 1
        if self.want("CAP-KOSONG"):
            i = self.pick(m, lambda i, ro: True)
            row = self.row(m, i)
            row.tanggal = None
            self.mark("CAP-KOSONG", "month", m, row, spec.COL_TANGGAL)
        if self.want("STR-FORMULA-ERROR"):
            i = self.pick(m, lambda i, ro: True)
            row = self.row(m, i)
            row.keterangan = Formula("=1/0", "#DIV/0!")
            self.mark("STR-FORMULA-ERROR", "month", m, row, spec.COL_KETERANGAN)
        if self.want("CAP-TANGGAL"):
            i = self.pick(m, lambda i, ro: True)
            row = self.row(m, i)
            entered = s.dates[m]
            digits = str(entered.year)
            swapped = int(digits[:2] + digits[3] + digits[2])
            far = swapped if swapped > s.today.year + 5 else s.today.year + 40
            row.tanggal = entered.replace(year=far)
            self.mark("CAP-TANGGAL", "month", m, row, spec.COL_TANGGAL)
        if self.want("CAP-PROGRES-TURUN"):
            for month in range(n - 1, 1, -1):
                try:
                    i = self.pick(month, lambda i, ro, mm=month: ro.progres[mm - 1] >= 10
                                  and ro.progres[mm] < 100 and num(self.row(mm - 1, i).progres), neighbours=True)
                except ValueError:
                    continue
                row = self.row(month, i)
                row.progres = _plain(s.ros[i].progres[month - 1] - 5)
                self._behind_note(row, s.ros[i])
                self._progres_note(row)
                self.mark("CAP-PROGRES-TURUN", "month", month, row, spec.COL_PROGRES)
                break
        if self.want("CAP-KENDALA"):
            for month in range(n - 1, 1, -1):
                try:
                    i = self.pick(month, lambda i, ro, mm=month: ro.tp[mm] > ro.progres[mm - 1] + 0.01
                                  and ro.progres[mm - 1] < 100 and ro.cum[mm] < ro.target
                                  and num(self.row(mm - 1, i).progres), neighbours=True)
                except ValueError:
                    continue
                row = self.row(month, i)
                row.progres = _plain(s.ros[i].progres[month - 1])
                row.kendala = None
                row.tindak_lanjut = None
                self._progres_note(row)
                self.mark("CAP-KENDALA", "month", month, row, spec.COL_KENDALA)
                break
        # ---- the reporting month itself
        if self.want("CAP-ANGKA"):
            i = self.pick(n, lambda i, ro: num(self.row(n, i).anggaran) and self.row(n, i).anggaran > 0)
            row = self.row(n, i)
            row.anggaran = "Rp " + _id_number(row.anggaran)
            self.mark("CAP-ANGKA", "month", n, row, spec.COL_ANGGARAN)
            i = self.pick(n, lambda i, ro: num(self.row(n, i).rvro) and self.row(n, i).rvro > 0
                          and ro.progres[n] < 100)
            row = self.row(n, i)
            row.rvro = f"{_id_number(row.rvro)} {s.ros[i].entry.satuan.lower()}"
            self.mark("CAP-ANGKA", "month", n, row, spec.COL_RVRO)
            i = self.pick(n, lambda i, ro: 0 < ro.progres[n] < 100)
            row = self.row(n, i)
            row.progres = _id_number(s.ros[i].progres[n], 2)
            self.mark("CAP-ANGKA", "month", n, row, spec.COL_PROGRES)
        if self.want("CAP-NEGATIF"):
            # A negative entry that keeps the running sum >= 0 (only CAP-NEGATIF fires).
            i = self.pick(n, lambda i, ro: num(self.row(n, i).rvro) and ro.progres[n] < 100
                          and ro.cum[n - 1] >= 1)
            row = self.row(n, i)
            row.rvro = -_plain(min(max(float(row.rvro), 1.0), s.ros[i].cum[n - 1]))
            self.mark("CAP-NEGATIF", "month", n, row, spec.COL_RVRO)
        if self.want("CAP-PERSEN"):
            i = self.pick(n, lambda i, ro: ro.progres[n] < 100)
            row = self.row(n, i)
            row.progres = 120
            self.mark("CAP-PERSEN", "month", n, row, spec.COL_PROGRES)
        if self.want("CAP-KUMULATIF"):
            i = self.pick(n, lambda i, ro: ro.cum[n] + 2 < ro.target and ro.progres[n] < 100
                          and num(self.row(n, i).rvro))
            row = self.row(n, i)
            row.kumulatif = _plain(s.ros[i].cum[n] + 2)
            self.mark("CAP-KUMULATIF", "month", n, row, spec.COL_RVRO_KUM)
        if self.want("CAP-MELEBIHI-TARGET"):
            i = self.pick(n, lambda i, ro: ro.entry.jenis == spec.JENIS_STATIS and ro.cum[n - 1] < ro.target)
            row = self.row(n, i)
            ro = s.ros[i]
            row.rvro = _plain(ro.target - ro.cum[n - 1] + 3)
            row.progres = 100
            row.kendala = row.tindak_lanjut = None
            self._progres_note(row)
            self.mark("CAP-MELEBIHI-TARGET", "month", n, row, spec.COL_RVRO)
        if self.want("CAP-PROGRES-VOLUME"):
            i = self.pick(n, lambda i, ro: ro.cum[n] < ro.target and ro.progres[n] < 100)
            row = self.row(n, i)
            row.progres = 100
            row.kendala = row.tindak_lanjut = None
            self._progres_note(row)
            self.mark("CAP-PROGRES-VOLUME", "month", n, row, spec.COL_PROGRES)
        if self.want("CAP-PAGU"):
            i = self.pick(n, lambda i, ro: num(self.row(n, i).anggaran))
            ro = s.ros[i]
            spent = sum(float(self.row(mm, i).anggaran) for mm in range(1, n)
                        if num(self.row(mm, i).anggaran))
            row = self.row(n, i)
            row.anggaran = _plain(ro.pagu - spent + 2_500_000)
            row.keterangan = "Pelunasan kontrak pemeliharaan gedung dan pembayaran tagihan tahun berjalan."
            self.mark("CAP-PAGU", "month", n, row, spec.COL_ANGGARAN)
        if self.want("CAP-MENDAHULUI"):
            m2 = n + 1
            i = self.pick(m2, lambda i, ro: True)
            row = self.row(m2, i)
            row.rvro = 1
            row.progres = _plain(s.ros[i].progres[n])
            self.mark("CAP-MENDAHULUI", "month", m2, row, spec.COL_RVRO)
        if self.want("CAP-DESIMAL"):
            countable = {spec.norm(unit) for unit in Settings().satuan_bulat}
            i = self.pick(n, lambda i, ro: spec.norm(ro.entry.satuan) in countable and num(self.row(n, i).rvro)
                          and ro.cum[n] + 1 < ro.target and ro.progres[n] < 100)
            row = self.row(n, i)
            row.rvro = float(row.rvro) + 0.5
            self.mark("CAP-DESIMAL", "month", n, row, spec.COL_RVRO)
        if self.want("CAP-PROGRES-ANGGARAN"):
            # Progres well above the budget absorption, Keterangan empty; nothing else changes.
            def absorption(i: int) -> float | None:
                spent = [self.row(mm, i).anggaran for mm in range(1, n + 1)]
                return sum(spent) / s.ros[i].pagu * 100 if all(map(num, spent)) else None

            def far_apart(i: int, ro: _Ro) -> bool:
                spent = absorption(i)
                return (spent is not None and spent + 30 < 99 and ro.cum[n] < ro.target
                        and ro.progres[n] < spent + 10 and self.row(n, i).keterangan is None)

            i = self.pick(n, far_apart)
            row = self.row(n, i)
            row.progres = _plain(math.floor(cast(float, absorption(i)) + 30))
            self.mark("CAP-PROGRES-ANGGARAN", "month", n, row, spec.COL_PROGRES)
        if self.want("CAP-BELANJA-TANPA-PROGRES"):
            # Money spent while progres is still 0, its explanation left out.
            for month in range(1, n + 1):
                try:
                    i = self.pick(month, lambda i, ro, mm=month: ro.progres[mm] == 0
                                  and self.row(mm, i).keterangan in _KETERANGAN_PERSIAPAN
                                  and abs(ro.spent[mm] - ro.spent[mm - 1] - ro.rpd[mm]) <= 0.05 * ro.rpd[mm])
                except ValueError:
                    continue
                row = self.row(month, i)
                row.keterangan = None
                self.mark("CAP-BELANJA-TANPA-PROGRES", "month", month, row, spec.COL_PROGRES)
                break
        # Row insertions and removals last: every index above refers to the clean order.
        if self.want("CAP-RO-ASING"):
            extra = MonthRow(
                UNKNOWN_RO_MONTH, uraian="Pelatihan Teknis Kehumasan", satuan="Orang", target=50,
                rvro=5, progres=10, anggaran=5_000_000, tanggal=s.dates[2],
            )
            self.s.months[2].append(extra)
            self.mark("CAP-RO-ASING", "month", 2, extra, None)
        if self.want("CAP-DUPLIKAT"):
            i = self.pick(n, lambda i, ro: True)
            copy = replace(self.row(n, i))
            self.s.months[n].append(copy)
            self.mark("CAP-DUPLIKAT", "month", n, copy, None)
        if self.want("CAP-RO-HILANG"):
            i = self.pick(n, lambda i, ro: True)
            del self.s.months[n][i]
            self.mark("CAP-RO-HILANG", "sheet", spec.MONTHS[n - 1], "A1")
        if self.want("STR-COLUMN"):
            self.omit_columns[n + 2] = (spec.COL_TINDAK_LANJUT,)
            self.mark("STR-COLUMN", "sheet", spec.MONTHS[n + 1], f"A{MONTH_HEADER_ROW}")
        if self.want("STR-SHEET"):
            self.omit_sheets = (spec.MONTHS[11],)
            self.mark("STR-SHEET", "sheet", spec.MONTHS[11], "A1")

    # ---- resolving marks to cells ---------------------------------------------------------------------

    def resolve(self) -> list[Planted]:
        planted: list[Planted] = []
        for rule, loc in self.marks:
            kind = loc[0]
            if kind == "sheet":
                planted.append(Planted(rule, loc[1], loc[2]))
            elif kind == "identitas":
                r = TABLE_HEADER_ROW + 1 + spec.IDENTITAS_ITEMS.index(loc[1])
                planted.append(Planted(rule, spec.SHEET_IDENTITAS, f"B{r}"))
            elif kind == "ref":
                index = next(k for k, x in enumerate(self.ros) if x is loc[1])
                col = spec.REFERENSI_COLUMNS.index(loc[2]) + 1
                planted.append(Planted(rule, spec.SHEET_REFERENSI, spec.cell_ref(TABLE_HEADER_ROW + 1 + index, col)))
            elif kind == "plan":
                index = next(k for k, x in enumerate(self.plan) if x is loc[1])
                col = spec.RENCANA_COLUMNS.index(loc[2]) + 1
                planted.append(Planted(rule, spec.SHEET_RENCANA, spec.cell_ref(TABLE_HEADER_ROW + 1 + index, col)))
            else:
                month, row, column = loc[1], loc[2], loc[3]
                index = next(k for k, x in enumerate(self.s.months[month]) if x is row)
                omit = self.omit_columns.get(month, ())
                cols = [c for c in spec.MONTH_COLUMNS if c not in omit]
                col = 1 if column is None else cols.index(column) + 1
                planted.append(Planted(rule, spec.MONTHS[month - 1], spec.cell_ref(MONTH_HEADER_ROW + 1 + index, col)))
        return planted


def _is_num(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


# --- public entry points ---------------------------------------------------------------------------


def sample_content(
    months: int = 10,
    plant: bool | Iterable[str] = False,
    seed: int = 0,
    today: dt.date | None = None,
) -> tuple[WorkbookContent, list[Planted]]:
    """The content of a sample workbook and the mistakes planted in it."""
    if not 1 <= months <= 12:
        raise ValueError("months harus 1-12")
    today = today or dt.date.today()
    if isinstance(plant, bool):
        rules = set(PLANTABLE_RULES) if plant else set()
    else:
        rules = set(plant)
        unknown = rules - set(PLANTABLE_RULES)
        if unknown:
            raise ValueError(f"aturan tidak dikenal untuk ditanam: {', '.join(sorted(unknown))}")
    sample = _Sample(months, seed, today)
    planter = _Planter(sample, rules)
    planter.plant()
    planted = planter.resolve()
    content = sample.content(planter.ident, planter.ros, planter.plan, planter.omit_columns, planter.omit_sheets)
    return content, planted


def build_sample(
    path: Path | str,
    months: int = 10,
    plant: bool | Iterable[str] = False,
    seed: int = 0,
    today: dt.date | None = None,
) -> list[Planted]:
    """Write a sample workbook to `path`: months 1..`months` filled; mistakes planted on request.

    Returns the planted findings (empty for a clean sample); see the module docstring for the
    cell each one names.
    """
    content, planted = sample_content(months, plant, seed, today)
    write_workbook(path, content)
    return planted


def write_planted_json(path: Path | str, planted: Iterable[Planted]) -> None:
    """The planted list as JSON: [{"rule": ..., "sheet": ..., "cell": ...}, ...]."""
    Path(path).write_text(
        json.dumps([p.to_dict() for p in planted], ensure_ascii=False, indent=1) + "\n", encoding="utf-8"
    )
