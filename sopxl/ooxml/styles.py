"""xl/styles.xml: append fills and cell formats, merge another workbook's styles, and the
look of a cell format as content (Look) that survives another program renumbering the table.

Existing entries are never renumbered or changed: new ones are appended (or an identical
existing one reused), so every `s` index already in the workbook keeps its meaning while
sopxl edits it. Excel and LibreOffice renumber the whole table when they save, so what must
outlive a save is kept as a Look (Styles.look) and turned back into an index with
Styles.xf_for_look.
"""

from __future__ import annotations

import copy
import json
import re
from typing import Any

from lxml import etree

from sopxl.ooxml.names import NS_MAIN, SAFE_PARSER

_M = f"{{{NS_MAIN}}}"
# Order of the sections of CT_Stylesheet.
SECTIONS = (
    "numFmts",
    "fonts",
    "fills",
    "borders",
    "cellStyleXfs",
    "cellXfs",
    "cellStyles",
    "dxfs",
    "tableStyles",
    "colors",
    "extLst",
)
_CHILD = {
    "cellStyles": "cellStyle",
    "numFmts": "numFmt",
    "fonts": "font",
    "fills": "fill",
    "borders": "border",
    "cellStyleXfs": "xf",
    "cellXfs": "xf",
    "dxfs": "dxf",
}
_DATE_FMT_IDS = {14, 15, 16, 17, 18, 19, 20, 21, 22, 45, 46, 47}
DATE_FORMAT = "dd/mm/yyyy"
_ID_ATTRS = ("numFmtId", "fontId", "fillId", "borderId", "xfId")

# The look of a cell format, index-free (JSON-able):
#   "fmt": the number format: its code (custom formats) or the built-in id (an int)
#   "font", "fill", "border": the element's XML, None when the index points nowhere
#   "xf": the <xf> without its five id attributes (apply* flags, alignment, protection)
#   "style": the name of its parent cell style (cellStyles), None for the default
Look = dict[str, Any]


def look_key(look: Look) -> str:
    """A text that is equal for equal looks (a dict key, a JSON table entry)."""
    return json.dumps(look, sort_keys=True, ensure_ascii=False, separators=(",", ":"))


def _key(elem: etree._Element) -> bytes:
    """A comparison key of an element, independent of namespace declarations in scope."""
    parts: list[str] = []

    def walk(e: etree._Element) -> None:
        if not isinstance(e.tag, str):
            return
        attrs = sorted((str(k), str(v)) for k, v in e.attrib.items())
        parts.append("<" + str(e.tag) + "".join(f" {k}={v!r}" for k, v in attrs))
        parts.append((e.text or "").strip())
        for child in e:
            walk(child)
        parts.append(">")

    walk(elem)
    return "".join(parts).encode()


