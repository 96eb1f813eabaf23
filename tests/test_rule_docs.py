"""Every rule documents itself for users, and docs/aturan.md is generated from those docs."""

from __future__ import annotations

from pathlib import Path

import pytest

import sopxl.rules  # noqa: F401  (registers the catalogue)
from sopxl.core.findings import SEVERITY_LABEL
from sopxl.rules.base import CATALOGUE, DOC_FIELDS, RuleDoc, parse_rule_doc
from sopxl.rules.reference import GROUPS, MISSING, group_of, render_markdown, severity_text

ATURAN_MD = Path(__file__).resolve().parents[1] / "docs" / "aturan.md"


FIELDS = tuple(DOC_FIELDS.values())


def test_aturan_md_is_generated_from_the_catalogue() -> None:
    assert ATURAN_MD.exists(), "docs/aturan.md is missing: run python docs/make_aturan.py"
    assert ATURAN_MD.read_text(encoding="utf-8") == render_markdown(), (
        "docs/aturan.md is not current: run python docs/make_aturan.py"
    )


@pytest.mark.parametrize("rule_id", sorted(CATALOGUE))
def test_every_rule_documents_all_four_fields(rule_id: str) -> None:
    doc = CATALOGUE[rule_id].doc
    assert doc.summary, f"{rule_id}: its docstring lacks the English one-line summary"
    empty = [field for field in FIELDS if not getattr(doc, field)]
    assert not empty, f"{rule_id}: documentation fields missing from its docstring: {empty}"
    assert doc.complete


def test_the_reference_shows_each_rule_with_its_severity_and_fields() -> None:
    text = render_markdown()
    for rule in CATALOGUE.values():
        heading = f"### `{rule.id}`: {rule.title}\n"
        assert text.count(heading) == 1, rule.id
        section = text.split(heading, 1)[1].split("\n### ", 1)[0].split("\n## ", 1)[0]
        assert f"- **Tingkat:** {severity_text(rule)}\n" in section
        doc = rule.doc
        for label, value in (("Yang diperiksa", doc.periksa), ("Contoh salah", doc.contoh_salah),
                             ("Contoh benar", doc.contoh_benar), ("Perbaikan", doc.perbaikan)):
            assert f"- **{label}:** {value or MISSING}\n" in section, (rule.id, label)
    assert severity_text(CATALOGUE["ID-NIP"]) == SEVERITY_LABEL["warning"] == "Peringatan"
    assert severity_text(CATALOGUE["ID-SATKER"]) == "Kesalahan"
    assert "Peringatan untuk RO Dinamis" in severity_text(CATALOGUE["CAP-MELEBIHI-TARGET"])


def test_the_reference_groups_rules_as_rules_md_does() -> None:
    text = render_markdown()
    titles = [title for title, _ in GROUPS]
    assert titles == ["Struktur", "Identitas", "Referensi RO dan Rencana", "Lembar bulanan",
                      "Lembar laporan", "Rekonsiliasi dengan ekspor SAKTI"]
    positions = [text.index(f"\n## {title}\n") for title in titles]
    assert positions == sorted(positions)
    for rule_id in CATALOGUE:
        group = group_of(rule_id)
        start = text.index(f"\n## {group}\n")
        end = min((p for p in positions if p > start), default=len(text))
        assert start < text.index(f"### `{rule_id}`") < end, rule_id
    assert group_of("REN-PAGU") == "Referensi RO dan Rencana"
    assert group_of("REK-RO") == "Rekonsiliasi dengan ekspor SAKTI"
    with pytest.raises(ValueError, match="XYZ-RO"):
        group_of("XYZ-RO")


def test_the_intro_explains_severities_and_the_settings_that_change_them() -> None:
    intro = render_markdown().split("\n## Struktur\n", 1)[0]
    for words in ("Kesalahan", "Peringatan", "severity.KODE-ATURAN", "disabled_rules",
                  "panduan.md#9-pengaturan"):
        assert words in intro


def test_parse_rule_doc_reads_the_fields_and_their_continuation_lines() -> None:
    doc = parse_rule_doc(
        """Kode Satker must be six digits.

        Periksa: Kode Satker terisi
            tepat 6 digit.
        Contoh salah: 41172
        Contoh benar: '041172
        Perbaikan: Tulis sebagai teks.
        """
    )
    assert doc == RuleDoc(
        summary="Kode Satker must be six digits.",
        periksa="Kode Satker terisi tepat 6 digit.",
        contoh_salah="41172",
        contoh_benar="'041172",
        perbaikan="Tulis sebagai teks.",
    )
    assert doc.complete


@pytest.mark.parametrize(
    "docstring",
    [None, "", "Only a summary.", "Summary.\n\nPeriksa: x\nContoh salah: y\nContoh benar: z",
     "Summary.\n\nPeriksa: x\nContoh salah: y\nContoh benar: z\nPerbaikan:"],
)
def test_a_docstring_without_every_field_is_incomplete(docstring: str | None) -> None:
    assert not parse_rule_doc(docstring).complete


def test_text_after_a_blank_line_belongs_to_no_field() -> None:
    doc = parse_rule_doc("S.\n\nPeriksa: x\n\nA developer note, not for users.\nContoh salah: y")
    assert (doc.summary, doc.periksa, doc.contoh_salah) == ("S.", "x", "y")
