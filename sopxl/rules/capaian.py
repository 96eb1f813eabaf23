"""Rules of the capaian group (see ../shared/spec/rules.md)."""
