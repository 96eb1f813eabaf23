"""Helpers shared by the command modules (kept import-light)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any, TypeVar

import click

F = TypeVar("F", bound=Callable[..., Any])


class SopxlClickError(click.ClickException):
    """A refusal shown as 'Galat: ...' with exit code 2 (the file could not be processed)."""

    exit_code = 2

    def format_message(self) -> str:
        return self.message

    def show(self, file: Any = None) -> None:
        click.echo(f"Galat: {self.format_message()}", err=True)


@contextmanager
def user_errors() -> Iterator[None]:
    """Turn sopxl's own refusals into a clean message and exit 2, never a traceback."""
    from sopxl.core.errors import SopxlError

    try:
        yield
    except SopxlError as exc:
        raise SopxlClickError(exc.message) from None
    except OSError as exc:
        raise SopxlClickError(os_error_sentence(exc)) from None


def os_error_sentence(exc: OSError) -> str:
    """An operating-system refusal sopxl did not foresee, as an Indonesian sentence naming the
    file and what to do (never the English strerror)."""
    from sopxl.core.errors import os_advice, os_reason

    name = exc.filename if exc.filename is not None else exc.filename2
    if isinstance(exc, PermissionError) and name is not None:
        return f"Tidak ada izin untuk mengakses '{name}'. {os_advice(exc)}"
    subject = f"Berkas '{name}'" if name is not None else "Berkas"
    return f"{subject} tidak dapat diakses: {os_reason(exc)}. {os_advice(exc)}"


@contextmanager
def workbook_writer(
    path: str | None,
    file_overrides: dict[str, Any] | None = None,
    run_overrides: dict[str, Any] | None = None,
) -> Iterator[None]:
    """Hold sopxl's writer lock on the workbook at `path` for a whole command (read, check,
    write), so that two commands writing one workbook never erase each other's work: the
    second waits (`lock_wait_s`, from the settings file and --set: the workbook is not read
    yet) with a message on stderr, then refuses. `path` None: the command writes nothing."""
    if path is None:
        yield
        return
    from pathlib import Path

    from sopxl.core.config import Settings
    from sopxl.ooxml.atomic import writer_lock

    target = Path(path)
    if not target.is_file():
        yield  # nothing to protect: the command refuses with its own reason
        return
    wait = Settings().with_overrides({**(file_overrides or {}), **(run_overrides or {})}).lock_wait_s
    with writer_lock(target, wait, on_wait=lambda message: click.echo(message, err=True)):
        yield


def format_option(*extra: str, help: str = "Bentuk keluaran di terminal.") -> Callable[[F], F]:
    """`--format table|json` (and the command's `extra` formats), into the parameter `fmt`."""
    return click.option(
        "--format", "fmt", type=click.Choice(["table", "json", *extra]), default="table", show_default=True, help=help
    )


def periode_option(help: str, *, required: bool = False, default: str | None = None) -> Callable[[F], F]:
    """`--periode semester1|semester2|tahunan` (the periods of sopxl.core.spec.PERIODS)."""
    from sopxl.core.spec import PERIODS

    # no `default=None`: click 8.3 takes an explicit None as a default that satisfies `required`
    extra: dict[str, Any] = {} if default is None else {"default": default, "show_default": True}
    return click.option("--periode", type=click.Choice(list(PERIODS)), required=required, help=help, **extra)


def settings_options(func: F) -> F:
    """`--set key=value` (repeatable) and `--config FILE` for commands that use Settings."""
    func = click.option(
        "--config",
        "config_file",
        type=click.Path(dir_okay=False),
        help="Berkas pengaturan (.toml atau .json) yang menimpa bawaan.",
    )(func)
    func = click.option(
        "--set",
        "set_options",
        multiple=True,
        metavar="KUNCI=NILAI",
        help="Ubah satu pengaturan untuk proses ini, mis. --set rpd_deviation_pct=10. Boleh berulang.",
    )(func)
    return func


def collect_overrides(set_options: tuple[str, ...], config_file: str | None) -> tuple[dict[str, Any], dict[str, Any]]:
    from pathlib import Path

    from sopxl.core.config import load_settings_file, parse_set_options

    file_overrides = load_settings_file(Path(config_file)) if config_file else {}
    return file_overrides, dict(parse_set_options(set_options))
