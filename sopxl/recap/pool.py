"""Running `examine` over many files: a process pool where each file is isolated, and the
SQLite cache by SHA-256 that lets a re-run read only what changed.

Isolation: every file is its own task; an exception inside a task is caught by `examine`
itself; a worker process that dies (killed, out of memory, a crash in a native library)
breaks the pool, and then the unfinished files are run again one at a time, each in a fresh
single-worker pool, so the one that kills its worker is the only one listed as failed.
"""

from __future__ import annotations

import json
import queue
import sqlite3
from collections.abc import Callable, Iterable, Iterator, Mapping, Sized
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from pathlib import Path
from typing import Any

from sopxl.core import procpool
from sopxl.core.procpool import discard_pool, kill
from sopxl.ooxml.deflate import Segment
from sopxl.recap.worker import examine, preload

# A result with "transient": True (a worker that died or hung, a pool failure) is not cached:
# the next run tries that file again.
Result = dict[str, Any]
Task = tuple[str, str]  # (key, path to read)


def _crashed(name: str) -> Result:
    return {
        "ok": False,
        "alasan": f"Pembacaan '{name}' menghentikan proses pembaca secara mendadak (berkas rusak atau "
        "terlalu berat); berkas lain tetap direkap.",
        "transient": True,
    }


def _too_slow(name: str, timeout: float) -> Result:
    return {
        "ok": False,
        "alasan": f"Pembacaan '{name}' dihentikan: lebih dari {timeout:g} detik (berkas terlalu berat "
        "atau rusak); berkas lain tetap direkap.",
        "transient": True,
    }


def _failed(path: str, exc: Exception) -> Result:
    """A task the pool itself could not carry out (its result could not be sent back, say):
    the reason a Kasi reads names no Python exception, only what to do."""
    return {
        "ok": False,
        "alasan": f"Berkas '{Path(path).name}' gagal diproses oleh pembaca rekap; berkas lain tetap "
        "direkap. Jalankan rekap sekali lagi; bila tetap gagal, periksa berkas itu dengan "
        "`sopxl validate`.",
        "transient": True,
    }


def run_pool(
    tasks: Iterable[Task],
    periode: str,
    file_overrides: Mapping[str, Any] | None,
    run_overrides: Mapping[str, Any] | None,
    jobs: int,
    progress: Callable[[int], None] | None = None,
    func: Callable[..., Result] = examine,
    timeout: float | None = None,
    started: ProcessPoolExecutor | None = None,
    meanwhile: Callable[[], None] | None = None,
    on_result: Callable[[str, Result], None] | None = None,
) -> dict[str, Result]:
    """`func` (`examine`) on each task's file in a pool of `jobs` processes; results by task key.

    `tasks` may be a generator: each task goes to the workers as it comes (the recap hashes
    files while the first ones are read). `timeout`: when no file finishes for that many
    seconds, a worker hangs; the workers are ended and the unfinished files run again one at a
    time, each given `timeout` seconds. `started`: a pool from `start_pool`, whose workers are
    already importing (it is shut down here, as a pool made here is). `meanwhile()` is called
    once every task is handed to the workers, before their results are awaited;
    `on_result(key, result)` as each result comes.
    """
    results: dict[str, Result] = {}
    if isinstance(tasks, Sized) and not tasks:
        if started is not None:
            discard_pool(started)
        if meanwhile is not None:
            meanwhile()
        return results
    fo = dict(file_overrides or {})
    ro = dict(run_overrides or {})
    if started is None:
        preload()
        pool = ProcessPoolExecutor(max_workers=max(1, min(jobs, len(tasks)) if isinstance(tasks, Sized) else jobs))
    else:
        pool = started
    source = iter(tasks)
    submitted: list[Task] = []
    # Each future puts itself here when it finishes: one waiter per file. Calling
    # `concurrent.futures.wait` on the pending set per result installs and removes a waiter on
    # every pending future each time, quadratic in the files: 1.3 s of the parent's processor,
    # taken from the workers, in a first recap of 1,000 on two cores; some ten minutes for 24,000.
    finished: queue.SimpleQueue[Future[Result]] = queue.SimpleQueue()
    try:
        futures: dict[Future[Result], Task] = {}
        try:
            for key, path in source:
                submitted.append((key, path))
                future = pool.submit(func, path, periode, fo, ro)
                futures[future] = (key, path)
                future.add_done_callback(finished.put)
        except BrokenProcessPool:
            submitted.extend(source)  # a worker died meanwhile: the rest are retried alone below
        if meanwhile is not None:
            meanwhile()
            meanwhile = None
        for _ in range(len(futures)):
            try:
                future = finished.get(timeout=timeout)
            except queue.Empty:
                kill(pool)  # no file finished for `timeout` s: the unfinished are retried alone below
                break
            key, path = futures[future]
            try:
                results[key] = future.result()
            except BrokenProcessPool:
                continue  # retried alone below
            except Exception as exc:  # pickling and other pool-level failures of one task
                results[key] = _failed(path, exc)
            if on_result is not None:
                on_result(key, results[key])
            if progress is not None:
                progress(1)
    except BrokenProcessPool:
        pass
    finally:
        if submitted:
            pool.shutdown(wait=True, cancel_futures=True)
        else:
            discard_pool(pool)  # no work came: its workers may still be preloading
        if meanwhile is not None:  # the pool broke before it was called
            meanwhile()
    for key, path in submitted:
        if key in results:
            continue
        # alone, so a worker that dies or hangs again takes only this file with it
        single = ProcessPoolExecutor(max_workers=1)
        try:
            results[key] = single.submit(func, path, periode, fo, ro).result(timeout=timeout)
        except TimeoutError:
            kill(single)
            results[key] = _too_slow(Path(path).name, timeout or 0)
        except BrokenProcessPool:
            results[key] = _crashed(Path(path).name)
        except Exception as exc:  # as above: one task's failure stays its own
            results[key] = _failed(path, exc)
        finally:
            single.shutdown(wait=True, cancel_futures=True)
        if on_result is not None:
            on_result(key, results[key])
        if progress is not None:
            progress(1)
    return results


