"""Read a SAKTI/OMSPAN Capaian Output export and set it beside a workbook's month.

The export's layout varies by application version and menu, so its reading is data: a
profile (TOML) names the header aliases of every field, the qualifiers that tell the month's
own figure ("Bulan ini") from the running sum ("s.d. Bulan ini"), how a column without a
qualifier reads, the words of totals rows and an optional program code. The built-in profile
is `sopxl/data/profil_sakti.toml`; an office's profile file replaces the keys it writes.

Reading: `.xlsx`/`.xlsm` (through the safety gate, first sheet with a header) or `.csv`
(`,` or `;`); the header row is the first of the first 20 rows holding a code column, and may
take two rows (a group cell over "Bulan ini" / "s.d. Bulan ini" sub-columns,
:func:`sopxl.read.tables.grouped_header`). Numbers go through the one number parser
(`sopxl.core.parse.number_value`), so "1.234.500" text is 1234500. Rows without a code and
totals rows are skipped. Codes split over columns are joined with "." (program, kegiatan,
KRO, RO); a code shorter than a full RO code is matched with the end of the workbook's codes.

The month is the one given, else read from the title block ("Bulan Juni 2026", "s.d. Juni"),
else the export is refused with a message asking for `--bulan`.

:func:`reconcile` sets an export beside a workbook's month: the month's own figures of every
RO (a cumulative-only figure less the workbook's earlier months), and the ROs on one side only.
`sopxl impor` writes those figures; the REK rules compare them.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any, Final

from sopxl.core import spec
from sopxl.core.errors import InvalidInput
from sopxl.core.parse import as_date, as_number, number_value, parse_date
from sopxl.read.tables import Table, grouped_header, is_blank, table_from_columns

BULAN_INI: Final = "bulan_ini"
SD_BULAN_INI: Final = "sd_bulan_ini"
QUALIFIERS: Final = (BULAN_INI, SD_BULAN_INI)
CODE_FIELDS: Final = ("kode_program", "kode_kegiatan", "kode_kro", "kode_ro")
FIGURE_FIELDS: Final = ("volume", "progres", "anggaran")
FIELDS: Final = (*CODE_FIELDS, "uraian", *FIGURE_FIELDS, "tanggal")
# The workbook column each figure of the export fills.
FIELD_COLUMNS: Final[dict[str, str]] = {
    "volume": spec.COL_RVRO,
    "progres": spec.COL_PROGRES,
    "anggaran": spec.COL_ANGGARAN,
    "tanggal": spec.COL_TANGGAL,
}
DEFAULT_PROFILE: Final = "profil_sakti.toml"
CODE_SEGMENTS: Final = 6  # PPP.PP.XX.KKKK.KRO.RRR


def _key(text: object) -> str:
    """Matching key of a header: case, white space and the punctuation exports vary in
    (":", "(", ")", "-", "_", "%") ignored; "s/d", "s.d.", "sd" read alike."""
    t = str(text).casefold()
    t = re.sub(r"\bs\s*[./]\s*d\b\.?|\bsd\b", " sd ", t)
    t = re.sub(r"[:()\-_%\[\]]", " ", t)
    return " ".join(t.split())


@dataclass(frozen=True)
class Profile:
    """How one layout of export is read (see the module docstring and the TOML file)."""

    name: str
    fields: dict[str, tuple[str, ...]]
    qualifiers: dict[str, tuple[str, ...]]
    unqualified: dict[str, str]
    totals: tuple[str, ...]
    program: str = ""

    def classify(self, label: str) -> tuple[str, str | None] | None:
        """(field, qualifier or None) a header label names; None when it names no field."""
        key = _key(label)
        qualifier: str | None = None
        for name, aliases in sorted(
            self.qualifiers.items(), key=lambda item: -max((len(_key(a)) for a in item[1]), default=0)
        ):
            for alias in sorted(aliases, key=lambda a: -len(_key(a))):
                a = _key(alias)
                if a and (key == a or key.endswith(" " + a)):
                    qualifier = name
                    key = key[: len(key) - len(a)].strip()
                    break
            if qualifier is not None:
                break
        for name in FIELDS:
            if any(_key(alias) == key for alias in self.fields.get(name, ())):
                return name, qualifier
        return None

    def is_sub(self, value: Any) -> bool:
        """Whether a cell is a sub-column label ("Bulan ini", "s.d. Bulan ini")."""
        key = _key(value)
        return any(_key(a) == key for aliases in self.qualifiers.values() for a in aliases)


def load_profile(path: Path | str | None = None) -> Profile:
    """The built-in profile, with the keys of the TOML file at `path` written over it."""
    import tomllib  # only with an export: `validate` imports this module on every run

    base = tomllib.loads(resources.files("sopxl.data").joinpath(DEFAULT_PROFILE).read_text("utf-8"))
    if path is not None:
        path = Path(path)
        try:
            own = tomllib.loads(path.read_text("utf-8"))
        except FileNotFoundError:
            raise InvalidInput(f"Berkas profil '{path}' tidak ditemukan.") from None
        except (OSError, UnicodeDecodeError) as exc:
            raise InvalidInput(f"Berkas profil '{path.name}' tidak dapat dibaca: {exc}.") from None
        except tomllib.TOMLDecodeError as exc:
            raise InvalidInput(f"Berkas profil '{path.name}' bukan TOML yang sah: {exc}.") from None
        for section, values in own.items():
            if isinstance(values, dict) and isinstance(base.get(section), dict):
                base[section] = {**base[section], **values}
            else:
                base[section] = values
    try:
        kolom = base.get("kolom", {})
        unknown = sorted(set(kolom) - set(FIELDS))
        if unknown:
            raise InvalidInput(
                f"Profil ekspor: kunci kolom tidak dikenal: {', '.join(unknown)}. "
                f"Kunci yang dikenal: {', '.join(FIELDS)}."
            )
        unqualified = {str(k): str(v) for k, v in base.get("tanpa_kualifikasi", {}).items()}
        bad = sorted(k for k, v in unqualified.items() if v not in QUALIFIERS)
        if bad:
            raise InvalidInput(
                f"Profil ekspor: [tanpa_kualifikasi] {', '.join(bad)} harus \"bulan_ini\" atau \"sd_bulan_ini\"."
            )
        return Profile(
            name=str(base.get("nama", path or DEFAULT_PROFILE)),
            fields={name: tuple(map(str, kolom.get(name, ()))) for name in FIELDS},
            qualifiers={q: tuple(map(str, base.get("kualifikasi", {}).get(q, ()))) for q in QUALIFIERS},
            unqualified=unqualified,
            totals=tuple(map(str, base.get("baris", {}).get("jumlah", ()))),
            program=str(base.get("kode", {}).get("program", "") or "").strip().strip("."),
        )
    except (AttributeError, TypeError) as exc:
        raise InvalidInput(f"Profil ekspor tidak sesuai bentuknya: {exc}.") from None


@dataclass
class ExportRow:
    """One RO of the export: its code as assembled, its row (as the user sees it) and its
    figures by (field, qualifier)."""

    code: str
    row: int
    figures: dict[tuple[str, str], float] = field(default_factory=dict)
    tanggal: dt.date | None = None


@dataclass
class Export:
    """What an export says, for one month."""

    path: Path
    month: int
    rows: list[ExportRow]
    columns: set[tuple[str, str]]  # (field, qualifier) the export has
    has_tanggal: bool = False
    profile: str = ""


@dataclass(frozen=True)
class ExportSource:
    """An export as the command line names it: the file, the month if given, the profile file."""

    path: Path
    month: int | None = None
    profile: Path | None = None

    def read(self) -> Export:
        return read_export(self.path, load_profile(self.profile), self.month)


# --- reading ----------------------------------------------------------------------------------


def _grids(path: Path) -> list[tuple[str, list[list[Any]]]]:
    """(sheet, grid) of the export's sheets (one for a CSV)."""
    suffix = path.suffix.lower()
    if suffix in (".csv", ".txt"):
        from sopxl.read.inputs import csv_grid

        if not path.exists():
            raise InvalidInput(f"Berkas ekspor '{path}' tidak ditemukan.")
        return [(path.name, csv_grid(path))]
    from sopxl.read.safety import check_readable

    check_readable(path)  # .xls, not a zip, a bomb, encrypted: each refused with its reason
    if suffix not in (".xlsx", ".xlsm"):
        raise InvalidInput(
            f"Berkas ekspor '{path.name}' harus berformat .xlsx atau .csv (bukan "
            f"'{suffix or 'tanpa akhiran'}'). Simpan ulang unduhan itu sebagai .xlsx atau CSV."
        )
    from sopxl.read.inputs import xlsx_grids

    return [(f"{path.name}:{n}", grid) for n, grid in enumerate(xlsx_grids(path), start=1)]