class Styles:
    """An editable stylesheet (one parsed xl/styles.xml)."""

    def __init__(self, root: etree._Element) -> None:
        self.root = root
        self.changed = False
        self._index: dict[str, dict[bytes, int]] = {}
        self._variants: dict[tuple[int | None, str], int] = {}
        self._fill_xml: dict[int | None, str | None] = {}  # existing formats never change
        self._fill_rgb: dict[int | None, str | None] = {}
        self._looks: dict[int | None, Look] = {}
        self._by_look: dict[str, int] = {}

    # -- sections ----------------------------------------------------------------------------
    def section(self, name: str, create: bool = True) -> etree._Element | None:
        found = self.root.find(_M + name)
        if found is not None or not create:
            return found
        elem = etree.Element(_M + name)
        elem.set("count", "0")
        later = SECTIONS[SECTIONS.index(name) + 1 :]
        for child in self.root:
            if isinstance(child.tag, str) and etree.QName(child).localname in later:
                child.addprevious(elem)
                break
        else:
            self.root.append(elem)
        self.changed = True
        return elem

    def items(self, name: str) -> list[etree._Element]:
        sec = self.section(name, create=False)
        if sec is None:
            return []
        return sec.findall(_M + _CHILD[name])

    def add(self, name: str, elem: etree._Element) -> int:
        """Index of an entry equal to `elem` in section `name`, appending it when absent."""
        index = self._index.get(name)
        if index is None:
            index = {}
            for i, item in enumerate(self.items(name)):
                index.setdefault(_key(item), i)
            self._index[name] = index
        key = _key(elem)
        if key in index:
            return index[key]
        sec = self.section(name)
        assert sec is not None
        sec.append(elem)
        n = len(sec.findall(_M + _CHILD[name]))
        sec.set("count", str(n))
        index[_key(elem)] = n - 1
        self.changed = True
        return n - 1

    def xf(self, s: int | None) -> etree._Element:
        xfs = self.items("cellXfs")
        if not xfs:
            elem = etree.Element(_M + "xf")
            for attr in ("numFmtId", "fontId", "fillId", "borderId", "xfId"):
                elem.set(attr, "0")
            return elem
        i = s or 0
        return xfs[i] if i < len(xfs) else xfs[0]

    # -- variants of a cell's format ---------------------------------------------------------
    def with_fill(self, s: int | None, rgb: str) -> int:
        """The cellXfs index of format `s` with only its fill replaced by a solid `rgb` fill."""
        key = (s, "fill:" + rgb)
        if key in self._variants:
            return self._variants[key]
        fill = etree.Element(_M + "fill")
        pattern = etree.SubElement(fill, _M + "patternFill", patternType="solid")
        etree.SubElement(pattern, _M + "fgColor", rgb=rgb)
        etree.SubElement(pattern, _M + "bgColor", indexed="64")
        fill_id = self.add("fills", fill)
        xf = copy.deepcopy(self.xf(s))
        xf.set("fillId", str(fill_id))
        xf.set("applyFill", "1")
        result = self.add("cellXfs", xf)
        self._variants[key] = result
        return result

    def fill_xml(self, s: int | None) -> str | None:
        """The fill of format `s` as XML text (None for fill 0, "no fill")."""
        if s in self._fill_xml:
            return self._fill_xml[s]
        result = self._fill_xml[s] = self._fill_xml_uncached(s)
        return result

    def _fill_xml_uncached(self, s: int | None) -> str | None:
        fid = int(self.xf(s).get("fillId", "0"))
        fills = self.items("fills")
        if fid == 0 or fid >= len(fills):
            return None
        return etree.tostring(fills[fid], encoding="unicode")

    def with_fill_xml(self, s: int | None, fill_xml: str | None) -> int:
        """Format `s` with its fill replaced by `fill_xml` (None: no fill)."""
        key = (s, "fillxml:" + (fill_xml or ""))
        if key in self._variants:
            return self._variants[key]
        xf = copy.deepcopy(self.xf(s))
        if fill_xml:
            fill = etree.fromstring(fill_xml.encode("utf-8"), SAFE_PARSER)
            xf.set("fillId", str(self.add("fills", fill)))
        else:
            xf.set("fillId", "0")
            if "applyFill" in xf.attrib:
                del xf.attrib["applyFill"]
        result = self.add("cellXfs", xf)
        self._variants[key] = result
        return result

    def fill_rgb(self, s: int | None) -> str | None:
        """The solid fill colour of format `s`, if any (for recognising sopxl's own marks)."""
        if s in self._fill_rgb:
            return self._fill_rgb[s]
        result = self._fill_rgb[s] = self._fill_rgb_uncached(s)
        return result

    def _fill_rgb_uncached(self, s: int | None) -> str | None:
        fills = self.items("fills")
        fid = int(self.xf(s).get("fillId", "0"))
        if fid >= len(fills):
            return None
        fg = fills[fid].find(f"{_M}patternFill/{_M}fgColor")
        return None if fg is None else fg.get("rgb")

    # -- looks (index-free) ----------------------------------------------------------------------
    def look(self, s: int | None) -> Look:
        """What format `s` looks like, independent of where its parts sit in the table."""
        found = self._looks.get(s)
        if found is None:
            found = self._looks[s] = self._look_uncached(s)
        return found

    def _look_uncached(self, s: int | None) -> Look:
        xf = self.xf(s)

        def part(section: str, attr: str) -> str | None:
            items = self.items(section)
            i = int(xf.get(attr, "0"))
            return etree.tostring(items[i], encoding="unicode") if i < len(items) else None

        fmt_id = int(xf.get("numFmtId", "0"))
        fmt: int | str = fmt_id
        for nf in self.items("numFmts"):
            if nf.get("numFmtId") == str(fmt_id):
                fmt = nf.get("formatCode", "General")
                break
        rest = copy.deepcopy(xf)
        for attr in _ID_ATTRS:
            if attr in rest.attrib:
                del rest.attrib[attr]
        style = None
        parent = xf.get("xfId")
        for cs in self.items("cellStyles"):
            if cs.get("xfId") == parent and parent not in (None, "0"):
                style = cs.get("name")
                break
        return {
            "fmt": fmt,
            "font": part("fonts", "fontId"),
            "fill": part("fills", "fillId"),
            "border": part("borders", "borderId"),
            "xf": etree.tostring(rest, encoding="unicode"),
            "style": style,
        }

    def xf_for_look(self, look: Look) -> int:
        """The cellXfs index of a format that looks exactly like `look` (an existing one, or
        one added with the fonts, fills, borders and number format it needs)."""
        key = look_key(look)
        found = self._by_look.get(key)
        if found is not None:
            return found
        xf = etree.fromstring(str(look["xf"]).encode("utf-8"), SAFE_PARSER)
        fmt = look.get("fmt", 0)
        if isinstance(fmt, str) and fmt.casefold() == "general":
            fmt = 0  # LibreOffice writes General as a custom format
        xf.set("numFmtId", str(fmt if isinstance(fmt, int) else self.num_fmt(str(fmt))))
        for section, attr in (("fonts", "fontId"), ("fills", "fillId"), ("borders", "borderId")):
            text = look.get(section[:-1])
            xf.set(attr, str(self.add(section, etree.fromstring(text.encode("utf-8"), SAFE_PARSER)) if text else 0))
        parent = "0"
        if look.get("style") is not None:
            for cs in self.items("cellStyles"):
                if cs.get("name") == look["style"]:
                    parent = cs.get("xfId", "0")
                    break
        xf.set("xfId", parent)
        result = self._by_look[key] = self.add("cellXfs", xf)
        return result

    def is_date(self, s: int | None) -> bool:
        fmt_id = int(self.xf(s).get("numFmtId", "0"))
        if fmt_id in _DATE_FMT_IDS:
            return True
        for nf in self.items("numFmts"):
            if nf.get("numFmtId") == str(fmt_id):
                code = re.sub(r'"[^"]*"|\[[^\]]*\]', "", nf.get("formatCode", ""))
                return bool(re.search(r"[dy]", code, re.IGNORECASE))
        return False

    def with_date_format(self, s: int | None) -> int:
        """Format `s` if it shows dates already, else a copy of it with a dd/mm/yyyy format."""
        if self.is_date(s):
            return s or 0
        key = (s, "date")
        if key in self._variants:
            return self._variants[key]
        fmt_id = self.num_fmt(DATE_FORMAT)
        xf = copy.deepcopy(self.xf(s))
        xf.set("numFmtId", str(fmt_id))
        xf.set("applyNumberFormat", "1")
        result = self.add("cellXfs", xf)
        self._variants[key] = result
        return result

    def num_fmt(self, code: str) -> int:
        """The id of a custom number format with `code`, adding it when absent."""
        used = [int(nf.get("numFmtId", "0")) for nf in self.items("numFmts")]
        for nf in self.items("numFmts"):
            if nf.get("formatCode") == code:
                return int(nf.get("numFmtId", "0"))
        new_id = max([163, *used]) + 1
        sec = self.section("numFmts")
        assert sec is not None
        etree.SubElement(sec, _M + "numFmt", numFmtId=str(new_id), formatCode=code)
        sec.set("count", str(len(sec)))
        self.changed = True
        return new_id

    # -- merging another stylesheet ----------------------------------------------------------
    def merge(self, other: Styles) -> tuple[list[int], list[int]]:
        """Bring `other`'s cell formats (and dxfs) in; returns (xf map, dxf map) by index."""
        fmt_map: dict[str, str] = {}
        for nf in other.items("numFmts"):
            fmt_map[nf.get("numFmtId", "0")] = str(self.num_fmt(nf.get("formatCode", "General")))
        font_map = [self.add("fonts", copy.deepcopy(f)) for f in other.items("fonts")]
        fill_map = [self.add("fills", copy.deepcopy(f)) for f in other.items("fills")]
        border_map = [self.add("borders", copy.deepcopy(b)) for b in other.items("borders")]
        xf_map: list[int] = []
        for xf in other.items("cellXfs"):
            new = copy.deepcopy(xf)
            fid = new.get("numFmtId", "0")
            new.set("numFmtId", fmt_map.get(fid, fid))
            for attr, mapping in (("fontId", font_map), ("fillId", fill_map), ("borderId", border_map)):
                i = int(new.get(attr, "0"))
                if i < len(mapping):
                    new.set(attr, str(mapping[i]))
            new.set("xfId", "0")
            xf_map.append(self.add("cellXfs", new))
        dxf_map: list[int] = []
        for dxf in other.items("dxfs"):
            dxf_map.append(self.add("dxfs", copy.deepcopy(dxf)))
        return xf_map, dxf_map
