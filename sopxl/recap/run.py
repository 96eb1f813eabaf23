"""The recap of everything a receiving office got: `rekap(sources, ...) -> RekapResult`.

Steps: collect the workbooks from the sources (sopxl.recap.sources); hash each one; take
what the cache already knows; read and check the rest in a process pool (sopxl.recap.pool);
then decide per satker: the newest workbook of a satker counts (message Date, else file
time), the others are duplicates; a budget year other than the expected one (`tahun`
setting, else the most common year) is `tahun-berbeda`; no error is `sesuai`, else
`ada-kesalahan`; a satker of the expected list without a workbook is `belum-mengirim`.

Nothing here writes to a source: files are opened read-only, attachments are copied into a
private temporary folder to be read.
"""

from __future__ import annotations

import csv
import datetime as dt
import json
import os
import tempfile
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sopxl import __version__
from sopxl.core import spec
from sopxl.core.errors import InvalidInput
from sopxl.recap.pool import Cache, discard_pool, run_pool, start_pool
from sopxl.recap.sources import Collected, Problem, Received, collect, stat_signature
from sopxl.recap.worker import RESULT_VERSION

if TYPE_CHECKING:
    from concurrent.futures import ProcessPoolExecutor

    import pandas as pd

    from sopxl.core.config import Settings

SESUAI = "sesuai"
ADA_KESALAHAN = "ada-kesalahan"
BELUM_MENGIRIM = "belum-mengirim"
TIDAK_TERBACA = "tidak-terbaca"
TAHUN_BERBEDA = "tahun-berbeda"
STATUSES = (SESUAI, ADA_KESALAHAN, BELUM_MENGIRIM, TIDAK_TERBACA, TAHUN_BERBEDA)

SATKER_KEYS = (
    "kode", "nama", "file", "status", "errors", "warnings", "bulan_pelaporan", "ikpa", "nka",
    "penyerapan_persen", "capaian_persen", "sha256",
)


@dataclass(frozen=True)
class StoredResults:
    """Where a recap's results are cached (the cache file and the context of this run): the
    satker's RO figures and Rekap RO rows stay there until something asks for them."""

    path: Path
    konteks: str

    def load(self, rows: Sequence[SatkerRow]) -> None:
        """Give each of `rows` its RO figures and Rekap RO rows from the cache, in one read."""
        wanted = [r.sha256 for r in rows if r.sha256 is not None and r.ro_list is None and r.ro_json is None]
        if not wanted:
            return
        store = Cache(self.path)
        try:
            parts = store.ro_parts(wanted, self.konteks)
        finally:
            store.close()
        for r in rows:
            if r.sha256 in parts and r.ro_list is None and r.ro_json is None:
                ro_json, xml = parts[r.sha256]
                r.ro_json = ro_json or "[]"
                if r.ro_xml is None:
                    r.ro_xml = xml
        missing = [r.kode for r in rows if r.sha256 is not None and r.ro_list is None and r.ro_json is None]
        if missing:
            # the cache was removed or changed since the recap was made: the ROs are not
            # known any more and an empty list would be wrong
            raise InvalidInput(
                f"Tembolok rekap '{self.path.name}' berubah atau terhapus sejak rekap dibuat; RO satker "
                f"{', '.join(missing[:5])} tidak dapat dibaca. Jalankan rekap sekali lagi."
            )


def load_stored(rows: Iterable[SatkerRow]) -> None:
    """Give `rows` their RO figures and Rekap RO rows from where they are cached: one read
    per cache, not one per satker."""
    by_store: dict[StoredResults, list[SatkerRow]] = {}
    for r in rows:
        if r.stored is not None and r.ro_list is None and r.ro_json is None:
            by_store.setdefault(r.stored, []).append(r)
    for stored, group in by_store.items():
        stored.load(group)


