"""The `sopxl` command. Each subcommand lives in its own small module of this package and
imports its heavy libraries inside the command body, so `sopxl --help` stays instant."""

from __future__ import annotations

import gc
import importlib

import click

from sopxl import __version__
from sopxl.frontends.cli import bahasa

# Before any decorator below: click evaluates some texts (the version option's) when applied.
bahasa.install()

# command name -> (module, attribute). Listed here so `--help` can show them without
# importing anything heavier than click.
COMMANDS: dict[str, tuple[str, str]] = {
    "init": ("sopxl.frontends.cli.init_cmd", "init"),
    "validate": ("sopxl.frontends.cli.validate_cmd", "validate"),
    "impor": ("sopxl.frontends.cli.impor_cmd", "impor"),
    "consolidate": ("sopxl.frontends.cli.consolidate_cmd", "consolidate"),
    "status": ("sopxl.frontends.cli.status_cmd", "status"),
    "kirim": ("sopxl.frontends.cli.kirim_cmd", "kirim"),
    "arsip": ("sopxl.frontends.cli.arsip_cmd", "arsip"),
    "rekap": ("sopxl.frontends.cli.rekap_cmd", "rekap"),
    "demo": ("sopxl.frontends.cli.demo_cmd", "demo"),
    "excel-setup": ("sopxl.frontends.cli.excel_cmd", "excel_setup"),
    "lo-install": ("sopxl.frontends.cli.lo_cmd", "lo_install"),
}


class LazyGroup(click.Group):
    """A group that imports a subcommand's module only when it is needed."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        return list(COMMANDS)

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        target = COMMANDS.get(cmd_name)
        if target is None:
            return None  # click answers "No such command"
        command: click.Command = getattr(importlib.import_module(target[0]), target[1])
        return bahasa.localize_command(command)


@click.group(
    cls=LazyGroup,
    options_metavar=bahasa.OPTIONS_METAVAR,
    subcommand_metavar=bahasa.SUBCOMMAND_METAVAR,
    context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100},
)
@click.version_option(__version__, prog_name="sopxl")
def cli() -> None:
    """sopxl: buku kerja Capaian Output, validasi Kasi Program dan Evaluasi, dan laporan
    semester/tahunan sesuai SOP Penyusunan dan Pemantauan Evaluasi Kinerja SMART.

    \b
    Contoh:
      sopxl init capaian-2026.xlsx --ro referensi.csv --rencana rencana.csv \\
            --satker 411724 --nama "Balai Diklat Hukum dan HAM Contoh" --tahun 2026
      sopxl validate capaian-2026.xlsx
      sopxl consolidate capaian-2026.xlsx --periode semester1
    """


def main() -> None:
    try:
        cli(prog_name="sopxl")
    finally:
        # The interpreter's teardown runs full collections over every object still alive
        # (pydantic's schemas, a recap's rows): 60-100 ms of a recap that takes half a second
        # (benchmarks/README.md). Nothing sopxl leaves behind needs collecting, and atexit
        # handlers and buffered output still run; freezing moves it all out of the collector's way.
        gc.freeze()
