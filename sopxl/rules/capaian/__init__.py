"""Rules of the monthly sheets, `Januari` ... `Desember` (rules.md, "Monthly sheets").

One module per concern: `presence` (which rows a month has), `numbers` (one number cell at
a time), `targets` (copies of Referensi RO and Rencana), `progress` (an RO over the months),
`dates` (Tanggal Entri SAKTI), `money` (Pagu and RPD); `facts` holds the per-run facts and
the column helpers they share. The rules are registered here in the order of rules.md,
which is the order of findings on one cell in every output.

Every rule looks at the months up to the reporting month (`ctx.months_to_check`; when no
month is reported and Bulan Pelaporan is empty, up to the last month whose entry deadline
has passed, at least Januari: `Context.last_checked_month`), except CAP-MENDAHULUI, which
looks at the months after those. Conventions shared by all of them:

* **Cells** (the convention of `sopxl.build.samples` too). A finding about one value names that
  value's cell. Whole-row findings (CAP-RO-ASING, CAP-DUPLIKAT: the repeated row) name the
  first cell of the row, ``A{row}``, whatever column Kode RO is in. CAP-RO-HILANG has no row to
  name: it is a whole-sheet finding and names ``A1`` (rules.md), its message says which RO is
  missing.
  CAP-MENDAHULUI names the first entered cell (row by row, left to right; entries are
  Realisasi Volume Bulan Ini, Progres Capaian, Realisasi Anggaran, Tanggal Entri) of a month
  that should still be empty, once per month. CAP-PROGRES-ANGGARAN and
  CAP-BELANJA-TANPA-PROGRES name the row's Progres Capaian.
* **No cascades; the cause first.** A value that is not a number (an Excel error:
  STR-FORMULA-ERROR; text CAP-ANGKA cannot read a number in) is left out of every arithmetic
  rule; a running sum that would need such a value (CAP-KUMULATIF, CAP-MELEBIHI-TARGET,
  CAP-PROGRES-VOLUME, CAP-PAGU, CAP-PROGRES-ANGGARAN, CAP-BELANJA-TANPA-PROGRES) is unknown
  from that month on, and nothing is said about it; so is every running sum from a month
  whose sheet or column is missing (STR-SHEET, STR-COLUMN). A text CAP-ANGKA reads a number
  in ("60 orang") counts as that number in the running sums (`Month.counted`), and a finding
  built on such a sum says so. Which findings follow from which is declared once, below
  (`sopxl.rules.base.follows_from`), and applied by the engine: a derived finding is left
  out when a cell it was judged on has a finding of its cause. An empty required value is CAP-KOSONG's alone (an empty month counts as
  0 in a running sum), except that CAP-BELANJA-TANPA-PROGRES, as rules.md says, also names
  an empty Progres Capaian of an RO that spent money. Cross-month and cross-sheet rules use
  the first row of an RO in a month; later rows are CAP-DUPLIKAT's.
  CAP-KOSONG asks nothing of a row whose RO is unknown (a "Jumlah" row: CAP-RO-ASING).
  CAP-RO-ASING stays silent when `Referensi RO` is missing or empty (STR-SHEET / REF-*).
  A missing column silently skips the checks that need it (STR-COLUMN reports it).
* **Once, not every month.** CAP-MELEBIHI-TARGET and CAP-PAGU report an RO once, in the
  month whose entry first takes the running sum over the limit.
* **CAP-TANGGAL** accepts an entry date from the last day of the month on (earlier means
  "before the month ended") up to `Settings.today`. A bare number in the Excel serial
  range counts as a date (see `sopxl.core.parse.as_date`). CAP-TERLAMBAT only looks at dates
  that CAP-TANGGAL accepts; the days late are calendar days after the deadline.
* **Plan and targets.** CAP-TARGET and CAP-KENDALA take the Target Progres of the RO and
  month from `Rencana` (`Context.plan`, the Kode RO as first written there); CAP-KENDALA
  falls back to the month's own Target Progres where `Rencana` has none. Target Volume,
  Satuan (compared with `spec.norm`), Jenis RO, Pagu and Prioritas Nasional come from
  `Referensi RO`. CAP-DEVIASI-RPD counts a realisation > 0 against an RPD of 0 as deviating.
* **Year.** Date rules use Tahun Anggaran of `Identitas`; when it is not a year, the year
  of the date itself.
* Numbers compare with a relative tolerance of 1e-6.
"""

from sopxl.rules.base import follows_from
from sopxl.rules.capaian import dates, money, numbers, presence, progress, targets
from sopxl.rules.capaian.facts import (
    Facts,
    Month,
    budget_entries,
    facts,
    own_cell,
    progres_input,
    register_in_order,
    volume_entries,
    volume_inputs,
)

# The order of rules.md (findings on one cell follow it in every output).
RULES_MD_ORDER = (
    "CAP-RO-ASING", "CAP-RO-HILANG", "CAP-DUPLIKAT", "CAP-KOSONG", "CAP-ANGKA", "CAP-NEGATIF",
    "CAP-SATUAN", "CAP-TARGET", "CAP-PERSEN", "CAP-PERSEN-PECAHAN", "CAP-PROGRES-TURUN",
    "CAP-KUMULATIF", "CAP-MELEBIHI-TARGET", "CAP-PROGRES-VOLUME", "CAP-KENDALA", "CAP-TANGGAL",
    "CAP-TERLAMBAT", "CAP-PAGU", "CAP-DEVIASI-RPD", "CAP-MENDAHULUI", "CAP-DESIMAL",
    "CAP-PROGRES-ANGGARAN", "CAP-BELANJA-TANPA-PROGRES",
)  # fmt: skip
register_in_order(RULES_MD_ORDER)

# The dependencies between the rules (`sopxl.rules.base.follows_from`): a derived finding is
# left out when a cell it was judged on already has a finding of one of its causes, which
# names the cell to fix. A Progres Capaian written as a fraction (0,25) is not "below target
# without Kendala"; a volume typed wrong does not make Progres Capaian wrong. A running sum
# counts a text as the number CAP-ANGKA reads in it (`Month.counted`): the limits are judged
# at once (CAP-MELEBIHI-TARGET, CAP-PAGU in a later month, saying so), but not at the text
# cell itself, and Realisasi Volume Kumulatif (whose formula counts the text as 0) and the
# comparisons with the budget's absorption wait for the text to be retyped.
follows_from("CAP-KUMULATIF", ("CAP-ANGKA",), volume_entries)
follows_from("CAP-MELEBIHI-TARGET", ("CAP-ANGKA",), own_cell)
follows_from("CAP-KENDALA", ("CAP-PERSEN", "CAP-PERSEN-PECAHAN"), progres_input)
follows_from(
    "CAP-PROGRES-VOLUME",
    ("CAP-ANGKA", "CAP-NEGATIF", "CAP-PERSEN-PECAHAN", "CAP-KUMULATIF", "CAP-MELEBIHI-TARGET"),
    volume_inputs,
)
follows_from("CAP-PAGU", ("CAP-ANGKA",), own_cell)
follows_from("CAP-PROGRES-ANGGARAN", ("CAP-ANGKA",), budget_entries)
follows_from("CAP-BELANJA-TANPA-PROGRES", ("CAP-ANGKA",), budget_entries)

__all__ = [
    "RULES_MD_ORDER", "Facts", "Month", "dates", "facts", "money", "numbers", "presence", "progress", "targets",
]
