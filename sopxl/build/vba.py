"""Build the workbook's VBA project (`vbaProject.bin`) from source, never from a binary blob.

The project holds:

* the document modules Excel expects: `ThisWorkbook` and one per worksheet code name
  (`Sheet1`, `Sheet2`, ... as XlsxWriter names them);
* `xlwings` and `Dictionary`: xlwings' own standalone VBA (its `RunPython`), read from the
  xlwings package installed in this Python, so the VBA and the Python side are the same
  version (the VBA loads `xlwings64-<version>.dll` by name);
* sopxl's modules, `macros/*.bas` (the buttons' Subs).

It is compiled with `ms-ovba` (MS-OVBA writer): every module is stored as compressed
source with no p-code cache and `_VBA_PROJECT` version 0xFFFF, which tells the VBA host
to compile from source on first open (MS-OVBA 2.3.4.1; see macros/README.md).
"""

from __future__ import annotations

import importlib
import os
import tempfile
import threading
import uuid
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sopxl.core.errors import SopxlError

CODEPAGE = "cp1252"
PROJECT_ID = "{5C0F1E2A-7B3D-4E58-9A61-50F0C0E5A1B2}"
WORKBOOK_GUID = uuid.UUID("00020819-0000-0000-C000-000000000046")
WORKSHEET_GUID = uuid.UUID("00020820-0000-0000-C000-000000000046")

# Where the .bas sources live: the repository's macros/ folder (a wheel ships them as
# sopxl/_macros, see macros/README.md).
_MACRO_DIRS = (
    Path(__file__).resolve().parents[1] / "_macros",
    Path(__file__).resolve().parents[2] / "macros",
)

_cwd_lock = threading.Lock()  # ms-ovba writes scratch files into the working directory


@dataclass(frozen=True)
class Module:
    """One VBA module as source text (attributes included, `\\n` line ends)."""

    name: str
    kind: str  # "module" | "class" | "document"
    code: str


def macros_dir() -> Path:
    for candidate in _MACRO_DIRS:
        if candidate.is_dir() and any(candidate.glob("*.bas")):
            return candidate
    raise SopxlError("Sumber makro sopxl (*.bas) tidak ditemukan; pasang ulang sopxl.")


def macro_modules() -> list[Module]:
    """sopxl's own standard modules, from macros/*.bas."""
    return [
        Module(path.stem, "module", path.read_text(encoding="ascii"))
        for path in sorted(macros_dir().glob("*.bas"))
    ]


def xlwings_modules() -> list[Module]:
    """xlwings' standalone VBA (`xlwings.bas` + the Mac `Dictionary` class) from the installed package."""
    try:
        import xlwings
    except ImportError:  # pragma: no cover - xlwings is a dependency
        raise SopxlError("Paket xlwings belum terpasang: pip install xlwings") from None
    root = Path(xlwings.__file__).resolve().parent
    bas = root / "xlwings.bas"
    cls = root / "addin" / "Dictionary.cls"
    if not bas.exists() or not cls.exists():
        raise SopxlError(f"Berkas VBA xlwings tidak ditemukan di {root}; pasang ulang xlwings.")
    return [
        Module("xlwings", "module", bas.read_text(encoding=CODEPAGE)),
        Module("Dictionary", "class", _strip_class_header(cls.read_text(encoding=CODEPAGE))),
    ]


def _strip_class_header(text: str) -> str:
    """Drop an exported class's `VERSION 1.0 CLASS / BEGIN ... END` block (not stored in a project)."""
    lines = text.splitlines()
    if lines and lines[0].startswith("VERSION "):
        end = next((i for i, line in enumerate(lines) if line.strip() == "END"), -1)
        lines = lines[end + 1 :]
    return "\n".join(lines) + "\n"


def document_module(name: str, workbook: bool = False) -> Module:
    """The source Excel stores for an empty ThisWorkbook/SheetN module."""
    guid = WORKBOOK_GUID if workbook else WORKSHEET_GUID
    code = (
        f'Attribute VB_Name = "{name}"\n'
        f'Attribute VB_Base = "0{{{str(guid).upper()}}}"\n'
        "Attribute VB_GlobalNameSpace = False\n"
        "Attribute VB_Creatable = False\n"
        "Attribute VB_PredeclaredId = True\n"
        "Attribute VB_Exposed = True\n"
        "Attribute VB_TemplateDerived = False\n"
        "Attribute VB_Customizable = True\n"
    )
    return Module(name, "document", code)


