"""All thresholds, switches and weights in one place, with the defaults of the specs.

Precedence (lowest first): defaults -> the regulation parameters of the workbook's budget year
(`sopxl/core/regulasi.py`) -> the workbook's optional `Pengaturan` sheet (`Kunci | Nilai`) -> a
settings file given with `--config` -> `--set key=value` on the command line (all resolved in one
place, `sopxl.rules.validate.resolve_settings`). Keys are the field names below; severities use
`severity.RULE-ID`.
"""

from __future__ import annotations

import dataclasses
import functools
import json
from collections.abc import Callable, Iterable, Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

from sopxl.core import regulasi
from sopxl.core.errors import InvalidInput

if TYPE_CHECKING:
    from pydantic import BaseModel

Severity = Literal["error", "warning"]


def _f(default: Any = dataclasses.MISSING, *, factory: Callable[[], Any] | None = None, **constraints: Any) -> Any:
    """A settings field: its default (or default factory) and the constraints pydantic checks
    on a value a user gives (`ge`, `le`, `gt`, `min_length`)."""
    if factory is not None:
        return dataclasses.field(default_factory=factory, metadata=constraints)
    return dataclasses.field(default=default, metadata=constraints)


@dataclasses.dataclass(frozen=True)
class Settings:
    """Settings of a run. Field names are the keys users write.

    The defaults are the specs' and valid by construction (tests/test_config.py validates them
    all). What a user gives (`with_overrides`: `--set`, `--config`, a workbook's Pengaturan
    sheet) is validated by pydantic, imported only then: a run without such values, the usual
    button click or recap, does not pay pydantic's 0.1-0.15 s import (benchmarks/README.md).
    """

    # Deadline of the monthly capaian entry: the Nth (working or calendar) day of the next month.
    deadline_day: int = _f(5, ge=1, le=28)
    deadline_days: Literal["working", "calendar"] = "working"
    # CAP-DEVIASI-RPD: allowed deviation of a month's realisation from its RPD, in percent.
    rpd_deviation_pct: float = _f(5.0, ge=0)
    # CAP-DESIMAL: units counted in whole numbers (whole name, case-insensitive).
    satuan_bulat: list[str] = dataclasses.field(
        default_factory=lambda: [
            "Orang", "Dokumen", "Laporan", "Layanan", "Unit", "Paket", "Kegiatan", "Rekomendasi",
            "Sarana", "Peserta",
        ]
    )
    # CAP-PROGRES-ANGGARAN: allowed gap, in percent points, between Progres Capaian and the
    # RO's budget absorption; the second for an RO of Prioritas Nasional.
    selisih_progres_anggaran: float = _f(20.0, ge=0)
    selisih_progres_anggaran_pn: float = _f(5.0, ge=0)
    # Per-rule severity overrides, e.g. {"CAP-TERLAMBAT": "error"}.
    severity: dict[str, Severity] = dataclasses.field(default_factory=dict)
    # Rules switched off entirely.
    disabled_rules: list[str] = dataclasses.field(default_factory=list)
    # "Today" for date rules (future dates); None = the real date. Tests and replays set it.
    today: str | None = None

    # IKPA Capaian Output (scores.md 1). The defaults are the spec's, which are the newest row of
    # sopxl/data/regulasi.toml; a workbook gets the row of its budget year (with the deadline
    # rule and the thresholds above), tests/test_regulasi.py keeps the two equal.
    ikpa_weight_timeliness: float = 0.30
    ikpa_weight_achievement: float = 0.70
    ikpa_bands: list[tuple[float, str]] = dataclasses.field(
        default_factory=lambda: [(95.0, "Sangat Baik"), (89.0, "Baik"), (70.0, "Cukup"), (0.0, "Kurang")]
    )
    # Nilai Kinerja Anggaran, PMK 22/PMK.02/2021 (scores.md 2).
    nka_weight_p: float = 0.097
    nka_weight_k: float = 0.182
    nka_weight_cro: float = 0.435
    nka_weight_ne: float = 0.286
    nka_efficiency_clamp: float = 20.0
    nka_bands: list[tuple[float, str]] = dataclasses.field(
        default_factory=lambda: [
            (90.0, "Sangat Baik"),
            (80.0, "Baik"),
            (60.0, "Cukup"),
            (50.0, "Kurang"),
            (0.0, "Sangat Kurang"),
        ]
    )

    # The regulations the scores follow (sopxl/data/regulasi.toml): the table row used (its
    # first Tahun Anggaran) and the two regulations' short names. resolve_settings fills them from
    # the workbook's year; a user may set `regulasi_tahun` to take another year's row, or the
    # names when following a regulation sopxl's table does not hold yet.
    regulasi_tahun: int = _f(factory=lambda: regulasi.newest().dari, ge=2000, le=2100)
    regulasi_ikpa: str = _f(factory=lambda: regulasi.newest().ikpa, min_length=1)
    regulasi_nka: str = _f(factory=lambda: regulasi.newest().nka, min_length=1)
    # What the report says about that choice (a year outside the table, parameters changed by
    # the user); written by resolve_settings only, never a user's key (DERIVED_KEYS).
    regulasi_catatan: str | None = None

    # `sopxl rekap`: the budget year every workbook must have (None: the most common year).
    tahun: int | None = _f(None, ge=2000, le=2100)
    # `sopxl rekap`: seconds a workbook may take to be read and checked before it is given up.
    rekap_timeout_s: float = _f(300.0, gt=0)
    # `sopxl rekap --imap`: a CA certificate (PEM) for a server with a private CA.
    imap_cafile: str | None = None

    # Guards against hostile input.
    max_rows_per_sheet: int = 500_000
    max_uncompressed_mb: int = 1024
    # Seconds a command waits while another sopxl process writes the same workbook, then refuses.
    lock_wait_s: float = _f(5.0, ge=0, le=600)

    # Sending upward (`sopxl kirim`). Without smtp_host the message is written as a draft
    # (.eml). The SMTP password is never a setting: see PASSWORD_KEYS.
    smtp_host: str | None = None
    smtp_port: int = _f(587, ge=1, le=65535)
    smtp_security: Literal["starttls", "ssl", "none"] = "starttls"
    smtp_user: str | None = None
    smtp_cafile: str | None = None  # a private CA's certificates (PEM) to trust
    email_from: str | None = None
    smtp_timeout_s: float = _f(30.0, gt=0)
    email_max_mb: float = _f(10.0, gt=0)  # the usual Zimbra limit
    # The digital archive; None = a folder `arsip` beside the workbook, relative = from there.
    arsip_dir: str | None = None

    def severity_of(self, rule_id: str, default: Severity) -> Severity:
        return self.severity.get(rule_id, default)

    def with_overrides(self, pairs: Mapping[str, Any]) -> Settings:
        """A copy with `key=value` overrides applied (values may be strings from a CLI or a sheet),
        each validated by pydantic unless it equals the value it replaces."""
        names = field_names()
        data: dict[str, Any] = {}
        for raw_key, raw_value in pairs.items():
            key = str(raw_key).strip()
            if key.lower().replace("-", "_") in PASSWORD_KEYS:
                # a password written down travels with the workbook and the settings file
                raise InvalidInput(
                    f"Pengaturan '{key}' ditolak: kata sandi SMTP tidak boleh disimpan di buku kerja "
                    "atau berkas pengaturan (tidak dipakai dan tidak disimpan). Berikan lewat variabel "
                    "lingkungan SOPXL_SMTP_PASSWORD, keyring sistem, atau ketik saat diminta."
                )
            if key in DERIVED_KEYS:
                raise InvalidInput(f"Pengaturan '{key}' diisi sopxl sendiri dan tidak dapat diubah.")
            value = _coerce(raw_value)
            if key.startswith("severity."):
                data["severity"] = {**data.get("severity", self.severity), key.split(".", 1)[1].strip(): value}
            elif key not in names:
                raise InvalidInput(
                    f"Pengaturan '{key}' tidak dikenal. Pengaturan yang ada: "
                    + ", ".join(sorted(set(names) - DERIVED_KEYS))
                )
            else:
                if key in _TEXT_LISTS and isinstance(value, str):
                    # one item: disabled_rules=CAP-MENDAHULUI; nothing: satuan_bulat=
                    value = [value] if value else []
                data[key] = value
        given = {key: value for key, value in data.items() if not _same(value, getattr(self, key))}
        if not given:
            return self
        return dataclasses.replace(self, **_validated(given))

    def derive(self, **changes: Any) -> Settings:
        """A copy with values sopxl itself computed (not validated: they are not a user's)."""
        return dataclasses.replace(self, **changes)


