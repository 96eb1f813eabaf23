"""Sending the finished workbook upward (SMTP or a draft .eml), the outbox and the digital archive."""
