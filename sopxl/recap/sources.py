"""What the receiving office received: workbooks found in files, folders and messages.

A source is a workbook file, a folder (searched recursively), an e-mail message (`.eml`,
Outlook's `.msg`), an mbox file or a Maildir folder. Every workbook found becomes a
:class:`Received`: either a file on disk (read where it lies, never written) or the bytes of
a message's attachment with the `X-Sopxl-*` headers that `sopxl kirim` writes. Sources are
opened read-only: mailboxes through the stdlib `mailbox` module without locking or creating
anything, files through `open(..., "rb")`.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import os
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from email.message import Message

WORKBOOK_SUFFIXES = (".xlsx", ".xlsm", ".xls", ".xlsb")
MESSAGE_SUFFIXES = (".eml",)
MBOX_SUFFIXES = (".mbox", ".mbx")
EXCHANGE_HEADER_PREFIX = "Microsoft Mail Internet Headers Version 2.0"


@dataclass
class Received:
    """One workbook the office received."""

    label: str  # what the recap shows as `file`
    name: str  # the workbook's own file name
    path: Path | None = None  # a workbook on disk (a received file, or a spooled attachment)
    data: bytes | None = None  # an attachment's bytes
    when: dt.datetime | None = None  # message Date, else the file's modification time
    satker: str | None = None  # X-Sopxl-Satker
    tahun: str | None = None  # X-Sopxl-Tahun
    periode: str | None = None  # X-Sopxl-Periode
    declared_sha256: str | None = None  # X-Sopxl-Sha256
    signature: str | None = None  # `stat_signature` of the file when it was listed

    def content(self) -> bytes:
        if self.data is not None:
            return self.data
        assert self.path is not None
        with self.path.open("rb") as fh:
            return fh.read()

    def sha256(self) -> str:
        """The hex SHA-256 of the workbook's bytes, streamed (a huge file is not loaded)."""
        if self.data is not None:
            return sha256_hex(self.data)
        assert self.path is not None
        with self.path.open("rb") as fh:
            return hashlib.file_digest(fh, "sha256").hexdigest()


@dataclass
class Problem:
    """A source that gave no workbook to read (listed in `Masalah`)."""

    file: str
    alasan: str
    satker: str | None = None


@dataclass
class Collected:
    received: list[Received] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    # Where attachments are written as they are found (a private temporary folder), so a
    # mailbox of thousands of messages is not held in memory; None keeps their bytes.
    spool: Path | None = None

    def add_attachment(self, item: Received) -> None:
        if self.spool is not None and item.data is not None:
            folder = self.spool / str(len(self.received))
            folder.mkdir(parents=True)
            item.path = folder / (Path(item.name).name or "lampiran.xlsx")
            item.path.write_bytes(item.data)
            item.data = None
        self.received.append(item)