def _find_header(grid: list[list[Any]], profile: Profile) -> int | None:
    """0-based index of the header row: the first of the first 20 rows naming a code column
    and another column of the profile (a title line reading just "Program" is no header)."""
    for i, row in enumerate(grid[: spec.HEADER_SCAN_ROWS]):
        named = {found[0] for v in row if not is_blank(v) and (found := profile.classify(str(v))) is not None}
        if named & set(CODE_FIELDS) and named - {"kode_program"} and len(named) > 1:
            return i
    return None


# a month word after "bulan", "s.d.", "s/d", "sampai dengan", "periode", "posisi"; a
# lookahead, so that "Periode s.d. Juni" finds "Juni" after "s.d." too
_TITLE_MONTH = re.compile(
    r"(?=(?:\bbulan|\bs\s*[./]\s*d\.?|\bsd|\bsampai\s+dengan|\bperiode|\bposisi)\s+([a-z]+))", re.IGNORECASE
)


def month_of_title(lines: list[list[Any]]) -> int | None:
    """The month a title block names ("Bulan Juni 2026", "s.d. Juni", "Periode Juni")."""
    for row in lines:
        for value in row:
            if isinstance(value, str):
                for word in _TITLE_MONTH.findall(value):
                    number = spec.month_number(word)
                    if number is not None:
                        return number
    return None


