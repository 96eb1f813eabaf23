"""Sending one message through SMTP (smtplib), every failure turned into one Indonesian
sentence naming its cause (`SendFailed`).

Recipients are all checked (RCPT) before the message is handed over (DATA): when the server
refuses one, nobody receives it and the whole message waits in the outbox, so sending it
again never delivers it twice.
"""

from __future__ import annotations

import contextlib
import os
import smtplib
import socket
import ssl
import sys
from collections.abc import Callable
from dataclasses import dataclass

from sopxl.core.config import Settings
from sopxl.core.errors import InvalidInput, SopxlError

PASSWORD_ENV = "SOPXL_SMTP_PASSWORD"
KEYRING_SERVICE = "sopxl"


class SendFailed(SopxlError):
    """The server could not be reached or did not take the message (exit code 3)."""

    exit_code = 3


@dataclass(frozen=True)
class Envelope:
    sender: str
    recipients: list[str]
    message: bytes


def smtp_password(settings: Settings, prompt: Callable[[str], str] | None = None) -> str | None:
    """The SMTP password: SOPXL_SMTP_PASSWORD, else the system keyring (service `sopxl`, the
    smtp_user), else `prompt` on a terminal; None without smtp_user. Refused otherwise."""
    user = settings.smtp_user
    if not user:
        return None
    from_env = os.environ.get(PASSWORD_ENV)
    if from_env:
        return from_env
    try:
        import keyring  # type: ignore[import-not-found,unused-ignore]

        stored = keyring.get_password(KEYRING_SERVICE, user)
    except Exception:  # no keyring module or no usable backend: the next source
        stored = None
    if stored:
        return str(stored)
    if prompt is not None and sys.stdin is not None and sys.stdin.isatty():
        return prompt(f"Kata sandi SMTP untuk {user}")
    raise InvalidInput(
        f"Kata sandi SMTP untuk '{user}' tidak ditemukan: isi variabel lingkungan {PASSWORD_ENV}, "
        f"simpan di keyring sistem (layanan '{KEYRING_SERVICE}'), atau jalankan di terminal agar "
        "sopxl dapat menanyakannya."
    )


def send(envelope: Envelope, settings: Settings, password: str | None) -> None:
    """Deliver the message; SendFailed with the cause in Indonesian when it is not delivered."""
    host = settings.smtp_host or ""
    where = f"{host}:{settings.smtp_port}"
    timeout = settings.smtp_timeout_s
    try:
        context = ssl.create_default_context(cafile=settings.smtp_cafile or None)
    except (OSError, ssl.SSLError) as exc:
        raise InvalidInput(f"Berkas sertifikat smtp_cafile '{settings.smtp_cafile}' tidak dapat dibaca: {exc}.") from None
    server: smtplib.SMTP | None = None
    try:
        if settings.smtp_security == "ssl":
            server = smtplib.SMTP_SSL(host, settings.smtp_port, timeout=timeout, context=context)
        else:
            server = smtplib.SMTP(host, settings.smtp_port, timeout=timeout)
            if settings.smtp_security == "starttls":
                server.ehlo()
                server.starttls(context=context)
                server.ehlo()
        if settings.smtp_user:
            server.login(settings.smtp_user, password or "")
        _transfer(server, envelope)
        # the message was accepted: a rude goodbye changes nothing
        with contextlib.suppress(smtplib.SMTPException, OSError):
            server.quit()
        server = None
    except SendFailed:
        raise
    except Exception as exc:  # every cause becomes a sentence
        raise SendFailed(explain(exc, where, settings)) from None
    finally:
        if server is not None:
            with contextlib.suppress(OSError):
                server.close()


