"""Raw zip access: read members' compressed bytes and write them back untouched.

`zipfile` can only write what it compresses itself; to keep every part sopxl does not own
byte-identical (and to avoid recompressing large sheets) members are copied raw: the same
compressed bytes, CRC, sizes, method, time stamp and name.
"""

from __future__ import annotations

import io
import struct
import zipfile
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from sopxl.ooxml.atomic import FileStamp, read_snapshot
from sopxl.ooxml.deflate import Segment, crc32, deflate, inflate, join_segments

_LOCAL = struct.Struct("<4sHHHHHIIIHH")
_CENTRAL = struct.Struct("<4s4B4HL2L5H2L")
_END = struct.Struct("<4s4H2LH")
_UTF8_FLAG = 0x800


@dataclass
class RawMember:
    """One zip member as stored: compressed bytes plus what its headers need."""

    name: str
    method: int
    raw: bytes
    crc: int
    size: int
    date_time: tuple[int, int, int, int, int, int]
    external_attr: int = 0
    create_system: int = 0

    def data(self) -> bytes:
        if self.method == zipfile.ZIP_STORED:
            return self.raw
        if self.method == zipfile.ZIP_DEFLATED:
            return inflate(self.raw)
        raise zipfile.BadZipFile(f"unsupported compression method {self.method} in {self.name}")

    @classmethod
    def from_data(
        cls,
        name: str,
        data: bytes,
        date_time: tuple[int, int, int, int, int, int] = (1980, 1, 1, 0, 0, 0),
        level: int = 6,
    ) -> RawMember:
        raw = deflate(data, level)
        return cls(name, zipfile.ZIP_DEFLATED, raw, crc32(data), len(data), date_time)

    @classmethod
    def from_segments(
        cls,
        name: str,
        segments: Iterable[Segment],
        last: bytes = b"",
        date_time: tuple[int, int, int, int, int, int] = (1980, 1, 1, 0, 0, 0),
        level: int = 6,
    ) -> RawMember:
        """A member whose content is the segments' contents followed by `last`: compressed
        segments are joined as they are (`deflate.join_segments`)."""
        raw, crc, size = join_segments(segments, last, level)
        return cls(name, zipfile.ZIP_DEFLATED, raw, crc, size, date_time)


def read_raw(fh: BinaryIO, info: zipfile.ZipInfo) -> bytes:
    """A member's compressed bytes as stored, from an open archive file."""
    fh.seek(info.header_offset)
    header = fh.read(_LOCAL.size)
    if len(header) != _LOCAL.size or header[:4] != b"PK\x03\x04":
        raise zipfile.BadZipFile(f"bad local header for {info.filename}")
    fields = _LOCAL.unpack(header)
    fh.seek(fields[9] + fields[10], 1)
    raw = fh.read(info.compress_size)
    if len(raw) != info.compress_size:
        raise zipfile.BadZipFile(f"{info.filename} is truncated")
    return raw


def read_members(path: Path) -> list[RawMember]:
    """Every member of a zip file with its raw compressed bytes, in archive order."""
    return read_package(path)[0]


def read_package(path: Path) -> tuple[list[RawMember], FileStamp]:
    """The members of the zip file at `path`, read through one handle (one version of the
    file, whatever is renamed into place meanwhile), and the stamp of what was read."""
    data, stamp = read_snapshot(path)
    return members_of(data), stamp


def members_of(data: bytes) -> list[RawMember]:
    """Every member of a zip archive held in memory, with its raw compressed bytes."""
    members: list[RawMember] = []
    fh = io.BytesIO(data)
    with zipfile.ZipFile(fh) as zf:
        for info in zf.infolist():
            if info.flag_bits & 0x1:
                raise zipfile.BadZipFile(f"{info.filename} is encrypted")
            raw = read_raw(fh, info)
            members.append(
                RawMember(
                    info.filename,
                    info.compress_type,
                    raw,
                    info.CRC,
                    info.file_size,
                    info.date_time,
                    info.external_attr,
                    info.create_system,
                )
            )
    return members


def write_members(fh: BinaryIO, members: Iterable[RawMember]) -> None:
    """Write a complete zip archive (no ZIP64: workbooks sopxl edits stay far below 4 GB)."""
    central: list[bytes] = []
    offset = 0
    count = 0
    for m in members:
        name = m.name.encode("utf-8")
        flags = 0 if m.name.isascii() else _UTF8_FLAG
        y, mo, d, h, mi, s = m.date_time
        dosdate = ((max(y, 1980) - 1980) << 9) | (mo << 5) | d
        dostime = (h << 11) | (mi << 5) | (s // 2)
        if len(m.raw) >= 0xFFFFFFFF or m.size >= 0xFFFFFFFF or offset >= 0xFFFFFFFF:
            raise ValueError("workbook too large for a zip without ZIP64")
        header = _LOCAL.pack(
            b"PK\x03\x04", 20, flags, m.method, dostime, dosdate, m.crc, len(m.raw), m.size, len(name), 0
        )
        fh.write(header)
        fh.write(name)
        fh.write(m.raw)
        central.append(
            _CENTRAL.pack(
                b"PK\x01\x02", 20, m.create_system, 20, 0, flags, m.method, dostime, dosdate,
                m.crc, len(m.raw), m.size, len(name), 0, 0, 0, 0, m.external_attr, offset,
            )
            + name
        )
        offset += len(header) + len(name) + len(m.raw)
        count += 1
    if count > 0xFFFF:
        raise ValueError("too many parts for a zip without ZIP64")
    cd = b"".join(central)
    fh.write(cd)
    fh.write(_END.pack(b"PK\x05\x06", 0, 0, count, count, len(cd), offset, 0))
