"""The digital archive of what sopxl sent, drafted or failed to send, and the outbox.

Layout of `arsip_dir` (default: a folder `arsip` beside the workbook)::

    arsip.sqlite                       the index (table `kiriman`), append-only
    2026/20260702-101500-terkirim-1a2b3c4d/
        pesan.eml                      the message as sent (or drafted)
        capaian-2026.xlsx              the exact attachments
        ...

Every record is written as files first (into a hidden folder, fsync'ed, then renamed into
place and the folder fsync'ed) and only then inserted into the index, so the index never
names a file that is not there; a process killed in between leaves at most a folder the
index does not name. The index refuses UPDATE and DELETE (triggers), uses WAL and takes its
write lock with BEGIN IMMEDIATE, retrying while another send holds it, so two sends at the
same moment both land.

The outbox (`kotak-keluar`, beside the archive) holds messages whose sending failed: the
exact bytes and what is needed to send them again (`sopxl kirim --ulang`).
"""

from __future__ import annotations

import datetime as dt
import json
import os
import secrets
import sqlite3
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sopxl.core.config import Settings
from sopxl.core.errors import InvalidInput, SopxlError

INDEX_NAME = "arsip.sqlite"
EML_NAME = "pesan.eml"
OUTBOX_NAME = "kotak-keluar"

_SCHEMA = """
CREATE TABLE IF NOT EXISTS kiriman (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    waktu TEXT NOT NULL,
    workbook TEXT NOT NULL,
    sha256 TEXT NOT NULL,
    periode TEXT NOT NULL,
    mode TEXT NOT NULL,
    status TEXT NOT NULL,
    penerima TEXT NOT NULL,
    tembusan TEXT NOT NULL,
    subject TEXT NOT NULL,
    message_id TEXT NOT NULL,
    eml TEXT NOT NULL,
    lampiran TEXT NOT NULL,
    reason TEXT
);
CREATE INDEX IF NOT EXISTS kiriman_workbook ON kiriman (workbook, id);
CREATE TRIGGER IF NOT EXISTS kiriman_no_update BEFORE UPDATE ON kiriman
BEGIN SELECT RAISE(ABORT, 'arsip sopxl hanya dapat ditambah'); END;
CREATE TRIGGER IF NOT EXISTS kiriman_no_delete BEFORE DELETE ON kiriman
BEGIN SELECT RAISE(ABORT, 'arsip sopxl hanya dapat ditambah'); END;
"""
_BUSY_RETRIES = 50


def _no_hook(point: str) -> None:
    """Called at the points where a crash matters; tests replace it to kill the process there."""


hook: Callable[[str], None] = _no_hook


def archive_dir(workbook: Path, settings: Settings) -> Path:
    """The archive folder of a workbook: `arsip_dir` (relative to the workbook's folder), or
    `arsip` beside the workbook."""
    folder = workbook.resolve().parent
    if settings.arsip_dir:
        chosen = Path(settings.arsip_dir).expanduser()
        return chosen if chosen.is_absolute() else folder / chosen
    return folder / "arsip"


def outbox_dir(archive: Path) -> Path:
    """The outbox: a folder beside the archive."""
    return archive.parent / OUTBOX_NAME


def workbook_key(workbook: Path) -> str:
    """How the index names a workbook: its absolute path."""
    return str(workbook.resolve())


@dataclass(frozen=True)
class Record:
    """One row of the index."""

    waktu: str
    workbook: str
    sha256: str
    periode: str
    mode: str  # "smtp" | "draf"
    status: str  # "terkirim" | "draf" | "gagal"
    to: list[str]
    cc: list[str]
    subject: str
    message_id: str
    eml: str  # path of the .eml relative to the archive folder
    attachments: list[str]  # file names beside the .eml
    reason: str | None

    def to_json_dict(self, archive: Path) -> dict[str, Any]:
        return {
            "waktu": self.waktu,
            "status": self.status,
            "mode": self.mode,
            "to": list(self.to),
            "cc": list(self.cc),
            "subject": self.subject,
            "message_id": self.message_id,
            "periode": self.periode,
            "sha256": self.sha256,
            "eml": str(archive / self.eml),
            "reason": self.reason,
        }