@functools.cache
def field_names() -> tuple[str, ...]:
    return tuple(f.name for f in dataclasses.fields(Settings))


def default_of(name: str) -> Any:
    """A setting's default value."""
    found = next(f for f in dataclasses.fields(Settings) if f.name == name)
    if found.default_factory is not dataclasses.MISSING:
        return found.default_factory()
    return found.default


def _same(value: Any, current: Any) -> bool:
    """`value` is what the setting already holds (a TOML or JSON list for a list of tuples
    counts as the same): nothing to validate."""
    if isinstance(value, list | tuple) and isinstance(current, list | tuple):
        return len(value) == len(current) and all(_same(v, c) for v, c in zip(value, current, strict=True))
    return type(value) is type(current) and bool(value == current)


@functools.cache
def _model() -> type[BaseModel]:
    """Settings as a pydantic model: every field optional (only the given ones are validated)
    with its type and constraints."""
    import typing

    from pydantic import ConfigDict, Field, create_model

    hints = typing.get_type_hints(Settings)
    fields: dict[str, Any] = {
        f.name: (hints[f.name], Field(default=None, **f.metadata)) for f in dataclasses.fields(Settings)
    }
    model: type[BaseModel] = create_model("Pengaturan", __config__=ConfigDict(extra="forbid"), **fields)
    return model


