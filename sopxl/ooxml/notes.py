"""Notes (legacy comments): the comments part and the VML drawing of a sheet.

sopxl adds its notes into the sheet's existing comments part and existing VML drawing (which
may also hold form buttons: their shapes stay as they are), or creates both when the sheet has
none. The VML is edited as text so that shapes sopxl does not own keep every byte.
"""

from __future__ import annotations

import math
import re

from lxml import etree

from sopxl.core import spec
from sopxl.ooxml.cells import clip_text
from sopxl.ooxml.editor import WorkbookPackage, relative, serialize
from sopxl.ooxml.names import NS_MAIN, NS_R, SAFE_PARSER
from sopxl.ooxml.xmltext import xml_text

NOTE_PREFIX = "sopxl:"
# Notes longer than this are clipped (cells.clip_text): Excel shows a note in a box beside its
# cell, and one of more than a few thousand characters can no longer be read or even scrolled
# there; the whole message stays in Catatan Koreksi.
MAX_NOTE_TEXT = 3_000
AUTHOR = "sopxl"
REL_COMMENTS = NS_R + "/comments"
REL_VML = NS_R + "/vmlDrawing"
REL_THREADED = "http://schemas.microsoft.com/office/2017/10/relationships/threadedComment"
CT_COMMENTS = "application/vnd.openxmlformats-officedocument.spreadsheetml.comments+xml"
CT_VML = "application/vnd.openxmlformats-officedocument.vmlDrawing"
_M = f"{{{NS_MAIN}}}"

_SHAPE = re.compile(r"<v:shape\b[^>]*>.*?</v:shape>\s*", re.DOTALL)
_SHAPE_ID = re.compile(r"_x0000_s(\d+)")
_IDMAP = re.compile(r'(<o:idmap\b[^>]*\bdata=")([^"]*)(")')
_LEGACY = re.compile(rb"<(\w+:)?legacyDrawing\b([^>]*)/>")
_TAG = re.compile(rb"<(/?)([\w:.-]+)[^>]*?(/?)>")
# CT_Worksheet children that come after legacyDrawing.
_AFTER_LEGACY = {
    b"legacyDrawingHF", b"drawingHF", b"picture", b"oleObjects", b"controls",
    b"webPublishItems", b"tableParts", b"extLst", b"AlternateContent",
}

VML_NEW = (
    '<xml xmlns:v="urn:schemas-microsoft-com:vml"\n'
    ' xmlns:o="urn:schemas-microsoft-com:office:office"\n'
    ' xmlns:x="urn:schemas-microsoft-com:office:excel">\n'
    ' <o:shapelayout v:ext="edit">\n'
    '  <o:idmap v:ext="edit" data=""/>\n'
    " </o:shapelayout>"
)
SHAPETYPE = (
    '<v:shapetype id="_x0000_t202" coordsize="21600,21600" o:spt="202"\n'
    '  path="m,l,21600r21600,l21600,xe">\n'
    '  <v:stroke joinstyle="miter"/>\n'
    '  <v:path gradientshapeok="t" o:connecttype="rect"/>\n'
    " </v:shapetype>"
)
_RUN_PR = '<rPr>{b}<sz val="9"/><color indexed="81"/><rFont val="Tahoma"/><family val="2"/></rPr>'
# A note's text: "sopxl:" in bold, then the body (between the two, made once).
_RICH_HEAD = (
    f'<r>{_RUN_PR.format(b="<b/>")}<t>{NOTE_PREFIX}</t></r>'
    f'<r>{_RUN_PR.format(b="")}<t xml:space="preserve">'
)
_RICH_TAIL = "</t></r></text></comment>"


def _idmap_of(data: bytes) -> list[int]:
    return _idmap_blocks(data.decode("utf-8", "replace"))


def _idmap_blocks(text: str) -> list[int]:
    m = _IDMAP.search(text)
    if not m:
        return []
    return [int(x) for x in re.findall(r"\d+", m.group(2))]


