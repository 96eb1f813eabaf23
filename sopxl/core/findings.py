"""The one findings model that flows to every output (JSON, table, cell marks, Catatan Koreksi)."""

from __future__ import annotations

import datetime as dt
import math
from typing import Any, Literal

from pydantic import BaseModel, Field, field_validator

Severity = Literal["error", "warning"]
SEVERITY_LABEL: dict[str, str] = {"error": "Kesalahan", "warning": "Peringatan"}


class Finding(BaseModel):
    """One thing the Kasi's check found, at one cell."""

    rule: str
    severity: Severity
    sheet: str
    cell: str
    ro: str | None = None
    value: Any = None
    message: str
    suggestion: str | None = None

    @field_validator("value", mode="before")
    @classmethod
    def _json_safe(cls, value: Any) -> Any:
        return json_safe(value)


class ValidationResult(BaseModel):
    """Everything one validation run found in one file."""

    file: str
    findings: list[Finding] = Field(default_factory=list)

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
            "findings": [f.model_dump() for f in self.findings],
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
