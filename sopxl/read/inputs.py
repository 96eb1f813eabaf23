"""Read the two inputs of `sopxl init`: the DIPA's ROs (Referensi RO) and the monthly plan
(Rencana), each from a CSV or an XLSX file.

CSV: `,` or `;` delimited, UTF-8 with or without BOM. XLSX: the first sheet whose first 20
rows hold a `Kode RO` header (any sheet name). Headers match with `spec.norm` (case and white
space ignored), in any order; extra columns are ignored: the header finder is the workbook
reader's own (`sopxl.read.tables`). Numbers are read by `sopxl.core.parse.number_value`, the
one reading of typed numbers: `1500000`, `1.500.000`, `1.500.000,50`, `Rp 1.500.000`, `45,5`,
`Rp 1,5 juta`; a number with other words around it (`10 paket`) is refused. Bulan is a month
name or 1-12.

Every problem of a file is collected and reported at once in one `InvalidInput`, naming the
file, the row (as the user sees it: the header is row 1 of a CSV) and the reason in Indonesian.
"""

from __future__ import annotations

import csv
import io
import itertools
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sopxl.core import spec
from sopxl.core.errors import InvalidInput
from sopxl.core.parse import number_value
from sopxl.read.tables import Table, find_header_row, is_blank, table_at

MAX_LISTED = 50  # problems listed in one message; the rest are counted


@dataclass
class RoEntry:
    """One row of Referensi RO. Fields may hold any raw value (the sample generator plants
    wrong ones); `read_referensi` only ever returns clean, typed values."""

    kode: Any
    uraian: Any
    satuan: Any
    jenis: Any
    target: Any
    pagu: Any
    prioritas: Any = None  # "Ya" / "Tidak" from the optional Prioritas Nasional column; None: not given


@dataclass
class PlanEntry:
    """One row of Rencana: an RO's cumulative target progress and RPD for one month."""

    kode: Any
    bulan: Any
    target_progres: Any
    rpd: Any


# --- reading tables ----------------------------------------------------------------------------


def _csv_grid(path: Path) -> list[list[Any]]:
    """The rows of a CSV file (`,` or `;` delimited, UTF-8 with or without BOM)."""
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise InvalidInput(f"Berkas '{path}' tidak dapat dibaca: {exc.strerror}.") from None
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        try:
            text = raw.decode("cp1252")
        except UnicodeDecodeError:
            raise InvalidInput(
                f"Berkas '{path.name}' bukan teks UTF-8. Simpan ulang sebagai 'CSV UTF-8'."
            ) from None
    lines = text.splitlines()
    # the first line with a separator: a title line above the table has none
    first = next((line for line in lines if ";" in line or "," in line), "")
    delimiter = ";" if first.count(";") > first.count(",") else ","
    return [list(values) for values in csv.reader(io.StringIO(text), delimiter=delimiter)]


def _xlsx_grids(path: Path) -> Iterator[list[list[Any]]]:
    """The grid of every sheet of an XLSX file, in order (empty cells as calamine gives them,
    "": the table finder reads them as blank)."""
    from python_calamine import CalamineWorkbook

    from sopxl.read.safety import check_readable

    try:
        check_readable(path)
        book = CalamineWorkbook.from_path(str(path))
    except InvalidInput:
        raise
    except Exception as exc:
        message = getattr(exc, "message", None) or str(exc)
        raise InvalidInput(f"Berkas '{path.name}' tidak dapat dibaca: {message}") from None
    try:
        for sheet in book.sheet_names:
            yield book.get_sheet_by_name(sheet).to_python(skip_empty_area=False)
    finally:
        book.close()


def _read_table(path: Path | str, key: str, columns: Sequence[str]) -> Table:
    """The input table of a file, found by the workbook's own header finder
    (:func:`sopxl.read.tables.find_table`): in a CSV, its rows; in an XLSX, the first sheet
    whose first 20 rows hold `key`. Without such a row, the first row of the CSV that is not
    blank (of the XLSX's first sheet) is taken as the header, for the message naming what is
    missing."""
    path = Path(path)
    if not path.exists():
        raise InvalidInput(f"Berkas '{path}' tidak ditemukan.")
    suffix = path.suffix.lower()
    if suffix == ".csv" or suffix == ".txt":
        grid = _csv_grid(path)
        header = find_header_row(grid, key)
        if header is None:
            header = next((i for i, row in enumerate(grid) if any(not is_blank(v) for v in row)), None)
        return table_at(path.name, grid, header, columns)
    if suffix in (".xlsx", ".xlsm"):
        first: list[list[Any]] | None = None
        for grid in _xlsx_grids(path):
            header = find_header_row(grid, key)
            if header is not None:
                return table_at(path.name, grid, header, columns)
            if first is None:
                first = grid
        return table_at(path.name, (first or [])[:1], 0 if first else None, columns)
    raise InvalidInput(
        f"Berkas '{path.name}' harus berformat .csv atau .xlsx (bukan '{suffix or 'tanpa akhiran'}')."
    )


