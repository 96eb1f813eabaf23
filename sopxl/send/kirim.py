"""`kirim`: send the finished workbook upward (SOP step 6), or draft the message.

Order: the workbook's bytes are read once at the start (they are the attachment, and their
SHA-256 the `X-Sopxl-Sha256` header); the workbook is validated (nothing written); a workbook
with errors in the months up to the reporting month (or, with a period, a report sheet that
is missing, stale or holds LAP errors) is refused unless forced; the recipients are checked;
the message is composed (a PDF of the report with a period), kept within `email_max_mb`
(zipping the attachments if that helps); then it is drafted (.eml with X-Unsent: 1) or sent
through SMTP. Every draft, send and failed attempt lands in the archive; a failed message
waits in the outbox for `--ulang`. After a send, Kendali SOP step 6 and sopxl's state record
it in the workbook (a lossless package edit).
"""

from __future__ import annotations

import datetime as dt
import email
import email.policy
import hashlib
import os
import tempfile
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sopxl.core import spec
from sopxl.core.config import Settings
from sopxl.core.errors import InvalidInput, SopxlError
from sopxl.core.findings import Finding, ValidationResult
from sopxl.read.workbook import WorkbookData
from sopxl.send import archive as arsip
from sopxl.send.message import (
    Attachment,
    build_message,
    check_addresses,
    draft_bytes,
    header_text,
    periode_tag,
    subject_for,
    zip_attachments,
)
from sopxl.send.smtp import Envelope, SendFailed, send, smtp_password

STATE_KEY = "kiriman"  # sopxl's state: the sends of this workbook, oldest first


@dataclass
class KirimResult:
    """What `kirim` did; `to_json_dict` is the JSON of `sopxl kirim --format json`."""

    file: str
    mode: str  # "smtp" | "draf"
    status: str  # "terkirim" | "draf" | "gagal" | "ditolak"
    to: list[str] = field(default_factory=list)
    cc: list[str] = field(default_factory=list)
    subject: str = ""
    message_id: str = ""
    attachments: list[Attachment] = field(default_factory=list)
    eml: str = ""
    errors: int = 0
    warnings: int = 0
    reason: str | None = None
    # for people, not in the JSON: what else happened (PDF missing, zipped, Kendali not written)
    notes: list[str] = field(default_factory=list)
    blocking: list[Finding] = field(default_factory=list)
    # the archive record of a completed send (callers writing step 6 themselves read it)
    record: arsip.Record | None = None

    @property
    def exit_code(self) -> int:
        return {"terkirim": 0, "draf": 0, "ditolak": 1, "gagal": 3}[self.status]

    def to_json_dict(self) -> dict[str, Any]:
        return {
            "file": self.file,
            "mode": self.mode,
            "status": self.status,
            "to": list(self.to),
            "cc": list(self.cc),
            "subject": self.subject,
            "message_id": self.message_id,
            "attachments": [a.to_json_dict() for a in self.attachments],
            "eml": self.eml,
            "errors": self.errors,
            "warnings": self.warnings,
            "reason": self.reason,
        }