@dataclass
class SatkerRow:
    kode: str
    nama: str | None
    file: str | None
    status: str
    errors: int = 0
    warnings: int = 0
    bulan_pelaporan: int | None = None
    ikpa: float | None = None
    nka: float | None = None
    penyerapan_persen: float | None = None
    capaian_persen: float | None = None
    sha256: str | None = None
    tahun: int | None = None
    bulan_terlambat: list[int] = field(default_factory=list)
    alasan: str | None = None  # why tidak-terbaca / tahun-berbeda
    ro_list: list[dict[str, Any]] | None = field(default=None, repr=False)
    # the RO figures as the cache holds them (JSON text), decoded on first use of `ro`
    ro_json: str | None = field(default=None, repr=False)
    # the Rekap RO rows of `ro` as made by the worker (sopxl.recap.rows); None: made on demand
    ro_xml: bytes | None = field(default=None, repr=False)
    # how many ROs (the worker's count): known without reading them
    jumlah_ro: int | None = field(default=None, repr=False)
    # where this satker's result is cached: its ROs and rows are read from there on first use
    stored: StoredResults | None = field(default=None, repr=False, compare=False)

    @property
    def ro(self) -> list[dict[str, Any]]:
        """The satker's ROs with their period figures (`consolidate --format json`'s "ro")."""
        if self.ro_list is None:
            if self.ro_json is None:
                self._load()
            decoded = json.loads(self.ro_json) if self.ro_json else []
            self.ro_list = decoded if isinstance(decoded, list) else []
        return self.ro_list

    def ro_template(self) -> bytes:
        """This satker's Rekap RO rows as a template (sopxl.recap.rows.ro_rows_template)."""
        if self.ro_xml is None and self.ro_list is None:
            self._load()
        if self.ro_xml is None:
            from sopxl.recap.rows import ro_rows_template

            self.ro_xml = ro_rows_template(self.kode, self.ro)
        return self.ro_xml

    def ro_count(self) -> int:
        if self.ro_list is not None:
            return len(self.ro_list)
        if self.jumlah_ro is not None:
            return self.jumlah_ro
        if self.ro_xml is not None:
            from sopxl.recap.rows import row_count

            return row_count(self.ro_xml)
        return len(self.ro)

    def _load(self) -> None:
        if self.stored is not None and self.sha256 is not None:
            self.stored.load([self])

    def to_json_dict(self) -> dict[str, Any]:
        return {key: getattr(self, key) for key in SATKER_KEYS}


@dataclass
class RekapResult:
    periode: str
    tahun: int | None
    satker: list[SatkerRow]
    belum_mengirim: list[dict[str, str]]
    masalah: list[dict[str, str]]
    duplikat: list[dict[str, str]]
    read: int = 0  # workbooks read successfully (from the cache or now)
    from_cache: int = 0

    def to_json_dict(self) -> dict[str, Any]:
        """The exact contract of `sopxl rekap --format json`."""
        return {
            "periode": self.periode,
            "tahun": self.tahun,
            "satker": [s.to_json_dict() for s in self.satker],
            "belum_mengirim": list(self.belum_mengirim),
            "masalah": list(self.masalah),
            "duplikat": list(self.duplikat),
        }

    @property
    def exit_code(self) -> int:
        """0 every satker conforming; 1 any with errors, missing, unreadable or another year
        (or a file that could not be read); 2 when nothing could be read."""
        if self.read == 0:
            return 2
        if any(not _is_duplicate(m) for m in self.masalah):
            return 1
        return 0 if all(s.status == SESUAI for s in self.satker) else 1

    def to_pandas(self) -> tuple[pd.DataFrame, pd.DataFrame]:
        """(satker, RO) DataFrames for analysts; needs pandas (`pip install sopxl[analisis]`)."""
        import pandas as pd

        load_stored(self.satker)  # one read for all, not one per satker
        satker = pd.DataFrame(
            [
                {**s.to_json_dict(), "tahun": s.tahun, "bulan_terlambat": len(s.bulan_terlambat)}
                for s in self.satker
            ],
            columns=[*SATKER_KEYS, "tahun", "bulan_terlambat"],
        )
        ro_rows = [
            {"kode_satker": s.kode, "nama_satker": s.nama, **ro} for s in self.satker for ro in s.ro
        ]
        ro = pd.DataFrame(ro_rows, columns=["kode_satker", "nama_satker", *RO_KEYS])
        return satker, ro


RO_KEYS = (
    "kode", "uraian", "satuan", "target_volume", "realisasi_volume_kumulatif", "progres_capaian",
    "target_progres", "capaian_persen", "pagu", "realisasi_anggaran", "penyerapan_persen",
)

DUPLICATE_PREFIX = "Duplikat:"


def _is_duplicate(item: Mapping[str, str]) -> bool:
    return item["alasan"].startswith(DUPLICATE_PREFIX)


