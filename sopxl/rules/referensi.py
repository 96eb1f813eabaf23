"""Rules of the referensi group (see ../shared/spec/rules.md)."""
