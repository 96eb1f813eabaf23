"""Sending the finished workbook upward (SOP step 6): SMTP or a draft .eml, the outbox and
the digital archive. `kirim` is the library entry point behind `sopxl kirim`."""

from sopxl.send.kirim import KirimResult, kirim

__all__ = ["KirimResult", "kirim"]
