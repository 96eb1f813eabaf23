"""Read the two inputs of `sopxl init`: the DIPA's ROs (Referensi RO) and the monthly plan
(Rencana), each from a CSV or an XLSX file.

CSV: `,` or `;` delimited, UTF-8 with or without BOM. XLSX: the first sheet whose first 20
rows hold a `Kode RO` header (any sheet name). Headers match with `spec.norm` (case and white
space ignored), in any order; extra columns are ignored. Numbers may be written `1500000`,
`1.500.000`, `1.500.000,50`, `Rp 1.500.000` or `45,5`. Bulan is a month name or 1-12.

Every problem of a file is collected and reported at once in one `InvalidInput`, naming the
file, the row (as the user sees it: the header is row 1 of a CSV) and the reason in Indonesian.
"""

from __future__ import annotations

import csv
import io
import itertools
import math
import re
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sopxl.core import spec
from sopxl.core.errors import InvalidInput

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


@dataclass
class PlanEntry:
    """One row of Rencana: an RO's cumulative target progress and RPD for one month."""

    kode: Any
    bulan: Any
    target_progres: Any
    rpd: Any


# --- numbers ---------------------------------------------------------------------------------

_NUMBER_TEXT = re.compile(r"^[+-]?[\d.,]+$")


def parse_number(value: Any) -> float | None:
    """A number written the Indonesian or the plain way; None when it is not a number.

    `1.500.000` -> 1500000, `1.500.000,5` -> 1500000.5, `45,5` -> 45.5, `12.5` -> 12.5,
    `Rp 5.000.000` -> 5000000, `1,500,000` -> 1500000.
    """
    if isinstance(value, bool) or value is None:
        return None
    if isinstance(value, int | float):
        number = float(value)
        return None if math.isnan(number) or math.isinf(number) else number
    text = str(value).strip().replace("\u00a0", "").replace(" ", "")
    if text.lower().startswith("rp"):
        text = text[2:].lstrip(".")
    if not text or not _NUMBER_TEXT.match(text) or not any(ch.isdigit() for ch in text):
        return None
    sign = -1.0 if text.startswith("-") else 1.0
    text = text.lstrip("+-")
    dots, commas = text.count("."), text.count(",")
    if dots and commas:
        # Whichever separator comes last is the decimal one.
        if text.rfind(",") > text.rfind("."):
            text = text.replace(".", "").replace(",", ".")
        else:
            text = text.replace(",", "")
    elif commas:
        # 1,500,000 (thousands) or 45,5 (Indonesian decimal comma)
        text = text.replace(",", "") if commas > 1 else text.replace(",", ".")
    elif dots and (dots > 1 or re.fullmatch(r"\d{1,3}\.\d{3}", text)):
        text = text.replace(".", "")  # Indonesian thousands separator
    try:
        return sign * float(text)
    except ValueError:
        return None


def _plain(number: float) -> int | float:
    return int(number) if number.is_integer() else number


# --- reading tables ----------------------------------------------------------------------------


@dataclass
class _RawTable:
    name: str  # file name as shown to the user
    header: list[str]
    rows: list[tuple[int, list[Any]]]  # (row number as the user sees it, values)


def _read_csv(path: Path) -> _RawTable:
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
    first = next((line for line in lines if line.strip()), "")
    delimiter = ";" if first.count(";") > first.count(",") else ","
    reader = csv.reader(io.StringIO(text), delimiter=delimiter)
    rows: list[tuple[int, list[Any]]] = []
    header: list[str] | None = None
    for number, values in enumerate(reader, start=1):
        if header is None:
            if not any(v.strip() for v in values):
                continue
            header = [v.strip() for v in values]
            continue
        rows.append((number, [v if v.strip() else None for v in values]))
    return _RawTable(path.name, header or [], rows)


def _read_xlsx(path: Path, key: str) -> _RawTable:
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
        first_grid: list[list[Any]] | None = None
        for sheet in book.sheet_names:
            grid = book.get_sheet_by_name(sheet).to_python(skip_empty_area=False)
            if first_grid is None:
                first_grid = grid
            for i, row in enumerate(grid[: spec.HEADER_SCAN_ROWS]):
                if any(spec.norm(v) == spec.norm(key) for v in row if v != ""):
                    header = [str(v).strip() for v in row]
                    rows = [
                        (i + 2 + k, [None if v == "" else v for v in values])
                        for k, values in enumerate(grid[i + 1 :])
                    ]
                    return _RawTable(path.name, header, rows)
        header = [str(v).strip() for v in (first_grid[0] if first_grid else [])]
        return _RawTable(path.name, header, [])
    finally:
        book.close()


