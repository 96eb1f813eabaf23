"""`sopxl excel-setup`: make this computer ready for the workbook's buttons (Excel + xlwings)."""

from __future__ import annotations

import sys
from dataclasses import dataclass
from pathlib import Path

import click

OK, FIXED, TODO, INFO = "OK", "DIPERBAIKI", "PERLU TINDAKAN", "INFO"


@dataclass
class Step:
    status: str
    title: str
    detail: str = ""


def user_conf_path(platform: str, home: Path) -> Path:
    """xlwings' user-level config file (what its VBA GetConfigFilePath reads)."""
    if platform == "darwin":
        return home / "Library" / "Containers" / "com.microsoft.Excel" / "Data" / "xlwings.conf"
    return home / ".xlwings" / "xlwings.conf"


def _read_conf(path: Path) -> dict[str, str]:
    values: dict[str, str] = {}
    if path.exists():
        for line in path.read_text(encoding="utf-8", errors="replace").splitlines():
            if "," in line:
                key, value = line.split(",", 1)
                values[key.strip().strip('"').upper()] = value.strip().strip('"')
    return values


def _write_conf(path: Path, values: dict[str, str]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("".join(f'"{k}","{v}"\n' for k, v in values.items()), encoding="utf-8")


def check_xlwings() -> tuple[Step, str | None]:
    try:
        import xlwings
    except ImportError:
        return Step(TODO, "Paket xlwings", "Belum terpasang. Jalankan: pip install xlwings"), None
    version = str(xlwings.__version__)
    return Step(OK, "Paket xlwings", f"versi {version} terpasang di {sys.executable}"), version


def check_interpreter(platform: str, home: Path, python: str, fix: bool) -> Step:
    """The interpreter the buttons use: xlwings' user config INTERPRETER_WIN/INTERPRETER_MAC."""
    key = "INTERPRETER_MAC" if platform == "darwin" else "INTERPRETER_WIN"
    path = user_conf_path(platform, home)
    values = _read_conf(path)
    if values.get(key) == python:
        return Step(OK, "Lokasi Python untuk tombol", f"{key} = {python} ({path})")
    if not fix:
        return Step(TODO, "Lokasi Python untuk tombol", f"Tulis {key} = {python} di {path}")
    values[key] = python
    _write_conf(path, values)
    return Step(FIXED, "Lokasi Python untuk tombol", f"{key} = {python} ditulis ke {path}")


def check_windows_dll(version: str | None, python: str) -> Step:
    if version is None:
        return Step(TODO, "DLL xlwings", "Pasang xlwings dulu.")
    bits = "64" if sys.maxsize > 2**32 else "32"
    name = f"xlwings{bits}-{version}.dll"
    folders = [Path(python).parent, Path(python).parent.parent, Path(sys.prefix)]
    for folder in folders:
        if (folder / name).exists():
            return Step(OK, "DLL xlwings", str(folder / name))
    return Step(
        TODO,
        "DLL xlwings",
        f"{name} tidak ditemukan di {', '.join(str(f) for f in folders)}. "
        "Pasang ulang: pip install --force-reinstall xlwings",
    )


def check_macro_security_windows() -> Step:
    """Excel's macro setting (read only: sopxl never lowers security by itself)."""
    detail = (
        "Saat membuka buku kerja, klik 'Enable Content' / 'Aktifkan Konten'. Jika berkas datang "
        "dari e-mail atau internet dan makro diblokir: klik kanan berkas > Properties > centang "
        "'Unblock', atau simpan di folder Trusted Location (File > Options > Trust Center)."
    )
    try:
        import winreg  # type: ignore[import-not-found,unused-ignore]
    except ImportError:
        return Step(INFO, "Keamanan makro Excel", detail)
    for version in ("16.0", "15.0"):
        key_path = rf"Software\Microsoft\Office\{version}\Excel\Security"
        try:
            with winreg.OpenKey(winreg.HKEY_CURRENT_USER, key_path) as key:  # type: ignore[attr-defined,unused-ignore]
                value, _ = winreg.QueryValueEx(key, "VBAWarnings")  # type: ignore[attr-defined,unused-ignore]
        except OSError:
            continue
        if int(value) == 4:
            return Step(
                TODO,
                "Keamanan makro Excel",
                "Semua makro dinonaktifkan (VBAWarnings=4). Ubah di File > Options > Trust Center > "
                "Trust Center Settings > Macro Settings ke 'Disable VBA macros with notification', "
                "atau letakkan buku kerja di Trusted Location. " + detail,
            )
        return Step(OK, "Keamanan makro Excel", f"VBAWarnings={value}. " + detail)
    return Step(INFO, "Keamanan makro Excel", detail)


def check_mac_applescript(home: Path, version: str | None, fix: bool) -> Step:
    """RunPython on a Mac needs xlwings' AppleScript in Excel's script folder."""
    if version is None:
        return Step(TODO, "AppleScript xlwings", "Pasang xlwings dulu.")
    import xlwings

    name = f"xlwings-{version}.applescript"
    folder = home / "Library" / "Application Scripts" / "com.microsoft.Excel"
    target = folder / name
    if target.exists():
        return Step(OK, "AppleScript xlwings", str(target))
    source = Path(xlwings.__file__).parent / name
    if not fix or not source.exists():
        return Step(TODO, "AppleScript xlwings", "Jalankan: xlwings runpython install")
    folder.mkdir(parents=True, exist_ok=True)
    target.write_bytes(source.read_bytes())
    return Step(FIXED, "AppleScript xlwings", f"disalin ke {target}")


def check_vba_trust() -> Step:
    return Step(
        INFO,
        "Akses ke proyek VBA",
        "Tidak diperlukan: tombol sopxl sudah tertanam di buku kerja (.xlsm). 'Trust access to "
        "the VBA project object model' hanya perlu untuk menyunting makro dari luar Excel.",
    )


def check_workbook(path: Path, version: str | None) -> Step:
    """The xlwings VBA inside a workbook must match the installed xlwings (DLL name)."""
    import re

    from oletools.olevba import VBA_Parser

    parser = VBA_Parser(str(path))
    try:
        code = "\n".join(str(c) for _f, _s, _n, c in parser.extract_macros())
    finally:
        parser.close()
    found = re.search(r'XLWINGS_VERSION As String = "([^"]+)"', code)
    if not found:
        return Step(TODO, f"Buku kerja {path.name}", "Tidak berisi tombol sopxl (buat dengan sopxl init --macro).")
    if version and found.group(1) != version:
        return Step(
            TODO,
            f"Buku kerja {path.name}",
            f"Dibuat dengan xlwings {found.group(1)}, terpasang {version}. Samakan: "
            f"pip install xlwings=={found.group(1)} (atau buat ulang buku kerja).",
        )
    return Step(OK, f"Buku kerja {path.name}", f"xlwings {found.group(1)} cocok.")


def linux_steps() -> list[Step]:
    return [
        Step(
            INFO,
            "Excel tidak tersedia di Linux",
            "Tombol Validasi di Excel hanya berjalan di Windows atau macOS dengan Microsoft Excel. "
            "Di komputer ini gunakan salah satu:\n"
            "  - LibreOffice Calc: sopxl lo-install, lalu Tools > Macros > Run Macro > sopxl_lo > validasi\n"
            "  - baris perintah: sopxl validate BUKU-KERJA.xlsm\n"
            "Di komputer Windows/macOS yang memakai Excel: pip install sopxl, lalu sopxl excel-setup.",
        )
    ]


def setup_steps(
    platform: str, home: Path, python: str, fix: bool = True, workbook: Path | None = None
) -> list[Step]:
    if not (platform.startswith("win") or platform == "darwin"):
        return linux_steps()
    xl_step, version = check_xlwings()
    steps = [xl_step, check_interpreter(platform, home, python, fix)]
    if platform.startswith("win"):
        steps += [check_windows_dll(version, python), check_macro_security_windows()]
    else:
        steps += [
            check_mac_applescript(home, version, fix),
            Step(
                INFO,
                "Keamanan makro Excel",
                "Excel > Preferences > Security: pilih 'Disable VBA macros with notification', "
                "lalu klik 'Enable Macros' saat membuka buku kerja.",
            ),
        ]
    steps.append(check_vba_trust())
    if workbook is not None:
        steps.append(check_workbook(workbook, version))
    return steps


def _python_for_buttons() -> str:
    exe = Path(sys.executable)
    return str(exe)


@click.command("excel-setup")
@click.option("--check-only", is_flag=True, help="Hanya periksa; jangan ubah pengaturan apa pun.")
@click.option(
    "--workbook",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="Periksa juga buku kerja .xlsm ini (versi xlwings di dalamnya).",
)
def excel_setup(check_only: bool, workbook: Path | None) -> None:
    """Siapkan komputer ini agar tombol Validasi di Excel berjalan.

    Memeriksa (dan memperbaiki bila bisa): paket xlwings, lokasi Python yang dipakai
    tombol, DLL/AppleScript xlwings, dan pengaturan keamanan makro Excel.

    \b
    Contoh:
      sopxl excel-setup
      sopxl excel-setup --workbook capaian-2026.xlsm --check-only
    """
    steps = setup_steps(sys.platform, Path.home(), _python_for_buttons(), not check_only, workbook)
    for i, step in enumerate(steps, start=1):
        click.echo(f"{i}. [{step.status}] {step.title}")
        if step.detail:
            for line in step.detail.splitlines():
                click.echo(f"     {line}")
    todo = [s for s in steps if s.status == TODO]
    if todo:
        click.echo(f"\n{len(todo)} langkah perlu tindakan Anda (lihat di atas).")
        raise SystemExit(1)
    if sys.platform.startswith("win") or sys.platform == "darwin":
        click.echo("\nSelesai. Buka buku kerja .xlsm dan klik tombol Validasi.")