def kirim(
    path: Path | str,
    periode: str | None = None,
    *,
    to: list[str] | tuple[str, ...] = (),
    cc: list[str] | tuple[str, ...] = (),
    draft: Path | str | None = None,
    force: bool = False,
    resend: bool = False,
    file_overrides: Mapping[str, Any] | None = None,
    run_overrides: Mapping[str, Any] | None = None,
    password_prompt: Callable[[str], str] | None = None,
    write_workbook: bool = True,
) -> KirimResult:
    """Send (or draft) the workbook at `path`; see the module docstring. Refusals that make
    the command impossible (a bad address, a missing password, too large) raise SopxlError
    (exit 2); a refusal for errors returns status "ditolak", a failed send "gagal".

    `write_workbook=False` leaves the file alone after a send (the Excel button: Excel owns
    the open file and writes step 6 into it from `KirimResult.record`)."""
    from sopxl.read.settings import reading_settings

    path = Path(path)
    # settings given to the run are checked before the file is touched (a password among them)
    reading_settings(file_overrides, run_overrides)
    if resend:
        return _resend(path, file_overrides, run_overrides, password_prompt, write_workbook)
    from sopxl.rules.validate import validate_path

    if periode is not None:
        spec.check_periode(periode)
    given_to = check_addresses(list(to), "--ke")
    given_cc = check_addresses(list(cc), "--cc")
    draft_path = Path(draft) if draft is not None else None
    if draft_path is not None and draft_path.suffix.lower() != ".eml":
        raise InvalidInput(f"Berkas draf '{draft_path.name}' harus berakhiran .eml.")
    if draft_path is not None and draft_path.is_dir():
        raise InvalidInput(f"'{draft_path}' adalah folder; beri nama berkas draf .eml.")

    before = os.stat(path)
    workbook_bytes = path.read_bytes()
    validation, data, settings = validate_path(path, file_overrides, run_overrides)
    after = os.stat(path)
    if (before.st_size, before.st_mtime_ns) != (after.st_size, after.st_mtime_ns):
        raise InvalidInput(f"'{path.name}' berubah selama diperiksa; simpan dan tutup berkasnya, lalu kirim lagi.")
    errors = sum(1 for f in validation.findings if f.severity == "error")
    warnings = len(validation.findings) - errors
    mode = "smtp" if settings.smtp_host and draft_path is None else "draf"
    result = KirimResult(file=str(path), mode=mode, status="ditolak", errors=errors, warnings=warnings)

    from sopxl.read.period import budget_year, reporting_month

    month = reporting_month(data)
    year = budget_year(data)
    kode = header_text(data.identity_value(spec.ID_KODE_SATKER))
    nama = header_text(data.identity_value(spec.ID_NAMA_SATKER))
    result.subject = subject_for(periode, year, month, kode, nama)

    blocking, refusal = _refusal(data, validation, periode, month)
    result.blocking = blocking
    if refusal is not None and not force:
        result.reason = refusal
        return result

    recipients = given_to
    if not recipients:
        listed = data.identity_value(spec.ID_EMAIL)
        where = f"{spec.ID_EMAIL} (lembar {spec.SHEET_IDENTITAS})"
        recipients = check_addresses([str(listed)] if listed not in (None, "") else [], where)
        if not recipients:
            raise InvalidInput(
                f"Tidak ada penerima: {spec.ID_EMAIL} pada lembar {spec.SHEET_IDENTITAS} kosong; "
                "isi alamat atasan di sana atau berikan --ke alamat@domain."
            )
    result.to, result.cc = recipients, given_cc

    sender = settings.email_from or (settings.smtp_user if settings.smtp_user and "@" in settings.smtp_user else None)
    if sender is not None:
        sender = check_addresses([sender], "pengaturan email_from")[0]
    if mode == "smtp" and sender is None:
        raise InvalidInput("Alamat pengirim belum diatur: isi pengaturan email_from (mis. --set email_from=program@contoh.go.id).")

    archive = arsip.archive_dir(path, settings)
    arsip.check_archive_writable(archive)
    sha256 = hashlib.sha256(workbook_bytes).hexdigest()
    attachments = [Attachment(path.name, workbook_bytes)]
    figures_text: list[str] = []
    if periode is not None:
        pdf, figures_text, note = _report_pdf(data, periode, settings, validation, path)
        if pdf is not None:
            attachments.append(pdf)
        if note:
            result.notes.append(note)
    body_notes = list(result.notes)
    if refusal is not None:
        body_notes.append(
            f"PERHATIAN: dikirim dengan --paksa walau belum memenuhi syarat: {refusal}"
        )
        result.notes.append("Dikirim dengan --paksa; isi pesan menyebutkannya.")
    headers = {
        "X-Sopxl-Satker": kode or nama,
        "X-Sopxl-Tahun": str(year or ""),
        "X-Sopxl-Periode": periode_tag(periode, month),
        "X-Sopxl-Sha256": sha256,
    }
    when = dt.datetime.now().astimezone()

    def compose(items: list[Attachment], zipped: bool) -> bytes:
        body = _body(data, periode, month, year, kode, nama, errors, warnings, figures_text, items,
                     sha256, body_notes, zipped, when, path.name)
        msg = build_message(sender=sender, to=recipients, cc=given_cc, subject=result.subject, body=body,
                            headers=headers, attachments=items, message_id=result.message_id or None, when=when)
        result.message_id = str(msg["Message-ID"])
        return msg.as_bytes()

    message = compose(attachments, False)
    limit = int(settings.email_max_mb * 1024 * 1024)
    if len(message) > limit:
        first = len(message)
        zipped = [zip_attachments(attachments, path.stem)]
        message = compose(zipped, True)
        if len(message) > limit:
            raise InvalidInput(
                f"Pesan terlalu besar: {_mb(first)} (dengan lampiran di-zip {_mb(len(message))}), "
                f"batas email_max_mb {settings.email_max_mb:g} MB. Kirim lewat jalur lain atau naikkan "
                "email_max_mb bila server penerima mengizinkan."
            )
        attachments = zipped
        result.notes.append(f"Lampiran di-zip agar pesan tidak melebihi {settings.email_max_mb:g} MB.")
    result.attachments = attachments
    periode_value = periode_tag(periode, month)
    archived = [(a.name, a.data) for a in attachments]

    if mode == "draf":
        eml = draft_bytes(message)
        record = arsip.append(
            archive, workbook=path, sha256=sha256, periode=periode_value, mode="draf", status="draf",
            to=recipients, cc=given_cc, subject=result.subject, message_id=result.message_id,
            eml_bytes=eml, attachments=archived, reason=None,
        )
        result.eml = str(archive / record.eml)
        if draft_path is not None:
            _write_file(draft_path, eml)
            result.eml = str(draft_path)
        result.status = "draf"
        return result

    password = smtp_password(settings, password_prompt)
    meta = {
        "workbook": arsip.workbook_key(path),
        "file": str(path),
        "waktu": arsip.now_text(),
        "sender": sender,
        "to": recipients,
        "cc": given_cc,
        "subject": result.subject,
        "message_id": result.message_id,
        "periode": periode_value,
        "sha256": sha256,
        "errors": errors,
        "warnings": warnings,
    }
    return _deliver(result, path, settings, archive, message, meta, password, archived, None, write_workbook)


