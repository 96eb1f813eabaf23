"""`sopxl init`: create the standard workbook (Buku Kerja Capaian Kinerja) for one satker and year."""

from __future__ import annotations

from pathlib import Path

import click

from sopxl.frontends.cli.common import user_errors


@click.command()
@click.argument("output", type=click.Path(dir_okay=False, path_type=str))
@click.option("--ro", "ro_file", type=click.Path(dir_okay=False, path_type=str),
              help="Berkas Referensi RO (.csv atau .xlsx): Kode RO, Uraian RO, Satuan, Jenis RO, "
                   "Target Volume, Pagu (Rp).")
@click.option("--rencana", "rencana_file", type=click.Path(dir_okay=False, path_type=str),
              help="Berkas Rencana (.csv atau .xlsx): Kode RO, Bulan, Target Progres (%), "
                   "Rencana Penarikan Dana (Rp). Memerlukan --ro.")
@click.option("--satker", required=True, help="Kode Satker, 6 digit (mis. 411724).")
@click.option("--nama", required=True, help="Nama Satker.")
@click.option("--tahun", required=True, type=int, help="Tahun Anggaran (mis. 2026).")
@click.option("--kepala", help="Nama Kepala Satker.")
@click.option("--nip-kepala", help="NIP Kepala Satker (18 digit).")
@click.option("--kasi", help="Nama Kasi Program dan Evaluasi.")
@click.option("--nip-kasi", help="NIP Kasi Program dan Evaluasi (18 digit).")
@click.option("--bendahara", help="Nama Bendahara.")
@click.option("--email", help="E-mail penerima laporan; beberapa alamat dipisah koma.")
@click.option("--bulan", help="Bulan Pelaporan (nama bulan atau 1-12); kosong = bulan terakhir yang terisi.")
@click.option("--macro", is_flag=True,
              help="Buat buku kerja bermakro (.xlsm) dengan tombol Validasi dan Konsolidasi.")
@click.option("--force", is_flag=True, help="Timpa berkas OUTPUT bila sudah ada.")
def init(
    output: str,
    ro_file: str | None,
    rencana_file: str | None,
    satker: str,
    nama: str,
    tahun: int,
    kepala: str | None,
    nip_kepala: str | None,
    kasi: str | None,
    nip_kasi: str | None,
    bendahara: str | None,
    email: str | None,
    bulan: str | None,
    macro: bool,
    force: bool,
) -> None:
    """Buat buku kerja standar Capaian Output untuk satu satker dan satu tahun anggaran.

    Tanpa --ro dan --rencana, lembar Referensi RO dan Rencana dibiarkan kosong untuk
    diisi sendiri; lembar bulanan tetap disiapkan dengan rumus.

    \b
    Contoh:
      sopxl init capaian-2026.xlsx --ro referensi_ro.csv --rencana rencana.csv \\
            --satker 411724 --nama "Balai Diklat Hukum dan HAM Contoh" --tahun 2026
      sopxl init capaian-2026.xlsm --macro --satker 411724 --nama "Balai Diklat" --tahun 2026
    """
    from sopxl.build.workbook import build_content, write_workbook

    with user_errors():
        path = Path(output)
        content = build_content(
            ro_file=ro_file,
            rencana_file=rencana_file,
            satker=satker,
            nama=nama,
            tahun=tahun,
            kepala=kepala,
            nip_kepala=nip_kepala,
            kasi=kasi,
            nip_kasi=nip_kasi,
            bendahara=bendahara,
            email=email,
            bulan=bulan,
        )
        _check_target(path, force, macro)  # write_workbook refuses a target open in Excel/LibreOffice
        write_workbook(path, content, macro=macro or path.suffix.lower() == ".xlsm")
    ros = len(content.ros)
    click.echo(f"Buku kerja dibuat: {path}")
    click.echo(
        f"  {ros} RO, {len(content.plan)} baris rencana, lembar Januari-Desember siap diisi."
        if ros
        else "  Referensi RO dan Rencana masih kosong: isi lembar tersebut, lalu lembar bulanan."
    )
    click.echo(f"  Periksa dengan: sopxl validate {path}")


def _check_target(path: Path, force: bool, macro: bool) -> None:
    from sopxl.core.errors import SopxlError

    if path.exists() and path.is_dir():
        raise SopxlError(f"'{path}' adalah folder; beri nama berkas, mis. '{path / 'capaian.xlsx'}'.")
    if path.exists() and not force:
        raise SopxlError(f"Berkas '{path}' sudah ada. Gunakan --force untuk menimpanya.")
    suffix = path.suffix.lower()
    if suffix not in (".xlsx", ".xlsm"):
        raise SopxlError(f"Nama berkas keluaran harus berakhiran .xlsx (atau .xlsm dengan --macro), bukan '{path.name}'.")
    if macro and suffix != ".xlsm":
        raise SopxlError(
            f"Dengan --macro, nama berkas harus berakhiran .xlsm (mis. '{path.with_suffix('.xlsm').name}')."
        )
    if not path.parent.exists():
        raise SopxlError(f"Folder '{path.parent}' tidak ada.")
    _check_writable_target(path)


def _check_writable_target(path: Path) -> None:
    """Refuse, before anything is written, a target open in Excel/LibreOffice, a read-only
    target (--force would replace it) or a folder that cannot be written."""
    import os

    from sopxl.core.errors import SopxlError
    from sopxl.ooxml.atomic import refuse_if_open

    refuse_if_open(path)
    # the mode bits too: root may write anything, yet a read-only file is a user's "keep it"
    if path.exists() and (not os.access(path, os.W_OK) or not path.stat().st_mode & 0o222):
        raise SopxlError(f"Berkas '{path}' hanya-baca (read-only); hapus atribut hanya-baca atau pilih nama lain.")
    folder = path.parent if str(path.parent) else Path(".")
    if not os.access(folder, os.W_OK):
        raise SopxlError(f"Folder '{folder}' tidak dapat ditulisi; pilih folder lain.")
