"""Where `sopxl kirim` takes the SMTP password from: the environment, the keyring, a hidden
prompt on a terminal; never from a setting, and refused with a sentence when none is there."""

from __future__ import annotations

import sys
import types

import pytest
from click.testing import CliRunner

from sopxl.core.config import Settings
from sopxl.core.errors import InvalidInput
from sopxl.frontends.cli import cli
from sopxl.send.smtp import smtp_password

USER = "program@contoh.go.id"


@pytest.fixture(autouse=True)
def _clean(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("SOPXL_SMTP_PASSWORD", raising=False)
    monkeypatch.setitem(sys.modules, "keyring", None)  # no keyring unless a test puts one


def test_no_user_no_password() -> None:
    assert smtp_password(Settings(smtp_host="h")) is None


def test_environment_first(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SOPXL_SMTP_PASSWORD", "dari-env")
    assert smtp_password(Settings(smtp_user=USER), prompt=lambda _: pytest.fail("no prompt")) == "dari-env"


def test_keyring_next(monkeypatch: pytest.MonkeyPatch) -> None:
    fake = types.ModuleType("keyring")
    asked: list[tuple[str, str]] = []

    def get_password(service: str, user: str) -> str:
        asked.append((service, user))
        return "dari-keyring"

    fake.get_password = get_password  # type: ignore[attr-defined]
    monkeypatch.setitem(sys.modules, "keyring", fake)
    assert smtp_password(Settings(smtp_user=USER)) == "dari-keyring"
    assert asked == [("sopxl", USER)]


def test_prompt_only_on_a_terminal(monkeypatch: pytest.MonkeyPatch) -> None:
    class Tty:
        def isatty(self) -> bool:
            return True

    monkeypatch.setattr(sys, "stdin", Tty())
    assert smtp_password(Settings(smtp_user=USER), prompt=lambda text: f"ketik:{USER in text}") == "ketik:True"


def test_refused_without_any_source(monkeypatch: pytest.MonkeyPatch) -> None:
    class Pipe:
        def isatty(self) -> bool:
            return False

    monkeypatch.setattr(sys, "stdin", Pipe())
    with pytest.raises(InvalidInput, match="SOPXL_SMTP_PASSWORD"):
        smtp_password(Settings(smtp_user=USER), prompt=lambda _: pytest.fail("not a terminal"))


def test_password_on_the_command_line_is_refused_too(tmp_path: object) -> None:
    result = CliRunner().invoke(cli, ["kirim", "x.xlsx", "--set", "smtp_password=rahasia"])
    assert result.exit_code == 2
    assert "kata sandi SMTP tidak boleh disimpan" in result.stderr
    with pytest.raises(InvalidInput, match="tidak dipakai dan tidak disimpan"):
        Settings().with_overrides({"SMTP-Password": "x"})
