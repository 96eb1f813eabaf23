"""Text into and out of the XML of a package part: one escape, one unescape.

Not xml.sax.saxutils: importing it imports urllib.request and http.client, 20-30 ms on every
run of every command (benchmarks/bench_write.py), for three string replacements.
"""

from __future__ import annotations

import re

# Characters XML 1.0 does not allow at all (not even escaped): a client refuses the part.
_ILLEGAL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
_ENTITY = re.compile(r"&(lt|gt|quot|apos|amp|#[0-9]+|#x[0-9a-fA-F]+);")
_NAMED = {"lt": "<", "gt": ">", "quot": '"', "apos": "'", "amp": "&"}


def escape(text: str) -> str:
    """Element text: `&`, `<` and `>` escaped (the caller knows no illegal characters occur)."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def xml_text(value: str) -> str:
    """Element text from any string: escaped, characters XML forbids dropped."""
    text = escape(value)
    return _ILLEGAL.sub("", text) if _ILLEGAL.search(text) else text


def is_plain(value: str) -> bool:
    """Whether `value` goes into element text exactly as it is: nothing to escape or drop, and
    no whitespace a reader would trim (none at either end, no tab or line break), so it needs
    no `xml:space="preserve"` either. Most cell texts are; writers of thousands of cells skip
    `xml_text` for them."""
    return _PLAIN(value) is not None


_PLAIN = re.compile(r"(?!\s)[^&<>\x00-\x1f\ufffe\uffff]*(?<!\s)").fullmatch


def xml_attr(value: str) -> str:
    """A value for a double-quoted attribute; newlines and tabs kept as character references
    (an attribute's raw newline would be read back as a space)."""
    text = escape(value).replace('"', "&quot;").replace("\n", "&#10;").replace("\t", "&#9;")
    return _ILLEGAL.sub("", text) if _ILLEGAL.search(text) else text


def unescape(text: str) -> str:
    """Text as written in XML back to the string (the five named entities and numeric ones)."""
    if "&" not in text:
        return text
    return _ENTITY.sub(_entity, text)


def _entity(m: re.Match[str]) -> str:
    name = m.group(1)
    if name[0] != "#":
        return _NAMED[name]
    try:
        return chr(int(name[2:], 16) if name[1] in "xX" else int(name[1:]))
    except (ValueError, OverflowError):
        return m.group(0)


__all__ = ["escape", "is_plain", "unescape", "xml_attr", "xml_text"]
