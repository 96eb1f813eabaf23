"""Small, shared facts about the OOXML package: namespaces and where each sheet's part lives."""

from __future__ import annotations

import posixpath
import zipfile
from dataclasses import dataclass
from typing import Final

from lxml import etree

NS_MAIN: Final = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
NS_R: Final = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
NS_PKG_REL: Final = "http://schemas.openxmlformats.org/package/2006/relationships"
NS_CT: Final = "http://schemas.openxmlformats.org/package/2006/content-types"
NS: Final = {"m": NS_MAIN, "r": NS_R, "pr": NS_PKG_REL, "ct": NS_CT}

REL_OFFICE_DOCUMENT: Final = NS_R + "/officeDocument"
REL_WORKSHEET: Final = NS_R + "/worksheet"

# A parser that never resolves entities nor fetches anything (XML entity bombs, XXE).
SAFE_PARSER: Final = etree.XMLParser(
    resolve_entities=False, no_network=True, huge_tree=True, remove_blank_text=False
)


@dataclass(frozen=True)
class SheetPart:
    """A sheet as the workbook lists it."""

    name: str
    part: str  # zip member name, e.g. "xl/worksheets/sheet1.xml"
    state: str  # "visible", "hidden" or "veryHidden"
    rel_id: str
    sheet_id: str


def rels_path(part: str) -> str:
    """The relationships part of a part: xl/workbook.xml -> xl/_rels/workbook.xml.rels."""
    folder, name = posixpath.split(part)
    return posixpath.join(folder, "_rels", name + ".rels")


def resolve_target(source_part: str, target: str) -> str:
    """A relationship target, relative to its source part, as a zip member name."""
    if target.startswith("/"):
        return target.lstrip("/")
    return posixpath.normpath(posixpath.join(posixpath.dirname(source_part), target))


def workbook_part(zf: zipfile.ZipFile) -> str:
    """The main workbook part named by the package relationships (usually xl/workbook.xml)."""
    root = etree.fromstring(zf.read("_rels/.rels"), SAFE_PARSER)
    for rel in root.findall("pr:Relationship", NS):
        if rel.get("Type") == REL_OFFICE_DOCUMENT:
            return resolve_target("", rel.get("Target", ""))
    raise KeyError("officeDocument")


def sheet_parts(zf: zipfile.ZipFile) -> list[SheetPart]:
    """Every worksheet of the workbook, in workbook order, with its part name."""
    wb_part = workbook_part(zf)
    wb = etree.fromstring(zf.read(wb_part), SAFE_PARSER)
    rels = etree.fromstring(zf.read(rels_path(wb_part)), SAFE_PARSER)
    targets = {
        rel.get("Id"): resolve_target(wb_part, rel.get("Target", ""))
        for rel in rels.findall("pr:Relationship", NS)
    }
    result = []
    for sheet in wb.iterfind("m:sheets/m:sheet", NS):
        rid = sheet.get(f"{{{NS_R}}}id", "")
        result.append(
            SheetPart(
                name=sheet.get("name", ""),
                part=targets.get(rid, ""),
                state=sheet.get("state", "visible"),
                rel_id=rid,
                sheet_id=sheet.get("sheetId", ""),
            )
        )
    return result
