"""Rules of the identitas group (see ../shared/spec/rules.md)."""
