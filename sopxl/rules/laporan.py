"""Rules of the laporan group (see ../shared/spec/rules.md)."""