def read_daftar(path: Path | str) -> list[tuple[str, str]]:
    """The expected satker of a `--daftar` CSV (`Kode Satker,Nama Satker`; `;` also accepted)."""
    p = Path(path)
    try:
        text = p.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError:
        text = p.read_text(encoding="cp1252")
    except OSError as exc:
        raise InvalidInput(f"Daftar satker '{p}' tidak dapat dibaca ({exc.strerror}).") from None
    lines = [line for line in text.splitlines() if line.strip()]
    if not lines:
        raise InvalidInput(f"Daftar satker '{p.name}' kosong.")
    delimiter = ";" if lines[0].count(";") > lines[0].count(",") else ","
    rows = list(csv.reader(lines, delimiter=delimiter))
    header = [spec.norm(h) for h in rows[0]]
    try:
        ki, ni = header.index(spec.norm(spec.ID_KODE_SATKER)), header.index(spec.norm(spec.ID_NAMA_SATKER))
    except ValueError:
        raise InvalidInput(
            f"Daftar satker '{p.name}' harus berkepala kolom 'Kode Satker,Nama Satker'."
        ) from None
    out: list[tuple[str, str]] = []
    seen: set[str] = set()
    for row in rows[1:]:
        kode = row[ki].strip() if ki < len(row) else ""
        if not kode or kode in seen:
            continue
        seen.add(kode)
        out.append((kode, row[ni].strip() if ni < len(row) else ""))
    return out


def cache_path(output: Path) -> Path:
    """The SQLite cache beside the recap workbook."""
    return output.with_name(f".{output.stem}.sopxl-cache.sqlite")


def _context(periode: str, file_overrides: Mapping[str, Any], run_overrides: Mapping[str, Any]) -> tuple[str, str]:
    """What a cached result depends on besides the file, and the day in it (ISO date)."""
    from sopxl.core.calendar import today
    from sopxl.core.config import Settings

    settings = Settings().with_overrides({**file_overrides, **run_overrides})
    day = today(settings).isoformat()
    context = json.dumps(
        {"v": RESULT_VERSION, "sopxl": __version__, "periode": periode, "set": [file_overrides, run_overrides], "hari": day},
        sort_keys=True,
        default=str,
    )
    return context, day


def rekap(
    sources: Iterable[Path | str],
    *,
    periode: str = "tahunan",
    daftar: Sequence[tuple[str, str]] | Path | str | None = None,
    output: Path | str | None = None,
    jobs: int | None = None,
    file_overrides: Mapping[str, Any] | None = None,
    run_overrides: Mapping[str, Any] | None = None,
    cache: bool = True,
    received: Collected | Iterable[Received] = (),
    progress: Callable[[int, int], Callable[[int], None] | None] | None = None,
    pool: ProcessPoolExecutor | None = None,
) -> RekapResult:
    """Recap the workbooks in `sources` (and `received`, e.g. from IMAP) for `periode`.

    `output` only places the cache (`cache_path`); writing the recap workbook is
    :func:`sopxl.recap.workbook.write_recap`. `progress(total, cached)` may return a callback
    called with the number of files done. `pool`: one a caller started earlier with
    `sopxl.recap.pool.start_pool(jobs)` (or `sopxl.core.procpool.start_pool` with
    `sopxl.recap.worker.preload`), so its workers were ready sooner; it is shut down here.
    """
    spec.check_periode(periode)
    fo = dict(file_overrides or {})
    ro = dict(run_overrides or {})
    from sopxl.core.config import Settings

    settings = Settings().with_overrides({**fo, **ro})
    expected = read_daftar(daftar) if isinstance(daftar, str | Path) else list(daftar or [])
    out_path = Path(output) if output is not None else None
    workers = jobs or os.cpu_count() or 1
    # the workers import while the files are listed, hashed and looked up in the cache
    started = pool if pool is not None else start_pool(workers)
    try:
        return _rekap(
            sources, periode, expected, out_path, workers, fo, ro, settings, cache, received, progress, started
        )
    finally:
        discard_pool(started)  # a no-op once run_pool has shut it down


