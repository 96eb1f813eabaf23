"""`sopxl impor`: fill a month from the SAKTI/OMSPAN export (SOP step 2, no retyping)."""

from __future__ import annotations

import click

from sopxl.frontends.cli.common import format_option, user_errors


@click.command()
@click.argument("path", type=click.Path(dir_okay=False, readable=False, path_type=str))
@click.option(
    "--ekspor",
    required=True,
    type=click.Path(dir_okay=False, readable=False, path_type=str),
    help="Berkas ekspor Capaian Output SAKTI/OMSPAN (.xlsx atau .csv).",
)
@click.option("--bulan", type=click.IntRange(1, 12), help="Bulan ekspor (1-12); tanpa ini dibaca dari judul ekspor.")
@click.option(
    "--profil",
    type=click.Path(dir_okay=False, path_type=str),
    help="Berkas profil ekspor (.toml) untuk tata letak ekspor lain.",
)
@click.option("--timpa", is_flag=True, help="Timpa sel yang sudah berisi angka lain (nilai lamanya dilaporkan).")
@click.option("--no-write", is_flag=True, help="Hanya laporkan; jangan tulis ke buku kerja.")
@format_option()
def impor(
    path: str, ekspor: str, bulan: int | None, profil: str | None, timpa: bool, no_write: bool, fmt: str
) -> None:
    """Isi lembar bulan dari ekspor Capaian Output SAKTI/OMSPAN (langkah 2 SOP).

    Sel isian yang kosong diisi (Realisasi Volume Bulan Ini, Progres Capaian (%),
    Realisasi Anggaran Bulan Ini (Rp), Tanggal Entri SAKTI bila ada di ekspor). Sel yang
    sudah berisi angka lain dibiarkan dan dilaporkan, kecuali dengan --timpa. RO yang hanya
    ada di salah satu berkas dilaporkan, tidak pernah ditambahkan.

    Kode keluar: 0 selesai, 2 berkas tidak dapat dipakai.

    \b
    Contoh:
      sopxl impor capaian-2026.xlsx --ekspor capaian-sakti-juni.xlsx --bulan 6
      sopxl impor capaian-2026.xlsx --ekspor ekspor.csv --profil profil-kantor.toml --no-write
    """
    import json
    from pathlib import Path

    from sopxl.read.ekspor import ExportSource
    from sopxl.writeback.impor import import_export

    with user_errors():
        source = ExportSource(Path(ekspor), bulan, Path(profil) if profil else None)
        outcome = import_export(path, source, timpa=timpa, write=not no_write)
    if fmt == "json":
        click.echo(json.dumps(outcome.to_json_dict(), ensure_ascii=False))
        return
    from sopxl.core import spec

    name = spec.MONTHS[outcome.bulan - 1]
    lines = [f"Impor ekspor SAKTI '{Path(outcome.ekspor).name}' ke lembar {name}:"]
    lines.append(f"  {outcome.diisi} sel diisi, {outcome.sama} sel sudah sama.")
    if outcome.berbeda:
        told = "ditimpa, nilai lama" if outcome.timpa else "dibiarkan (pakai --timpa untuk menimpa)"
        lines.append(f"  {len(outcome.berbeda)} sel berbeda, {told}:")
        for item in outcome.berbeda:
            lines.append(
                f"    RO {item['ro']} {item['kolom']}: buku kerja {item['buku_kerja']}, ekspor {item['ekspor']}"
            )
    if outcome.ro_tidak_ada_di_buku_kerja:
        lines.append("  RO di ekspor yang tidak ada di buku kerja: " + ", ".join(outcome.ro_tidak_ada_di_buku_kerja))
    if outcome.ro_tidak_ada_di_ekspor:
        lines.append("  RO di buku kerja yang tidak ada di ekspor: " + ", ".join(outcome.ro_tidak_ada_di_ekspor))
    if no_write:
        lines.append("  (--no-write: buku kerja tidak diubah)")
    click.echo("\n".join(lines))
