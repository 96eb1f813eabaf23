"""WorkbookPackage: edit an existing .xlsx/.xlsm at the level of its zip package.

Only the parts sopxl owns or must touch are rewritten; every other member is copied raw
(same compressed bytes) when the package is saved.
"""

from __future__ import annotations

import posixpath
import zipfile
from collections.abc import Callable, Iterator, Mapping
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from lxml import etree

from sopxl.core import spec
from sopxl.core.errors import SopxlError, UnreadableWorkbook
from sopxl.ooxml import cells
from sopxl.ooxml.atomic import FileStamp, atomic_write, check_writable, real_file
from sopxl.ooxml.deflate import BIG_LEVEL
from sopxl.ooxml.names import (
    NS_CT,
    NS_MAIN,
    NS_PKG_REL,
    NS_R,
    REL_OFFICE_DOCUMENT,
    REL_WORKSHEET,
    SAFE_PARSER,
    SheetPart,
    rels_path,
    resolve_target,
)
from sopxl.ooxml.styles import Styles
from sopxl.ooxml.zipio import RawMember, read_package, write_members

_M = f"{{{NS_MAIN}}}"
_R = f"{{{NS_R}}}"
_PR = f"{{{NS_PKG_REL}}}"
_CT = f"{{{NS_CT}}}"
CT_WORKSHEET = "application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"
STATES = ("visible", "hidden", "veryHidden")
BIG_PART = 1 << 20  # new parts above this size are held compressed until saved


def _level(data: bytes) -> int:
    """Compression level of a written part: the fast one beyond a few pages of XML (the notes
    and drawings of a marked month are a few hundred KB each), zlib's default below."""
    return BIG_LEVEL if len(data) > 1 << 16 else 6


@contextmanager
def structure_errors(what: str) -> Iterator[None]:
    """Refuse, in one Indonesian sentence without library internals, a package whose
    structure an edit cannot follow (`what` says what could not be done, naming the file)."""
    try:
        yield
    except SopxlError:
        raise
    except (zipfile.BadZipFile, KeyError, ValueError, etree.XMLSyntaxError, IndexError):
        raise UnreadableWorkbook(
            f"{what}: struktur buku kerja tidak dikenali (ada bagian paket yang rusak atau tidak "
            "lengkap). Berkas tidak diubah; simpan ulang buku kerja dari Excel atau LibreOffice, "
            "lalu ulangi."
        ) from None


def serialize(root: etree._Element) -> bytes:
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8", standalone=True)


def relative(source_part: str, target_part: str) -> str:
    return posixpath.relpath(target_part, posixpath.dirname(source_part) or ".")