class SheetNotes:
    """The notes of one worksheet, loaded from its comments and VML parts."""

    def __init__(self, pkg: WorkbookPackage, sheet: str) -> None:
        self.pkg = pkg
        self.sheet_part = pkg.sheet_part(sheet)
        rels = pkg.rels(self.sheet_part)
        self.comments_part = next((t for _, ty, t, ext in rels if ty == REL_COMMENTS and not ext), None)
        self.vml_part: str | None = None
        head = pkg.read(self.sheet_part)
        m = _LEGACY.search(head, max(0, head.rfind(b"</sheetData>")))
        if m:
            rid = re.search(rb'\b(?:\w+:)?id="([^"]+)"', m.group(2))
            if rid:
                want = rid.group(1).decode()
                self.vml_part = next((t for i, _, t, ext in rels if i == want and not ext), None)
        self.threaded: set[str] = set()
        for _, ty, t, ext in rels:
            if ty == REL_THREADED and not ext and pkg.has(t):
                root = etree.fromstring(pkg.read(t), SAFE_PARSER)
                self.threaded.update(e.get("ref", "") for e in root.iter() if e.get("ref"))
        self._comments: etree._Element | None = None
        self._vml: str | None = None
        self._new_shapes: list[tuple[str, int]] = []  # (ref, number of text lines)
        self._pending: list[str] = []  # new <comment> elements as text (default namespace)
        self._author: tuple[etree._Element, int, etree._Element] | None = None  # see add()
        self.changed = False

    # -- reading ---------------------------------------------------------------------------
    def comments(self) -> etree._Element | None:
        if self._comments is None and self.comments_part and self.pkg.has(self.comments_part):
            self._comments = self.pkg.xml(self.comments_part)
        return self._comments

    @staticmethod
    def _is_sopxl(comment: etree._Element) -> bool:
        """Whether the note's text starts with NOTE_PREFIX, reading only its first pieces of text."""
        text = comment.find(_M + "text")
        if text is None:
            return False
        head = ""
        for piece in text.itertext():
            head += str(piece)
            if len(head) >= len(NOTE_PREFIX):
                break
        return head.startswith(NOTE_PREFIX)

    def note_ref_set(self) -> set[str]:
        """The cells holding a legacy note (sopxl's or anyone else's)."""
        root = self.comments()
        if root is None:
            return set()
        return {c.get("ref", "") for c in root.iter(_M + "comment")}

    def sopxl_note_refs(self) -> set[str]:
        """The cells holding a note of sopxl's (text starting with NOTE_PREFIX)."""
        root = self.comments()
        if root is None:
            return set()
        return {c.get("ref", "") for c in root.iter(_M + "comment") if self._is_sopxl(c)}

    def vml(self) -> str | None:
        if self._vml is None and self.vml_part and self.pkg.has(self.vml_part):
            self._vml = self.pkg.read(self.vml_part).decode("utf-8", "surrogateescape")
        return self._vml

    # -- changing ------------------------------------------------------------------------------
    def remove(self, refs: set[str]) -> None:
        """Remove sopxl's notes (text starting with 'sopxl:') on `refs`."""
        if not refs:
            return
        root = self.comments()
        removed: set[tuple[int, int]] = set()
        if root is not None:
            for c in list(root.iter(_M + "comment")):
                ref = c.get("ref", "")
                if ref in refs and self._is_sopxl(c):
                    parent = c.getparent()
                    assert parent is not None
                    parent.remove(c)
                    row, col = spec.parse_ref(ref)
                    removed.add((row - 1, col - 1))
                    self.changed = True
        vml = self.vml()
        if vml is not None and removed:

            def keep(m: re.Match[str]) -> str:
                shape = m.group(0)
                if 'ObjectType="Note"' not in shape:
                    return shape
                r = re.search(r"<x:Row>(\d+)</x:Row>", shape)
                c = re.search(r"<x:Column>(\d+)</x:Column>", shape)
                if r and c and (int(r.group(1)), int(c.group(1))) in removed:
                    return ""
                return shape

            self._vml = _SHAPE.sub(keep, vml)

    def add(self, ref: str, text: str) -> None:
        """Add a sopxl note (text must start with 'sopxl:') on `ref`."""
        assert text.startswith(NOTE_PREFIX)
        text = clip_text(text, MAX_NOTE_TEXT)
        root = self.comments()
        cached = self._author
        if cached is not None and cached[0] is root:  # the usual case: not the first note
            author_id, clist = cached[1], cached[2]
        else:
            root, author_id, clist = self._prepare(root)
            self._author = (root, author_id, clist)
        body = text[len(NOTE_PREFIX) :]
        rich = f'<comment ref="{ref}" authorId="{author_id}" shapeId="0"><text>{_RICH_HEAD}{xml_text(body)}{_RICH_TAIL}'
        if root.prefix is None:
            self._pending.append(rich)  # spliced in as text by finish(): no tree per note
        else:
            wrapped = f'<x xmlns="{NS_MAIN}">{rich}</x>'.encode()
            clist.append(etree.fromstring(wrapped, SAFE_PARSER)[0])
        lines = sum(max(1, math.ceil(len(line) / 40)) for line in text.split("\n"))
        self._new_shapes.append((ref, lines))
        self.changed = True

    def _prepare(self, root: etree._Element | None) -> tuple[etree._Element, int, etree._Element]:
        """The comments root (made when absent), sopxl's author id (added when absent) and the
        commentList element."""
        if root is None:
            root = etree.fromstring(
                b'<comments xmlns="%s"><authors/><commentList/></comments>' % NS_MAIN.encode()
            )
            self._comments = root
        authors = root.find(_M + "authors")
        if authors is None:
            authors = etree.Element(_M + "authors")
            root.insert(0, authors)
        names = [a.text or "" for a in authors.iter(_M + "author")]
        if AUTHOR in names:
            author_id = names.index(AUTHOR)
        else:
            etree.SubElement(authors, _M + "author").text = AUTHOR
            author_id = len(names)
        clist = root.find(_M + "commentList")
        if clist is None:
            clist = etree.SubElement(root, _M + "commentList")
        return root, author_id, clist

    # -- writing -------------------------------------------------------------------------------
    def finish(self) -> None:
        """Write the comments and VML parts back; drop them when no note is left."""
        if not self.changed:
            return
        pkg = self.pkg
        root = self._comments
        has_comments = root is not None and (
            bool(self._pending) or root.find(f"{_M}commentList/{_M}comment") is not None
        )
        vml = self.vml()
        if self._new_shapes:
            vml = self._add_shapes(vml)
        has_shapes = vml is not None and re.search(r"<v:shape\b", vml) is not None
        # comments part
        comments_data: bytes | None = None
        if has_comments and root is not None:
            if self.comments_part is None:
                self.comments_part = pkg.unique_part("xl", "comments", ".xml")
                pkg.add_rel(self.sheet_part, REL_COMMENTS, self.comments_part)
                pkg.set_override(self.comments_part, CT_COMMENTS)
            data = serialize(root)
            if self._pending:
                new = "".join(self._pending).encode("utf-8")
                if b"<commentList/>" in data:
                    data = data.replace(b"<commentList/>", b"<commentList>" + new + b"</commentList>", 1)
                else:
                    i = data.rindex(b"</commentList>")
                    data = data[:i] + new + data[i:]
                self._pending = []
            comments_data = data  # written once the sheet part is final (see below)
            self._comments = None
        elif self.comments_part is not None:
            self._drop_rel_to(self.comments_part)
            pkg.delete(self.comments_part)
            self.comments_part = None
        # VML drawing
        if has_shapes and vml is not None:
            if self.vml_part is None:
                self.vml_part = pkg.unique_part("xl/drawings", "vmlDrawing", ".vml")
                pkg.ensure_default("vml", CT_VML)
                rid = pkg.add_rel(self.sheet_part, REL_VML, self.vml_part)
                self._insert_legacy_drawing(rid)
        elif self.vml_part is not None:
            self._drop_rel_to(self.vml_part)
            pkg.delete(self.vml_part)
            self._remove_legacy_drawing()
            self.vml_part = None
        # The sheet part is final now. Writing a big part lets the package compress the
        # previous one, so the comments and VML parts come after any change of the sheet
        # (else the sheet would be compressed, decompressed and compressed again).
        if comments_data is not None and self.comments_part is not None:
            pkg.write(self.comments_part, comments_data)  # bytes now: the tree can go
        if has_shapes and vml is not None and self.vml_part is not None:
            pkg.write(self.vml_part, vml.encode("utf-8", "surrogateescape"))

    def _drop_rel_to(self, target: str) -> None:
        for rid, _, t, ext in self.pkg.rels(self.sheet_part):
            if t == target and not ext:
                self.pkg.remove_rel(self.sheet_part, rid)

    def _used_blocks(self) -> set[int]:
        used: set[int] = set()
        for name in self.pkg.part_names():
            if name.lower().endswith(".vml") and name != self.vml_part:
                used.update(self.pkg.derived(name, "idmap", _idmap_of))
        return used

    def _add_shapes(self, vml: str | None) -> str:
        if vml is None:
            vml = VML_NEW + "\n</xml>"
        if 'id="_x0000_t202"' not in vml:
            i = vml.find("<v:shape")
            if i < 0:
                i = vml.rfind("</xml>")
            vml = vml[:i] + SHAPETYPE + "\n" + vml[i:]
        blocks = _idmap_blocks(vml)
        used_ids = {int(x) for x in _SHAPE_ID.findall(vml)}
        taken_blocks = self._used_blocks()
        needed = len(self._new_shapes)
        candidates = iter(b for blk in blocks for b in range(blk * 1024 + 1, blk * 1024 + 1024) if b not in used_ids)
        ids = [i for _, i in zip(range(needed), candidates, strict=False)]
        new_blocks: list[int] = []
        blk = 1
        while len(ids) < needed:
            while blk in taken_blocks or blk in blocks or blk in new_blocks:
                blk += 1
            new_blocks.append(blk)
            ids.extend(range(blk * 1024 + 1, blk * 1024 + 1024)[: needed - len(ids)])
        if new_blocks:
            data = ",".join(str(b) for b in [*blocks, *new_blocks])
            if _IDMAP.search(vml):
                vml = _IDMAP.sub(lambda m: m.group(1) + data + m.group(3), vml, count=1)
            else:
                j = vml.find(">", vml.find("<xml")) + 1
                vml = vml[:j] + f'\n <o:shapelayout v:ext="edit">\n  <o:idmap v:ext="edit" data="{data}"/>\n </o:shapelayout>' + vml[j:]
        shapes = []
        z = vml.count("<v:shape ") + 1
        for (ref, lines), shape_id in zip(self._new_shapes, ids, strict=True):
            row, col = spec.parse_ref(ref)
            shapes.append(_note_shape(shape_id, row - 1, col - 1, lines, z))
            z += 1
        end = vml.rfind("</xml>")
        return vml[:end] + "".join(shapes) + vml[end:]

    def _insert_legacy_drawing(self, rid: str) -> None:
        xml = self.pkg.read(self.sheet_part)
        last = xml.rfind(b"sheetData")
        tail_start = xml.index(b">", last) + 1 if last >= 0 else 0
        m_root = re.search(rb"<(\w+:)?worksheet\b[^>]*>", xml)
        prefix = (m_root.group(1) or b"") if m_root else b""
        root_tag = m_root.group(0) if m_root else b""
        if b'xmlns:r="' + NS_R.encode() + b'"' in root_tag:
            elem = b'<%slegacyDrawing r:id="%s"/>' % (prefix, rid.encode())
        else:
            elem = b'<%slegacyDrawing xmlns:r="%s" r:id="%s"/>' % (prefix, NS_R.encode(), rid.encode())
        insert_at = xml.rfind(b"</%sworksheet>" % prefix)
        depth = 0
        for t in _TAG.finditer(xml, tail_start):
            if t.group(0).startswith((b"<!", b"<?")):
                continue
            closing, name, self_closing = t.group(1), t.group(2), t.group(3)
            local = name.split(b":")[-1]
            if closing:
                depth -= 1
                continue
            if depth == 0 and local in _AFTER_LEGACY:
                insert_at = t.start()
                break
            if not self_closing:
                depth += 1
        self.pkg.write(self.sheet_part, xml[:insert_at] + elem + xml[insert_at:])

    def _remove_legacy_drawing(self) -> None:
        xml = self.pkg.read(self.sheet_part)
        tail = max(0, xml.rfind(b"</sheetData>"))
        m = _LEGACY.search(xml, tail)
        if m:
            self.pkg.write(self.sheet_part, xml[: m.start()] + xml[m.end() :])