def _deliver(
    result: KirimResult,
    path: Path,
    settings: Settings,
    archive: Path,
    message: bytes,
    meta: dict[str, Any],
    password: str | None,
    attachments: list[tuple[str, bytes]],
    outbox: arsip.Waiting | None,
    write_workbook: bool,
) -> KirimResult:
    """Send `message`; archive the attempt; on failure keep it in the outbox, on success
    record the send in the workbook."""
    envelope = Envelope(str(meta["sender"]), [*meta["to"], *meta["cc"]], message)
    common = dict(
        workbook=path, sha256=str(meta["sha256"]), periode=str(meta["periode"]), mode="smtp",
        to=list(meta["to"]), cc=list(meta["cc"]), subject=str(meta["subject"]),
        message_id=str(meta["message_id"]), eml_bytes=message, attachments=attachments,
    )
    try:
        send(envelope, settings, password)
    except SendFailed as exc:
        if outbox is None:
            arsip.put_outbox(archive, str(meta["message_id"]), message, meta)
        record = arsip.append(archive, status="gagal", reason=exc.message, **common)  # type: ignore[arg-type]
        result.status = "gagal"
        result.reason = exc.message
        result.eml = str(archive / record.eml)
        result.notes.append(
            f"Pesan disimpan di kotak keluar ({arsip.outbox_dir(archive)}); kirim ulang dengan "
            f"`sopxl kirim {path.name} --ulang`."
        )
        return result
    record = arsip.append(archive, status="terkirim", reason=None, **common)  # type: ignore[arg-type]
    if outbox is not None:
        arsip.take_out(outbox)
    result.status = "terkirim"
    result.eml = str(archive / record.eml)
    result.record = record
    note = record_send(path, record) if write_workbook else None
    if note:
        result.notes.append(note)
    return result