def _rekap(
    sources: Iterable[Path | str],
    periode: str,
    expected: list[tuple[str, str]],
    out_path: Path | None,
    workers: int,
    fo: dict[str, Any],
    ro: dict[str, Any],
    settings: Settings,
    cache: bool,
    received: Collected | Iterable[Received],
    progress: Callable[[int, int], Callable[[int], None] | None] | None,
    started: ProcessPoolExecutor,
) -> RekapResult:
    with tempfile.TemporaryDirectory(prefix="sopxl-rekap-") as tmpname:
        tmp = Path(tmpname)
        collected = collect(
            sources, skip=[p for p in (out_path, out_path and cache_path(out_path)) if p], spool=tmp / "lampiran"
        )
        problems: list[Problem] = list(collected.problems)
        if isinstance(received, Collected):
            problems += received.problems
            received = received.received
        items = [*collected.received, *received]

        store = Cache(cache_path(out_path) if cache and out_path is not None else None)
        context, day = _context(periode, fo, ro)
        readable: list[tuple[int, Received, str]] = []
        known: dict[str, dict[str, Any]] = {}
        fresh: dict[str, dict[str, Any]] = {}
        stored: StoredResults | None = None
        try:
            hashes = _Hashes(items, store)
            # what the cache says before any file is read: files not written since they were
            # hashed keep their hash; a re-run finds nearly all here, and its bar counts the rest
            cached = store.cached(list(hashes.quick.values()), context)
            upfront = {i for i, sha in hashes.quick.items() if sha in cached}
            tick = progress(len(items), len(upfront)) if progress else None
            queued: set[str] = set()

            def tasks() -> Iterator[tuple[str, str]]:
                # the files to read, handed to the workers while the rest are still hashed
                # (a first recap reads from the first file on, not after hashing them all)
                for chunk in _chunks(hashes, HASH_CHUNK):
                    ok: list[tuple[int, Received, str]] = []
                    for i, sha in chunk:
                        problem = _hash_problem(items[i], sha)
                        if problem is not None:
                            problems.append(problem)
                        elif isinstance(sha, str):
                            ok.append((i, items[i], sha))
                    readable.extend(ok)
                    cached.update(store.cached([sha for i, _, sha in ok if i not in hashes.quick], context))
                    new = _tasks([(i, item, sha) for i, item, sha in ok if sha not in cached], tmp, queued)
                    # files found in the cache, refused or the same bytes as another are done now
                    settled = len(chunk) - len(new) - sum(1 for i, _ in chunk if i in upfront)
                    if tick is not None and settled:
                        tick(settled)
                    yield from new

            def take_cached() -> None:
                # while the workers read the changed files
                known.update(store.get_many(list(cached), context))

            unsaved: dict[str, dict[str, Any]] = {}

            def keep(key: str, result: dict[str, Any]) -> None:
                # kept as they come, in batches, while the workers read on: a recap that is
                # interrupted leaves what it read, and the end of a first recap waits for
                # no big write
                if not result.get("transient"):
                    unsaved[key] = result
                    if len(unsaved) >= SAVE_BATCH:
                        store.put_many(unsaved, context, day)
                        unsaved.clear()

            fresh = run_pool(
                tasks(), periode, fo, ro, workers, tick, timeout=settings.rekap_timeout_s, started=started,
                meanwhile=take_cached, on_result=keep,
            )
            lost = [(i, item, sha) for i, item, sha in readable if sha not in known and sha not in fresh]
            if lost:  # listed as cached, then not readable from the cache: read them after all
                fresh.update(run_pool(
                    _tasks(lost, tmp, set()), periode, fo, ro, workers, None, timeout=settings.rekap_timeout_s,
                    on_result=keep,
                ))
            store.put_many(unsaved, context, day)
            store.prune(day)
            stored = StoredResults(store.path, context) if store.path is not None and store.usable else None
        finally:
            store.close()
        results = {**known, **fresh}

    return _decide(
        periode,
        settings.tahun,
        expected,
        [(item, sha, results[sha]) for _, item, sha in readable],
        problems,
        from_cache=sum(1 for _, _, sha in readable if sha in known),
        stored=stored,
    )


# Results kept in the cache per transaction while the workers read.
SAVE_BATCH = 64


# Files hashed before their results are looked up in the cache and the rest handed to the
# workers: small enough that the workers start at once, large enough for few cache queries.
HASH_CHUNK = 32


def _chunks(pairs: Iterable[tuple[int, str | OSError]], size: int) -> Iterator[list[tuple[int, str | OSError]]]:
    chunk: list[tuple[int, str | OSError]] = []
    for pair in pairs:
        chunk.append(pair)
        if len(chunk) >= size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


