"""`sopxl rekap`: the receiving office's recap of many satker workbooks."""

from __future__ import annotations

import sys
from collections.abc import Callable
from typing import TYPE_CHECKING

import click

from sopxl.frontends.cli.common import (
    collect_overrides,
    periode_option,
    settings_options,
    user_errors,
)

if TYPE_CHECKING:
    from sopxl.recap import RekapResult


@click.command()
@click.argument("sources", nargs=-1, type=click.Path(path_type=str), metavar="[SUMBER]...")
@click.option(
    "--output",
    type=click.Path(dir_okay=False, path_type=str),
    required=True,
    help="Buku kerja rekap yang ditulis (.xlsx, dibuat baru).",
)
@periode_option("Periode angka laporan, s.d. bulan pelaporan tiap buku kerja.", default="tahunan")
@click.option(
    "--daftar",
    type=click.Path(dir_okay=False, path_type=str),
    help="CSV 'Kode Satker,Nama Satker' satker yang wajib melapor.",
)
@click.option("--imap", "imap_url", metavar="URL", help="Baca kotak surat langsung (hanya-baca): imaps://PENGGUNA@SERVER[:PORT]/FOLDER.")
@click.option("--jobs", type=click.IntRange(min=1), help="Jumlah proses pembaca (bawaan: jumlah inti prosesor).")
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["table", "json"]),
    default="table",
    show_default=True,
    help="Bentuk keluaran di terminal.",
)
@settings_options
def rekap(
    sources: tuple[str, ...],
    output: str,
    periode: str,
    daftar: str | None,
    imap_url: str | None,
    jobs: int | None,
    fmt: str,
    set_options: tuple[str, ...],
    config_file: str | None,
) -> None:
    """Rekap buku kerja kiriman satker: siapa yang sudah mengirim, yang terlambat, yang
    datanya salah, serta nilai IKPA, NKA, penyerapan dan capaian tiap satker.

    SUMBER boleh berupa buku kerja (.xlsx, .xlsm), folder (dicari sampai ke subfolder),
    pesan surel (.eml), berkas mbox atau folder Maildir. Berkas sumber tidak pernah diubah.

    Kode keluar: 0 semua satker mengirim buku kerja yang sesuai, 1 ada yang salah, belum
    mengirim atau tidak terbaca, 2 argumen salah atau tidak ada yang dapat dibaca.

    \b
    Contoh:
      sopxl rekap masuk/ --output rekap-2026.xlsx --daftar satker.csv
      sopxl rekap kotak-masuk.mbox --periode semester1 --output rekap-s1.xlsx --format json
    """
    import gc
    import json
    import os
    import tempfile
    from pathlib import Path

    from sopxl.core.procpool import discard_pool, start_pool
    from sopxl.frontends.cli.common import SopxlClickError
    from sopxl.recap.sources import Collected

    with user_errors():
        from sopxl.core.config import Settings
        from sopxl.recap import rekap as run
        from sopxl.recap import write_recap
        from sopxl.recap.workbook import check_output

        check_output(output)
        file_overrides, run_overrides = collect_overrides(set_options, config_file)
        settings = Settings().with_overrides({**file_overrides, **run_overrides})
        if not sources and not imap_url:
            raise SopxlClickError("Beri sedikitnya satu SUMBER (berkas, folder, pesan, mbox, Maildir) atau --imap.")

    # The workers fork once the arguments are checked and the recap's own modules imported
    # (with the settings' regulation table): they need many of them too and share them
    # instead of each importing them again, then load the reader while the files are listed
    # (sopxl/core/procpool.py). What is alive now lives for the whole run: frozen, it is out
    # of the collector's way in the parent and in the workers, whose collections would
    # otherwise walk (and so copy) every object they inherit.
    gc.freeze()
    pool = start_pool(jobs or os.cpu_count() or 1, _preload)
    try:
        with user_errors():
            quiet = fmt == "json" or not sys.stderr.isatty()
            with tempfile.TemporaryDirectory(prefix="sopxl-imap-") as spool:
                received = Collected()
                if imap_url:
                    from sopxl.recap.imap import fetch_received

                    received = fetch_received(imap_url, settings, spool=Path(spool))
                with _Progress(quiet) as bar:
                    result = run(
                        sources,
                        periode=periode,
                        daftar=daftar,
                        output=output,
                        jobs=jobs,
                        file_overrides=file_overrides,
                        run_overrides=run_overrides,
                        received=received,
                        progress=bar.start,
                        pool=pool,
                    )
            if result.read == 0 and not result.satker:
                click.echo(
                    "Galat: tidak ada buku kerja yang dapat dibaca dari sumber yang diberikan.", err=True
                )
                if fmt == "json":
                    click.echo(json.dumps(result.to_json_dict(), ensure_ascii=False))
                raise SystemExit(2)
            write_recap(result, output, settings)
        if fmt == "json":
            click.echo(json.dumps(result.to_json_dict(), ensure_ascii=False))
        else:
            click.echo(render(result, output))
        raise SystemExit(result.exit_code)
    finally:
        discard_pool(pool)


def _preload() -> None:
    """What each recap worker runs as it starts (`sopxl.recap.worker.preload`)."""
    from sopxl.recap.worker import preload

    preload()


class _Progress:
    """click's progress bar on stderr, only on a terminal and not with --format json."""

    def __init__(self, quiet: bool) -> None:
        self.quiet = quiet
        self.bar: object | None = None

    def __enter__(self) -> _Progress:
        return self

    def start(self, total: int, cached: int) -> Callable[[int], None] | None:
        if self.quiet or total - cached <= 0:
            return None
        bar = click.progressbar(length=total - cached, label="Membaca buku kerja", file=sys.stderr)
        bar.__enter__()
        self.bar = bar
        return bar.update

    def __exit__(self, *exc: object) -> None:
        if self.bar is not None:
            self.bar.__exit__(None, None, None)  # type: ignore[attr-defined]


def render(result: RekapResult, output: str) -> str:
    """The terminal summary of a recap (Bahasa Indonesia)."""
    from sopxl.core import spec
    from sopxl.core.parse import format_number
    from sopxl.recap.workbook import STATUS_LABEL

    def num(x: float | None) -> str:
        from sopxl.calc.scores import round_half_up

        return "-" if x is None else format_number(round_half_up(x))

    lines = [
        f"Rekap {spec.PERIODS[result.periode][0]} {result.tahun or ''}".rstrip(),
        "",
        f"{'Kode':<8} {'Status':<15} {'Salah':>5} {'Ingat':>5} {'IKPA':>7} {'NKA':>7} {'Serap%':>7} "
        f"{'Capai%':>7}  Nama",
    ]
    for s in result.satker:
        lines.append(
            f"{s.kode:<8} {STATUS_LABEL.get(s.status, s.status):<15} {s.errors:>5} {s.warnings:>5} "
            f"{num(s.ikpa):>7} {num(s.nka):>7} {num(s.penyerapan_persen):>7} {num(s.capaian_persen):>7}  "
            f"{s.nama or ''}"
        )
    counts: dict[str, int] = {}
    for s in result.satker:
        counts[s.status] = counts.get(s.status, 0) + 1
    lines += [
        "",
        "Jumlah: " + ", ".join(f"{STATUS_LABEL.get(k, k)} {v}" for k, v in counts.items()),
    ]
    if result.masalah:
        lines.append(f"Masalah: {len(result.masalah)} berkas (lihat lembar Masalah).")
    lines.append(f"Rekap ditulis ke {output} ({result.from_cache} dari tembolok).")
    return "\n".join(lines)
