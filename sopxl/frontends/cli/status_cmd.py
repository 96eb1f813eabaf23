"""`sopxl status`: where the workbook stands in the SOP (read only)."""

from __future__ import annotations

from typing import TYPE_CHECKING

import click

from sopxl.frontends.cli.common import (
    collect_overrides,
    format_option,
    settings_options,
    user_errors,
)

if TYPE_CHECKING:
    from sopxl.report.status import WorkbookStatus

PERIOD_LABELS = {"semester1": "Laporan Semester I", "semester2": "Laporan Semester II", "tahunan": "Laporan Tahunan"}


@click.command()
@click.argument("path", type=click.Path(dir_okay=False, path_type=str))
@format_option()
@settings_options
def status(path: str, fmt: str, set_options: tuple[str, ...], config_file: str | None) -> None:
    """Tampilkan posisi buku kerja dalam SOP: bulan yang sudah diisi, divalidasi dan
    terlambat, tenggat berikutnya (hari kerja ke-5 bulan berikutnya, dengan hari libur
    nasional) beserta sisa hari kerjanya, laporan yang sudah disusun, masih sesuai data
    dan sudah dikirim, serta langkah Kendali SOP. Buku kerja tidak diubah.

    \b
    Contoh:
      sopxl status capaian-2026.xlsx
      sopxl status capaian-2026.xlsx --format json
      sopxl status capaian-2026.xlsx --set today=2026-03-20
    """
    import json

    from sopxl.report.status import workbook_status

    with user_errors():
        file_overrides, run_overrides = collect_overrides(set_options, config_file)
        result = workbook_status(path, file_overrides, run_overrides)
    if fmt == "json":
        click.echo(json.dumps(result.to_json_dict(), ensure_ascii=False))
    else:
        click.echo(render(result))
    raise SystemExit(0)


def _yes(value: bool | None, yes: str, no: str, unknown: str = "-") -> str:
    return unknown if value is None else (yes if value else no)


def render(result: WorkbookStatus) -> str:
    """The terminal table of a status (Bahasa Indonesia)."""
    from sopxl.core import spec

    lines = [
        f"Berkas: {result.file}",
        f"Tahun Anggaran {result.tahun}; Bulan Pelaporan "
        f"{spec.MONTHS[result.bulan_pelaporan - 1] if result.bulan_pelaporan else '-'}; "
        f"hari ini {result.hari_ini.isoformat()}",
        "",
        f"{'Bulan':<10} {'Terisi':<7} {'Tenggat':<11} {'Entri SAKTI':<12} {'Ketepatan':<14} Validasi",
    ]
    for m in result.bulan:
        v = m.validasi
        checked = "-" if v is None else f"{v['tanggal'][:10]}: {v['kesalahan']} kesalahan, {v['peringatan']} peringatan"
        lines.append(
            f"{spec.MONTHS[m.bulan - 1]:<10} {_yes(m.terisi, 'ya', 'belum'):<7} {m.tenggat.isoformat():<11} "
            f"{m.tanggal_entri.isoformat() if m.tanggal_entri else '-':<12} "
            f"{_yes(m.terlambat, 'terlambat', 'tepat waktu'):<14} {checked}"
        )
    lines.append("")
    nxt = result.tenggat_berikutnya
    if nxt is None:
        lines.append(f"Tenggat berikutnya: tidak ada lagi untuk TA {result.tahun}.")
    else:
        lines.append(
            f"Tenggat berikutnya: {spec.MONTHS[nxt.bulan - 1]} paling lambat {nxt.tanggal.isoformat()} "
            f"({nxt.hari_kerja_tersisa} hari kerja lagi, termasuk hari ini bila hari kerja)"
        )
    lines.append("")
    for r in result.laporan:
        if not r.ada:
            state = "belum disusun"
        else:
            state = "disusun; " + _yes(r.usang, "usang (data berubah, konsolidasi ulang)", "sesuai data",
                                       "kesesuaian tidak diketahui")
        sent = f"; dikirim {r.dikirim}" if r.dikirim else "; belum dikirim"
        lines.append(f"{PERIOD_LABELS.get(r.periode, r.periode)}: {state}{sent}")
    if result.kendali:
        lines.append("")
        lines.append("Kendali SOP:")
        for k in result.kendali:
            lines.append(f"  Langkah {k.langkah}: {k.tanggal or '-'}  {k.status or '-'}")
    return "\n".join(lines)