def _transfer(server: smtplib.SMTP, envelope: Envelope) -> None:
    server.ehlo_or_helo_if_needed()
    options: list[str] = []
    if server.does_esmtp and server.has_extn("size"):
        options.append(f"size={len(envelope.message)}")
        limit = server.esmtp_features.get("size", "").strip()
        if limit.isdigit() and 0 < int(limit) < len(envelope.message):
            raise smtplib.SMTPSenderRefused(552, b"message size exceeds fixed maximum message size", envelope.sender)
    code, resp = server.mail(envelope.sender, options)
    if code != 250:
        server.rset()
        raise smtplib.SMTPSenderRefused(code, resp, envelope.sender)
    refused: dict[str, tuple[int, bytes]] = {}
    for rcpt in envelope.recipients:
        code, resp = server.rcpt(rcpt)
        if code not in (250, 251):
            refused[rcpt] = (code, resp)
    if refused:
        server.rset()
        raise smtplib.SMTPRecipientsRefused(refused)
    code, resp = server.data(envelope.message)
    if code != 250:
        server.rset()
        raise smtplib.SMTPDataError(code, resp)


def _said(resp: bytes | str) -> str:
    text = resp.decode("utf-8", "replace") if isinstance(resp, bytes) else str(resp)
    return " ".join(text.split())


def explain(exc: BaseException, where: str, settings: Settings) -> str:
    """One Indonesian sentence naming why sending failed."""
    size_hint = "pesan terlalu besar untuk server; kecilkan lampiran atau turunkan email_max_mb"
    if isinstance(exc, smtplib.SMTPAuthenticationError):
        return (f"Autentikasi ke server SMTP {where} gagal: nama pengguna '{settings.smtp_user}' atau kata "
                f"sandinya ditolak ({exc.smtp_code} {_said(exc.smtp_error)}).")
    if isinstance(exc, smtplib.SMTPRecipientsRefused):
        parts = ", ".join(f"{addr} ({code} {_said(resp)})" for addr, (code, resp) in exc.recipients.items())
        return f"Server SMTP {where} menolak penerima: {parts}."
    if isinstance(exc, smtplib.SMTPSenderRefused):
        if exc.smtp_code == 552:
            return f"Server SMTP {where} menolak pesan: {size_hint} ({_said(exc.smtp_error)})."
        return f"Server SMTP {where} menolak alamat pengirim {exc.sender} ({exc.smtp_code} {_said(exc.smtp_error)})."
    if isinstance(exc, smtplib.SMTPDataError):
        if exc.smtp_code == 552:
            return f"Server SMTP {where} menolak pesan: {size_hint} ({_said(exc.smtp_error)})."
        return f"Server SMTP {where} menolak isi pesan ({exc.smtp_code} {_said(exc.smtp_error)})."
    if isinstance(exc, smtplib.SMTPNotSupportedError):
        return (f"Server SMTP {where} tidak mendukung STARTTLS; periksa smtp_port dan smtp_security "
                "(ssl untuk port 465).")
    if isinstance(exc, ssl.SSLCertVerificationError):
        return (f"Sambungan aman (TLS) ke server SMTP {where} gagal: sertifikat server tidak dapat "
                f"dipercaya ({exc.verify_message}); untuk CA sendiri isi smtp_cafile.")
    if isinstance(exc, ssl.SSLError):
        return (f"Sambungan aman (TLS) ke server SMTP {where} gagal ({exc.reason or exc}); periksa "
                "smtp_security dan smtp_port.")
    timed_out = isinstance(exc, TimeoutError | socket.timeout) or isinstance(exc.__context__, TimeoutError)
    if timed_out:
        return (f"Server SMTP {where} tidak menjawab dalam {settings.smtp_timeout_s:g} detik (batas "
                "waktu habis); coba lagi nanti atau periksa jaringan.")
    if isinstance(exc, ConnectionRefusedError):
        return (f"Sambungan ke server SMTP {where} ditolak: tidak ada layanan yang mendengarkan di sana; "
                "periksa smtp_host dan smtp_port.")
    if isinstance(exc, socket.gaierror):
        return f"Nama server SMTP '{settings.smtp_host}' tidak dikenal; periksa smtp_host dan jaringan."
    if isinstance(exc, smtplib.SMTPServerDisconnected):
        return f"Server SMTP {where} memutus sambungan sebelum pesan diterima ({exc})."
    if isinstance(exc, smtplib.SMTPResponseException):
        return f"Server SMTP {where} menolak ({exc.smtp_code} {_said(exc.smtp_error)})."
    if isinstance(exc, OSError):
        return f"Sambungan ke server SMTP {where} gagal: {exc.strerror or exc}."
    return f"Pengiriman lewat server SMTP {where} gagal: {exc}."
