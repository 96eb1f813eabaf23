"""The rule catalogue. Importing this package registers every rule, module by module,
in the order of rules.md."""

import importlib

from sopxl.rules import base

# Registration order = the order of rules.md (and of findings in every output).
RULE_MODULES = ("structure", "identitas", "referensi", "rencana", "capaian", "laporan", "rekonsiliasi")
for _name in RULE_MODULES:
    importlib.import_module(f"sopxl.rules.{_name}")

CATALOGUE = base.CATALOGUE

__all__ = ["CATALOGUE", "RULE_MODULES"]
