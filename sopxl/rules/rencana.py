"""Rules of the rencana group (see ../shared/spec/rules.md)."""