def _number(value: Any) -> float | None:
    if isinstance(value, str):
        text = value.strip().rstrip("%").strip()
        return number_value(text) if text else None
    return as_number(value)


def _date(value: Any) -> dt.date | None:
    if isinstance(value, str):
        return parse_date(value.strip()) if value.strip() else None
    return as_date(value)


def _code_text(value: Any) -> str | None:
    if is_blank(value):
        return None
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).strip().strip(".") or None


def read_export(path: Path | str, profile: Profile | None = None, month: int | None = None) -> Export:
    """The export at `path`, read through `profile` (the built-in one by default), for
    `month` (else the month its title names; else refused)."""
    path = Path(path)
    profile = profile or load_profile()
    if month is not None and not 1 <= month <= 12:
        raise InvalidInput(f"Bulan {month} tidak ada: tulis --bulan 1 sampai 12.")
    grids = _grids(path)
    for sheet, grid in grids:
        header = _find_header(grid, profile)
        if header is None:
            continue
        labels, span = grouped_header(grid, header, profile.is_sub)
        columns: dict[tuple[str, str | None], int] = {}
        for j, label in enumerate(labels):
            if label is None:
                continue
            found = profile.classify(label)
            if found is not None and found not in columns:
                columns[found] = j + 1
        table = table_from_columns(
            sheet,
            grid,
            header,
            header + span,
            {f"{f}|{q or ''}": c for (f, q), c in columns.items()},
            [label for label in labels if label],
        )
        if month is None:
            month = month_of_title(grid[:header])
        if month is None:
            raise InvalidInput(
                f"Bulan ekspor '{path.name}' tidak dapat dibaca dari judulnya (mis. \"Bulan Juni "
                "2026\"). Sebutkan bulannya, mis. --bulan 6."
            )
        return _export_of(path, month, table, columns, profile)
    aliases = ", ".join(profile.fields.get("kode_ro", ())[:3])
    raise InvalidInput(
        f"Berkas ekspor '{path.name}': baris judul tabel tidak ditemukan di 20 baris pertama "
        f"(dicari kolom kode RO, mis. {aliases}). Periksa berkasnya, atau tulis profil "
        "ekspor (--profil) dengan judul kolom berkas ini."
    )


