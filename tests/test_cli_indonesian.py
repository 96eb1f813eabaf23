"""Click's own texts reach the user in Bahasa Indonesia, for every command of `sopxl`.

The cases are derived from each command's declared parameters, so a command added to
COMMANDS later is covered without touching this file.
"""

from __future__ import annotations

import ast
import importlib.util
from pathlib import Path

import click
import pytest
from click.testing import CliRunner

from sopxl.frontends.cli import COMMANDS, bahasa, cli

# Phrases of click's English messages and help pages; none may reach the user.
ENGLISH = (
    "Error:",
    "Usage:",
    "Missing",
    "No such",
    "Invalid value",
    "Try '",
    "for help",
    "is not",
    "does not",
    "Did you mean",
    "Got unexpected",
    "requires",
    "Options:",
    "Commands:",
    "Show this message",
    "Show the version",
    "[default:",
    "[required]",
    "[OPTIONS]",
    "COMMAND [ARGS]",
    ", version ",
)


def _run(args: list[str]) -> click.testing.Result:
    return CliRunner().invoke(cli, args, prog_name="sopxl")


def _assert_indonesian(text: str) -> None:
    leaks = [phrase for phrase in ENGLISH if phrase in text]
    assert not leaks, f"English click text {leaks} in:\n{text}"


def _command(name: str) -> click.Command:
    command = cli.get_command(click.Context(cli), name)
    assert command is not None
    return command


def _valid_value(param: click.Parameter, tmp_path: Path) -> str:
    """A value that passes click's parsing (the command body is never reached in these tests)."""
    kind = param.type
    if isinstance(kind, click.Choice):
        return str(kind.choices[0])
    if isinstance(kind, click.IntRange):
        return str(kind.min if kind.min is not None else 1)
    if isinstance(kind, click.types.IntParamType):
        return "2026"
    if isinstance(kind, click.Path) and not kind.file_okay:
        return str(tmp_path)
    existing = tmp_path / "ada.xlsx"
    existing.write_bytes(b"")
    return str(existing)


def _required_args(command: click.Command, tmp_path: Path, leave_out: click.Parameter | None = None) -> list[str]:
    args: list[str] = []
    for param in command.params:
        if not param.required or param is leave_out:
            continue
        if isinstance(param, click.Option):
            args += [param.opts[0], _valid_value(param, tmp_path)]
    for param in command.params:
        if isinstance(param, click.Argument) and param.required and param is not leave_out:
            args.append(_valid_value(param, tmp_path))
    return args


def _wrong_value(param: click.Parameter, tmp_path: Path) -> str | None:
    kind = param.type
    if isinstance(kind, click.Choice):
        return "bukan-pilihan"
    if isinstance(kind, click.types.IntParamType):  # IntRange too
        return "abc"
    if isinstance(kind, click.Path):
        if kind.exists:
            return str(tmp_path / "tidak-ada.xlsx")
        if not kind.dir_okay:
            return str(tmp_path)  # a folder where a file is expected
        if not kind.file_okay:
            a_file = tmp_path / "berkas.txt"
            a_file.write_text("x")
            return str(a_file)
    return None


def _hint(param: click.Parameter) -> str:
    return param.opts[0] if isinstance(param, click.Option) else param.human_readable_name


@pytest.mark.parametrize("name", list(COMMANDS))
def test_missing_required_parameters_are_reported_in_indonesian(name: str, tmp_path: Path) -> None:
    command = _command(name)
    required = [p for p in command.params if p.required]
    for param in required:
        res = _run([name, *_required_args(command, tmp_path, leave_out=param)])
        assert res.exit_code == 2, res.output
        assert f"'{_hint(param)}'" in res.output and "wajib belum diberikan" in res.output
        assert "Galat:" in res.output and f"Penggunaan: sopxl {name} [OPSI]" in res.output
        _assert_indonesian(res.output)


@pytest.mark.parametrize("name", list(COMMANDS))
def test_unknown_option_is_reported_in_indonesian(name: str, tmp_path: Path) -> None:
    command = _command(name)
    res = _run([name, *_required_args(command, tmp_path), "--tidak-ada"])
    assert res.exit_code == 2, res.output
    assert "Galat: Opsi '--tidak-ada' tidak dikenal." in res.output
    assert f"Coba 'sopxl {name} --help' untuk bantuan." in res.output
    _assert_indonesian(res.output)


@pytest.mark.parametrize("name", list(COMMANDS))
def test_wrong_choice_and_wrong_type_are_reported_in_indonesian(name: str, tmp_path: Path) -> None:
    command = _command(name)
    checked = 0
    for param in command.params:
        wrong = _wrong_value(param, tmp_path)
        if wrong is None:
            continue
        args = _required_args(command, tmp_path, leave_out=param)
        if isinstance(param, click.Option):
            args += [param.opts[0], wrong]
        else:
            args.append(wrong)
        res = _run([name, *args])
        assert res.exit_code == 2, (param.name, res.output)
        assert f"Galat: Nilai tidak sah untuk '{_hint(param)}': " in res.output, res.output
        _assert_indonesian(res.output)
        checked += 1
    assert checked, "every command has a typed parameter to get wrong"


