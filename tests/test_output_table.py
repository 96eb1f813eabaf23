"""The terminal table of `sopxl validate`: messages wrap between words, columns stay whole."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from click.testing import CliRunner

from sopxl.core.findings import SEVERITY_LABEL, Finding, ValidationResult
from sopxl.frontends.cli import cli
from sopxl.frontends.output import render_table, table_width

SAMPLE = Path(__file__).resolve().parents[1] / "samples" / "contoh-dengan-kesalahan-2026.xlsx"

LONG = (
    "Realisasi Progres Februari 45,5% lebih kecil daripada Realisasi Progres Januari 50%; "
    "progres kumulatif tidak boleh turun dari satu bulan ke bulan berikutnya untuk RO Statis "
    "maupun Dinamis (Jan-Jun)."
)
FINDINGS = [
    Finding(rule="CAP-PROGRES-TURUN", severity="error", sheet="Februari", cell="H12",
            ro="013.07.DL.4290.SCM.001", message=LONG, suggestion="Periksa kembali angka Februari dan Januari."),
    Finding(rule="ID-EMAIL", severity="warning", sheet="Identitas", cell="B10",
            message="'program.evaluasi.bdk-sumteng.example.go.id' pada Email Penerima Laporan bukan alamat "
            "e-mail yang sah.", suggestion="Tulis alamat lengkap berbentuk nama@domain."),
    Finding(rule="REF-NILAI", severity="error", sheet="Referensi RO", cell="AB1234",
            message="Jenis RO harus Statis atau Dinamis.", suggestion=None),
]
RESULT = ValidationResult(file="capaian-2026.xlsx", findings=FINDINGS)
HEAD = re.compile(r"^  (\S+)\s+(Kesalahan|Peringatan)\s+(\S+)\s+(.*)$")


def _words(finding: Finding) -> list[str]:
    text = finding.message + (f" -> {finding.suggestion}" if finding.suggestion else "")
    return (f"[{finding.ro}] {text}" if finding.ro else text).split()


def _blocks(table: str) -> list[tuple[re.Match[str], list[str]]]:
    """Each finding's head match and its continuation lines."""
    blocks: list[tuple[re.Match[str], list[str]]] = []
    for line in table.splitlines():
        head = HEAD.match(line)
        if head:
            blocks.append((head, []))
        elif blocks and line.startswith(" " * 20) and line.strip():
            blocks[-1][1].append(line)
    return blocks


def _check(table: str, findings: list[Finding], width: int) -> None:
    blocks = _blocks(table)
    assert len(blocks) == len(findings)
    for (head, rest), finding in zip(blocks, findings, strict=True):
        # the cell, severity and rule columns are whole, on the first line
        assert head.group(1) == finding.cell and head.group(3) == finding.rule
        assert head.group(2) == SEVERITY_LABEL[finding.severity]
        indent = head.start(4)
        assert all(line[:indent].strip() == "" for line in rest), "continuations stay under the message"
        # every word of the message as it was: nothing cut, nothing lost
        wrapped = " ".join([head.group(4), *(line[indent:] for line in rest)]).split()
        assert wrapped == _words(finding)
        for line in [head.group(0), *rest]:
            words = line[indent:].split()
            assert len(line) <= width or len(words) == 1, f"over {width} columns: {line!r}"


@pytest.mark.parametrize("width", [80, 120])
def test_messages_wrap_between_words(width: int) -> None:
    table = render_table(RESULT, width=width)
    _check(table, FINDINGS, width)
    assert "Februa\n" not in table and "Stati\n" not in table
    assert "(Jan-Jun)." in table, "no break at a hyphen"


@pytest.mark.parametrize("columns", ["80", "120"])
def test_width_follows_the_columns_env(columns: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("COLUMNS", columns)
    assert table_width() == int(columns)
    _check(render_table(RESULT), FINDINGS, int(columns))


def test_width_is_kept_between_80_and_160(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("COLUMNS", "40")
    assert table_width() == 80
    monkeypatch.setenv("COLUMNS", "300")
    assert table_width() == 160


@pytest.mark.parametrize("columns", ["80", "120"])
def test_validate_table_of_the_sample(columns: str, tmp_path: Path) -> None:
    """The real command on the sample with planted errors, at both widths."""
    from sopxl.rules.validate import validate_path

    result, _, _ = validate_path(SAMPLE)
    res = CliRunner(env={"COLUMNS": columns}).invoke(
        cli, ["validate", str(SAMPLE), "--no-write", "--format", "table"], prog_name="sopxl"
    )
    assert res.exit_code == 1, res.output
    _check(res.stdout, list(_in_table_order(result.findings)), int(columns))


def _in_table_order(findings: list[Finding]) -> list[Finding]:
    """render_table groups by sheet in order of first appearance."""
    sheets = list(dict.fromkeys(f.sheet for f in findings))
    return [f for sheet in sheets for f in findings if f.sheet == sheet]
