#!/usr/bin/env bash
# The README's two commands:
#   bash dev.sh sample   -> set up, then run the whole job on the bundled sample
#   bash dev.sh test     -> set up, then ruff + mypy + the whole pytest suite
# Set-up: a .venv beside this file with sopxl and its dev dependencies (re-done when
# pyproject.toml changes).
set -euo pipefail
cd "$(dirname "$0")"
PYTHON=${PYTHON:-python3}
if [ ! -x .venv/bin/python ]; then
  "$PYTHON" -m venv .venv
fi
stamp=.venv/.sopxl-installed
if [ ! -f "$stamp" ] || [ pyproject.toml -nt "$stamp" ]; then
  .venv/bin/python -m pip install -q --disable-pip-version-check --upgrade pip
  .venv/bin/python -m pip install -q --disable-pip-version-check -e '.[dev]'
  touch "$stamp"
fi
cmd=${1:-}
[ $# -gt 0 ] && shift
case "$cmd" in
  sample)
    .venv/bin/sopxl demo keluaran "$@"
    ;;
  test)
    .venv/bin/ruff check sopxl tests benchmarks samples scripts docs workbook_templates
    .venv/bin/mypy
    .venv/bin/lint-imports --no-cache --no-logo
    .venv/bin/python -m pytest "$@"
    ;;
  *)
    echo "usage: bash dev.sh sample|test" >&2
    exit 2
    ;;
esac