def test_the_messages_name_the_choices_and_the_type() -> None:
    res = _run(["consolidate", "x.xlsx"])
    assert "Galat: Opsi wajib belum diberikan: '--periode'. Pilih salah satu:" in res.output
    res = _run(["consolidate", "x.xlsx", "--periode", "semester3"])
    assert (
        "Nilai tidak sah untuk '--periode': 'semester3' bukan salah satu dari "
        "'semester1', 'semester2', 'tahunan'." in res.output
    )
    res = _run(["init", "x.xlsx", "--satker", "411724", "--nama", "N", "--tahun", "dua ribu"])
    assert "Nilai tidak sah untuk '--tahun': 'dua ribu' bukan angka yang sah." in res.output
    res = _run(["demo", "keluaran", "--bulan", "3"])
    assert "Nilai tidak sah untuk '--bulan': 3 di luar rentang 5<=x<=12." in res.output


def test_option_without_its_value_unknown_command_and_extra_argument() -> None:
    res = _run(["consolidate", "x.xlsx", "--periode"])
    assert res.exit_code == 2 and "Galat: Opsi '--periode' memerlukan nilai." in res.output
    _assert_indonesian(res.output)
    res = _run(["validat", "x.xlsx"])
    assert res.exit_code == 2 and "Galat: Perintah 'validat' tidak dikenal." in res.output
    assert "Penggunaan: sopxl [OPSI] PERINTAH [ARGUMEN]..." in res.output
    _assert_indonesian(res.output)
    res = _run(["validate", "a.xlsx", "b.xlsx"])
    assert res.exit_code == 2 and "Galat: Ada argumen berlebih yang tidak dikenal (b.xlsx)" in res.output
    _assert_indonesian(res.output)
    res = _run(["validate", "a.xlsx", "--formt", "json"])
    assert "Opsi '--formt' tidak dikenal. Maksud Anda '--format'?" in res.output
    _assert_indonesian(res.output)


@pytest.mark.parametrize("name", ["", *COMMANDS])
def test_help_pages_are_indonesian(name: str) -> None:
    res = _run([name, "--help"] if name else ["--help"])
    assert res.exit_code == 0
    assert res.output.startswith(f"Penggunaan: sopxl {name} [OPSI]".replace("  ", " "))
    assert "\nOpsi:\n" in res.output and "Tampilkan bantuan ini lalu keluar." in res.output
    _assert_indonesian(res.output)
    for metavar in (" TEXT", " INTEGER", " FILE", " DIRECTORY", " PATH "):
        assert metavar not in res.output, metavar


def test_root_help_and_version() -> None:
    res = _run(["--help"])
    assert "\nPerintah:\n" in res.output and "--version   Tampilkan versi lalu keluar." in res.output
    res = _run(["--version"])
    assert res.exit_code == 0 and res.output.startswith("sopxl, versi ")


def test_help_shows_required_and_default_in_indonesian() -> None:
    assert "[wajib]" in _run(["consolidate", "--help"]).output
    assert "[bawaan: table]" in _run(["validate", "--help"]).output
    assert "--tahun ANGKA" in _run(["init", "--help"]).output
    assert "--output BERKAS" in _run(["validate", "--help"]).output


def _click_msgids() -> tuple[set[str], set[tuple[str, str]]]:
    """Every literal click passes to `_` or `ngettext`, read from its sources."""
    spec = importlib.util.find_spec("click")
    assert spec is not None and spec.submodule_search_locations
    singles: set[str] = set()
    plurals: set[tuple[str, str]] = set()
    for source in Path(spec.submodule_search_locations[0]).glob("*.py"):
        for node in ast.walk(ast.parse(source.read_text(encoding="utf-8"))):
            if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Name)):
                continue
            literals = [a.value for a in node.args if isinstance(a, ast.Constant) and isinstance(a.value, str)]
            if node.func.id == "_" and literals:
                singles.add(literals[0])
            elif node.func.id == "ngettext" and len(literals) == 2:
                plurals.add((literals[0], literals[1]))
    return singles, plurals


def test_every_click_message_has_an_indonesian_text() -> None:
    singles, plurals = _click_msgids()
    assert len(singles) > 50 and len(plurals) >= 5, "the source scan found click's messages"
    assert not sorted(singles - set(bahasa.MESSAGES)), "click messages without Indonesian text"
    assert not sorted(plurals - set(bahasa.PLURAL_MESSAGES)), "click plural messages without Indonesian text"
    # `_(extra["required"])`: the one non-literal lookup
    assert "required" in bahasa.MESSAGES


def test_translations_keep_click_placeholders() -> None:
    import string

    def fields(text: str) -> set[str]:
        return {f for _, f, _, _ in string.Formatter().parse(text) if f}

    for english, indonesian in bahasa.MESSAGES.items():
        if "%(" in english:
            assert "%(prog)s" in indonesian and "%(version)s" in indonesian
            continue
        # a translation may drop an English-only placeholder, never invent one
        assert fields(indonesian) <= fields(english), english
    for pair, texts in bahasa.PLURAL_MESSAGES.items():
        for text in texts:
            assert fields(text) <= fields(pair[0]) | fields(pair[1]), pair


def test_every_click_module_uses_the_catalogue() -> None:
    import sys

    for name in bahasa.CLICK_MODULES:
        module = sys.modules[name]
        if hasattr(module, "_"):
            assert module._ is bahasa.gettext, name
        if hasattr(module, "ngettext"):
            assert module.ngettext is bahasa.ngettext, name
