"""DEFLATE segments (sopxl.ooxml.deflate): pieces compressed apart and joined are one valid
stream, with the CRC-32 and size of the whole, with and without ISA-L."""

from __future__ import annotations

import io
import os
import random
import zipfile
import zlib

import pytest

from sopxl.ooxml import deflate
from sopxl.ooxml.zipio import RawMember, write_members


def _pieces() -> list[bytes]:
    rng = random.Random(7)
    xml = [
        "".join(f'<row r="{r}"><c r="A{r}" t="inlineStr"><is><t>{rng.random()}</t></is></c></row>' for r in range(n))
        .encode()
        for n in (0, 1, 40, 700)
    ]
    return [*xml, os.urandom(70_000), b"", b"x" * 100_000]


@pytest.mark.parametrize("fast", [True, False], ids=["isal", "zlib"])
def test_segments_joined_are_the_whole(fast: bool, monkeypatch: pytest.MonkeyPatch) -> None:
    if not fast:
        monkeypatch.setattr(deflate, "_fast", None)
    elif deflate._fast is None:
        pytest.skip("isal is not installed here")
    pieces = _pieces()
    segments = [deflate.deflate_segment(p, level) for p, level in zip(pieces, [1, 2, 3, 6, 9, 6, 2], strict=True)]
    raw, crc, size = deflate.join_segments(segments, b"</sheetData></worksheet>")
    whole = b"".join(pieces) + b"</sheetData></worksheet>"
    assert zlib.decompress(raw, -15) == whole
    assert crc == zlib.crc32(whole) and size == len(whole)
    # and a zip reader takes it as a member
    buffer = io.BytesIO()
    write_members(buffer, [RawMember.from_segments("a.xml", segments, b"end")])
    with zipfile.ZipFile(buffer) as zf:
        assert zf.read("a.xml") == b"".join(pieces) + b"end"
        assert zf.testzip() is None


def test_crc32_combine_agrees_with_zlib(monkeypatch: pytest.MonkeyPatch) -> None:
    a, b = os.urandom(1000), os.urandom(3000)
    want = zlib.crc32(a + b)
    assert deflate.crc32_combine(zlib.crc32(a), zlib.crc32(b), len(b)) == want
    monkeypatch.setattr(deflate, "_fast", None)
    assert deflate.crc32_combine(zlib.crc32(a), zlib.crc32(b), len(b)) == want
    assert deflate.crc32_combine(0, zlib.crc32(b), len(b)) == zlib.crc32(b)  # after nothing


def test_nothing_joined_is_an_empty_member() -> None:
    raw, crc, size = deflate.join_segments([])
    assert zlib.decompress(raw, -15) == b"" and crc == 0 and size == 0