def project_modules(
    sheet_codenames: Sequence[str], workbook_codename: str = "ThisWorkbook"
) -> list[Module]:
    """Every module of sopxl's project, in the order they are written."""
    modules = [document_module(workbook_codename, workbook=True)]
    modules += [document_module(name) for name in sheet_codenames]
    modules += xlwings_modules()
    modules += macro_modules()
    names = [m.name.casefold() for m in modules]
    dupes = {n for n in names if names.count(n) > 1}
    if dupes:
        raise SopxlError(f"Nama modul VBA ganda: {', '.join(sorted(dupes))}")
    return modules


@contextmanager
def _in_directory(path: Path) -> Iterator[None]:
    with _cwd_lock:
        old = os.getcwd()
        os.chdir(path)
        try:
            yield
        finally:
            os.chdir(old)


def _copytoken_bits(difference: int) -> int:
    bits = 4
    while (1 << bits) < difference:
        bits += 1
    return bits


def _compress_chunk(chunk: bytes) -> bytes:
    """One CompressedChunk (MS-OVBA 2.4.1.3.7) of at most 4096 decompressed bytes."""
    out = bytearray()
    heads: dict[bytes, list[int]] = {}
    pos, end = 0, len(chunk)
    while pos < end:
        flag_index = len(out)
        out.append(0)
        flags = 0
        for bit in range(8):
            if pos >= end:
                break
            best_len, best_off = 0, 0
            if pos > 0 and pos + 3 <= end:
                bits = _copytoken_bits(pos)
                max_len = (0xFFFF >> bits) + 3
                for cand in reversed(heads.get(chunk[pos : pos + 3], ())):
                    length = 0
                    limit = min(max_len, end - pos)
                    while length < limit and chunk[cand + length] == chunk[pos + length]:
                        length += 1
                    if length > best_len:
                        best_len, best_off = length, pos - cand
                        if length == limit:
                            break
            step = best_len if best_len >= 3 else 1
            if best_len >= 3:
                bits = _copytoken_bits(pos)
                token = ((best_off - 1) << (16 - bits)) | (best_len - 3)
                out += token.to_bytes(2, "little")
                flags |= 1 << bit
            else:
                out.append(chunk[pos])
            for i in range(pos, pos + step):
                if i + 3 <= end:
                    heads.setdefault(chunk[i : i + 3], []).append(i)
            pos += step
        out[flag_index] = flags
    if len(out) > 4096:  # incompressible: a raw chunk (never the case for source text)
        return (0x3FFF).to_bytes(2, "little") + chunk.ljust(4096, b"\x00")
    return (0xB000 | (len(out) - 1)).to_bytes(2, "little") + bytes(out)


def compress(data: bytes) -> bytes:
    """MS-OVBA 2.4.1 compression (CompressedContainer) of `data`."""
    return b"\x01" + b"".join(
        _compress_chunk(data[i : i + 4096]) for i in range(0, len(data), 4096)
    )


class _Compressor:
    """Stands in for ms-ovba-compression's MsOvba, whose compressor corrupts long matches
    (its MaximumLength is `0xFFFF << (bits + 3)` instead of `(0xFFFF >> bits) + 3`)."""

    def compress(self, data: bytes) -> bytes:
        return compress(data)


@contextmanager
def _fixed_compression() -> Iterator[None]:
    targets = [
        importlib.import_module(name)
        for name in (
            "ms_ovba.Views.dirStream",
            "ms_ovba.Models.Entities.module_base",
            "ms_ovba.Models.Entities.doc_module",
        )
    ]
    saved = [mod.MsOvba for mod in targets]
    for mod in targets:
        mod.MsOvba = _Compressor  # type: ignore[attr-defined]
    try:
        yield
    finally:
        for mod, original in zip(targets, saved, strict=True):
            mod.MsOvba = original  # type: ignore[attr-defined]


