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
    except PermissionError as exc:
        raise SopxlClickError(f"Tidak ada izin untuk mengakses '{exc.filename}'.") from None
    except OSError as exc:
        from sopxl.read.safety import os_reason

        raise SopxlClickError(f"Berkas tidak dapat diakses: {os_reason(exc)} ({exc.filename}).") from None


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
