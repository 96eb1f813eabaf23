"""The rule reference for users (docs/aturan.md), generated from the catalogue.

Each rule's severity and title come from its registration, its documentation fields from its
check function's docstring (`sopxl.rules.base.RuleDoc`). `docs/make_aturan.py` writes the file;
a test keeps it equal to `render_markdown()`.
"""

from __future__ import annotations

from collections.abc import Iterable

from sopxl.core.findings import SEVERITY_LABEL
from sopxl.rules.base import Rule

# Sections of the reference, as rules.md groups the rules: title -> rule id prefixes.
GROUPS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("Struktur", ("STR",)),
    ("Identitas", ("ID",)),
    ("Referensi RO dan Rencana", ("REF", "REN")),
    ("Lembar bulanan", ("CAP",)),
    ("Lembar laporan", ("LAP",)),
    ("Rekonsiliasi dengan ekspor SAKTI", ("REK",)),
)

# Rules whose findings take a severity other than the registered one in some cases
# (the finding passes its own severity); the reference states both.
SEVERITY_NOTES: dict[str, str] = {
    "CAP-MELEBIHI-TARGET": "Kesalahan untuk RO Statis, Peringatan untuk RO Dinamis",
}

MISSING = "(belum didokumentasikan)"

_INTRO = """\
# Daftar Aturan Pemeriksaan

<!-- Dibuat otomatis dari katalog aturan sopxl oleh docs/make_aturan.py; jangan diubah dengan
tangan. -->

Validasi sopxl menjalankan setiap aturan di bawah ini atas buku kerja. Setiap temuan menyebut
kode aturannya (mis. `CAP-KENDALA`), lembar dan selnya, pesan tentang apa yang salah, dan bila
dapat dihitung, saran perbaikan dengan nilai yang benar. Semua aturan selalu dijalankan:
pemeriksaan tidak berhenti pada temuan pertama.

## Kesalahan dan Peringatan

- **Kesalahan** (sel merah) harus diperbaiki. Selama masih ada Kesalahan, hasil validasi
  **TIDAK SESUAI** dan konsolidasi laporan ditolak.
- **Peringatan** (sel kuning tua) perlu diperiksa. Bila isinya memang benar, Peringatan boleh
  dibiarkan: hasil validasi tetap **SESUAI**.

## Pengaturan yang mengubah tingkat

Tingkat setiap aturan dapat diubah dengan kunci `severity.KODE-ATURAN` bernilai `error`
(Kesalahan) atau `warning` (Peringatan), dan aturan dapat dimatikan dengan `disabled_rules`,
di lembar `Pengaturan`, di berkas pengaturan atau pada perintah, mis.
`sopxl validate capaian-2026.xlsx --set severity.CAP-TERLAMBAT=error`. Batas yang dipakai
beberapa aturan (tenggat entri SAKTI, batas penyimpangan RPD) juga dapat diubah. Lihat
[Pengaturan](panduan.md#9-pengaturan) pada Panduan Pengguna.
"""


def group_of(rule_id: str) -> str:
    """The section title of a rule id; ValueError for a prefix no section takes."""
    prefix = rule_id.split("-", 1)[0]
    for title, prefixes in GROUPS:
        if prefix in prefixes:
            return title
    raise ValueError(f"rule {rule_id}: no section of the rule reference takes prefix {prefix}")


def severity_text(rule: Rule) -> str:
    """The severity of a rule as users read it: Kesalahan or Peringatan (or both, see
    SEVERITY_NOTES)."""
    return SEVERITY_NOTES.get(rule.id, SEVERITY_LABEL[rule.severity])


def _rule_section(rule: Rule) -> str:
    doc = rule.doc
    fields = (
        ("Tingkat", severity_text(rule)),
        ("Yang diperiksa", doc.periksa),
        ("Contoh salah", doc.contoh_salah),
        ("Contoh benar", doc.contoh_benar),
        ("Perbaikan", doc.perbaikan),
    )
    lines = [f"### `{rule.id}`: {rule.title}", ""]
    lines.extend(f"- **{label}:** {text or MISSING}" for label, text in fields)
    return "\n".join(lines) + "\n"


def render_markdown(rules: Iterable[Rule] | None = None) -> str:
    """docs/aturan.md: the rules (default: the whole catalogue, in catalogue order) grouped as
    rules.md groups them, each with its severity, what it checks, a wrong and a right entry
    and how to fix it."""
    if rules is None:
        from sopxl.rules import CATALOGUE

        rules = CATALOGUE.values()
    by_group: dict[str, list[Rule]] = {title: [] for title, _ in GROUPS}
    for registered in rules:
        by_group[group_of(registered.id)].append(registered)
    parts = [_INTRO]
    for title, members in by_group.items():
        if not members:
            continue
        summary = [f"## {title}", "", "| Aturan | Tingkat | Judul |", "|---|---|---|"]
        summary.extend(f"| `{r.id}` | {severity_text(r)} | {r.title} |" for r in members)
        parts.append("\n".join(summary) + "\n")
        parts.extend(_rule_section(r) for r in members)
    return "\n".join(parts)
