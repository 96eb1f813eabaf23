"""The message sent upward: recipients, subject, Indonesian body, headers, attachments.

Everything taken from the workbook passes through `header_text` before it reaches a header:
control characters (CR, LF, TAB...) become spaces, so a `Nama Satker` holding "\\r\\nBcc: x"
stays one harmless line; the policy (email.policy.SMTP) refuses CR/LF in any header value
anyway, as a second wall.
"""

from __future__ import annotations

import datetime as dt
import email.policy
import email.utils
import hashlib
import io
import re
import zipfile
from dataclasses import dataclass
from email.message import EmailMessage
from pathlib import Path

from sopxl.core import spec
from sopxl.core.errors import InvalidInput
from sopxl.rules.identitas import _EMAIL as EMAIL_PATTERN

# CRLF line ends, as mail programs and SMTP servers expect; headers unfolded up to the
# hard limit, so a receiving script reading X-Sopxl-Sha256 raw gets it on one line
POLICY = email.policy.SMTP.clone(max_line_length=998)
MIME_TYPES: dict[str, tuple[str, str]] = {
    ".xlsx": ("application", "vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
    ".xlsm": ("application", "vnd.ms-excel.sheet.macroEnabled.12"),
    ".pdf": ("application", "pdf"),
    ".zip": ("application", "zip"),
}
_CONTROL = re.compile(r"[\x00-\x1f\x7f\u0085\u2028\u2029]+")


def header_text(value: object) -> str:
    """A value from the workbook made safe for a header: one line, no control characters."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return " ".join(_CONTROL.sub(" ", str(value)).split())


def split_addresses(text: str) -> list[str]:
    """'a@x, b@y; c@z' -> ['a@x', 'b@y', 'c@z'] (empty parts dropped)."""
    return [part.strip() for part in re.split(r"[,;]", text) if part.strip()]


def check_address(address: str, where: str) -> str:
    """The address, or InvalidInput naming it (and where it came from)."""
    if not EMAIL_PATTERN.fullmatch(address):
        shown = header_text(address) or "(kosong)"
        raise InvalidInput(f"Alamat e-mail '{shown}' pada {where} tidak sah; tulis berbentuk nama@domain.")
    return address


def check_addresses(values: list[str], where: str) -> list[str]:
    """Every address of `values` (each may hold several, comma or semicolon separated), checked."""
    out: list[str] = []
    for value in values:
        if _CONTROL.search(value.strip()):
            raise InvalidInput(
                f"Alamat e-mail pada {where} memuat ganti baris atau karakter kendali: "
                f"'{header_text(value)}'; tulis satu alamat berbentuk nama@domain."
            )
        for address in split_addresses(value):
            check_address(address, where)
            if address.lower() not in (a.lower() for a in out):
                out.append(address)
    return out


@dataclass(frozen=True)
class Attachment:
    name: str
    data: bytes

    @property
    def sha256(self) -> str:
        return hashlib.sha256(self.data).hexdigest()

    def to_json_dict(self) -> dict[str, object]:
        return {"name": self.name, "bytes": len(self.data), "sha256": self.sha256}


def subject_for(periode: str | None, year: int | None, month: int, kode: str, nama: str) -> str:
    """`Laporan Semester I 2026 - 411724 Balai ...` or `Capaian Output s.d. Juni 2026 - ...`."""
    tahun = f" {year}" if year else ""
    what = (
        f"{spec.PERIODS[periode][0]}{tahun}" if periode
        else f"Capaian Output s.d. {spec.MONTHS[month - 1]}{tahun}"
    )
    who = " ".join(part for part in (kode, nama) if part)
    return header_text(f"{what} - {who}" if who else what)


def periode_tag(periode: str | None, month: int) -> str:
    """X-Sopxl-Periode: semester1|semester2|tahunan|bulan-MM."""
    return periode or f"bulan-{month:02d}"


def zip_attachments(attachments: list[Attachment], stem: str) -> Attachment:
    """One zip holding the attachments (for a message over the size limit)."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as zf:
        for item in attachments:
            zf.writestr(item.name, item.data)
    return Attachment(f"{stem}.zip", buffer.getvalue())


def message_domain(sender: str | None) -> str:
    """The domain of Message-ID: the sender's, else a fixed one (never a DNS lookup)."""
    if sender and "@" in sender:
        domain = sender.rsplit("@", 1)[1].strip(" >")
        if re.fullmatch(r"[A-Za-z0-9.-]+", domain):
            return domain
    return "sopxl.invalid"


def build_message(
    *,
    sender: str | None,
    to: list[str],
    cc: list[str],
    subject: str,
    body: str,
    headers: dict[str, str],
    attachments: list[Attachment],
    message_id: str | None = None,
    when: dt.datetime | None = None,
) -> EmailMessage:
    """The message (no X-Unsent: the draft adds it). Header values must be header_text'ed."""
    msg = EmailMessage(policy=POLICY)
    if sender:
        msg["From"] = sender
    msg["To"] = ", ".join(to)
    if cc:
        msg["Cc"] = ", ".join(cc)
    msg["Subject"] = subject
    msg["Date"] = email.utils.format_datetime((when or dt.datetime.now()).astimezone())
    msg["Message-ID"] = message_id or email.utils.make_msgid("sopxl", domain=message_domain(sender))
    for name, value in headers.items():
        msg[name] = value
    msg.set_content(body, charset="utf-8")
    for item in attachments:
        maintype, subtype = MIME_TYPES.get(Path(item.name).suffix.lower(), ("application", "octet-stream"))
        msg.add_attachment(item.data, maintype=maintype, subtype=subtype, filename=item.name)
    return msg


def draft_bytes(message_bytes: bytes) -> bytes:
    """The same message marked as a draft (`X-Unsent: 1`: Outlook and Thunderbird open it
    ready to send), its other bytes unchanged."""
    return b"X-Unsent: 1\r\n" + message_bytes