def _columns(table: Table, wanted: Sequence[str]) -> None:
    """Refuse the file when a wanted column is missing from its header row."""
    missing = [c for c in wanted if c not in table.columns]
    if missing:
        shown = ", ".join(f"'{h}'" for h in table.found) or "(tidak ada)"
        raise InvalidInput(
            f"Berkas '{table.sheet}': kolom {', '.join(repr(m) for m in missing)} tidak ada "
            f"di baris judul. Kolom yang diharapkan: {', '.join(wanted)}. "
            f"Kolom yang ditemukan: {shown}."
        )


def _value(value: Any) -> Any:
    if isinstance(value, str):
        value = value.strip() or None
    return value


def _fail(name: str, problems: list[str]) -> None:
    if not problems:
        return
    shown = problems[:MAX_LISTED]
    more = len(problems) - len(shown)
    text = f"Berkas '{name}' tidak dapat dipakai ({len(problems)} masalah):\n" + "\n".join(
        f"  - {p}" for p in shown
    )
    if more:
        text += f"\n  ... dan {more} masalah lain."
    raise InvalidInput(text)


def _plain(number: float) -> int | float:
    return int(number) if number.is_integer() else number


def _text(value: Any) -> str:
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


# The grid readers, shared with the reader of SAKTI exports (sopxl.read.ekspor).
csv_grid = _csv_grid
xlsx_grids = _xlsx_grids


# --- public readers ---------------------------------------------------------------------------


def _data_rows(table: Table, wanted: Sequence[str]) -> Iterator[tuple[int, str, dict[str, Any], str]]:
    """The non-empty rows of an input table: (N, "baris N", values by column, Kode RO as text).
    N is the row as the user sees it (the header is row 1 of a CSV)."""
    for i, number in enumerate(table.row_numbers):
        get = {c: _value(table.column(c)[i]) for c in wanted}
        if all(v is None for v in get.values()):
            continue
        kode_raw = get[spec.COL_KODE_RO]
        yield number, f"baris {number}", get, "" if kode_raw is None else _text(kode_raw).strip()


def read_referensi(path: Path | str) -> list[RoEntry]:
    """The ROs of a Referensi RO file, checked; InvalidInput lists every problem."""
    table = _read_table(path, spec.COL_KODE_RO, (*spec.REFERENSI_COLUMNS, *spec.REFERENSI_OPTIONAL))
    _columns(table, spec.REFERENSI_COLUMNS)
    has_prioritas = spec.COL_PRIORITAS_NASIONAL in table.columns
    wanted = (*spec.REFERENSI_COLUMNS, spec.COL_PRIORITAS_NASIONAL) if has_prioritas else spec.REFERENSI_COLUMNS
    problems: list[str] = []
    entries: list[RoEntry] = []
    seen: dict[str, int] = {}
    jenis_names = {spec.norm(spec.JENIS_STATIS): spec.JENIS_STATIS,
                   spec.norm(spec.JENIS_DINAMIS): spec.JENIS_DINAMIS}
    prioritas_names = {spec.norm(v): v for v in spec.PRIORITAS_VALUES}
    for number, where, get, kode in _data_rows(table, wanted):
        row_ok = True
        if not kode:
            problems.append(f"{where}: Kode RO kosong.")
            row_ok = False
        elif not spec.RO_PATTERN.match(kode):
            problems.append(
                f"{where}: Kode RO '{kode}' tidak sesuai pola PPP.PP.XX.KKKK.KRO.RRR "
                "(contoh 013.07.WA.4293.EBA.962)."
            )
            row_ok = False
        elif kode in seen:
            problems.append(f"{where}: Kode RO '{kode}' ganda (sudah ada di baris {seen[kode]}).")
            row_ok = False
        else:
            seen[kode] = number
        uraian = get[spec.COL_URAIAN_RO]
        if uraian is None:
            problems.append(f"{where}: Uraian RO kosong.")
            row_ok = False
        satuan = get[spec.COL_SATUAN]
        if satuan is None:
            problems.append(f"{where}: Satuan kosong.")
            row_ok = False
        jenis_raw = get[spec.COL_JENIS_RO]
        jenis = jenis_names.get(spec.norm(jenis_raw)) if jenis_raw is not None else None
        if jenis is None:
            problems.append(
                f"{where}: Jenis RO '{'' if jenis_raw is None else jenis_raw}' tidak sah; "
                f"isi '{spec.JENIS_STATIS}' atau '{spec.JENIS_DINAMIS}'."
            )
            row_ok = False
        target_raw = get[spec.COL_TARGET_VOLUME]
        target = number_value(target_raw)
        if target is None:
            problems.append(f"{where}: Target Volume '{'' if target_raw is None else target_raw}' bukan angka.")
            row_ok = False
        elif target <= 0:
            problems.append(f"{where}: Target Volume harus lebih dari 0 (tertulis {_text(target)}).")
            row_ok = False
        pagu_raw = get[spec.COL_PAGU]
        pagu = number_value(pagu_raw)
        if pagu is None:
            problems.append(f"{where}: Pagu (Rp) '{'' if pagu_raw is None else pagu_raw}' bukan angka.")
            row_ok = False
        elif pagu < 0:
            problems.append(f"{where}: Pagu (Rp) tidak boleh negatif (tertulis {_text(pagu)}).")
            row_ok = False
        prioritas = None
        if has_prioritas:
            raw = get[spec.COL_PRIORITAS_NASIONAL]
            # workbook.md: empty means Tidak
            prioritas = spec.PRIORITAS_TIDAK if raw is None else prioritas_names.get(spec.norm(_text(raw)))
            if prioritas is None:
                problems.append(
                    f"{where}: Prioritas Nasional '{raw}' tidak sah; isi '{spec.PRIORITAS_YA}' atau "
                    f"'{spec.PRIORITAS_TIDAK}' (kosong berarti {spec.PRIORITAS_TIDAK})."
                )
                row_ok = False
        if row_ok and target is not None and pagu is not None:
            entries.append(
                RoEntry(kode, _text(uraian).strip(), _text(satuan).strip(), jenis, _plain(target), _plain(pagu),
                        prioritas)
            )
    if not problems and not entries:
        problems.append("tidak ada satu pun baris RO di bawah baris judul.")
    _fail(table.sheet, problems)
    return entries


