"""The layering is enforced, and ARCHITECTURE.md and the public API say what is true."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
LINT = Path(sys.executable).with_name("lint-imports")


def _lint(tree: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": str(tree)}
    return subprocess.run(
        [str(LINT), "--no-cache", "--no-logo", str(tree / "pyproject.toml")],
        cwd=tree,
        env=env,
        capture_output=True,
        text=True,
    )


@pytest.fixture(scope="module")
def lint_available() -> None:
    if not LINT.exists():
        pytest.fail(f"import-linter is a dev dependency but {LINT} is missing")


def _copy_tree(tmp: Path) -> Path:
    tree = tmp / "tree"
    shutil.copytree(ROOT / "sopxl", tree / "sopxl", ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copy(ROOT / "pyproject.toml", tree / "pyproject.toml")
    return tree


def test_layers_contract_is_kept(lint_available: None, tmp_path: Path) -> None:
    done = _lint(_copy_tree(tmp_path))
    assert done.returncode == 0, done.stdout + done.stderr
    assert "KEPT" in done.stdout


@pytest.mark.parametrize(
    ("module", "upward"),
    [
        ("sopxl/core/parse.py", "sopxl.read.workbook"),  # core -> read
        ("sopxl/ooxml/cells.py", "sopxl.rules.base"),  # ooxml -> rules
        ("sopxl/rules/base.py", "sopxl.writeback.marks"),  # rules -> writeback
        ("sopxl/writeback/marks.py", "sopxl.report.consolidate"),  # writeback -> report
        ("sopxl/report/consolidate.py", "sopxl.build.workbook"),  # siblings stay independent
        ("sopxl/read/workbook.py", "sopxl.frontends.cli"),  # read -> frontends
    ],
)
def test_an_upward_import_breaks_the_contract(lint_available: None, tmp_path: Path, module: str, upward: str) -> None:
    tree = _copy_tree(tmp_path)
    target = tree / module
    # Inside a function, as the lazy imports of the code base are: those count too.
    target.write_text(target.read_text() + f"\n\ndef _upward() -> None:\n    import {upward}  # noqa\n")
    done = _lint(tree)
    assert done.returncode != 0, done.stdout
    assert "BROKEN" in done.stdout
    assert upward in done.stdout


def test_public_api() -> None:
    import sopxl

    for name in ("validate_path", "apply_marks", "consolidate", "Finding", "ValidationResult", "SopxlError"):
        assert name in sopxl.__all__
        assert getattr(sopxl, name) is not None
    from sopxl.core.errors import SopxlError, UnreadableWorkbook

    assert sopxl.SopxlError is SopxlError
    assert issubclass(UnreadableWorkbook, sopxl.SopxlError)
    with pytest.raises(AttributeError):
        _ = sopxl.not_a_name  # type: ignore[attr-defined]


def test_import_sopxl_is_light() -> None:
    code = "import sys, sopxl; assert sopxl.__version__; print(sorted(m for m in sys.modules if m.startswith('sopxl')))"
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    # the package and its helper for names imported on first use (sopxl/core/lazy.py), nothing else
    assert done.stdout.strip() == "['sopxl', 'sopxl.core', 'sopxl.core.lazy']"


def test_excel_entry_module_is_the_frontend_module() -> None:
    import sopxl.excel
    import sopxl.frontends.excel

    assert sopxl.excel is sopxl.frontends.excel


_PATH = re.compile(r"`((?:sopxl|tests|benchmarks|docs|samples|workbook_templates|macros|scripts)/[\w./-]+)`")


def test_architecture_md_names_files_that_exist() -> None:
    text = (ROOT / "ARCHITECTURE.md").read_text(encoding="utf-8")
    named = set(_PATH.findall(text))
    assert len(named) >= 20, "the worked examples name the files they touch"
    missing = sorted(p for p in named if not (ROOT / p.rstrip("/")).exists())
    assert not missing, f"ARCHITECTURE.md names files that do not exist: {missing}"
    for layer in ("core", "ooxml", "read", "calc", "rules", "writeback", "report", "build", "frontends"):
        assert f"`sopxl/{layer}/`" in text, layer


def test_architecture_md_layers_match_the_contract() -> None:
    import tomllib

    config = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    contract = next(c for c in config["tool"]["importlinter"]["contracts"] if c["id"] == "layers")
    text = (ROOT / "ARCHITECTURE.md").read_text(encoding="utf-8")
    block = re.search(r"```text\n(.*?)```", text, re.S)
    assert block, "ARCHITECTURE.md shows the layer stack in a ```text block"
    stack = [line.split("#")[0].strip() for line in block.group(1).splitlines() if line.split("#")[0].strip()]
    assert stack == contract["layers"]
