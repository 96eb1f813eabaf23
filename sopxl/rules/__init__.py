"""The rule catalogue. Importing this package registers every rule, module by module,
in the order of rules.md."""

from sopxl.rules import base
from sopxl.rules import structure, identitas, referensi, rencana, capaian, laporan  # noqa: F401, I001

CATALOGUE = base.CATALOGUE

__all__ = ["CATALOGUE"]