def _resend(
    path: Path,
    file_overrides: Mapping[str, Any] | None,
    run_overrides: Mapping[str, Any] | None,
    password_prompt: Callable[[str], str] | None,
    write_workbook: bool,
) -> KirimResult:
    """Send what waits in the outbox for this workbook: the same bytes and Message-ID."""
    from sopxl.read.settings import reading_settings, resolve_settings
    from sopxl.read.workbook import read_workbook

    data = read_workbook(path, reading_settings(file_overrides, run_overrides))
    settings = resolve_settings(data, file_overrides, run_overrides)
    archive = arsip.archive_dir(path, settings)
    pending = arsip.waiting(archive, path)
    if not pending:
        raise InvalidInput(f"Tidak ada pesan '{path.name}' yang menunggu di kotak keluar ({arsip.outbox_dir(archive)}).")
    if not settings.smtp_host:
        raise InvalidInput("smtp_host belum diatur: pesan di kotak keluar hanya dapat dikirim lewat SMTP.")
    password = smtp_password(settings, password_prompt)
    result = KirimResult(file=str(path), mode="smtp", status="gagal")
    for item in pending:
        meta = item.meta
        attachments = attachments_of(item.message)
        result = KirimResult(
            file=str(path), mode="smtp", status="gagal", to=list(meta["to"]), cc=list(meta["cc"]),
            subject=str(meta["subject"]), message_id=str(meta["message_id"]),
            attachments=[Attachment(name, data) for name, data in attachments],
            errors=int(meta.get("errors", 0)), warnings=int(meta.get("warnings", 0)),
        )
        result = _deliver(result, path, settings, archive, item.message, meta, password, attachments, item,
                          write_workbook)
        if result.status != "terkirim":
            break
    return result


def attachments_of(message: bytes) -> list[tuple[str, bytes]]:
    """(file name, exact bytes) of each attachment of a message."""
    msg = email.message_from_bytes(message, policy=email.policy.default)
    out: list[tuple[str, bytes]] = []
    for part in msg.iter_attachments():
        payload = part.get_payload(decode=True)
        out.append((str(part.get_filename() or "lampiran"), payload if isinstance(payload, bytes) else b""))
    return out


def record_send(path: Path, record: arsip.Record) -> str | None:
    """Kendali SOP step 6 (date, `Dikirim ke ...`) and sopxl's state record the send; a
    sentence when the workbook could not be written (the send itself stands)."""
    from sopxl.ooxml import WorkbookPackage
    from sopxl.read.state import read_state, write_state
    from sopxl.writeback.catatan import grid, kendali_updates

    try:
        pkg = WorkbookPackage.open(path)
        sheet = pkg.find_sheet(spec.SHEET_KENDALI)
        if sheet is not None:
            updates = kendali_updates(grid(pkg.read_values(sheet.name)), kendali_step6(record), step_number=6)
            if updates:
                pkg.set_cell_values(sheet.name, updates)
        state = read_state(pkg)
        record_send_state(state, record)
        write_state(pkg, state)
        pkg.save(backup=True)
    except (SopxlError, OSError) as exc:
        reason = exc.message if isinstance(exc, SopxlError) else str(exc)
        return f"Pesan terkirim, tetapi langkah 6 Kendali SOP tidak dapat ditulis ke '{path.name}': {reason}"
    return None


def step6_plan(path: Path | str, record: arsip.Record) -> dict[str, Any]:
    """SOP step 6 of a send as a plan for a program that holds the workbook open (the
    LibreOffice macro applies it to the open document, as it applies validation's marks):
    `{"kendali": ...}` in the shape of `sopxl.writeback.plan.kendali_json`, read from the saved
    file's Kendali SOP (None when it has no such sheet or the row already holds the values),
    and `{"state": {"sheet", "rows"}}`: sopxl's state sheet with the send recorded, whole."""
    from sopxl.ooxml import WorkbookPackage
    from sopxl.ooxml.editor import structure_errors
    from sopxl.read.state import encode_rows, read_state
    from sopxl.writeback.catatan import grid, kendali_updates
    from sopxl.writeback.plan import kendali_json

    with structure_errors(f"Langkah 6 Kendali SOP untuk '{Path(path).name}' tidak dapat disusun"):
        pkg = WorkbookPackage.open(Path(path))
        sheet = pkg.find_sheet(spec.SHEET_KENDALI)
        updates = (
            kendali_updates(grid(pkg.read_values(sheet.name)), kendali_step6(record), step_number=6)
            if sheet is not None
            else {}
        )
        # sopxl's state with the send added, whole: the open document is the saved file (the
        # macro refuses to send unsaved edits), so its state sheet is replaced by these rows
        state = read_state(pkg)
        record_send_state(state, record)
    return {
        "kendali": kendali_json(sheet.name, updates) if sheet is not None and updates else None,
        "state": {"sheet": spec.SHEET_STATE, "rows": [list(row) for row in encode_rows(state)]},
    }


