"""Small contracts: name matching, month parsing, A1 references, the JSON of findings."""

from __future__ import annotations

import datetime as dt
import json

import pytest

from sopxl.core import spec
from sopxl.core.findings import Finding, ValidationResult


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