def _export_of(
    path: Path,
    month: int,
    table: Table,
    columns: dict[tuple[str, str | None], int],
    profile: Profile,
) -> Export:
    def col(name: str, qualifier: str | None = None) -> list[Any] | None:
        key = f"{name}|{qualifier or ''}"
        return table.column(key) if key in table.data else None

    code_columns = [c for c in (col(name) for name in CODE_FIELDS) if c is not None]
    totals = tuple(_key(t) for t in profile.totals)
    figures: dict[tuple[str, str], list[Any]] = {}
    for (name, qualifier), _ in columns.items():
        if name in FIGURE_FIELDS:
            q = qualifier or profile.unqualified.get(name, BULAN_INI)
            values = col(name, qualifier)
            if values is not None and (name, q) not in figures:
                figures[(name, q)] = values
    tanggal = col("tanggal")
    has_program = col("kode_program") is not None
    rows: list[ExportRow] = []
    problems: list[str] = []
    for i, number in enumerate(table.row_numbers):
        texts = [v for v in (table.column(k)[i] for k in table.data) if isinstance(v, str)]
        if any(_key(t).startswith(total) for t in texts for total in totals if total):
            continue
        parts = [p for p in (_code_text(c[i]) for c in code_columns) if p is not None]
        if not parts:
            continue
        code = ".".join(parts)
        if profile.program and not has_program and code.count(".") + 1 < CODE_SEGMENTS:
            code = f"{profile.program}.{code}"
        entry = ExportRow(code, number)
        for key, values in figures.items():
            raw = values[i]
            if is_blank(raw):
                continue
            value = _number(raw)
            if value is None:
                problems.append(f"baris {number}: '{raw}' bukan angka")
                continue
            entry.figures[key] = value
        if tanggal is not None and not is_blank(tanggal[i]):
            entry.tanggal = _date(tanggal[i])
            if entry.tanggal is None:
                problems.append(f"baris {number}: '{tanggal[i]}' bukan tanggal")
        rows.append(entry)
    if problems:
        shown = "\n".join(f"  - {p}" for p in problems[:20])
        more = f"\n  ... dan {len(problems) - 20} masalah lain." if len(problems) > 20 else ""
        raise InvalidInput(f"Berkas ekspor '{path.name}' tidak dapat dipakai:\n{shown}{more}")
    if not figures and tanggal is None:
        raise InvalidInput(
            f"Berkas ekspor '{path.name}': tidak ada kolom realisasi volume (RVRO), progres (PCRO) "
            "atau realisasi anggaran yang dikenali. Tulis profil ekspor (--profil) dengan judul "
            "kolom berkas ini."
        )
    return Export(path, month, rows, set(figures), tanggal is not None, profile.name)


# --- beside the workbook ----------------------------------------------------------------------


@dataclass
class RoFigures:
    """What the export says of one workbook RO for the month, as the workbook holds it: the
    month's own volume and rupiah, the cumulative progress (None: the export lacks it)."""

    code: str  # as the workbook writes it
    export_row: int
    values: dict[str, Any]  # workbook column -> value (number, or a date for Tanggal Entri)


@dataclass
class Reconciliation:
    month: int
    sheet: str
    table: Table
    figures: dict[str, RoFigures]  # workbook code -> figures
    index: dict[str, int]  # workbook code -> data row index of the month table
    missing_in_workbook: list[str]  # export codes (as assembled)
    missing_in_export: list[str]  # workbook codes