def _fsync_file(path: Path, data: bytes) -> None:
    with open(path, "xb") as fh:
        fh.write(data)
        fh.flush()
        os.fsync(fh.fileno())


def _fsync_dir(path: Path) -> None:
    if os.name == "nt":  # folders cannot be opened for fsync on Windows
        return
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def now_text() -> str:
    return dt.datetime.now().astimezone().isoformat(timespec="seconds")


def _connect(archive: Path) -> sqlite3.Connection:
    archive.mkdir(parents=True, exist_ok=True)
    con = sqlite3.connect(archive / INDEX_NAME, timeout=30, isolation_level=None)
    _retry(lambda: con.execute("PRAGMA journal_mode=WAL"))
    _retry(lambda: con.executescript(_SCHEMA))
    return con


def _retry(action: Callable[[], Any]) -> Any:
    """Run `action`, retrying while another process holds the database."""
    for attempt in range(_BUSY_RETRIES):
        try:
            return action()
        except sqlite3.OperationalError as exc:
            if "locked" not in str(exc) and "busy" not in str(exc):
                raise
            time.sleep(0.05 * (attempt + 1))
    return action()


def append(
    archive: Path,
    *,
    workbook: Path,
    sha256: str,
    periode: str,
    mode: str,
    status: str,
    to: list[str],
    cc: list[str],
    subject: str,
    message_id: str,
    eml_bytes: bytes,
    attachments: list[tuple[str, bytes]],
    reason: str | None,
    waktu: str | None = None,
) -> Record:
    """Write one record: files first (durably), then the index row."""
    waktu = waktu or now_text()
    stamp = dt.datetime.fromisoformat(waktu)
    year_dir = archive / f"{stamp:%Y}"
    year_dir.mkdir(parents=True, exist_ok=True)
    token = secrets.token_hex(4)
    name = f"{stamp:%Y%m%d-%H%M%S}-{status}-{token}"
    staging = year_dir / f".tulis-{name}"
    staging.mkdir()
    _fsync_file(staging / EML_NAME, eml_bytes)
    names: list[str] = []
    for att_name, data in attachments:
        safe = Path(att_name).name or "lampiran"
        if safe == EML_NAME or safe in names:
            safe = f"{len(names) + 1}-{safe}"
        _fsync_file(staging / safe, data)
        names.append(safe)
    _fsync_dir(staging)
    final = year_dir / name
    os.replace(staging, final)
    _fsync_dir(year_dir)
    hook("arsip-sebelum-indeks")
    record = Record(
        waktu=waktu,
        workbook=workbook_key(workbook),
        sha256=sha256,
        periode=periode,
        mode=mode,
        status=status,
        to=list(to),
        cc=list(cc),
        subject=subject,
        message_id=message_id,
        eml=f"{stamp:%Y}/{name}/{EML_NAME}",
        attachments=names,
        reason=reason,
    )
    con = _connect(archive)
    try:

        def insert() -> None:
            con.execute("BEGIN IMMEDIATE")
            try:
                con.execute(
                    "INSERT INTO kiriman (waktu, workbook, sha256, periode, mode, status, penerima, "
                    "tembusan, subject, message_id, eml, lampiran, reason) "
                    "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                    (
                        record.waktu, record.workbook, record.sha256, record.periode, record.mode,
                        record.status, json.dumps(record.to), json.dumps(record.cc), record.subject,
                        record.message_id, record.eml, json.dumps(record.attachments), record.reason,
                    ),
                )
            except BaseException:
                con.execute("ROLLBACK")
                raise
            con.execute("COMMIT")

        _retry(insert)
    finally:
        con.close()
    hook("arsip-sesudah-indeks")
    return record