def _validated(given: Mapping[str, Any]) -> dict[str, Any]:
    """The given settings as pydantic validates them (coerced to their types), or InvalidInput
    naming each invalid one in Indonesian."""
    from pydantic import ValidationError

    try:
        model = _model().model_validate(dict(given))
    except ValidationError as exc:
        problems = "; ".join(
            f"{'.'.join(str(p) for p in e['loc'])}: {_explain(e['type'], e.get('ctx') or {}, e['msg'])}"
            for e in exc.errors()
        )
        raise InvalidInput(f"Nilai pengaturan tidak sah ({problems}).") from None
    return {key: getattr(model, key) for key in given}


# Keys that would hold the SMTP password: refused wherever they come from.
PASSWORD_KEYS = frozenset(
    {"smtp_password", "smtp_pass", "password", "passwd", "email_password", "kata_sandi", "sandi", "smtp_sandi"}
)

# Settings sopxl computes itself (resolve_settings): refused as a user's key.
DERIVED_KEYS = frozenset({"regulasi_catatan"})

# Settings holding a list of texts, written as one text or comma separated.
_TEXT_LISTS = frozenset({"disabled_rules", "satuan_bulat"})


def _explain(kind: str, ctx: Mapping[str, Any], fallback: str) -> str:
    """A pydantic validation error in Indonesian (the common kinds; others as pydantic says)."""
    texts = {
        "literal_error": "harus salah satu dari {expected}",
        "int_parsing": "harus bilangan bulat",
        "int_type": "harus bilangan bulat",
        "int_from_float": "harus bilangan bulat",
        "float_parsing": "harus angka",
        "float_type": "harus angka",
        "greater_than_equal": "minimal {ge}",
        "less_than_equal": "maksimal {le}",
        "greater_than": "harus lebih dari {gt}",
        "less_than": "harus kurang dari {lt}",
        "list_type": "harus berupa daftar (pisahkan dengan koma)",
        "string_type": "harus berupa teks",
        "dict_type": "harus berupa pasangan kunci = nilai",
    }
    template = texts.get(kind)
    if template is None:
        return fallback
    try:
        return template.format(**{k: str(v).replace(" or ", " atau ") for k, v in ctx.items()})
    except (KeyError, IndexError):
        return fallback


def _coerce(value: Any) -> Any:
    """Strings from the CLI or a sheet: JSON where it parses (numbers, lists), else the text."""
    if isinstance(value, str):
        text = value.strip()
        if "," in text and not text.startswith("["):
            # disabled_rules=CAP-A,CAP-B
            return [part.strip() for part in text.split(",") if part.strip()]
        try:
            return json.loads(text)
        except json.JSONDecodeError:
            return text
    return value


def parse_set_options(options: Iterable[str]) -> dict[str, str]:
    """`--set key=value` options to a mapping; a malformed one is refused."""
    pairs: dict[str, str] = {}
    for option in options:
        if "=" not in option:
            raise InvalidInput(f"Format --set harus kunci=nilai, bukan '{option}'.")
        key, value = option.split("=", 1)
        pairs[key.strip()] = value.strip()
    return pairs


def load_settings_file(path: Path) -> dict[str, Any]:
    """A settings file: TOML (.toml) or JSON (.json)."""
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise InvalidInput(f"Berkas pengaturan '{path}' tidak dapat dibaca: {exc.strerror}.") from None
    import tomllib  # only for a settings file: 8 ms of every run otherwise

    try:
        data = json.loads(text) if path.suffix.lower() == ".json" else tomllib.loads(text)
    except (json.JSONDecodeError, tomllib.TOMLDecodeError) as exc:
        raise InvalidInput(f"Berkas pengaturan '{path}' tidak sah: {exc}.") from None
    if not isinstance(data, dict):
        raise InvalidInput(f"Berkas pengaturan '{path}' harus berisi pasangan kunci = nilai.")
    flat: dict[str, Any] = {}
    for key, value in data.items():
        if key == "severity" and isinstance(value, dict):
            flat.update({f"severity.{k}": v for k, v in value.items()})
        else:
            flat[key] = value
    return flat
