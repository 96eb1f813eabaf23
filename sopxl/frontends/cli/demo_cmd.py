"""`sopxl demo`: the whole job on the bundled sample (fictional Balai Diklat Hukum dan HAM)."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import click

from sopxl.frontends.cli.common import user_errors

if TYPE_CHECKING:
    from sopxl.core.findings import ValidationResult


@click.command()
@click.argument("outdir", type=click.Path(file_okay=False, path_type=str))
@click.option("--bulan", "months", type=click.IntRange(5, 12), default=10, show_default=True,
              help="Jumlah bulan contoh yang diisi (Januari s.d. bulan ke-N).")
def demo(outdir: str, months: int) -> None:
    """Jalankan contoh lengkap dengan data contoh bawaan: buat buku kerja, isi bulan
    Januari s.d. Oktober, periksa dengan validasi, tandai kesalahan di buku kerja, lalu
    susun Laporan Semester I.

    Dibuat di OUTDIR: buku kerja contoh yang benar (dengan Laporan Semester I di dalamnya,
    laporan terpisah .xlsx, dan PDF-nya bila LibreOffice terpasang), buku kerja contoh berisi
    kesalahan yang sengaja ditanam dan sudah ditandai (sel merah/kuning, catatan, lembar
    Catatan Koreksi) beserta daftar kesalahannya, dan hasil validasi keduanya (JSON).
    Berkas lama di OUTDIR dengan nama yang sama ditimpa.

    \b
    Contoh:
      sopxl demo keluaran
      sopxl demo keluaran --bulan 6
    """
    from sopxl.build.samples import SAMPLE_TODAY, SAMPLE_YEAR, build_sample, write_planted_json
    from sopxl.frontends.output import render_table
    from sopxl.report.consolidate import consolidate_data
    from sopxl.report.libreoffice import find_soffice
    from sopxl.rules.validate import validate_path
    from sopxl.writeback.marks import apply_marks

    with user_errors():
        folder = Path(outdir)
        clean = folder / f"contoh-capaian-{SAMPLE_YEAR}.xlsx"
        wrong = folder / f"contoh-dengan-kesalahan-{SAMPLE_YEAR}.xlsx"
        planted_json = folder / f"contoh-dengan-kesalahan-{SAMPLE_YEAR}.tertanam.json"
        laporan = folder / f"laporan-semester-i-{SAMPLE_YEAR}.xlsx"
        _check_targets(folder, [clean, wrong, laporan, laporan.with_suffix(".pdf")])
        folder.mkdir(parents=True, exist_ok=True)
        build_sample(clean, months=months, today=SAMPLE_TODAY)
        planted = build_sample(wrong, months=min(months, 9), plant=True, today=SAMPLE_TODAY)
        write_planted_json(planted_json, planted)
        run = {"today": SAMPLE_TODAY.isoformat()}
        for path in (clean, wrong):
            # a backup left by an earlier demo run would be rotated, not made anew
            path.with_name(path.stem + ".sopxl-cadangan" + path.suffix).unlink(missing_ok=True)

        # the clean sample is read and checked once: the same data and result consolidate it
        clean_result, clean_data, clean_settings = validate_path(clean, None, run)
        clean_report = _write_json(clean, clean_result)
        wrong_result, wrong_data, wrong_settings = validate_path(wrong, None, run)
        wrong_data.release_tables()  # the write needs only the path
        apply_marks(wrong_data.path, wrong_result, wrong_settings)
        wrong_report = _write_json(wrong, wrong_result)
        pdf = find_soffice() is not None
        consolidation = consolidate_data(
            clean_data, "semester1", clean_settings, validation=clean_result, output=laporan, pdf=pdf
        )
    found = {(f.rule, f.sheet, f.cell) for f in wrong_result.findings}
    caught = sum(1 for p in planted if (p.rule, p.sheet, p.cell) in found)
    click.echo(render_table(wrong_result))
    click.echo("")
    click.echo("Hasil contoh:")
    click.echo(f"  Buku kerja contoh (Januari s.d. {_month(months)}): {clean}")
    click.echo(f"    validasi: {clean_result.errors} kesalahan, {clean_result.warnings} peringatan -> {clean_report}")
    click.echo(f"  Buku kerja dengan kesalahan tertanam: {wrong}")
    click.echo(f"    validasi: {wrong_result.errors} kesalahan, {wrong_result.warnings} peringatan -> {wrong_report}")
    click.echo(f"    {caught} dari {len(planted)} kesalahan tertanam ditemukan; daftarnya: {planted_json}")
    click.echo("    sel bermasalah sudah ditandai merah/kuning dengan catatan; lihat lembar Catatan Koreksi")
    figures = consolidation.to_json_dict()
    click.echo(f"  Laporan Semester I (lembar di {clean}): {laporan}")
    click.echo(f"    IKPA Capaian Output {figures['ikpa_capaian_output']['nilai']:.2f}, "
               f"Nilai Kinerja Anggaran {figures['nka']['nilai']:.2f} (terhadap pagu dan target setahun), "
               f"{figures['nka_rencana']['nilai']:.2f} (perkiraan terhadap rencana s.d. "
               f"{_month(figures['bulan_akhir'])})")
    pdf_path = laporan.with_suffix(".pdf")
    if pdf and pdf_path.exists():
        click.echo(f"    PDF: {pdf_path}")
    elif not pdf:
        click.echo("    PDF tidak dibuat: LibreOffice tidak terpasang.")
    click.echo("Langkah berikutnya:")
    click.echo(f"  sopxl validate {wrong}")
    click.echo(f"  sopxl consolidate {clean} --periode semester1")


def _check_targets(folder: Path, workbooks: list[Path]) -> None:
    """Refuse before the first write: a workbook the demo replaces that is open in Excel or
    LibreOffice or read-only, or a folder that cannot be written."""
    import os

    from sopxl.core.errors import WorkbookBusy
    from sopxl.ooxml.atomic import check_writable

    if folder.exists():
        for path in workbooks:
            check_writable(path)
        return
    parent = folder
    while not parent.exists() and parent != parent.parent:
        parent = parent.parent
    if not os.access(parent, os.W_OK):
        raise WorkbookBusy(f"Folder '{parent}' tidak dapat ditulisi; pilih folder lain.")


def _write_json(path: Path, result: ValidationResult) -> Path:
    """The validation result as `sopxl validate --format json` prints it, next to `path`."""
    import json

    report = path.with_name(path.stem + ".validasi.json")
    report.write_text(json.dumps(result.to_json_dict(), ensure_ascii=False, indent=1) + "\n",
                      encoding="utf-8")
    return report


def _month(number: int) -> str:
    from sopxl.core.spec import MONTHS

    return MONTHS[number - 1]