def _hash_problem(item: Received, sha: str | OSError) -> Problem | None:
    """Why a received workbook is not read, seen from its hash: it could not be read, or it
    is not the attachment its message declared."""
    if isinstance(sha, OSError):
        from sopxl.read.safety import os_reason

        return Problem(item.label, f"Berkas '{item.name}' tidak dapat dibaca: {os_reason(sha)}.", item.satker)
    if item.declared_sha256 is not None and item.declared_sha256 != sha:
        return Problem(
            item.label,
            f"Lampiran '{item.name}' rusak dalam pengiriman: SHA-256 tidak sama dengan "
            "X-Sopxl-Sha256 pada pesan. Minta satker mengirim ulang.",
            item.satker,
        )
    return None


def _tasks(todo: Sequence[tuple[int, Received, str]], tmp: Path, queued: set[str]) -> list[tuple[str, str]]:
    """(SHA-256, path to read) of each workbook to read, the same bytes once (`queued`: the
    hashes already handed over, updated here)."""
    tasks: list[tuple[str, str]] = []
    for i, item, sha in todo:
        if sha in queued:
            continue  # the same bytes twice are read once
        queued.add(sha)
        if item.path is not None:
            tasks.append((sha, str(item.path)))
        else:
            # an attachment is read from a private copy under its own name (the reasons
            # name the file)
            folder = tmp / str(i)
            folder.mkdir(exist_ok=True)
            copy = folder / (Path(item.name).name or "lampiran.xlsx")
            copy.write_bytes(item.content())
            tasks.append((sha, str(copy)))
    return tasks


class _Hashes:
    """Each item's SHA-256 (or the error that kept it from being read), in item order.

    A file whose stat signature (size, modification and change times, inode) is the one it had
    when it was hashed before keeps that hash (`quick`, known at once): any write to a file
    changes its change time, which no program can set back, so only files written since are
    read again. The rest are hashed as they are iterated, in threads (hashlib works outside
    the GIL), and what was learned is kept in the cache when the iteration ends.
    """

    def __init__(self, items: Sequence[Received], store: Cache) -> None:
        self.items = items
        self.store = store
        known = store.known_hashes()
        self.quick: dict[int, str] = {}
        self.signatures: dict[int, str] = {}
        for i, item in enumerate(items):
            if item.path is not None and item.data is None:
                # taken before the file is read (when it was listed, or now): a file written
                # while it is hashed gets another signature next time, so its hash is not
                # trusted then
                self.signatures[i] = item.signature or file_signature(item.path)
                seen = known.get(str(item.path))
                if seen is not None and seen[0] == self.signatures[i]:
                    self.quick[i] = seen[1]

    def __iter__(self) -> Iterator[tuple[int, str | OSError]]:
        missing = [i for i in range(len(self.items)) if i not in self.quick]
        learned: dict[str, tuple[str, str]] = {}
        threads = None
        if len(missing) < 64:
            hashed: Iterator[str | OSError] = (self._one(self.items[i]) for i in missing)
        else:
            from concurrent.futures import ThreadPoolExecutor

            threads = ThreadPoolExecutor(max_workers=min(4, os.cpu_count() or 1))
            hashed = threads.map(self._one, (self.items[i] for i in missing))
        try:
            for i in range(len(self.items)):
                if i in self.quick:
                    yield i, self.quick[i]
                    continue
                got = next(hashed)
                if isinstance(got, str) and self.signatures.get(i):
                    learned[str(self.items[i].path)] = (self.signatures[i], got)
                yield i, got
        finally:
            if threads is not None:
                threads.shutdown(wait=True, cancel_futures=True)
            self.store.put_hashes(learned)

    @staticmethod
    def _one(item: Received) -> str | OSError:
        try:
            return item.sha256()
        except OSError as exc:
            return exc


def file_signature(path: Path) -> str:
    """`stat_signature` of the file at `path` ("" when it cannot be read)."""
    try:
        st = path.stat()
    except OSError:
        return ""
    return stat_signature(st)


