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


def test_every_default_passes_the_validation_user_values_get() -> None:
    """The defaults are never validated at run time: they must be what pydantic accepts
    unchanged, each of them."""
    from sopxl.core.config import _validated, field_names

    defaults = Settings()
    given = {name: getattr(defaults, name) for name in field_names()}
    assert _validated(given) == given


def test_a_value_equal_to_the_current_one_is_taken_without_pydantic() -> None:
    """A run whose settings are the defaults (or a regulation row equal to them, as TOML
    lists) does not import pydantic; a value that differs is validated."""
    import subprocess
    import sys

    probe = (
        "import sys\n"
        "from sopxl.core.config import Settings\n"
        "from sopxl.core import regulasi\n"
        "s = Settings().with_overrides({'deadline_day': 5, 'ikpa_bands': [[95.0, 'Sangat Baik'], [89.0, 'Baik'], "
        "[70.0, 'Cukup'], [0.0, 'Kurang']], **regulasi.newest().pengaturan})\n"
        "assert s == Settings(), s\n"
        "print('pydantic' in sys.modules)\n"
        "s.with_overrides({'deadline_day': '6'})\n"
        "print('pydantic' in sys.modules)\n"
    )
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    assert done.stdout.split() == ["False", "True"]


def test_settings_cannot_change_once_made() -> None:
    import dataclasses

    s = Settings()
    with pytest.raises(dataclasses.FrozenInstanceError):
        s.deadline_day = 40  # type: ignore[misc]
    assert s.derive(regulasi_catatan="x").regulasi_catatan == "x"
    assert s.with_overrides({"rpd_deviation_pct": 7}).rpd_deviation_pct == 7.0
