"""The rule catalogue: each rule is a small function with an id, a severity and a title.

A rule receives a Context and yields Findings; it never raises on bad data and never stops
the others. Register one with the `@rule(...)` decorator in the module named for its sheet.

A rule's docstring documents it for users (docs/aturan.md is generated from it, see
`sopxl.rules.reference`): an English one-line summary, a blank line, then four fields in
Indonesian, each starting a line with its label (a field may continue on the next lines)::

    Kode Satker must be six digits.

    Periksa: Kode Satker di lembar Identitas harus 6 digit angka.
    Contoh salah: 41172
    Contoh benar: '411724
    Perbaikan: Tulis Kode Satker 6 digit sebagai teks.
"""

from __future__ import annotations

import datetime as dt
import inspect
import re
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from functools import cached_property
from typing import Any, cast

from sopxl.core import calendar, spec
from sopxl.core.config import Settings
from sopxl.core.findings import Finding, Severity
from sopxl.read import period
from sopxl.read.workbook import CellError, Row, Table, WorkbookData, first_rows_by_code

Check = Callable[["Context"], Iterable[Finding]]


@dataclass(frozen=True)
class RuleDoc:
    """The user documentation of a rule, parsed from its check function's docstring.
    A field the docstring lacks is empty."""

    summary: str  # English, for developers
    periksa: str  # what the rule checks
    contoh_salah: str  # a wrong entry
    contoh_benar: str  # the right entry
    perbaikan: str  # how to fix it

    @property
    def complete(self) -> bool:
        """Every user field is filled."""
        return all((self.periksa, self.contoh_salah, self.contoh_benar, self.perbaikan))


# Docstring label -> RuleDoc field, in the order they are written.
DOC_FIELDS: dict[str, str] = {
    "Periksa": "periksa",
    "Contoh salah": "contoh_salah",
    "Contoh benar": "contoh_benar",
    "Perbaikan": "perbaikan",
}
_DOC_LABEL = re.compile(rf"^({'|'.join(map(re.escape, DOC_FIELDS))}):\s*(.*)$")


def parse_rule_doc(docstring: str | None) -> RuleDoc:
    """The RuleDoc of a docstring: the first paragraph is the summary; a line starting with a
    field label ("Periksa:", ...) starts that field, and the lines after it (up to the next
    label or a blank line) continue it, joined with single spaces."""
    summary: list[str] = []
    fields: dict[str, list[str]] = {name: [] for name in DOC_FIELDS.values()}
    current: list[str] | None = summary
    for line in inspect.cleandoc(docstring or "").splitlines():
        text = line.strip()
        found = _DOC_LABEL.match(text)
        if found:
            current = fields[DOC_FIELDS[found.group(1)]]
            current.append(found.group(2))
        elif not text:
            current = None
        elif current is not None:
            current.append(text)
    return RuleDoc(
        summary=" ".join(summary),
        **{name: " ".join(part for part in parts if part) for name, parts in fields.items()},
    )


@dataclass(frozen=True)
class Rule:
    id: str
    severity: Severity
    title: str  # what the rule checks, in Indonesian (shown in docs and Catatan Koreksi)
    check: Check
    # whether an error of this rule refuses consolidation: month data errors make the report's
    # figures untrustworthy; the report rules (LAP-*) judge the report the run replaces
    blocks_report: bool = True

    @property
    def doc(self) -> RuleDoc:
        """The user documentation of the rule, from its check function's docstring."""
        return parse_rule_doc(self.check.__doc__)


CATALOGUE: dict[str, Rule] = {}

Cells = Iterable[tuple[str, str]]  # (sheet, cell) pairs


@dataclass(frozen=True)
class FollowsFrom:
    """A declared dependency between rules: a finding of `rule` is about a value derived from
    input cells (`inputs` names them for one finding); when one of those cells already has a
    finding of a rule in `causes`, that finding names the cause and the derived one is left
    out (it would send the user to the wrong cell). The engine applies it, so no rule looks
    at another rule's findings itself; every cause comes before `rule` in the catalogue.
    """

    rule: str
    causes: frozenset[str]
    inputs: Callable[[Context, Finding], Cells]


