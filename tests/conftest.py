"""Shared fixtures. LibreOffice tests skip where it is absent, except in CI
(CI=true or SOPXL_REQUIRE_LIBREOFFICE=1), where its absence is a failure."""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path

import pytest

from sopxl.report.libreoffice import convert, find_soffice


def _lo_required() -> bool:
    return os.environ.get("SOPXL_REQUIRE_LIBREOFFICE") == "1" or os.environ.get("CI") == "true"


@pytest.fixture(scope="session")
def soffice() -> str:
    """Path of LibreOffice; skips (or fails in CI) when it is not installed."""
    path = find_soffice()
    if path is None:
        if _lo_required():
            pytest.fail("LibreOffice is required in CI but was not found")
        pytest.skip("LibreOffice is not installed")
    return path


@pytest.fixture
def lo_convert(soffice: str, tmp_path: Path) -> Callable[..., Path]:
    """Convert a file through LibreOffice headless: lo_convert(src, 'pdf'|'xlsx') -> new path."""

    def run(source: Path, fmt: str, outdir: Path | None = None, recalc: bool = True) -> Path:
        return convert(source, fmt, outdir or (tmp_path / f"lo-{fmt.split(':')[0]}"), recalc=recalc)

    return run
