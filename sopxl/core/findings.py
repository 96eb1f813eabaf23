"""The one findings model that flows to every output (JSON, table, cell marks, Catatan Koreksi)."""

from __future__ import annotations

import dataclasses
import datetime as dt
import math
from typing import Any, Literal

Severity = Literal["error", "warning"]
SEVERITY_LABEL: dict[str, str] = {"error": "Kesalahan", "warning": "Peringatan"}


@dataclasses.dataclass(kw_only=True)
class Finding:
    """One thing the Kasi's check found, at one cell.

    Made by sopxl's own rules, never from a user's input: a plain dataclass, which every
    validation run creates by the hundred without a model library's cost."""

    rule: str
    severity: Severity
    sheet: str
    cell: str
    ro: str | None = None
    value: Any = None
    message: str
    suggestion: str | None = None

    def __post_init__(self) -> None:
        self.value = json_safe(self.value)

    def to_json_dict(self) -> dict[str, Any]:
        """One item of `findings` in `sopxl validate --format json` (keys in this order)."""
        return {
            "rule": self.rule, "severity": self.severity, "sheet": self.sheet, "cell": self.cell,
            "ro": self.ro, "value": self.value, "message": self.message, "suggestion": self.suggestion,
        }


@dataclasses.dataclass
class ValidationResult:
    """Everything one validation run found in one file."""

    file: str
    findings: list[Finding] = dataclasses.field(default_factory=list)

    @property
    def errors(self) -> int:
        return sum(1 for f in self.findings if f.severity == "error")

    @property
    def warnings(self) -> int:
        return sum(1 for f in self.findings if f.severity == "warning")

    def to_json_dict(self) -> dict[str, Any]:
        """The exact JSON contract of `sopxl validate --format json`."""
        return {
            "file": self.file,
            "errors": self.errors,
            "warnings": self.warnings,
            "findings": [f.to_json_dict() for f in self.findings],
        }


def json_safe(value: Any) -> Any:
    """Cell values as JSON can carry them: dates as ISO text, NaN/inf as text."""
    if value is None or isinstance(value, bool | int | str):
        return value
    if isinstance(value, float):
        if math.isnan(value) or math.isinf(value):
            return str(value)
        return int(value) if value.is_integer() and abs(value) < 2**53 else value
    if isinstance(value, dt.datetime | dt.date | dt.time):
        return value.isoformat()
    if isinstance(value, dt.timedelta):
        return value.total_seconds()
    return str(value)