# Derived rule id -> its declared dependency (`follows_from`).
DEPENDENCIES: dict[str, FollowsFrom] = {}


def follows_from(rule_id: str, causes: Iterable[str], inputs: Callable[[Context, Finding], Cells]) -> None:
    """Declare that `rule_id` is silent on a finding whose input cells have a finding of one
    of `causes` (see `FollowsFrom`). Both must be in the catalogue already, the causes first."""
    order = list(CATALOGUE)
    found = frozenset(causes)
    if rule_id in DEPENDENCIES:
        raise ValueError(f"dependency of {rule_id} declared twice")
    for cause in found:
        if order.index(cause) >= order.index(rule_id):
            raise ValueError(f"{cause} must come before {rule_id} in the catalogue to explain it")
    DEPENDENCIES[rule_id] = FollowsFrom(rule_id, found, inputs)


def rule(
    rule_id: str, severity: Severity, title: str, *, blocks_report: bool = True
) -> Callable[[Check], Check]:
    """Register a check function in the catalogue under `rule_id`."""

    def register(func: Check) -> Check:
        if rule_id in CATALOGUE:
            raise ValueError(f"rule {rule_id} registered twice")
        CATALOGUE[rule_id] = Rule(rule_id, severity, title, func, blocks_report)
        return func

    return register


class Context:
    """What every rule may look at, computed once per run."""

    def __init__(self, data: WorkbookData, settings: Settings, rule_id: str = "") -> None:
        self.data = data
        self.settings = settings
        self.rule_id = rule_id  # set by the engine before each rule runs

    @cached_property
    def today(self) -> dt.date:
        """`sopxl.core.calendar.today` of the run's settings."""
        return calendar.today(self.settings)

    def finding(
        self,
        sheet: str,
        cell: str,
        message: str,
        *,
        ro: str | None = None,
        value: Any = None,
        suggestion: str | None = None,
        rule_id: str | None = None,
        severity: Severity | None = None,
    ) -> Finding:
        """A finding of the running rule, with the severity the settings give it."""
        rid = rule_id or self.rule_id
        default = severity or CATALOGUE[rid].severity
        return Finding(
            rule=rid,
            severity=self.settings.severity_of(rid, default),
            sheet=sheet,
            cell=cell,
            ro=ro,
            value=value,
            message=message,
            suggestion=suggestion,
        )

    # ---- derived facts shared by several rules -------------------------------------------

    def month_table(self, month: int) -> Table | None:
        """A month's table when its sheet exists and has all required columns' header row."""
        return self.data.months.get(month)

    @cached_property
    def reported_months(self) -> list[int]:
        """Months with any value in Realisasi Volume Bulan Ini, Progres Capaian or Tanggal Entri."""
        return period.reported_months(self.data)

    @cached_property
    def reporting_month(self) -> int:
        """Bulan Pelaporan of Identitas, else the last reported month; 0 when nothing is reported
        (`sopxl.read.period.reporting_month`)."""
        return period.reporting_month(self.data, self.reported_months)

    @property
    def nothing_reported(self) -> bool:
        """No Bulan Pelaporan and no month reported: the months to check come from the deadlines."""
        return not self.reporting_month

    @cached_property
    def last_checked_month(self) -> int:
        """The last month the month rules check: the reporting month; when nothing is reported,
        the last month whose deadline has passed (`due_month`), and at least Januari, so that
        an empty workbook is never "nothing to check" (its months are CAP-KOSONG's)."""
        return self.reporting_month or max(1, self.due_month)

    @cached_property
    def due_month(self) -> int:
        """The last month whose entry deadline (domain.md, Deadlines) has passed by `today`, in
        Tahun Anggaran (the year of `today` when it is not a year): 12 for a past year, 0 when
        no month is due yet."""
        year = self.year or self.today.year
        due = [m for m in range(1, 13) if calendar.deadline_for(year, m, self.settings) < self.today]
        return due[-1] if due else 0

    @property
    def months_to_check(self) -> range:
        return range(1, self.last_checked_month + 1)

    @cached_property
    def year(self) -> int | None:
        """Tahun Anggaran (`sopxl.read.period.budget_year`); None when it is not a year."""
        return period.budget_year(self.data)

    @cached_property
    def plan(self) -> PlanIndex | None:
        """The Rencana rows by RO and month (None without a Rencana with Kode RO and Bulan):
        one index shared by the REN and CAP rules."""
        table = self.data.rencana
        if (
            table is None
            or table.header_row is None
            or spec.COL_KODE_RO not in table.columns
            or spec.COL_BULAN not in table.columns
        ):
            return None
        return PlanIndex(table)

    def rows_by_code(self, table: Table | None) -> dict[str, Row]:
        """First row of each Kode RO in a table."""
        return first_rows_by_code(table)

    @cached_property
    def reference(self) -> dict[str, Row]:
        """Referensi RO rows by code (first occurrence)."""
        return self.rows_by_code(self.data.referensi)


