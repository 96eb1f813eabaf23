"""Graft: copy a sheet built elsewhere (usually by XlsxWriter) into an existing package.

The sheet's XML comes over with its shared strings turned into inline strings and its cell
formats merged into the target's styles (appended, remapped). Its relationships come along:
hyperlinks, drawing with charts and images, comments; so do the defined names local to it
(print titles, print area, filter range). An existing sheet of the same name is replaced in
place (its old parts removed); otherwise the sheet is added after `after` or at the end.
"""

from __future__ import annotations

import copy
import posixpath
import re
from pathlib import Path

from lxml import etree

from sopxl.ooxml.editor import WorkbookPackage, serialize
from sopxl.ooxml.names import NS_MAIN, SAFE_PARSER

_M = f"{{{NS_MAIN}}}"


def graft_sheet(
    pkg: WorkbookPackage,
    name: str,
    source: Path,
    source_sheet: str | None = None,
    state: str = "visible",
    after: str | None = None,
) -> None:
    src = WorkbookPackage.open(source)
    sheets = src.sheets()
    if not sheets:
        raise ValueError(f"{source} has no sheet")
    src_index = 0
    if source_sheet is not None:
        found = src.sheet_index(source_sheet)
        if found is None:
            raise KeyError(source_sheet)
        src_index = found
    sp = sheets[src_index]
    root = etree.fromstring(src.read(sp.part), SAFE_PARSER)

    _inline_strings(root, src.shared_strings())
    xf_map, dxf_map = pkg.styles().merge(src.styles())
    _remap_styles(root, xf_map, dxf_map)
    for view in root.iter(_M + "sheetView"):
        if "tabSelected" in view.attrib:
            del view.attrib["tabSelected"]

    existing = pkg.find_sheet(name)
    if existing is not None:
        name = existing.name
    part, index = pkg.put_sheet(name, serialize(root), state=state, after=after)

    copied: dict[str, str] = {}
    for rid, rtype, target, external in src.rels(sp.part):
        if external:
            pkg.add_rel(part, rtype, target, external=True, rel_id=rid)
        elif src.has(target):
            pkg.add_rel(part, rtype, _copy_tree(src, pkg, target, copied, sp.name, name), rel_id=rid)

    _copy_local_names(src, pkg, src_index, sp.name, index, name)


def _inline_strings(root: etree._Element, strings: list[etree._Element]) -> None:
    for c in root.iter(_M + "c"):
        if c.get("t") != "s":
            continue
        v = c.find(_M + "v")
        if v is None or v.text is None:
            continue
        i = int(v.text)
        is_ = etree.Element(_M + "is")
        if i < len(strings):
            for child in strings[i]:
                is_.append(copy.deepcopy(child))
        v.addprevious(is_)
        c.remove(v)
        c.set("t", "inlineStr")


def _remap_styles(root: etree._Element, xf_map: list[int], dxf_map: list[int]) -> None:
    def mapped(value: str | None, mapping: list[int]) -> str | None:
        if value is None or not value.isdigit():
            return None
        i = int(value)
        return str(mapping[i]) if i < len(mapping) else None

    for tag, attr, mapping in (("c", "s", xf_map), ("row", "s", xf_map), ("col", "style", xf_map)):
        for elem in root.iter(_M + tag):
            new = mapped(elem.get(attr), mapping)
            if new is not None:
                elem.set(attr, new)
    for rule in root.iter(_M + "cfRule"):
        new = mapped(rule.get("dxfId"), dxf_map)
        if new is not None:
            rule.set("dxfId", new)


def _rename_refs(data: bytes, old: str, new: str) -> bytes:
    if old == new:
        return data
    quoted_old = "'" + old.replace("'", "''") + "'!"
    quoted_new = ("'" + new.replace("'", "''") + "'!").encode()
    data = data.replace(quoted_old.encode(), quoted_new)
    if re.fullmatch(r"[A-Za-z_][A-Za-z0-9_.]*", old):
        data = re.sub(rb"(?<![\w'])" + re.escape(old.encode()) + rb"!", quoted_new, data)
    return data


def _copy_tree(
    src: WorkbookPackage, pkg: WorkbookPackage, part: str, copied: dict[str, str], old_name: str, new_name: str
) -> str:
    if part in copied:
        return copied[part]
    folder, base = posixpath.split(part)
    stem, ext = posixpath.splitext(base)
    new = pkg.unique_part(folder, re.sub(r"\d+$", "", stem) or "part", ext)
    copied[part] = new
    data = src.read(part)
    if ext.lower() == ".xml":
        data = _rename_refs(data, old_name, new_name)
    pkg.write(new, data)
    ct = src.content_type(part)
    if ct:
        has_override = any(
            o.get("PartName", "").lstrip("/").lower() == part.lower()
            for o in src.xml("[Content_Types].xml").iter("{*}Override")
        )
        if has_override:
            pkg.set_override(new, ct)
        else:
            pkg.ensure_default(ext.lstrip("."), ct)
    for rid, rtype, target, external in src.rels(part):
        if external:
            pkg.add_rel(new, rtype, target, external=True, rel_id=rid)
        elif src.has(target):
            pkg.add_rel(new, rtype, _copy_tree(src, pkg, target, copied, old_name, new_name), rel_id=rid)
    return new


def _copy_local_names(
    src: WorkbookPackage, pkg: WorkbookPackage, src_index: int, old_name: str, index: int, new_name: str
) -> None:
    wanted: list[etree._Element] = []
    for dn in src.local_names(src_index):
        new = copy.deepcopy(dn)
        new.set("localSheetId", str(index))
        text = (new.text or "").encode()
        new.text = _rename_refs(text, old_name, new_name).decode()
        wanted.append(new)
    current = pkg.local_names(index)

    def sig(elems: list[etree._Element]) -> list[tuple[str, str, str]]:
        return sorted((e.get("name", ""), e.get("hidden", ""), e.text or "") for e in elems)

    if sig(current) == sig(wanted):
        return
    wb = pkg.workbook()
    for dn in current:
        parent = dn.getparent()
        assert parent is not None
        parent.remove(dn)
    names = wb.find(_M + "definedNames")
    if names is None and wanted:
        names = etree.Element(_M + "definedNames")
        anchor = wb.find(_M + "sheets")
        assert anchor is not None
        anchor.addnext(names)
    if names is not None:
        for dn in wanted:
            names.append(dn)
        if len(names) == 0:
            wb.remove(names)
    pkg.touch(pkg.workbook_part)