class _Earlier:
    """The workbook's values of a column in the months before the export's, by RO key
    (upper-case code), each month indexed once, on first use."""

    def __init__(self, data: Any, month: int) -> None:
        self.data = data
        self.month = month
        self._index: dict[tuple[int, str], dict[str, Any]] = {}

    def _of(self, m: int, column: str) -> dict[str, Any]:
        found = self._index.get((m, column))
        if found is None:
            found = {}
            table = self.data.months.get(m)
            if table is not None and column in table.columns:
                for code, raw in zip(table.codes, table.column(column), strict=True):
                    if code is not None:
                        found.setdefault(code.upper(), raw)
            self._index[(m, column)] = found
        return found

    def values(self, column: str, key: str) -> list[float | None]:
        return [_number(self._of(m, column).get(key)) for m in range(1, self.month)]


def reconcile(export: Export, data: Any) -> Reconciliation:
    """The export beside the month sheet of the workbook `data` (a WorkbookData): see
    :class:`Reconciliation`. Refused when the month has no sheet with a table."""
    month = export.month
    table = data.months.get(month)
    name = spec.MONTHS[month - 1]
    if table is None or table.header_row is None or spec.COL_KODE_RO not in table.columns:
        raise InvalidInput(f"Lembar '{name}' tidak ada di buku kerja atau tidak memiliki baris judul Kode RO.")
    index: dict[str, int] = {}
    keys: dict[str, str] = {}
    for i, code in enumerate(table.codes):
        if code is not None and code.upper() not in keys:
            keys[code.upper()] = code
            index[code] = i
    suffixes: dict[str, list[str]] = {}
    for key in keys:
        segments = key.split(".")
        for n in range(1, len(segments)):
            suffixes.setdefault(".".join(segments[n:]), []).append(key)
    figures: dict[str, RoFigures] = {}
    missing: list[str] = []
    earlier = _Earlier(data, month)
    for row in export.rows:
        key = row.code.upper()
        if key not in keys:
            candidates = suffixes.get(key, [])
            if len(candidates) != 1:
                missing.append(row.code)
                continue
            key = candidates[0]
        code = keys[key]
        if code in figures:
            continue
        figures[code] = RoFigures(code, row.row, _month_values(row, earlier, key))
    absent = [code for code in index if code not in figures]
    return Reconciliation(month, table.sheet, table, figures, index, missing, absent)


def _month_values(row: ExportRow, earlier: _Earlier, key: str) -> dict[str, Any]:
    out: dict[str, Any] = {}
    got = row.figures
    for name in ("volume", "anggaran"):
        column = FIELD_COLUMNS[name]
        if (name, BULAN_INI) in got:
            out[column] = _plain(got[(name, BULAN_INI)])
        elif (name, SD_BULAN_INI) in got:
            before = sum(v or 0.0 for v in earlier.values(column, key))
            out[column] = _plain(round(got[(name, SD_BULAN_INI)] - before, 6))
    column = FIELD_COLUMNS["progres"]
    if ("progres", SD_BULAN_INI) in got:
        out[column] = _plain(got[("progres", SD_BULAN_INI)])
    elif ("progres", BULAN_INI) in got:
        known = [v for v in earlier.values(column, key) if v is not None]
        out[column] = _plain(round((known[-1] if known else 0.0) + got[("progres", BULAN_INI)], 6))
    if row.tanggal is not None:
        out[FIELD_COLUMNS["tanggal"]] = row.tanggal
    return out


def same_value(column: str, held: Any, value: Any) -> bool:
    """Whether a workbook cell of `column` already holds the export's `value`: dates as days,
    rupiah to the whole rupiah, volume and percent to 2 decimals; text read as a number."""
    if column == spec.COL_TANGGAL:
        return _date(held) == value
    number = _number(held)
    if number is None:
        return False
    digits = 0 if column == spec.COL_ANGGARAN else 2
    return round(number, digits) == round(float(value), digits)


def _plain(number: float) -> int | float:
    return int(number) if float(number).is_integer() else number


__all__ = [
    "Export",
    "ExportRow",
    "ExportSource",
    "Profile",
    "Reconciliation",
    "RoFigures",
    "load_profile",
    "month_of_title",
    "read_export",
    "reconcile",
    "same_value",
]
