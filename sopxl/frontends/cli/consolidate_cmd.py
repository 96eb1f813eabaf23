"""`sopxl consolidate`: the months into a semester or annual report (SOP step 4)."""

from __future__ import annotations

from typing import TYPE_CHECKING

import click

from sopxl.frontends.cli.common import (
    collect_overrides,
    format_option,
    periode_option,
    settings_options,
    user_errors,
)

if TYPE_CHECKING:
    from sopxl.report.consolidate import ConsolidationResult


@click.command()
@click.argument("path", type=click.Path(dir_okay=False, path_type=str))
@periode_option("Periode laporan: semester1 (Jan-Jun), semester2 (Jul-Des) atau tahunan (Jan-Des).", required=True)
@click.option("--no-write", is_flag=True, help="Hanya hitung dan tampilkan; jangan tulis lembar laporan ke buku kerja.")
@format_option()
@click.option(
    "--output",
    type=click.Path(dir_okay=False, path_type=str),
    help="Tulis juga laporan saja sebagai buku kerja baru (.xlsx).",
)
@click.option("--pdf", is_flag=True, help="Buat PDF laporan dengan LibreOffice (di samping --output atau buku kerja).")
@click.option(
    "--paksa",
    is_flag=True,
    help="Tetap susun laporan walau data bulanan masih memiliki kesalahan (dicantumkan di laporan).",
)
@settings_options
def consolidate(
    path: str,
    periode: str,
    no_write: bool,
    fmt: str,
    output: str | None,
    pdf: bool,
    paksa: bool,
    set_options: tuple[str, ...],
    config_file: str | None,
) -> None:
    """Susun Laporan Semester I, Semester II atau Tahunan dari lembar bulanan (langkah 4 SOP).

    Angka dihitung s.d. akhir periode, kumulatif sejak Januari; isian Analisis Capaian,
    Kendala Umum, Rekomendasi dan pengesahan pada laporan lama tetap dipertahankan.

    Kode keluar: 0 laporan tersusun, 1 ditolak karena data bulanan masih memiliki
    kesalahan (pakai --paksa untuk tetap menyusun), 2 berkas tidak dapat diproses.

    \b
    Contoh:
      sopxl consolidate capaian-2026.xlsx --periode semester1
      sopxl consolidate capaian-2026.xlsx --periode tahunan --output laporan-2026.xlsx --pdf
      sopxl consolidate capaian-2026.xlsx --periode semester2 --no-write --format json
    """
    import json

    from sopxl.report.consolidate import MonthErrors
    from sopxl.report.consolidate import consolidate as run

    with user_errors():
        file_overrides, run_overrides = collect_overrides(set_options, config_file)
        try:
            result = run(
                path,
                periode,
                write=not no_write,
                output=output,
                pdf=pdf,
                force=paksa,
                file_overrides=file_overrides,
                run_overrides=run_overrides,
            )
        except MonthErrors as exc:
            click.echo(exc.message, err=True)
            raise SystemExit(1) from None
    if fmt == "json":
        click.echo(json.dumps(result.to_json_dict(), ensure_ascii=False))
    else:
        click.echo(render(result))
    raise SystemExit(0)


def render(result: ConsolidationResult) -> str:
    """The terminal summary of a consolidation (Bahasa Indonesia)."""
    from sopxl.calc.figures import NkaFigures
    from sopxl.calc.scores import band, round_half_up
    from sopxl.core import spec
    from sopxl.core.parse import format_number

    fig = result.figures
    s = result.settings
    r2 = round_half_up
    lines = [
        f"Berkas: {result.file}",
        f"{result.sheet}: {spec.MONTHS[fig.bulan_awal - 1]} s.d. {spec.MONTHS[fig.bulan_akhir - 1]} "
        f"{fig.tahun or ''} (kumulatif sejak Januari)",
        "",
        f"{'Kode RO':<24} {'Target':>10} {'Realisasi':>10} {'Progres':>8} {'Capaian%':>9} "
        f"{'Pagu (Rp)':>16} {'Realisasi (Rp)':>16} {'Serap%':>7}",
    ]
    for ro in fig.ro:
        lines.append(
            f"{ro.kode:<24} {format_number(ro.target_volume):>10} "
            f"{format_number(ro.realisasi_volume_kumulatif):>10} {format_number(r2(ro.progres_capaian)):>8} "
            f"{format_number(r2(ro.capaian_persen)):>9} {format_number(ro.pagu):>16} "
            f"{format_number(ro.realisasi_anggaran):>16} {format_number(r2(ro.penyerapan_persen)):>7}"
        )
    lines += [
        "",
        f"IKPA Capaian Output: {format_number(r2(fig.ikpa.nilai))} ({band(fig.ikpa.nilai, s.ikpa_bands)}); "
        f"ketepatan waktu {format_number(r2(fig.ikpa.tepat_waktu))}, capaian RO {format_number(r2(fig.ikpa.capaian))}",
    ]

    def components(n: NkaFigures) -> str:
        return (
            f"P {format_number(r2(n.penyerapan))}, K {format_number(r2(n.konsistensi))}, "
            f"CRO {format_number(r2(n.capaian_ro))}, NE {format_number(r2(n.nilai_efisiensi))}"
        )

    until = spec.MONTHS[fig.bulan_akhir - 1] if 1 <= fig.bulan_akhir <= 12 else ""
    if fig.bulan_akhir < 12:
        # Mid-year the bands belong to the plan-based reading; the year-based NKA is shown
        # for what it is, without a band (scores.md, "NKA against the plan to date").
        lines += [
            f"Nilai Kinerja Anggaran, perkiraan terhadap rencana s.d. {until}: "
            f"{format_number(r2(fig.nka_rencana.nilai))} ({band(fig.nka_rencana.nilai, s.nka_bands)}); "
            f"{components(fig.nka_rencana)}",
            f"Nilai Kinerja Anggaran (PMK 22/PMK.02/2021) terhadap pagu dan target setahun: "
            f"{format_number(r2(fig.nka.nilai))}; {components(fig.nka)}",
        ]
    else:
        lines += [
            f"Nilai Kinerja Anggaran (PMK 22/PMK.02/2021): {format_number(r2(fig.nka.nilai))} "
            f"({band(fig.nka.nilai, s.nka_bands)}); {components(fig.nka)}",
            f"Nilai Kinerja Anggaran terhadap rencana s.d. {until}: "
            f"{format_number(r2(fig.nka_rencana.nilai))}; {components(fig.nka_rencana)}",
        ]
    lines.append(
        f"Dasar perhitungan: IKPA {s.regulasi_ikpa}, Nilai Kinerja Anggaran {s.regulasi_nka} "
        f"(parameter regulasi yang berlaku mulai Tahun Anggaran {s.regulasi_tahun})"
    )
    if s.regulasi_catatan:
        lines.append(f"Catatan regulasi: {s.regulasi_catatan}")
    if result.open_errors:
        lines.append(
            f"PERHATIAN: disusun dengan --paksa; data bulanan masih memiliki {result.open_errors} kesalahan."
        )
    if result.written is not None:
        lines.append(f"Lembar '{result.sheet}' ditulis ke {result.written} (cadangan versi sebelumnya disimpan).")
    else:
        lines.append("Buku kerja tidak diubah (--no-write).")
    if result.output is not None:
        lines.append(f"Laporan tersendiri: {result.output}")
    if result.pdf is not None:
        lines.append(f"PDF: {result.pdf}")
    return "\n".join(lines)