def _note_shape(shape_id: int, row0: int, col0: int, lines: int, z: int) -> str:
    """A VML note box: 4 columns wide, tall enough for its text, hidden until hovered."""
    width_cols = 4
    height_rows = max(4, math.ceil(lines * 0.75) + 1)
    top = max(0, row0 - 1)
    width_pt = width_cols * 48
    height_pt = height_rows * 15
    return (
        f'<v:shape id="_x0000_s{shape_id}" type="#_x0000_t202" style=\'position:absolute;'
        f"margin-left:{(col0 + 1) * 48 + 11.25:.2f}pt;margin-top:{top * 15 + 7.5:.2f}pt;width:{width_pt}pt;"
        f"height:{height_pt}pt;z-index:{z};visibility:hidden' fillcolor=\"#ffffe1\" o:insetmode=\"auto\">\n"
        '  <v:fill color2="#ffffe1"/>\n'
        '  <v:shadow on="t" color="black" obscured="t"/>\n'
        '  <v:path o:connecttype="none"/>\n'
        "  <v:textbox style='mso-direction-alt:auto'>\n"
        "   <div style='text-align:left'></div>\n"
        "  </v:textbox>\n"
        '  <x:ClientData ObjectType="Note">\n'
        "   <x:MoveWithCells/>\n"
        "   <x:SizeWithCells/>\n"
        f"   <x:Anchor>{col0 + 1}, 15, {top}, 10, {col0 + 1 + width_cols}, 15, {top + height_rows}, 4</x:Anchor>\n"
        "   <x:AutoFill>False</x:AutoFill>\n"
        f"   <x:Row>{row0}</x:Row>\n"
        f"   <x:Column>{col0}</x:Column>\n"
        "  </x:ClientData>\n"
        " </v:shape>"
    )


__all__ = ["MAX_NOTE_TEXT", "NOTE_PREFIX", "SheetNotes", "relative"]
