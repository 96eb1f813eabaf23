"""Settings: spec defaults, and overrides from a sheet, a file and the command line."""

from __future__ import annotations

from pathlib import Path

import pytest

from sopxl.core.config import Settings, load_settings_file, parse_set_options
from sopxl.core.errors import InvalidInput


def test_defaults_follow_the_specs() -> None:
    s = Settings()
    assert (s.deadline_day, s.deadline_days, s.rpd_deviation_pct) == (5, "working", 5.0)
    assert s.ikpa_weight_timeliness + s.ikpa_weight_achievement == pytest.approx(1.0)
    assert s.nka_weight_p + s.nka_weight_k + s.nka_weight_cro + s.nka_weight_ne == pytest.approx(1.0)
    assert s.severity_of("CAP-TERLAMBAT", "warning") == "warning"


def test_string_overrides_are_coerced_and_validated() -> None:
    s = Settings().with_overrides(
        {"deadline_day": "7", "deadline_days": "calendar", "severity.CAP-TERLAMBAT": "error"}
    )
    assert s.deadline_day == 7
    assert s.deadline_days == "calendar"
    assert s.severity_of("CAP-TERLAMBAT", "warning") == "error"
    assert s.with_overrides({"disabled_rules": "CAP-A, CAP-B"}).disabled_rules == ["CAP-A", "CAP-B"]
    assert s.with_overrides({"disabled_rules": "CAP-MENDAHULUI"}).disabled_rules == ["CAP-MENDAHULUI"]


@pytest.mark.parametrize(
    ("pairs", "needle"),
    [
        ({"tenggat": "5"}, "tidak dikenal"),
        ({"deadline_day": "40"}, "maksimal 28"),
        ({"deadline_day": "lima"}, "harus bilangan bulat"),
        ({"deadline_days": "kadang"}, "harus salah satu dari 'working' atau 'calendar'"),
        ({"severity.CAP-TERLAMBAT": "fatal"}, "tidak sah"),
    ],
)
def test_bad_overrides_are_refused_in_indonesian(pairs: dict[str, str], needle: str) -> None:
    with pytest.raises(InvalidInput, match=needle):
        Settings().with_overrides(pairs)


def test_set_options_and_settings_files(tmp_path: Path) -> None:
    assert parse_set_options(["a=1", " b = x=y "]) == {"a": "1", "b": "x=y"}
    with pytest.raises(InvalidInput, match="kunci=nilai"):
        parse_set_options(["tanpa-sama-dengan"])
    toml = tmp_path / "p.toml"
    toml.write_text('rpd_deviation_pct = 10\n[severity]\n"CAP-PAGU" = "warning"\n', encoding="utf-8")
    flat = load_settings_file(toml)
    assert flat == {"rpd_deviation_pct": 10, "severity.CAP-PAGU": "warning"}
    assert Settings().with_overrides(flat).severity_of("CAP-PAGU", "error") == "warning"
    bad = tmp_path / "p.json"
    bad.write_text("{not json", encoding="utf-8")
    with pytest.raises(InvalidInput, match="tidak sah"):
        load_settings_file(bad)