def records(archive: Path, workbook: Path | None = None) -> list[Record]:
    """The index's records (of one workbook when given), oldest first."""
    if not (archive / INDEX_NAME).exists():
        return []
    con = _connect(archive)
    try:
        query = (
            "SELECT waktu, workbook, sha256, periode, mode, status, penerima, tembusan, subject, "
            "message_id, eml, lampiran, reason FROM kiriman"
        )
        args: tuple[str, ...] = ()
        if workbook is not None:
            query += " WHERE workbook = ?"
            args = (workbook_key(workbook),)
        rows = _retry(lambda: con.execute(query + " ORDER BY id", args).fetchall())
    finally:
        con.close()
    return [
        Record(
            waktu=r[0], workbook=r[1], sha256=r[2], periode=r[3], mode=r[4], status=r[5],
            to=json.loads(r[6]), cc=json.loads(r[7]), subject=r[8], message_id=r[9], eml=r[10],
            attachments=json.loads(r[11]), reason=r[12],
        )
        for r in rows
    ]


# --- the outbox -------------------------------------------------------------------------


@dataclass(frozen=True)
class Waiting:
    """A message waiting in the outbox."""

    folder: Path
    meta: dict[str, Any]
    message: bytes


def put_outbox(archive: Path, message_id: str, message: bytes, meta: dict[str, Any]) -> Path:
    """Keep a message that could not be sent (once per Message-ID)."""
    box = outbox_dir(archive)
    box.mkdir(parents=True, exist_ok=True)
    folder = box / _message_folder(message_id)
    if folder.exists():
        return folder
    staging = box / f".tulis-{secrets.token_hex(6)}"
    staging.mkdir()
    _fsync_file(staging / EML_NAME, message)
    _fsync_file(staging / "kirim.json", json.dumps(meta, ensure_ascii=False, indent=1).encode("utf-8"))
    _fsync_dir(staging)
    try:
        os.replace(staging, folder)
    except OSError:  # another process put it there first
        for child in staging.iterdir():
            child.unlink()
        staging.rmdir()
    _fsync_dir(box)
    return folder


def waiting(archive: Path, workbook: Path) -> list[Waiting]:
    """The messages of `workbook` waiting in the outbox, oldest first."""
    box = outbox_dir(archive)
    if not box.is_dir():
        return []
    key = workbook_key(workbook)
    found: list[tuple[str, Waiting]] = []
    for folder in box.iterdir():
        if folder.name.startswith(".") or not folder.is_dir():
            continue
        try:
            meta = json.loads((folder / "kirim.json").read_text(encoding="utf-8"))
            message = (folder / EML_NAME).read_bytes()
        except (OSError, ValueError):
            continue
        if isinstance(meta, dict) and meta.get("workbook") == key:
            found.append((str(meta.get("waktu", "")), Waiting(folder, meta, message)))
    return [w for _, w in sorted(found, key=lambda pair: pair[0])]


def take_out(item: Waiting) -> None:
    """A message sent from the outbox leaves it (its archive record keeps it)."""
    for child in item.folder.iterdir():
        child.unlink()
    item.folder.rmdir()


def _message_folder(message_id: str) -> str:
    import hashlib

    return hashlib.sha256(message_id.encode("utf-8")).hexdigest()[:16]


def check_archive_writable(archive: Path) -> None:
    """Refuse before sending when the archive cannot be written (nothing would be kept)."""
    probe = archive
    while not probe.exists() and probe != probe.parent:
        probe = probe.parent
    if not probe.is_dir() or not os.access(probe, os.W_OK):
        raise InvalidInput(f"Folder arsip '{archive}' tidak dapat ditulisi; atur arsip_dir ke folder yang dapat ditulisi.")


def history(
    path: Path | str,
    file_overrides: dict[str, Any] | None = None,
    run_overrides: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """The JSON of `sopxl arsip`: {"file", "kiriman": [...]} oldest first. The workbook's own
    Pengaturan is honoured when it can be read (arsip_dir); a workbook that is gone still has
    its history under the default or the given settings."""
    path = Path(path)
    settings = Settings().with_overrides({**(file_overrides or {}), **(run_overrides or {})})
    if path.is_file():
        from sopxl.read.settings import reading_settings, resolve_settings
        from sopxl.read.workbook import read_workbook

        try:
            data = read_workbook(path, reading_settings(file_overrides, run_overrides))
        except SopxlError:
            pass
        else:
            settings = resolve_settings(data, file_overrides, run_overrides)
    archive = archive_dir(path, settings)
    return {"file": str(path), "kiriman": [r.to_json_dict(archive) for r in records(archive, path)]}