def kendali_step6(record: arsip.Record) -> dict[str, Any]:
    """What SOP step 6 (the send) gets in Kendali SOP, by column header."""
    return {
        "Tanggal": dt.date.fromisoformat(record.waktu[:10]),
        "Status": header_text("Dikirim ke " + ", ".join([*record.to, *record.cc])),
        "Catatan": f"{record.subject}; Message-ID {record.message_id}",
    }


def record_send_state(state: dict[str, Any], record: arsip.Record) -> None:
    """Add the send to sopxl's state (key `kiriman`, oldest first); other keys untouched."""
    sends = state.get(STATE_KEY)
    if not isinstance(sends, list):
        sends = []
    sends.append({
        "waktu": record.waktu, "status": record.status, "to": record.to, "cc": record.cc,
        "message_id": record.message_id, "periode": record.periode, "sha256": record.sha256,
    })
    state[STATE_KEY] = sends


def _refusal(
    data: WorkbookData, validation: ValidationResult, periode: str | None, month: int
) -> tuple[list[Finding], str | None]:
    """The errors that refuse sending, and the sentence saying why (None: may be sent)."""
    report_sheets = {spec.norm(s) for s in spec.REPORT_SHEETS}
    wanted = spec.norm(spec.PERIODS[periode][0]) if periode else None
    blocking: list[Finding] = []
    for f in validation.findings:
        if f.severity != "error":
            continue
        sheet = spec.norm(f.sheet)
        number = spec.month_number(f.sheet)
        if number is not None:
            if number <= month:
                blocking.append(f)
        elif sheet in report_sheets:
            if sheet == wanted:
                blocking.append(f)
        else:
            blocking.append(f)
    name = data.path.name
    reasons: list[str] = []
    if periode is not None and data.sheet(spec.PERIODS[periode][0]) is None:
        reasons.append(
            f"lembar {spec.PERIODS[periode][0]} belum ada (jalankan `sopxl consolidate {name} --periode {periode}`)"
        )
    if blocking:
        sheets: dict[str, int] = {}
        for f in blocking:
            sheets[f.sheet] = sheets.get(f.sheet, 0) + 1
        per_sheet = ", ".join(f"{s} {n}" for s, n in sheets.items())
        stale = any(f.rule == "LAP-USANG" for f in blocking)
        reasons.append(
            f"masih ada {len(blocking)} kesalahan ({per_sheet})"
            + ("; laporan sudah usang, konsolidasi ulang" if stale else "")
        )
    if not reasons:
        return blocking, None
    return blocking, (
        f"Pengiriman '{name}' ditolak: " + "; ".join(reasons) + f". Jalankan `sopxl validate {name}`, "
        "perbaiki sel yang ditandai merah, lalu kirim lagi; atau tambahkan --paksa untuk tetap mengirim "
        "(isi pesan akan menyebutkannya)."
    )


