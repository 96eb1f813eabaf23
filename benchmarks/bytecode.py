"""Compile sopxl's bytecode before timing whole processes.

An installed sopxl runs from .pyc files (pip compiles a wheel on install; an editable
install writes them on the first import), but a shell with PYTHONDONTWRITEBYTECODE=1 (as
some development machines and CI runners set) would recompile every sopxl module in every
timed process, charged to sopxl and not to the baseline, whose packages were compiled when
pip installed them (the cost: benchmarks/README.md). `compileall` writes the .pyc files
whatever that variable says.
"""

from __future__ import annotations

import compileall
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def ensure_bytecode() -> None:
    compileall.compile_dir(str(ROOT / "sopxl"), quiet=1)
