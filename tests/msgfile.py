"""Real Outlook `.msg` files for the tests, written from scratch (no binary fixtures).

Two formats, both from Microsoft's open specifications:

- [MS-CFB] Compound File Binary File Format: the container. :func:`compound_file` writes a
  version 3 file (512-byte sectors): header, FAT, directory (each storage's children in a
  red-black tree, ordered as 2.6.4 says: shorter names first, then upper-case code points),
  MiniFAT and mini stream for streams under the 4096-byte cutoff, regular sectors for the
  rest. One FAT has room for 109 FAT sectors (about 7 MB), so no DIFAT sectors are written.
- [MS-OXMSG] Outlook Item (.msg) File Format: the message inside it. :func:`outlook_msg`
  writes the top-level `__properties_version1.0` stream (32-byte header), one
  `__substg1.0_TTTTTTTT` stream per string/binary property (PtypString as UTF-16LE without
  terminator, its Size field the stream's size + 2, 2.4.2.2), the named-property mapping
  storage `__nameid_version1.0` (2.2.3; empty: no named properties), recipient storages
  `__recip_version1.0_#XXXXXXXX` and attachment storages `__attach_version1.0_#XXXXXXXX`
  (8-byte header) holding PidTagAttachMethod = 1 (afByValue), PidTagAttachLongFilename and
  PidTagAttachDataBinary among others.

Why not an installed writer: olefile only reads (and rewrites streams of equal size in place);
ms_cfb (pulled in by ms-ovba) takes streams only from file paths and writes a scratch file into
the current directory; extract_msg.OleWriter belongs to the very reader these files test.
"""

from __future__ import annotations

import datetime as dt
import email
import email.policy
import email.utils
import struct
from collections.abc import Sequence
from dataclasses import dataclass, field
from email.message import EmailMessage

SIGNATURE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
SECTOR = 512
MINI_SECTOR = 64
MINI_CUTOFF = 4096
FREESECT = 0xFFFFFFFF
ENDOFCHAIN = 0xFFFFFFFE
FATSECT = 0xFFFFFFFD
NOSTREAM = 0xFFFFFFFF
STORAGE, STREAM, ROOT = 1, 2, 5
RED, BLACK = 0, 1


@dataclass
class Storage:
    """A CFB storage: children by name, each a Storage or a stream's bytes."""

    children: dict[str, Storage | bytes] = field(default_factory=dict)


@dataclass
class _Entry:
    name: str
    kind: int
    data: bytes = b""
    children: list[_Entry] = field(default_factory=list)
    index: int = 0
    left: int = NOSTREAM
    right: int = NOSTREAM
    child: int = NOSTREAM
    color: int = BLACK
    start: int = ENDOFCHAIN


def _order(name: str) -> tuple[int, tuple[int, ...]]:
    """MS-CFB 2.6.4: shorter names first, then by upper-cased UTF-16 code units."""
    units = name.upper().encode("utf-16-le")
    return len(units), tuple(struct.unpack(f"<{len(units) // 2}H", units))


def _tree(nodes: list[_Entry], depth: int, deepest: int) -> int:
    """The root of a balanced tree of `nodes` (sorted). The middle node splits each range, so
    every null link lies on the last two levels; colouring black all but the nodes on the
    deepest level of an incomplete tree keeps every path's black count equal (a valid
    red-black tree)."""
    if not nodes:
        return NOSTREAM
    mid = len(nodes) // 2
    node = nodes[mid]
    node.color = RED if depth == deepest and depth > 0 else BLACK
    node.left = _tree(nodes[:mid], depth + 1, deepest)
    node.right = _tree(nodes[mid + 1:], depth + 1, deepest)
    return node.index


def _height(count: int) -> int:
    """Depth of the deepest node of a mid-split tree of `count` nodes (0 for one node)."""
    depth = -1
    while count > 0:
        depth += 1
        count //= 2
    return depth


