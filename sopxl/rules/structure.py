"""Rules of the structure group (see ../shared/spec/rules.md)."""