def _report_pdf(
    data: WorkbookData, periode: str, settings: Settings, validation: ValidationResult, path: Path
) -> tuple[Attachment | None, list[str], str | None]:
    """(the report's PDF or None, lines of IKPA and NKA for the body, a note when the PDF is missing)."""
    from sopxl.calc.scores import band, round_half_up
    from sopxl.core.parse import format_number
    from sopxl.report import libreoffice
    from sopxl.report.consolidate import consolidate_data

    sheet = spec.PERIODS[periode][0]
    pdf: Attachment | None = None
    note: str | None = None
    figures = None
    if data.sheet(sheet) is None:
        return None, [], f"PDF {sheet} tidak terlampir: lembar laporannya belum ada."
    try:
        if libreoffice.find_soffice() is None:
            note = f"PDF {sheet} tidak terlampir: LibreOffice tidak terpasang di komputer pengirim."
            from sopxl.calc.figures import compute_figures

            figures = compute_figures(data, periode, settings)
        else:
            with tempfile.TemporaryDirectory(prefix="sopxl-kirim-") as tmp:
                out = Path(tmp) / f"{path.stem} - {sheet}.xlsx"
                done = consolidate_data(data, periode, settings, validation=validation, write=False,
                                        output=out, pdf=True, force=True)
                figures = done.figures
                if done.pdf is not None:
                    pdf = Attachment(done.pdf.name, done.pdf.read_bytes())
    except SopxlError as exc:
        note = f"PDF {sheet} tidak terlampir: {exc.message}"
    lines: list[str] = []
    if figures is not None:
        r2 = round_half_up
        lines = [
            f"IKPA Capaian Output: {format_number(r2(figures.ikpa.nilai))} ({band(figures.ikpa.nilai, settings.ikpa_bands)})",
            f"Nilai Kinerja Anggaran: {format_number(r2(figures.nka.nilai))} ({band(figures.nka.nilai, settings.nka_bands)})",
        ]
    return pdf, lines, note


def _body(
    data: WorkbookData,
    periode: str | None,
    month: int,
    year: int | None,
    kode: str,
    nama: str,
    errors: int,
    warnings: int,
    figures: list[str],
    attachments: list[Attachment],
    sha256: str,
    notes: list[str],
    zipped: bool,
    when: dt.datetime,
    file_name: str,
) -> str:
    """The plain-text Indonesian body."""
    tahun = f" {year}" if year else ""
    what = (f"{spec.PERIODS[periode][0]}{tahun}" if periode
            else f"Capaian Output s.d. bulan {spec.MONTHS[month - 1]}{tahun}")
    satker = " ".join(p for p in (nama, f"(kode satker {kode})" if kode else "") if p) or "satker kami"
    kasi = header_text(data.identity_value(spec.ID_KASI))
    nip = header_text(data.identity_value(spec.ID_NIP_KASI))
    lines = [
        "Yth. Bapak/Ibu,",
        "",
        f"Bersama ini kami sampaikan {what} {satker}.",
        "",
        f"Hasil pemeriksaan sopxl: {errors} kesalahan, {warnings} peringatan.",
        *figures,
        "Diperiksa oleh: " + (f"{kasi}" + (f" (NIP {nip})" if nip else "") if kasi else "-")
        + f", {spec.ID_KASI}, {when:%d/%m/%Y %H:%M}.",
        "",
        "Lampiran:",
    ]
    for item in attachments:
        lines.append(f"- {item.name} ({size_text(len(item.data))} bita)")
    if zipped:
        lines.append(f"  (lampiran di-zip agar ukuran pesan tidak melebihi batas; berisi {file_name})")
    lines.append(f"SHA-256 buku kerja {file_name}: {sha256}")
    if notes:
        lines.append("")
        lines.extend(notes)
    lines += ["", "Hormat kami,", kasi or nama or "", "", "Pesan ini disusun oleh sopxl."]
    return "\n".join(lines) + "\n"


def _write_file(target: Path, data: bytes) -> None:
    """Write the draft (replacing an older one) through a temporary file beside it."""
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = target.with_name(f".{target.name}.tmp")
    with open(tmp, "wb") as fh:
        fh.write(data)
        fh.flush()
        os.fsync(fh.fileno())
    os.replace(tmp, target)


def size_text(size: int) -> str:
    """12.345 (Indonesian thousands separator)."""
    return f"{size:,}".replace(",", ".")


def _mb(size: int) -> str:
    return f"{size / (1024 * 1024):.1f} MB".replace(".", ",")