def _read_table(path: Path | str, key: str) -> _RawTable:
    path = Path(path)
    if not path.exists():
        raise InvalidInput(f"Berkas '{path}' tidak ditemukan.")
    suffix = path.suffix.lower()
    if suffix == ".csv" or suffix == ".txt":
        return _read_csv(path)
    if suffix in (".xlsx", ".xlsm"):
        return _read_xlsx(path, key)
    raise InvalidInput(
        f"Berkas '{path.name}' harus berformat .csv atau .xlsx (bukan '{suffix or 'tanpa akhiran'}')."
    )


def _columns(table: _RawTable, wanted: Sequence[str]) -> dict[str, int]:
    """Map each wanted column to its index; refuse the file when any is missing."""
    found: dict[str, int] = {}
    for index, title in enumerate(table.header):
        key = spec.norm(title)
        for column in wanted:
            if spec.norm(column) == key and column not in found:
                found[column] = index
    missing = [c for c in wanted if c not in found]
    if missing:
        shown = ", ".join(f"'{h}'" for h in table.header if h) or "(tidak ada)"
        raise InvalidInput(
            f"Berkas '{table.name}': kolom {', '.join(repr(m) for m in missing)} tidak ada "
            f"di baris judul. Kolom yang diharapkan: {', '.join(wanted)}. "
            f"Kolom yang ditemukan: {shown}."
        )
    return found


def _value(values: list[Any], index: int) -> Any:
    value = values[index] if index < len(values) else None
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


def _text(value: Any) -> str:
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


# --- public readers ---------------------------------------------------------------------------


def _data_rows(
    table: _RawTable, cols: dict[str, int]
) -> Iterator[tuple[int, str, dict[str, Any], str]]:
    """The non-empty rows of an input table: (N, "baris N", values by column, Kode RO as text)."""
    for number, values in table.rows:
        get = {c: _value(values, i) for c, i in cols.items()}
        if all(v is None for v in get.values()):
            continue
        kode_raw = get[spec.COL_KODE_RO]
        yield number, f"baris {number}", get, "" if kode_raw is None else _text(kode_raw).strip()


def read_referensi(path: Path | str) -> list[RoEntry]:
    """The ROs of a Referensi RO file, checked; InvalidInput lists every problem."""
    table = _read_table(path, spec.COL_KODE_RO)
    cols = _columns(table, spec.REFERENSI_COLUMNS)
    problems: list[str] = []
    entries: list[RoEntry] = []
    seen: dict[str, int] = {}
    jenis_names = {spec.norm(spec.JENIS_STATIS): spec.JENIS_STATIS,
                   spec.norm(spec.JENIS_DINAMIS): spec.JENIS_DINAMIS}
    for number, where, get, kode in _data_rows(table, cols):
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
        target = parse_number(target_raw)
        if target is None:
            problems.append(f"{where}: Target Volume '{'' if target_raw is None else target_raw}' bukan angka.")
            row_ok = False
        elif target <= 0:
            problems.append(f"{where}: Target Volume harus lebih dari 0 (tertulis {_text(target)}).")
            row_ok = False
        pagu_raw = get[spec.COL_PAGU]
        pagu = parse_number(pagu_raw)
        if pagu is None:
            problems.append(f"{where}: Pagu (Rp) '{'' if pagu_raw is None else pagu_raw}' bukan angka.")
            row_ok = False
        elif pagu < 0:
            problems.append(f"{where}: Pagu (Rp) tidak boleh negatif (tertulis {_text(pagu)}).")
            row_ok = False
        if row_ok and target is not None and pagu is not None:
            entries.append(
                RoEntry(kode, _text(uraian).strip(), _text(satuan).strip(), jenis, _plain(target), _plain(pagu))
            )
    if not problems and not entries:
        problems.append("tidak ada satu pun baris RO di bawah baris judul.")
    _fail(table.name, problems)
    return entries


def read_rencana(path: Path | str, ros: Iterable[RoEntry] | None = None) -> list[PlanEntry]:
    """The plan rows of a Rencana file (Bulan as 1-12), checked against `ros` when given.

    Refused: missing headers, an unknown RO, a month that is not a name or 1-12, the same RO
    and month twice, a Target Progres not a number in 0-100 or lower than an earlier month's,
    an RPD that is not a number or negative. A plan may leave months out (they are written
    empty for the user to fill) and its RPD need not sum to the pagu (validation warns).
    """
    table = _read_table(path, spec.COL_KODE_RO)
    cols = _columns(table, spec.RENCANA_COLUMNS)
    known = None if ros is None else {str(r.kode) for r in ros}
    problems: list[str] = []
    entries: list[PlanEntry] = []
    seen: dict[tuple[str, int], int] = {}
    for number, where, get, kode in _data_rows(table, cols):
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
        tp = parse_number(tp_raw)
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
        rpd = parse_number(rpd_raw)
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
    _fail(table.name, problems)
    return entries