def start_pool(jobs: int) -> ProcessPoolExecutor:
    """A pool whose `jobs` workers start importing the reader and the rule catalogue now, while
    the caller lists, hashes and looks up the files (a re-run that finds only a few changed
    files then waits for none of those imports). Forked before the caller starts threads."""
    return procpool.start_pool(jobs, preload)


class Cache:
    """Results of `examine` by (SHA-256 of the file, context): an SQLite file beside the recap.

    The context holds everything else a result depends on (period, settings, the day: date
    rules compare with today, the result format). A cache that cannot be opened or written
    is simply not used: the recap is the same, only slower. A result's RO figures and Rekap RO
    rows are kept in columns of their own, read only when something asks for them
    (`SatkerRow.ro`, a satker whose rows must be made again): a re-run reads neither for
    the satker that did not change. Beside the results: each file's hash by its stat
    signature (`berkas`), the Rekap RO rows last written per file, compressed (`segmen_ro`),
    and the recap workbook's frame (`kerangka`), both from sopxl.recap.workbook. Results of
    earlier days are forgotten by the first recap of a day (`prune`).
    """

    TABLE = "hasil_v4"
    OLD_TABLES = ("hasil", "hasil_v2", "hasil_v3")  # earlier layouts: never read again

    def __init__(self, path: Path | None) -> None:
        self.path = path
        self._db: sqlite3.Connection | None = None
        if path is None:
            return
        try:
            db = sqlite3.connect(path, timeout=10)
            # A cache: a transaction lost to a power failure is read again next run, so no
            # fsync per commit (two per run, a noticeable part of a re-run of 0.5 s). The
            # rollback journal stays: a crash of this process never leaves half a write.
            db.execute("PRAGMA synchronous=OFF")
            for old in self.OLD_TABLES:
                db.execute(f"DROP TABLE IF EXISTS {old}")
            db.execute(
                f"CREATE TABLE IF NOT EXISTS {self.TABLE} (sha256 TEXT NOT NULL, konteks TEXT NOT NULL, "
                "hari TEXT NOT NULL, data TEXT NOT NULL, ro TEXT, ro_xml BLOB, PRIMARY KEY (sha256, konteks))"
            )
            db.execute(
                "CREATE TABLE IF NOT EXISTS berkas (path TEXT PRIMARY KEY, tanda TEXT NOT NULL, sha256 TEXT NOT NULL)"
            )
            db.execute(
                "CREATE TABLE IF NOT EXISTS segmen_ro (sha256 TEXT PRIMARY KEY, konteks TEXT NOT NULL, "
                "versi TEXT NOT NULL, baris INTEGER NOT NULL, nama TEXT NOT NULL, data BLOB NOT NULL, "
                "crc INTEGER NOT NULL, ukuran INTEGER NOT NULL)"
            )
            db.execute("CREATE TABLE IF NOT EXISTS catatan (kunci TEXT PRIMARY KEY, nilai TEXT NOT NULL)")
            db.execute(
                "CREATE TABLE IF NOT EXISTS kerangka (kunci TEXT PRIMARY KEY, paket BLOB NOT NULL, gaya TEXT NOT NULL)"
            )
            db.commit()
            self._db = db
        except sqlite3.Error:
            self._db = None

    @property
    def usable(self) -> bool:
        """Whether the cache file could be opened (else nothing is kept or found)."""
        return self._db is not None

    def known_hashes(self) -> dict[str, tuple[str, str]]:
        """path -> (stat signature, SHA-256) of the files hashed before (see `file_signature`)."""
        if self._db is None:
            return {}
        try:
            return {path: (tanda, sha) for path, tanda, sha in self._db.execute("SELECT path, tanda, sha256 FROM berkas")}
        except sqlite3.Error:
            return {}

    def put_hashes(self, rows: Mapping[str, tuple[str, str]]) -> None:
        if self._db is None or not rows:
            return
        try:
            with self._db:
                self._db.executemany(
                    "INSERT OR REPLACE INTO berkas (path, tanda, sha256) VALUES (?, ?, ?)",
                    [(path, tanda, sha) for path, (tanda, sha) in rows.items()],
                )
        except sqlite3.Error:
            pass

    def _rows(
        self, columns: str, shas: list[str], table: str | None = None, **equal: str
    ) -> Iterator[tuple[Any, ...]]:
        """`columns` of `table`'s rows (the results' by default) among `shas` (each once)
        whose columns named in `equal` hold those values, in chunks of 500 (SQLite's limit of
        parameters per statement)."""
        assert self._db is not None
        table = table or self.TABLE
        unique = list(dict.fromkeys(shas))
        where = "".join(f"{column} = ? AND " for column in equal)
        for i in range(0, len(unique), 500):
            chunk = unique[i : i + 500]
            marks = ",".join("?" * len(chunk))
            yield from self._db.execute(
                f"SELECT {columns} FROM {table} WHERE {where}sha256 IN ({marks})", [*equal.values(), *chunk]
            )

    def cached(self, shas: list[str], context: str) -> set[str]:
        """Which of `shas` have a result for `context` (without reading the results)."""
        if self._db is None or not shas:
            return set()
        try:
            return {sha for (sha,) in self._rows("sha256", shas, konteks=context)}
        except sqlite3.Error:
            return set()

    def get_many(self, shas: list[str], context: str) -> dict[str, Result]:
        """Cached results by SHA-256, without their RO figures and Rekap RO rows (read on
        first use, `ro_parts`: a re-run needs neither for the satker that did not change)."""
        found: dict[str, Result] = {}
        if self._db is None or not shas:
            return found
        try:
            for sha, data in self._rows("sha256, data", shas, konteks=context):
                result = json.loads(data)
                if isinstance(result, dict):
                    found[sha] = result
        except (sqlite3.Error, ValueError):
            return {}
        return found

    def ro_parts(self, shas: list[str], context: str) -> dict[str, tuple[str | None, bytes | None]]:
        """The RO figures (JSON text) and Rekap RO rows (sopxl.recap.rows) of cached results."""
        if self._db is None or not shas:
            return {}
        try:
            return {sha: (ro, ro_xml) for sha, ro, ro_xml in self._rows("sha256, ro, ro_xml", shas, konteks=context)}
        except sqlite3.Error:
            return {}

    def segments(self, shas: list[str], context: str, version: str) -> dict[str, tuple[int, str, Segment]]:
        """The Rekap RO rows last written for each of `shas` with results of `context` by
        rows of `version` (sopxl.recap.workbook), compressed: sha -> (first row, satker
        name, segment)."""
        if self._db is None or not shas:
            return {}
        try:
            return {
                sha: (baris, nama, Segment(bytes(data), crc, ukuran))
                for sha, baris, nama, data, crc, ukuran in self._rows(
                    "sha256, baris, nama, data, crc, ukuran", shas, "segmen_ro", konteks=context, versi=version
                )
            }
        except sqlite3.Error:
            return {}

    def keep_segments(self, rows: list[tuple[str, str, str, int, str, Segment]]) -> None:
        """Keep each (sha, context, version, first row, satker name, segment): one per file,
        the newest (a file's rows move only when the satker before it change)."""
        if self._db is None or not rows:
            return
        try:
            with self._db:
                self._db.executemany(
                    "INSERT OR REPLACE INTO segmen_ro (sha256, konteks, versi, baris, nama, data, crc, ukuran) "
                    "VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                    [(sha, k, v, b, n, seg.raw, seg.crc, seg.size) for sha, k, v, b, n, seg in rows],
                )
        except sqlite3.Error:
            pass

    def put_many(self, rows: Mapping[str, Result], context: str, day: str) -> None:
        """Keep results for `context`, made on `day` (ISO date: what `prune` goes by)."""
        if self._db is None or not rows:
            return

        def row(sha: str, result: Result) -> tuple[str, str, str, str, str | None, bytes | None]:
            rest = {k: v for k, v in result.items() if k not in ("ro", "ro_xml")}
            ro = result.get("ro")
            return (
                sha, context, day, json.dumps(rest, ensure_ascii=False),
                json.dumps(ro, ensure_ascii=False) if ro is not None else None, result.get("ro_xml"),
            )

        try:
            with self._db:
                self._db.executemany(
                    f"INSERT OR REPLACE INTO {self.TABLE} (sha256, konteks, hari, data, ro, ro_xml) "
                    "VALUES (?, ?, ?, ?, ?, ?)",
                    [row(sha, r) for sha, r in rows.items()],
                )
        except sqlite3.Error:
            pass

    def prune(self, day: str) -> None:
        """Forget the results made before `day` (ISO date), once a day: a result's context
        holds the day it was made for (date rules compare with today), so none of them is
        found again, and a recap run daily would otherwise add every workbook's result to the
        file each day. The Rekap RO rows of the files forgotten go with them."""
        if self._db is None:
            return
        try:
            done = self._db.execute("SELECT nilai FROM catatan WHERE kunci = 'dipangkas'").fetchone()
            if done is not None and done[0] >= day:
                return
            with self._db:
                self._db.execute(f"DELETE FROM {self.TABLE} WHERE hari < ?", [day])
                self._db.execute(f"DELETE FROM segmen_ro WHERE sha256 NOT IN (SELECT sha256 FROM {self.TABLE})")
                self._db.execute("INSERT OR REPLACE INTO catatan (kunci, nilai) VALUES ('dipangkas', ?)", [day])
        except sqlite3.Error:
            pass

    def frame(self, key: str) -> tuple[bytes, dict[str, Any]] | None:
        """The recap workbook's frame kept under `key` (sopxl.recap.workbook), with its style
        indices, or None."""
        if self._db is None:
            return None
        try:
            row = self._db.execute("SELECT paket, gaya FROM kerangka WHERE kunci = ?", [key]).fetchone()
            if row is None:
                return None
            styles = json.loads(row[1])
        except (sqlite3.Error, ValueError):
            return None
        return (bytes(row[0]), styles) if isinstance(styles, dict) else None

    def keep_frame(self, key: str, package: bytes, styles: Mapping[str, Any]) -> None:
        """Keep the frame of this recap (only the newest: the next run's is most likely it)."""
        if self._db is None:
            return
        try:
            with self._db:
                self._db.execute("DELETE FROM kerangka")
                self._db.execute(
                    "INSERT INTO kerangka (kunci, paket, gaya) VALUES (?, ?, ?)", [key, package, json.dumps(styles)]
                )
        except sqlite3.Error:
            pass

    def close(self) -> None:
        if self._db is not None:
            self._db.close()
            self._db = None


__all__ = ["Cache", "discard_pool", "preload", "run_pool", "start_pool"]