class WorkbookPackage:
    """An .xlsx/.xlsm held in memory as raw zip members, parsed lazily part by part."""

    def __init__(self, path: Path, members: list[RawMember], stamp: FileStamp | None = None) -> None:
        self.path = path
        # what was read (None: not from a file): the save refuses to replace a changed file
        self.stamp = stamp
        self._members: dict[str, RawMember] = {m.name: m for m in members}
        self._order: list[str] = [m.name for m in members]
        # new parts: bytes, or (big ones) compressed in a worker thread (zlib releases the GIL,
        # so compressing one sheet overlaps with editing the next)
        self._new: dict[str, bytes | RawMember | Future[RawMember]] = {}
        self._pool: ThreadPoolExecutor | None = None
        self._last: tuple[str, bytes] | None = None  # the last part read, decompressed
        self._pending: str | None = None  # the big new part not compressed yet
        self._sheets: list[SheetPart] | None = None  # cache, dropped when the workbook changes
        self._trees: dict[str, etree._Element] = {}
        self._dirty: set[str] = set()
        self._deleted: set[str] = set()
        self._derived: dict[tuple[str, str], tuple[object, Any]] = {}  # see derived()
        self._styles: Styles | None = None
        self._shared: list[etree._Element] | None = None
        self._styles_part = ""
        self.workbook_part = self._find_workbook_part()

    @classmethod
    def open(cls, path: Path | str) -> WorkbookPackage:
        path = Path(path)
        members, stamp = read_package(path)
        return cls(path, members, stamp)

    # -- raw parts -------------------------------------------------------------------------
    def has(self, name: str) -> bool:
        return name not in self._deleted and (name in self._new or name in self._members or name in self._trees)

    def part_names(self) -> list[str]:
        names = [n for n in self._order if self.has(n)]
        return names + [n for n in (*self._new, *self._trees) if n not in self._members and self.has(n)]

    def read(self, name: str) -> bytes:
        if name in self._deleted:
            raise KeyError(name)
        if name in self._trees and name in self._dirty:
            return serialize(self._trees[name])
        if self._last is not None and self._last[0] == name:
            return self._last[1]
        new = self._new.get(name)
        if isinstance(new, bytes):
            return new
        if isinstance(new, Future):
            new = new.result()
        data = new.data() if new is not None else self._members[name].data()
        self._last = (name, data)
        return data

    def write(self, name: str, data: bytes) -> None:
        self._changed(name)
        self._deleted.discard(name)
        self._trees.pop(name, None)
        self._dirty.discard(name)
        # Big parts are compressed once they are no longer the one being edited, so that at
        # most one big part is held uncompressed and none is compressed twice.
        pending = self._pending
        if pending is not None and pending != name and isinstance(self._new.get(pending), bytes):
            self._compress(pending)
        self._pending = name if len(data) > BIG_PART else None
        self._new[name] = data
        self._last = (name, data)

    def _compress(self, name: str) -> None:
        data = self._new[name]
        if isinstance(data, bytes):
            original = self._members.get(name)
            stamp = original.date_time if original else (1980, 1, 1, 0, 0, 0)
            if self._pool is None:
                self._pool = ThreadPoolExecutor(max_workers=2, thread_name_prefix="sopxl-zip")
            self._new[name] = self._pool.submit(RawMember.from_data, name, data, stamp, BIG_LEVEL)

    def derived(self, name: str, key: str, compute: Callable[[bytes], Any]) -> Any:
        """compute(read(name)), remembered while the part stays the same object (a part
        changed, deleted or held as an edited tree is computed afresh)."""
        if name in self._dirty or name in self._deleted:
            return compute(self.read(name))
        token = self._new.get(name, self._members.get(name))
        hit = self._derived.get((name, key))
        if hit is not None and hit[0] is token:
            return hit[1]
        value = compute(self.read(name))
        self._derived[(name, key)] = (token, value)
        return value

    def delete(self, name: str) -> None:
        self._changed(name)
        self._last = None
        self._new.pop(name, None)
        self._trees.pop(name, None)
        self._dirty.discard(name)
        if name in self._members:
            self._deleted.add(name)
        self.remove_override(name)
        rp = rels_path(name)
        if rp != name and self.has(rp):
            self.delete(rp)

    def xml(self, name: str) -> etree._Element:
        """The parsed tree of a part; call touch(name) after changing it."""
        tree = self._trees.get(name)
        if tree is None:
            tree = etree.fromstring(self.read(name), SAFE_PARSER)
            self._trees[name] = tree
        return tree

    def _changed(self, name: str) -> None:
        if name.endswith(("workbook.xml", "workbook.xml.rels", ".xml.rels")) or name == self.__dict__.get("workbook_part"):
            self._sheets = None

    def touch(self, name: str) -> None:
        self._changed(name)
        if self._last is not None and self._last[0] == name:
            self._last = None
        self._deleted.discard(name)
        self._new.pop(name, None)
        self._dirty.add(name)

    def set_tree(self, name: str, root: etree._Element) -> None:
        self._trees[name] = root
        self.touch(name)

    def unique_part(self, folder: str, stem: str, ext: str) -> str:
        """A free part name folder/stemN.ext."""
        i = 1
        taken = {n.lower() for n in self.part_names()}
        while True:
            name = f"{folder}/{stem}{i}{ext}"
            if name.lower() not in taken:
                return name
            i += 1

    # -- content types -----------------------------------------------------------------------
    def _ct(self) -> etree._Element:
        return self.xml("[Content_Types].xml")

    def content_type(self, part: str) -> str | None:
        root = self._ct()
        for o in root.iter(_CT + "Override"):
            if o.get("PartName", "").lstrip("/").lower() == part.lower():
                return o.get("ContentType")
        ext = posixpath.splitext(part)[1].lstrip(".").lower()
        for d in root.iter(_CT + "Default"):
            if d.get("Extension", "").lower() == ext:
                return d.get("ContentType")
        return None

    def set_override(self, part: str, content_type: str) -> None:
        root = self._ct()
        for o in root.iter(_CT + "Override"):
            if o.get("PartName", "").lstrip("/").lower() == part.lower():
                if o.get("ContentType") != content_type:
                    o.set("ContentType", content_type)
                    self.touch("[Content_Types].xml")
                return
        etree.SubElement(root, _CT + "Override", PartName="/" + part, ContentType=content_type)
        self.touch("[Content_Types].xml")

    def remove_override(self, part: str) -> None:
        if part == "[Content_Types].xml" or not self.has("[Content_Types].xml"):
            return
        root = self._ct()
        for o in list(root.iter(_CT + "Override")):
            if o.get("PartName", "").lstrip("/").lower() == part.lower():
                root.remove(o)
                self.touch("[Content_Types].xml")

    def ensure_default(self, ext: str, content_type: str) -> None:
        root = self._ct()
        for d in root.iter(_CT + "Default"):
            if d.get("Extension", "").lower() == ext.lower():
                return
        elem = etree.Element(_CT + "Default", Extension=ext, ContentType=content_type)
        first_override = root.find(_CT + "Override")
        if first_override is not None:
            first_override.addprevious(elem)
        else:
            root.append(elem)
        self.touch("[Content_Types].xml")

    # -- relationships -------------------------------------------------------------------------
    def rels(self, part: str) -> list[tuple[str, str, str, bool]]:
        """(id, type, target part or URL, external) of each relationship of `part`."""
        rp = rels_path(part)
        if not self.has(rp):
            return []
        out = []
        for rel in self.xml(rp).iter(_PR + "Relationship"):
            external = rel.get("TargetMode") == "External"
            target = rel.get("Target", "")
            out.append(
                (rel.get("Id", ""), rel.get("Type", ""), target if external else resolve_target(part, target), external)
            )
        return out

    def _rels_root(self, part: str) -> etree._Element:
        rp = rels_path(part)
        if not self.has(rp):
            root = etree.Element(_PR + "Relationships", nsmap={None: NS_PKG_REL})  # type: ignore[dict-item]
            self.set_tree(rp, root)
            self.ensure_default("rels", "application/vnd.openxmlformats-package.relationships+xml")
        return self.xml(rp)

    def add_rel(self, part: str, rel_type: str, target: str, external: bool = False, rel_id: str | None = None) -> str:
        root = self._rels_root(part)
        ids = {r.get("Id") for r in root}
        if rel_id is None or rel_id in ids:
            n = 1
            while f"rId{n}" in ids:
                n += 1
            rel_id = f"rId{n}"
        rel = etree.SubElement(root, _PR + "Relationship", Id=rel_id, Type=rel_type)
        rel.set("Target", target if external else relative(part, target))
        if external:
            rel.set("TargetMode", "External")
        self.touch(rels_path(part))
        return rel_id

    def remove_rel(self, part: str, rel_id: str) -> None:
        rp = rels_path(part)
        if not self.has(rp):
            return
        root = self.xml(rp)
        for rel in list(root):
            if rel.get("Id") == rel_id:
                root.remove(rel)
                self.touch(rp)

    def referenced_elsewhere(self, target: str, excluded: set[str]) -> bool:
        """Whether any part outside `excluded` has a relationship to `target`."""
        for name in self.part_names():
            if not name.endswith(".rels"):
                continue
            folder = posixpath.dirname(posixpath.dirname(name))
            source = posixpath.join(folder, posixpath.basename(name)[: -len(".rels")])
            if source in excluded:
                continue
            try:
                rels = self.rels(source) if source else self._package_rels()
            except etree.XMLSyntaxError:
                continue
            if any(t == target and not ext for _, _, t, ext in rels):
                return True
        return False

    def _package_rels(self) -> list[tuple[str, str, str, bool]]:
        root = self.xml("_rels/.rels")
        return [
            (r.get("Id", ""), r.get("Type", ""), resolve_target("", r.get("Target", "")), r.get("TargetMode") == "External")
            for r in root.iter(_PR + "Relationship")
        ]

    def remove_part_tree(self, part: str) -> None:
        """Delete `part` and every part it (transitively) owns that nothing else references."""
        tree: list[str] = []
        stack = [part]
        while stack:
            p = stack.pop()
            if p in tree or not self.has(p):
                continue
            tree.append(p)
            stack.extend(t for _, _, t, ext in self.rels(p) if not ext)
        owned = set(tree)
        for p in tree:
            if p == part or not self.referenced_elsewhere(p, owned):
                self.delete(p)

    # -- workbook ------------------------------------------------------------------------------
    def _find_workbook_part(self) -> str:
        for _, rtype, target, _ext in self._package_rels():
            if rtype == REL_OFFICE_DOCUMENT:
                return target
        raise KeyError("officeDocument")

    def workbook(self) -> etree._Element:
        return self.xml(self.workbook_part)

    def sheets(self) -> list[SheetPart]:
        if self._sheets is not None:
            return list(self._sheets)
        targets = {rid: t for rid, _, t, _ in self.rels(self.workbook_part)}
        out = []
        for sheet in self.workbook().iterfind(f"{_M}sheets/{_M}sheet"):
            rid = sheet.get(_R + "id", "")
            out.append(
                SheetPart(sheet.get("name", ""), targets.get(rid, ""), sheet.get("state", "visible"), rid, sheet.get("sheetId", ""))
            )
        self._sheets = out
        return list(out)

    def sheet_names(self) -> list[str]:
        return [s.name for s in self.sheets()]

    def find_sheet(self, name: str) -> SheetPart | None:
        key = spec.norm(name)
        for s in self.sheets():
            if spec.norm(s.name) == key:
                return s
        return None

    def sheet_index(self, name: str) -> int | None:
        key = spec.norm(name)
        for i, s in enumerate(self.sheets()):
            if spec.norm(s.name) == key:
                return i
        return None

    def set_sheet_state(self, name: str, state: str) -> None:
        if state not in STATES:
            raise ValueError(f"unknown sheet state {state!r}")
        for sheet in self.workbook().iterfind(f"{_M}sheets/{_M}sheet"):
            if spec.norm(sheet.get("name", "")) == spec.norm(name):
                current = sheet.get("state", "visible")
                if current != state:
                    if state == "visible":
                        del sheet.attrib["state"]
                    else:
                        sheet.set("state", state)
                    self.touch(self.workbook_part)
                return

    def add_sheet_entry(self, name: str, part: str, state: str, after: str | None) -> int:
        """Register a new worksheet part in the workbook; returns its 0-based position."""
        wb = self.workbook()
        sheets_el = wb.find(_M + "sheets")
        assert sheets_el is not None
        existing = list(sheets_el.iterfind(_M + "sheet"))
        ids = [int(s.get("sheetId", "0")) for s in existing]
        rid = self.add_rel(self.workbook_part, REL_WORKSHEET, part)
        elem = etree.Element(_M + "sheet", name=name, sheetId=str(max([0, *ids]) + 1))
        if state != "visible":
            elem.set("state", state)
        elem.set(_R + "id", rid)
        position = len(existing)
        if after is not None:
            idx = self.sheet_index(after)
            if idx is not None:
                position = idx + 1
        if position >= len(existing):
            sheets_el.append(elem)
        else:
            existing[position].addprevious(elem)
            self._shift_sheet_indices(position)
        self.set_override(part, CT_WORKSHEET)
        self.touch(self.workbook_part)
        return position

    def _shift_sheet_indices(self, position: int) -> None:
        wb = self.workbook()
        for dn in wb.iterfind(f"{_M}definedNames/{_M}definedName"):
            local = dn.get("localSheetId")
            if local is not None and int(local) >= position:
                dn.set("localSheetId", str(int(local) + 1))
        for view in wb.iterfind(f"{_M}bookViews/{_M}workbookView"):
            for attr in ("activeTab", "firstSheet"):
                v = view.get(attr)
                if v is not None and int(v) >= position and (attr == "activeTab" or int(v) > position):
                    view.set(attr, str(int(v) + 1))

    def local_names(self, index: int) -> list[etree._Element]:
        return [
            dn
            for dn in self.workbook().iterfind(f"{_M}definedNames/{_M}definedName")
            if dn.get("localSheetId") == str(index)
        ]

    # -- styles and strings ------------------------------------------------------------------------
    def styles_part(self) -> str | None:
        for _, rtype, target, _ in self.rels(self.workbook_part):
            if rtype.endswith("/styles"):
                return target
        return None

    def styles(self) -> Styles:
        if self._styles is None:
            part = self.styles_part()
            listed = part is not None
            if part is None or not self.has(part):  # none, or listed but missing: a default one
                part = part or posixpath.join(posixpath.dirname(self.workbook_part), "styles.xml")
                root = etree.fromstring(
                    b'<styleSheet xmlns="%s"><fonts count="1"><font/></fonts><fills count="2"><fill>'
                    b'<patternFill patternType="none"/></fill><fill><patternFill patternType="gray125"/>'
                    b'</fill></fills><borders count="1"><border/></borders><cellXfs count="1"><xf numFmtId="0"'
                    b' fontId="0" fillId="0" borderId="0" xfId="0"/></cellXfs></styleSheet>' % NS_MAIN.encode()
                )
                self.set_tree(part, root)
                if not listed:
                    self.add_rel(self.workbook_part, NS_R + "/styles", part)
                self.set_override(part, "application/vnd.openxmlformats-officedocument.spreadsheetml.styles+xml")
            self._styles = Styles(self.xml(part))
            self._styles_part = part
        return self._styles

    def shared_strings(self) -> list[etree._Element]:
        if self._shared is None:
            self._shared = []
            for _, rtype, target, _ in self.rels(self.workbook_part):
                if rtype.endswith("/sharedStrings") and self.has(target):
                    self._shared = etree.fromstring(self.read(target), SAFE_PARSER).findall(_M + "si")
        return self._shared

    # -- cells ---------------------------------------------------------------------------------
    def sheet_part(self, sheet: str) -> str:
        found = self.find_sheet(sheet)
        if found is None or not found.part:
            raise KeyError(sheet)
        return found.part

    def edit_cells(
        self, sheet: str, edits: Mapping[tuple[int, int], cells.CellEdit], drop_rows_if_empty: set[int] | None = None
    ) -> None:
        part = self.sheet_part(sheet)
        before = self.read(part)
        after = cells.edit_cells(before, edits, frozenset(drop_rows_if_empty or ()))
        if after != before:
            self.write(part, after)

    def set_cell_values(self, sheet: str, values: Mapping[str, Any]) -> None:
        """Write values (str/number/date/bool/None) into cells, keeping each cell's style."""
        part = self.sheet_part(sheet)
        prefix = cells.prefix_of(self.read(part)[:4096])
        edits: dict[tuple[int, int], cells.CellEdit] = {}
        for ref, value in values.items():
            row, col = spec.parse_ref(ref)
            edits[(row, col)] = self._value_edit(spec.cell_ref(row, col), value, prefix)
        self.edit_cells(sheet, edits)

    def _value_edit(self, ref: str, value: Any, prefix: bytes) -> cells.CellEdit:
        import datetime as dt

        def edit(elem: bytes | None) -> bytes | None:
            s = cells.get_style(elem)
            if isinstance(value, dt.date | dt.datetime):
                s = self.styles().with_date_format(s)
            return cells.value_cell(ref, value, s, prefix)

        return edit

    def read_values(self, sheet: str) -> dict[tuple[int, int], Any]:
        """Values of a (small) sheet: (row, col) -> str/float/bool; formulas give cached values."""
        part = self.sheet_part(sheet)
        root = etree.fromstring(self.read(part), SAFE_PARSER)
        out: dict[tuple[int, int], Any] = {}
        for c in root.iter(_M + "c"):
            ref = c.get("r")
            if not ref:
                continue
            t = c.get("t", "n")
            v = c.find(_M + "v")
            value: Any = None
            if t == "inlineStr":
                is_ = c.find(_M + "is")
                value = "".join(str(t) for t in is_.itertext()) if is_ is not None else ""
            elif v is None or v.text is None:
                continue
            elif t == "s":
                strings = self.shared_strings()
                i = int(v.text)
                value = "".join(str(t) for t in strings[i].itertext()) if i < len(strings) else ""
            elif t in ("str", "e"):
                value = v.text
            elif t == "b":
                value = v.text == "1"
            else:
                try:
                    value = float(v.text)
                except ValueError:
                    value = v.text
            out[spec.parse_ref(ref)] = value
        return out

    # -- sheets sopxl writes -------------------------------------------------------------------------
    def put_sheet(
        self,
        name: str,
        sheet_xml: bytes,
        state: str = "visible",
        after: str | None = None,
    ) -> tuple[str, int]:
        """Install worksheet XML under sheet `name`: replace that sheet's part (and the parts
        it owns) or add a new sheet. Returns (part name, sheet index)."""
        existing = self.find_sheet(name)
        if existing is not None and existing.part:
            part = existing.part
            for _, _, target, ext in self.rels(part):
                if not ext:
                    self.remove_part_tree(target)
            if self.has(rels_path(part)):
                self.delete(rels_path(part))
            self.write(part, sheet_xml)
            self.set_sheet_state(existing.name, state)
            self._drop_calc_chain_entries(existing.sheet_id)
            index = self.sheet_index(existing.name)
            assert index is not None
            return part, index
        folder = posixpath.join(posixpath.dirname(self.workbook_part), "worksheets")
        part = self.unique_part(folder, "sheet", ".xml")
        self.write(part, sheet_xml)
        index = self.add_sheet_entry(name, part, state, after)
        return part, index

    def _drop_calc_chain_entries(self, sheet_id: str) -> None:
        for _, rtype, target, _ in self.rels(self.workbook_part):
            if rtype.endswith("/calcChain") and self.has(target):
                data = self.read(target)
                if f'i="{sheet_id}"'.encode() in data:
                    root = self.xml(target)
                    current = "0"
                    for c in list(root):
                        current = c.get("i", current)
                        if current == sheet_id:
                            nxt = c.getnext()
                            if c.get("i") is not None and nxt is not None and nxt.get("i") is None:
                                nxt.set("i", current)
                            root.remove(c)
                    self.touch(target)

    def replace_sheet_from_xlsx(
        self,
        name: str,
        source_xlsx: Path,
        source_sheet: str | None = None,
        state: str = "visible",
        after: str | None = None,
    ) -> None:
        """Copy a sheet of another workbook (e.g. built with XlsxWriter) into this one."""
        from sopxl.ooxml.graft import graft_sheet

        graft_sheet(self, name, Path(source_xlsx), source_sheet, state, after)

    # -- saving ------------------------------------------------------------------------------
    def _final_members(self) -> list[RawMember]:
        if self._styles is not None and self._styles.changed:
            self.touch(self._styles_part)
        for name, new in list(self._new.items()):
            if isinstance(new, bytes) and len(new) > BIG_PART:
                self._compress(name)
        out: list[RawMember] = []
        seen: set[str] = set()
        for name in self.part_names():
            if name in seen:
                continue
            seen.add(name)
            original = self._members.get(name)
            stamp = original.date_time if original else (1980, 1, 1, 0, 0, 0)
            if name in self._dirty:
                data = serialize(self._trees[name])
                out.append(RawMember.from_data(name, data, stamp, _level(data)))
            elif name in self._new:
                new = self._new[name]
                if isinstance(new, Future):
                    new = new.result()
                out.append(new if isinstance(new, RawMember) else RawMember.from_data(name, new, stamp, _level(new)))
            elif original is not None:
                out.append(original)
        return out

    def save(self, dest: Path | None = None, backup: bool = True) -> Path:
        """Write the package atomically to `dest` (default: where it was opened from).

        Refuses (WorkbookBusy) when the target is open in Excel or read-only, and
        (WorkbookChanged) when it is the file this package was read from and that file changed
        since. With `backup`, the previous version of the target is kept beside it (see
        atomic.backup_path).
        """
        target = Path(dest) if dest is not None else self.path
        check_writable(target)
        members = self._final_members()
        if self._pool is not None:
            self._pool.shutdown(wait=True)
            self._pool = None
        same = real_file(target) == real_file(self.path)
        # a copy elsewhere carries the original's permission bits, not a new file's
        mode_from = None if same else self.path
        expect = self.stamp if same else None
        saved = atomic_write(
            target, lambda fh: write_members(fh, members), backup=backup, mode_from=mode_from, expect=expect
        )
        if same:
            self.stamp = None  # saved: the file is now this package, not what was read
        return saved


