"""Reading a mailbox folder over IMAP, read-only: `EXAMINE` (never `SELECT`) and
`BODY.PEEK[]`, so nothing on the server changes, not even the Seen flag.

URL: `imaps://USER@HOST[:PORT]/FOLDER` (TLS from the first byte; port 993 by default) or
`imap://...` (STARTTLS, port 143). Password: the environment variable SOPXL_IMAP_PASSWORD,
else the system keyring (service `sopxl-imap`, user `USER@HOST`), else a hidden prompt on a
terminal. `imap_cafile` names a CA certificate for a server with a private CA.
"""

from __future__ import annotations

import contextlib
import email
import email.policy
import getpass
import imaplib
import os
import ssl
import sys
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import unquote, urlsplit

from sopxl.core.config import Settings
from sopxl.core.errors import InvalidInput, SopxlError
from sopxl.recap.sources import Collected, from_message

PASSWORD_ENV = "SOPXL_IMAP_PASSWORD"
KEYRING_SERVICE = "sopxl-imap"


@dataclass(frozen=True)
class ImapTarget:
    secure: bool  # imaps (implicit TLS) or imap + STARTTLS
    user: str
    host: str
    port: int
    folder: str

    @property
    def label(self) -> str:
        return f"imap://{self.user}@{self.host}:{self.port}/{self.folder}"


def parse_url(url: str) -> ImapTarget:
    parts = urlsplit(url)
    if parts.scheme not in ("imaps", "imap") or not parts.hostname or not parts.username:
        raise InvalidInput(
            f"Alamat IMAP '{url}' tidak dikenali. Tulis seperti imaps://nama@mail.contoh.go.id/INBOX."
        )
    secure = parts.scheme == "imaps"
    try:
        port = parts.port or (993 if secure else 143)
    except ValueError:
        raise InvalidInput(f"Nomor port pada alamat IMAP '{url}' tidak sah.") from None
    folder = unquote(parts.path.lstrip("/")) or "INBOX"
    return ImapTarget(secure, unquote(parts.username), parts.hostname, port, folder)


def password_for(target: ImapTarget) -> str:
    found = os.environ.get(PASSWORD_ENV)
    if found:
        return found
    try:
        import keyring  # type: ignore[import-not-found,unused-ignore]

        stored = keyring.get_password(KEYRING_SERVICE, f"{target.user}@{target.host}")
        if stored:
            return str(stored)
    except Exception:  # no keyring module or no backend: fall through to the prompt
        pass
    if sys.stdin.isatty():
        return getpass.getpass(f"Kata sandi IMAP {target.user}@{target.host}: ")
    raise InvalidInput(
        f"Kata sandi IMAP untuk {target.user}@{target.host} tidak ada: isi variabel lingkungan "
        f"{PASSWORD_ENV} atau simpan di keyring (layanan '{KEYRING_SERVICE}')."
    )


def _context(settings: Settings) -> ssl.SSLContext:
    ctx = ssl.create_default_context(cafile=settings.imap_cafile) if settings.imap_cafile else ssl.create_default_context()
    return ctx


def _quote(folder: str) -> str:
    return '"' + folder.replace("\\", "\\\\").replace('"', '\\"') + '"'


def fetch_received(url: str, settings: Settings, timeout: float = 60.0, spool: Path | None = None) -> Collected:
    """The workbook attachments of every message in the folder of `url` (read-only), written
    into `spool` when given (see Collected.spool)."""
    target = parse_url(url)
    password = password_for(target)
    try:
        ctx = _context(settings)
    except (OSError, ssl.SSLError):
        raise InvalidInput(f"Sertifikat CA imap_cafile '{settings.imap_cafile}' tidak dapat dibaca.") from None
    try:
        conn: imaplib.IMAP4
        if target.secure:
            conn = imaplib.IMAP4_SSL(target.host, target.port, ssl_context=ctx, timeout=timeout)
        else:
            conn = imaplib.IMAP4(target.host, target.port, timeout=timeout)
            conn.starttls(ssl_context=ctx)
    except ssl.SSLError as exc:
        raise SopxlError(f"Sambungan TLS ke server IMAP {target.host}:{target.port} gagal ({exc.reason}).") from None
    except OSError as exc:
        raise SopxlError(
            f"Server IMAP {target.host}:{target.port} tidak dapat dihubungi ({exc.strerror or exc})."
        ) from None
    out = Collected(spool=spool)
    try:
        try:
            conn.login(target.user, password)
        except imaplib.IMAP4.error:
            raise SopxlError(f"Login IMAP {target.user}@{target.host} ditolak: nama pengguna atau kata sandi salah.") from None
        status, _ = conn.select(_quote(target.folder), readonly=True)  # EXAMINE
        if status != "OK":
            raise SopxlError(f"Folder IMAP '{target.folder}' tidak ada di {target.host}.")
        status, data = conn.uid("SEARCH", "ALL")
        uids = data[0].split() if status == "OK" and data and data[0] else []
        for uid in uids:
            status, parts = conn.uid("FETCH", uid, "(BODY.PEEK[])")
            raw = next((p[1] for p in parts if isinstance(p, tuple) and len(p) > 1), None)
            if status != "OK" or not isinstance(raw, bytes):
                continue
            msg = email.message_from_bytes(raw, policy=email.policy.default)
            from_message(msg, f"{target.label}#{uid.decode()}", out, fallback_when=None)
    except (imaplib.IMAP4.error, OSError) as exc:
        detail = " ".join(str(exc).split())
        raise SopxlError(f"Membaca kotak surat IMAP gagal: {detail}.") from None
    finally:
        with contextlib.suppress(imaplib.IMAP4.error, OSError):
            conn.logout()
    return out


__all__ = ["ImapTarget", "fetch_received", "parse_url"]