def compound_file(root: Storage) -> bytes:
    """The bytes of a CFB (version 3) file holding `root`'s storages and streams."""
    entries: list[_Entry] = []

    def add(name: str, item: Storage | bytes, kind: int | None = None) -> _Entry:
        if len(name) > 31:
            raise ValueError(f"CFB names hold at most 31 characters: {name!r}")
        entry = _Entry(name, kind or (STORAGE if isinstance(item, Storage) else STREAM))
        entry.index = len(entries)
        entries.append(entry)
        if isinstance(item, Storage):
            entry.children = [add(n, child) for n, child in item.children.items()]
            ordered = sorted(entry.children, key=lambda e: _order(e.name))
            if len({_order(e.name) for e in ordered}) != len(ordered):
                raise ValueError(f"names in storage {name!r} differ only by case")
            complete = ((len(ordered) + 1) & len(ordered)) == 0  # 2**k - 1 nodes: a full tree
            deepest = _height(len(ordered))
            entry.child = _tree(ordered, 0, -1 if complete else deepest)
            if entry.kind == STORAGE:
                entry.start = 0  # 2.6.3: a storage's start sector and size are zero
        else:
            entry.data = item
        return entry

    add("Root Entry", root, ROOT)

    # the mini stream: small streams in 64-byte mini sectors, chained in the MiniFAT
    mini = bytearray()
    minifat: list[int] = []
    big: list[_Entry] = []
    for entry in entries:
        if entry.kind != STREAM or not entry.data:
            continue
        if len(entry.data) >= MINI_CUTOFF:
            big.append(entry)
            continue
        count = -(-len(entry.data) // MINI_SECTOR)
        entry.start = len(minifat)
        minifat += [len(minifat) + i + 1 for i in range(count - 1)] + [ENDOFCHAIN]
        mini += entry.data.ljust(count * MINI_SECTOR, b"\0")

    def sectors(size: int) -> int:
        return -(-size // SECTOR)

    dir_sectors = sectors(len(entries) * 128)
    minifat_sectors = sectors(len(minifat) * 4)
    mini_sectors = sectors(len(mini))
    big_sectors = [sectors(len(e.data)) for e in big]
    payload = dir_sectors + minifat_sectors + mini_sectors + sum(big_sectors)
    fat_sectors = 1
    while fat_sectors * (SECTOR // 4) < payload + fat_sectors:
        fat_sectors += 1
    if fat_sectors > 109:
        raise ValueError("file too large for a FAT without DIFAT sectors (about 7 MB)")

    fat: list[int] = [FATSECT] * fat_sectors
    body = bytearray()

    def chain(data: bytes, count: int) -> int:
        first = len(fat)
        fat.extend(first + i + 1 for i in range(count - 1))
        fat.append(ENDOFCHAIN)
        body.extend(data.ljust(count * SECTOR, b"\0"))
        return first

    # the directory's bytes depend on start sectors chosen below: reserve, fill in later
    dir_start = chain(b"", dir_sectors)
    minifat_start = chain(struct.pack(f"<{len(minifat)}I", *minifat), minifat_sectors) if minifat else ENDOFCHAIN
    if mini:
        entries[0].start = chain(bytes(mini), mini_sectors)
        entries[0].data = bytes(mini)
    for entry, count in zip(big, big_sectors, strict=True):
        entry.start = chain(entry.data, count)
    fat += [FREESECT] * (fat_sectors * (SECTOR // 4) - len(fat))

    directory = bytearray()
    for entry in entries:
        name = entry.name.encode("utf-16-le") + b"\0\0"
        size = len(entry.data)
        directory += struct.pack(
            "<64sHBBIII16sIQQIQ",
            name, len(name), entry.kind, entry.color, entry.left, entry.right, entry.child,
            b"\0" * 16, 0, 0, 0, entry.start if size or entry.kind != STREAM else ENDOFCHAIN, size,
        )
    empty = struct.pack("<64sHBBIII16sIQQIQ", b"", 0, 0, 0, NOSTREAM, NOSTREAM, NOSTREAM, b"\0" * 16, 0, 0, 0, 0, 0)
    while len(directory) % SECTOR:
        directory += empty
    offset = (dir_start - fat_sectors) * SECTOR
    body[offset:offset + len(directory)] = directory

    difat = list(range(fat_sectors)) + [FREESECT] * (109 - fat_sectors)
    header = struct.pack(
        "<8s16sHHHHH6sIIIIIIIII109I",
        SIGNATURE, b"\0" * 16, 0x003E, 3, 0xFFFE, 9, 6, b"\0" * 6,
        0,  # number of directory sectors: 0 in version 3
        fat_sectors, dir_start, 0, MINI_CUTOFF, minifat_start, len(minifat) and minifat_sectors,
        ENDOFCHAIN, 0, *difat,
    )
    assert len(header) == SECTOR
    return header + struct.pack(f"<{len(fat)}I", *fat) + bytes(body)


# [MS-OXCDATA] 2.11.1 property types, [MS-OXPROPS] property ids
PT_LONG, PT_BOOLEAN, PT_SYSTIME, PT_UNICODE, PT_BINARY = 0x0003, 0x000B, 0x0040, 0x001F, 0x0102
PROPATTR = 0x2 | 0x4  # readable, writable

PR_MESSAGE_CLASS = 0x001A001F
PR_SUBJECT = 0x0037001F
PR_CLIENT_SUBMIT_TIME = 0x00390040
PR_TRANSPORT_MESSAGE_HEADERS = 0x007D001F
PR_SENDER_NAME = 0x0C1A001F
PR_SENDER_EMAIL_ADDRESS = 0x0C1F001F
PR_DISPLAY_TO = 0x0E04001F
PR_MESSAGE_DELIVERY_TIME = 0x0E060040
PR_MESSAGE_FLAGS = 0x0E070003
PR_HASATTACH = 0x0E1B000B
PR_BODY = 0x1000001F
PR_INTERNET_MESSAGE_ID = 0x1035001F
PR_RECIPIENT_TYPE = 0x0C150003
PR_DISPLAY_NAME = 0x3001001F
PR_ADDRTYPE = 0x3002001F
PR_EMAIL_ADDRESS = 0x3003001F
PR_SMTP_ADDRESS = 0x39FE001F
PR_ATTACH_SIZE = 0x0E200003
PR_ATTACH_NUM = 0x0E210003
PR_ATTACH_DATA_BIN = 0x37010102
PR_ATTACH_EXTENSION = 0x3703001F
PR_ATTACH_FILENAME = 0x3704001F
PR_ATTACH_METHOD = 0x37050003
PR_ATTACH_LONG_FILENAME = 0x3707001F
PR_RENDERING_POSITION = 0x370B0003
PR_ATTACH_MIME_TAG = 0x370E001F
ATTACH_BY_VALUE = 1
MSGFLAG_READ, MSGFLAG_HASATTACH = 0x1, 0x10

Value = str | bytes | int | bool | dt.datetime


def _filetime(when: dt.datetime) -> int:
    """100-ns intervals since 1601-01-01 UTC (PtypTime)."""
    delta = when.astimezone(dt.UTC) - dt.datetime(1601, 1, 1, tzinfo=dt.UTC)
    return (delta.days * 86400 + delta.seconds) * 10_000_000 + delta.microseconds * 10


def property_storage(props: dict[int, Value], header: bytes, more: dict[str, Storage | bytes] | None = None) -> Storage:
    """A storage holding `__properties_version1.0` (after `header`) and one
    `__substg1.0_TTTTTTTT` stream per string or binary property (MS-OXMSG 2.4)."""
    stream = bytearray(header)
    children: dict[str, Storage | bytes] = {}
    for tag, value in props.items():
        kind = tag & 0xFFFF
        if kind in (PT_UNICODE, PT_BINARY):
            data = value.encode("utf-16-le") if isinstance(value, str) else value
            assert isinstance(data, bytes)
            children[f"__substg1.0_{tag:08X}"] = data
            size = len(data) + 2 if kind == PT_UNICODE else len(data)
            stream += struct.pack("<IIII", tag, PROPATTR, size, 0)
        elif kind == PT_SYSTIME:
            assert isinstance(value, dt.datetime)
            stream += struct.pack("<IIQ", tag, PROPATTR, _filetime(value))
        elif kind in (PT_LONG, PT_BOOLEAN):
            assert isinstance(value, int)
            stream += struct.pack("<IIiI", tag, PROPATTR, int(value), 0)
        else:
            raise ValueError(f"property type {kind:#06x} not written by this test helper")
    children["__properties_version1.0"] = bytes(stream)
    children.update(more or {})
    return Storage(children)


@dataclass(frozen=True)
class MsgAttachment:
    name: str
    data: bytes
    mime: str = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def outlook_msg(
    *,
    subject: str,
    body: str,
    headers: str | None,
    attachments: Sequence[MsgAttachment] = (),
    sender: str = "satker@example.go.id",
    to: Sequence[str] = (),
    when: dt.datetime | None = None,
) -> bytes:
    """A received Outlook message (.msg, MS-OXMSG) with its transport headers (the Internet
    header block as the server received it, PR_TRANSPORT_MESSAGE_HEADERS), recipients and
    attachments by value."""
    when = when or dt.datetime(2026, 7, 3, 9, 0, tzinfo=dt.UTC)
    props: dict[int, Value] = {
        PR_MESSAGE_CLASS: "IPM.Note",
        PR_SUBJECT: subject,
        PR_BODY: body,
        PR_SENDER_NAME: sender,
        PR_SENDER_EMAIL_ADDRESS: sender,
        PR_DISPLAY_TO: "; ".join(to),
        PR_CLIENT_SUBMIT_TIME: when,
        PR_MESSAGE_DELIVERY_TIME: when,
        PR_MESSAGE_FLAGS: MSGFLAG_READ | (MSGFLAG_HASATTACH if attachments else 0),
        PR_HASATTACH: bool(attachments),
    }
    if headers is not None:
        props[PR_TRANSPORT_MESSAGE_HEADERS] = headers
    more: dict[str, Storage | bytes] = {
        "__nameid_version1.0": Storage({f"__substg1.0_000{n}0102": b"" for n in (2, 3, 4)}),
    }
    for i, address in enumerate(to):
        more[f"__recip_version1.0_#{i:08X}"] = property_storage(
            {PR_RECIPIENT_TYPE: 1, PR_DISPLAY_NAME: address, PR_ADDRTYPE: "SMTP", PR_EMAIL_ADDRESS: address,
             PR_SMTP_ADDRESS: address},
            b"\0" * 8,
        )
    for i, att in enumerate(attachments):
        ext = att.name[att.name.rfind("."):] if "." in att.name else ""
        more[f"__attach_version1.0_#{i:08X}"] = property_storage(
            {
                PR_ATTACH_METHOD: ATTACH_BY_VALUE,
                PR_ATTACH_NUM: i,
                PR_RENDERING_POSITION: -1,
                PR_ATTACH_SIZE: len(att.data),
                PR_DISPLAY_NAME: att.name,
                PR_ATTACH_FILENAME: att.name,
                PR_ATTACH_LONG_FILENAME: att.name,
                PR_ATTACH_EXTENSION: ext,
                PR_ATTACH_MIME_TAG: att.mime,
                PR_ATTACH_DATA_BIN: att.data,
            },
            b"\0" * 8,
        )
    top = struct.pack("<8sIIII8s", b"\0" * 8, len(to), len(attachments), len(to), len(attachments), b"\0" * 8)
    return compound_file(property_storage(props, top, more))


def header_block(raw_message: bytes) -> str:
    """The Internet header block of a raw RFC 5322 message, as Outlook keeps it in
    PR_TRANSPORT_MESSAGE_HEADERS (CRLF line ends, ending with the empty line)."""
    text = raw_message.replace(b"\r\n", b"\n")
    head = text.split(b"\n\n", 1)[0].decode("ascii")
    return head.replace("\n", "\r\n") + "\r\n\r\n"


def from_rfc822(raw: bytes, header_prefix: str = "") -> bytes:
    """The .msg Outlook saves for the received message `raw`: its header block kept as
    transport headers (after `header_prefix`: Exchange writes "Microsoft Mail Internet
    Headers Version 2.0"), subject, plain body, recipients and attachments as properties."""
    msg = email.message_from_bytes(raw, policy=email.policy.default)
    assert isinstance(msg, EmailMessage)
    body = msg.get_body(("plain",))
    attachments = []
    for part in msg.iter_attachments():
        data = part.get_payload(decode=True)
        assert isinstance(data, bytes)
        attachments.append(MsgAttachment(str(part.get_filename()), data, part.get_content_type()))
    date = msg["Date"]
    return outlook_msg(
        subject=str(msg["Subject"] or ""),
        body=body.get_content() if body is not None else "",
        headers=header_prefix + header_block(raw),
        attachments=attachments,
        sender=str(msg["From"] or ""),
        to=[a.addr_spec for a in msg["To"].addresses] if msg["To"] else [],
        when=email.utils.parsedate_to_datetime(str(date)) if date else None,
    )


__all__ = [
    "MsgAttachment", "Storage", "compound_file", "from_rfc822", "header_block", "outlook_msg", "property_storage",
]
