"""Raw DEFLATE (zip method 8) in and out, with ISA-L where it is installed.

Large sheets are inflated twice (once by sopxl's guards, once by calamine), the biggest cost
of reading beyond calamine itself, and python-isal inflates sheet XML several times as fast
as zlib (figures: benchmarks/README.md). Both produce and accept standard DEFLATE streams, so
the choice never shows in a workbook; zlib stays the fallback where isal has no wheel.
"""

from __future__ import annotations

import zlib
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any


def _fast_module() -> Any:
    try:
        from isal import isal_zlib
    except ImportError:  # no wheel for this platform: zlib does the same, slower
        return None
    return isal_zlib


_fast = _fast_module()
_inflater: Any = _fast if _fast is not None else zlib
# Errors either library raises on damaged data.
ERRORS: tuple[type[Exception], ...] = (zlib.error, *((_fast.error,) if _fast is not None else ()))


def crc32(data: bytes) -> int:
    """The CRC-32 a zip member's headers carry (ISA-L's is several times as fast as zlib's)."""
    return int((_fast or zlib).crc32(data)) & 0xFFFFFFFF


class Inflater:
    """Incremental raw inflate of one member, bounded: `read(n)` gives at most n more bytes."""

    def __init__(self, raw: bytes) -> None:
        self._d = _inflater.decompressobj(-15)
        self._pending = raw

    def read(self, limit: int) -> bytes:
        out = self._d.decompress(self._pending, limit)
        self._pending = self._d.unconsumed_tail
        return bytes(out)


def inflate(raw: bytes) -> bytes:
    """The whole content of a raw DEFLATE stream."""
    return bytes(_inflater.decompress(raw, -15))


# Level for a big part: every marked month sheet is one, and compressing them is most of a
# save. ISA-L's level 2 takes a sixth of zlib level 3's time for about 8 % more bytes on sheet
# XML (benchmarks/README.md); without isal, zlib's level 3.
BIG_LEVEL = 3


def _compressor(level: int) -> Any:
    if level <= BIG_LEVEL and _fast is not None:
        return _fast.compressobj(min(level, 2), _fast.DEFLATED, -15)
    return zlib.compressobj(level, zlib.DEFLATED, -15)


def deflate(data: bytes, level: int = 6) -> bytes:
    """A raw DEFLATE stream of `data`: zlib at `level` (as Excel compresses), except BIG_LEVEL
    and below, which ISA-L does where it is installed."""
    comp = _compressor(level)
    return bytes(comp.compress(data)) + bytes(comp.flush())


@dataclass(frozen=True)
class Segment:
    """A piece of a DEFLATE stream compressed on its own: it refers to nothing before it and
    ends on a byte boundary without a final block (a sync flush), so segments put one after
    the other are one valid stream once `join_segments` ends it. A part made of many pieces
    that seldom change (a recap's rows per satker) keeps each piece compressed and
    recompresses only those that changed, as pigz compresses blocks apart."""

    raw: bytes
    crc: int  # CRC-32 of the uncompressed piece
    size: int  # its uncompressed length


def deflate_segment(data: bytes, level: int = 6) -> Segment:
    """`data` as a `Segment` (ISA-L at BIG_LEVEL and below, as `deflate`)."""
    comp = _compressor(level)
    raw = bytes(comp.compress(data)) + bytes(comp.flush(zlib.Z_SYNC_FLUSH))
    return Segment(raw, crc32(data), len(data))


def crc32_combine(crc1: int, crc2: int, size2: int) -> int:
    """The CRC-32 of A + B from A's, B's and B's length (B itself no longer at hand)."""
    if _fast is not None and hasattr(_fast, "crc32_combine"):
        return int(_fast.crc32_combine(crc1, crc2, size2)) & 0xFFFFFFFF
    # CRC-32 is affine over GF(2): crc(A + B) = crc(B) ^ crc(zeros, crc(A)) ^ crc(zeros),
    # zeros being size2 zero bytes
    zeros = bytes(size2)
    return (zlib.crc32(zeros, crc1) ^ zlib.crc32(zeros) ^ crc2) & 0xFFFFFFFF


def join_segments(segments: Iterable[Segment], last: bytes = b"", level: int = 6) -> tuple[bytes, int, int]:
    """One raw DEFLATE stream of the segments' contents in order followed by `last`
    (compressed here, with the final block): (stream, CRC-32 and size of the whole)."""
    out: list[bytes] = []
    crc = size = 0
    for seg in segments:
        out.append(seg.raw)
        crc = crc32_combine(crc, seg.crc, seg.size)
        size += seg.size
    comp = _compressor(level)
    out.append(bytes(comp.compress(last)) + bytes(comp.flush()))
    crc = crc32_combine(crc, crc32(last), len(last))
    return b"".join(out), crc, size + len(last)
