"""`sopxl arsip`: the history of what was sent, drafted or failed for a workbook."""

from __future__ import annotations

import click

from sopxl.frontends.cli.common import (
    collect_overrides,
    format_option,
    settings_options,
    user_errors,
)


@click.command()
@click.argument("path", type=click.Path(dir_okay=False, path_type=str))
@format_option()
@settings_options
def arsip(path: str, fmt: str, set_options: tuple[str, ...], config_file: str | None) -> None:
    """Tampilkan riwayat kiriman buku kerja dari arsip digital (terlama lebih dulu).

    Arsip ada di folder `arsip` di samping buku kerja (atau di arsip_dir): setiap pesan yang
    dikirim, setiap draf dan setiap percobaan yang gagal, beserta lampirannya yang persis.

    \b
    Contoh:
      sopxl arsip capaian-2026.xlsx
      sopxl arsip capaian-2026.xlsx --format json
    """
    import json

    from sopxl.send.archive import history

    with user_errors():
        file_overrides, run_overrides = collect_overrides(set_options, config_file)
        found = history(path, file_overrides, run_overrides)
    if fmt == "json":
        click.echo(json.dumps(found, ensure_ascii=False))
        raise SystemExit(0)
    rows = found["kiriman"]
    lines = [f"Berkas: {found['file']}"]
    if not rows:
        lines.append("Belum ada kiriman di arsip.")
    for row in rows:
        lines.append(
            f"{row['waktu']}  {row['status']:<9} {row['mode']:<5} {row['periode']:<10} "
            f"ke {', '.join(row['to'] + row['cc'])}  {row['subject']}"
        )
        if row["reason"]:
            lines.append(f"    sebab: {row['reason']}")
        lines.append(f"    {row['eml']}")
    click.echo("\n".join(lines))
    raise SystemExit(0)
