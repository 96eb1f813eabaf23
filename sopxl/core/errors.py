"""Exceptions whose message is a sentence a Kasi understands (Bahasa Indonesia)."""

from __future__ import annotations


class SopxlError(Exception):
    """Any refusal sopxl explains to the user. The CLI shows the message and exits 2."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class UnreadableWorkbook(SopxlError):
    """The file is not a workbook sopxl can check (not a zip, encrypted, .xls, bomb, ...)."""


class WorkbookBusy(SopxlError):
    """The workbook is open in Excel (lock file) or read-only: sopxl will not write into it."""


class InvalidInput(SopxlError):
    """An input file (CSV/XLSX of ROs or plan, settings) has bad content."""