def sha256_hex(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _mtime(path: Path) -> dt.datetime:
    return dt.datetime.fromtimestamp(path.stat().st_mtime, dt.UTC)


def stat_signature(st: os.stat_result) -> str:
    """What changes whenever a file is written: size, modification and change time, inode."""
    return f"{st.st_size}:{st.st_mtime_ns}:{st.st_ctime_ns}:{st.st_ino}"


def is_maildir(path: Path) -> bool:
    return path.is_dir() and all((path / sub).is_dir() for sub in ("cur", "new"))


def _looks_like_mbox(path: Path) -> bool:
    if path.suffix.lower() in MBOX_SUFFIXES:
        return True
    if path.suffix:
        return False
    try:
        with path.open("rb") as fh:
            return fh.read(5) == b"From "
    except OSError:
        return False


def collect(sources: Iterable[Path | str], skip: Iterable[Path] = (), spool: Path | None = None) -> Collected:
    """Every workbook in `sources`, in a stable order (sources as given, folders sorted);
    attachments are written into `spool` when given (see Collected.spool)."""
    out = Collected(spool=spool)
    skipped = {p.resolve() for p in skip}
    for source in sources:
        path = Path(source)
        if not path.exists():
            out.problems.append(Problem(str(path), f"Sumber '{path}' tidak ditemukan."))
        elif is_maildir(path):
            _from_maildir(path, out)
        elif path.is_dir():
            _from_folder(path, out, skipped)
        else:
            _from_file(path, out, explicit=True)
    return out


def _from_folder(folder: Path, out: Collected, skipped: set[Path]) -> None:
    # os.scandir: the kind of each entry comes with the listing, no stat per file (a receiving
    # office's folder holds thousands of workbooks)
    try:
        with os.scandir(folder) as listing:
            entries = sorted(listing, key=lambda e: e.name)
    except OSError as exc:
        out.problems.append(Problem(str(folder), f"Folder '{folder}' tidak dapat dibaca ({exc.strerror})."))
        return
    skipped_names = {p.name for p in skipped}
    for entry in entries:
        path = folder / entry.name
        if entry.name.startswith(("~$", ".~lock")) or (entry.name in skipped_names and path.resolve() in skipped):
            continue
        try:
            if entry.is_symlink():
                continue  # a link could lead outside the folder or loop; the office's files are real
            if entry.is_dir():
                if is_maildir(path):
                    _from_maildir(path, out)
                else:
                    _from_folder(path, out, skipped)
            elif entry.is_file():
                st = entry.stat()
                _from_file(
                    path, out, explicit=False, when=dt.datetime.fromtimestamp(st.st_mtime, dt.UTC),
                    signature=stat_signature(st),
                )
        except OSError as exc:
            out.problems.append(Problem(str(path), f"'{path}' tidak dapat dibaca ({exc.strerror})."))


def _from_file(
    path: Path, out: Collected, *, explicit: bool, when: dt.datetime | None = None, signature: str | None = None
) -> None:
    suffix = path.suffix.lower()
    if suffix in WORKBOOK_SUFFIXES:
        out.received.append(
            Received(label=str(path), name=path.name, path=path, when=when or _mtime(path), signature=signature)
        )
    elif suffix in MESSAGE_SUFFIXES:
        import email
        import email.policy

        try:
            with path.open("rb") as fh:
                msg = email.message_from_binary_file(fh, policy=email.policy.default)
        except OSError as exc:
            out.problems.append(Problem(str(path), f"Pesan '{path.name}' tidak dapat dibaca ({exc.strerror})."))
            return
        from_message(msg, str(path), out, fallback_when=_mtime(path))
    elif suffix == ".msg":
        _from_outlook_msg(path, out)
    elif _looks_like_mbox(path):
        _from_mbox(path, out)
    elif explicit:
        # a file named on the command line is read as a workbook: the safety gate names what it is
        out.received.append(Received(label=str(path), name=path.name, path=path, when=_mtime(path)))


# The e-mail modules are imported where a message is read: a folder of workbooks, the usual
# source, does without them (about 10 ms of every recap).


def _from_mbox(path: Path, out: Collected) -> None:
    import email
    import email.policy
    import mailbox

    box = mailbox.mbox(path, factory=None, create=False)
    try:
        for index, key in enumerate(box.iterkeys(), start=1):
            raw = box.get_bytes(key)
            msg = email.message_from_bytes(raw, policy=email.policy.default)
            from_message(msg, f"{path}#{index}", out, fallback_when=_mtime(path))
    finally:
        box.close()  # mbox.close() unlocks and flushes only what changed: nothing here


def _from_maildir(path: Path, out: Collected) -> None:
    import email
    import email.policy
    import mailbox

    box = mailbox.Maildir(path, factory=None, create=False)
    # sorted keys: the same folder gives the same order; reading a Maildir moves nothing
    # (only `Maildir.get_message` callers that save flags would, and none here does)
    for key in sorted(box.iterkeys()):
        raw = box.get_bytes(key)
        msg = email.message_from_bytes(raw, policy=email.policy.default)
        from_message(msg, f"{path}#{key}", out, fallback_when=None)


def _from_outlook_msg(path: Path, out: Collected) -> None:
    """An Outlook message counts as the same message saved as .eml would: its Internet
    headers (PR_TRANSPORT_MESSAGE_HEADERS, parsed like an .eml's, so RFC 2047 words are
    decoded) and its attachments by value go through the same rules as from_message."""
    try:
        import extract_msg  # type: ignore[import-not-found,unused-ignore]
    except ImportError:
        out.problems.append(
            Problem(
                str(path),
                f"Pesan Outlook '{path.name}' tidak didukung di instalasi ini (pasang "
                "`pip install sopxl[outlook]`), atau simpan lampirannya lalu rekap berkasnya.",
            )
        )
        return
    import email.parser
    import email.policy
    from email.message import Message

    try:
        msg = extract_msg.openMsg(str(path))
    except Exception:  # any parse failure of a foreign binary format is "unreadable"
        out.problems.append(Problem(str(path), f"Pesan Outlook '{path.name}' rusak atau tidak dapat dibaca."))
        return
    try:
        # only messages (MessageBase) have headers; other items (a contact, a task) do not
        text = getattr(msg, "headerText", None)
        if text and text.startswith(EXCHANGE_HEADER_PREFIX):
            text = text[len(EXCHANGE_HEADER_PREFIX):].lstrip()  # as Exchange stores them
        # without transport headers (a message composed, never received) extract-msg builds
        # Date, From and To from the message's properties
        headers: Message = (
            email.parser.HeaderParser(policy=email.policy.default).parsestr(text) if text
            else getattr(msg, "header", None) or Message()
        )
        parts: list[tuple[str, bytes]] = []
        for att in msg.attachments:
            name = str(getattr(att, "longFilename", None) or getattr(att, "shortFilename", "") or "")
            data = getattr(att, "data", None)
            if name.lower().endswith(WORKBOOK_SUFFIXES) and isinstance(data, bytes):
                parts.append((Path(name).name, data))
    except Exception:  # the same: a part of the file that cannot be decoded
        out.problems.append(Problem(str(path), f"Pesan Outlook '{path.name}' rusak atau tidak dapat dibaca."))
        return
    finally:
        msg.close()
    _add_parts(parts, headers, str(path), out, fallback_when=_mtime(path))


def _header_date(value: object) -> dt.datetime | None:
    if not value:
        return None
    import email.utils

    try:
        when = email.utils.parsedate_to_datetime(str(value))
    except (TypeError, ValueError, IndexError):
        return None
    return when if when.tzinfo is not None else when.replace(tzinfo=dt.UTC)


def _clean(value: object) -> str | None:
    if value is None:
        return None
    text = " ".join(str(value).split())
    return text or None


def _attachment(label: str, name: str, data: bytes, headers: Message | None, when: dt.datetime | None) -> Received:
    get = (lambda key: headers.get(key)) if headers is not None else (lambda key: None)
    sha = _clean(get("X-Sopxl-Sha256"))
    return Received(
        label=label,
        name=name,
        data=data,
        when=when,
        satker=_clean(get("X-Sopxl-Satker")),
        tahun=_clean(get("X-Sopxl-Tahun")),
        periode=_clean(get("X-Sopxl-Periode")),
        declared_sha256=sha.lower() if sha else None,
    )


def _workbook_parts(msg: Message) -> Iterator[tuple[str, bytes]]:
    for part in msg.walk():
        if part.is_multipart():
            continue
        name = part.get_filename()
        if not name or not name.lower().endswith(WORKBOOK_SUFFIXES):
            continue
        payload = part.get_payload(decode=True)
        if isinstance(payload, bytes):
            yield Path(name).name, payload


def from_message(msg: Message, label: str, out: Collected, *, fallback_when: dt.datetime | None) -> None:
    _add_parts(list(_workbook_parts(msg)), msg, label, out, fallback_when=fallback_when)


def _add_parts(
    parts: list[tuple[str, bytes]], msg: Message, label: str, out: Collected, *, fallback_when: dt.datetime | None
) -> None:
    """A message's workbook attachments (`parts`, with `msg` its headers), whatever the
    message's format; a message without one is skipped, unless sopxl sent it."""
    when = _header_date(msg.get("Date")) or fallback_when
    if not parts:
        satker = _clean(msg.get("X-Sopxl-Satker"))
        if satker is not None:
            # a message sopxl sent that lost its workbook on the way
            out.problems.append(
                Problem(label, "Pesan dari sopxl tanpa lampiran buku kerja (lampiran hilang di jalan).", satker)
            )
        return
    for name, data in parts:
        out.add_attachment(_attachment(f"{label}: {name}", name, data, msg, when))


__all__ = ["Collected", "Problem", "Received", "collect", "from_message", "is_maildir", "sha256_hex"]