class PlanIndex:
    """The rows of a Rencana table by RO and month, found in one pass.

    ROs are keyed by their code in upper case (Kode RO as compared between sheets); rows
    whose Kode RO or Bulan holds an Excel error value are left to STR-FORMULA-ERROR. Rows
    are indices into the table (`Table.at(i)` names their cells).
    """

    def __init__(self, table: Table) -> None:
        self.table = table
        bulans = table.column(spec.COL_BULAN)
        month_of = {b: spec.month_number(b) for b in set(bulans)}  # cell values are hashable
        self.months: list[int | None] = list(map(month_of.__getitem__, bulans))  # None: not a month
        self.by_ro: dict[str, dict[int, int]] = {}  # key -> month -> first row of that month
        self.codes: dict[str, str] = {}  # key -> code as written first
        self.keys: list[str | None] = []  # key of every row (None: no code, or an error value)
        self.blank_code: list[int] = []  # rows with data but no Kode RO
        self.bad_month: list[tuple[int, str]] = []  # (row, code) whose Bulan is not a month
        self.duplicates: list[tuple[int, str, int, int]] = []  # (row, code, month, earlier row)
        # RO by RO, 12 months each in order, every RO once (how `sopxl init`, the DIPA's
        # halaman III and most people lay out Rencana): month m's rows are rows m-1, m+11, ...
        self.ro_major = False
        raws = table.column(spec.COL_KODE_RO)
        if CellError not in set(map(type, raws)) and None not in self.months and None not in table.codes:
            self._index_codes(cast(list[str], table.codes))
        else:
            self._index_rows(raws, bulans)

    def _index_codes(self, codes: list[str]) -> None:
        """Every row has a code and a month (the usual plan), at C speed where it can be."""
        if all(map(str.isupper, codes)):  # already upper case (the usual codes): no copies
            keys = codes
        else:  # one upper-case copy per distinct code
            upper = {code: code.upper() for code in set(codes)}
            keys = list(map(upper.__getitem__, codes))
        self.keys = cast(list[str | None], keys)
        n = len(keys)
        firsts = keys[::12]
        if (
            n % 12 == 0
            and self.months == _MONTH_CYCLE * (n // 12)
            and len(set(firsts)) == len(firsts)
            and all(keys[m::12] == firsts for m in range(1, 12))
        ):
            self.ro_major = True
            self.codes = dict(zip(firsts, codes[::12], strict=True))
            self.by_ro = dict(zip(
                firsts,
                (dict(zip(_MONTHS, range(s, s + 12), strict=True)) for s in range(0, n, 12)),
                strict=True,
            ))
            return
        for key, code in zip(keys, codes, strict=True):
            if key not in self.codes:
                self.codes[key] = code
        by_ro: dict[str, dict[int, int]] = {key: {} for key in self.codes}
        for i, key, month in zip(range(n), keys, self.months, strict=True):
            assert month is not None
            earlier = by_ro[key].setdefault(month, i)
            if earlier != i:
                self.duplicates.append((i, self.codes[key], month, earlier))
        self.by_ro = by_ro

    def _index_rows(self, raws: list[Any], bulans: list[Any]) -> None:
        codes = self.table.codes
        for i, (raw, raw_month) in enumerate(zip(raws, bulans, strict=True)):
            self.keys.append(None)
            if isinstance(raw, CellError) or isinstance(raw_month, CellError):
                continue
            code = codes[i]
            if code is None:
                self.blank_code.append(i)
                continue
            key = code.upper()
            self.keys[i] = key
            if key not in self.codes:
                self.codes[key] = code
                self.by_ro[key] = {}
            month = self.months[i]
            if month is None:
                self.bad_month.append((i, self.codes[key]))
                continue
            earlier = self.by_ro[key].setdefault(month, i)
            if earlier != i:
                self.duplicates.append((i, self.codes[key], month, earlier))

    def rows_naming(self, wanted: set[str]) -> dict[str, list[int]]:
        """Key -> every row naming it, for the keys in `wanted` (REN-RO's unknown ROs)."""
        found: dict[str, list[int]] = {}
        if wanted:
            for i, key in enumerate(self.keys):
                if key in wanted:
                    found.setdefault(key, []).append(i)
        return found

    def month_values(self, month: int, column: str) -> dict[str, Any]:
        """Kode RO exactly as written -> its plan's value in `column` for `month`."""
        values = self.table.column(column)
        if self.ro_major:
            codes = cast(list[str], self.table.codes)  # RO by RO: every row has its code
            return dict(zip(codes[month - 1 :: 12], values[month - 1 :: 12], strict=True))
        return {code: values[i] for code, i in self._rows_by_month[month - 1].items()}

    @cached_property
    def _rows_by_month(self) -> list[dict[str, int]]:
        result: list[dict[str, int]] = [{} for _ in _MONTHS]
        for i, (code, month) in enumerate(zip(self.table.codes, self.months, strict=True)):
            if code is not None and month is not None:
                result[month - 1].setdefault(code, i)
        return result


_MONTHS: tuple[int, ...] = tuple(range(1, 13))
_MONTH_CYCLE: list[int | None] = list(_MONTHS)


def run_rules(data: WorkbookData, settings: Settings, only: Iterable[str] | None = None) -> Iterator[Finding]:
    """Run every registered rule (or those in `only`) and yield their findings in catalogue order."""
    import sopxl.rules  # noqa: F401  (registers the catalogue)

    ctx = Context(data, settings)
    wanted = set(only) if only is not None else None
    # The causes of the wanted derived rules run too, unseen: a subset of the rules yields
    # exactly what a full run yields for them.
    needed = set(wanted or ())
    for rule_id in wanted or ():
        if rule_id in DEPENDENCIES:
            needed |= DEPENDENCIES[rule_id].causes
    causes = {cause for dependency in DEPENDENCIES.values() for cause in dependency.causes}
    found: dict[tuple[str, str], set[str]] = {}  # (sheet, cell) -> cause rules with a finding there
    for rule_id, registered in CATALOGUE.items():
        if rule_id in settings.disabled_rules or (wanted is not None and rule_id not in needed):
            continue
        ctx.rule_id = rule_id
        shown = wanted is None or rule_id in wanted
        findings: Iterable[Finding] = registered.check(ctx)
        dependency = DEPENDENCIES.get(rule_id)
        if dependency is not None and found:
            findings = _unexplained(ctx, findings, dependency, found)
        if rule_id not in causes:
            if shown:
                yield from findings
            continue
        for finding in findings:
            found.setdefault((finding.sheet, finding.cell), set()).add(rule_id)
            if shown:
                yield finding


def _unexplained(
    ctx: Context, findings: Iterable[Finding], dependency: FollowsFrom, found: dict[tuple[str, str], set[str]]
) -> Iterator[Finding]:
    """The findings of a derived rule none of whose input cells has a finding of its causes."""
    for finding in findings:
        if not any(found.get(cell, set()) & dependency.causes for cell in dependency.inputs(ctx, finding)):
            yield finding


def run_rule(rule_id: str, data: WorkbookData, settings: Settings) -> list[Finding]:
    """The findings of one rule alone, exactly as the engine yields them in a full run
    (the settings' severities apply; a rule in `settings.disabled_rules` finds nothing).
    Raises KeyError for an id that is not in the catalogue."""
    import sopxl.rules  # noqa: F401  (registers the catalogue)

    if rule_id not in CATALOGUE:
        raise KeyError(rule_id)
    return list(run_rules(data, settings, only=(rule_id,)))
