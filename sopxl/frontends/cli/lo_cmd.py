"""`sopxl lo-install`: put the Validasi macro into the user's LibreOffice profile."""

from __future__ import annotations

import json
import os
import shutil
import sys
from pathlib import Path

import click

MACRO_FILE = "sopxl_lo.py"
CONFIG_FILE = "sopxl_lo.json"


def default_user_dir(platform: str | None = None, home: Path | None = None) -> Path:
    """LibreOffice's user profile folder ('.../LibreOffice/4/user') on this system."""
    platform = platform or sys.platform
    home = home or Path.home()
    if platform.startswith("win"):
        appdata = os.environ.get("APPDATA") or str(home / "AppData" / "Roaming")
        return Path(appdata) / "LibreOffice" / "4" / "user"
    if platform == "darwin":
        return home / "Library" / "Application Support" / "LibreOffice" / "4" / "user"
    config = os.environ.get("XDG_CONFIG_HOME") or str(home / ".config")
    return Path(config) / "libreoffice" / "4" / "user"


def sopxl_argv() -> list[str]:
    """How LibreOffice's Python should start this sopxl (an absolute command)."""
    exe = Path(sys.executable)
    for candidate in (
        exe.with_name("sopxl.exe" if os.name == "nt" else "sopxl"),
        exe.parent / "Scripts" / "sopxl.exe",
    ):
        if candidate.exists():
            return [str(candidate)]
    found = shutil.which("sopxl")
    if found:
        return [found]
    return [str(exe), "-c", "from sopxl.frontends.cli import main; main()"]


def install(user_dir: Path) -> Path:
    """Copy the macro and its config into `user_dir`/Scripts/python; returns the macro path."""
    source = Path(__file__).resolve().parent.parent / "lo_macro" / MACRO_FILE
    target_dir = user_dir / "Scripts" / "python"
    target_dir.mkdir(parents=True, exist_ok=True)
    target = target_dir / MACRO_FILE
    shutil.copyfile(source, target)
    (target_dir / CONFIG_FILE).write_text(
        json.dumps({"argv": sopxl_argv()}, ensure_ascii=False, indent=2) + "\n", encoding="utf-8"
    )
    return target


@click.command("lo-install")
@click.option(
    "--profile",
    type=click.Path(file_okay=False, path_type=Path),
    help="Folder profil pengguna LibreOffice (yang berisi folder 'user'); bawaan: profil standar.",
)
def lo_install(profile: Path | None) -> None:
    """Pasang makro Validasi sopxl untuk LibreOffice Calc.

    Setelah dipasang: buka buku kerja di LibreOffice Calc, lalu Tools > Macros >
    Run Macro... > My Macros > sopxl_lo > validasi. Sel yang salah diberi warna dan
    komentar, dan sheet 'Catatan Koreksi' dibuat; berkas di disk tidak diubah sampai
    Anda menyimpannya.

    \b
    Contoh:
      sopxl lo-install
    """
    user_dir = profile / "user" if profile is not None else default_user_dir()
    target = install(user_dir)
    click.echo(f"Makro terpasang: {target}")
    click.echo(f"Perintah sopxl yang dipakai makro: {' '.join(sopxl_argv())}")
    click.echo("Di LibreOffice Calc: Tools > Macros > Run Macro... > My Macros > sopxl_lo > validasi")
    click.echo("(Tutup dan buka lagi LibreOffice bila sedang berjalan.)")
