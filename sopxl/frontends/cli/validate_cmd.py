"""`sopxl validate`: the Kasi's conformity check (SOP steps 3 and 5)."""

from __future__ import annotations

import click

from sopxl.frontends.cli.common import (
    collect_overrides,
    format_option,
    settings_options,
    user_errors,
    workbook_writer,
)


@click.command()
@click.argument("path", type=click.Path(dir_okay=True, readable=False, path_type=str))
@click.option("--no-write", is_flag=True, help="Hanya periksa; jangan tulis tanda ke buku kerja.")
@format_option("tanda", help="Bentuk keluaran di terminal (tanda: JSON beserta rencana penandaan untuk makro LibreOffice).")
@click.option(
    "--output",
    type=click.Path(dir_okay=False, path_type=str),
    help="Tulis salinan bertanda ke berkas lain; berkas asli tidak diubah.",
)
@click.option(
    "--ekspor",
    type=click.Path(dir_okay=False, path_type=str),
    help="Cocokkan juga dengan ekspor Capaian Output SAKTI/OMSPAN (.xlsx atau .csv): aturan REK.",
)
@click.option(
    "--bulan",
    type=click.IntRange(1, 12),
    help="Bulan ekspor (1-12); tanpa ini dibaca dari judul ekspor.",
)
@click.option(
    "--profil",
    type=click.Path(dir_okay=False, path_type=str),
    help="Berkas profil ekspor (.toml) untuk tata letak ekspor lain.",
)
@settings_options
def validate(
    path: str,
    no_write: bool,
    fmt: str,
    output: str | None,
    ekspor: str | None,
    bulan: int | None,
    profil: str | None,
    set_options: tuple[str, ...],
    config_file: str | None,
) -> None:
    """Periksa kesesuaian buku kerja Capaian Output (langkah 3 dan 5 SOP).

    Kode keluar: 0 tidak ada kesalahan (peringatan boleh), 1 ada kesalahan,
    2 berkas tidak dapat diperiksa.

    \b
    Contoh:
      sopxl validate capaian-2026.xlsx --no-write
      sopxl validate capaian-2026.xlsx --format json --set deadline_days=calendar
      sopxl validate capaian-2026.xlsx --ekspor capaian-sakti-juni.xlsx --bulan 6
    """
    import json
    from pathlib import Path

    from sopxl.frontends.output import render_table
    from sopxl.rules.validate import validate_path

    plan = None
    with user_errors():
        file_overrides, run_overrides = collect_overrides(set_options, config_file)
        source = None
        if ekspor is None and (bulan is not None or profil is not None):
            from sopxl.core.errors import InvalidInput

            raise InvalidInput("--bulan dan --profil hanya berlaku bersama --ekspor BERKAS.")
        if ekspor is not None:
            from sopxl.read.ekspor import ExportSource

            source = ExportSource(Path(ekspor), bulan, Path(profil) if profil else None)
        # the whole command holds sopxl's writer lock when it writes the workbook itself
        with workbook_writer(None if no_write or output else path, file_overrides, run_overrides):
            result, data, settings = validate_path(path, file_overrides, run_overrides, source)
            workbook = Path(data.path)
            # What follows needs only the path: the tables' memory goes back before the write.
            data.release_tables()
            if fmt == "tanda":
                from sopxl.writeback.marks import mark_plan

                # planned on the workbook as read, before this run's own write-back
                plan = mark_plan(workbook, result, settings)
            if not no_write:
                from sopxl.writeback.marks import apply_marks

                apply_marks(workbook, result, settings, output=output)
    if plan is not None:
        click.echo(json.dumps(plan, ensure_ascii=False))
    elif fmt == "json":
        click.echo(json.dumps(result.to_json_dict(), ensure_ascii=False))
    else:
        click.echo(render_table(result))
    raise SystemExit(1 if result.errors else 0)
