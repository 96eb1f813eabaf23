"""Small contracts: name matching, month parsing, A1 references, the JSON of findings, and the
rule catalogue against ../shared/spec/rules.md."""

from __future__ import annotations

import datetime as dt
import json
import os
import re
from pathlib import Path

import pytest

from sopxl.core import spec
from sopxl.core.findings import Finding, ValidationResult

# The specs live in shared/ beside the repository (SOPXL_SPEC_DIR points elsewhere).
SPEC_DIR = Path(os.environ.get("SOPXL_SPEC_DIR") or Path(__file__).resolve().parents[2] / "shared" / "spec")


def spec_file(name: str) -> Path:
    """A spec file of shared/spec, for the tests that cross-check the code against it. Where it
    is absent they skip with the reason, except when the environment variable CI is set: CI
    always has shared/, so there its absence fails."""
    path = SPEC_DIR / name
    if not path.is_file():
        reason = (
            f"spec {path} is absent: the cross-check with the spec needs shared/spec beside the "
            "repository (or SOPXL_SPEC_DIR)"
        )
        if os.environ.get("CI"):
            pytest.fail(f"{reason}; CI is set, and CI always has it")
        pytest.skip(reason)
    return path


def rules_md_table() -> dict[str, tuple[str, str]]:
    """Rule id -> (section title, severity text) of every rule row (| ID | severity | what |)
    of rules.md, in order."""
    rules: dict[str, tuple[str, str]] = {}
    for section in re.split(r"^## ", spec_file("rules.md").read_text(encoding="utf-8"), flags=re.M)[1:]:
        title = section.splitlines()[0].strip()
        for rule_id, severity in re.findall(r"^\| ([A-Z]{2,3}-[A-Z-]+) \| ([^|]+) \|", section, flags=re.M):
            rules[rule_id] = (title, severity.strip())
    return rules


def test_catalogue_rules_are_those_of_rules_md_in_its_order_and_severity() -> None:
    import sopxl.rules  # noqa: F401  (registers the catalogue)
    from sopxl.rules.base import CATALOGUE

    documented = rules_md_table()
    unknown = [r for r in CATALOGUE if r not in documented]
    assert not unknown, f"rules not in rules.md: {unknown}"
    assert list(CATALOGUE) == [r for r in documented if r in CATALOGUE], "not in rules.md order"
    for rule_id, registered in CATALOGUE.items():
        # "error for Statis, warning for Dinamis": the registered severity is the first one
        assert documented[rule_id][1].split()[0] == registered.severity, rule_id


def test_spec_file_fails_in_ci_and_skips_elsewhere(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setattr(f"{__name__}.SPEC_DIR", tmp_path)
    monkeypatch.setenv("CI", "true")
    with pytest.raises(pytest.fail.Exception, match="CI is set"):
        spec_file("rules.md")
    monkeypatch.delenv("CI")
    with pytest.raises(pytest.skip.Exception, match="is absent"):
        spec_file("rules.md")
    (tmp_path / "rules.md").write_text("# rules\n", encoding="utf-8")
    assert spec_file("rules.md") == tmp_path / "rules.md"


def test_norm_ignores_case_and_white_space() -> None:
    assert spec.norm("  kode   RO ") == spec.norm("Kode RO")
    assert spec.norm("Kode RO") != spec.norm("KodeRO")


@pytest.mark.parametrize(
    ("value", "expected"),
    [("Januari", 1), (" desember ", 12), (3, 3), (3.0, 3), ("7", 7), ("Jan", None), (13, None), (True, None), (None, None)],
)
def test_month_number(value: object, expected: int | None) -> None:
    assert spec.month_number(value) == expected


@pytest.mark.parametrize(("row", "col", "ref"), [(1, 1, "A1"), (5, 26, "Z5"), (9, 27, "AA9"), (2, 703, "AAA2")])
def test_cell_refs_round_trip(row: int, col: int, ref: str) -> None:
    assert spec.cell_ref(row, col) == ref
    assert spec.parse_ref(ref) == (row, col)
    assert spec.parse_ref("$" + ref) == (row, col)


def test_ro_pattern() -> None:
    assert spec.RO_PATTERN.match("013.07.WA.4293.EBA.962")
    assert spec.RO_PATTERN.match("013.07.WA.4293.EBA.ZZ1")
    assert not spec.RO_PATTERN.match("013.07.WA.4293.eba.962")
    assert not spec.RO_PATTERN.match("13.07.WA.4293.EBA.962")


def test_json_contract_of_a_result() -> None:
    result = ValidationResult(
        file="x.xlsx",
        findings=[
            Finding(rule="CAP-TANGGAL", severity="error", sheet="Maret", cell="L7", ro="013.07.WA.4293.EBA.962",
                    value=dt.date(2026, 4, 30), message="m", suggestion=None),
            Finding(rule="ID-NIP", severity="warning", sheet="Identitas", cell="B6", value=12.0, message="n"),
        ],
    )
    doc = json.loads(json.dumps(result.to_json_dict()))
    assert set(doc) == {"file", "errors", "warnings", "findings"}
    assert (doc["errors"], doc["warnings"]) == (1, 1)
    assert set(doc["findings"][0]) == {"rule", "severity", "sheet", "cell", "ro", "value", "message", "suggestion"}
    assert doc["findings"][0]["value"] == "2026-04-30"
    assert doc["findings"][1]["value"] == 12 and doc["findings"][1]["ro"] is None


def test_paused_gc_restores_the_collector_even_on_errors() -> None:
    import gc

    from sopxl.core.gcpause import paused_gc

    assert gc.isenabled()
    with pytest.raises(RuntimeError), paused_gc():
        assert not gc.isenabled()
        raise RuntimeError("x")
    assert gc.isenabled()
    gc.disable()
    try:
        with paused_gc():
            pass
        assert not gc.isenabled()  # a collector paused by the caller stays paused
    finally:
        gc.enable()


@pytest.mark.parametrize("value", ['Sheet "Khusus"', "Bulan 'Maret'", "a & b <c>", "baris\\nbaru"])
def test_catatan_attribute_values_survive_any_quote(value: str) -> None:
    """Hyperlink locations in Catatan Koreksi are written as double-quoted attributes."""
    from lxml import etree

    from sopxl.writeback.catatan import _xml_attr

    element = etree.fromstring(b'<x a="' + _xml_attr(value) + b'"/>')
    assert element.get("a") == value
