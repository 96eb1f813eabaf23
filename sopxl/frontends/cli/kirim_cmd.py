"""`sopxl kirim`: send the finished workbook upward, or draft the message (SOP step 6)."""

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
    from sopxl.send import KirimResult


@click.command()
@click.argument("path", type=click.Path(dir_okay=False, path_type=str))
@periode_option("Kirim laporan periode ini (lembar laporan dan PDF-nya); tanpa ini: capaian s.d. bulan pelaporan.")
@click.option("--ke", "to", multiple=True, metavar="ALAMAT",
              help="Penerima (boleh berulang); tanpa ini: Email Penerima Laporan di lembar Identitas.")
@click.option("--cc", "cc", multiple=True, metavar="ALAMAT", help="Tembusan (boleh berulang).")
@click.option("--draf", "draft", type=click.Path(dir_okay=False, path_type=str), metavar="BERKAS.eml",
              help="Jangan kirim: tulis draf .eml (dibuka Outlook/Thunderbird siap dikirim).")
@click.option("--paksa", is_flag=True,
              help="Tetap kirim walau masih ada kesalahan (isi pesan menyebutkannya).")
@click.option("--ulang", is_flag=True, help="Kirim ulang pesan yang menunggu di kotak keluar (byte dan Message-ID sama).")
@format_option(
    "tanda",
    help="Bentuk keluaran di terminal. `tanda`: JSON ditambah rencana langkah 6 Kendali SOP untuk "
    "buku kerja yang sedang terbuka (dipakai makro LibreOffice; berkasnya tidak ditulisi).",
)
@settings_options
def kirim(
    path: str,
    periode: str | None,
    to: tuple[str, ...],
    cc: tuple[str, ...],
    draft: str | None,
    paksa: bool,
    ulang: bool,
    fmt: str,
    set_options: tuple[str, ...],
    config_file: str | None,
) -> None:
    """Kirim buku kerja yang sudah diperiksa ke atasan lewat e-mail (langkah 6 SOP).

    Buku kerja diperiksa dulu (tanpa ditulisi); yang masih memiliki kesalahan ditolak. Tanpa
    smtp_host (atau dengan --draf) sopxl menulis draf .eml; dengan smtp_host pesan dikirim
    lewat server SMTP. Kata sandi SMTP diambil dari variabel lingkungan SOPXL_SMTP_PASSWORD,
    keyring sistem, atau ditanyakan di terminal. Setiap kiriman, draf dan kegagalan disimpan
    di arsip (lihat `sopxl arsip`).

    Kode keluar: 0 terkirim atau draf tertulis, 1 ditolak karena masih ada kesalahan (pakai
    --paksa untuk tetap mengirim), 2 tidak dapat diproses (alamat tidak sah, pesan terlalu
    besar, ...), 3 pengiriman gagal (pesan menunggu di kotak keluar; kirim lagi dengan --ulang).

    \b
    Contoh:
      sopxl kirim capaian-2026.xlsx --draf kirim-juni.eml
      sopxl kirim capaian-2026.xlsx --periode semester1 --set smtp_host=mail.contoh.go.id \\
            --set smtp_user=program@contoh.go.id --set email_from=program@contoh.go.id
      sopxl kirim capaian-2026.xlsx --ulang --config surel.toml
    """
    import json

    from sopxl.send import kirim as run

    with user_errors():
        file_overrides, run_overrides = collect_overrides(set_options, config_file)
        result = run(
            path,
            periode,
            to=to,
            cc=cc,
            draft=draft,
            force=paksa,
            resend=ulang,
            file_overrides=file_overrides,
            run_overrides=run_overrides,
            password_prompt=lambda text: str(click.prompt(text, hide_input=True, err=True)),
            # the open document is LibreOffice's: it gets step 6 from the plan printed below
            write_workbook=fmt != "tanda",
        )
        plan = None
        if fmt == "tanda" and result.status == "terkirim" and result.record is not None:
            from sopxl.send.kirim import step6_plan

            plan = step6_plan(path, result.record)
    if fmt == "tanda":
        click.echo(json.dumps({**result.to_json_dict(), "plan": plan}, ensure_ascii=False))
    elif fmt == "json":
        click.echo(json.dumps(result.to_json_dict(), ensure_ascii=False))
    else:
        click.echo(render(result))
    if result.reason and fmt != "table":
        click.echo(result.reason, err=True)
    raise SystemExit(result.exit_code)


def render(result: KirimResult) -> str:
    """The terminal summary of a send (Bahasa Indonesia)."""
    from sopxl.send.kirim import size_text

    heads = {
        "terkirim": "Terkirim",
        "draf": "Draf tertulis (belum dikirim)",
        "gagal": "GAGAL dikirim",
        "ditolak": "DITOLAK, tidak dikirim",
    }
    lines = [f"Berkas: {result.file}", f"Status: {heads[result.status]}"]
    if result.reason:
        lines.append(f"Sebab: {result.reason}")
    if result.status != "ditolak":
        lines.append("Kepada: " + ", ".join(result.to))
        if result.cc:
            lines.append("Tembusan: " + ", ".join(result.cc))
        lines += [f"Subjek: {result.subject}", f"Message-ID: {result.message_id}"]
        for a in result.attachments:
            lines.append(f"Lampiran: {a.name} ({size_text(len(a.data))} bita, SHA-256 {a.sha256})")
    lines.append(f"Hasil pemeriksaan: {result.errors} kesalahan, {result.warnings} peringatan")
    for f in result.blocking[:20]:
        lines.append(f"  {f.sheet}!{f.cell} [{f.rule}] {f.message}")
    if len(result.blocking) > 20:
        lines.append(f"  ... dan {len(result.blocking) - 20} kesalahan lain (lihat `sopxl validate`).")
    lines.extend(result.notes)
    if result.eml:
        lines.append(f"Berkas pesan: {result.eml}")
    return "\n".join(lines)