def read_rencana(path: Path | str, ros: Iterable[RoEntry] | None = None) -> list[PlanEntry]:
    """The plan rows of a Rencana file (Bulan as 1-12), checked against `ros` when given.

    Refused: missing headers, an unknown RO, a month that is not a name or 1-12, the same RO
    and month twice, a Target Progres not a number in 0-100 or lower than an earlier month's,
    an RPD that is not a number or negative. A plan may leave months out (they are written
    empty for the user to fill) and its RPD need not sum to the pagu (validation warns).
    """
    table = _read_table(path, spec.COL_KODE_RO, spec.RENCANA_COLUMNS)
    _columns(table, spec.RENCANA_COLUMNS)
    known = None if ros is None else {str(r.kode) for r in ros}
    problems: list[str] = []
    entries: list[PlanEntry] = []
    seen: dict[tuple[str, int], int] = {}
    for number, where, get, kode in _data_rows(table, spec.RENCANA_COLUMNS):
        row_ok = True
        if not kode:
            problems.append(f"{where}: Kode RO kosong.")
            row_ok = False
        elif known is not None and kode not in known:
            problems.append(f"{where}: Kode RO '{kode}' tidak ada di Referensi RO.")
            row_ok = False
        bulan_raw = get[spec.COL_BULAN]
        bulan = spec.month_number(bulan_raw)
        if bulan is None:
            problems.append(
                f"{where}: Bulan '{'' if bulan_raw is None else bulan_raw}' tidak sah; "
                "tulis nama bulan (Januari ... Desember) atau angka 1-12."
            )
            row_ok = False
        elif kode and (kode, bulan) in seen:
            problems.append(
                f"{where}: rencana RO '{kode}' bulan {spec.MONTHS[bulan - 1]} ganda "
                f"(sudah ada di baris {seen[(kode, bulan)]})."
            )
            row_ok = False
        elif kode:
            seen[(kode, bulan)] = number
        tp_raw = get[spec.COL_TARGET_PROGRES]
        tp = number_value(tp_raw)
        if tp is None:
            problems.append(
                f"{where}: Target Progres (%) '{'' if tp_raw is None else tp_raw}' bukan angka."
            )
            row_ok = False
        elif not 0 <= tp <= 100:
            problems.append(
                f"{where}: Target Progres (%) harus 0-100 (tertulis {_text(tp)}); "
                "tulis 45 untuk 45 %."
            )
            row_ok = False
        rpd_raw = get[spec.COL_RPD]
        rpd = number_value(rpd_raw)
        if rpd is None:
            problems.append(
                f"{where}: Rencana Penarikan Dana (Rp) '{'' if rpd_raw is None else rpd_raw}' bukan angka."
            )
            row_ok = False
        elif rpd < 0:
            problems.append(f"{where}: Rencana Penarikan Dana (Rp) tidak boleh negatif.")
            row_ok = False
        if row_ok and bulan is not None and tp is not None and rpd is not None:
            entries.append(PlanEntry(kode, bulan, _plain(tp), _plain(rpd)))
    # Cumulative target progress may not decrease within an RO.
    by_ro: dict[str, list[PlanEntry]] = {}
    for entry in entries:
        by_ro.setdefault(str(entry.kode), []).append(entry)
    for kode, items in by_ro.items():
        items.sort(key=lambda e: int(e.bulan))
        for before, after in itertools.pairwise(items):
            if float(after.target_progres) < float(before.target_progres):
                problems.append(
                    f"baris {seen[(kode, int(after.bulan))]}: Target Progres RO '{kode}' turun dari "
                    f"{_text(before.target_progres)} ({spec.MONTHS[int(before.bulan) - 1]}) ke "
                    f"{_text(after.target_progres)} ({spec.MONTHS[int(after.bulan) - 1]}); "
                    "target progres bersifat kumulatif."
                )
    if not problems and not entries:
        problems.append("tidak ada satu pun baris rencana di bawah baris judul.")
    _fail(table.sheet, problems)
    return entries