@contextmanager
def _fixed_obfuscation_seed() -> Iterator[None]:
    """Give ms-ovba-crypto a random generator seeded from PROJECT_ID while it runs.

    The CMG, DPB and GC lines of the PROJECT stream are MS-OVBA 2.4.3 "data encryption", an
    obfuscation whose seed bytes any value fits; a fixed seed makes the same sources compile
    to the same bytes (reproducible `.xlsm` templates). Called under `_cwd_lock`.
    """
    import random

    crypto: Any = importlib.import_module("ms_ovba_crypto.ms_ovba_crypto")
    saved = crypto.random
    crypto.random = random.Random(PROJECT_ID)
    try:
        yield
    finally:
        crypto.random = saved


def compile_project(modules: Sequence[Module]) -> bytes:
    """Compile source modules into the bytes of a `vbaProject.bin` (an OLE compound file)."""
    try:
        from ms_ovba.Models.Entities.doc_module import DocModule
        from ms_ovba.Models.Entities.module_base import ModuleBase
        from ms_ovba.Models.Entities.reference import Reference
        from ms_ovba.Models.Entities.reference_registered import ReferenceRegistered
        from ms_ovba.Models.Entities.std_module import StdModule
        from ms_ovba.Models.Fields.libid_reference import LibidReference
        from ms_ovba.vbaProject import VbaProject
        from ms_ovba.Views.project_ole_file import ProjectOleFile
    except ImportError:
        raise SopxlError(
            "Paket ms-ovba diperlukan untuk membuat buku kerja bertombol: pip install ms-ovba"
        ) from None

    class ClassModule(ModuleBase):
        """A class module: MODULETYPE 0x0022 in `dir`, `Class=` in PROJECT (ms-ovba lacks it)."""

        def __init__(self, name: str) -> None:
            super().__init__(name)
            self.type = "Document"  # same dir-stream record type as a document module

        def to_project_module_string(self) -> str:
            return "Class=" + str(self.modName.value)

    with (
        tempfile.TemporaryDirectory(prefix="sopxl-vba-") as tmp,
        _in_directory(Path(tmp)),
        _fixed_compression(),
        _fixed_obfuscation_seed(),
    ):
        project = VbaProject()
        project.project_id = PROJECT_ID
        for module in modules:
            source = Path(tmp) / module.name
            data = module.code.replace("\r\n", "\n").replace("\n", "\r\n").encode(CODEPAGE)
            Path(f"{source}.new").write_bytes(data)
            entity: Any
            if module.kind == "document":
                entity = DocModule(module.name)
            elif module.kind == "class":
                entity = ClassModule(module.name)
            else:
                entity = StdModule(module.name)
            entity.add_file(str(source))
            project.add_module(entity)
        stdole = LibidReference(
            uuid.UUID("00020430-0000-0000-C000-000000000046"),
            "2.0",
            "0",
            "C:\\Windows\\System32\\stdole2.tlb",
            "OLE Automation",
        )
        office = LibidReference(
            uuid.UUID("2DF8D04C-5BFA-101B-BDE5-00AA0044DE52"),
            "2.0",
            "0",
            r"C:\Program Files\Common Files\Microsoft Shared\OFFICE16\MSO.DLL",
            "Microsoft Office 16.0 Object Library",
        )
        project.add_reference(Reference(ReferenceRegistered(stdole), "stdole"))
        project.add_reference(Reference(ReferenceRegistered(office), "Office"))
        ProjectOleFile.write_file(project)
        return (Path(tmp) / "vbaProject.bin").read_bytes()


def build_vba_project(
    sheet_codenames: Sequence[str] = ("Sheet1",), workbook_codename: str = "ThisWorkbook"
) -> bytes:
    """The `vbaProject.bin` for a workbook whose worksheets have these VBA code names."""
    return compile_project(project_modules(sheet_codenames, workbook_codename))


def run_python_targets(modules: Mapping[str, str] | Sequence[Module]) -> list[str]:
    """Function names called as `RunPython "import sopxl.excel; sopxl.excel.NAME()"`."""
    import re

    texts = modules.values() if isinstance(modules, Mapping) else [m.code for m in modules]
    pattern = re.compile(r'RunPython\s+"import sopxl\.excel;\s*sopxl\.excel\.(\w+)\(\)"')
    return [m.group(1) for text in texts for m in pattern.finditer(text)]