def _decide(
    periode: str,
    tahun_setting: int | None,
    expected: list[tuple[str, str]],
    examined: list[tuple[Received, str, dict[str, Any]]],
    problems: list[Problem],
    *,
    from_cache: int,
    stored: StoredResults | None = None,
) -> RekapResult:
    masalah = [{"file": p.file, "alasan": p.alasan} for p in problems]
    duplikat: list[dict[str, str]] = []
    good: list[tuple[Received, str, dict[str, Any]]] = []
    unreadable_by_kode: dict[str, tuple[Received, str, str]] = {}
    for item, sha, res in examined:
        if not res.get("ok"):
            masalah.append({"file": item.label, "alasan": str(res.get("alasan"))})
            if item.satker:
                unreadable_by_kode.setdefault(item.satker, (item, sha, str(res.get("alasan"))))
        elif not res.get("kode"):
            masalah.append(
                {"file": item.label, "alasan": "Kode Satker pada lembar Identitas kosong: satker tidak dikenali."}
            )
        else:
            good.append((item, sha, res))
    for p in problems:
        if p.satker and p.satker not in unreadable_by_kode:
            unreadable_by_kode[p.satker] = (Received(label=p.file, name=p.file), "", p.alasan)

    years = Counter(res["tahun"] for _, _, res in good if res.get("tahun") is not None)
    tahun = tahun_setting if tahun_setting is not None else (
        # the most common year; on a tie the later one (the current budget year)
        max(years, key=lambda y: (years[y], y)) if years else None
    )

    newest = dt.datetime.min.replace(tzinfo=dt.UTC)
    by_kode: dict[str, list[tuple[Received, str, dict[str, Any]]]] = {}
    for entry in good:
        by_kode.setdefault(str(entry[2]["kode"]), []).append(entry)

    rows: dict[str, SatkerRow] = {}
    for kode, entries in by_kode.items():
        # newest first; equal times keep the order found (the first counts)
        ordered = sorted(entries, key=lambda e: e[0].when or newest, reverse=True)
        item, sha, res = ordered[0]
        for dup, _dsha, _dres in ordered[1:]:
            duplikat.append({"kode": kode, "file": dup.label})
            masalah.append(
                {"file": dup.label, "alasan": f"{DUPLICATE_PREFIX} satker {kode} juga mengirim '{item.label}' "
                 "yang lebih baru; yang lebih baru yang direkap."}
            )
        year = res.get("tahun")
        if tahun is not None and year != tahun:
            status = TAHUN_BERBEDA
            alasan = f"Tahun Anggaran {year if year is not None else '(kosong)'}, bukan {tahun}."
            masalah.append({"file": item.label, "alasan": f"Satker {kode}: {alasan}"})
        else:
            status = SESUAI if res["errors"] == 0 else ADA_KESALAHAN
            alasan = None
        rows[kode] = SatkerRow(
            kode=kode,
            nama=res.get("nama"),
            file=item.label,
            status=status,
            errors=int(res["errors"]),
            warnings=int(res["warnings"]),
            bulan_pelaporan=res.get("bulan_pelaporan"),
            ikpa=res.get("ikpa"),
            nka=res.get("nka"),
            penyerapan_persen=res.get("penyerapan_persen"),
            capaian_persen=res.get("capaian_persen"),
            sha256=sha,
            tahun=year,
            bulan_terlambat=list(res.get("bulan_terlambat") or []),
            alasan=alasan,
            ro_list=list(res["ro"]) if isinstance(res.get("ro"), list) else None,
            ro_xml=res.get("ro_xml"),
            jumlah_ro=res.get("jumlah_ro"),
            stored=stored,
        )

    names = dict(expected)
    for kode, (item, sha, alasan) in unreadable_by_kode.items():
        if kode not in rows:
            rows[kode] = SatkerRow(
                kode=kode, nama=names.get(kode) or None, file=item.label, status=TIDAK_TERBACA,
                sha256=sha or None, alasan=alasan, ro_list=[],
            )
    belum: list[dict[str, str]] = []
    for kode, nama in expected:
        if kode not in rows:
            rows[kode] = SatkerRow(kode=kode, nama=nama or None, file=None, status=BELUM_MENGIRIM, ro_list=[])
            belum.append({"kode": kode, "nama": nama})
        elif not rows[kode].nama and nama:
            rows[kode].nama = nama

    order = {kode: i for i, (kode, _) in enumerate(expected)}
    satker = sorted(rows.values(), key=lambda r: (order.get(r.kode, len(order)), r.kode))
    return RekapResult(
        periode=periode,
        tahun=tahun,
        satker=satker,
        belum_mengirim=belum,
        masalah=masalah,
        duplikat=duplikat,
        read=len(good),
        from_cache=from_cache,
    )


__all__ = [
    "ADA_KESALAHAN", "BELUM_MENGIRIM", "SESUAI", "STATUSES", "TAHUN_BERBEDA", "TIDAK_TERBACA",
    "RekapResult", "SatkerRow", "StoredResults", "cache_path", "load_stored", "read_daftar", "rekap",
]
